"""The measured effect of an improvement action: what its indicator did after the action's start month.

Data in, effect out: ``measured_effect(indicator, rows, start_month, last_month)`` takes the
indicator's monthly rows (the ``review_indicators`` query: ``indicator_code``, ``month_date``,
``events_n``, ``cases_n``, ``value``), the month the action started and the last month whose
follow-up window has closed, and compares up to ``BEFORE_MONTHS`` months before the start with
the months from the start on.

Three answers, each with its method and anchor:

- **A sustained shift** in the indicator's improvement direction (``Indicator.improvement``, from
  the outcome set): the indicator's own control chart (``analytics.indicators.control_chart``,
  i.e. ``analytics.spc``) with its limits frozen on the months before the start (qicharts2
  ``freeze``; NHS "Making Data Count": fix the baseline, then look for a signal after the change),
  and the shift rule (7 points in a row on the good side of the centre line, NHSRplotthedots)
  firing on a month from the start on.
- **The change in level** with a 95% interval. Proportions (p and p′ charts): the pooled
  proportion after minus before (events / patients over the months), with Newcomb's hybrid score
  interval for a difference of independent proportions (Newcomb 1998, Statistics in Medicine 17,
  method 10, built from Wilson intervals; ``statsmodels.stats.proportion.
  confint_proportions_2indep(method="newcomb", compare="diff")``). Measures (XmR charts: scores,
  days, euros): the mean of the monthly values after minus before, with Welch's interval (Welch
  1947, Biometrika 34; unequal variances, Welch–Satterthwaite degrees of freedom;
  ``scipy.stats.ttest_ind(equal_var=False).confidence_interval``). Each month is one observation,
  as it is one point on the XmR chart: the interval is about the monthly level, not about patients.
- **The patients behind it**: the patients in the months before and in the months after.

Fewer than ``MIN_MONTHS`` months with patients on either side: nothing is measured
(``is_measured`` False), and the team's own account stands alone (the caller says so).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from analytics.indicators import Indicator, control_chart, month_range
from analytics.monthly import add_months

BEFORE_MONTHS = 12  # the baseline: up to this many months before the start
MIN_MONTHS = 3  # months with patients needed on each side to measure anything
CONFIDENCE = 0.95
PROPORTION_METHOD = "newcomb"  # Newcomb's hybrid score interval for a difference of proportions
MEAN_METHOD = "welch"  # Welch's interval for a difference of monthly means


@dataclass(frozen=True)
class ActionEffect:
    """What an indicator did after an action's start month (levels as the chart shows them: 0–1 for proportions)."""

    indicator_code: str
    start_month: dt.date
    last_month: dt.date
    method: str  # newcomb | welch
    months_before: int  # months with patients before the start (at most BEFORE_MONTHS)
    months_after: int  # months with patients from the start on
    patients_before: int
    patients_after: int
    level_before: float | None = None
    level_after: float | None = None
    change: float | None = None  # after − before
    change_low: float | None = None  # the 95% interval of the change
    change_high: float | None = None
    sustained_shift: bool = False  # the shift rule fired on the good side from the start on
    shift_from: dt.date | None = None  # the first month of that run
    improvement: str = "up"

    @property
    def is_measured(self) -> bool:
        return self.change is not None

    @property
    def is_better(self) -> bool:
        """The level moved the indicator's good way and the interval leaves out no change."""
        if self.change_low is None or self.change_high is None:
            return False
        return self.change_low > 0 if self.improvement == "up" else self.change_high < 0

    @property
    def is_worse(self) -> bool:
        if self.change_low is None or self.change_high is None:
            return False
        return self.change_high < 0 if self.improvement == "up" else self.change_low > 0

    @property
    def verdict(self) -> str:
        """``improved`` (a sustained shift or a better level), ``worse``, ``no_change``, or ``not_measured``."""
        if not self.is_measured:
            return "not_measured"
        if self.sustained_shift or self.is_better:
            return "improved"
        return "worse" if self.is_worse else "no_change"

    @property
    def gain(self) -> float:
        """The change in the indicator's good direction (for ordering practices; −inf when not measured)."""
        if self.change is None:
            return -math.inf
        return self.change if self.improvement == "up" else -self.change


def measured_effect(
    indicator: Indicator,
    rows: pl.DataFrame,
    start_month: dt.date,
    last_month: dt.date,
    before_months: int = BEFORE_MONTHS,
) -> ActionEffect:
    """The effect of an action on ``indicator`` that started in ``start_month``, up to ``last_month`` (see the module)."""
    first = add_months(start_month, -before_months)
    months = month_range(last_month, _months_between(first, last_month) + 1) if last_month >= start_month else []
    base = ActionEffect(indicator.code, start_month, last_month, _method(indicator), 0, 0, 0, 0,
                        improvement=indicator.improvement)  # fmt: skip
    if not months:
        return base
    chart = control_chart(indicator, rows, months, baseline_until=add_months(start_month, -1))
    present = chart.filter(pl.col("value").is_not_null(), pl.col("cases_n") > 0)
    before = present.filter(pl.col("month_date") < start_month)
    after = present.filter(pl.col("month_date") >= start_month)
    counted = ActionEffect(
        indicator.code, start_month, last_month, base.method, before.height, after.height,
        int(before["cases_n"].sum()), int(after["cases_n"].sum()), improvement=indicator.improvement,
    )  # fmt: skip
    if before.height < MIN_MONTHS or after.height < MIN_MONTHS:
        return counted
    level = _proportions(before, after) if base.method == PROPORTION_METHOD else _means(before, after)
    shift = _shift_from(chart, start_month)
    return ActionEffect(**{**counted.__dict__, **level, "sustained_shift": shift is not None, "shift_from": shift})


def _method(indicator: Indicator) -> str:
    return PROPORTION_METHOD if indicator.chart in ("p", "pp") else MEAN_METHOD


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _proportions(before: pl.DataFrame, after: pl.DataFrame) -> dict[str, float]:
    from statsmodels.stats.proportion import confint_proportions_2indep  # heavy: only when measuring

    x0, n0 = float(before["events"].sum()), float(before["denominator"].sum())
    x1, n1 = float(after["events"].sum()), float(after["denominator"].sum())
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff", alpha=1 - CONFIDENCE)
    return {"level_before": x0 / n0, "level_after": x1 / n1, "change": x1 / n1 - x0 / n0,
            "change_low": float(low), "change_high": float(high)}  # fmt: skip


def _means(before: pl.DataFrame, after: pl.DataFrame) -> dict[str, float]:
    from scipy import stats  # heavy: only when measuring

    y0, y1 = before["value"].to_numpy(), after["value"].to_numpy()
    test = stats.ttest_ind(y1, y0, equal_var=False)
    interval = test.confidence_interval(CONFIDENCE)
    return {"level_before": float(y0.mean()), "level_after": float(y1.mean()), "change": float(y1.mean() - y0.mean()),
            "change_low": float(interval.low), "change_high": float(interval.high)}  # fmt: skip


def _shift_from(chart: pl.DataFrame, start_month: dt.date) -> dt.date | None:
    """The first month from the start on that belongs to a shift on the good side, if any."""
    good = chart.filter(pl.col("month_date") >= start_month, pl.col("rule_shift"), pl.col("variation") == "improvement")
    return None if good.is_empty() else good["month_date"].min()  # type: ignore[return-value]
