"""A made-up pathway (tests/fixtures.py) through the three services and the samen-beslissen page: its own numeric and
categorical case-mix variables are asked with their labels, and enter the prediction and case-mix models."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from access.roles import AccessDenied
from analytics.peers import adjust
from data_models.outcome_sets import CATEGORICAL, NUMERIC, OUTCOME_SET_ENV, outcome_sets
from services.patients_like_me import fit_pathway, patients_like_me
from services.peer_comparison import comparison_choices, peer_comparison, pooled_patients
from services.trajectory import trajectory
from tests.apptest import app
from tests.fixtures import (
    MADE_UP_CATEGORICAL,
    MADE_UP_INSTRUMENT,
    MADE_UP_NUMERIC,
)
from tests.viewers import PROGRAMME, lead
from warehouse.connection import published, reader

CENTRE = "UMCU"  # a umc: the made-up demo block simulates the umc's


@pytest.fixture
def made_up_pathway(made_up, monkeypatch) -> tuple[str, Path]:
    """The pathway and its warehouse, with the application pointed at the made-up outcome sets."""
    pathway, sets, db = made_up
    monkeypatch.setenv(OUTCOME_SET_ENV, str(sets))
    return pathway, db


def latest_month(db: Path) -> dt.date:
    with reader(db) as con:
        return con.execute("select max(date_trunc('month', treatment_date))::date from episodes").fetchone()[0]


def test_the_form_asks_the_made_up_variables_with_their_labels(made_up_pathway) -> None:
    pathway, _ = made_up_pathway
    form = patients_like_me(lead(CENTRE), pathway).form
    numeric, categorical, baseline = form.field(MADE_UP_NUMERIC), form.field(MADE_UP_CATEGORICAL), form.fields[-1]
    assert numeric is not None and numeric.kind == NUMERIC and numeric.label["nl"] == "Knijpkracht"
    assert (numeric.low, numeric.high, numeric.step, numeric.decimals, numeric.unit["nl"]) == (0, 80, 0.5, 1, "kg")
    assert categorical is not None and categorical.kind == CATEGORICAL
    assert {code: lbl["nl"] for code, lbl in categorical.choices.items()} == {"left": "Links", "right": "Rechts"}
    assert baseline.is_baseline and form.instrument.code == MADE_UP_INSTRUMENT and (baseline.low, baseline.high) == (0, 20)
    assert patients_like_me(lead(CENTRE), pathway, {MADE_UP_NUMERIC: 95.0}).problems  # beyond its max of 80


def test_the_prediction_models_use_the_made_up_variables(made_up_pathway) -> None:
    pathway, db = made_up_pathway
    models = fit_pathway(pathway, db)
    assert MADE_UP_NUMERIC in models.spec.numeric and MADE_UP_CATEGORICAL in models.spec.categorical
    fitted = [m for o in models.pooled.values() for m in (o.followup, o.mic, o.event, *o.timepoints.values()) if m is not None]
    assert fitted and all(MADE_UP_NUMERIC in m.design.names for m in fitted)
    assert any(n.startswith(f"{MADE_UP_CATEGORICAL}=") and not n.endswith("=missing") for m in fitted for n in m.design.names)
    profile = {"age": 60, MADE_UP_NUMERIC: 30.0, MADE_UP_CATEGORICAL: "left", "baseline_score": 8}
    answer = patients_like_me(lead(CENTRE), pathway, profile, db)
    assert not answer.problems and [o.treatment for o in answer.options] == list(outcome_sets()[pathway].treatments)
    assert any(o.pooled.followup is not None for o in answer.options)
    with pytest.raises(AccessDenied):
        patients_like_me(PROGRAMME, pathway, profile, db)


def test_the_peer_comparison_adjusts_for_the_made_up_variables(made_up_pathway) -> None:
    pathway, db = made_up_pathway
    oset = outcome_sets()[pathway]
    choices = comparison_choices(lead(CENTRE), pathway, latest_month(db))
    event = choices.indicators[0]
    patients = pl.concat([pooled_patients(event, oset, period, db) for period in choices.periods])
    covariates = adjust(event, oset, patients).covariates
    assert MADE_UP_NUMERIC in covariates and any(c.startswith(f"{MADE_UP_CATEGORICAL}=") for c in covariates)
    results = [peer_comparison(lead(CENTRE), "UMC Utrecht", pathway, event.code, p, db=db) for p in choices.periods]
    assert any(r.is_shown for r in results)


def test_the_trajectory_of_a_made_up_episode(made_up_pathway) -> None:
    pathway, db = made_up_pathway
    with reader(db) as con:
        [(episode,)] = con.execute(
            "select episode_id from prom_measurements where centre_code = $c and instrument = $i and timepoint = 'baseline'"
            " and score is not null order by episode_id limit 1",
            {"c": CENTRE, "i": MADE_UP_INSTRUMENT},
        ).fetchall()
    answer = trajectory(lead(CENTRE), episode, db)
    assert answer.found and answer.pathway == pathway and not answer.band.is_empty()


def test_the_page_shows_the_made_up_labels_and_answers(made_up_pathway, monkeypatch) -> None:
    pathway, db = made_up_pathway
    at = app(published(db), monkeypatch, viewer_centre=CENTRE, pathway=pathway).run()
    at.switch_page("pages/patients_like_me.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key=f"like_me_{pathway}_{MADE_UP_NUMERIC}").label == "Knijpkracht (kg)"
    hand = at.selectbox(key=f"like_me_{pathway}_{MADE_UP_CATEGORICAL}")
    assert hand.label == "Voorkeurshand" and hand.options == ["Links", "Rechts"]
    at.number_input(key=f"like_me_{pathway}_{MADE_UP_NUMERIC}").set_value(30)
    hand.set_value("right")
    next(b for b in at.button if b.label == "Toon de uitkomsten").click().run()
    assert not at.exception and not at.error
    assert len(at.table) == len(outcome_sets()[pathway].treatments)
