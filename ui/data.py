"""Query results for the pages, cached per data version so a new load is picked up at once."""

from __future__ import annotations

import polars as pl
import streamlit as st

import queries
from warehouse.connection import data_version, warehouse_path


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, params: tuple[tuple[str, object], ...], path: str, version: str) -> pl.DataFrame:
    del version  # part of the cache key only
    return queries.run(name, db=warehouse_path().__class__(path), **dict(params))


def query(name: str, **params: object) -> pl.DataFrame:
    """Run a named query; the cache key holds the parameters (the viewer's centre among them)."""
    path = warehouse_path()
    return _cached(name, tuple(sorted(params.items())), str(path), data_version(path))


def warehouse_exists() -> bool:
    return warehouse_path().exists()
