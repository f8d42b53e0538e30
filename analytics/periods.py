"""Fixed, non-overlapping reporting periods for every figure shown about peers.

Statistical disclosure control (e.g. Hundepool et al., *Statistical Disclosure Control*,
2012, §5.4 on linked tables) forbids two shown figures that differ by a hidden one. A
window that ends at the chosen month slides: "the last 12 months" in October minus the
same in November is one month of one centre. Peer figures are therefore only ever
computed over calendar half-years, one grid for every page, pathway and viewer, and only
once a half-year is closed: its last month lies at least ``DELIVERY_MONTHS`` before the
chosen month, so the monthly deliveries that describe it have arrived.

A free period (issue 17) is a run of consecutive half-years on the same grid, from a chosen first
month (January or July) to a chosen last month (June or December), at most ``MAX_HALVES`` long:
its start and end are free on the grid, never between grid lines, so a longer period is a union of
half-years that are each shown on their own. The peer layer shows a centre in such a period only
when it passes the threshold in every half-year it covers (consistent secondary suppression:
the union minus its parts never isolates a half-year in which the centre was hidden).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analytics.monthly import add_months

PERIOD_MONTHS = 6
DELIVERY_MONTHS = 1  # months after a period's end before it is shown
OFFERED = 4  # closed periods offered: two years
MAX_HALVES = 6  # the longest free period: three years


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """A calendar half-year, or ``halves`` consecutive ones: ``start`` is its first month, ``end`` its last (first days)."""

    start: dt.date
    halves: int = 1

    @property
    def end(self) -> dt.date:
        return add_months(self.start, PERIOD_MONTHS * self.halves - 1)

    @property
    def half(self) -> int:
        return 1 if self.start.month == 1 else 2

    @property
    def code(self) -> str:
        first = f"{self.start.year}-H{self.half}"
        return first if self.halves == 1 else f"{first}..{self.parts()[-1].code}"

    def months(self) -> list[dt.date]:
        return [add_months(self.start, k) for k in range(PERIOD_MONTHS * self.halves)]

    def parts(self) -> list[ReportingPeriod]:
        """The half-years the period covers, in order."""
        return [ReportingPeriod(add_months(self.start, PERIOD_MONTHS * k)) for k in range(self.halves)]


def on_grid(period: object) -> bool:
    """Whether ``period`` is exactly one of the grid's half-years (not a subclass, a shifted start or a datetime)."""
    return (
        type(period) is ReportingPeriod
        and type(period.start) is dt.date
        and period.start.day == 1
        and period.start.month in (1, PERIOD_MONTHS + 1)
        and type(period.halves) is int
        and 1 <= period.halves <= MAX_HALVES
    )


def period_of(month: dt.date) -> ReportingPeriod:
    """The half-year a month belongs to."""
    return ReportingPeriod(dt.date(month.year, 1 if month.month <= PERIOD_MONTHS else 7, 1))


def is_closed(period: ReportingPeriod, month: dt.date) -> bool:
    """Whether a period may be shown when ``month`` is the chosen month."""
    return add_months(period.end, DELIVERY_MONTHS) < month.replace(day=1)


def closed_periods(month: dt.date, count: int = OFFERED) -> list[ReportingPeriod]:
    """The ``count`` most recent closed half-years at ``month``, newest first."""
    period = period_of(month)
    while not is_closed(period, month):
        period = ReportingPeriod(add_months(period.start, -PERIOD_MONTHS))
    return [ReportingPeriod(add_months(period.start, -PERIOD_MONTHS * k)) for k in range(count)]


def spanning(first: ReportingPeriod, last: ReportingPeriod) -> ReportingPeriod:
    """The free period from ``first``'s first month to ``last``'s last month (both on the grid, in any order)."""
    first, last = min(first, last), max(first, last)
    halves = (last.end.year - first.start.year) * 12 + last.end.month - first.start.month + 1
    return ReportingPeriod(first.start, halves // PERIOD_MONTHS)
