"""Statistical process control for monthly series, as NHS "Making Data Count" does it.

Anchors. The special-cause rules, their precedence and the XmR limits (with the screening of
moving ranges and ``fix_after_n_points``) follow NHSRplotthedots 0.2.2 (NHS-R Community, the
R package behind "Making Data Count"; ``R/ptd_spc_standard.R`` and
``R/ptd_calculate_point_type.R``, including the fixes for its issues #143, #167 and #171).
The p-chart, the Laney p′ chart and ``exclude`` follow qicharts2 (Anhøj; ``qic(chart = "p")``,
``qic(chart = "pp")``, ``qic(exclude = )``, ``qic(freeze = )``), which is also where the
p-chart's "near the limits" line comes from (its 2σ lines, ``ucl.95``/``lcl.95``).

Charts, each taking values ordered by month and returning one row per point:

- ``xmr(values, improvement)``: the individuals chart. Centre line = mean; limits = mean ±
  2.66 × mean moving range; "near the limits" = beyond mean ± (2/3)·2.66 × mean moving range.
  By default (``screen_outliers=True``, the NHSRplotthedots default) a moving range of
  3.267 × the mean moving range or more is left out and the mean moving range recalculated once.
- ``p_chart(events, denominators, improvement)``: proportions with varying denominators.
  p̄ = Σx / Σn; limits p̄ ± 3·σᵢ with σᵢ = √(p̄(1−p̄)/nᵢ), clipped to [0, 1]; near at ±2·σᵢ.
  ``laney=True`` gives Laney's p′ chart (Laney 2002, as qicharts2 ``chart = "pp"``):
  σᵢ is multiplied by σ_z = mean moving range of the z-scores zᵢ = (pᵢ − p̄)/σᵢ / 1.128, for
  large denominators where the plain p-chart flags most months (overdispersion).

The rules (NHSRplotthedots ``ptd_special_cause_type``), evaluated within each phase on the
points that have a value:
(1) outside: a point above the upper or below the lower limit;
(2) shift: 7 points in a row above, or 7 below, the centre line (a point on the line breaks it);
(3) trend: 7 points in a row each higher (or each lower) than the one before (an equal value
breaks it);
(4) two of three: a point is *close* when it lies beyond the near line but not beyond the limit;
the rule fires when 2 of 3 consecutive points are close and all three lie on the same side of
the centre line; only the close points are flagged (issue #143's fix).

Precedence, as the package: outside > trend > two of three > shift. The type decides the
point's direction: outside, two of three and shift take the point's side of the centre line;
a trend point takes the trend's direction (a rising trend that starts below the mean is
"high"), and a point that belongs to trends on both sides takes the direction of the step to
its right (the package's code: ``sign(y[i+1] − y[i])`` when the next point is part of a trend
too, otherwise ``sign(y[i] − y[i−1])``; a step of zero counts as decreasing, as the package's
``ifelse(sdy == 1, "In", "De")`` does). ``special_cause_type`` holds the package's label
("Above UCL", "7 Point Trend (Increasing)", "2 in 3 Below CL", "7 Points Above CL",
"Common Cause", ...); each ``rule_*`` column says whether that rule fired on its own.

``improvement`` is ``"up"`` or ``"down"``. A special-cause point in the improvement direction is
``improvement``, in the other ``concern``; every other point is ``common``. With a ``target``,
``assurance`` says whether the limits lie wholly on the good side (``pass``), wholly on the bad
side (``fail``) or straddle it (``hit_or_miss``), as ``ptd_calculate_assurance_type``.

Options shared by the charts (keyword arguments):

- ``recalc_from`` (a point index, or several): starts a new phase with its own centre line and
  limits, after a deliberate change in the process (NHSRplotthedots ``rebase``).
- ``fix_after_n_points`` (default ``None``: no fixing): in every phase, the centre line and
  limits come from the phase's first n points (months, counting those without data) and are
  carried forward unchanged (NHSRplotthedots ``fix_after_n_points``).
- ``freeze`` (default ``None``): the number of points, counted from the start of the series,
  that form the baseline; the limits are fixed after them (qicharts2 ``freeze``, which counts
  the same way). Where ``recalc_from`` splits the series, each freeze value ends the baseline of
  the phase it falls in and the other phases use all their points (qicharts2 ignores ``freeze``
  when parts are given). Give either ``freeze`` or ``fix_after_n_points``, not both.
- ``exclude`` (default ``None``): ``{point index: reason}``; those points are left out of the
  centre line and the limits (qicharts2 ``exclude``: the moving ranges join the points on either
  side of an excluded point, but never bridge a month without data) and still shown and tested
  against the limits. Every exclusion needs a reason; it is kept in ``excluded_reason``.
- ``screen_outliers`` (default ``True``, as NHSRplotthedots and qicharts2 once attached, which
  sets ``qic.screenedmr = TRUE``): screens the moving ranges of the XmR chart and of the Laney z-
  scores. One deliberate deviation: when the mean moving range is 0 (a constant series) no range
  is screened, where the package would screen every range and leave no limits.

Missing values (None/NaN, or a zero denominator) give a row without a value: they are left out
of the centre line, the moving ranges (which never bridge a missing month) and the runs.
Limits resting on fewer than 12 points make the phase provisional (``is_provisional``; the
package's short-group warning).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import polars as pl

Improvement = Literal["up", "down"]

XMR_CONSTANT = 2.66
NEAR_FRACTION = 2 / 3
SCREEN_CONSTANT = 3.267  # D4 for n = 2: the upper limit of a moving range
D2 = 1.128  # d2 for n = 2: sigma = mean moving range / d2 (Laney's sigma_z)
RUN_LENGTH = 7
MIN_POINTS = 12

COLUMNS = [
    "point", "phase", "value", "centre_line", "lower_limit", "upper_limit", "lower_near", "upper_near",
    "rule_outside", "rule_shift", "rule_trend", "rule_two_of_three", "close_to_limits", "special_cause",
    "special_cause_type", "side", "variation", "is_provisional", "assurance", "in_limits", "excluded_reason",
]  # fmt: skip

COMMON_CAUSE = "Common Cause"


# --- the package's rule functions (NHSRplotthedots R/ptd_calculate_point_type.R), one for one ---


def seven_point_one_side_mean(relative_to_mean: Sequence[float]) -> np.ndarray:
    """1 where this point and the 6 before it lie on the same side of the mean (``ptd_seven_point_one_side_mean``)."""
    v = np.asarray(relative_to_mean, dtype=float)
    padded = np.concatenate([np.zeros(6), v])
    return np.array([float(padded[i + 6] != 0 and np.all(padded[i : i + 6] == padded[i + 6])) for i in range(len(v))])


def part_of_seven(flags: Sequence[float]) -> np.ndarray:
    """1 where this point or one of the next 6 ends a run of 7 (``ptd_part_of_seven_trend``)."""
    v = np.asarray(flags, dtype=float)
    padded = np.concatenate([v, np.zeros(6)])
    return np.array([float(np.any(np.abs(padded[i : i + 7]) == 1)) for i in range(len(v))])


def seven_point_trend(y: Sequence[float]) -> np.ndarray:
    """1 (−1) where this point ends 7 points each higher (lower) than the one before (``ptd_seven_point_trend``)."""
    v = np.asarray(y, dtype=float)
    out = np.zeros(len(v))
    for i in range(6, len(v)):
        steps = np.sign(np.diff(v[i - 6 : i + 1]))
        out[i] = 1.0 if np.all(steps == 1) else -1.0 if np.all(steps == -1) else 0.0
    return out


def two_in_three(close_to_limits: Sequence[float], relative_to_mean: Sequence[float]) -> np.ndarray:
    """1 where a window of 3 holding this point has 2 close points, all 3 on one side (``ptd_two_in_three``)."""
    v = np.asarray(close_to_limits, dtype=float)
    if v.size == 0:
        return np.zeros(0)
    rtm = np.asarray(relative_to_mean, dtype=float)
    rtm = np.concatenate([rtm, np.full(max(len(v) - len(rtm), 0), np.nan)])  # R reads past the end as NA
    vp, rp = np.concatenate([[0, 0], v, [0, 0]]), np.concatenate([[0, 0], rtm, [0, 0]])

    def fires(start: int) -> bool:
        return bool(vp[start : start + 3].sum() >= 2 and abs(rp[start : start + 3].sum()) == 3)

    return np.array([float(fires(i) or fires(i + 1) or fires(i + 2)) for i in range(len(v))])


def part_of_two_in_three(two_in_three_flags: Sequence[float], close_to_limits: Sequence[float]) -> np.ndarray:
    """Only the close points of a firing window are flagged (``ptd_part_of_two_in_three``)."""
    v, x = np.asarray(two_in_three_flags, dtype=float), np.asarray(close_to_limits, dtype=float)
    return ((v == 1) & (np.abs(x) == 1)).astype(float)


def classify(
    y: Sequence[float],
    relative_to_mean: Sequence[float],
    outside_limits: Sequence[float],
    part_trend: Sequence[float],
    part_two_in_three: Sequence[float],
    part_shift: Sequence[float],
) -> list[str]:
    """The package's special-cause label of each point from the rules' flags (the ``case_when`` of ``ptd_special_cause_type``)."""
    yv = np.asarray(y, dtype=float)
    rtm = np.asarray(relative_to_mean, dtype=float)
    outside, trend = np.asarray(outside_limits, dtype=float), np.asarray(part_trend, dtype=float)
    two, shift = np.asarray(part_two_in_three, dtype=float), np.asarray(part_shift, dtype=float)
    n = len(yv)
    steps = np.sign(np.diff(yv)) if n > 1 else np.zeros(0)
    right = np.concatenate([steps, steps[-1:]]) if n > 1 else np.zeros(n)  # step to the next point
    left = np.concatenate([[0.0], steps])  # step from the previous point
    next_in_trend = np.concatenate([trend[1:], [0.0]]) != 0
    direction = np.where(next_in_trend & (trend != 0), right, left)
    out = []
    for i in range(n):
        above = "Above" if rtm[i] > 0 else "Below"
        if outside[i] != 0:
            out.append("Above UCL" if rtm[i] == 1 else "Below LCL")
        elif trend[i] != 0:
            out.append(f"7 Point Trend ({'In' if direction[i] == 1 else 'De'}creasing)")
        elif two[i] != 0:
            out.append(f"2 in 3 {above} CL")
        elif shift[i] != 0:
            out.append(f"7 Points {above} CL")
        else:
            out.append(COMMON_CAUSE)
    return out


def type_direction(special_cause_type: str) -> int:
    """+1 for "Above…"/"…Increasing", −1 for "Below…"/"…Decreasing", 0 for common cause (``ptd_point_type``)."""
    if "Above" in special_cause_type or "Increasing" in special_cause_type:
        return 1
    if "Below" in special_cause_type or "Decreasing" in special_cause_type:
        return -1
    return 0


def special_cause_type(
    y: Sequence[float], relative_to_mean: Sequence[float], close_to_limits: Sequence[float], outside_limits: Sequence[float]
) -> list[str]:
    """Every rule on one phase's points, then the package's precedence (``ptd_special_cause_type``)."""
    part_trend = part_of_seven(seven_point_trend(y))
    part_two = part_of_two_in_three(two_in_three(close_to_limits, relative_to_mean), close_to_limits)
    part_shift = part_of_seven(seven_point_one_side_mean(relative_to_mean))
    return classify(y, relative_to_mean, outside_limits, part_trend, part_two, part_shift)


# --- phases, baselines and exclusions ---


def _as_float(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _as_list(value: int | Sequence[int] | None) -> list[int]:
    return [] if value is None else ([value] if isinstance(value, int) else list(value))


def _phases(n: int, recalc_from: int | Sequence[int] | None) -> np.ndarray:
    starts = _as_list(recalc_from)
    if any(not 0 < s < n for s in starts):
        raise ValueError(f"recalc_from must lie between 1 and {n - 1}")
    phase = np.zeros(n, dtype=int)
    for start in sorted(set(starts)):
        phase[start:] += 1
    return phase


def _baseline(n: int, phase: np.ndarray, fix_after_n_points: int | None, freeze: int | Sequence[int] | None) -> np.ndarray:
    """Which points may enter the centre line and limits, before exclusions."""
    if fix_after_n_points is not None and freeze is not None:
        raise ValueError("give either fix_after_n_points or freeze, not both")
    base = np.ones(n, dtype=bool)
    if fix_after_n_points is not None:
        if fix_after_n_points < 1:
            raise ValueError("fix_after_n_points must be at least 1")
        for p in np.unique(phase):
            idx = np.flatnonzero(phase == p)
            base[idx[fix_after_n_points:]] = False
    freezes = _as_list(freeze)
    if any(not 1 <= f <= n for f in freezes):
        raise ValueError(f"freeze must lie between 1 and {n}")
    for f in freezes:
        idx = np.flatnonzero(phase == phase[f - 1])
        if not base[idx].all():
            raise ValueError("one freeze per phase")
        base[idx[idx >= f]] = False
    return base


def _exclusions(n: int, exclude: Mapping[int, str] | None) -> list[str | None]:
    reasons: list[str | None] = [None] * n
    for point, reason in (exclude or {}).items():
        if not 0 <= point < n:
            raise ValueError(f"excluded points must lie between 0 and {n - 1}")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("every excluded point needs a reason")
        reasons[point] = reason.strip()
    return reasons


def _mean_moving_range(ranges: np.ndarray, screen_outliers: bool) -> tuple[float, np.ndarray]:
    """Mean of the ranges that have a value and which of them were screened out (NHSRplotthedots / qicharts2)."""
    present = ~np.isnan(ranges)
    if not present.any():
        return math.nan, np.zeros(len(ranges), dtype=bool)
    amr = float(ranges[present].mean())
    screened = np.zeros(len(ranges), dtype=bool)
    if screen_outliers and amr > 0:
        screened = present & (ranges >= SCREEN_CONSTANT * amr)
        amr = float(ranges[present & ~screened].mean())
    return amr, screened


def _check_improvement(improvement: str) -> None:
    if improvement not in ("up", "down"):
        raise ValueError("improvement must be 'up' or 'down'")


# --- rules and the frame ---


def _assemble(
    y: np.ndarray,
    centre: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_near: np.ndarray,
    hi_near: np.ndarray,
    phase: np.ndarray,
    provisional: np.ndarray,
    in_limits: np.ndarray,
    reasons: list[str | None],
    improvement: Improvement,
    target: float | None,
    extra: dict[str, object],
) -> pl.DataFrame:
    n = len(y)
    rule = {k: np.zeros(n, dtype=bool) for k in ("outside", "shift", "trend", "two", "close")}
    types = [COMMON_CAUSE] * n
    for p in np.unique(phase):
        idx = np.flatnonzero((phase == p) & ~np.isnan(y) & ~np.isnan(lo) & ~np.isnan(hi))
        if idx.size == 0:
            continue
        yy = y[idx]
        outside = (yy > hi[idx]) | (yy < lo[idx])
        rtm = np.sign(yy - centre[idx])
        close = ~outside & ((yy < lo_near[idx]) | (yy > hi_near[idx]))
        part_trend = part_of_seven(seven_point_trend(yy))
        part_two = part_of_two_in_three(two_in_three(close, rtm), close)
        part_shift = part_of_seven(seven_point_one_side_mean(rtm))
        for i, label in zip(idx, classify(yy, rtm, outside, part_trend, part_two, part_shift), strict=True):
            types[i] = label
        rule["outside"][idx], rule["close"][idx] = outside, close
        rule["trend"][idx], rule["two"][idx], rule["shift"][idx] = part_trend == 1, part_two == 1, part_shift == 1
    direction = np.array([type_direction(t) for t in types])
    special = direction != 0
    side = [None if d == 0 else ("high" if d > 0 else "low") for d in direction]
    good = 1 if improvement == "up" else -1
    variation = np.where(~special, "common", np.where(direction == good, "improvement", "concern"))
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
            "rule_trend": rule["trend"],
            "rule_two_of_three": rule["two"],
            "close_to_limits": rule["close"],
            "special_cause": special,
            "special_cause_type": pl.Series(types, dtype=pl.String),
            "side": pl.Series(side, dtype=pl.String),
            "variation": variation.astype(str),
            "is_provisional": provisional,
            "assurance": pl.Series(_assurance(lo, hi, improvement, target), dtype=pl.String),
            "in_limits": in_limits,
            "excluded_reason": pl.Series(reasons, dtype=pl.String),
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


# --- the charts ---


def xmr(
    values: Sequence[float | None],
    improvement: Improvement,
    target: float | None = None,
    recalc_from: int | Sequence[int] | None = None,
    *,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    freeze: int | Sequence[int] | None = None,
    exclude: Mapping[int, str] | None = None,
) -> pl.DataFrame:
    """XmR chart of a monthly measure, as NHSRplotthedots 0.2.2 ``ptd_spc`` computes it; one row per point.

    Limits per phase: mean ± 2.66 × mR̄ from the baseline's included points (``ptd_spc_standard``).
    Defaults: ``screen_outliers=True`` (moving ranges ≥ 3.267 × mR̄ left out, mR̄ recalculated
    once), no ``fix_after_n_points``, no ``freeze``, no ``exclude`` (see the module docstring).
    ``moving_range`` holds the ranges that enter mR̄ (between consecutive included baseline
    points, never across a missing month); ``moving_range_screened`` marks the ones screening
    dropped; ``mean_moving_range`` is the mR̄ the limits use.
    """
    _check_improvement(improvement)
    y = _as_float(values)
    n = len(y)
    phase = _phases(n, recalc_from)
    reasons = _exclusions(n, exclude)
    use = _baseline(n, phase, fix_after_n_points, freeze) & np.array([r is None for r in reasons], dtype=bool)
    centre, mr_bar = np.full(n, np.nan), np.full(n, np.nan)
    moving_range, screened = np.full(n, np.nan), np.zeros(n, dtype=bool)
    provisional = np.zeros(n, dtype=bool)
    for p in np.unique(phase):
        idx = np.flatnonzero(phase == p)
        used = idx[use[idx]]  # in order; months without data stay in, so no range bridges them
        seg = y[used]
        present = ~np.isnan(seg)
        if present.any():
            centre[idx] = seg[present].mean()
        ranges = np.abs(np.diff(seg))
        amr, dropped = _mean_moving_range(ranges, screen_outliers)
        moving_range[used[1:]], screened[used[1:]] = ranges, dropped
        mr_bar[idx] = amr
        provisional[idx] = present.sum() < MIN_POINTS
    half = XMR_CONSTANT * mr_bar
    near = NEAR_FRACTION * half
    in_limits = use & ~np.isnan(y)
    return _assemble(
        y, centre, centre - half, centre + half, centre - near, centre + near, phase, provisional, in_limits, reasons,
        improvement, target,
        {"moving_range": moving_range, "moving_range_screened": screened, "mean_moving_range": mr_bar},
    )  # fmt: skip


def p_chart(
    events: Sequence[float | None],
    denominators: Sequence[float | None],
    improvement: Improvement,
    target: float | None = None,
    recalc_from: int | Sequence[int] | None = None,
    *,
    laney: bool = False,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    freeze: int | Sequence[int] | None = None,
    exclude: Mapping[int, str] | None = None,
) -> pl.DataFrame:
    """p-chart (or Laney p′ chart) of a monthly proportion, as qicharts2 ``qic(chart = "p")`` / ``"pp"``.

    Values and limits are fractions 0–1; one row per point. Per phase, over the baseline's
    included points with a denominator: p̄ = Σx / Σn; σᵢ = √(p̄(1−p̄)/nᵢ); limits p̄ ± 3σᵢ and
    near lines p̄ ± 2σᵢ, clipped to [0, 1] (``qic.p``).

    ``laney=True`` (default ``False``): Laney's p′ chart (Laney 2002, "Improved control charts
    for attributes", Quality Engineering 14(4); qicharts2 ``qic.pp``): zᵢ = (pᵢ − p̄)/σᵢ over the
    same points, σ_z = mean |zᵢ − zᵢ₋₁| / 1.128 (ranges ≥ 3.267 × their mean screened out when
    ``screen_outliers``, default ``True``, as qicharts2's ``qic.screenedmr``), and every σᵢ is
    multiplied by σ_z. ``sigma_z`` holds the factor (1 for the plain p-chart).
    ``fix_after_n_points``, ``freeze`` and ``exclude`` as in the module docstring.
    """
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
    reasons = _exclusions(n, exclude)
    use = _baseline(n, phase, fix_after_n_points, freeze) & np.array([r is None for r in reasons], dtype=bool)
    centre, sigma_z = np.full(n, np.nan), np.full(n, np.nan)
    provisional = np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for p in np.unique(phase):
            idx = np.flatnonzero(phase == p)
            used = idx[use[idx]]
            ok = used[usable[used]]
            if ok.size:
                centre[idx] = x[ok].sum() / n_i[ok].sum()
            provisional[idx] = ok.size < MIN_POINTS
            if not laney:
                sigma_z[idx] = 1.0
                continue
            cl = centre[idx[0]]
            z = (y[used] - cl) / np.sqrt(cl * (1 - cl) / np.where(usable[used], n_i[used], np.nan))
            amr, _ = _mean_moving_range(np.abs(np.diff(z)), screen_outliers)
            sigma_z[idx] = amr / D2
        sigma = np.where(usable, np.sqrt(centre * (1 - centre) / np.where(usable, n_i, 1)), np.nan) * sigma_z
    lo, hi = np.clip(centre - 3 * sigma, 0, 1), np.clip(centre + 3 * sigma, 0, 1)
    lo_near, hi_near = np.clip(centre - 2 * sigma, 0, 1), np.clip(centre + 2 * sigma, 0, 1)
    in_limits = use & usable
    return _assemble(
        y, centre, lo, hi, lo_near, hi_near, phase, provisional, in_limits, reasons, improvement, target,
        {"events": x, "denominator": n_i, "sigma_z": sigma_z},
    )  # fmt: skip


# --- longer grains: the run rules with a length stated per grain ---


def run_rule_length(grain: str) -> int:
    """How many points in a row make a shift or a trend at a grain, and the rule behind it.

    ``"month"`` and ``"quarter"`` (points that share no patients): 7 points, as NHSRplotthedots;
    the rule counts points, not months, so on quarters it is 7 quarters. ``"rolling_k"`` (each
    point the last k months together): neighbouring points share k − 1 months, so a run of them
    is not a run of independent points; the rule asks for 7 windows that share no month on one
    side (or each higher/lower than the one before), which takes 6·k + 1 rolling points in a row
    (19 for rolling 3 months, 73 for rolling 12). Two of three is not used on rolling points.
    """
    if grain in ("month", "quarter"):
        return RUN_LENGTH
    if grain.startswith("rolling_") and grain[len("rolling_") :].isdigit() and int(grain[len("rolling_") :]) >= 1:
        k = int(grain[len("rolling_") :])
        return (RUN_LENGTH - 1) * k + 1
    raise ValueError(f"unknown grain {grain!r}")


def run_one_side(relative_to_mean: Sequence[float], length: int) -> np.ndarray:
    """1 where this point and the ``length`` − 1 before it lie on one side (``seven_point_one_side_mean`` for any length)."""
    v = np.asarray(relative_to_mean, dtype=float)
    k = length - 1
    padded = np.concatenate([np.zeros(k), v])
    return np.array([float(padded[i + k] != 0 and np.all(padded[i : i + k] == padded[i + k])) for i in range(len(v))])


def part_of_run(flags: Sequence[float], length: int) -> np.ndarray:
    """1 where this point or one of the next ``length`` − 1 ends a run (``part_of_seven`` for any length)."""
    v = np.asarray(flags, dtype=float)
    padded = np.concatenate([v, np.zeros(length - 1)])
    return np.array([float(np.any(np.abs(padded[i : i + length]) == 1)) for i in range(len(v))])


def run_trend(y: Sequence[float], length: int) -> np.ndarray:
    """1 (−1) where this point ends ``length`` points each higher (lower) than the one before (``seven_point_trend``)."""
    v = np.asarray(y, dtype=float)
    out = np.zeros(len(v))
    for i in range(length - 1, len(v)):
        steps = np.sign(np.diff(v[i - length + 1 : i + 1]))
        out[i] = 1.0 if np.all(steps == 1) else -1.0 if np.all(steps == -1) else 0.0
    return out


def with_run_length(chart: pl.DataFrame, length: int, improvement: Improvement, *, two_of_three: bool = True) -> pl.DataFrame:
    """The chart's rules again with shifts and trends of ``length`` points (see ``run_rule_length``).

    Limits, the outside rule and the package's precedence stay as they are; with ``length`` = 7 and
    ``two_of_three`` the result equals the chart given. ``two_of_three=False`` drops that rule.
    """
    _check_improvement(improvement)
    n = chart.height
    y = chart["value"].fill_null(np.nan).to_numpy().astype(float)
    centre = chart["centre_line"].fill_null(np.nan).to_numpy().astype(float)
    phase = chart["phase"].to_numpy()
    outside_all, close_all = chart["rule_outside"].to_numpy(), chart["close_to_limits"].to_numpy()
    has_limits = chart["lower_limit"].is_not_null().to_numpy() & chart["upper_limit"].is_not_null().to_numpy()
    rule = {k: np.zeros(n, dtype=bool) for k in ("shift", "trend", "two")}
    types = [COMMON_CAUSE] * n
    for p in np.unique(phase):
        idx = np.flatnonzero((phase == p) & ~np.isnan(y) & has_limits)
        if idx.size == 0:
            continue
        yy, rtm = y[idx], np.sign(y[idx] - centre[idx])
        outside, close = outside_all[idx].astype(float), close_all[idx].astype(float)
        part_trend = part_of_run(run_trend(yy, length), length)
        part_two = part_of_two_in_three(two_in_three(close, rtm), close) if two_of_three else np.zeros(idx.size)
        part_shift = part_of_run(run_one_side(rtm, length), length)
        for i, label in zip(idx, classify(yy, rtm, outside, part_trend, part_two, part_shift), strict=True):
            types[i] = label
        rule["trend"][idx], rule["two"][idx], rule["shift"][idx] = part_trend == 1, part_two == 1, part_shift == 1
    direction = np.array([type_direction(t) for t in types])
    good = 1 if improvement == "up" else -1
    return chart.with_columns(
        pl.Series("rule_shift", rule["shift"]),
        pl.Series("rule_trend", rule["trend"]),
        pl.Series("rule_two_of_three", rule["two"]),
        pl.Series("special_cause", direction != 0),
        pl.Series("special_cause_type", types, dtype=pl.String),
        pl.Series("side", [None if d == 0 else ("high" if d > 0 else "low") for d in direction], dtype=pl.String),
        pl.Series(
            "variation", np.where(direction == 0, "common", np.where(direction == good, "improvement", "concern")).astype(str)
        ),
    )


# --- rare events: time-between-events charts (qicharts2 ``chart = "g"`` and ``chart = "t"``) ---

G_NEAR_SIGMA = 2  # the g-chart's "near" line, as the 2σ line of the other charts


def cases_between_events(is_event: Sequence[bool | int | None]) -> tuple[list[int], int]:
    """Patients without the event between consecutive events, in treatment order, and the open count.

    ``is_event`` holds one entry per patient in the order treated (missing outcomes left out). Each
    event after the first closes an interval: the number of patients without the event since the
    event before it (Benneyan 2001's g with minimum 0: two events in a row give 0). The patients
    before the first event are not an interval (the event before them lies outside the data). The
    second value is the number of patients since the last event (or since the start without one):
    an interval still open.
    """
    gaps: list[int] = []
    count, seen = 0, False
    for flag in is_event:
        if flag is None:
            continue
        if flag:
            if seen:
                gaps.append(count)
            seen, count = True, 0
        else:
            count += 1
    return gaps, count


def g_chart(gaps: Sequence[float], improvement: Improvement = "up", *, freeze: int | None = None) -> pl.DataFrame:
    """g-chart of the number of patients between events, as qicharts2 ``qic(chart = "g")``.

    Method (qicharts2 ``qic.g``; Benneyan 2001, "Number-between g-type statistical quality control
    charts for monitoring adverse events", Health Care Management Science 4; Montgomery's geometric
    σ): ḡ = mean of the baseline gaps; σ = √(ḡ(ḡ + 1)); upper limit ḡ + 3σ, lower limit
    max(0, ḡ − 3σ) (always 0, so a short gap alone never signals); the centre line drawn and used
    for the run rules is the median of all gaps (qicharts2's choice; the mean is kept in
    ``mean_gap``). The near lines, used by two of three, are ḡ ± 2σ (clipped at 0). The rules and
    their precedence are those of the other charts (NHSRplotthedots, 7 points for a shift or trend).

    A gap counts the patients without the event between two events (minimum 0); see
    ``cases_between_events``. ``improvement`` is the direction of the *gaps*: ``"up"`` (default)
    when the event is unwanted, so that a long gap is an improvement. ``freeze`` (default ``None``):
    the first n gaps form the baseline of ḡ (qicharts2 ``freeze``).
    """
    _check_improvement(improvement)
    y = _as_float(gaps)
    if np.any(y[~np.isnan(y)] < 0):
        raise ValueError("gaps cannot be negative")
    n = len(y)
    phase = np.zeros(n, dtype=int)
    use = _baseline(n, phase, None, freeze) & ~np.isnan(y)
    mean = float(y[use].mean()) if use.any() else math.nan
    sigma = math.sqrt(mean * (mean + 1)) if use.any() else math.nan
    median = float(np.nanmedian(y)) if (~np.isnan(y)).any() else math.nan
    full = lambda v: np.full(n, v)  # noqa: E731
    return _assemble(
        y, full(median), full(max(0.0, mean - 3 * sigma)), full(mean + 3 * sigma),
        full(max(0.0, mean - G_NEAR_SIGMA * sigma)), full(mean + G_NEAR_SIGMA * sigma), phase,
        full(int(use.sum()) < MIN_POINTS).astype(bool), use, [None] * n, improvement, None,
        {"mean_gap": full(mean), "sigma": full(sigma)},
    )  # fmt: skip


T_POWER = 3.6  # qicharts2 ``qic.t``: y^(1/3.6) is close to normal for exponential (Weibull) times


def t_chart(days: Sequence[float], improvement: Improvement = "up") -> pl.DataFrame:
    """t-chart of the time between events (days), as qicharts2 ``qic(chart = "t")``.

    Method (qicharts2 ``qic.t`` and ``qic.i``; Nelson's transformation): x = y^(1/3.6); on x an
    individuals chart with centre x̄, moving ranges |xᵢ − xᵢ₋₁| screened once (ranges ≥ 3.267 × their
    mean left out), σ = mR̄ / 1.128 and limits x̄ ± 3σ (near lines ±2σ); then everything is
    transformed back (^3.6) and a negative lower limit becomes 0. Note the constant 3 / 1.128 =
    2.6596 here against the XmR chart's 2.66: qicharts2's, kept so its figures reproduce. Every
    time must be greater than zero. The rules as in the other charts; ``improvement`` as in
    ``g_chart`` (``"up"``: long times between unwanted events are good).
    """
    _check_improvement(improvement)
    y = _as_float(days)
    present = ~np.isnan(y)
    if np.any(y[present] <= 0):
        raise ValueError("time between events must be greater than zero")
    x = np.where(present, np.abs(y) ** (1 / T_POWER), np.nan)
    n = len(x)
    mean = float(x[present].mean()) if present.any() else math.nan
    ranges = np.abs(np.diff(x))
    amr, _ = _mean_moving_range(ranges, True)
    sigma = amr / D2

    def back(v: float) -> float:
        return 0.0 if math.isnan(v) or v < 0 else v**T_POWER

    full = lambda v: np.full(n, v)  # noqa: E731
    return _assemble(
        y, full(back(mean)), full(back(mean - 3 * sigma)), full(back(mean + 3 * sigma)),
        full(back(mean - 2 * sigma)), full(back(mean + 2 * sigma)), np.zeros(n, dtype=int),
        full(int(present.sum()) < MIN_POINTS).astype(bool), present, [None] * n, improvement, None,
        {"transformed": x, "sigma_transformed": full(sigma)},
    )  # fmt: skip
