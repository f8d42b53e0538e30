"""Issue 18: the samen-beslissen models are fitted once per data version, when it is published, and stored
with it; every process reads the same coefficients, and they predict what a fresh fit predicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.prediction import OptionModels
from data_models.outcome_sets import outcome_sets
from services.patients_like_me import (
    fit_own,
    fit_pathway,
    register_fitting,
    stored_models,
    stored_validations,
    training_frame,
    validate_pathway,
)
from tests.apptest import app
from ui import data
from warehouse import models
from warehouse.connection import published, reader, writer

PATHWAY = "knee_oa"
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def versions(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The tiny demo copied, then published twice with the models fitted: as it was, then with every
    follow-up score one point higher. Returns the warehouse and both versions' files."""
    root = tmp_path_factory.mktemp("models") / "warehouse.duckdb"
    shutil.copyfile(published(demo_warehouse), root)
    saved = list(models._FITTERS)
    models._FITTERS.clear()
    try:
        register_fitting()
        with writer(root):
            pass
        first = published(root)
        with writer(root) as con:
            con.execute("update store.prom_measurements set score = score + 1 where timepoint <> 'baseline'")
        second = published(root)
    finally:
        models._FITTERS[:] = saved
    return root, first, second


def _predictions(option: OptionModels, patients) -> list[np.ndarray]:
    found = []
    for model in (option.followup, *option.timepoints.values()):
        found += list(model.predict(patients)) if model is not None else []
    for model in (option.mic, option.event, option.work):
        found += [model.predict(patients)] if model is not None else []
    return found


def _numbers(similarity: pl.DataFrame) -> pl.DataFrame:
    numbers = [c for c in similarity.columns if c not in ("centre_code", "treatment")]
    return similarity.with_columns(pl.col(numbers).cast(pl.Float64)).sort(similarity.columns, nulls_last=True)


def _assert_same(stored: dict[str, OptionModels], fresh: dict[str, OptionModels], patients) -> int:
    """Asserts both give the same predictions; returns how many prediction arrays were compared."""
    assert stored.keys() == fresh.keys()
    compared = 0
    for treatment, option in fresh.items():
        got, want = stored[treatment], option
        assert (got.patients_n, got.ranges, list(got.timepoints)) == (want.patients_n, want.ranges, list(want.timepoints))
        assert [m is None for m in (got.followup, got.mic, got.event, got.work)] == [
            m is None for m in (want.followup, want.mic, want.event, want.work)
        ]
        expected = _predictions(want, patients)
        for a, b in zip(_predictions(got, patients), expected, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=TOLERANCE)
        compared += len(expected)
    return compared


def test_models_read_from_the_version_predict_what_a_fresh_fit_predicts(versions) -> None:
    _, version, _ = versions
    patients = training_frame(PATHWAY, version).head(200)
    pooled, own = stored_models(PATHWAY, version)
    fresh = fit_pathway(PATHWAY, version)
    assert _assert_same(pooled.pooled, fresh.pooled, patients) >= 10  # the tiny demo fits most models
    assert _numbers(pooled.similarity).equals(_numbers(fresh.similarity))  # similar patients count the same
    centres = sorted(training_frame(PATHWAY, version)["centre_code"].unique().to_list())
    assert sorted(own) == centres
    assert sum(_assert_same(own[c], fit_own(PATHWAY, c, version), patients) for c in centres) > 0
    stored, validated = stored_validations(PATHWAY, version), validate_pathway(PATHWAY, version)
    assert [(v.treatment, v.outcome, v.train_n, v.test_n) for v in stored] == [
        (v.treatment, v.outcome, v.train_n, v.test_n) for v in validated
    ]
    for got, want in zip(stored, validated, strict=True):
        for field in ("c_statistic", "brier", "r_squared", "interval_coverage"):
            assert getattr(got, field) == pytest.approx(getattr(want, field), abs=TOLERANCE, nan_ok=True)
        assert_frame_equal(got.calibration, want.calibration, abs_tol=TOLERANCE, rel_tol=0)


def test_every_pathway_of_the_version_carries_its_coefficients(versions) -> None:
    _, version, _ = versions
    with reader(version) as con:
        stored = {p for (p,) in con.execute("select distinct pathway from model_coefficients").fetchall()}
        terms = con.execute(
            "select count(*) from model_coefficients where pathway = $p and centre_code is null and model = 'followup'",
            {"p": PATHWAY},
        ).fetchone()[0]
    assert stored == {p for p in outcome_sets() if training_frame(p, version).height} and terms > 1


def test_a_publish_refits_the_models(versions) -> None:
    _, first, second = versions
    patients = training_frame(PATHWAY, second).head(200)
    before, _ = stored_models(PATHWAY, first)
    after, _ = stored_models(PATHWAY, second)
    _assert_same(after.pooled, fit_pathway(PATHWAY, second).pooled, patients)
    treatment = next(t for t, o in after.pooled.items() if o.followup is not None)
    moved = after.pooled[treatment].followup.predict(patients)[0] - before.pooled[treatment].followup.predict(patients)[0]
    np.testing.assert_allclose(moved, 1.0, atol=1e-6)  # every follow-up score one higher: every prediction too


def test_a_publish_without_the_fitting_carries_no_stale_models(versions, tmp_path: Path) -> None:
    root, _, _ = versions
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published(root), copy)
    assert stored_models(PATHWAY, copy) is not None
    with writer(copy):
        pass  # no fitter registered in this process: the copied models must not pass for this version's
    assert stored_models(PATHWAY, copy) is None


def test_the_app_reads_the_stored_models_and_fits_none(versions, monkeypatch) -> None:
    _, version, _ = versions
    import services.patients_like_me as service

    def no_fitting(*args, **kwargs):
        raise AssertionError("a page fitted a model")

    monkeypatch.setattr(service, "fit_pathway", no_fitting)
    monkeypatch.setattr(service, "fit_own", no_fitting)
    monkeypatch.setattr(service, "validate_pathway", no_fitting)
    path = str(version)
    assert data._pathway_models(PATHWAY, path, "v").pooled
    assert data._own_models(PATHWAY, "UMCU", path, "v")
    assert data._pathway_validations(PATHWAY, path, "v")


def test_samen_beslissen_answers_from_the_stored_models_without_patient_rows(versions, monkeypatch) -> None:
    root, _, _ = versions
    import services.patients_like_me as service

    def no_training_rows(*args, **kwargs):
        raise AssertionError("the page read the training patients")

    monkeypatch.setattr(service, "_training_rows", no_training_rows)
    at = app(root, monkeypatch, viewer_centre="UMCU", pathway=PATHWAY).run()
    at.switch_page("pages/patients_like_me.py").run()
    for key, value in {"age": 68, "bmi": 28.0, "baseline_score": 20}.items():
        at.number_input(key=f"like_me_{PATHWAY}_{key}").set_value(value)
    next(b for b in at.button if b.label == "Toon de uitkomsten").click().run()
    assert not at.exception
    assert [m for m in at.markdown if m.value.startswith("Van 100 patiënten zoals deze")]
