"""Every query the pages ask, with the parameters they used, timed; with a pandas twin where one exists.

Each query is timed uncached, as a page runs it (``queries._execute``: a read-only connection opened
for the query, the result as polars), and beside its floor: the same SQL and parameters on one
connection held open and warmed up, i.e. DuckDB alone answering the same question.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404  # runs this project's own module
import sys
import time
from pathlib import Path

import duckdb

import queries
from bench.pages import CASES, open_page
from bench.stats import spread
from bench.twins import TWINS
from warehouse.actions import actions_reader
from warehouse.connection import published

TWIN_MEMORY_MB = 16_000  # the twins' process: enough for medium, and the bench itself survives large


def captured(db: Path) -> dict[str, dict]:
    """The first parameters each query ran with while every page was rendered once."""
    os.environ["WAREHOUSE_PATH"] = str(db.absolute())
    os.environ.setdefault("AUDIT_PATH", str(db.absolute().with_name("bench-audit.jsonl")))
    seen: dict[str, dict] = {}
    original = queries._execute

    def recording(name: str, path, params: dict):
        seen.setdefault(name, dict(params))
        return original(name, path, params)

    queries._execute = recording
    try:
        for case in CASES:
            open_page(case)
    finally:
        queries._execute = original
    return seen


def _times(call, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def query_times(db: Path, runs: int) -> dict[str, dict]:
    asked = captured(db)
    pandas = twin_times(db, {n: p for n, p in asked.items() if n in TWINS}, runs)
    floors = floor_times(db, asked, runs)
    results = {}
    for name, params in sorted(asked.items()):
        entry = {"duckdb": spread(_times(lambda n=name, p=params: queries._execute(n, db, p), runs)), "floor": floors[name]}
        if name in TWINS:
            entry["pandas"] = pandas.get(name, pandas.get("error"))
        results[name] = entry
    return results


def floor_times(db: Path, asked: dict[str, dict], runs: int) -> dict[str, dict]:
    """Each question on one open, warmed-up connection: what DuckDB itself needs for it."""
    out = {}
    for name, params in sorted(asked.items()):
        opened = (
            actions_reader(db) if queries.rule(name).store == "actions" else duckdb.connect(str(published(db)), read_only=True)
        )
        with opened as con:
            sql = queries.sql_text(name)
            con.sql(sql, params=params or None).pl()  # warm: the file's pages in the buffer pool
            out[name] = spread(_times(lambda s=sql, p=params, c=con: c.sql(s, params=p or None).pl(), runs))
    return out


def twin_times(db: Path, asked: dict[str, dict], runs: int) -> dict[str, object]:
    """The pandas twins, timed in a process of their own whose memory is capped.

    A hand-built dashboard keeps whole tables in memory; at national scale they may not fit.
    Then each twin's entry is that message instead of times, and this process lives on.
    """
    if not asked:
        return {}
    run = [sys.executable, "-m", "bench.twins", "--db", str(db), "--runs", str(runs), "--memory-mb", str(TWIN_MEMORY_MB)]
    done = subprocess.run(run, input=json.dumps(asked, default=str), capture_output=True, text=True, check=False)  # nosec B603  # our own module
    if done.returncode != 0:
        return {"error": f"pandas could not hold the tables in {TWIN_MEMORY_MB:,} MB (exit {done.returncode})"}
    return json.loads(done.stdout.strip().splitlines()[-1])
