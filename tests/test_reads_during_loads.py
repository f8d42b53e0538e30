"""Sixteen readers run the dashboard's queries while a delivery loads: no errors, no half-loaded data.

The load runs as a data manager runs it, in its own process (``python -m warehouse load``),
while the readers are threads of this process, as the app's sessions are.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import queries
from sample_data.deliveries import write_deliveries
from sample_data.demo import build_demo
from sample_data.generator import simulate
from tests.viewers import data_manager, lead
from warehouse.connection import published

ROOT = Path(__file__).resolve().parent.parent

READERS = 16
SEPT = dt.date(2026, 9, 1)


def dashboard_queries(link: Path) -> dict[str, tuple]:
    """A page's questions, reduced to comparable values, all on the version published when it started."""
    db = published(link)
    months = queries.run("review_months", lead("UMCU"), db=db, pathway="knee_oa")
    monthly = queries.run(
        "review_monthly",
        lead("UMCU"),
        db=db,
        pathway="knee_oa",
        headline_outcome="complication_severe",
        from_month=dt.date(2025, 10, 1),
        to_month=SEPT,
    )
    log = queries.run("data_load_log", data_manager("AUMC"), db=db)
    return {
        "months": tuple(months["month_date"]),
        "monthly": tuple(monthly["episodes_n"]) + tuple(monthly["outcome_events_n"]),
        "load_log": (log.height,),
    }


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("busy")
    db = folder / "warehouse.duckdb"
    build_demo(db, scale="tiny", seed=5)
    deliveries = write_deliveries(simulate(seed=99, scale=0.4), folder / "delivery", allow_excel=False)
    return db, deliveries


def test_readers_never_fail_and_see_the_old_or_the_new_version(busy, record_property) -> None:
    db, deliveries = busy
    before = dashboard_queries(db)
    old_version = published(db)
    seen: list[dict[str, tuple]] = []
    errors: list[BaseException] = []
    loading = threading.Event()
    done = threading.Event()

    def read() -> None:
        loading.wait()
        while not done.is_set():
            try:
                seen.append(dashboard_queries(db))
            except BaseException as err:  # noqa: BLE001 - any failure at all is what this test looks for
                errors.append(err)

    threads = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    loading.set()
    files = [str(f) for d in deliveries for f in d.files]
    env = {**os.environ, "AUDIT_PATH": str(db.with_name("audit.jsonl"))}
    load = subprocess.run(
        [sys.executable, "-m", "warehouse", "load", "--db", str(db), *files], cwd=ROOT, env=env, capture_output=True, check=False
    )
    assert load.returncode in (0, 1), load.stderr.decode()[-500:]
    rows = sum(int(m) for m in re.findall(r"gelezen (\d+)", load.stdout.decode()))
    after_publish = len(seen)
    for _ in range(3):  # keep reading a little after the switch
        seen.append(dashboard_queries(db))
    done.set()
    for thread in threads:
        thread.join()
    after = dashboard_queries(db)
    record_property("reader_queries", 3 * len(seen))
    record_property("rows_loaded_meanwhile", rows)
    assert errors == []
    assert rows > 200_000
    assert len(seen) >= READERS * 2 and after_publish > 0
    assert after != before  # the load changed what the dashboard shows
    assert published(db) != old_version
    for result in seen:
        assert result in (before, after)  # never a half-loaded warehouse
        assert all(result.values())  # never an empty answer
