# Two commands on a fresh machine (Python 3.11, make, root): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
WAREHOUSE_PATH ?= data/warehouse.duckdb
PORT ?= 8501
export WAREHOUSE_PATH

.PHONY: run test lint demo bench browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

# uv installs the pinned set in seconds; plain pip is the fallback.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt || $(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.txt || $(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: install, build the demo warehouse when there is none, start the app
run: $(VENV)/.runtime
	@test -f "$(WAREHOUSE_PATH)" || $(BIN)/python -m warehouse demo --db "$(WAREHOUSE_PATH)"
	$(BIN)/streamlit run app.py --server.port $(PORT)

## test: install what the tests need and run the whole suite
CODE := access analytics bench data_models pages queries reports sample_data ui warehouse app.py

test: $(VENV)/.dev browser
	$(BIN)/python -m ruff check .
	$(BIN)/bandit -q -r $(CODE)
	$(BIN)/python -m pytest

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
	$(BIN)/python -m warehouse demo --db "$(WAREHOUSE_PATH)"

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache test-artifacts
