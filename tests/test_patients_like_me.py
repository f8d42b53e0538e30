"""Patients like me: hand-worked predictions, validation figures, warnings, privacy, and the page."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from access.roles import AccessDenied
from analytics.disclosure import pooled_count
from analytics.prediction import (
    PathwayModels,
    Spec,
    c_statistic,
    calibration_by_decile,
    fit_linear,
    fit_logistic,
    fit_option,
    patients_of,
    similarity_frame,
    with_targets,
)
from services.patients_like_me import patients_like_me
from tests.apptest import app
from tests.viewers import PROGRAMME, lead, team

SPEC = Spec(numeric=["age", "baseline_score"], categorical=["sex"], followup="score_12m", mic=10.0, is_higher_better=True,
            event="complication_severe", event_treatments=(), work=None, baseline="baseline_score")  # fmt: skip


def hand_built(n_pairs: int = 20) -> pl.DataFrame:
    """Pairs of patients with the same baseline: one improves 12 points, the other 8 (mean change 10)."""
    baseline = [float(10 + i) for i in range(n_pairs) for _ in range(2)]
    change = [12.0, 8.0] * n_pairs
    return pl.DataFrame(
        {
            "centre_code": ["UMCU" if i % 4 == 0 else f"C{i % 3}" for i in range(2 * n_pairs)],
            "episode_id": [f"e{i}" for i in range(2 * n_pairs)],
            "treatment": ["tka"] * (2 * n_pairs),
            "age": [60.0] * (2 * n_pairs),
            "sex": ["F"] * (2 * n_pairs),
            "baseline_score": baseline,
            "score_baseline": baseline,
            "score_12m": [b + c for b, c in zip(baseline, change, strict=True)],
            "has_event": [float(i % 10 == 0) for i in range(2 * n_pairs)],
            "paid_work_baseline": [False] * (2 * n_pairs),
            "has_returned_to_work": [None] * (2 * n_pairs),
        }
    )


def one(age: float, baseline: float) -> pl.DataFrame:
    return pl.DataFrame({"age": [age], "baseline_score": [baseline], "sex": ["F"]})


def test_the_follow_up_score_and_its_interval_are_worked_out_by_hand() -> None:
    model = fit_linear(hand_built(), "score_12m", SPEC.numeric, SPEC.categorical)
    assert model is not None
    mean, lower, upper = model.predict(one(60, 20))
    # follow-up = baseline + 10 exactly on average; residuals ±2, so s² = 40·4 / (40 − 2) = 4,2105
    assert mean[0] == pytest.approx(30.0)
    assert model.scale == pytest.approx(160 / 38)
    baselines = np.array([10 + i for i in range(20) for _ in range(2)], dtype=float)
    se_fit2 = model.scale * (1 / 40 + (20 - baselines.mean()) ** 2 / ((baselines - baselines.mean()) ** 2).sum())
    half = stats.t.ppf(0.9, 38) * np.sqrt(model.scale + se_fit2)
    assert (lower[0], upper[0]) == pytest.approx((30 - half, 30 + half))


def test_the_chance_of_the_minimal_important_change_is_worked_out_by_hand() -> None:
    # a change of 12 reaches the MIC of 10, a change of 8 does not: half of every pair, whatever the baseline
    frame = with_targets(hand_built(), SPEC)
    model = fit_logistic(frame, "reached_mic", SPEC.numeric, SPEC.categorical)
    assert model is not None
    assert model.predict(one(60, 15))[0] == pytest.approx(0.5, abs=1e-6)
    assert model.predict(one(60, 28))[0] == pytest.approx(0.5, abs=1e-6)


def test_too_few_patients_or_events_give_no_model() -> None:
    frame = with_targets(hand_built(10), SPEC)  # 20 patients
    assert fit_linear(frame, "score_12m", SPEC.numeric, SPEC.categorical) is None
    assert fit_logistic(with_targets(hand_built(), SPEC), "has_event", SPEC.numeric, SPEC.categorical) is None  # 4 events


def test_c_statistic_and_calibration_by_decile_by_hand() -> None:
    # pairs (event, no event): (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4): 3 of 4
    assert c_statistic(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == pytest.approx(0.75)
    predicted = np.arange(1, 21, dtype=float) / 20
    observed = np.array([0, 1] * 10, dtype=float)
    table = calibration_by_decile(predicted, observed)
    assert table["patients_n"].to_list() == [2] * 10
    assert table["predicted_mean"][0] == pytest.approx(0.075) and table["observed_mean"][0] == 0.5


def _models(frame: pl.DataFrame) -> PathwayModels:
    frame = with_targets(frame, SPEC)
    option = fit_option(frame, "tka", SPEC)
    return PathwayModels(SPEC, {"tka": option}, similarity_frame(frame, SPEC))


def options(viewer, profile: dict, models: PathwayModels, pathway: str = "knee_oa"):
    """The service's options for a profile, with hand-built pooled models and no own-centre models."""
    return patients_like_me(viewer, pathway, profile, fitted=lambda _: models, own_fitted=lambda _p, _c: {}).options


