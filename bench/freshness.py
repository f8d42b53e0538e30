"""Freshness: from starting the load of a monthly delivery to an open session showing its month.

The warehouse holds everything but the last monthly delivery, and the app process has the
review page open (caches filled). The clock starts when ``python -m cli load`` starts
and stops when the review page, opened again in the same process as a user's next visit
would, lists the delivery's month: no restart, no cache clearing.

``python -m bench.freshness BASE`` says where one publish of the last delivery onto the published
version at BASE spends its time (copy, load, marts; ``served`` when its month is published; then the
models in the follow-up version, with its own copy), as the command line publishes it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess  # nosec B404  # runs this project's own modules
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import read_manifest
from bench.pages import CASES, open_page
from bench.stats import spread
from warehouse import connection, marts, models
from warehouse.connection import publish_pending_models, published, writer
from warehouse.loader import load_paths

ROOT = Path(__file__).resolve().parent.parent
GIVE_UP_S = 600


def _base(files, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "base.duckdb"
    from services.patients_like_me import publish_models
    from services.peer_comparison import publish_peer_aggregates

    # fitted as the command line publishes, so the measured publish refits only what the delivery touched
    with models.fitting_on_publish(publish_models), models.fitting_on_publish(publish_peer_aggregates), writer(db) as con:
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
    # the page is asked while the load runs: its month shows once the data and marts are published, while the
    # command goes on to publish the models in the next version
    proc = subprocess.Popen(load, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # nosec B603  # our own CLI
    try:
        while time.perf_counter() - start < GIVE_UP_S:
            at, _ = open_page(CASES[0])
            if at.session_state["context"].months[-1] > before:
                return time.perf_counter() - start
            time.sleep(0.2)
        raise TimeoutError("the new month never showed")
    finally:
        proc.wait()  # exit 1 (quarantine) is fine; the next run starts after the models were published


def freshness(files, folder: Path, runs: int) -> dict[str, float]:
    base = _base(files, folder)
    return spread([_once(base, files, folder) for _ in range(runs)])


def _timed(spent: dict[str, float], step: str, function: Callable) -> Callable:
    def run(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[step] = spent.get(step, 0.0) + time.perf_counter() - start

    return run


def steps(base: Path, files, folder: Path) -> dict[str, float]:
    """Seconds of each step of publishing the last delivery onto a copy of ``base`` (fitting as the command line does)."""
    from services.patients_like_me import publish_models
    from services.peer_comparison import publish_peer_aggregates

    db = folder / "warehouse.duckdb"
    shutil.copyfile(published(base), db)
    spent: dict[str, float] = {}
    wrapped = {
        (connection.shutil, "copyfile"): "copy",
        (marts, "build"): "marts",
        (models, "prepare"): "models",
    }
    originals = {key: getattr(*key) for key in wrapped}
    for (module, name), step in wrapped.items():
        setattr(module, name, _timed(spent, step, getattr(module, name)))
    try:
        delivered_on, paths = files[-1]
        start = time.perf_counter()
        with models.fitting_on_publish(publish_models), models.fitting_on_publish(publish_peer_aggregates):
            with writer(db, models_later=True) as con:
                load_start = time.perf_counter()
                rows = sum(r.rows_read for r in load_paths(con, paths, delivered_on=delivered_on))
                spent["load"] = time.perf_counter() - load_start
                touched = marts.touched(con)
            spent["served"] = time.perf_counter() - start
            follow_up = time.perf_counter()
            publish_pending_models(db)
            spent["models_follow_up"] = time.perf_counter() - follow_up
    finally:
        for (module, name), function in originals.items():
            setattr(module, name, function)
    pairs = len(touched.pairs) if touched else None
    return {**spent, "rows": rows, "touched_pairs": pairs, "touched_pathways": len(touched.pathways) if touched else None}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.freshness")
    parser.add_argument("base", help="a published warehouse holding every delivery but the last")
    parser.add_argument("--files", default="data/bench/medium/files", help="the deliveries (manifest.json)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path(args.base).resolve().parent) as tmp:
        print(json.dumps(steps(Path(args.base), read_manifest(Path(args.files)), Path(tmp))))
