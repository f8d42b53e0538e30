"""Every page renders as every demo role, and nothing outside the role's scope is rendered."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from access.accounts import DEMO_CONFIG, load_users, viewer_for
from access.roles import Viewer
from data_models.outcome_sets import outcome_sets
from sample_data.centres import CENTRES
from tests.apptest import app, main_text, texts
from tests.viewers import data_manager
from ui.navigation import PAGE_FILES

DEMO_VIEWERS = {user: viewer_for(user, DEMO_CONFIG) for user in load_users(DEMO_CONFIG)}
PATIENT_ID = re.compile(r"PT\d{6,}|[A-Z]{2,5}-E\d{7}")


def open_page(warehouse, monkeypatch, viewer: Viewer | None, page: str) -> AppTest:
    at = app(warehouse, monkeypatch, viewer=viewer).run()
    if page != "login":
        at.switch_page(PAGE_FILES[page][0]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_demo_ships_one_account_per_role() -> None:
    assert sorted(v.role.value for v in DEMO_VIEWERS.values()) == [
        "admin",
        "care_team",
        "centre_lead",
        "data_manager",
        "programme_lead",
    ]
    assert all(v.is_demo for v in DEMO_VIEWERS.values())


@pytest.mark.parametrize(("user", "page"), [(u, p) for u, v in DEMO_VIEWERS.items() for p in PAGE_FILES if v.may_open(p)])
def test_every_page_renders_for_every_role_within_its_scope(demo_warehouse, monkeypatch, user, page) -> None:
    viewer = DEMO_VIEWERS[user]
    at = open_page(demo_warehouse, monkeypatch, viewer, page)
    assert at.title
    content = main_text(at)
    if not viewer.is_national:
        for other in CENTRES:
            if other.code != viewer.centre_code:
                assert not re.search(rf"\b{re.escape(other.code)}\b", content), other.code
                assert other.name not in content, other.name
    if page == "comparison":
        assert not any(c.name in content for c in CENTRES if c.code != viewer.centre_code)
    if viewer.pathways is not None:
        hidden = [s.label["nl"] for p, s in outcome_sets().items() if p not in viewer.pathways]
        assert not any(name in content for name in hidden)
    if page not in ("review", "trajectory", "data", "upload"):  # the pages that list patients, audited
        assert not PATIENT_ID.search(content)


@pytest.mark.parametrize(("user", "page"), [(u, p) for u, v in DEMO_VIEWERS.items() for p in PAGE_FILES if not v.may_open(p)])
def test_pages_outside_a_role_are_not_even_registered(demo_warehouse, monkeypatch, user, page) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=DEMO_VIEWERS[user]).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_FILES[page][0])


def test_someone_not_logged_in_sees_only_the_login_page(demo_warehouse, monkeypatch) -> None:
    at = open_page(demo_warehouse, monkeypatch, None, "login")
    assert at.title[0].value == "Inloggen"
    content = main_text(at) + texts(at)
    assert not any(c.name in content for c in CENTRES)
    assert not PATIENT_ID.search(content)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/review.py")


def test_without_a_warehouse_the_app_says_how_to_build_one(tmp_path, monkeypatch) -> None:
    at = app(tmp_path / "none.duckdb", monkeypatch, viewer_centre="UMCU").run()
    assert not at.exception
    assert "make run" in texts(at)


def test_data_page_shows_log_quarantine_and_completeness(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=data_manager("AUMC")).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    frames = [f.value for f in at.dataframe]
    assert len(frames) == 4  # load log, quarantine, completeness, the table behind the delay chart
    log, quarantine, completeness, delay = frames
    assert {"file_name", "rows_read", "rows_quarantined"} <= set(log.columns)
    assert "lijkt op een BSN" in " ".join(quarantine["reason"].astype(str))
    assert "age" in set(completeness["column_name"])
    assert len(at.get("plotly_chart")) == 1
    assert {"own_median_delay_days", "national_median_delay_days"} <= set(delay.columns)
