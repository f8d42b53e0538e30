"""Query results for the pages, cached per data version so a new load is picked up at once."""

from __future__ import annotations

import polars as pl
import streamlit as st

import queries
from queries.peers import PeerComparison, own_trend, peer_comparison
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


@st.cache_data(max_entries=128, show_spinner=False)
def _peers(viewer: str, name: str, pathway: str, code: str, start, end, path: str, version: str) -> PeerComparison:
    del version
    return peer_comparison(viewer, name, pathway, code, start, end, db=warehouse_path().__class__(path))


@st.cache_data(max_entries=128, show_spinner=False)
def _trend(viewer: str, pathway: str, code: str, end, path: str, version: str) -> pl.DataFrame:
    del version
    return own_trend(viewer, pathway, code, end, db=warehouse_path().__class__(path))


def peers(viewer: str, name: str, pathway: str, code: str, start, end) -> PeerComparison:
    """The protected peer comparison for this viewer (cached per viewer, parameters and data version)."""
    path = warehouse_path()
    return _peers(viewer, name, pathway, code, start, end, str(path), data_version(path))


def trend(viewer: str, pathway: str, code: str, end) -> pl.DataFrame:
    path = warehouse_path()
    return _trend(viewer, pathway, code, end, str(path), data_version(path))
