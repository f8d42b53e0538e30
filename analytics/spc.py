"""Statistical process control for monthly series, as NHS "Making Data Count" does it.

Two charts, each taking values ordered by month and returning one row per point:

- ``xmr(values, improvement)``: the individuals chart. Centre line = mean; limits =
  mean ± 2.66 × mean moving range; "near the limits" = beyond mean ± (2/3)·2.66 × mean
  moving range.
- ``p_chart(events, denominators, improvement)``: proportions with varying denominators.
  p̄ = Σx / Σn; limits p̄ ± 3·√(p̄(1−p̄)/nᵢ) clipped to [0, 1]; "near" at 2·√(…).

Special-cause rules, evaluated within each phase:
(1) a point outside the limits; (2) a shift: 7 points in a row above, or 7 below, the
centre line (a point on the line breaks the run); (3) a trend: 7 points in a row each
higher (or each lower) than the one before (an equal value breaks it); (4) two of three
points in a row near or beyond the limits on the same side (the two that are flagged).

``improvement`` is ``"up"`` or ``"down"``. A special-cause point on the improvement side
is ``improvement``, on the other side ``concern``; every other point is ``common``. The
side is the point's position against the centre line; a point flagged only as part of a
trend takes the trend's direction. With a ``target``, ``assurance`` says whether the
limits lie wholly on the good side (``pass``), wholly on the bad side (``fail``) or
straddle it (``hit_or_miss``).

Missing values (None/NaN, or a zero denominator) give a row without a value: they are
left out of the centre line, the moving ranges (which never bridge a gap) and the runs.
Fewer than 12 points in a phase make its limits provisional. ``recalc_from`` (a point
index, or several) starts a new phase with its own centre line and limits, after a
deliberate change in the process.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl

Improvement = Literal["up", "down"]

XMR_CONSTANT = 2.66
RUN_LENGTH = 7
MIN_POINTS = 12

COLUMNS = [
    "point", "phase", "value", "centre_line", "lower_limit", "upper_limit", "lower_near", "upper_near",
    "rule_outside", "rule_shift", "rule_trend", "rule_two_of_three", "special_cause", "side", "variation",
    "is_provisional", "assurance",
]  # fmt: skip


def _as_float(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _phases(n: int, recalc_from: int | Sequence[int] | None) -> np.ndarray:
    starts = [] if recalc_from is None else ([recalc_from] if isinstance(recalc_from, int) else list(recalc_from))
    if any(not 0 < s < n for s in starts):
        raise ValueError(f"recalc_from must lie between 1 and {n - 1}")
    phase = np.zeros(n, dtype=int)
    for start in sorted(set(starts)):
        phase[start:] += 1
    return phase


def _check_improvement(improvement: str) -> None:
    if improvement not in ("up", "down"):
        raise ValueError("improvement must be 'up' or 'down'")


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark every element of each run of at least ``length`` consecutive True values."""
    out = np.zeros(len(flags), dtype=bool)
    start = None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def _rules(y: np.ndarray, centre: np.ndarray, lo: np.ndarray, hi: np.ndarray, lo_near: np.ndarray, hi_near: np.ndarray):
    """The four rules on the points of one phase that have a value (in order)."""
    outside = (y > hi) | (y < lo)
    above, below = y > centre, y < centre
    shift = _runs(above, RUN_LENGTH) | _runs(below, RUN_LENGTH)
    step = np.diff(y)
    rising = np.concatenate([[False], step > 0])
    falling = np.concatenate([[False], step < 0])
    # a run of 6 rises covers 7 points: include the point each run starts from
    trend_up = _runs(rising, RUN_LENGTH - 1)
    trend_down = _runs(falling, RUN_LENGTH - 1)
    trend_up |= np.concatenate([trend_up[1:], [False]]) & ~rising
    trend_down |= np.concatenate([trend_down[1:], [False]]) & ~falling
    high_near, low_near = y > hi_near, y < lo_near
    two_of_three = np.zeros(len(y), dtype=bool)
    for near in (high_near, low_near):
        for i in range(len(y) - 2):
            window = near[i : i + 3]
            if window.sum() >= 2:
                two_of_three[i : i + 3] |= window
    return outside, shift, trend_up, trend_down, two_of_three


