"""The monthly review as a service (issue 15): one function that the review page and the meeting pack both ask.

- ``services.monthly_review.monthly_review`` on the hand-built fixture (hand-worked numbers) and on
  the tiny demo warehouse (every pathway);
- refused for a viewer outside the centre or pathway, before anything is read;
- the page and the pack ask that one function, and so show the same tiles.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import queries
import reports.meeting_pack
import services.monthly_review
import ui.review_data
from access.roles import AccessDenied
from analytics.indicators import indicators_for
from data_models.outcome_sets import outcome_sets
from reports.meeting_pack import collect, tile_rows
from services.monthly_review import (
    CHART_MONTHS,
    GROUPS,
    PATIENT_FLAGS,
    flagged,
    longer_grain,
    monthly_review,
    rare_event,
    review_patients,
)
from tests.apptest import app
from tests.viewers import PROGRAMME, data_manager, lead, team
from texts.review import tile_text

SEPT = dt.date(2026, 9, 1)


def test_the_review_of_the_hand_built_fixture(review_warehouse) -> None:
    review = monthly_review(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT)
    assert review.centre_name == "UMC Utrecht" and review.pathway_label["nl"] == "Knieartrose"
    assert review.months[-1] == SEPT and len(review.months) == CHART_MONTHS
    assert (review.volume.value, review.volume.previous) == (4, 2.5)  # 4 against (3 + 2) / 2
    tiles = {tile_text(s).label: (tile_text(s).value, tile_text(s).change) for s in review.summaries}
    assert tiles["Ernstige complicatie"] == ("25,0%", "+5,0%")  # 1/4 against 1/5
    assert tiles["PROM-respons baseline"] == ("66,7%", "-13,3%")  # 2/3 against 4/5
    assert tiles["Gemiddelde kosten per patiënt"] == ("€ 2.167", "+€ 167")  # 6.500/3 against 4.000/2
    assert review.indicator_codes == [i.code for i in indicators_for(outcome_sets()["knee_oa"])]
    assert [g for g, _ in review.groups] == [g for g in GROUPS if any(s.indicator.group == g for s in review.summaries)]
    assert review.actions.is_empty() and review.open_actions.is_empty()
    assert review.work_label["nl"] == "Terug aan het werk" and review.headline_label["nl"] == "Ernstige complicatie"
    assert set(review.equity["literacy_group"]) <= {"limited", "adequate", "unknown"}
    assert review.chosen("cost_mean_eur").indicator.code == "cost_mean_eur"
    assert review.chosen("no such code") == (review.agenda[0] if review.agenda else review.summaries[0])


def test_the_month_s_patients_and_their_flags(review_warehouse) -> None:
    patients = review_patients(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT)
    assert sorted(patients["episode_id"]) == ["e1", "e2", "e3", "e4"]
    assert set(PATIENT_FLAGS) <= set(patients.columns)
    assert flagged(patients, ["has_complication"])["episode_id"].to_list() == ["e1"]
    assert flagged(patients, []).height == 4
    with pytest.raises(AccessDenied):
        review_patients(PROGRAMME, review_warehouse, "UMCU", "knee_oa", SEPT)


@pytest.mark.parametrize("pathway", list(outcome_sets()))
def test_every_pathway_of_the_tiny_demo(demo_warehouse, pathway) -> None:
    months = queries.run("review_months", lead("UMCU"), db=demo_warehouse, pathway=pathway)
    if months.is_empty():
        pytest.skip(f"UMC Utrecht treats no {pathway} in the demo")
    month = months.filter(pl.col("is_last_complete"))["month_date"][0]
    review = monthly_review(lead("UMCU"), demo_warehouse, "UMCU", pathway, month)
    oset = outcome_sets()[pathway]
    assert [s.indicator for s in review.summaries] == indicators_for(oset)
    assert all(s in review.summaries for s in review.agenda)
    concerns = [s.variation == "concern" for s in review.agenda]
    assert concerns == sorted(concerns, reverse=True)  # concerns first
    assert review.volume.value is not None and review.volume.value > 0
    assert review.costs.height > 0 and set(review.costs["category"]) <= set(review.cost_categories)
    assert review.cost_driver is None or review.cost_driver.category in review.cost_categories
    assert bool(review.work_label) == (oset.prediction.work_outcome is not None)
    assert review.equity["episodes_n"].sum() > 0
    rare = next((s for s in review.summaries if s.is_rare), None)
    if rare is not None:
        chart = rare_event(lead("UMCU"), demo_warehouse, "UMCU", pathway, month, rare.indicator)
        assert chart.years == 5 and chart.open_count >= 0
    grain = longer_grain(lead("UMCU"), demo_warehouse, "UMCU", pathway, month, review.summaries[0].indicator, "quarter")
    assert grain.run_length > 0 and grain.chart.height > 0 and grain.chart["months_n"].min() > 0


def test_the_demo_s_process_change_action_is_in_the_review(demo_warehouse) -> None:
    """UMC Utrecht's knee team recorded the fast-track programme (the demo's closed action)."""
    months = queries.run("review_months", lead("UMCU"), db=demo_warehouse, pathway="knee_oa")
    month = months.filter(pl.col("is_last_complete"))["month_date"][0]
    review = monthly_review(lead("UMCU"), demo_warehouse, "UMCU", "knee_oa", month)
    assert review.actions["what"].str.contains("Versneld herstelprotocol").any()
    assert review.open_actions.height <= review.actions.height
    assert review.open_actions["is_open"].all()


@pytest.mark.parametrize(
    ("viewer", "centre"),
    [
        (lead("AUMC"), "UMCU"),  # another centre
        (team("UMCU", "ckd"), "UMCU"),  # a team that may not see the pathway
        (data_manager("UMCU"), "UMCU"),  # a role the review is not for
        (PROGRAMME, "UMCU"),  # national: no patient-level review
        (None, "UMCU"),  # nobody logged in
    ],
    ids=["other-centre", "other-pathway", "data-manager", "programme", "nobody"],
)
def test_a_viewer_outside_the_centre_or_pathway_is_refused(review_warehouse, viewer, centre) -> None:
    with pytest.raises(AccessDenied):
        monthly_review(viewer, review_warehouse, centre, "knee_oa", SEPT)


def test_the_page_and_the_pack_ask_one_function_and_show_the_same_tiles(review_warehouse, monkeypatch) -> None:
    assert ui.review_data.monthly_review_of is services.monthly_review.monthly_review
    assert reports.meeting_pack.monthly_review is services.monthly_review.monthly_review
    asked = []
    original = services.monthly_review.monthly_review

    def spied(*args, **kwargs):
        asked.append(original(*args, **kwargs))
        return asked[-1]

    monkeypatch.setattr(ui.review_data, "monthly_review_of", spied)
    monkeypatch.setattr(reports.meeting_pack, "monthly_review", spied)
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception
    pack = collect(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT)
    [page_review, pack_review] = asked
    assert [tile_text(s) for s in page_review.summaries] == [tile_text(s) for s in pack_review.summaries]
    shown = {m.label: (m.value, m.delta or "–") for m in at.metric if m.label != "Behandelde patiënten"}
    assert shown == {name: (value, change) for name, value, _, change, _ in tile_rows(pack)}
