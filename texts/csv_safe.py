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

import polars as pl

from texts.language import lang

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


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV as a Dutch spreadsheet opens it (``;`` and decimal comma), or plain when English; formula-safe."""
    frame = formula_safe(frame)
    if lang() == "nl":
        return frame.write_csv(separator=";", decimal_comma=True).encode("utf-8-sig")
    return frame.write_csv().encode("utf-8")
