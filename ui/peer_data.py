"""The comparison page's service answers for the logged-in viewer: one indicator against a chosen peer group,
and the scorecard of all indicators, cached per viewer scope and data version as ``ui.data`` caches ``peers``."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from access.roles import AccessDenied, Viewer
from services.peer_comparison import PeerComparison, ReportingPeriod, Scorecard, own_trend, peer_comparison, peer_scorecard
from ui.data import current_viewer, pinned_db, refusals_recorded, scope_of
from warehouse.connection import data_version


# keyed by the scope of the viewer passed in (never by a scope passed beside it), as ui.data's queries
@st.cache_data(max_entries=128, show_spinner=False, hash_funcs={Viewer: scope_of})
def _compared(
    viewer: Viewer, name: str, pathway: str, code: str, period: ReportingPeriod, group: str, path: str, version: str
) -> PeerComparison:
    del version  # part of the cache key only
    return peer_comparison(viewer, name, pathway, code, period, db=Path(path), group=group)


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs={Viewer: scope_of})
def _trend(
    viewer: Viewer, name: str, pathway: str, code: str, periods: tuple[ReportingPeriod, ...], group: str, path: str, version: str
) -> pl.DataFrame:
    del version
    return own_trend(viewer, name, pathway, code, list(periods), db=Path(path), group=group)


def _viewer() -> Viewer:
    viewer = current_viewer()
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    return viewer


@refusals_recorded("peers")
def compared(name: str, pathway: str, code: str, period: ReportingPeriod, group: str) -> PeerComparison:
    """One indicator's protected comparison against the chosen peer group, in a half-year or a free period."""
    path = pinned_db()
    return _compared(_viewer(), name, pathway, code, period, group, str(path), data_version(path))


@refusals_recorded("scorecard")
def scorecard(name: str, pathway: str, period: ReportingPeriod, mode: str, group: str) -> Scorecard:
    """Every indicator of the pathway against the chosen peer group, each row the cached comparison of that indicator."""
    viewer, path = _viewer(), pinned_db()
    version = data_version(path)
    return peer_scorecard(
        viewer, name, pathway, period, mode, group=group,
        compared=lambda code: _compared(viewer, name, pathway, code, period, group, str(path), version),
    )  # fmt: skip


@refusals_recorded("trend")
def group_trend(name: str, pathway: str, code: str, periods: list[ReportingPeriod], group: str) -> pl.DataFrame:
    """The own adjusted result per closed half-year against the chosen peer group's target."""
    path = pinned_db()
    return _trend(_viewer(), name, pathway, code, tuple(periods), group, str(path), data_version(path))
