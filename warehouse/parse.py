"""Typing the text cells of a delivered table, one vectorised pass per column.

Every cell that is filled in but cannot be read as its column's type (a date that is
no date, ``ja/nee`` spelled otherwise, text in a number column) becomes an error row
with the file's row number, the column, the value and a reason in plain Dutch. The cell
itself becomes empty so that validation can go on with the rest of the row. A cell longer
than its column may be (``warehouse.limits``: an identifier or code, or free text) is such
an error too, before anything else is done with it.
"""

from __future__ import annotations

import polars as pl

from data_models.schemas import TableSpec
from warehouse.limits import Limits, current
from warehouse.reader import RAGGED, ROW

ERROR_COLUMNS = {ROW: pl.Int64, "column_name": pl.String, "value": pl.String, "reason": pl.String}
TRUE_WORDS = ["true", "1", "ja", "yes", "j", "y", "waar", "1.0"]
FALSE_WORDS = ["false", "0", "nee", "no", "n", "onwaar", "0.0"]
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def number(text: pl.Expr) -> pl.Expr:
    """A decimal number written with a decimal point or a decimal comma (``1.234,5`` too)."""
    both = text.str.contains(r"\.") & text.str.contains(",")
    comma_last = text.str.extract(r"([.,])[^.,]*$") == ","
    cleaned = (
        pl.when(both & comma_last)
        .then(text.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(both)
        .then(text.str.replace_all(",", ""))
        .otherwise(text.str.replace(",", "."))
    )
    value = cleaned.str.replace_all(r"\s", "").cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def date(text: pl.Expr) -> pl.Expr:
    parsed = [text.str.to_datetime(f, strict=False).dt.date() for f in DATE_FORMATS]
    return pl.coalesce(parsed)


def boolean(text: pl.Expr) -> pl.Expr:
    lower = text.str.to_lowercase()
    return pl.when(lower.is_in(TRUE_WORDS)).then(True).when(lower.is_in(FALSE_WORDS)).then(False)


def integer(text: pl.Expr) -> pl.Expr:
    value = number(text)
    return pl.when(value == value.round(0)).then(value.cast(pl.Int64, strict=False))


def plain_number(text: pl.Expr) -> pl.Expr:
    value = text.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


# How most exports write a type (1.5, 3, 2024-01-31): one cheap cast. A column where any filled
# cell does not read this way is typed again by the full converter, which knows every spelling.
PLAIN = {
    pl.Float64: plain_number,
    pl.Int64: lambda text: text.cast(pl.Int64, strict=False),
    pl.Date: lambda text: text.str.to_date("%Y-%m-%d", strict=False),
}

CONVERTERS = {
    pl.Float64: (number, "geen getal"),
    pl.Int64: (integer, "geen geheel getal"),
    pl.Date: (date, "geen geldige datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)"),
    pl.Boolean: (boolean, "geen geldige ja/nee-waarde (verwacht ja/nee, true/false, 1/0 of yes/no)"),
}


def _over_long(raw: pl.DataFrame, spec: TableSpec, limits: Limits) -> tuple[pl.DataFrame, list[str]]:
    """Per cell whether it is longer than its column allows, and the columns where any is."""
    over = raw.select((pl.col(c).str.len_chars() > limits.max_chars(c)).fill_null(False).alias(c) for c in spec.columns)
    flagged = [c for c, anything in zip(spec.columns, over.select(pl.all().any()).row(0), strict=True) if anything]
    return over, flagged


def _emptied(raw: pl.DataFrame, over: pl.DataFrame, flagged: list[str]) -> pl.DataFrame:
    if not flagged:
        return raw
    return raw.with_columns(pl.when(over[c]).then(None).otherwise(pl.col(c)).alias(c) for c in flagged)


def _length_errors(raw: pl.DataFrame, over: pl.DataFrame, flagged: list[str], limits: Limits) -> pl.DataFrame:
    if not flagged:
        return pl.DataFrame(schema=ERROR_COLUMNS)
    errors = [
        raw.filter(over[c]).select(
            pl.col(ROW),
            pl.lit(c).alias("column_name"),
            pl.col(c).alias("value"),
            pl.format("waarde is te lang: {} tekens, maximaal {}", pl.col(c).str.len_chars(), pl.lit(limits.max_chars(c))).alias(
                "reason"
            ),
        )
        for c in flagged
    ]
    return pl.concat(errors)


class TooManyFailures(Exception):
    """More rows of a table fail than ``Limits.quarantine_rows`` allows: the file is refused whole."""


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def check_failures(raw: pl.DataFrame, typed: pl.DataFrame, over: pl.DataFrame, spec: TableSpec, limits: Limits) -> int:
    """How many rows are unusable by a cheap vectorised test; beyond the cap the file is refused.

    A row counts when a required field is empty, a filled cell cannot be read as its type, a cell is
    too long or the row has more fields than the header: one boolean per row, no failure cases.
    """
    dtypes = spec.dtypes
    unreadable = [raw[c].is_not_null() & typed[c].is_null() & (raw[c] != RAGGED) for c in spec.columns if dtypes[c] in CONVERTERS]
    empty = [typed[c].is_null() for c in spec.required if c in typed.columns]
    parts = [*unreadable, *empty, *over.get_columns(), raw[spec.columns[0]] == RAGGED]
    failing = pl.DataFrame([p.fill_null(False).alias(f"f{i}") for i, p in enumerate(parts)]).select(pl.any_horizontal(pl.all()))
    count = int(failing.to_series().sum())
    _refuse_beyond_cap(count, raw.height, limits)
    return count


def _refuse_beyond_cap(count: int, height: int, limits: Limits) -> None:
    if count > limits.quarantine_rows:
        raise TooManyFailures(
            f"{_n(count)} van de {_n(height)} rijen zijn onbruikbaar (verplicht veld leeg, onleesbare waarde,"
            f" te lang of te veel velden); de grens is {_n(limits.quarantine_rows)} rijen in quarantaine per tabel;"
            " klopt het scheidingsteken en de kopregel? Niets geladen"
        )


def parse(raw: pl.DataFrame, spec: TableSpec, limits: Limits | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The typed frame (with ROW) and one error row per cell that could not be read (or is too long).

    Raises ``TooManyFailures`` before any error row is built when more rows are unusable than
    ``limits.quarantine_rows``.
    """
    limits = limits or current()
    over, flagged = _over_long(raw, spec, limits)
    original, raw = raw, _emptied(raw, over, flagged)
    required = [c for c in spec.required if c in raw.columns]
    if required:  # the cheapest test first: rows missing a required field, before any cell is typed
        empty = raw.select(pl.any_horizontal(pl.col(c).is_null() for c in required).sum()).item()
        _refuse_beyond_cap(int(empty), raw.height, limits)
    dtypes = spec.dtypes
    plain = [c for c in spec.columns if dtypes[c] in PLAIN]
    first_try = raw.select(*[PLAIN[dtypes[c]](pl.col(c)).alias(c) for c in plain])
    failed = first_try.select(*[(pl.col(c).is_null() & raw[c].is_not_null()).any() for c in plain]).row(0) if plain else ()
    done = {c for c, bad in zip(plain, failed, strict=True) if not bad}
    typed = raw.select(
        pl.col(ROW),
        *[
            first_try[c] if c in done else CONVERTERS[dtypes[c]][0](pl.col(c)).alias(c) if dtypes[c] in CONVERTERS else pl.col(c)
            for c in spec.columns
        ],
    )
    check_failures(raw, typed, over, spec, limits)
    errors = [_length_errors(original, over, flagged, limits), _ragged_rows(raw, spec)]
    for c in spec.columns:
        if dtypes[c] not in CONVERTERS:
            continue
        bad = raw[c].is_not_null() & typed[c].is_null() & (raw[c] != RAGGED)
        if bad.any():
            rows = raw.filter(bad).select(
                pl.col(ROW),
                pl.lit(c).alias("column_name"),
                pl.col(c).alias("value"),
                pl.lit(CONVERTERS[dtypes[c]][1]).alias("reason"),
            )
            errors.append(rows)
    return typed, pl.concat(errors, how="vertical")


def _ragged_rows(raw: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    first = spec.columns[0]
    return raw.filter(pl.col(first) == RAGGED).select(
        pl.col(ROW),
        pl.lit(None, dtype=pl.String).alias("column_name"),
        pl.lit(None, dtype=pl.String).alias("value"),
        pl.lit("rij heeft meer velden dan de kopregel (scheidingsteken in een waarde zonder aanhalingstekens?)").alias("reason"),
    )
