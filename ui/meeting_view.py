"""The review page's meeting mode: the agenda first, then one screen per item, next and previous.

Each item screen is made to fit a projector (1280×720) without scrolling: the chart large on the
left with what it means in one sentence, on the right the patients to discuss, the running actions
and the form for a new one (its indicator the item shown). What an item holds comes from
``services.monthly_review`` (``meeting_item``, ``meeting_patients``) through ``ui.review_data``.
"""

from __future__ import annotations

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.monthly_review import MeetingItem, MonthlyReview
from texts import date_text, label, month_name, number, t
from texts.review import patient_column_words, patients_in_words, spoken
from texts.sentences import action_line, baseline_marker, on_chart, sentence
from ui.actions_view import as_text, render_message, render_new, render_open
from ui.context import Context
from ui.drawn import drawn
from ui.figures_meeting import meeting_chart_figure
from ui.practices_view import render_practices_elsewhere
from ui.review_data import may_record_actions, meeting_count, meeting_item, meeting_patients
from ui.small_numbers_view import tile_notes

# The page's padding (6rem above, 10rem below) leaves a projector too little room: less, clear of the header.
PROJECTOR_CSS = "<style>[data-testid='stMainBlockContainer'] {padding-top: 3.5rem; padding-bottom: 1rem;}</style>"
STEP = "meeting_step"  # 0: the agenda; 1 … m: the items
PATIENT_ROWS_SHOWN = 4  # rows the patients' table shows before it scrolls within itself
ROW_PX = 35
# what the patients to discuss show beside who they are, by the flag that picked them
FLAG_COLUMN = {
    "has_complication": "adverse_events",
    "is_below_mic": "prom_change",
    "has_missing_prom": "proms_missing_n",
    "is_cost_far_above": "cost_eur",
}
FLAG_WORDS = {
    "has_complication": "flag_complication",
    "is_below_mic": "flag_below_mic",
    "has_missing_prom": "flag_missing_prom",
    "is_cost_far_above": "flag_cost",
}


def go_to(step: int) -> None:
    """A callback: the step is known before the page draws."""
    st.session_state[STEP] = step


def current_step(total: int) -> int:
    """The screen shown: the one chosen, within 0 … total (a month with fewer items falls back)."""
    step = st.session_state.get(STEP, 0)
    return step if isinstance(step, int) and 0 <= step <= total else 0


def render_navigation(step: int, total: int, where_drawn: DeltaGenerator) -> None:
    """Previous, "n van m", next: one row, in ``where_drawn`` (the page's top row)."""
    with where_drawn:
        st.button(t("meeting_previous"), key="meeting_previous", icon=":material/arrow_back:", disabled=step == 0,
                  on_click=go_to, args=(step - 1,))  # fmt: skip
        if step == 0:
            where = t("meeting_agenda_one") if total == 1 else t("meeting_agenda_position", m=total)
        else:
            where = t("meeting_position", n=step, m=total)
        st.markdown(f"**{where}**", width="content")
        st.button(t("meeting_next"), key="meeting_next", icon=":material/arrow_forward:", disabled=step >= total,
                  on_click=go_to, args=(step + 1,))  # fmt: skip


def render_meeting_agenda(review: MonthlyReview, total: int) -> None:
    st.subheader(t("agenda"))
    st.caption(t("review_complete_rule"))
    if total == 0:
        st.success(t("meeting_nothing"))
        return
    if not review.agenda:
        st.success(t("agenda_empty"))
    for position, summary in enumerate(review.agenda, start=1):
        st.markdown(f"{position}. {sentence(summary)}")
    render_open(review)
    st.button(t("meeting_start"), key="meeting_start", icon=":material/play_arrow:", type="primary", on_click=go_to, args=(1,))


def render_chart(review: MonthlyReview, item: MeetingItem) -> None:
    summary, ind = item.summary, item.summary.indicator
    st.subheader(label(ind.label))
    st.markdown(sentence(summary) if item.on_agenda else t("meeting_for_actions"))
    notes = tile_notes(summary)
    if summary.is_provisional:
        notes.append(t("provisional"))
    st.caption(" · ".join(notes))
    code = ind.code
    fig = drawn(
        meeting_chart_figure,
        summary.chart, label(ind.label), ind.unit == "pct", review.cohort_for(code), on_chart(review.actions, code),
        baseline_marker(review.settings_for(code), review.months_for(code)), ind.unit == "eur",
    )  # fmt: skip
    st.plotly_chart(fig, width="stretch", key=f"meeting_chart_{code}")


def patients_shown(patients: pl.DataFrame, pathway: str, flag: str) -> pl.DataFrame:
    """Who the patients are and what flagged them, in words and the language's number and date style."""
    shown = patients_in_words(patients, pathway)
    column = FLAG_COLUMN[flag]
    if shown.schema[column].is_float():
        decimals = 0 if column == "cost_eur" else 1
        shown = shown.with_columns(spoken(shown[column], lambda v: number(v, decimals)))
    shown = shown.with_columns(spoken(shown["treatment_date"], date_text))
    shown = shown.select("patient_id", "treatment_date", column, "treatment")  # what fits beside the chart first
    return shown.rename({**patient_column_words(shown.columns), "patient_id": t("meeting_patient")})


def render_patients(review: MonthlyReview, item: MeetingItem) -> None:
    st.markdown(f"**{t('meeting_patients')}**")
    if item.flag is None:
        st.caption(t("meeting_patients_no_flag"))
        return
    flag = t(FLAG_WORDS[item.flag])
    patients = meeting_patients(review, item)
    if patients.is_empty():
        st.caption(t("meeting_patients_none", flag=flag))
        return
    month = month_name(item.cohort or review.month)
    n = patients.height
    key = "meeting_patients_count_one" if n == 1 else "meeting_patients_count"
    st.caption(t(key, n=number(n), flag=flag, month=month))
    height = ROW_PX * (min(n, PATIENT_ROWS_SHOWN) + 1) + 3
    st.dataframe(patients_shown(patients, review.pathway, item.flag), hide_index=True, width="stretch", height=height,
                 key=f"meeting_patients_{item.code}")  # fmt: skip


def render_item_actions(ctx: Context, review: MonthlyReview, item: MeetingItem) -> None:
    st.markdown(f"**{t('meeting_actions')}**")
    render_message()
    if item.actions.is_empty():
        st.caption(t("meeting_actions_none"))
    names = {code: label(labels) for code, labels in review.labels.items()}
    for row in item.actions.iter_rows(named=True):
        st.markdown(f"- :material/flag: {action_line(as_text(row), names)}")
    if may_record_actions():
        render_new(ctx, review.indicators, item.code)
    if item.offers_practices:  # in a popover: the item's screen keeps its height
        with st.popover(t("practices_title"), icon=":material/lightbulb:"):
            render_practices_elsewhere(ctx, item.code, item.offers_practices)


def render_item(ctx: Context, review: MonthlyReview, item: MeetingItem) -> None:
    chart_column, side_column = st.columns([3, 2], gap="medium")
    with chart_column:
        render_chart(review, item)
    with side_column:
        render_patients(review, item)
        render_item_actions(ctx, review, item)


def render_meeting(ctx: Context, review: MonthlyReview, navigation: DeltaGenerator) -> None:
    """The meeting: the agenda (screen 0), then one screen per item, with next and previous in ``navigation``."""
    st.html(PROJECTOR_CSS)
    total = meeting_count(review)
    step = current_step(total)
    render_navigation(step, total, navigation)
    if step == 0:
        render_meeting_agenda(review, total)
    else:
        render_item(ctx, review, meeting_item(review, step))
