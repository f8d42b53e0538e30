"""The meeting mode in a real Chromium at 1280×720: every item of the demo's default month fits without scrolling.

Reuses the server and helpers of ``tests/test_browser.py``; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from data_models.outcome_sets import outcome_sets
from tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    log_in,
    no_error_box,
    outside_host,
    playwright,
    pytestmark,  # noqa: F401  (the browser mark and the skip without Chromium)
    server,  # noqa: F401  (the fixture)
)

PROJECTOR = {"width": 1280, "height": 720}
# Streamlit scrolls its main area, not the document: both must fit the window
HEIGHTS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  return [document.scrollingElement.scrollHeight, main.scrollHeight, window.innerHeight];
}"""


def settled_heights(tab) -> tuple[int, int, int]:
    """The heights once the chart and the table have settled: the same twice in a row, 250 ms apart (on a
    busy machine a page is still laying out for a while after its chart appears)."""
    # the elements of the run before stay on the page, marked stale, until this run has drawn its own
    tab.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0")
    last = tab.evaluate(HEIGHTS)
    for _ in range(40):
        tab.wait_for_timeout(250)
        now = tab.evaluate(HEIGHTS)
        if now == last:
            break
        last = now
    return tuple(last)


@pytest.fixture(scope="module")
def projector(server):  # noqa: F811
    """A tab the size of a meeting room's projector; it records requests to other hosts."""
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport=PROJECTOR).new_page()
        tab.on("request", lambda request: outside.append(request.url) if outside_host(request.url, server) else None)
        tab.set_default_timeout(TIMEOUT_MS)
        tab.outside = outside
        yield tab
        browser.close()


def position(tab) -> tuple[int, int]:
    """(n, m) of the navigation's "n van m" (waiting for the rerun that draws it)."""
    tab.locator(".st-key-meeting_nav").get_by_text(re.compile(r"\d+ van \d+")).first.wait_for()
    text = tab.locator(".st-key-meeting_nav").inner_text()
    found = re.search(r"(\d+) van (\d+)", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def test_every_meeting_item_fits_a_projector_without_scrolling(server, projector) -> None:  # noqa: F811
    tab = projector
    log_in(tab, server, "zorgteam.umcu", "demo-zorgteam-umcu")
    tab.get_by_role("heading", name="Maandreview").wait_for()
    tab.locator(".st-key-review_mode").get_by_text("Vergadering").click()
    tab.get_by_role("heading", name="Agenda: wat is deze maand bijzonder?").wait_for()
    no_error_box(tab)
    tab.screenshot(path=str(ARTIFACTS / "meeting_agenda_1280x720.png"))
    tab.locator(".st-key-meeting_next button").click()
    tab.locator(".js-plotly-plot").first.wait_for()
    n, m = position(tab)
    assert (n, m) == (1, m) and m >= 1
    for item in range(1, m + 1):
        if item > 1:
            tab.locator(".st-key-meeting_next button").click()
            tab.locator(".st-key-meeting_nav").get_by_text(f"{item} van {m}").wait_for()
        tab.locator(".js-plotly-plot").first.wait_for()
        no_error_box(tab)
        tab.screenshot(path=str(ARTIFACTS / f"meeting_item_{item}_1280x720.png"))
        document, main, window = settled_heights(tab)
        print(f"item {item} of {m}: document {document} px, main area {main} px, window {window} px")
        assert document <= window and main <= window, f"item {item} of {m}: {document}/{main} px in a {window} px window"
    assert tab.locator(".st-key-meeting_next button").is_disabled()  # the last item
    assert tab.outside == [], f"outside hosts asked: {sorted(set(tab.outside))}"


def test_regelkaart_brings_the_chart_into_view(server, projector) -> None:  # noqa: F811
    """Defect (issue 17): "Regelkaart" opened the chart below all tiles, out of sight."""
    tab = projector
    log_in(tab, server, "zorgteam.umcu", "demo-zorgteam-umcu")
    tab.get_by_role("heading", name="Maandreview").wait_for()
    tab.locator(".js-plotly-plot").first.wait_for()
    tab.locator(".st-key-open_cost_median_eur button").click()
    heading = tab.get_by_role("heading", name="Regelkaart: Mediane kosten per patiënt")
    heading.wait_for()
    tab.wait_for_function(
        "() => { const r = document.querySelector('.st-key-control_chart').getBoundingClientRect();"
        " return r.top > 0 && r.top < window.innerHeight / 3; }"
    )
    assert heading.is_visible()
    tab.screenshot(path=str(ARTIFACTS / "review_chart_in_view_1280x720.png"))


def shown_choice(selector) -> str:
    """What a selectbox shows as chosen: its text and the value of its input, whichever holds it."""
    return selector.evaluate("e => e.innerText + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' ')")


def test_the_english_switch_shows_the_sidebar_selectors_and_navigation_in_english(server, projector) -> None:  # noqa: F811
    """Defect (issue 17): after "English", the pathway and month selectors still showed their Dutch text."""
    tab = projector
    log_in(tab, server, "centrumleider.umcg", "demo-centrumleider-umcg")
    tab.get_by_role("heading", name="Maandreview").wait_for()
    sidebar = tab.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("English").click()
    tab.get_by_role("heading", name="Monthly review").wait_for()
    tab.wait_for_timeout(1000)
    shown = sidebar.inner_text()
    assert "Compare" in shown and "Vergelijken" not in shown  # the navigation, in the same run
    pathway, month = (shown_choice(sidebar.locator(css)) for css in (".st-key-pathway", '[class*="st-key-month_"]'))
    labels = [oset.label for oset in outcome_sets().values()]
    assert any(names["en"] in pathway for names in labels), pathway
    assert not any(names["nl"] in pathway for names in labels if names["nl"] != names["en"]), pathway
    assert not re.search(r"januari|februari|maart|mei|juni|juli|augustus|oktober", month), month
    tab.screenshot(path=str(ARTIFACTS / "english_sidebar_1280x720.png"))
    sidebar.get_by_text("Nederlands").click()
    tab.get_by_role("heading", name="Maandreview").wait_for()
