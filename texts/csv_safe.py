"""CSV files that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula (``=HYPERLINK(…)`` makes a link that leaks data, ``@SUM``
and ``+cmd|…`` worse). ``formula_safe`` puts an apostrophe in front of such a cell, which the
spreadsheet shows as the text it is. Only text columns change: numbers, negative ones
included, stay numbers. Column names get the same treatment. Every CSV made for people
(table downloads, the audit trail) goes through it, via ``csv_bytes``.

Streamlit-free (``texts``), so the pages' downloads (``ui``), the meeting pack (``reports``) and
the command line share one definition.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from data_models.outcome_sets import outcome_sets
from texts.language import label, lang, language, t

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_STARTS_LIKE_A_FORMULA = r"^[=+\-@\t\r]"


def neutralise(text: str) -> str:
    """One text cell, with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell (and column name) that would start a formula prefixed by ``'``."""
    text_columns = [c for c, dtype in frame.schema.items() if isinstance(dtype, (pl.String, pl.Categorical, pl.Enum))]
    safe = frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(_STARTS_LIKE_A_FORMULA))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text_columns
    )
    return safe.rename({c: neutralise(c) for c in safe.columns if c.startswith(FORMULA_START)})


# Column names of the tables people download, in words (keys written here count as used).
COLUMN_WORDS = {
    "month_date": "csv_column_month_date",
    "value": "csv_column_value",
    "cases_n": "csv_column_cases_n",
    "centre_line": "csv_column_centre_line",
    "lower_limit": "csv_column_lower_limit",
    "upper_limit": "csv_column_upper_limit",
    "special_cause": "csv_column_special_cause",
    "variation": "csv_column_variation",
    "is_provisional": "csv_column_is_provisional",
    "in_limits": "csv_column_in_limits",
    "excluded_reason": "csv_column_excluded_reason",
    "episode_id": "csv_column_episode_id",
    "centre_name": "csv_column_centre_name",
    "pathway_label": "csv_column_pathway_label",
}
# Codes a column can hold, in words: the column's name → its code → the key of the word.
CODE_WORDS = {
    "variation": {
        "improvement": "variation_improvement", "concern": "variation_concern", "common": "variation_common",
    },
    "assurance": {"pass": "assurance_pass", "fail": "assurance_fail", "hit_or_miss": "assurance_hit_or_miss"},  # nosec B105  # a text key, not a password
}  # fmt: skip
DATE_FORMAT = {"nl": "%d-%m-%Y", "en": "%Y-%m-%d"}
TIME_FORMAT = {"nl": "%d-%m-%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


def outcome_set_words(column: str) -> dict[str, str]:
    """A ``pathway`` or ``treatment`` column's codes in words, from the outcome-set files."""
    sets = outcome_sets()
    if column == "pathway":
        return {code: label(oset.label) for code, oset in sets.items()}
    if column == "treatment":
        return {code: label(name) for oset in sets.values() for code, name in oset.treatments.items()}
    return {}


def shown_decimals(values: pl.Series) -> int:
    """How many decimals a page shows of a column of numbers: 1 from 10 up, 2 from 1 up, else 3."""
    largest = values.drop_nulls().drop_nans().abs().max() if values.len() else None
    if largest is None:
        return 1
    return 1 if largest >= 10 else 2 if largest >= 1 else 3


def readable(
    frame: pl.DataFrame,
    codes: Mapping[str, Mapping[str, str]] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """``frame`` as people read it in the language spoken: numbers rounded to what the page shows,
    dates as 31-12-2026 (Dutch) or 2026-12-31, booleans ja/nee, codes in words (``CODE_WORDS``, and
    ``codes``: column → code → words), column names in words where known. Numbers stay numbers."""
    spoken = lang()
    decimals = decimals or {}
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype.is_float():
            column = column.round(decimals.get(name, shown_decimals(frame[name])))
        elif dtype == pl.Boolean:
            column = pl.when(column).then(pl.lit(t("yes"))).when(~column).then(pl.lit(t("no")))
        elif dtype == pl.Date:
            column = column.dt.strftime(DATE_FORMAT[spoken])
        elif isinstance(dtype, pl.Datetime):
            at_midnight = frame[name].drop_nulls().dt.time().cast(pl.Int64).fill_null(0).eq(0).all()
            column = column.dt.strftime(DATE_FORMAT[spoken] if at_midnight else TIME_FORMAT[spoken])
        words = dict((codes or {}).get(name, {})) or outcome_set_words(name)
        words.update({code: t(key) for code, key in CODE_WORDS.get(name, {}).items()} if name not in (codes or {}) else {})
        if words and (dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))):
            column = column.cast(pl.String).replace(words)
        columns.append(column.alias(name))
    shown = frame.select(columns)
    return shown.rename({c: t(COLUMN_WORDS[c]) for c in shown.columns if c in COLUMN_WORDS})


def csv_bytes(
    frame: pl.DataFrame,
    language_code: str | None = None,
    *,
    codes: Mapping[str, Mapping[str, str]] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> bytes:
    """CSV as a spreadsheet in ``language_code`` (default: the one spoken) opens it, formula-safe.

    Dutch: ``;`` between cells, decimal comma, 31-12-2026, ja/nee, with a byte-order mark so
    Excel reads UTF-8. English: ``,`` and a decimal point. See ``readable`` for codes and rounding.
    """
    with language(language_code or lang()):
        frame = formula_safe(readable(frame, codes, decimals))
        if lang() == "nl":
            return frame.write_csv(separator=";", decimal_comma=True).encode("utf-8-sig")
        return frame.write_csv().encode("utf-8")
