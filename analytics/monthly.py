"""This month against the twelve months before it, for the review page's headline tiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

Kind = Literal["count", "proportion", "mean"]


@dataclass(frozen=True)
class Comparison:
    """A month's value beside the value of the preceding months (pooled, not averaged per month)."""

    value: float | None
    previous: float | None
    previous_months: int  # how many earlier months had data

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _pooled(frame: pl.DataFrame, kind: Kind, value: str, weight: str | None) -> tuple[float | None, int]:
    if kind == "count":
        return (float(frame[value].mean()) if frame.height else None), frame.height
    if weight is None:
        raise ValueError(f"kind {kind!r} needs a weight column")
    if kind == "proportion":
        den = frame[weight].sum()
        return (100.0 * frame[value].sum() / den if den else None), int((frame[weight] > 0).sum())
    rows = frame.filter(pl.col(weight) > 0, pl.col(value).is_not_null())
    den = rows[weight].sum()
    return (float((rows[value] * rows[weight]).sum() / den) if den else None), rows.height


def versus_previous(
    monthly: pl.DataFrame, month: dt.date, kind: Kind, value: str, weight: str | None = None, months: int = 12
) -> Comparison:
    """Compare ``month`` with the ``months`` before it.

    ``count``: the month's ``value`` against the mean per month before it, counting months
    without cases as zero once the series has started (months before its first case are not data).
    ``proportion``: ``value`` is the numerator and ``weight`` the denominator; both sides are
    pooled percentages (Σ numerator / Σ denominator × 100).
    ``mean``: ``value`` is a monthly mean and ``weight`` its number of cases; the earlier
    side is the case-weighted mean.
    """
    current = monthly.filter(pl.col("month_date") == month)
    before = monthly.filter(pl.col("month_date") >= add_months(month, -months), pl.col("month_date") < month)
    if kind == "count":
        started = monthly.filter(pl.col(value) > 0)["month_date"].min()
        before = before.filter(pl.col("month_date") >= started) if started is not None else before.clear()
    value_now, _ = _pooled(current, kind, value, weight)
    value_before, n = _pooled(before, kind, value, weight)
    return Comparison(value_now, value_before, n)


@dataclass(frozen=True)
class Driver:
    """The cost category whose mean per patient changed most against the twelve months before."""

    category: str
    value: float
    previous: float

    @property
    def change(self) -> float:
        return self.value - self.previous


def cost_driver(by_category: pl.DataFrame, month: dt.date, months: int = 12) -> Driver | None:
    """From mean cost per patient by category and month, the category driving this month's change.

    The earlier level of a category is the cost-weighted mean over the months before
    (Σ mean × patients / Σ patients, counting a month without that category as zero).
    """
    now = by_category.filter(pl.col("month_date") == month)
    before = by_category.filter(pl.col("month_date") >= add_months(month, -months), pl.col("month_date") < month)
    if now.is_empty() or before.is_empty():
        return None
    patients = before.unique("month_date").select(pl.col("costed_n").sum()).item()
    level = before.group_by("category").agg(((pl.col("mean_cost_eur") * pl.col("costed_n")).sum() / patients).alias("previous"))
    joined = (
        now.select("category", pl.col("mean_cost_eur").alias("value"))
        .join(level, on="category", how="full", coalesce=True)
        .fill_null(0.0)
        .with_columns((pl.col("value") - pl.col("previous")).abs().alias("size"))
        .sort("size", "category", descending=[True, False])
    )
    top = joined.row(0, named=True)
    return Driver(top["category"], top["value"], top["previous"])
