"""Freshness: from starting the load of a monthly delivery to an open session showing its month.

The warehouse holds everything but the last monthly delivery, and the app process has the
review page open (caches filled). The clock starts when ``python -m cli load`` starts
and stops when the review page, opened again in the same process as a user's next visit
would, lists the delivery's month: no restart, no cache clearing.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404  # runs this project's own modules
import sys
import time
from pathlib import Path

from bench.pages import CASES, open_page
from bench.stats import spread
from warehouse.connection import published, writer
from warehouse.loader import load_paths

ROOT = Path(__file__).resolve().parent.parent
GIVE_UP_S = 600


def _base(files, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "base.duckdb"
    with writer(db) as con:
        for delivered_on, paths in files[:-1]:
            load_paths(con, paths, delivered_on=delivered_on)
    return db


def _once(base: Path, files, folder: Path) -> float:
    run = folder / f"run-{time.time_ns()}"
    run.mkdir()
    db = run / "warehouse.duckdb"
    shutil.copyfile(published(base), db)
    os.environ["WAREHOUSE_PATH"] = str(db)
    os.environ["AUDIT_PATH"] = str(run / "audit.jsonl")
    at, _ = open_page(CASES[0])  # the review page, as the care team has it open
    before = at.session_state["context"].months[-1]
    delivered_on, paths = files[-1]
    load = [
        sys.executable,
        "-m",
        "cli",
        "load",
        "--db",
        str(db),
        "--delivered-on",
        delivered_on.isoformat(),
        *map(str, paths),
    ]
    start = time.perf_counter()
    subprocess.run(load, cwd=ROOT, capture_output=True, check=False)  # nosec B603  # our own CLI; exit 1 (quarantine) is fine
    while time.perf_counter() - start < GIVE_UP_S:
        at, _ = open_page(CASES[0])
        if at.session_state["context"].months[-1] > before:
            return time.perf_counter() - start
    raise TimeoutError("the new month never showed")


def freshness(files, folder: Path, runs: int) -> dict[str, float]:
    base = _base(files, folder)
    return spread([_once(base, files, folder) for _ in range(runs)])
