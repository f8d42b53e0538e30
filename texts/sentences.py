"""The monthly review in words, shared by the review page and the meeting pack (no widgets here):
values in their unit, what a control chart says, a chart's settings, and improvement actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from analytics.indicators import Indicator, Summary
from data_models.actions import STATUS_LABELS
from texts.formatting import MISSING, month_name, number
from texts.language import label, t
from warehouse.actions import ChartSettings


def fmt(indicator: Indicator, value: float | None, signed: bool = False) -> str:
    """A value in the indicator's unit, Dutch or English style."""
    if value is None:
        return MISSING
    sign = "+" if signed and value > 0 else ""
    if indicator.unit == "pct":
        return sign + number(100 * value, 1, "%")
    if indicator.unit == "eur":
        return sign + number(value, 0, "€ ")
    if indicator.unit == "days":
        return sign + number(value, 1, " " + t("days"))
    if indicator.unit == "nps":
        return sign + number(value, 0)
    return sign + number(value, 1)


def variation_words(summary: Summary) -> str:
    """The variation (and assurance) in words: "zorgpunt · haalt de norm niet"."""
    text = t("variation_" + summary.variation)
    return text + (f" · {t('assurance_' + summary.assurance)}" if summary.assurance else "")


def sentence(summary: Summary) -> str:
    """One plain sentence: what happened and whether it is likely to be real (``**bold**`` prefix)."""
    ind = summary.indicator
    name = label(ind.label)
    value = fmt(ind, summary.value)
    if not summary.rules:
        return t("sentence_common", label=name, value=value)
    high = summary.side == "high"
    if "outside" in summary.rules:
        limit = summary.chart.filter(pl.col("value") == summary.value)["upper_limit" if high else "lower_limit"]
        key = "sentence_outside_high" if high else "sentence_outside_low"
        body = t(key, label=name, value=value, limit=fmt(ind, limit[0] if len(limit) else None))
    elif "shift" in summary.rules:
        centre = summary.chart["centre_line"].drop_nulls()
        key = "sentence_shift_high" if high else "sentence_shift_low"
        body = t(key, label=name, n=summary.run_length, centre=fmt(ind, centre[-1] if len(centre) else None))
    elif "trend" in summary.rules:
        body = t("sentence_trend_up" if high else "sentence_trend_down", label=name, n=summary.run_length)
    else:
        body = t("sentence_near_high" if high else "sentence_near_low", label=name, value=value)
    return f"**{t('prefix_' + summary.variation)}** {body}"


def settings_line(settings: ChartSettings | None, months: Sequence[dt.date]) -> str | None:
    """The chart's settings in one line of raw text ("Basisperiode t/m …; uitgesloten: <maand> — <reden>").

    The reasons are the team's own text: escape the line for where it is shown (``plain``, ``html.escape``).
    """
    shown = (settings or ChartSettings()).within(months)
    parts = []
    if shown.baseline_until is not None:
        parts.append(t("chart_settings_baseline_line", month=month_name(shown.baseline_until)))
    if shown.exclude:
        items = "; ".join(f"{month_name(m)} — {reason}" for m, reason in shown.exclude.items())
        parts.append(t("chart_settings_excluded_line", items=items))
    line = "; ".join(parts)
    return line[:1].upper() + line[1:] if line else None


def baseline_marker(settings: ChartSettings | None, months: Sequence[dt.date]) -> tuple[dt.date, str] | None:
    """The chart's baseline marker: its last month and "basisperiode t/m <maand>" (for the chart figures)."""
    until = (settings or ChartSettings()).within(months).baseline_until
    return None if until is None else (until, t("chart_settings_marker", month=month_name(until)))


def status_name(status: str) -> str:
    """An improvement action's status in words."""
    return label(STATUS_LABELS.get(status, {"nl": status}))


def action_line(row: dict, names: dict[str, str]) -> str:
    """One improvement action in a sentence (``**bold**`` what); ``names`` maps indicator codes to labels."""
    return t(
        "action_line", what=row["what"], indicator=names.get(row["indicator_code"], row["indicator_code"]), who=row["who"],
        start=month_name(row["start_month_date"]), status=status_name(row["status"]), effect=row["expected_effect"],
    )  # fmt: skip


def on_chart(actions: pl.DataFrame, indicator_code: str) -> list[tuple[dt.date, str]]:
    """(start month, label) of every action aimed at the indicator, for the control chart."""
    mine = actions.filter(pl.col("indicator_code") == indicator_code)
    return [(r["start_month_date"], t("action_on_chart", what=r["what"][:40])) for r in mine.iter_rows(named=True)]
