"""The layers the build enforces (README, "Layers"; issue 15).

- ``lint-imports`` keeps every contract in pyproject.toml's ``[tool.importlinter]``;
- every top-level package is a root package of that contract and named in one of its contracts,
  so a new package cannot escape it;
- the pages (and app.py, serve.py) import only what they lay out: services, ui, texts, reports (the
  meeting pack's download), access and data_models; the exceptions still being removed are listed
  below, one import each;
- the README's layer diagram is the contract's list of layers;
- the command line answers as ``python -m cli`` and, for existing scripts, ``python -m warehouse``.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess  # nosec B404 - runs our own tools
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
NOT_CODE = {"config", "data", "docs", "test-artifacts"}  # folders of data, configuration and documentation

# What a page may import from this project: it lays out what these give it (``reports``: the meeting pack a
# page offers as a download; ``reports`` and ``ui`` import neither one another, so the page hands the pack's
# builder to ``ui``).
PAGE_MAY_IMPORT = {"services", "ui", "texts", "reports", "access", "data_models"}
# The Streamlit scripts outside pages/: held to the same rule.
SCRIPTS = ["app.py", "serve.py"]
# Known exceptions, written as import-linter writes an import ("importer -> imported").
# being removed (issue 15): the pages will ask the service layer instead of queries, warehouse and analytics.
PAGE_EXCEPTIONS: set[str] = set()


def top_level_packages() -> set[str]:
    """Every folder at the top that holds Python code (``pages`` has no ``__init__.py`` and counts too)."""
    return {
        d.name
        for d in ROOT.iterdir()
        if d.is_dir() and not d.name.startswith(".") and d.name not in NOT_CODE and any(d.glob("*.py"))
    }


def named_in(contract: dict) -> set[str]:
    """The top-level packages a contract names: its layers, sources and forbidden modules."""
    names: list[str] = []
    for layer in contract.get("layers", []):
        names += re.split(r"[|:]", layer)
    names += contract.get("source_modules", []) + contract.get("forbidden_modules", [])
    names += contract.get("modules", []) + contract.get("containers", [])
    return {n.strip().strip("()").split(".")[0] for n in names if n.strip()}


def layers_contract() -> dict:
    return next(c for c in CONTRACT["contracts"] if c["type"] == "layers")


def project_imports(path: Path, importer: str, project: set[str]) -> set[str]:
    """``importer -> module`` for every import of one of the project's packages, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found |= {f"{importer} -> {m}" for m in modules if m.split(".")[0] in project}
    return found


def test_lint_imports_keeps_every_contract() -> None:
    beside = Path(sys.executable).with_name("lint-imports")
    command = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed (requirements-dev.txt)"
    done = subprocess.run(  # nosec B603 - our own contract, no shell
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_every_top_level_package_is_in_the_contract() -> None:
    packages = top_level_packages()
    roots = set(CONTRACT["root_packages"])
    assert packages - roots == set(), "add the new package to root_packages and to a contract in pyproject.toml"
    assert roots - packages == set(), "a root package of the contract does not exist"
    named = set().union(*(named_in(c) for c in CONTRACT["contracts"]))
    assert packages - named == set(), "every top-level package is named in at least one contract"


def test_the_layers_are_the_ones_the_issue_sets() -> None:
    layers = [[m.strip() for m in layer.split("|")] for layer in layers_contract()["layers"]]
    flat = [m for layer in layers for m in layer]
    # lowest last: data_models < access < warehouse < queries < analytics < services < texts < reports|ui < pages|cli
    assert flat[::-1][:7] == ["data_models", "access", "warehouse", "queries", "analytics", "services", "texts"]
    assert sorted(layers[1]) == ["reports", "ui"]
    assert sorted(layers[0]) == ["cli", "pages"]


def test_pages_import_only_what_they_lay_out() -> None:
    project = top_level_packages()
    found: set[str] = set()
    for page in sorted((ROOT / "pages").glob("*.py")):
        found |= project_imports(page, f"pages.{page.stem}", project)
    for script in SCRIPTS:
        found |= project_imports(ROOT / script, Path(script).stem, project)
    wrong = {i for i in found if i.split(" -> ")[1].split(".")[0] not in PAGE_MAY_IMPORT}
    assert wrong - PAGE_EXCEPTIONS == set(), f"pages and scripts may import only {sorted(PAGE_MAY_IMPORT)}"
    assert not (stale := PAGE_EXCEPTIONS - wrong), f"no longer imported, remove from PAGE_EXCEPTIONS: {sorted(stale)}"


def test_the_page_exceptions_are_the_contracts() -> None:
    """The import-linter contract for pages ignores exactly the exceptions listed here (queries, warehouse)."""
    pages = next(c for c in CONTRACT["contracts"] if c.get("source_modules") == ["pages"])
    forbidden = set(pages["forbidden_modules"])
    listed = {i for i in PAGE_EXCEPTIONS if i.split(" -> ")[1].split(".")[0] in forbidden}
    assert set(pages.get("ignore_imports", [])) == listed


def test_every_ignored_import_says_why() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = text[text.index("[tool.importlinter]") :]
    for entries in re.findall(r"ignore_imports = \[(.*?)\n\]", block, flags=re.S):
        reason = None
        for line in entries.strip().splitlines():
            line = line.strip()
            if line.startswith("#"):
                reason = line
            elif line:
                assert reason and ("being removed (issue 15)" in reason or "entry point, not a layer import" in reason), line


def test_the_readme_draws_the_contracts_layers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Layers") :]
    diagram = section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]
    drawn = [m.group(1) for line in diagram.splitlines() if (m := re.match(r"([a-z_]+(?: \| [a-z_]+)*)\s{2,}", line))]
    assert drawn == layers_contract()["layers"]


@pytest.mark.parametrize("package", ["cli", "warehouse"])
def test_the_command_line_answers_under_both_names(package: str) -> None:
    done = subprocess.run(  # nosec B603 - our own command line, no shell
        [sys.executable, "-m", package, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"python -m {package}" in done.stdout
    for command in ("load", "import-fhir", "status", "quarantine", "audit-verify", "demo", "pack", "user"):
        assert command in done.stdout


def test_the_command_line_does_not_load_streamlit_or_the_demo_generator() -> None:
    probe = "import sys, cli; print(sorted(m for m in ('streamlit', 'sample_data', 'reports') if m in sys.modules))"
    done = subprocess.run(  # nosec B603 - our own code, no shell
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
