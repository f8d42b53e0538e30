"""Every page, as every demo role, in Dutch: no raw code name, no "None", no English month, no decimal point.

Defect (issue 17): tables and captions showed ``episode_id``, ``tka``, ``None``, ``2026-10-06 00:00:00``,
``loaded_with_quarantine``, ``knee_oa``, ``eq5d_index``; charts and tables "Oct 2024" and "71.6".
The walk reads what each page sends to the browser as words: texts, headings, widget labels and
options, table headers (as the column configuration names them) and the text cells of tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from access.roles import PAGES, Role
from data_models.outcome_sets import outcome_sets
from tests.apptest import app
from tests.conftest import fetch
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team
from ui.navigation import PAGE_FILES

VIEWERS = {
    "care_team": team("UMCU", "knee_oa"),
    "centre_lead": lead("UMCG"),
    "data_manager": data_manager("AUMC"),
    "programme_lead": PROGRAMME,
    "admin": ADMIN,
}
FIRST_EPISODE = "select min(episode_id) from episodes where centre_code = 'UMCU' and pathway = 'knee_oa'"
# another engineer's page, where the walk finds raw names (asa_class in the case-mix sentence, patients_n,
# adjusted_value, pooled_value as table headers): reported in issue 17, not fixed here; strict, so the fix shows
KNOWN: set[tuple[str, str]] = set()  # (role, page) with a known slip, marked xfail until fixed
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")  # episode_id, loaded_with_quarantine, eq5d_index
RAW = re.compile(r"\bNone\b|\bnan\b|\bnull\b|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")
ENGLISH_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"
)
DECIMAL_POINT = re.compile(r"(?<![\d.,])\d+\.(\d{1,2}|\d{4,})(?![\d.])")  # 71.6, 31.00; never 2.167 (thousands)


def codes() -> set[str]:
    """Every pathway, treatment, instrument and outcome code of the outcome sets."""
    found: set[str] = set()
    for code, oset in outcome_sets().items():
        found |= {code, *oset.treatments, *oset.instruments, *oset.clinical_outcomes}
    return found


def walk(node) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def headers(element) -> list[str]:
    """A table's column headers as shown: the column configuration's label, else the column's name."""
    config = json.loads(element.proto.columns or "{}")
    frame = element.value
    shown = []
    for name in frame.columns:
        entry = config.get(f"name:{name}") or config.get(str(name)) or {}
        if entry.get("hidden"):
            continue
        shown.append(entry.get("label") or str(name))
    return shown


def shown_words(at: AppTest) -> list[str]:
    """What the main area says in words (chart specs left out: their axes are checked in test_texts_complete)."""
    words: list[str] = []
    for node in walk(at.main):
        kind = type(node).__name__
        if kind == "Dataframe":
            frame = node.value
            words += headers(node)
            for column in frame.columns:
                if frame[column].dtype == object:
                    words += [str(v) for v in frame[column].dropna().unique()[:50]]
            continue
        chooser = isinstance(getattr(node, "options", None), list)  # its value is the code; its options are shown
        for attribute in ("label", "body", "placeholder") if chooser else ("value", "label", "body", "placeholder"):
            value = getattr(node, attribute, None) if kind not in ("PlotlyChart", "UnknownElement") else None
            if isinstance(value, str):
                words.append(value)
        options = getattr(node, "options", None)
        if isinstance(options, list):
            words += [str(o) for o in options]
    return words


ICON = re.compile(r":material/[a-z_]+:|:[a-z]+\[|\]")  # Streamlit's icon and colour directives, not words


def findings(words: list[str]) -> list[str]:
    raw_codes = codes()
    found = []
    for text in (ICON.sub(" ", w) for w in words):
        bad = SNAKE.findall(text) + RAW.findall(text) + ENGLISH_MONTH.findall(text) + DECIMAL_POINT.findall(text)
        bad += [c for c in raw_codes if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", text)]
        if bad:
            found.append(f"{text[:120]!r}: {sorted(set(map(str, bad)))}")
    return found


def cases() -> list:
    out = []
    for role, viewer in VIEWERS.items():
        for page in PAGES[Role(role)]:
            known = (role, page) in KNOWN
            marks = [pytest.mark.xfail(strict=True, reason="another engineer's page: reported in issue 17")] if known else []
            out.append(pytest.param(viewer, page, id=f"{role}-{page}", marks=marks))
    return out


def assert_no_raw_names(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    found = findings(shown_words(at))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(("viewer", "page"), cases())
def test_a_dutch_page_shows_no_raw_names(demo_warehouse, monkeypatch, viewer, page) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=viewer).run()
    at.switch_page(PAGE_FILES[page][0]).run()
    assert_no_raw_names(at)


def test_a_meeting_item_and_an_opened_trajectory_show_no_raw_names(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=VIEWERS["care_team"], review_mode="meeting", meeting_step=1).run()
    assert any(c.key.startswith("meeting_chart_") for c in at.get("plotly_chart"))
    assert_no_raw_names(at)
    [(episode,)] = fetch(demo_warehouse, FIRST_EPISODE)
    at.session_state["open_episode"] = episode
    at.switch_page(PAGE_FILES["trajectory"][0]).run()
    assert at.get("plotly_chart"), "the trajectory did not open"
    assert_no_raw_names(at)
