"""The review's control charts are drawn once per viewer scope, data version, month and chart settings: a
re-run of the page reuses them, a saved setting redraws them, and another viewer's scope never reuses them."""

from __future__ import annotations

import datetime as dt

import pytest

import ui.review_data
from services.monthly_review import cohort_reviewed
from tests.apptest import app
from tests.test_chart_baseline_and_exclusions import save
from tests.viewers import team

SEPT = dt.date(2026, 9, 1)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def counted(indicators, rows, month, settings):
        calls.append(month.isoformat())
        return cohort_reviewed(indicators, rows, month, settings)

    monkeypatch.setattr(ui.review_data, "cohort_reviewed", counted)
    ui.review_data._charts.clear()
    return calls


def _baseline_shown(at) -> bool:
    return any("Basisperiode" in c.value for c in at.caption)


def test_a_rerun_reuses_the_charts_and_a_saved_setting_redraws_them(own_review_warehouse, monkeypatch, drawn) -> None:
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(drawn) == 1 and not _baseline_shown(at)
    at.run()
    at.run()
    assert len(drawn) == 1  # the page's re-runs reuse the charts

    save(own_review_warehouse)  # a baseline and an excluded month, as the team saves them
    at.run()
    assert len(drawn) == 2 and _baseline_shown(at)  # drawn again with the settings


def test_another_scope_draws_its_own(own_review_warehouse, monkeypatch, drawn) -> None:
    app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    other = app(own_review_warehouse, monkeypatch, viewer=team("UMCU", "knee_oa"), month_UMCU_knee_oa=SEPT).run()
    assert not other.exception, [e.value for e in other.exception]
    assert len(drawn) == 2


def test_the_longer_grain_chart_is_kept_per_scope(own_review_warehouse, monkeypatch) -> None:
    asked: list[str] = []
    real = ui.review_data.longer_grain_of

    def counted(viewer, db, centre_code, pathway, month, indicator, grain, **kw):
        asked.append(grain)
        return real(viewer, db, centre_code, pathway, month, indicator, grain, **kw)

    monkeypatch.setattr(ui.review_data, "longer_grain_of", counted)
    ui.review_data._grain_chart.clear()
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception, [e.value for e in at.exception]
    first = len(asked)
    assert first >= 1
    at.run()
    assert len(asked) == first  # the re-run reuses it

    other = app(own_review_warehouse, monkeypatch, viewer=team("UMCU", "knee_oa"), month_UMCU_knee_oa=SEPT).run()
    assert not other.exception and len(asked) > first  # another scope asks again
