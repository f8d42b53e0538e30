"""Numbers, money, percentages, dates and months the Dutch way (1.234,5 · € 1.234 · 6 okt 2026)
or the English way (1,234.5 · € 1,234 · 6 Oct 2026), in the language spoken (``texts.lang``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from texts.language import lang

MISSING = "–"

MONTHS = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
MONTHS_SHORT = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
# Plotly's layout.separators: the decimal mark, then the thousands separator.
SEPARATORS = {"nl": ",.", "en": ".,"}
TICK_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)


def number(value: float | None, decimals: int = 0, unit: str = "") -> str:
    """A number the Dutch way (1.234,5) or the English way (1,234.5); ``unit`` "€ " goes in front."""
    if value is None:
        return MISSING
    text = f"{value:,.{decimals}f}"
    if lang() == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{unit}{text}" if unit == "€ " else f"{text}{unit}"


def percent(share: float | None, decimals: int = 1) -> str:
    """A share (0.123) as a percentage: 12,3% in Dutch, 12.3% in English."""
    return MISSING if share is None else number(100 * share, decimals, "%")


def money(value: float | None, decimals: int = 0) -> str:
    """An amount in euros: € 1.234 in Dutch, € 1,234 in English."""
    return number(value, decimals, "€ ")


def separators() -> str:
    """Plotly's ``layout.separators`` for the language spoken (",." Dutch, ".," English)."""
    return SEPARATORS[lang()]


def month_name(month: dt.date) -> str:
    """A month in full: oktober 2026, October 2026."""
    return f"{MONTHS[lang()][month.month - 1]} {month.year}"


def month_short(month: dt.date) -> str:
    """A month for an axis or a hover: okt 2026, Oct 2026."""
    return f"{MONTHS_SHORT[lang()][month.month - 1]} {month.year}"


def date_text(day: dt.date) -> str:
    """A date: 6 okt 2026, 6 Oct 2026."""
    return f"{day.day} {MONTHS_SHORT[lang()][day.month - 1]} {day.year}"


def timepoint_name(timepoint: str) -> str:
    """A PROM timepoint in words: baseline → de start, 12m → 12 maanden."""
    if timepoint == "baseline":
        return "de start" if lang() == "nl" else "baseline"
    months = timepoint.removesuffix("m")
    return f"{months} maanden" if lang() == "nl" else f"{months} months"


def month_ticks(dates: Iterable[dt.date], most: int = 8) -> list[tuple[dt.date, str]]:
    """Which of the months on a date axis to label, and their labels (``month_short``).

    Labels fall on whole months, quarters, half-years or years counted from January, the finest
    step that gives at most ``most`` labels; each label sits on a month the axis has.
    """
    months = sorted({d for d in dates if d is not None})
    if not months:
        return []
    for step in TICK_STEPS:
        chosen = [m for m in months if (m.year * 12 + m.month - 1) % step == 0]
        if min(len(months), 2) <= len(chosen) <= most:
            return [(m, month_short(m)) for m in chosen]
    every = -(-len(months) // most)  # ceiling: a long or sparse axis, evenly thinned
    return [(m, month_short(m)) for m in months[::every]]
