"""The review and adoption pages' answers, for the logged-in viewer: their services, asked through ``ui.data.query``.

Each service (``services.monthly_review``, ``services.adoption``, ``services.actions``) is asked
with ``fetch=query``: every query it runs is authorised for the logged-in viewer on every call,
cached per viewer scope and data version (the action store's rows per its stamp: it changes without a
new data version, and every write renews the stamp), a refusal writes a "refused" audit row and patient
rows a "view_patient_rows" row. So
the pages lay out what these return, and the meeting pack, asking the same service without the
cache, shows the same numbers.

The meeting pack itself is made by ``reports`` (which ``ui`` never imports): the page hands its
builder to ``meeting_pack``, which captures now what the download needs later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl
import streamlit as st

from access.roles import AccessDenied, Viewer
from analytics.indicators import Indicator, Summary
from services import actions as action_service
from services.adoption import Adoption
from services.adoption import adoption as adoption_of
from services.monthly_review import Charts, GrainChart, MeetingItem, MonthlyReview, RareChart, cohort_reviewed
from services.monthly_review import longer_grain as longer_grain_of
from services.monthly_review import meeting_item as meeting_item_of
from services.monthly_review import meeting_items as meeting_items_of
from services.monthly_review import meeting_patients as meeting_patients_of
from services.monthly_review import monthly_review as monthly_review_of
from services.monthly_review import rare_event as rare_event_of
from services.monthly_review import review_patients as review_patients_of
from texts import lang
from ui.context import Context
from ui.data import current_viewer, data_version, pinned_db, query, scope_of
from warehouse.actions import ChartSettings
from warehouse.connection import warehouse_path

# the meeting pack's builder: (viewer, db, centre, pathway, month, file format, with patients, language) → the file
PackBuilder = Callable[[Viewer, Path, str | None, str, dt.date, str, bool, str], bytes]


def _viewer() -> Viewer:
    viewer = current_viewer()
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    return viewer


def _place(ctx: Context) -> tuple[str, dt.date]:
    """The sidebar's pathway and month (``ui.context.current_with_month`` gives both)."""
    if ctx.pathway is None or ctx.month is None:
        raise ValueError("no pathway and month chosen")
    return ctx.pathway, ctx.month


def monthly_review(ctx: Context) -> MonthlyReview:
    """The review of the sidebar's centre, pathway and month (``services.monthly_review``), its charts kept."""
    pathway, month = _place(ctx)
    viewer = current_viewer()
    place = _kept_under(viewer, ctx.centre_code, pathway)
    return monthly_review_of(viewer, None, ctx.centre_code, pathway, month, fetch=query, charts=_kept_charts(place))


def _kept_under(viewer: Viewer | None, centre_code: str | None, pathway: str) -> tuple:
    """What a kept answer is kept under: the viewer's scope, the pinned data version, the centre and pathway."""
    db = pinned_db()
    return (scope_of(viewer) if viewer else None, str(db), data_version(db), centre_code, pathway)


def _settings_key(settings: Mapping[str, ChartSettings]) -> tuple:
    return tuple(sorted((code, s.baseline_until, tuple(sorted(s.exclude.items()))) for code, s in settings.items()))


@st.cache_resource(max_entries=256, show_spinner=False)
def _charts(
    place: tuple, codes: tuple[str, ...], month: dt.date, settings_key: tuple,
    _indicators: list[Indicator], _rows: pl.DataFrame, _settings: dict[str, ChartSettings],
) -> list[Summary]:  # fmt: skip
    """The charts, kept per viewer scope, data version, centre, pathway, month and chart settings.

    The rows are the viewer's cached query result for that scope and version, so the key settles them
    (arguments named with ``_`` are not part of Streamlit's key)."""
    del codes, settings_key  # part of the key only
    return cohort_reviewed(_indicators, _rows, month, _settings)


def _kept_charts(place: tuple) -> Charts:
    def charts(indicators: list[Indicator], rows: pl.DataFrame, month: dt.date, settings: dict[str, ChartSettings]) -> list:
        codes = tuple(i.code for i in indicators)
        return _charts(place, codes, month, _settings_key(settings), indicators, rows, settings)

    return charts


