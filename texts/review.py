"""The monthly review's tiles in words, once for the page and the meeting pack.

``tile_text(summary)`` is what a tile says (label, this month, the previous twelve months, the
change); the review page shows it as a metric and the meeting pack as a row of its table, so both
say the same. ``count_text`` writes a number of patients (whole, or with one decimal for a mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.indicators import Summary
from data_models.outcome_sets import outcome_sets
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


# The review's patient table: each column's words (the keys are written here, so they count as used).
PATIENT_COLUMNS = {
    "patient_id": "patient_column_patient_id",
    "episode_id": "patient_column_episode_id",
    "treatment": "patient_column_treatment",
    "treatment_date": "patient_column_treatment_date",
    "age": "patient_column_age",
    "sex": "patient_column_sex",
    "adverse_events": "patient_column_adverse_events",
    "has_complication": "patient_column_has_complication",
    "proms_missing_n": "patient_column_proms_missing_n",
    "has_missing_prom": "patient_column_has_missing_prom",
    "prom_change": "patient_column_prom_change",
    "is_below_mic": "patient_column_is_below_mic",
    "cost_eur": "patient_column_cost_eur",
    "is_cost_far_above": "patient_column_is_cost_far_above",
}


def patient_column_words(columns: list[str]) -> dict[str, str]:
    """The patient table's column names in words (a column not listed keeps its name)."""
    return {c: t(PATIENT_COLUMNS[c]) for c in columns if c in PATIENT_COLUMNS}


def patients_in_words(patients: pl.DataFrame, pathway: str) -> pl.DataFrame:
    """The review's patients with their codes in words: the treatment and the complications by their labels."""
    oset = outcome_sets()[pathway]
    treatments = {code: label(names) for code, names in oset.treatments.items()}
    events = {code: label(o.label) for code, o in oset.clinical_outcomes.items()}
    shown = patients
    if "treatment" in shown.columns:
        shown = shown.with_columns(pl.col("treatment").replace(treatments))
    if "adverse_events" in shown.columns:
        shown = shown.with_columns(
            pl.col("adverse_events").str.split(", ").list.eval(pl.element().replace(events)).list.join(", ")
        )
    return shown
