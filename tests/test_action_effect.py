"""The measured effect of an action, worked out by hand on fixtures with and without a known shift."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from analytics.action_effect import measured_effect
from analytics.indicators import Indicator, month_range

START = dt.date(2025, 1, 1)
MONTHS = month_range(dt.date(2025, 12, 1), 24)  # 2024-01 … 2025-12: 12 before the start, 12 from it
STAY = Indicator("length_of_stay_days", {"nl": "Opnameduur", "en": "Length of stay"}, "xmr", "down", "process", "days")
SDM = Indicator("sdm_documented", {"nl": "Samen beslissen", "en": "Shared decision"}, "p", "up", "process", "pct")


def rows(code: str, values: list[float], events: list[int] | None = None, cases: int = 50) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_code": code, "month_date": MONTHS,
            "events_n": events if events is not None else [None] * len(MONTHS),
            "cases_n": [cases] * len(MONTHS), "value": values,
        },
        schema_overrides={"events_n": pl.Int64, "cases_n": pl.Int64, "value": pl.Float64},
    )  # fmt: skip


def wilson(x: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_a_stay_that_drops_by_two_days_is_a_sustained_shift_with_welch_s_interval() -> None:
    # Before: 4, 5, 4, 5 … (mean 4.5, sd √(3/11)); after: 2, 3, … (mean 2.5, the same sd). 12 months each.
    # Welch: se = √(2 · (3/11) / 12) = √(1/22) = 0.21320; df = 22; t(0.975, 22) = 2.07387;
    # change −2 ± 2.07387 · 0.21320 = −2 ± 0.44215.
    effect = measured_effect(STAY, rows(STAY.code, [4.0, 5.0] * 6 + [2.0, 3.0] * 6), START, MONTHS[-1])
    assert (effect.level_before, effect.level_after, effect.change) == (4.5, 2.5, -2.0)
    assert effect.change_low == pytest.approx(-2.44215, abs=1e-5)
    assert effect.change_high == pytest.approx(-1.55785, abs=1e-5)
    # limits frozen on the year before: 4.5 ± 2.66 · 1; the twelve months after all lie below 4.5 → a shift
    assert effect.sustained_shift and effect.shift_from == START
    assert (effect.patients_before, effect.patients_after, effect.months_before, effect.months_after) == (600, 600, 12, 12)
    assert effect.verdict == "improved" and effect.is_better and effect.gain == 2.0


def test_a_stay_that_does_not_move_shows_no_shift_and_an_interval_around_zero() -> None:
    effect = measured_effect(STAY, rows(STAY.code, [4.0, 5.0] * 12), START, MONTHS[-1])
    assert effect.change == 0.0 and not effect.sustained_shift and effect.shift_from is None
    assert (effect.change_low, effect.change_high) == pytest.approx((-0.44215, 0.44215), abs=1e-5)
    assert effect.verdict == "no_change" and not effect.is_better


def test_a_rate_from_20_to_40_percent_has_newcomb_s_interval_worked_from_two_wilson_intervals() -> None:
    # 10 of 50 a month before (120/600 = 0.2), 20 of 50 after (240/600 = 0.4).
    events = [10] * 12 + [20] * 12
    effect = measured_effect(SDM, rows(SDM.code, [e / 50 for e in events], events), START, MONTHS[-1])
    (l1, u1), (l0, u0) = wilson(240, 600), wilson(120, 600)
    low = 0.2 - math.sqrt((0.4 - l1) ** 2 + (u0 - 0.2) ** 2)
    high = 0.2 + math.sqrt((u1 - 0.4) ** 2 + (0.2 - l0) ** 2)
    assert effect.change == pytest.approx(0.2) and effect.level_before == pytest.approx(0.2)
    assert (effect.change_low, effect.change_high) == pytest.approx((low, high), abs=1e-9)
    assert (round(low, 4), round(high, 4)) == (0.1488, 0.2498)
    assert effect.sustained_shift and effect.verdict == "improved"


def test_a_rate_that_falls_is_worse_for_an_indicator_that_should_rise() -> None:
    events = [20] * 12 + [10] * 12
    effect = measured_effect(SDM, rows(SDM.code, [e / 50 for e in events], events), START, MONTHS[-1])
    assert effect.change == pytest.approx(-0.2) and not effect.sustained_shift and effect.verdict == "worse"


def test_too_few_months_after_the_start_measure_nothing() -> None:
    effect = measured_effect(STAY, rows(STAY.code, [4.0, 5.0] * 12), dt.date(2025, 11, 1), MONTHS[-1])
    assert effect.months_after == 2 and not effect.is_measured and effect.verdict == "not_measured"
    assert effect.patients_after == 100 and effect.change_low is None


def test_a_start_after_the_last_closed_month_measures_nothing() -> None:
    effect = measured_effect(STAY, rows(STAY.code, [4.0] * 24), dt.date(2026, 3, 1), MONTHS[-1])
    assert not effect.is_measured and effect.patients_after == 0
