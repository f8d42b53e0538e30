"""Loader throughput: write a scale's deliveries once, then time loading them (median of runs).

python -m bench.load_throughput --scale medium --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sample_data.deliveries import write_deliveries
from sample_data.generator import simulate
from warehouse.connection import writer
from warehouse.loader import load_paths


def run_once(deliveries, db: Path) -> tuple[float, int]:
    db.unlink(missing_ok=True)
    start = time.perf_counter()
    rows = 0
    with writer(db) as con:
        for d in deliveries:
            rows += sum(r.rows_read for r in load_paths(con, list(d.files), delivered_on=d.delivered_on))
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        deliveries = write_deliveries(simulate(scale=args.scale), folder / "files", allow_excel=False)
        print(f"generated and written in {time.perf_counter() - start:.1f} s")
        results = [run_once(deliveries, folder / "w.duckdb") for _ in range(args.runs)]
    seconds = [s for s, _ in results]
    rows = results[0][1]
    median = statistics.median(seconds)
    print(
        f"scale {args.scale}: {rows} rows; load median {median:.1f} s (min {min(seconds):.1f}, max {max(seconds):.1f}) over {args.runs} runs"
    )
    print(f"throughput: {rows / median:,.0f} validated rows/s")


if __name__ == "__main__":
    main()
