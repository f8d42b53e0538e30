"""The team's improvement actions and chart settings: recorded and changed through the action store, with access checks.

Only a centre's own care team and centre lead write (``warehouse.actions.WRITERS``), and only for
their own centre and the pathways they may see; the store checks this again on every write. This
layer adds what the store cannot know: an action aims at an indicator of its pathway's outcome set
(the codes come from ``analytics.indicators.indicators_for``, never from the caller), an action is
changed only through the pathway it belongs to, and each change writes an audit row.

``db`` is the warehouse the action store lies beside (``warehouse.actions.actions_path``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl

import queries
from access import audit
from access.roles import AccessDenied, Viewer
from analytics.indicators import indicators_for
from data_models.outcome_sets import outcome_sets
from warehouse import actions as store

__all__ = [
    "action_history", "clear_chart_settings", "indicator_codes", "may_record", "record_action", "save_chart_settings",
    "update_action", "writer_for",
]  # fmt: skip

Fetch = Callable[..., pl.DataFrame]  # fetch(query name, **parameters) → the query's rows for the viewer


def may_record(viewer: Viewer | None) -> bool:
    """Whether the viewer records actions and chart settings at all (its own centre's, where it may see the pathway)."""
    return viewer is not None and viewer.role in store.WRITERS and viewer.centre_code is not None


def indicator_codes(pathway: str) -> list[str]:
    """The codes an action or a chart setting of ``pathway`` may aim at: the indicators of its outcome set."""
    sets = outcome_sets()
    if pathway not in sets:
        raise AccessDenied(f"no pathway {pathway!r}")
    return [i.code for i in indicators_for(sets[pathway])]


def writer_for(viewer: Viewer | None, pathway: object) -> Viewer:
    """The viewer, when it may write actions (and share practices) of ``pathway`` for its own centre; else AccessDenied."""
    return _writer(viewer, pathway)


def _writer(viewer: Viewer | None, pathway: object) -> Viewer:
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    if not may_record(viewer) or not isinstance(pathway, str) or not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not record actions for {viewer.centre_code or 'any centre'}/{pathway}")
    return viewer


def record_action(viewer: Viewer | None, db: Path, action: Mapping[str, object], at: dt.datetime | None = None) -> int:
    """Store a new action of the viewer's own centre (validated; raises ActionInvalid); returns its number."""
    writer = _writer(viewer, action.get("pathway"))
    pathway = str(action["pathway"])
    action_id = store.record_action(db, writer, dict(action), indicator_codes(pathway), at=at)
    audit.record("action_recorded", f"action {action_id}: {pathway}", writer)
    return action_id


def update_action(
    viewer: Viewer | None,
    db: Path,
    pathway: str,
    action_id: int,
    changes: Mapping[str, object],
    at: dt.datetime | None = None,
) -> int:
    """Change an action of the viewer's own centre and ``pathway``; returns how many fields changed (each logged).

    An action of another centre or pathway is refused as if it did not exist for this viewer.
    """
    writer = _writer(viewer, pathway)
    own = queries.run("review_actions", writer, db=db, centre_code=writer.centre_code, pathway=pathway)
    if action_id not in set(own["action_id"].to_list()):
        raise AccessDenied(f"{writer.user} has no action {action_id} in {writer.centre_code}/{pathway}")
    changed = store.update_action(db, writer, action_id, dict(changes), indicator_codes(pathway), at=at)
    if changed:
        audit.record("action_updated", f"action {action_id}: {changed} fields", writer)
    return changed


def save_chart_settings(
    viewer: Viewer | None,
    db: Path,
    pathway: str,
    indicator_code: str,
    months: Sequence[dt.date],
    baseline_until: dt.date | None,
    exclude: Mapping[dt.date, str],
) -> int:
    """Set one chart's baseline and excluded months (raises ChartSettingsInvalid); the store audits the change."""
    writer = _writer(viewer, pathway)
    codes = indicator_codes(pathway)
    return store.save_chart_settings(db, writer, pathway, indicator_code, codes, months, baseline_until, exclude)


def clear_chart_settings(viewer: Viewer | None, db: Path, pathway: str, indicator_code: str) -> int:
    """Remove every setting of one chart of the viewer's own centre; returns how many."""
    return store.clear_chart_settings(db, _writer(viewer, pathway), pathway, indicator_code)


def action_history(
    viewer: Viewer | None, db: Path | None, centre_code: str | None, pathway: str, *, fetch: Fetch | None = None
) -> pl.DataFrame:
    """Who changed which action of the centre's pathway, which field, from what to what, and when (newest first)."""
    if fetch is None:
        fetch = lambda name, **params: queries.run(name, viewer, db=db, **params)  # noqa: E731
    return fetch("review_action_changes", centre_code=centre_code, pathway=pathway)
