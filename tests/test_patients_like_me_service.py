"""The samen-beslissen service: the form from the outcome set's case-mix, answers on the tiny demo, refusals, and the page's form."""

from __future__ import annotations

import pytest

from access.roles import AccessDenied
from data_models.outcome_sets import CATEGORICAL, NUMERIC, outcome_sets
from services.patients_like_me import PatientsLikeMe, fit_pathway, model_validation, patients_like_me
from tests.apptest import app, main_text
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team


def test_the_service_answers_for_the_tiny_demo(demo_warehouse) -> None:
    blank = patients_like_me(lead("UMCU"), "knee_oa")
    assert isinstance(blank, PatientsLikeMe) and not blank.options and not blank.problems
    answer = patients_like_me(lead("UMCU"), "knee_oa", {"age": 68, "sex": "F", "baseline_score": 20}, demo_warehouse)
    assert [o.treatment for o in answer.options] == list(outcome_sets()["knee_oa"].treatments)
    assert all(0 <= o.pooled.mic <= 1 for o in answer.options if o.pooled.mic is not None)
    assert any(o.pooled.followup is not None for o in answer.options)
    assert answer.event_label == outcome_sets()["knee_oa"].clinical_outcomes["complication_severe"].label
    validations = model_validation(lead("UMCU"), "knee_oa", demo_warehouse)
    assert validations and {v.outcome for v in validations} <= {"followup", "mic", "event", "work"}


@pytest.mark.parametrize(
    "viewer",
    [None, PROGRAMME, ADMIN, data_manager("UMCU"), team("UMCU", "ckd")],
    ids=["nobody", "programme", "admin", "data-manager", "other-pathway"],
)
def test_a_viewer_without_access_is_refused(demo_warehouse, viewer) -> None:
    with pytest.raises(AccessDenied):
        patients_like_me(viewer, "knee_oa")
    with pytest.raises(AccessDenied):
        patients_like_me(viewer, "knee_oa", {"age": 68}, demo_warehouse)
    with pytest.raises(AccessDenied):
        model_validation(viewer, "knee_oa", demo_warehouse)


def test_the_form_asks_every_case_mix_variable_by_its_kind() -> None:
    for pathway, oset in outcome_sets().items():
        form = patients_like_me(lead("UMCU"), pathway).form
        assert {f.code for f in form.fields} == set(oset.casemix), pathway
        assert form.fields[-1].is_baseline  # the baseline score last
        primary = oset.instruments[oset.primary_instrument]
        assert (form.fields[-1].low, form.fields[-1].high) == (primary.min, primary.max)
        for field in form.fields[:-1]:
            var = oset.casemix[field.code]
            assert field.label == var.label
            if var.kind == CATEGORICAL:
                assert field.kind == CATEGORICAL and field.choices == var.choices
            elif var.origin != "outcome":
                assert field.kind == NUMERIC and (field.low, field.high) == (var.min, var.max) and field.unit == var.unit


def test_an_answer_out_of_range_is_a_problem_and_gives_no_options(demo_warehouse) -> None:
    answer = patients_like_me(lead("UMCU"), "knee_oa", {"age": 68, "bmi": 5.0, "baseline_score": 60}, demo_warehouse)
    assert [p.field.code for p in answer.problems] == ["bmi", "baseline_score"] and not answer.options
    categorical = patients_like_me(lead("UMCU"), "hip_oa", {"charnley_class": "Z"}, demo_warehouse)
    assert [p.field.code for p in categorical.problems] == ["charnley_class"] and not categorical.options


@pytest.mark.parametrize(
    ("pathway", "categorical", "numeric"), [("hip_oa", "charnley_class", None), ("heart_failure", "nyha_class", "lvef_pct")]
)
def test_the_models_take_the_outcome_sets_own_variables(demo_warehouse, pathway, categorical, numeric) -> None:
    models = fit_pathway(pathway, demo_warehouse)
    assert categorical in models.spec.categorical
    fitted = [
        model
        for option in models.pooled.values()
        for model in (option.followup, option.mic, option.event, option.work, *option.timepoints.values())
        if model is not None
    ]
    names = {n for model in fitted for n in model.design.names}
    levels = {f"{categorical}={code}" for code in outcome_sets()[pathway].casemix[categorical].choices}
    assert names & levels, names  # a coefficient for a level of the variable (levels of 20 patients or more)
    if numeric:
        assert numeric in models.spec.numeric and all(numeric in model.design.names for model in fitted)


def _page(warehouse, monkeypatch, pathway: str):
    at = app(warehouse, monkeypatch, viewer_centre="UMCU", pathway=pathway).run()
    at.switch_page("pages/patients_like_me.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_form_shows_the_outcome_sets_labels(demo_warehouse, monkeypatch) -> None:
    hip = _page(demo_warehouse, monkeypatch, "hip_oa")
    charnley = hip.selectbox(key="like_me_hip_oa_charnley_class")
    assert charnley.label == "Charnley-klasse"
    assert charnley.options == [label["nl"] for label in outcome_sets()["hip_oa"].casemix["charnley_class"].choices.values()]
    assert hip.number_input(key="like_me_hip_oa_bmi").label == "BMI (kg/m²)"
    assert hip.number_input(key="like_me_hip_oa_age").label == "Leeftijd (jaar)"
    heart = _page(demo_warehouse, monkeypatch, "heart_failure")
    assert heart.selectbox(key="like_me_heart_failure_nyha_class").label == "NYHA-klasse"
    lvef = heart.number_input(key="like_me_heart_failure_lvef_pct")
    assert lvef.label == "Linkerventrikelejectiefractie (LVEF) (%)" and lvef.value is None  # empty = unknown
    heart.selectbox(key="like_me_heart_failure_nyha_class").set_value("III")
    lvef.set_value(35)
    heart.number_input(key="like_me_heart_failure_age").set_value(70)
    next(b for b in heart.button if b.label == "Toon de uitkomsten").click().run()
    assert not heart.exception and not heart.error
    assert len(heart.table) == len(outcome_sets()["heart_failure"].treatments)


def _submit(at, **inputs: object):
    for key, value in inputs.items():
        at.number_input(key=f"like_me_knee_oa_{key}").set_value(value)
    next(b for b in at.button if b.label == "Toon de uitkomsten").click().run()
    assert not at.exception
    return at


def test_invalid_input_gets_one_sentence_and_clears_the_previous_patient(demo_warehouse, monkeypatch) -> None:
    at = _submit(_page(demo_warehouse, monkeypatch, "knee_oa"), age=68, baseline_score=20)
    assert len(at.table) == 2 and not at.error
    _submit(at, bmi=5)
    [error] = at.error
    assert error.value == "BMI 5,0 kan niet: vul een waarde tussen 10,0 en 80,0 in, of laat het veld leeg als het onbekend is."
    assert not at.table and "Van 100 patiënten zoals deze" not in main_text(at)  # nothing of the earlier patient
    _submit(at, bmi=30)
    assert len(at.table) == 2 and not at.error
