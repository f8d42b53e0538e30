"""Every demo role opens every page it may, in real Chromium, at 1440×900 and at 1280×720 (issue 17).

On each Dutch page: no raw code name (a pathway, treatment, instrument, outcome or case-mix code,
a load status), no "None", no English month, no decimal point, no blank tile without its reason,
no error box and no request to a host other than the local server. The screenshots are saved in
``test-artifacts/`` and the README's in ``docs/screenshots/`` (so the README shows the current pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from access.roles import PAGES, Role
from data_models.outcome_sets import outcome_sets
from tests.test_browser import (  # noqa: F401  (pytestmark marks this module)
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    TIMEOUT_MS,
    choose,
    free_port,
    log_in,
    outside_host,
    playwright,
    pytestmark,
    served,
    wait_for_health,
)
from texts import label, t
from ui.navigation import PAGE_FILES

ACCOUNTS = {
    Role.CARE_TEAM: ("zorgteam.umcu", "demo-zorgteam-umcu"),
    Role.CENTRE_LEAD: ("centrumleider.umcg", "demo-centrumleider-umcg"),
    Role.DATA_MANAGER: ("datamanager.aumc", "demo-datamanager-aumc"),
    Role.PROGRAMME_LEAD: ("programmaleider", "demo-programmaleider"),
    Role.ADMIN: ("beheerder", "demo-beheerder-2026"),
}
SIZES = ((1440, 900), (1280, 720))
SCREENSHOTS = ROOT / "docs" / "screenshots"
# the README's pictures: (role, page) -> file name in docs/screenshots
README_SHOTS = {
    (Role.CENTRE_LEAD, "review"): "maandreview.png",
    (Role.CENTRE_LEAD, "decide"): "samen_beslissen.png",
    (Role.CENTRE_LEAD, "trajectory"): "traject.png",
    (Role.CENTRE_LEAD, "comparison"): "vergelijken.png",
    (Role.PROGRAMME_LEAD, "adoption"): "adoptie.png",
    (Role.DATA_MANAGER, "data"): "gegevens.png",
}

STATUS_CODES = {"loaded", "loaded_with_quarantine", "rejected", "quarantined", "planned", "running", "done", "stopped"}
ENGLISH_MONTH = re.compile(
    r"\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
    r"|January|February|March|April|June|July|August|October)\b"
)
# A decimal point: a dot between digits that is not a Dutch thousands separator (exactly three digits after it).
DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.(?:\d{1,2}|\d{4,})(?![\d.])")


def raw_codes() -> set[str]:
    """Every code an outcome set defines that a reader should never see as such."""
    codes = set(STATUS_CODES)
    for key, oset in outcome_sets().items():
        codes |= {key, *oset.treatments, *oset.instruments, *oset.casemix, *oset.clinical_outcomes, *oset.process_measures}
    return {c for c in codes if "_" in c or c in outcome_sets() or len(c) <= 4}


def slips(text: str, codes: set[str]) -> list[str]:
    text = re.sub(r"\bPeer [A-Z0-9]{3}\b", "Peer", text)  # an anonymous peer code ("Peer 37M") is a name, not a number
    found = [f"raw code {c!r}" for c in sorted(codes) if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    found += [f"'None' in {m.group(0)!r}" for m in re.finditer(r".{0,30}\bNone\b.{0,30}", text)]
    found += [f"English month {m.group(0)!r}" for m in ENGLISH_MONTH.finditer(text)]
    found += [f"decimal point {m.group(0)!r}" for m in DECIMAL_POINT.finditer(text)]
    found += [f"raw timestamp {m.group(0)!r}" for m in re.finditer(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?", text)]
    found += [f"English abbreviation {m.group(0)!r}" for m in re.finditer(r"\d(?:k|M|B)\b", text)]
    return found


VISIBLE_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const charts = Array.from(main.querySelectorAll('.js-plotly-plot text')).map(e => e.textContent);
  return main.innerText + '\\n' + charts.join('\\n');
}"""

# A tile (a bordered box holding a metric) whose value is a dash must say why in the same box.
BLANK_TILES = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).filter(m => {
  const value = m.querySelector('[data-testid="stMetricValue"]');
  if (!value || value.innerText.trim() !== '–') return false;
  const box = m.closest('[data-testid="stVerticalBlockBorderWrapper"]') || m.parentElement;
  return box.innerText.replace(m.innerText, '').trim().length === 0;
}).map(m => m.innerText.replace(/\\n/g, ' '))"""


def settled(tab) -> None:
    """Wait until the script run is over (Streamlit's status widget gone for half a second)."""
    tab.wait_for_load_state("networkidle")
    for _ in range(120):
        if tab.locator('[data-testid="stStatusWidget"]').count() == 0:
            tab.wait_for_timeout(500)
            if tab.locator('[data-testid="stStatusWidget"]').count() == 0:
                return
        tab.wait_for_timeout(250)


@pytest.fixture(scope="module")
def server(small_demo: Path) -> Iterator[str]:
    """The app on the demo `make run` builds, without watching files (a page stays as it was loaded)."""
    with served(small_demo, "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    ARTIFACTS.mkdir(exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda r: r.value)
def test_every_page_of_every_role_is_dutch_and_complete(role: Role, browser, server: str) -> None:
    user, password = ACCOUNTS[role]
    width, height = SIZES[0]
    context = browser.new_context(viewport={"width": width, "height": height})
    asked_outside: list[str] = []
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.on("request", lambda r: asked_outside.append(r.url) if outside_host(r.url, server) else None)
    log_in(tab, server, user, password)
    if role is Role.CENTRE_LEAD:  # the README shows the pathway most readers know
        settled(tab)
        choose(tab, t("pathway"), label(outcome_sets()["knee_oa"].label))
    codes, problems = raw_codes(), []
    for page in PAGES[role]:
        title = t(PAGE_FILES[page][1])
        tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
        tab.get_by_role("heading", name=title).first.wait_for()
        settled(tab)
        for w, h in SIZES:
            tab.set_viewport_size({"width": w, "height": h})
            tab.wait_for_timeout(300)
            tab.screenshot(path=str(ARTIFACTS / f"{role.value}_{page}_{w}x{h}.png"), full_page=True)
        if (role, page) in README_SHOTS:
            tab.set_viewport_size({"width": 1440, "height": 900})
            tab.wait_for_timeout(300)
            tab.screenshot(path=str(SCREENSHOTS / README_SHOTS[role, page]))
        errors = tab.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
        problems += [f"{page}: error box {e[:80]!r}" for e in errors]
        problems += [f"{page}: {s}" for s in slips(tab.evaluate(VISIBLE_TEXT), codes)]
        problems += [f"{page}: blank tile without a reason: {b!r}" for b in tab.evaluate(BLANK_TILES)]
        tab.set_viewport_size({"width": width, "height": height})
    context.close()
    assert asked_outside == [], f"requests to outside hosts: {asked_outside}"
    assert problems == [], "\n".join(problems)


def test_the_readme_shows_the_screenshots_the_browser_makes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in README_SHOTS.values():
        assert f"docs/screenshots/{name}" in readme, f"the README does not show {name}"
