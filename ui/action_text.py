"""Improvement actions in words, shared by the review page and the meeting pack (no widgets here)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from analytics.monthly import add_months
from data_models.actions import STATUS_LABELS
from ui.text import label, month_name, t


def open_to_review(actions: pl.DataFrame, month: dt.date) -> pl.DataFrame:
    """Open actions that had started by the month after the reviewed one (when the meeting is held)."""
    return actions.filter(pl.col("is_open"), pl.col("start_month_date") <= add_months(month, 1))


def status_name(status: str) -> str:
    return label(STATUS_LABELS.get(status, {"nl": status}))


def action_line(row: dict, names: dict[str, str]) -> str:
    return t(
        "action_line", what=row["what"], indicator=names.get(row["indicator_code"], row["indicator_code"]), who=row["who"],
        start=month_name(row["start_month_date"]), status=status_name(row["status"]), effect=row["expected_effect"],
    )  # fmt: skip


def on_chart(actions: pl.DataFrame, indicator_code: str) -> list[tuple[dt.date, str]]:
    """(start month, label) of every action aimed at the indicator, for the control chart."""
    mine = actions.filter(pl.col("indicator_code") == indicator_code)
    return [(r["start_month_date"], t("action_on_chart", what=r["what"][:40])) for r in mine.iter_rows(named=True)]
