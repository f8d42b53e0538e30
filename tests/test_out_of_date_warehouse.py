"""A warehouse built by older code is noticed before anyone is served from it: what it lacks is named,
``rebuild --if-out-of-date`` brings it up to date (and does nothing to one that is), and the server
refuses to start on it with one line naming the command."""

from __future__ import annotations

import os
import subprocess  # nosec B404  # the server module, started as make run starts it
import sys
from pathlib import Path

import duckdb
import pytest

import cli
from tests.fixtures import REVIEW_DELIVERED_ON, write_review_delivery
from warehouse import marts
from warehouse.connection import out_of_date, published

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def loaded(tmp_path: Path, load, db: Path) -> Path:
    load(*write_review_delivery(tmp_path / "delivery"), delivered_on=REVIEW_DELIVERED_ON)
    return db


def age(db: Path) -> None:
    """Make the published version look as older code left it: one mart missing, one built by other SQL, no model fits."""
    with duckdb.connect(str(published(db))) as con:
        con.execute(f"drop table marts.{marts.ORDER[-1]}")
        con.execute("update store.meta set value = 'older sql' where key = $key", {"key": f"mart {marts.ORDER[0]}"})
        con.execute("drop table model_fits")


def test_a_version_published_by_this_code_is_up_to_date(loaded: Path) -> None:
    assert out_of_date(loaded) == []
    assert out_of_date(loaded.with_name("none.duckdb")) == []  # no warehouse yet: nothing to rebuild


def test_what_an_older_version_lacks_is_named(loaded: Path) -> None:
    age(loaded)
    assert out_of_date(loaded) == [marts.ORDER[0], marts.ORDER[-1], "models"]


def test_rebuild_if_out_of_date_rebuilds_only_then(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ready = published(loaded)
    assert cli.main(["rebuild", "--db", str(loaded), "--if-out-of-date"]) == 0
    assert published(loaded) == ready  # nothing to do: no new version
    assert "klaar om te serveren" in capsys.readouterr().out

    age(loaded)
    assert cli.main(["rebuild", "--db", str(loaded), "--if-out-of-date"]) == 0
    assert published(loaded) != ready
    assert out_of_date(loaded) == []
    assert marts.ORDER[-1] in capsys.readouterr().out


def test_only_the_out_of_date_marts_are_built_when_the_models_stand(
    loaded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(published(loaded))) as con:
        con.execute(f"drop table marts.{marts.ORDER[-1]}")
        fits = con.execute("select count(*) from model_fits").fetchall()
    built: list[str] = []
    real = marts._create
    monkeypatch.setattr(marts, "_create", lambda con, name, sql: (built.append(name), real(con, name, sql)))
    assert cli.main(["rebuild", "--db", str(loaded), "--if-out-of-date"]) == 0
    assert built == [marts.ORDER[-1]]  # the other marts stand, and so do the models
    assert out_of_date(loaded) == []
    with duckdb.connect(str(published(loaded)), read_only=True) as con:
        assert con.execute("select count(*) from model_fits").fetchall() == fits
    assert marts.ORDER[-1] in capsys.readouterr().out


def test_the_server_refuses_to_start_on_an_out_of_date_warehouse(loaded: Path) -> None:
    age(loaded)
    env = {**os.environ, "SAMEN_LEREN_DEMO": "1", "WAREHOUSE_PATH": str(loaded)}
    started = subprocess.run(
        [sys.executable, "-c", "import serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )  # nosec B603  # fixed arguments
    assert started.returncode != 0
    lines = started.stderr.strip().splitlines()
    assert lines[-1] == (
        f"fout: het warehouse is niet bij met deze versie van de code ({marts.ORDER[0]}, {marts.ORDER[-1]}, models); "
        f"bouw het opnieuw op: python -m warehouse rebuild --db {loaded}"
    )