def test_few_similar_patients_are_counted_suppressed_and_thin() -> None:
    models = _models(hand_built())
    [result] = options(lead("UMCU"), {"age": 60, "sex": "F", "baseline_score": 20}, models)
    # similar: baseline within half a standard deviation (SD 5,84: 2,92 points) of 20, so 18 to 22: 10 patients
    assert result.own.similar_n == 3 and result.own.is_thin  # UMCU has every fourth patient: numbers 16, 20 and 24
    assert result.own.followup is None  # no own-centre model was fitted
    far = options(lead("UMCU"), {"age": 60, "sex": "F", "baseline_score": 29}, models)[0]
    assert far.pooled.similar_n is None  # 27 to 29: 6 patients, fewer than ten, so "< 10"


def test_pooled_minus_own_never_reveals_fewer_than_ten_patients_of_other_centres() -> None:
    models = _models(hand_built())
    [result] = options(lead("UMCU"), {"age": 60, "sex": "F", "baseline_score": 20}, models)
    # 10 similar patients in all, 3 of them UMCU's: shown exactly, 10 - 3 = 7 would be the other centres' count
    assert result.pooled.similar_n is None and result.pooled.is_thin
    assert pooled_count(10, 3) is None and pooled_count(9, 0) is None
    assert pooled_count(23, 13) == 25  # the others have ten: shown, rounded to fives
    assert pooled_count(22, 3) == 20


def test_values_outside_the_data_are_named() -> None:
    models = _models(hand_built())
    [result] = options(lead("UMCU"), {"age": 60, "sex": "F", "baseline_score": 45}, models)
    [(variable, value, low, high)] = result.outside
    assert variable == "baseline_score" and value == 45 and low < high < 30


def test_only_the_centres_own_team_may_ask() -> None:
    models = _models(hand_built())
    with pytest.raises(AccessDenied):
        options(PROGRAMME, {"age": 60, "sex": "F", "baseline_score": 20}, models)
    with pytest.raises(AccessDenied):
        options(team("UMCU", "ckd"), {"age": 60, "sex": "F", "baseline_score": 20}, models)


def _show(at, **inputs: object):
    for key, value in inputs.items():
        at.number_input(key=f"like_me_knee_oa_{key}").set_value(value)
    next(b for b in at.button if b.label == "Toon de uitkomsten").click().run()
    return at


