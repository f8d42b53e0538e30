"""The comparison page's service: an answer on the tiny demo, refusals, and a case-mix model from the outcome set's kinds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from access.roles import AccessDenied
from analytics.peers import adjust, peer_variables
from data_models.outcome_sets import outcome_sets
from services.peer_comparison import (
    ComparisonChoices,
    PeerComparison,
    comparison_choices,
    own_trend,
    peer_comparison,
    pooled_patients,
)
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team
from warehouse.connection import reader


def latest_month(db: Path) -> dt.date:
    with reader(db) as con:
        return con.execute("select max(date_trunc('month', treatment_date))::date from episodes").fetchone()[0]


def test_the_service_answers_for_the_tiny_demo(demo_warehouse) -> None:
    month = latest_month(demo_warehouse)
    choices = comparison_choices(lead("UMCU"), "knee_oa", month)
    assert isinstance(choices, ComparisonChoices)
    assert choices.indicators[0].code == "outcome:complication_severe"  # the headline first
    assert choices.indicators[-1].code == "prom:oks" and len(choices.periods) == 4
    shown = 0
    for period in choices.periods:
        result = peer_comparison(lead("UMCU"), "UMC Utrecht", "knee_oa", choices.indicators[0].code, period, db=demo_warehouse)
        assert isinstance(result, PeerComparison)
        if result.is_shown:
            shown += 1
            labels = result.centres["label"].to_list()
            assert all(lbl == "UMC Utrecht" or lbl.startswith("Peer ") for lbl in labels)
            if result.has_own and not result.own_suppressed:
                assert set(result.own) == {"crude", "adjusted"}
    assert shown  # the tiny demo has enough patients in at least one closed half-year
    trend = own_trend(lead("UMCU"), "UMC Utrecht", "knee_oa", choices.indicators[0].code, choices.periods, db=demo_warehouse)
    assert trend.columns == ["period_start", "period", "patients_n", "adjusted_value", "pooled_value"]


@pytest.mark.parametrize(
    "viewer", [None, ADMIN, data_manager("UMCU"), team("UMCU", "ckd")], ids=["nobody", "admin", "data-manager", "other-pathway"]
)
def test_a_viewer_without_access_is_refused(demo_warehouse, viewer) -> None:
    month = latest_month(demo_warehouse)
    with pytest.raises(AccessDenied):
        comparison_choices(viewer, "knee_oa", month)
    period = comparison_choices(PROGRAMME, "knee_oa", month).periods[0]
    with pytest.raises(AccessDenied):
        peer_comparison(viewer, "", "knee_oa", "outcome:complication_severe", period, db=demo_warehouse)
    with pytest.raises(AccessDenied):
        own_trend(viewer, "", "knee_oa", "outcome:complication_severe", [period], db=demo_warehouse)


def test_an_unknown_indicator_is_refused(demo_warehouse) -> None:
    period = comparison_choices(PROGRAMME, "knee_oa", latest_month(demo_warehouse)).periods[0]
    with pytest.raises(AccessDenied):
        peer_comparison(PROGRAMME, "", "knee_oa", "outcome:not_an_outcome", period, db=demo_warehouse)


@pytest.mark.parametrize(
    ("pathway", "categorical", "numeric"), [("hip_oa", "charnley_class", None), ("heart_failure", "nyha_class", "lvef_pct")]
)
def test_the_case_mix_model_adjusts_for_the_outcome_sets_own_variables(demo_warehouse, pathway, categorical, numeric) -> None:
    oset = outcome_sets()[pathway]
    assert categorical in {v.code for v in peer_variables(oset)}
    choices = comparison_choices(PROGRAMME, pathway, latest_month(demo_warehouse))
    # every patient of the closed half-years on offer, as one model would see a longer period
    patients = pl.concat([pooled_patients(choices.indicators[-1], oset, period, demo_warehouse) for period in choices.periods])
    assert patients[categorical].dtype == pl.String and set(patients[categorical].drop_nulls()) <= set(
        oset.casemix[categorical].choices
    )
    adjustment = adjust(choices.indicators[-1], oset, patients)
    assert any(c.startswith(f"{categorical}=") for c in adjustment.covariates), adjustment.covariates
    if numeric:
        assert patients[numeric].dtype == pl.Float64 and numeric in adjustment.covariates
