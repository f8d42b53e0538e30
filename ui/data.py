"""Query results for the pages, for the logged-in viewer, cached per viewer scope and data version.

Every call goes through ``queries.run`` with the viewer, so the data layer decides what
may be seen; the cache key holds the viewer's scope, so one user's cached rows can never
serve another. Each view of patient rows writes an audit row, cached or not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import polars as pl
import streamlit as st

import queries
from access import audit
from access.roles import AccessDenied, Viewer
from analytics.prediction import OptionModels, Validation
from queries.peers import PeerComparison, own_trend, peer_comparison
from queries.similar import (
    OptionResult,
    PathwayModels,
    expected_trajectory,
    fit_own,
    fit_pathway,
    patients_like_me,
    validate_pathway,
)
from reports.meeting_pack import build as meeting_pack_build
from ui.text import lang
from warehouse import actions
from warehouse.connection import data_version, published, warehouse_path


def pin_version() -> None:
    """Pin the published version for this script run, so one page never mixes two versions."""
    st.session_state["pinned_version"] = published() if warehouse_path().exists() else None


def _db() -> Path:
    pinned = st.session_state.get("pinned_version")
    return pinned if pinned is not None and pinned.exists() else warehouse_path()


def current_viewer() -> Viewer | None:
    return st.session_state.get("viewer")


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(
    name: str, params: tuple[tuple[str, object], ...], _viewer: Viewer, scope: tuple, path: str, version: str
) -> pl.DataFrame:
    del scope, version  # part of the cache key only
    return queries.run(name, _viewer, db=Path(path), **dict(params))


def _audited(key: str, value: object) -> object:
    """A parameter as the audit trail records it: an episode's pseudonym only as a fingerprint.

    Whoever reads the trail (an administrator) sees that one episode was opened and can check
    which by fingerprinting a known pseudonym, but the trail itself lists no patients.
    """
    if key in ("episode_id", "patient_id"):
        return "#" + hashlib.sha256(str(value).encode()).hexdigest()[:12]
    return value


def query(name: str, **params: object) -> pl.DataFrame:
    """Run a named query as the logged-in viewer (refused when nobody is logged in)."""
    viewer = current_viewer()
    authorised = queries.authorise(name, viewer, params)
    if viewer is None:  # authorise has refused already; this keeps type checkers informed
        raise AccessDenied("nobody is logged in")
    if queries.rule(name).patient_rows:
        described = ", ".join(f"{k}={_audited(k, v)}" for k, v in sorted(authorised.items()) if not isinstance(v, list))
        audit.record("view_patient_rows", f"{name}: {described}", viewer)
    if queries.rule(name).store == "actions":  # small, changes without a new data version: never cached
        return queries.run(name, viewer, db=warehouse_path(), **authorised)
    path = _db()
    return _cached(
        name, tuple(sorted(authorised.items(), key=lambda kv: kv[0])), viewer, viewer.scope, str(path), data_version(path)
    )


def warehouse_exists() -> bool:
    return warehouse_path().exists()


@st.cache_data(max_entries=128, show_spinner=False)
def _peers(
    _viewer: Viewer, scope: tuple, name: str, pathway: str, code: str, start: dt.date, end: dt.date, path: str, version: str
) -> PeerComparison:
    del scope, version
    return peer_comparison(_viewer, name, pathway, code, start, end, db=Path(path))


@st.cache_data(max_entries=128, show_spinner=False)
def _trend(_viewer: Viewer, scope: tuple, pathway: str, code: str, end: dt.date, path: str, version: str) -> pl.DataFrame:
    del scope, version
    return own_trend(_viewer, pathway, code, end, db=Path(path))


def peers(name: str, pathway: str, code: str, start: dt.date, end: dt.date) -> PeerComparison:
    """The protected peer comparison for the logged-in viewer (cached per scope and data version)."""
    viewer = current_viewer()
    path = _db()
    return _peers(viewer, viewer.scope if viewer else None, name, pathway, code, start, end, str(path), data_version(path))


def trend(pathway: str, code: str, end: dt.date) -> pl.DataFrame:
    viewer = current_viewer()
    path = _db()
    return _trend(viewer, viewer.scope if viewer else None, pathway, code, end, str(path), data_version(path))


def may_record_actions() -> bool:
    viewer = current_viewer()
    return viewer is not None and viewer.role in actions.WRITERS


def record_action(action: dict[str, object], indicator_codes: list[str]) -> int:
    """Store a new improvement action of the logged-in viewer's centre (validated; raises ActionInvalid)."""
    viewer = current_viewer()
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    action_id = actions.record_action(warehouse_path(), viewer, action, indicator_codes)
    audit.record("action_recorded", f"action {action_id}: {action.get('pathway')}", viewer)
    return action_id


def update_action(action_id: int, changes: dict[str, object], indicator_codes: list[str]) -> int:
    viewer = current_viewer()
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    changed = actions.update_action(warehouse_path(), viewer, action_id, changes, indicator_codes)
    if changed:
        audit.record("action_updated", f"action {action_id}: {changed} fields", viewer)
    return changed


def meeting_pack(
    centre_code: str | None, pathway: str, month: dt.date, file_format: str, with_patients: bool
) -> Callable[[], bytes]:
    """A function that makes the meeting pack when the download is clicked (on its own thread, so
    everything it needs is captured now: the viewer, the pinned data version and the language)."""
    viewer = current_viewer()
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    path, chosen = _db(), lang()
    return lambda: meeting_pack_build(viewer, path, centre_code, pathway, month, file_format, with_patients, chosen)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pathway_models(pathway: str, path: str, version: str) -> PathwayModels:
    del version  # part of the cache key only: a new data version refits
    return fit_pathway(pathway, Path(path))


@st.cache_resource(max_entries=64, show_spinner=False)
def _own_models(pathway: str, centre_code: str, path: str, version: str) -> dict[str, OptionModels]:
    del version
    return fit_own(pathway, centre_code, Path(path))


@st.cache_resource(max_entries=16, show_spinner=False)
def _pathway_validations(pathway: str, path: str, version: str) -> list[Validation]:
    del version
    return validate_pathway(pathway, Path(path))


def pathway_validations(pathway: str) -> list[Validation]:
    """Held-out validation of the pooled models (computed when someone asks for the details)."""
    path = _db()
    return _pathway_validations(pathway, str(path), data_version(path))


def pathway_models(pathway: str) -> PathwayModels:
    """The pooled prediction models of a pathway, refitted when a new data version is published."""
    path = _db()
    return _pathway_models(pathway, str(path), data_version(path))


def like_me(pathway: str, profile: dict[str, object]) -> list[OptionResult]:
    """Per treatment option, the own centre's and all centres' figures for a patient like this one."""
    viewer = current_viewer()
    if viewer is None or viewer.centre_code is None:
        raise AccessDenied("patients like me is for a centre's own team")
    path = _db()
    own = _own_models(pathway, viewer.centre_code, str(path), data_version(path))
    return patients_like_me(viewer, profile, pathway_models(pathway), own, pathway)


def trajectory(pathway: str, episode: dict[str, object]) -> pl.DataFrame:
    return expected_trajectory(current_viewer(), pathway, episode, pathway_models(pathway))
