"""Every query the pages ask, with the parameters they used, timed; with a pandas twin where one exists."""

from __future__ import annotations

import os
import time
from pathlib import Path

import queries
from bench.pages import CASES, open_page
from bench.stats import spread
from bench.twins import TWINS, load_frames


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
    frames = load_frames(str(db)) if set(asked) & set(TWINS) else {}
    results = {}
    for name, params in sorted(asked.items()):
        entry = {"duckdb": spread(_times(lambda n=name, p=params: queries._execute(n, db, p), runs))}
        if name in TWINS:
            entry["pandas"] = spread(_times(lambda n=name, p=params: TWINS[n](frames, p), runs))
        results[name] = entry
    return results
