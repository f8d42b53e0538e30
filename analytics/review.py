"""The monthly review's charts with a team's stored settings, and the actions a meeting reviews.

The review page and the meeting pack both go through these functions, so the baseline and the
excluded months a team chose change the limits in the same way in both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

from analytics.indicators import Indicator, Summary, control_chart, summarise
from analytics.monthly import add_months
from warehouse.actions import ChartSettings


def charted(
    indicator: Indicator,
    rows: pl.DataFrame,
    months: list[dt.date],
    month: dt.date,
    settings: ChartSettings | None = None,
    recalc_from: dt.date | None = None,
    **options: Any,
) -> Summary:
    """One indicator's control chart with the team's stored settings, summarised for ``month``.

    ``options`` go to ``analytics.indicators.control_chart`` as they are.
    """
    shown = (settings or ChartSettings()).within(months)
    chart = control_chart(
        indicator, rows, months, recalc_from, baseline_until=shown.baseline_until, exclude=shown.exclude, **options
    )
    return summarise(indicator, chart, month)


def reviewed(
    indicators: list[Indicator],
    rows: pl.DataFrame,
    months: list[dt.date],
    month: dt.date,
    settings: Mapping[str, ChartSettings],
) -> list[Summary]:
    """Every indicator's chart with its settings (``charted``), summarised for ``month``."""
    return [charted(i, rows, months, month, settings.get(i.code)) for i in indicators]


def open_to_review(actions: pl.DataFrame, month: dt.date) -> pl.DataFrame:
    """Open actions that had started by the month after the reviewed one (when the meeting is held)."""
    return actions.filter(pl.col("is_open"), pl.col("start_month_date") <= add_months(month, 1))
