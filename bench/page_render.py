"""Render time of a page with AppTest: cold (caches cleared) and warm (cached), median of runs.

python -m bench.page_render --db data/warehouse.duckdb --page pages/review.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from access.roles import Role, Viewer

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--page", default="pages/review.py")
    parser.add_argument("--centre", default="UMCU")
    parser.add_argument("--pathway", default="knee_oa")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["WAREHOUSE_PATH"] = str(Path(args.db).resolve())
    os.environ.setdefault("AUDIT_PATH", str(Path(args.db).resolve().with_name("bench-audit.jsonl")))
    cold, warm = [], []
    for _ in range(args.runs):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["viewer"] = Viewer(f"bench.{args.centre.lower()}", "Benchmark", Role.CENTRE_LEAD, args.centre)
        at.session_state["pathway"] = args.pathway
        start = time.perf_counter()
        at.run()
        if args.page != "pages/review.py":
            at.switch_page(args.page).run()
        cold.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"the page failed: {[e.value for e in at.exception]}")
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    for name, times in (("cold", cold), ("warm", warm)):
        print(
            f"{args.page} {name}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"
        )


if __name__ == "__main__":
    main()
