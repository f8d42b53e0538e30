"""The monthly review's tiles in words, once for the page and the meeting pack.

``tile_text(summary)`` is what a tile says (label, this month, the previous twelve months, the
change); the review page shows it as a metric and the meeting pack as a row of its table, so both
say the same. ``count_text`` writes a number of patients (whole, or with one decimal for a mean).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.indicators import Summary
from texts.formatting import number
from texts.language import label, t
from texts.sentences import fmt, variation_words


@dataclass(frozen=True)
class TileText:
    label: str
    value: str  # this month
    previous: str  # the level of the twelve months before
    change: str | None  # signed; None when there is no change to show
    variation: str  # what the chart says, in words (the page shows icons beside it)


def tile_text(summary: Summary) -> TileText:
    ind = summary.indicator
    return TileText(
        label=label(ind.label),
        value=fmt(ind, summary.value),
        previous=fmt(ind, summary.previous),
        change=fmt(ind, summary.change, signed=True) if summary.change else None,
        variation=variation_words(summary),
    )


def count_text(value: float | None) -> str:
    """A count of patients: whole, or a mean per month with one decimal ("4", "2,5")."""
    return number(value, 0 if value is None or float(value).is_integer() else 1)


def tile_value(summary: Summary) -> str:
    """A tile's value with its denominator ("0,0% van 14"), or in words why it has none ("geen patiënten")."""
    ind = summary.indicator
    if summary.value is None:
        return t("tile_no_patients")
    value = fmt(ind, summary.value)
    return t("tile_of", value=value, n=number(summary.cases_n)) if ind.unit == "pct" else value


def change_text(summary: Summary) -> str | None:
    """A tile's change in words with its sign spelled out: "€ 859 lager", "2,1 procentpunt hoger" (None: no change)."""
    if summary.direction is None or summary.change is None:
        return None
    ind, size = summary.indicator, abs(summary.change)
    value = number(100 * size, 1, t("change_points")) if ind.unit == "pct" else fmt(ind, size)
    return t("change_lower", value=value) if summary.direction == "down" else t("change_higher", value=value)
