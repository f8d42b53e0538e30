"""Start fast (issue 17): the login page imports no model-fitting, chart-export, PDF or validation library,
so the first visitor of a freshly started server does not wait for them; the server warms them up
after it has started (serve.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess  # nosec B404 - runs this project's own app in a fresh interpreter
import sys
import threading
from pathlib import Path

import serve
from ui import data
from warehouse import connection, models
from warehouse.connection import published

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("statsmodels", "scipy", "matplotlib", "reportlab", "pandera", "kaleido", "sklearn", "fpdf", "weasyprint")
LOGIN_PAGE = f"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=60).run()
print(json.dumps({{"title": [t.value for t in at.title], "errors": [str(e.value) for e in at.exception],
                  "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules)}}))
"""


def test_the_login_page_imports_no_heavy_library(demo_warehouse: Path) -> None:
    env = {**os.environ, "WAREHOUSE_PATH": str(demo_warehouse), "AUDIT_PATH": str(demo_warehouse.with_name("audit.jsonl"))}
    done = subprocess.run([sys.executable, "-c", LOGIN_PAGE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # nosec B603
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["title"] == ["Inloggen"] and not seen["errors"]
    assert seen["heavy"] == []


WARM_UP = """
import json, sys
import serve
from ui import data
before = set(sys.modules)
serve.warm_up()
print(json.dumps({"before": sorted(before), "after": sorted(sys.modules)}))
"""
PAGE_NEEDS = {
    "statsmodels",
    "scipy",
    "services.patients_like_me",
    "services.monthly_review",
    "ui.figures",
    "reports.meeting_pack",
}


def test_the_server_warms_up_what_the_pages_need_after_it_has_started(demo_warehouse: Path) -> None:
    env = {**os.environ, "WAREHOUSE_PATH": str(demo_warehouse), "AUDIT_PATH": str(demo_warehouse.with_name("audit.jsonl"))}
    done = subprocess.run([sys.executable, "-c", WARM_UP], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # nosec B603
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert not PAGE_NEEDS & set(seen["before"])  # importing serve.py (the server's start) does not pay for them
    assert set(seen["after"]) >= PAGE_NEEDS


def test_the_started_server_warms_up_shares_one_connection_and_fits_what_it_publishes(demo_warehouse, monkeypatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", str(demo_warehouse))
    monkeypatch.setattr(models, "_FITTERS", [])

    async def started() -> threading.Thread:
        async with serve.lifespan(None):
            return next(t for t in threading.enumerate() if t.name == "warm-up")

    try:
        asyncio.run(started()).join(timeout=120)
        assert connection._sharing["on"] and list(connection._shared) == [published(demo_warehouse)]
        assert [data._publish_models] == models._FITTERS
    finally:
        connection.share_one_connection(False)
