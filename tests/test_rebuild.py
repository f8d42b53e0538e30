"""``python -m warehouse rebuild`` makes a warehouse loaded before there were marts ready to serve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

import queries
from cli import main
from tests.test_crash_safety import fingerprint, fresh_copy
from tests.viewers import lead
from warehouse import marts
from warehouse.connection import published, versions_dir


def test_rebuild_builds_the_marts_of_an_old_warehouse_and_publishes_them(demo_warehouse: Path, tmp_path: Path, capsys) -> None:
    db = fresh_copy(demo_warehouse, tmp_path / "old")
    with duckdb.connect(str(published(db))) as con:  # as a version made before the marts existed
        con.execute("drop schema marts cascade")
    old, data = published(db), fingerprint(db)
    asked = {"pathway": "knee_oa", "from_month": dt.date(2025, 1, 1), "to_month": dt.date(2026, 9, 1)}
    with duckdb.connect(str(old), read_only=True) as con:
        centre = con.execute("select min(centre_code) from episodes").fetchone()[0]

    assert main(["rebuild", "--db", str(db)]) == 0
    assert "gepubliceerd" in capsys.readouterr().out
    assert published(db) != old and old.exists()  # a new version; the one before stays for its readers
    assert fingerprint(db) == data  # no delivered row and no load changed
    with duckdb.connect(str(published(db)), read_only=True) as con:
        built = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
        episodes = con.execute("select count(*) from episodes").fetchone()[0]
        volume = con.execute("select sum(episodes_n) from marts.adoption_months").fetchone()[0]
    assert built == set(marts.ORDER)
    assert volume == episodes
    frame = queries.run("review_monthly", lead(centre), db=db, headline_outcome="none", **asked)
    assert frame["episodes_n"].sum() > 0
    assert len(list(versions_dir(db).glob("*.duckdb"))) == 2


def test_rebuild_of_a_missing_warehouse_says_so(tmp_path: Path, capsys) -> None:
    assert main(["rebuild", "--db", str(tmp_path / "nothing.duckdb")]) == 2
    assert "geen warehouse" in capsys.readouterr().err
