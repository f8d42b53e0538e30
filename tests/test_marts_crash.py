"""A crash while the marts are built leaves the published version untouched.

The marts are built inside the version being published, before the switch
(``warehouse.connection.writer``). A failing mart, or a SIGKILL in the middle of the build, must
leave the published version exactly as it was (its tables and its marts); the next publish clears
the unfinished copy and builds everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from tests.test_crash_safety import FINGERPRINTS, fingerprint, fresh_copy
from warehouse import marts
from warehouse.connection import published, versions_dir, writer
from warehouse.loader import load_paths

ROOT = Path(__file__).resolve().parent.parent
MART_FINGERPRINTS = {name: f"select count(*), sum(hash(columns(*))) from marts.{name}" for name in marts.ORDER}
# Stops in the middle of the build (half the marts done) and says so, so the test can kill it there.
KILLED_BUILD = """
import sys, time
from warehouse import marts
built = marts.mart_sql
def slow(name):
    if name == marts.ORDER[len(marts.ORDER) // 2]:
        print("building", flush=True)
        time.sleep(120)
    return built(name)
marts.mart_sql = slow
from cli import main
raise SystemExit(main(["rebuild", "--db", sys.argv[1]]))
"""


def everything(db: Path) -> dict[str, tuple]:
    return fingerprint(db) | _marts(db)


def _marts(db: Path) -> dict[str, tuple]:
    import duckdb

    with duckdb.connect(str(published(db)), read_only=True) as con:
        return {f"mart {name}": con.execute(sql).fetchone() for name, sql in MART_FINGERPRINTS.items()}


def test_a_failing_mart_publishes_nothing(demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write) -> None:
    db = fresh_copy(demo_warehouse, tmp_path / "failing")
    before, version = everything(db), published(db)
    built = marts.mart_sql

    def failing(name: str) -> str:
        if name == marts.ORDER[-1]:
            raise RuntimeError("disk full while building the last mart")
        return built(name)

    monkeypatch.setattr(marts, "mart_sql", failing)
    delivery = write("centres.csv", "centre_code,name,kind\nNEWC,Nieuw centrum,general\n")
    with pytest.raises(RuntimeError, match="disk full"), writer(db) as con:
        load_paths(con, [delivery])
    assert published(db) == version
    assert everything(db) == before
    assert list(versions_dir(db).glob("*.duckdb")) == [version]  # the unfinished copy is gone


def test_sigkill_during_the_mart_build_leaves_the_published_version(demo_warehouse: Path, tmp_path: Path) -> None:
    db = fresh_copy(demo_warehouse, tmp_path / "killed")
    before, version = everything(db), published(db)
    env = {**os.environ, "AUDIT_PATH": str(tmp_path / "audit.jsonl")}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"building"  # half the marts are built in the new copy
    assert len(list(versions_dir(db).glob("*.duckdb"))) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert published(db) == version
    assert everything(db) == before
    assert main(["rebuild", "--db", str(db)]) == 0
    assert published(db) != version
    assert {k: v for k, v in everything(db).items() if k in FINGERPRINTS} == {
        k: v for k, v in before.items() if k in FINGERPRINTS
    }
    assert len(list(versions_dir(db).glob("*.duckdb"))) <= 2  # the killed copy is cleared
