"""Publishing versions: the published file survives pruning however the path is written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.connection import KEEP_VERSIONS, published, reader, versions_dir, writer


def _load_one(root: Path, value: int) -> None:
    with writer(root) as con:
        con.execute("create table if not exists t (v integer)")
        con.execute("insert into t values ($v)", {"v": value})


def test_a_relative_warehouse_path_keeps_its_published_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = Path("data/warehouse.duckdb")  # as `make run` passes it
    for value in range(4):
        _load_one(root, value)
    assert published(root).exists()
    with reader(root) as con:
        assert con.execute("select count(*) from t").fetchone() == (4,)
    assert len(list(versions_dir(root).glob("*.duckdb"))) == KEEP_VERSIONS


def test_the_version_before_stays_for_readers_still_on_it(tmp_path: Path) -> None:
    root = tmp_path / "warehouse.duckdb"
    _load_one(root, 1)
    before = published(root)
    _load_one(root, 2)
    assert before.exists() and published(root) != before
    with duckdb.connect(str(before), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone() == (1,)
