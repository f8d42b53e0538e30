"""The dashboard's questions: one ``.sql`` file each, run with named parameters.

``run("review_monthly", centre_code="UMCU", ...)`` reads ``review_monthly.sql`` and binds
``$centre_code`` and the rest as parameters (never formatted into the text), on a
read-only connection, and returns a polars DataFrame.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polars as pl

from warehouse.connection import reader

QUERY_DIR = Path(__file__).parent


@cache
def sql_text(name: str) -> str:
    path = QUERY_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def parameters(name: str) -> frozenset[str]:
    """The ``$name`` parameters a query uses (comments excluded)."""
    code = re.sub(r"--[^\n]*", "", sql_text(name))
    return frozenset(re.findall(r"\$([a-z_][a-z0-9_]*)", code))


def run(name: str, db: Path | None = None, **params: object) -> pl.DataFrame:
    """Run one named query with its parameters; a missing or unknown parameter is an error."""
    expected = parameters(name)
    if set(params) != expected:
        raise TypeError(f"query {name} takes {sorted(expected)}, got {sorted(params)}")
    with reader(db) as con:
        return con.sql(sql_text(name), params=params or None).pl()
