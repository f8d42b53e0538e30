"""The monthly review's tiles in words, once for the page and the meeting pack.

``tile_text(summary)`` is what a tile says (label, this month, the previous twelve months, the
change); the review page shows it as a metric and the meeting pack as a row of its table, so both
say the same. ``count_text`` writes a number of patients (whole, or with one decimal for a mean).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from analytics.indicators import Summary
from data_models.outcome_sets import outcome_sets
from texts.csv_safe import COLUMN_WORDS, readable, shown_decimals
from texts.formatting import number, timepoint_name
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


# Other tables' columns in words (the keys are written here, so they count as used).
TABLE_COLUMNS = {
    "event_date": "table_column_event_date",
    "period_start": "table_column_period_start",
    "mean_cost_eur": "table_column_mean_cost_eur",
    "costed_n": "table_column_costed_n",
    "category": "table_column_category",
    "literacy_group": "table_column_literacy_group",
    "episodes_n": "table_column_episodes_n",
    "outcome_recorded_n": "table_column_outcome_recorded_n",
    "outcome_pct": "table_column_outcome_pct",
    "prom_invited_n": "table_column_prom_invited_n",
    "prom_response_pct": "table_column_prom_response_pct",
    "work_recorded_n": "table_column_work_recorded_n",
    "work_outcome_pct": "table_column_work_outcome_pct",
    "action_id": "table_column_action_id",
    "changed_at": "table_column_changed_at",
    "changed_by": "table_column_changed_by",
    "field_name": "table_column_field_name",
    "old_value": "table_column_old_value",
    "new_value": "table_column_new_value",
    "load_id": "table_column_load_id",
    "loaded_at": "table_column_loaded_at",
    "delivered_on": "table_column_delivered_on",
    "file_name": "table_column_file_name",
    "table_name": "table_column_table_name",
    "status": "table_column_status",
    "rows_read": "table_column_rows_read",
    "rows_loaded": "table_column_rows_loaded",
    "rows_new": "table_column_rows_new",
    "rows_updated": "table_column_rows_updated",
    "rows_unchanged": "table_column_rows_unchanged",
    "rows_quarantined": "table_column_rows_quarantined",
    "rows_duplicate": "table_column_rows_duplicate",
    "checksum_short": "table_column_checksum_short",
    "row_number": "table_column_row_number",
    "column_name": "table_column_column_name",
    "reason": "table_column_reason",
    "own_median_delay_days": "table_column_own_median_delay_days",
    "national_median_delay_days": "table_column_national_median_delay_days",
    "own_episodes_n": "table_column_own_episodes_n",
    "time": "table_column_time",
    "user": "table_column_user",
    "role": "table_column_role",
    "centre": "table_column_centre",
    "action": "table_column_action",
    "what": "table_column_what",
    "patient_count": "table_column_patient_count",
    "patients": "table_column_patients",
    "instrument": "table_column_instrument",
    "timepoint": "table_column_timepoint",
    "invited_date": "table_column_invited_date",
    "completed_date": "table_column_completed_date",
    "score": "table_column_score",
}
# Codes a table's cells hold, in words: the column → its code → the key of the word.
CELL_WORDS = {
    "status": {
        "loaded": "load_status_loaded",
        "loaded_with_quarantine": "load_status_loaded_with_quarantine",
        "rejected": "load_status_rejected",
    },
    "action": {
        "action_recorded": "audit_action_action_recorded",
        "action_updated": "audit_action_action_updated",
        "chart_settings_cleared": "audit_action_chart_settings_cleared",
        "chart_settings_saved": "audit_action_chart_settings_saved",
        "cli_list_patient_rows": "audit_action_cli_list_patient_rows",
        "download_patient_rows": "audit_action_download_patient_rows",
        "load": "audit_action_load",
        "login": "audit_action_login",
        "login_locked": "audit_action_login_locked",
        "login_refused": "audit_action_login_refused",
        "logout": "audit_action_logout",
        "pack": "audit_action_pack",
        "practice_adopted": "audit_action_practice_adopted",
        "practice_shared": "audit_action_practice_shared",
        "practice_withdrawn": "audit_action_practice_withdrawn",
        "refused": "audit_action_refused",
        "view_patient_rows": "audit_action_view_patient_rows",
    },
}


def spoken(column: pl.Series, say: Callable[[Any], str]) -> pl.Series:
    """A column as text, each value said by ``say`` (nulls stay null). A plain loop, not ``map_elements``:
    polars calling back into Python from its thread pool can deadlock while another session's thread
    converts a frame to numpy (pola-rs/polars#26821), and a server runs sessions side by side."""
    return pl.Series(column.name, [None if v is None else say(v) for v in column.to_list()], dtype=pl.String)


def cells_in_words(frame: pl.DataFrame, codes: Mapping[str, Mapping[str, str]] | None = None) -> pl.DataFrame:
    """A table's cells as a page shows them, in the language spoken: dates, ja/nee and codes in words
    (``readable``), numbers with decimals as text in the language's style ("71,6"). The column names stay
    (``column_words`` says them); for showing only: a download keeps its numbers (``csv_bytes``)."""
    cells = {c: {code: t(key) for code, key in words.items()} for c, words in CELL_WORDS.items() if c in frame.columns}
    decimals = {c: shown_decimals(frame[c]) for c, dtype in frame.schema.items() if dtype.is_float()}
    as_text = frame.with_columns(spoken(frame[c], lambda v, d=d: number(v, d)) for c, d in decimals.items())
    shown = readable(as_text, {**cells, **(codes or {})})
    return shown.rename(dict(zip(shown.columns, frame.columns, strict=True)))


def column_words(columns: list[str]) -> dict[str, str]:
    """Each column's name in words, where known (a pathway's code as its label)."""
    names = {**{c: k for c, k in COLUMN_WORDS.items()}, **TABLE_COLUMNS, **PATIENT_COLUMNS}
    pathways = {code: label(oset.label) for code, oset in outcome_sets().items()}
    return {c: t(names[c]) if c in names else pathways[c] for c in columns if c in names or c in pathways}


def prom_codes(pathway: str | None) -> dict[str, dict[str, str]]:
    """A questionnaire table's codes in words (``cells_in_words``): each instrument by its label, each timepoint."""
    oset = outcome_sets().get(pathway or "")
    if oset is None:
        return {}
    return {
        "instrument": {code: instrument.label for code, instrument in oset.instruments.items()},
        "timepoint": {tp: timepoint_name(tp) for tp in ("baseline", *oset.timepoints)},
    }
