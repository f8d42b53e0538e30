"""Indirect standardisation: expected counts from the pooled model, O/E, adjusted rates, missing values."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analytics.casemix import design_matrix, standardise_events, standardise_scores


def test_without_case_mix_differences_adjusted_equals_crude() -> None:
    frame = pl.DataFrame({"centre": ["A"] * 10 + ["B"] * 10, "event": [1] * 2 + [0] * 8 + [1] * 4 + [0] * 6, "age": [60] * 20})
    result = standardise_events(frame, "event", "centre", ["age"], [])
    # age is constant: every patient's expected risk is the pooled 6/20 = 0.3
    rows = {r["centre_code"]: r for r in result.per_centre.iter_rows(named=True)}
    assert result.pooled == pytest.approx(0.3)
    assert rows["A"]["expected"] == pytest.approx(3.0)
    assert rows["A"]["oe_ratio"] == pytest.approx(2 / 3)
    assert rows["A"]["adjusted_rate"] == pytest.approx(0.2)  # = crude
    assert rows["B"]["adjusted_rate"] == pytest.approx(0.4)


def test_expected_events_add_up_to_observed_events() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    age = rng.normal(65, 10, n)
    centre = rng.choice(["A", "B", "C"], n)
    risk = 1 / (1 + np.exp(-(-3 + 0.06 * (age - 65))))
    frame = pl.DataFrame({"centre": centre, "age": age, "event": (rng.random(n) < risk).astype(int)})
    result = standardise_events(frame, "event", "centre", ["age"], [])
    assert result.per_centre["expected"].sum() == pytest.approx(result.per_centre["observed"].sum(), rel=1e-6)


def test_an_older_centre_is_not_an_outlier_after_adjustment() -> None:
    rng = np.random.default_rng(2)
    n = 6000
    centre = np.where(np.arange(n) < n // 2, "young", "old")
    age = np.where(centre == "old", rng.normal(75, 6, n), rng.normal(60, 6, n))
    risk = 1 / (1 + np.exp(-(-3 + 0.08 * (age - 65))))
    frame = pl.DataFrame({"centre": centre, "age": age, "event": (rng.random(n) < risk).astype(int)})
    rows = {
        r["centre_code"]: r for r in standardise_events(frame, "event", "centre", ["age"], []).per_centre.iter_rows(named=True)
    }
    assert rows["old"]["crude_rate"] > 2 * rows["young"]["crude_rate"]
    assert rows["old"]["oe_ratio"] == pytest.approx(1.0, abs=0.12)
    assert rows["young"]["oe_ratio"] == pytest.approx(1.0, abs=0.12)


def test_missing_case_mix_values_are_imputed_flagged_and_reported() -> None:
    frame = pl.DataFrame({"bmi": [20.0, None, 30.0, None], "sex": ["F", None, "M", "F"]})
    x, names, missing = design_matrix(frame, ["bmi"], ["sex"])
    assert missing == {"bmi": 2, "sex": 1}
    assert names == ["const", "bmi", "bmi_missing", "sex=M", "sex=missing"]
    assert x[:, 1].tolist() == [20.0, 25.0, 30.0, 25.0]  # the median fills the gaps
    assert x[:, 2].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert x.shape == (4, 5)


def test_prom_scores_are_adjusted_for_baseline() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    centre = np.where(np.arange(n) < n // 2, "A", "B")
    baseline = np.where(centre == "B", rng.normal(30, 5, n), rng.normal(20, 5, n))  # B starts healthier
    followup = 10 + 0.8 * baseline + rng.normal(0, 4, n)  # the same care everywhere
    frame = pl.DataFrame({"centre": centre, "baseline": baseline, "followup": followup})
    result = standardise_scores(frame, "followup", "baseline", "centre", [], [])
    rows = {r["centre_code"]: r for r in result.per_centre.iter_rows(named=True)}
    assert rows["B"]["crude_mean"] - rows["A"]["crude_mean"] > 6
    assert rows["B"]["adjusted_mean"] == pytest.approx(rows["A"]["adjusted_mean"], abs=0.5)
    assert result.residual_sd == pytest.approx(4.0, abs=0.3)


def test_nobody_with_the_event_needs_no_model() -> None:
    frame = pl.DataFrame({"centre": ["A", "B"], "event": [0, 0], "age": [50, 70]})
    result = standardise_events(frame, "event", "centre", ["age"], [])
    assert result.pooled == 0.0
    assert result.per_centre["expected"].to_list() == [0.0, 0.0]
