"""Shared fixtures: warehouses built once per session by the same functions the demo uses."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from access.accounts import THROTTLE
from data_models.outcome_sets import outcome_set_dir
from sample_data.demo import build_demo
from tests.fixtures import (
    AGENDA_DELIVERED_ON,
    CENTRES_CSV,
    MADE_UP_PATHWAY,
    REVIEW_DELIVERED_ON,
    MadeUp,
    build_made_up,
    built_once,
    digest,
    made_up_key,
    own_copy,
    write_agenda_delivery,
    write_peer_delivery,
    write_review_delivery,
)
from warehouse.connection import published, writer
from warehouse.loader import LoadReport, load_paths

ROOT = Path(__file__).resolve().parent.parent

# The suite runs against the demo (its accounts, its public peer-code key) unless a test says
# otherwise: tests of the closed-until-configured rules delete this with monkeypatch.
os.environ["SAMEN_LEREN_DEMO"] = "1"


# The files that took longest in a whole run (loads in subprocesses, browsers with a server of their own,
# page walks) start first, roughly longest first, so that none is dealt out last while the other xdist
# worker has nothing left to do; browser files alternate with the others, so that two browsers seldom run
# at once. The Makefile turns off xdist's own order (files with the most tests first), which put the
# one-test files among these last; the other files follow in that order. `make test` prints the slowest
# tests: keep this list in step with them.
LONG_FILES = (
    "test_crash_safety.py",
    "test_browser_every_role.py",
    "test_reads_during_loads.py",
    "test_browser.py",
    "test_peer_linkage.py",
    "test_browser_practices.py",
    "test_meeting_pack.py",
    "test_browser_meeting.py",
    "test_comparison_page.py",
    "test_loader_fuzz.py",
    "test_made_up_pathway.py",
    "test_models_per_version.py",
    "test_incremental_publish.py",
    "test_marts_crash.py",
    "test_rebuild.py",
    "test_serving_sessions.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    tests_in = Counter(item.path.name for item in items)
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), -tests_in[item.path.name]))


@pytest.fixture(scope="session")
def build_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this run's shared builds go: the folder all pytest-xdist workers of the run share."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built-once"


def demo_copy(cache: Path, tmp_path_factory: pytest.TempPathFactory, name: str, **build: object) -> Path:
    """This worker's copy of a demo warehouse that the first worker to ask built (``build_demo(**build)``)."""
    sets = sorted(p.read_text(encoding="utf-8") for p in outcome_set_dir().glob("*.yaml"))
    key = digest("demo", repr(sorted(build.items())), *sets)
    built = built_once(cache, key, lambda folder: build_demo(folder / "warehouse.duckdb", **build))
    return own_copy(built, tmp_path_factory.mktemp(name)) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def demo_warehouse(build_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse at the tiny scale, built through the real loader."""
    return demo_copy(build_cache, tmp_path_factory, "demo", scale="tiny", seed=7)


@pytest.fixture(scope="session")
def small_demo(build_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo exactly as `make run` builds it (default scale and seed)."""
    return demo_copy(build_cache, tmp_path_factory, "small")


@pytest.fixture(scope="session")
def made_up(build_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> MadeUp:
    """The made-up pathway of ``tests/fixtures.py``: its outcome-set directory and its tiny demo warehouse,
    built by the command line in its own process once per run."""
    built = built_once(build_cache, made_up_key(), build_made_up)
    folder = own_copy(built, tmp_path_factory.mktemp("made_up"))
    return MadeUp(MADE_UP_PATHWAY, folder / "outcome_sets", folder / "warehouse.duckdb")


def hand_built(folder: Path, write_delivery: Callable[[Path], list[Path]], delivered_on) -> Path:
    """A warehouse loaded, through the real loader, from a hand-built delivery."""
    path = folder / "warehouse.duckdb"
    with writer(path) as con:
        reports = load_paths(con, write_delivery(folder / "delivery"), delivered_on=delivered_on)
    assert all(r.status == "loaded" for r in reports), reports
    return path


@pytest.fixture(scope="session")
def review_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built review fixture of ``tests/fixtures.py``."""
    return hand_built(tmp_path_factory.mktemp("review"), write_review_delivery, REVIEW_DELIVERED_ON)


@pytest.fixture(scope="session")
def agenda_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Thirteen months per pathway with one special cause in the last (``tests/fixtures.py``)."""
    return hand_built(tmp_path_factory.mktemp("agenda"), write_agenda_delivery, AGENDA_DELIVERED_ON)


@pytest.fixture(scope="session")
def peer_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six centres of different size, one of them below ten patients (``tests/fixtures.py``)."""
    return hand_built(tmp_path_factory.mktemp("peers"), write_peer_delivery, AGENDA_DELIVERED_ON)


@pytest.fixture
def own_review_warehouse(review_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the review fixture, for tests that record improvement actions beside it."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published(review_warehouse), path)
    return path


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> Iterator[None]:
    st.cache_data.clear()
    THROTTLE.reset()  # failed log-ins of one test never lock an account in the next
    yield
    st.cache_data.clear()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An empty warehouse path for one test."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a delivery file (text or bytes) into the test's folder."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        folder = tmp_path / "files"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def load(db: Path) -> Callable[..., list[LoadReport]]:
    """Load files into the test's warehouse and return the reports."""

    def _load(*paths: Path, delivered_on=None) -> list[LoadReport]:
        with writer(db) as con:
            return load_paths(con, list(paths), delivered_on=delivered_on)

    return _load


@pytest.fixture
def with_centres(write, load) -> None:
    load(write("centres.csv", CENTRES_CSV))


def fetch(db_path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()
