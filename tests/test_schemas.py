"""The pandera models accept good frames and name the rule each bad value breaks."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
import pytest

from data_models.schemas import TABLES, Costs, Episodes, PromMeasurements, looks_like_bsn


def frame(table: str, **overrides: object) -> pl.DataFrame:
    good = {
        "episodes": {
            "centre_code": "UMCU", "episode_id": "E1", "patient_id": "P1", "pathway": "knee_oa", "treatment": "tka",
            "referral_date": dt.date(2026, 1, 1), "treatment_date": dt.date(2026, 2, 1), "discharge_date": dt.date(2026, 2, 3),
            "age": 70, "sex": "F", "bmi": 28.0, "asa_class": 2, "charlson_index": 1, "low_health_literacy": False,
            "paid_work_baseline": None, "sdm_documented": True, "mdt_discussed": None, "lookup_centre_known": True,
        },
        "prom_measurements": {
            "centre_code": "UMCU", "episode_id": "E1", "lookup_pathway": "knee_oa", "instrument": "oks", "timepoint": "3m",
            "invited_on": dt.date(2026, 5, 1), "completed_on": dt.date(2026, 5, 3), "score": 40.0,
        },
        "costs": {"centre_code": "UMCU", "episode_id": "E1", "lookup_pathway": "knee_oa", "category": "implant", "amount_eur": 1800.0},
    }[table]  # fmt: skip
    row = {**good, **overrides}
    return pl.DataFrame([row], schema=TABLES[table].dtypes)


def failed_checks(model: type[pa.DataFrameModel], df: pl.DataFrame) -> set[str]:
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        return set(err.failure_cases["check"].to_list())
    return set()


def test_good_rows_pass() -> None:
    assert failed_checks(Episodes, frame("episodes")) == set()
    assert failed_checks(PromMeasurements, frame("prom_measurements")) == set()
    assert failed_checks(Costs, frame("costs")) == set()


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"age": 111}, "less_than_or_equal_to(110)"),
        ({"age": None}, "not_nullable"),
        ({"sex": "V"}, "isin(['M', 'F', 'X', 'U'])"),
        ({"bmi": 9.5}, "greater_than_or_equal_to(10)"),
        ({"asa_class": 6}, "less_than_or_equal_to(5)"),
        ({"charlson_index": 38}, "less_than_or_equal_to(37)"),
        ({"treatment": "whipple"}, "treatment_in_outcome_set"),
        ({"referral_date": dt.date(2026, 3, 1)}, "referral_after_treatment"),
        ({"discharge_date": dt.date(2026, 1, 31)}, "discharge_before_treatment"),
        ({"patient_id": "111222333"}, "patient_id_bsn"),
        ({"episode_id": "123456782"}, "episode_id_bsn"),
        ({"lookup_centre_known": False}, "centre_known"),
        ({"centre_code": "U"}, "str_matches('^[A-Za-z0-9]{2,12}$')"),
    ],
)
def test_each_episode_rule_is_named(overrides, check) -> None:
    assert check in failed_checks(Episodes, frame("episodes", **overrides))


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"instrument": "sf12_pcs"}, "instrument_in_outcome_set"),
        ({"score": 49.0}, "score_in_range"),
        ({"score": None}, "score_required"),
        ({"timepoint": "24m"}, "isin(['baseline', '3m', '6m', '12m'])"),
        ({"lookup_pathway": None}, "episode_known"),
    ],
)
def test_each_prom_rule_is_named(overrides, check) -> None:
    assert check in failed_checks(PromMeasurements, frame("prom_measurements", **overrides))


def test_an_unanswered_invitation_needs_no_score() -> None:
    assert failed_checks(PromMeasurements, frame("prom_measurements", completed_on=None, score=None)) == set()


def test_eq5d_allows_negative_scores_down_to_its_minimum() -> None:
    ok = frame("prom_measurements", instrument="eq5d_index", score=-0.446)
    bad = frame("prom_measurements", instrument="eq5d_index", score=-0.5)
    assert failed_checks(PromMeasurements, ok) == set()
    assert "score_in_range" in failed_checks(PromMeasurements, bad)


def test_costs_must_not_be_negative() -> None:
    assert "greater_than_or_equal_to(0)" in failed_checks(Costs, frame("costs", amount_eur=-1.0))


@pytest.mark.parametrize(
    ("value", "is_bsn"),
    [
        ("111222333", True),  # 9+8+7+12+10+8+9+6-3 = 66 = 6 × 11
        ("123456782", True),
        ("123456789", True),  # fails the elfproef, but nine digits are refused all the same (strict)
        ("12345678", False),  # eight digits
        ("1234567820", False),  # ten digits
        ("P-111222333", False),
        (" 111222333 ", True),  # surrounding spaces do not hide a BSN
    ],
)
def test_bsn_detection_uses_the_elfproef(value, is_bsn) -> None:
    result = pl.DataFrame({"v": [value]}).select(looks_like_bsn("v"))["v"][0]
    assert result is is_bsn