def review_patients(ctx: Context) -> pl.DataFrame:
    """The month's patients with their flags (audited as a view of patient rows)."""
    pathway, month = _place(ctx)
    return review_patients_of(current_viewer(), None, ctx.centre_code, pathway, month, fetch=query)


def meeting_count(review: MonthlyReview) -> int:
    """How many items the meeting has after its agenda (``services.monthly_review.meeting_items``)."""
    return len(meeting_items_of(review))


def meeting_item(review: MonthlyReview, position: int) -> MeetingItem:
    return meeting_item_of(review, position)


def meeting_patients(review: MonthlyReview, item: MeetingItem) -> pl.DataFrame:
    """The patients to discuss for a meeting item (audited as a view of patient rows when there are any)."""
    return meeting_patients_of(current_viewer(), None, review, item, fetch=query)


def rare_event(ctx: Context, indicator: Indicator) -> RareChart:
    pathway, month = _place(ctx)
    return rare_event_of(current_viewer(), None, ctx.centre_code, pathway, month, indicator, fetch=query)


def longer_grain(ctx: Context, indicator: Indicator, grain: str) -> GrainChart:
    """The indicator per quarter or rolling window, kept per viewer scope, data version and place (no team setting
    changes it); a refused question raises before anything is kept, on every call."""
    pathway, month = _place(ctx)
    viewer = current_viewer()
    return _grain_chart((*_kept_under(viewer, ctx.centre_code, pathway), month), indicator.code, grain, viewer, indicator)


@st.cache_resource(max_entries=256, show_spinner=False)
def _grain_chart(place: tuple, code: str, grain: str, _viewer: Viewer | None, _indicator: Indicator) -> GrainChart:
    del code  # part of the key only
    _, _, _, centre_code, pathway, month = place
    return longer_grain_of(_viewer, None, centre_code, pathway, month, _indicator, grain, fetch=query)


def adoption(ctx: Context) -> Adoption:
    """Adoption over the twelve months up to the sidebar's month, for the sidebar's centre (None: all)."""
    _, month = _place(ctx)
    return adoption_of(current_viewer(), None, month, centre_code=ctx.centre_code, fetch=query)


# --- the team's improvement actions and chart settings (the action store, beside the warehouse) ---


def action_history(ctx: Context) -> pl.DataFrame:
    pathway, _ = _place(ctx)
    return action_service.action_history(current_viewer(), None, ctx.centre_code, pathway, fetch=query)


def may_record_actions() -> bool:
    return action_service.may_record(current_viewer())


def record_action(action: Mapping[str, object]) -> int:
    """A new improvement action of the logged-in viewer's centre (validated; raises ActionInvalid)."""
    return action_service.record_action(_viewer(), warehouse_path(), action)


def update_action(pathway: str, action_id: int, changes: Mapping[str, object]) -> int:
    return action_service.update_action(_viewer(), warehouse_path(), pathway, action_id, changes)


def save_chart_settings(
    pathway: str,
    indicator_code: str,
    months: Sequence[dt.date],
    baseline_until: dt.date | None,
    exclude: Mapping[dt.date, str],
) -> int:
    return action_service.save_chart_settings(
        _viewer(), warehouse_path(), pathway, indicator_code, months, baseline_until, exclude
    )


def clear_chart_settings(pathway: str, indicator_code: str) -> int:
    return action_service.clear_chart_settings(_viewer(), warehouse_path(), pathway, indicator_code)


# --- the meeting pack ---


def meeting_pack(ctx: Context, file_format: str, with_patients: bool, build: PackBuilder) -> Callable[[], bytes]:
    """A function that makes the meeting pack when the download is clicked (on its own thread, so everything
    it needs is captured now: the viewer, the pinned data version and the language)."""
    viewer, path, chosen = _viewer(), pinned_db(), lang()
    (pathway, month), centre = _place(ctx), ctx.centre_code
    return lambda: build(viewer, path, centre, pathway, month, file_format, with_patients, chosen)
