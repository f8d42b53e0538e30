"""Adoption: live outcome sets, PROM response per timepoint against 60%, SDM, case-mix, delay, the cycle.

Hand-worked on the review fixture (``tests/fixtures.py``), all delivered on 10 October 2026:
UMC Utrecht knee has 3 patients in July, 2 in August and 4 in September, all with SDM, BMI and
ASA recorded; 8 baseline questionnaires were sent in June and 6 answered.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import queries
from analytics.adoption import casemix_requirements, headline, monthly, summarise
from data_models.outcome_sets import common, outcome_sets
from tests.apptest import app, main_text
from tests.viewers import PROGRAMME, lead
from warehouse.actions import record_action

SEPT = dt.date(2026, 9, 1)
START = dt.date(2025, 10, 1)
TIMEPOINTS = {p: s.timepoints for p, s in outcome_sets().items()}


def adoption(db, viewer, month=SEPT) -> tuple[pl.DataFrame, pl.DataFrame]:
    start = dt.date(month.year - 1, month.month + 1, 1) if month.month < 12 else dt.date(month.year, 1, 1)
    pathways, fields = casemix_requirements(outcome_sets())
    rows = queries.run("adoption_monthly", viewer, db=db, from_month=start, to_month=month,
                       casemix_pathways=pathways, casemix_fields=fields)  # fmt: skip
    response = queries.run("adoption_response", viewer, db=db, from_month=start, to_month=month)
    next_month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    actions = queries.run("adoption_actions", viewer, db=db, from_month=start, to_month=next_month)
    months = monthly(rows, response, actions)
    return months, summarise(months, response, actions, month, common().adoption_targets, TIMEPOINTS)


def test_monthly_figures_of_the_hand_built_fixture(review_warehouse) -> None:
    months, _ = adoption(review_warehouse, lead("UMCU"))
    sept = months.filter(pl.col("month_date") == SEPT).row(0, named=True)
    assert sept["episodes_n"] == 4
    assert sept["sdm_documented_pct"] == 100.0
    # knee needs BMI, ASA and a baseline score: 4 + 4 + 2 of 12 fields
    assert sept["casemix_complete_pct"] == pytest.approx(100 * 10 / 12)
    # 39, 30, 20 and 10 days from treatment to delivery on 10 October
    assert sept["median_delay_days"] == 25.0
    assert sept["is_live"] is True  # September's data arrived in October, the month after
    june = months.filter(pl.col("month_date") == dt.date(2026, 6, 1)).row(0, named=True)
    assert (june["invited_n"], june["answered_n"], june["prom_response_pct"]) == (8, 6, 75.0)
    assert june["episodes_n"] == 0 and june["is_live"] is False


def test_the_summary_names_what_lags(review_warehouse) -> None:
    _, summary = adoption(review_warehouse, lead("UMCU"))
    [row] = summary.to_dicts()
    assert row["episodes_n"] == 9
    assert row["response_baseline_pct"] == 75.0
    assert row["casemix_complete_pct"] == pytest.approx(100 * (8 + 6 + 10) / 27)  # 88,9% < 90%
    assert row["lags"] == ["casemix", "cycle"]
    assert headline(summary) == {"live": (1, 1), "response": (1, 1), "sdm": (1, 1), "cycle": (0, 1)}


def test_a_pathway_without_recent_deliveries_is_not_live(review_warehouse) -> None:
    _, summary = adoption(review_warehouse, lead("UMCU"), month=dt.date(2027, 12, 1))
    [row] = summary.to_dicts()
    assert row["is_live"] is False and row["episodes_n"] == 0
    assert row["lags"][0] == "not_live"


def test_an_action_recorded_after_the_review_means_the_cycle_runs(own_review_warehouse) -> None:
    action = {"pathway": "knee_oa", "indicator_code": "outcome:complication_severe", "what": "Bespreek elke complicatie",
              "who": "Chirurg", "start_month": dt.date(2026, 10, 1), "expected_effect": "Minder complicaties", "status": "plan"}  # fmt: skip
    record_action(own_review_warehouse, lead("UMCU"), action, ["outcome:complication_severe"], at=dt.datetime(2026, 10, 14, 9))
    months, summary = adoption(own_review_warehouse, lead("UMCU"))
    assert summary["is_cycle_running"].to_list() == [True]
    assert "cycle" not in summary["lags"][0]
    # the trend counts actions in the month they were recorded
    assert months.filter(pl.col("month_date") == SEPT)["actions_n"].to_list() == [0]
    national, _ = adoption(own_review_warehouse, PROGRAMME, month=dt.date(2026, 10, 1))
    assert national.filter(pl.col("centre_code") == "UMCU", pl.col("month_date") == dt.date(2026, 10, 1))[
        "actions_n"
    ].to_list() == [1]


def test_the_programme_lead_sees_every_centre(review_warehouse) -> None:
    _, summary = adoption(review_warehouse, PROGRAMME)
    assert set(summary["centre_code"]) == {"UMCU", "AUMC"}
    aumc = summary.filter(pl.col("centre_code") == "AUMC").row(0, named=True)
    assert aumc["casemix_complete_pct"] == pytest.approx(100 * 4 / 6)  # no baseline score for either patient
    assert aumc["prom_response_pct"] is None


def test_adoption_page_for_a_centre_lead(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    at.switch_page("pages/adoption.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["1 van 1", "1 van 1", "1 van 1", "0 van 1"]
    text = main_text(at)
    assert "case-mix 88,9% volledig (doel 90%)" in text
    assert "geen verbeteracties vastgelegd in de laatste 3 maanden" in text
    table = at.dataframe[-1].value
    assert list(table.iloc[0])[:4] == ["UMC Utrecht", "Knieartrose", "ja", 9]
    assert "AUMC" not in text and "Amsterdam" not in text
    assert len(at.get("plotly_chart")) == 2


def test_adoption_page_for_the_programme_lead_shows_a_heat_map_of_all_centres(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer=PROGRAMME).run()
    assert not at.exception
    at.selectbox(key="adoption_measure").select_index(1).run()  # shared decision making
    heat = at.get("plotly_chart")[0].proto.spec
    assert "Amsterdam UMC" in heat and "UMC Utrecht" in heat
    assert at.dataframe[-1].value.shape[0] == 2
