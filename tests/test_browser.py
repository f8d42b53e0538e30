"""A real Chromium against `streamlit run`: pages render, charts draw, choices in the sidebar work."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_warehouse: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "WAREHOUSE_PATH": str(demo_warehouse)}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def page(server: str):
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        yield tab
        browser.close()


def no_error_box(tab) -> None:
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.locator('[data-testid="stAlertContentError"]').count() == 0


def test_review_page_renders_with_charts(server, page) -> None:
    page.goto(server)
    page.get_by_role("heading", name="Maandreview").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.locator('[data-testid="stMetric"]').count() >= 10
    no_error_box(page)
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)


def test_a_tile_opens_its_control_chart_and_its_data_downloads(server, page) -> None:
    page.goto(server)
    page.get_by_role("heading", name="Maandreview").wait_for()
    page.get_by_role("button", name="Regelkaart").last.click()
    page.get_by_role("heading", name="Regelkaart: Gemiddelde kosten per patiënt").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("month_date;value;cases_n")
    no_error_box(page)


def test_choosing_another_centre_keeps_the_sidebar_and_updates_the_page(server, page) -> None:
    page.goto(server)
    page.get_by_role("heading", name="Maandreview").wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    viewer = sidebar.get_by_role("combobox", name="Wie kijkt er? (demo)")
    viewer.click()
    page.get_by_role("option", name="UMC Utrecht (UMCU)").click()
    page.locator('[data-testid="stCaptionContainer"]').filter(has_text="UMC Utrecht").first.wait_for()
    assert viewer.input_value() == "UMC Utrecht (UMCU)"
    page.locator(".js-plotly-plot").first.wait_for()
    no_error_box(page)


def test_data_page_shows_the_quarantine(server, page) -> None:
    page.goto(server + "/data")
    page.get_by_role("heading", name="Gegevens en aanlevering").wait_for()
    page.get_by_role("heading", name="Quarantaine: afgewezen rijen").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    no_error_box(page)
    page.screenshot(path=str(ARTIFACTS / "data.png"), full_page=True)
