"""Share → see → adopt across two centres in a real Chromium, on the demo as `make run` builds it.

A practice team shares its closed action anonymously (through the service: the share form is not on a page
yet); the demo care team of another centre opens the chart that misses its target, sees the practice under
"Wat werkte elders" without the sharing centre's name, adopts it, and the programme library counts it.
Reuses the helpers of ``tests/test_browser.py``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

import queries
from services import practices
from tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    log_in,
    no_error_box,
    playwright,
    pytestmark,  # noqa: F401  (the browser mark and the skip without Chromium)
    served,
)
from tests.viewers import PROGRAMME, lead

RESPONSE = "prom_response:12m"


@pytest.fixture(scope="module")
def shared(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """A copy of the demo where the knee practice team has withdrawn its named share and shared it anonymously."""
    folder = tmp_path_factory.mktemp("browser_practices")
    shutil.copytree(small_demo.parent, folder / "demo", symlinks=True)
    db = folder / "demo" / small_demo.name
    [origin] = practices.practices_elsewhere(PROGRAMME, db, "knee_oa", RESPONSE)["centre_code"].to_list()
    with pytest.MonkeyPatch.context() as patch:  # the share and the withdrawal write audit rows: into this copy's trail
        patch.setenv("AUDIT_PATH", str(db.with_name("audit.jsonl")))
        for practice_id in practices.own_practices(lead(origin), db, "knee_oa").filter("is_active")["practice_id"]:
            practices.withdraw_practice(lead(origin), db, "knee_oa", practice_id)
        actions = queries.run("review_actions", lead(origin), db=db, centre_code=origin, pathway="knee_oa")
        done = actions.filter(pl.col("indicator_code") == RESPONSE, pl.col("status") == "done").sort("start_month_date")
        practice_id = practices.share_practice(lead(origin), db, "knee_oa", int(done["action_id"][0]), is_named=False)
    name = queries.run("viewer_centre", lead(origin), db=db, centre_code=origin)["centre_name"][0]
    return db, practice_id, name


@pytest.fixture(scope="module")
def server(shared: tuple[Path, int, str]) -> Iterator[str]:
    with served(shared[0]) as url:
        yield url


def test_a_care_team_sees_another_centre_s_anonymous_practice_adopts_it_and_the_programme_counts_it(server, shared) -> None:
    db, practice_id, origin_name = shared
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        log_in(tab, server, "zorgteam.umcu", "demo-zorgteam-umcu")
        tab.get_by_role("heading", name="Maandreview").wait_for()
        tab.locator('[class*="st-key-open_prom_response"][class*="12m"] button').first.click()
        tab.get_by_role("heading", name="Wat werkte elders").wait_for()
        section = tab.locator(f".st-key-adopt_{practice_id}").locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
        text = section.inner_text()
        assert "Van een universitair centrum" in text and "Verbeterd" in text
        assert origin_name not in tab.locator('[data-testid="stMain"]').inner_text()
        tab.locator(f".st-key-adopt_{practice_id} button").click()
        tab.get_by_text("Uw team nam deze aanpak al over.").first.wait_for()
        no_error_box(tab)
        tab.screenshot(path=str(ARTIFACTS / "practices_adopted.png"))
        tab.locator('[data-testid="stSidebar"]').get_by_role("button", name="Uitloggen").click()
        log_in(tab, server, "programmaleider", "demo-programmaleider")
        tab.get_by_role("heading", name="Bibliotheek van gedeelde aanpakken").wait_for()
        no_error_box(tab)
        browser.close()
    counted = practices.library(PROGRAMME, db, "knee_oa").filter(pl.col("practice_id") == practice_id)
    assert counted["adoptions_n"].to_list() == [1]
