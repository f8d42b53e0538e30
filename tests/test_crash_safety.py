"""A load killed with SIGKILL at random moments leaves the warehouse exactly as it was.

Each kill starts from a fresh copy of the same warehouse; afterwards the warehouse must be
either exactly as before or (when the kill came after the switch) exactly the complete load.
Every load goes through the command line, so it builds the marts and fits the models before the
switch. The delivery is the backfill (Parquet) and one monthly delivery (CSV): every table in both
formats, and a short load, so that fewer kills are spent on reading files and more fall in the
publishing (marts, models, the switch).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from sample_data.deliveries import write_deliveries
from sample_data.generator import simulate
from warehouse.connection import published, versions_dir

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINTS = {
    "centres": "select count(*), sum(hash(columns(*))) from centres",
    "episodes": "select count(*), sum(hash(columns(*))) from episodes",
    "prom_measurements": "select count(*), sum(hash(columns(*))) from prom_measurements",
    "clinical_outcomes": "select count(*), sum(hash(columns(*))) from clinical_outcomes",
    "prem_responses": "select count(*), sum(hash(columns(*))) from prem_responses",
    "costs": "select count(*), sum(hash(columns(*))) from costs",
    "quarantine": "select count(*), sum(hash(columns(*))) from quarantine",
    "load_log": "select count(*), sum(hash(columns(* exclude (loaded_at)))) from load_log",
}
KILLS = 4  # each kill costs a load and a retry: four random moments keep the suite within its 15 minutes
DELIVERIES = 2  # the backfill and the first month


def fingerprint(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(sql).fetchone() for table, sql in FINGERPRINTS.items()}


def fresh_copy(base: Path, folder: Path) -> Path:
    """A warehouse of its own with the base's content (one published version)."""
    folder.mkdir(parents=True)
    versions = versions_dir(folder / "warehouse.duckdb")
    versions.mkdir()
    target = versions / published(base).name
    shutil.copyfile(published(base), target)
    (folder / "warehouse.duckdb").symlink_to(os.path.relpath(target, folder))
    return folder / "warehouse.duckdb"


def load(db: Path, files: list[str]) -> list[str]:
    return [sys.executable, "-m", "warehouse", "load", "--db", str(db), *files]


@pytest.fixture(scope="module")
def base(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The tiny demo (only read: every load works on a fresh copy) and a delivery of other patients."""
    folder = tmp_path_factory.mktemp("crash")
    deliveries = write_deliveries(simulate(seed=31, scale=0.3), folder / "delivery", allow_excel=False)
    files = [str(f) for d in deliveries[:DELIVERIES] for f in d.files]
    assert {Path(f).suffix for f in files} == {".parquet", ".csv"}
    return folder, demo_warehouse, files


def test_sigkill_at_random_moments_leaves_the_old_or_the_complete_warehouse(base, record_property) -> None:
    folder, db, files = base
    env = {**os.environ, "AUDIT_PATH": str(folder / "audit.jsonl")}
    before = fingerprint(db)
    complete_db = fresh_copy(db, folder / "complete")
    started = time.monotonic()
    full = subprocess.run(load(complete_db, files), cwd=ROOT, env=env, capture_output=True, check=False)
    duration = time.monotonic() - started
    assert full.returncode in (0, 1), full.stderr.decode()[-500:]
    complete = fingerprint(complete_db)
    assert complete != before
    rng = random.Random(20261123)
    moments = sorted(rng.uniform(0.2, duration) for _ in range(KILLS))
    outcomes = []
    for i, moment in enumerate(moments):
        target = fresh_copy(db, folder / f"kill{i}")
        proc = subprocess.Popen(load(target, files), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = fingerprint(target)
        assert state in (before, complete), f"killed at {moment:.2f} s of {duration:.2f} s: a partial warehouse"
        outcomes.append("old" if state == before else "complete")
        retry = subprocess.run(load(target, files), cwd=ROOT, env=env, capture_output=True, check=False)
        assert retry.returncode in (0, 1), retry.stderr.decode()[-500:]
        assert {k: v for k, v in fingerprint(target).items() if k != "load_log"} == {
            k: v for k, v in complete.items() if k != "load_log"
        }
        assert len(list(versions_dir(target).glob("*.duckdb"))) <= 2  # unfinished copies are cleared
    record_property(
        "kills", ", ".join(f"{m:.2f} s → {o}" for m, o in zip(moments, outcomes, strict=True)) + f" (load {duration:.2f} s)"
    )
    assert "old" in outcomes
