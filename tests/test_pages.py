"""Every page renders for the demo, and the review shows the hand-worked numbers."""

from __future__ import annotations

import pytest

from tests.apptest import ROOT, app, texts

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_the_demo(demo_warehouse, monkeypatch, page) -> None:
    at = app(demo_warehouse, monkeypatch).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


@pytest.mark.parametrize("pathway", ["knee_oa", "ckd", "pancreatic_cancer", "ibd"])
def test_review_renders_every_pathway(demo_warehouse, monkeypatch, pathway) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway=pathway).run()
    assert not at.exception
    assert len(at.metric) == 4
    assert len(at.get("plotly_chart")) == 4


def test_review_shows_the_hand_worked_headline_numbers(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    assert not at.exception
    assert "september 2026" in texts(at)
    values = {m.label: (m.value, m.delta) for m in at.metric}
    assert values["Behandelde patiënten"] == ("4", "1,5")  # 4 against (3 + 2) / 2 = 2,5
    assert values["Ernstige complicatie"] == ("25,0%", "5,0%")  # 1/4 against 1/5
    assert values["PROM-respons bij de start"] == ("66,7%", "-13,3%")  # 2/3 against 4/5
    assert values["Gemiddelde kosten per patiënt"] == ("€ 2.167", "€ 167")  # 6.500/3 against 4.000/2
    assert "99.999" not in texts(at)  # another centre's cost never shows


def test_the_interface_speaks_english_on_request(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, language_choice="English", viewer_centre="UMCU").run()
    assert at.title[0].value == "Monthly review"
    values = {m.label: m.value for m in at.metric}
    assert values["Severe complication"] == "25.0%"
    assert values["Mean cost per patient"] == "€ 2,167"


def test_without_a_warehouse_the_app_says_how_to_build_one(tmp_path, monkeypatch) -> None:
    at = app(tmp_path / "none.duckdb", monkeypatch).run()
    assert not at.exception
    assert "make run" in texts(at)


def test_data_page_shows_log_quarantine_and_completeness(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="AUMC").run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    frames = at.dataframe
    assert len(frames) == 3
    log, quarantine, completeness = (f.value for f in frames)
    assert {"file_name", "rows_read", "rows_quarantined"} <= set(log.columns)
    assert "lijkt op een BSN" in " ".join(quarantine["reason"].astype(str))
    assert "age" in set(completeness["column_name"])
    assert len(at.get("plotly_chart")) == 1