def test_the_page_shows_every_option_in_plain_words(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/patients_like_me.py").run()
    assert not at.exception
    assert "Vul de gegevens van de patiënt in" in at.info[0].value
    _show(at, age=68, baseline_score=20)
    assert not at.exception
    sentences = [m.value for m in at.markdown if m.value.startswith("Van 100 patiënten zoals deze")]
    assert len(sentences) == 2 and "‘Totale knieprothese’" in sentences[0] and "na 12 maanden" in sentences[0]
    tables = [tb.value for tb in at.table]
    assert len(tables) == 2 and list(tables[0].columns) == ["Uitkomst", "Uw centrum", "Alle centra"]
    assert "van de 100" in tables[0].iloc[1, 2]
    assert len([c for c in at.get("plotly_chart") if '"coloured"' in c.proto.spec]) == 2  # one icon array per option


def test_thin_evidence_and_values_outside_the_data_are_warned(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/patients_like_me.py").run()
    _show(at, age=104, baseline_score=2)
    warnings = " ".join(w.value for w in at.warning)
    assert "ligt buiten de gegevens" in warnings and "Leeftijd 104" in warnings
    assert "rust op weinig vergelijkbare patiënten" in warnings


def test_calibration_and_discrimination_are_shown_when_the_details_are_opened(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/patients_like_me.py").run()
    assert not at.dataframe  # closed: the held-out validation is not computed
    at.session_state["decide_details"] = True
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert {"c-statistiek", "R²", "Binnen 80%-interval"} <= set(table.columns)
    c = table["c-statistiek"].dropna()
    assert len(c) >= 2 and ((c >= 0) & (c <= 1)).all() and c.max() > 0.6  # tiny demo: small held-out sets
    assert any("Voorspeld" in chart.proto.spec for chart in at.get("plotly_chart"))


def test_a_rerun_keeps_the_answer_and_another_centre_gets_its_own(demo_warehouse, monkeypatch) -> None:
    import services.patients_like_me as service
    from ui import data

    asked: list[str | None] = []
    real = service.options_for

    def counted(models, own, profile, centre):
        asked.append(centre)
        return real(models, own, profile, centre)

    monkeypatch.setattr(service, "options_for", counted)
    data._like_me_for_scope.clear()
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/patients_like_me.py").run()
    _show(at, age=68, baseline_score=20)
    shown = [m.value for m in at.markdown if m.value.startswith("Van 100 patiënten zoals deze")]
    at.run()
    at.run()
    assert asked == ["UMCU"] and [m.value for m in at.markdown if m.value.startswith("Van 100")] == shown

    other = app(demo_warehouse, monkeypatch, viewer_centre="AUMC", pathway="knee_oa").run()
    other.switch_page("pages/patients_like_me.py").run()
    _show(other, age=68, baseline_score=20)
    assert not other.exception and asked == ["UMCU", "AUMC"]  # its own centre's figures, not UMC Utrecht's


def test_the_pages_are_for_the_centres_own_team_only() -> None:
    assert lead("UMCU").may_open("decide") and team("UMCU").may_open("trajectory")
    assert not PROGRAMME.may_open("decide") and not PROGRAMME.may_open("trajectory")


def test_models_are_refit_for_a_new_data_version(demo_warehouse, monkeypatch) -> None:
    from ui import data

    monkeypatch.setenv("WAREHOUSE_PATH", str(demo_warehouse))
    first = data._pathway_models("knee_oa", str(demo_warehouse), "v1")
    assert data._pathway_models("knee_oa", str(demo_warehouse), "v1") is first
    assert data._pathway_models("knee_oa", str(demo_warehouse), "v2") is not first


def test_a_rare_category_cannot_push_a_chance_to_zero() -> None:
    """Two patients of sex X who both missed the MIC: too few to learn from, so X counts as the reference."""
    frame = hand_built()
    frame = frame.with_columns(
        pl.when(pl.col("episode_id").is_in(["e1", "e3"])).then(pl.lit("X")).otherwise(pl.col("sex")).alias("sex")
    )
    model = fit_logistic(with_targets(frame, SPEC), "reached_mic", SPEC.numeric, SPEC.categorical)
    assert model is not None and model.design.levels == {"sex": ("F",)}
    patient = pl.DataFrame({"age": [60.0], "baseline_score": [20.0], "sex": ["X"]})
    assert 0.3 < model.predict(patient)[0] < 0.7


def test_a_large_treatment_is_fitted_on_a_stable_sample_of_the_cap() -> None:
    frame = hand_built(n_pairs=50)  # 100 tka patients
    frame = pl.concat([frame, frame.head(10).with_columns(pl.lit("conservative").alias("treatment"))])
    sample = patients_of(frame, "tka", cap=40)
    assert sample.height == 40 and set(sample["treatment"]) == {"tka"}
    assert sample["episode_id"].n_unique() == 40
    assert patients_of(frame.reverse(), "tka", cap=40)["episode_id"].to_list() == sample["episode_id"].to_list()
    assert patients_of(frame, "tka", cap=100).height == 100  # at or under the cap: everyone