def _assemble(
    y: np.ndarray,
    centre: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_near: np.ndarray,
    hi_near: np.ndarray,
    phase: np.ndarray,
    provisional: np.ndarray,
    improvement: Improvement,
    target: float | None,
    extra: dict[str, np.ndarray],
) -> pl.DataFrame:
    n = len(y)
    rule = {k: np.zeros(n, dtype=bool) for k in ("outside", "shift", "trend_up", "trend_down", "two")}
    for p in np.unique(phase):
        idx = np.flatnonzero((phase == p) & ~np.isnan(y) & ~np.isnan(lo))
        if idx.size == 0:
            continue
        results = _rules(y[idx], centre[idx], lo[idx], hi[idx], lo_near[idx], hi_near[idx])
        for key, flags in zip(rule, results, strict=True):
            rule[key][idx] = flags
    trend = rule["trend_up"] | rule["trend_down"]
    special = rule["outside"] | rule["shift"] | trend | rule["two"]
    position = np.where(y > centre, "high", np.where(y < centre, "low", None))
    by_trend = np.where(rule["trend_up"], "high", np.where(rule["trend_down"], "low", None))
    only_trend = trend & ~(rule["outside"] | rule["shift"] | rule["two"])
    side = np.where(special, np.where(only_trend | (position == None), by_trend, position), None)  # noqa: E711
    good = "high" if improvement == "up" else "low"
    variation = np.where(~special, "common", np.where(side == good, "improvement", "concern"))
    frame = pl.DataFrame(
        {
            "point": np.arange(n),
            "phase": phase,
            "value": y,
            "centre_line": centre,
            "lower_limit": lo,
            "upper_limit": hi,
            "lower_near": lo_near,
            "upper_near": hi_near,
            "rule_outside": rule["outside"],
            "rule_shift": rule["shift"],
            "rule_trend": trend,
            "rule_two_of_three": rule["two"],
            "special_cause": special,
            "side": pl.Series(side.tolist(), dtype=pl.String),
            "variation": variation.astype(str),
            "is_provisional": provisional,
            "assurance": pl.Series(_assurance(lo, hi, improvement, target), dtype=pl.String),
            **extra,
        }
    )
    return frame.with_columns(pl.col(pl.Float64).fill_nan(None))


def _assurance(lo: np.ndarray, hi: np.ndarray, improvement: Improvement, target: float | None) -> list[str | None]:
    if target is None:
        return [None] * len(lo)
    out: list[str | None] = []
    for low, high in zip(lo, hi, strict=True):
        if math.isnan(low) or math.isnan(high):
            out.append(None)
        elif (improvement == "up" and low > target) or (improvement == "down" and high < target):
            out.append("pass")
        elif (improvement == "up" and high < target) or (improvement == "down" and low > target):
            out.append("fail")
        else:
            out.append("hit_or_miss")
    return out


def xmr(
    values: Sequence[float | None],
    improvement: Improvement,
    target: float | None = None,
    recalc_from: int | Sequence[int] | None = None,
) -> pl.DataFrame:
    """XmR chart of a monthly measure; one row per point (see the module docstring)."""
    _check_improvement(improvement)
    y = _as_float(values)
    n = len(y)
    phase = _phases(n, recalc_from)
    centre, mr_bar = np.full(n, np.nan), np.full(n, np.nan)
    moving_range = np.full(n, np.nan)
    provisional = np.zeros(n, dtype=bool)
    for p in np.unique(phase):
        idx = np.flatnonzero(phase == p)
        seg = y[idx]
        ranges = np.abs(np.diff(seg))  # NaN where either month is missing: ranges never bridge a gap
        moving_range[idx[1:]] = ranges
        present = ~np.isnan(seg)
        if present.any():
            centre[idx] = seg[present].mean()
        valid_ranges = ranges[~np.isnan(ranges)]
        if valid_ranges.size:
            mr_bar[idx] = valid_ranges.mean()
        provisional[idx] = present.sum() < MIN_POINTS
    half = XMR_CONSTANT * mr_bar
    near = (2 / 3) * half
    return _assemble(
        y, centre, centre - half, centre + half, centre - near, centre + near, phase, provisional, improvement, target,
        {"moving_range": moving_range, "mean_moving_range": mr_bar},
    )  # fmt: skip


def p_chart(
    events: Sequence[float | None],
    denominators: Sequence[float | None],
    improvement: Improvement,
    target: float | None = None,
    recalc_from: int | Sequence[int] | None = None,
) -> pl.DataFrame:
    """p-chart of a monthly proportion (values and limits as fractions 0–1); one row per point."""
    _check_improvement(improvement)
    x, n_i = _as_float(events), _as_float(denominators)
    if len(x) != len(n_i):
        raise ValueError("events and denominators must have the same length")
    if np.any(x[~np.isnan(x)] < 0) or np.any(n_i[~np.isnan(n_i)] < 0):
        raise ValueError("events and denominators cannot be negative")
    with np.errstate(invalid="ignore", divide="ignore"):
        usable = ~np.isnan(x) & ~np.isnan(n_i) & (n_i > 0)
        if np.any(x[usable] > n_i[usable]):
            raise ValueError("events cannot exceed their denominator")
        y = np.where(usable, x / np.where(usable, n_i, 1), np.nan)
    n = len(y)
    phase = _phases(n, recalc_from)
    centre = np.full(n, np.nan)
    provisional = np.zeros(n, dtype=bool)
    for p in np.unique(phase):
        idx = np.flatnonzero(phase == p)
        ok = usable[idx]
        if ok.any():
            centre[idx] = x[idx][ok].sum() / n_i[idx][ok].sum()
        provisional[idx] = ok.sum() < MIN_POINTS
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.where(usable, np.sqrt(centre * (1 - centre) / np.where(usable, n_i, 1)), np.nan)
    lo, hi = np.clip(centre - 3 * sigma, 0, 1), np.clip(centre + 3 * sigma, 0, 1)
    lo_near, hi_near = np.clip(centre - 2 * sigma, 0, 1), np.clip(centre + 2 * sigma, 0, 1)
    return _assemble(
        y, centre, lo, hi, lo_near, hi_near, phase, provisional, improvement, target,
        {"events": x, "denominator": n_i},
    )  # fmt: skip
