"""This month against the twelve before it, checked against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analytics.monthly import add_months, versus_previous


def months(values: dict[str, dict[str, float | None]]) -> pl.DataFrame:
    rows = [{"month_date": dt.date.fromisoformat(m + "-01"), **v} for m, v in values.items()]
    return pl.DataFrame(rows)


SEP = dt.date(2026, 9, 1)


def test_add_months_crosses_years() -> None:
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 9, 1), -23) == dt.date(2024, 10, 1)
    assert add_months(dt.date(2025, 12, 1), 1) == dt.date(2026, 1, 1)


def test_count_is_compared_with_the_mean_per_month_since_the_series_started() -> None:
    frame = months({"2026-05": {"n": 0}, "2026-06": {"n": 0}, "2026-07": {"n": 3}, "2026-08": {"n": 0}, "2026-09": {"n": 4}})
    c = versus_previous(frame, SEP, "count", "n")
    assert (c.value, c.previous, c.previous_months) == (4.0, 1.5, 2)  # (3 + 0) / 2
    assert c.change == 2.5


def test_proportions_are_pooled_not_averaged() -> None:
    frame = months({"2026-07": {"x": 1, "n": 1}, "2026-08": {"x": 0, "n": 9}, "2026-09": {"x": 1, "n": 4}})
    c = versus_previous(frame, SEP, "proportion", "x", "n")
    assert c.value == 25.0
    assert c.previous == 10.0  # 1 / 10, not the mean of 100% and 0%


def test_means_are_weighted_by_their_cases() -> None:
    frame = months({"2026-07": {"m": 1000.0, "k": 1}, "2026-08": {"m": 4000.0, "k": 3}, "2026-09": {"m": None, "k": 0}})
    c = versus_previous(frame, SEP, "mean", "m", "k")
    assert c.value is None
    assert c.previous == pytest.approx(3250.0)  # (1000 + 3 × 4000) / 4
    assert c.change is None


def test_only_the_twelve_months_before_count() -> None:
    frame = months({"2025-08": {"x": 5, "n": 5}, "2025-09": {"x": 0, "n": 5}, "2026-09": {"x": 0, "n": 5}})
    c = versus_previous(frame, SEP, "proportion", "x", "n")
    assert c.previous == 0.0  # August 2025 is thirteen months back


def test_no_earlier_data_gives_no_comparison() -> None:
    c = versus_previous(months({"2026-09": {"x": 1, "n": 2}}), SEP, "proportion", "x", "n")
    assert (c.value, c.previous, c.change) == (50.0, None, None)
