"""The data page's questions: what was delivered, what went wrong, how complete, how late.

The page reads its rows through the audited query runner (``ui.data.query``) and lays them out;
this service says which months the delivery-delay chart covers and turns the completeness rows
(one per column and pathway) into the table the page shows.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analytics.monthly import add_months

__all__ = ["DELAY_MONTHS", "completeness_table", "delay_from"]

DELAY_MONTHS = 12  # the delivery-delay chart: this many months up to the month in view


def delay_from(month: dt.date | None, today: dt.date | None = None) -> dt.date:
    """The first month of the delivery-delay chart: ``DELAY_MONTHS`` months up to the month in view (or this month)."""
    return add_months(month or (today or dt.date.today()).replace(day=1), 1 - DELAY_MONTHS)


def completeness_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Completeness rows (column_name, pathway, filled_pct) as one row per column and one column per pathway."""
    if rows.is_empty():
        return pl.DataFrame({"column_name": []}, schema={"column_name": pl.String})
    return rows.pivot(on="pathway", index="column_name", values="filled_pct")
