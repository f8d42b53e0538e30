"""Cohort-correct indicators (issue 17: a 12-month outcome cannot exist for patients treated last month).

Every indicator declares its follow-up window from the outcome set: a PROM timepoint's months, a
clinical outcome's ``followup_months``, none for baseline and process measures. The review of a
meeting month shows each indicator for the latest cohort whose window has closed, names that
cohort on the tile, and the pack shows the same.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.indicators import cohort_month, indicator_code, indicators_for, timepoint_months
from data_models.outcome_sets import OutcomeSetError, load_outcome_set, outcome_set_dir, outcome_sets
from reports.meeting_pack import collect, tile_rows
from services.monthly_review import monthly_review
from tests.apptest import app
from tests.viewers import lead

OCT_2026 = dt.date(2026, 10, 1)


def windows(pathway: str) -> dict[str, int]:
    return {i.code: i.followup_months for i in indicators_for(outcome_sets()[pathway])}


def test_every_indicator_declares_its_follow_up_window_from_the_outcome_set() -> None:
    knee = windows("knee_oa")
    assert knee[indicator_code("prom_change", "oks")] == 12  # the primary follow-up, 12m
    assert knee[indicator_code("prom_response", "12m")] == 12
    assert knee[indicator_code("prom_response", "3m")] == 3
    assert knee[indicator_code("prom_response", "baseline")] == 0
    assert knee[indicator_code("outcome", "readmission_30d")] == 1
    assert knee[indicator_code("outcome", "reoperation_1y")] == 12
    assert knee[indicator_code("outcome", "complication_severe")] == 0
    assert knee[indicator_code("waiting_time_days")] == 0 and knee[indicator_code("cost_mean_eur")] == 0
    assert windows("pancreatic_cancer")[indicator_code("prom_change", "qlq_c30_ghs")] == 3


def test_timepoints_are_read_as_months() -> None:
    assert [timepoint_months(tp) for tp in ("baseline", "3m", "6m", "12m")] == [0, 3, 6, 12]
    with pytest.raises(ValueError):
        timepoint_months("later")


def test_the_cohort_is_the_meeting_month_less_the_window() -> None:
    by_code = {i.code: i for i in indicators_for(outcome_sets()["knee_oa"])}
    assert cohort_month(by_code["prom_response:12m"], OCT_2026) == dt.date(2025, 10, 1)
    assert cohort_month(by_code["outcome:readmission_30d"], OCT_2026) == dt.date(2026, 9, 1)
    assert cohort_month(by_code["prom_response:baseline"], OCT_2026) == OCT_2026


def test_a_follow_up_window_in_the_yaml_must_be_whole_months(tmp_path) -> None:
    source = (outcome_set_dir() / "knee_oa.yaml").read_text(encoding="utf-8")
    bad = source.replace("followup_months: 1}", "followup_months: 0.5}", 1)
    path = tmp_path / "knee_oa.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(OutcomeSetError, match="followup_months"):
        load_outcome_set(path)


def test_the_review_shows_each_indicator_for_its_closed_cohort_and_the_pack_says_the_same(small_demo) -> None:
    month = max_month(small_demo)  # the default month: the last complete one
    review = monthly_review(lead("UMCU"), small_demo, "UMCU", "knee_oa", month)
    by_code = {s.indicator.code: s for s in review.summaries}
    assert by_code["prom_response:12m"].month == cohort_month(by_code["prom_response:12m"].indicator, month)
    assert by_code["prom_change:oks"].month.year == month.year - 1
    assert by_code["outcome:readmission_30d"].month < month
    assert by_code["prom_response:baseline"].month == month
    # every indicator has a value on the demo's default month (`make run`'s demo)
    missing = [s.indicator.code for s in review.summaries if s.value is None]
    assert not missing, missing
    rows = tile_rows(collect(lead("UMCU"), small_demo, "UMCU", "knee_oa", month))
    assert any("patiënten behandeld in" in row[4] for row in rows)


def max_month(db) -> dt.date:
    from queries import run

    months = run("review_months", lead("UMCU"), db=db, centre_code="UMCU", pathway="knee_oa")["month_date"].to_list()
    return max(months)


def test_the_tile_names_its_cohort(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    assert not at.exception, [e.value for e in at.exception]
    month = at.sidebar.selectbox(key="month_UMCU_knee_oa").value
    year_before = f"behandeld in {['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'][month.month - 1]} {month.year - 1}"
    captions = [c.value for c in at.caption]
    assert any(year_before in c and "patiënt" in c for c in captions), captions[:20]  # "1 patiënt", "2 patiënten"
    assert not [m.label for m in at.metric if m.value == "–"]
