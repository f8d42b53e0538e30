# Two commands on a fresh machine (Python 3.11, make, root): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
WAREHOUSE_PATH ?= data/warehouse.duckdb
PORT ?= 8501
export WAREHOUSE_PATH

.PHONY: run test test-fast lint lock demo bench browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv==0.13.9

# The lock files pin every package, transitive ones too, with hashes (requirements*.txt are the
# human lists; `make lock` regenerates the locks from them). uv installs them in seconds and
# writes bytecode; plain pip is the fallback.
UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode --require-hashes --python $(BIN)/python
PIP_INSTALL := $(BIN)/python -m pip install --quiet --require-hashes

$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(UV_INSTALL) -r requirements.lock || $(PIP_INSTALL) -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/python
	$(UV_INSTALL) -r requirements-dev.lock || $(PIP_INSTALL) -r requirements-dev.lock
	touch $(VENV)/.runtime $@

## lock: pin the full dependency tree again after editing requirements.txt or requirements-dev.txt
lock: | $(BIN)/python
	$(BIN)/uv pip compile requirements.txt --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile requirements-dev.txt --python-version 3.11 --generate-hashes -o requirements-dev.lock

## run: install, build the demo warehouse when there is none, start the demo app (SAMEN_LEREN_DEMO=1:
## demo accounts and the public peer-code key; outside demo mode the app needs its configuration, see README)
run: $(VENV)/.runtime
	@test -f "$(WAREHOUSE_PATH)" || SAMEN_LEREN_DEMO=1 $(BIN)/python -m cli demo --db "$(WAREHOUSE_PATH)"
	@SAMEN_LEREN_DEMO=1 $(BIN)/python -m cli rebuild --db "$(WAREHOUSE_PATH)" --if-out-of-date
	SAMEN_LEREN_DEMO=1 $(BIN)/streamlit run serve.py --server.port $(PORT)

## test: install what the tests need, check the layers (import-linter) and run the whole suite
## (one worker per core, each test file whole on one worker, so module fixtures are built once; the
## longest files first, in the order tests/conftest.py gives, and the 15 slowest tests printed at the end)
WORKERS ?= auto
CODE := access analytics bench cli data_models pages queries reports sample_data services texts ui warehouse app.py serve.py

test: $(VENV)/.dev browser
	$(BIN)/python -m ruff check .
	$(BIN)/bandit -q -r $(CODE)
	$(BIN)/lint-imports  # the layers in pyproject.toml's [tool.importlinter]: nothing imports upward
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

## test-fast: the suite without the real-browser tests, for the edit-test loop
test-fast: $(VENV)/.dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder -m "not browser" -q

## browser: Debian's Chromium for the end-to-end browser tests (installed once, when missing)
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## bench: the benchmark (not part of test): loading, pages, queries, memory, freshness -> bench/RESULTS.md
SCALES ?= small,medium,large
bench: $(VENV)/.dev
	$(BIN)/python -m bench --scales $(SCALES) --runs 5

lint: $(VENV)/.dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

demo: $(VENV)/.runtime
	SAMEN_LEREN_DEMO=1 $(BIN)/python -m cli demo --db "$(WAREHOUSE_PATH)"

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache test-artifacts
