"""Defect (issue 17): on Samen beslissen, with 0–1 similar patients the headline "68 van de 100
duidelijk beter" still stood as if it were evidence. Now one sentence says there are too few similar
patients; an answer the form cannot take still shows no options at all."""

from __future__ import annotations

from analytics.prediction import similar_count
from services.patients_like_me import TOO_FEW, fit_pathway, patients_like_me
from tests.apptest import app
from tests.viewers import lead

UNLIKE_ANYONE = {"age": 100, "bmi": 58.0, "baseline_score": 47}
COMMON = {"age": 68, "bmi": 28.0, "baseline_score": 20}


def _show(at, profile: dict[str, object]):
    for key, value in profile.items():
        at.number_input(key=f"like_me_knee_oa_{key}").set_value(value)
    next(b for b in at.button if b.label == "Toon de uitkomsten").click().run()
    return at


def test_the_service_marks_options_with_too_few_similar_patients(demo_warehouse) -> None:
    models = fit_pathway("knee_oa", demo_warehouse)
    answer = patients_like_me(lead("UMCU"), "knee_oa", UNLIKE_ANYONE, demo_warehouse)
    for option in answer.options:
        few = similar_count(models, option.treatment, UNLIKE_ANYONE, None) <= TOO_FEW
        assert answer.has_too_few(option.treatment) == few
    assert answer.too_few, "the profile was meant to be unlike any demo patient"
    common = patients_like_me(lead("UMCU"), "knee_oa", COMMON, demo_warehouse)
    assert not common.too_few


def test_the_page_says_too_few_similar_patients_instead_of_the_headline(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/patients_like_me.py").run()
    _show(at, UNLIKE_ANYONE)
    assert not at.exception
    assert not [m.value for m in at.markdown if m.value.startswith("Van 100 patiënten zoals deze")]
    assert any("te weinig vergelijkbare patiënten" in i.value for i in at.info)
    _show(at, COMMON)
    assert len([m.value for m in at.markdown if m.value.startswith("Van 100 patiënten zoals deze")]) == 2
    assert not any("te weinig vergelijkbare patiënten" in i.value for i in at.info)


def test_an_invalid_answer_still_shows_no_options(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/patients_like_me.py").run()
    _show(at, COMMON)
    at.number_input(key="like_me_knee_oa_bmi").set_value(5.0)
    next(b for b in at.button if b.label == "Toon de uitkomsten").click().run()
    assert not at.exception and at.error
    assert not [m.value for m in at.markdown if m.value.startswith("Van 100 patiënten zoals deze")]
    assert not at.table
