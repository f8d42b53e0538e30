"""Issue 18: the server reads through one read-only DuckDB connection per process and data version,
shared by its sessions through cursors, with its memory and threads bounded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import queries
from tests.viewers import lead
from warehouse import connection
from warehouse.connection import published, share_one_connection, shared_reader, writer


@pytest.fixture
def sharing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SAMEN_DUCKDB_MEMORY_LIMIT", "256MB")
    monkeypatch.setenv("SAMEN_DUCKDB_THREADS", "1")
    share_one_connection()
    yield
    share_one_connection(False)


@pytest.fixture
def own_copy(demo_warehouse: Path, tmp_path: Path) -> Path:
    root = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published(demo_warehouse), root)
    return root


def _database_of(con) -> tuple:
    """What identifies the database instance a connection or cursor reads, and the limits it runs under."""
    return tuple(con.execute("select current_setting('memory_limit'), current_setting('threads')").fetchall()[0])


def test_sessions_share_one_connection_per_version_with_bounded_memory_and_threads(sharing, own_copy: Path) -> None:
    with shared_reader(own_copy) as first, shared_reader(own_copy) as second:
        assert first is not second  # a cursor each: a connection refuses concurrent calls, its cursors do not
        memory, threads = _database_of(first)
        assert _database_of(second) == (memory, threads)
    assert list(connection._shared) == [published(own_copy)]
    assert threads == 1 and memory in ("244.1 MiB", "256.0 MB", "256MB")


def test_concurrent_queries_of_many_sessions_all_succeed(sharing, demo_warehouse: Path) -> None:
    viewer = lead("UMCU")

    def ask(_: int) -> int:
        return queries.run("viewer_pathways", viewer, db=demo_warehouse, centre_code="UMCU").height

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(ask, range(80)))
    assert len(set(answers)) == 1 and answers[0] > 0
    assert list(connection._shared) == [published(demo_warehouse)]


def test_a_new_version_gets_its_own_connection_and_old_ones_are_closed(sharing, own_copy: Path, monkeypatch) -> None:
    monkeypatch.setattr(connection, "KEEP_VERSIONS", 1)  # two publishes show it (the default keeps two versions)
    seen = []
    for _ in range(connection.KEEP_VERSIONS + 1):
        with writer(own_copy):
            pass
        with shared_reader(own_copy) as con:
            assert con.execute("select 1").fetchall() == [(1,)]
        seen.append(published(own_copy))
    assert sorted(connection._shared) == sorted(seen[-connection.KEEP_VERSIONS :])


def test_without_sharing_every_read_has_a_connection_of_its_own(own_copy: Path) -> None:
    with shared_reader(own_copy) as con:
        assert con.execute("select 1").fetchall() == [(1,)]
    assert connection._shared == {}
