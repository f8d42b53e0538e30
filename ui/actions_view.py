"""The review page's improvement actions: the open ones on the agenda, the log, and the forms."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from analytics.indicators import Indicator
from analytics.monthly import add_months
from data_models.actions import STATUSES, ActionInvalid
from services.monthly_review import MonthlyReview
from texts import label, month_name, t
from texts.sentences import action_line, status_name
from ui.context import Context
from ui.practices_view import render_share
from ui.review_data import action_history, may_record_actions, record_action, update_action
from ui.review_view import show_table
from ui.safe_text import plain

USER_FIELDS = ("what", "who", "expected_effect", "result_note")


def render_open(review: MonthlyReview) -> None:
    """The open actions this meeting reviews, under the agenda."""
    rows = review.open_actions
    if rows.is_empty():
        return
    names = {code: label(labels) for code, labels in review.labels.items()}
    st.markdown(f"**{t('actions_to_review')}**")
    for row in rows.iter_rows(named=True):
        st.markdown(f"- :material/flag: {action_line(as_text(row), names)}")


def as_text(row: dict) -> dict:
    """The action with its typed fields made inert for Markdown: they show as written, never as links or images."""
    return {**row, **{field: plain(row[field]) for field in USER_FIELDS if field in row}}


def _show_errors(err: ActionInvalid) -> None:
    st.error(t("action_invalid") + "\n" + "\n".join(f"- {e}" for e in err.errors))


def _done(message: str) -> None:
    """Say it after a rerun, so the agenda and the chart above show the change too."""
    st.session_state["action_message"] = message
    st.rerun()


def _start_options(ctx: Context) -> list[dt.date]:
    return [*ctx.months[-12:], add_months(ctx.month, 1), add_months(ctx.month, 2)]


def render_message() -> None:
    """What the last save did, said once after the rerun it caused."""
    if "action_message" in st.session_state:
        st.success(st.session_state.pop("action_message"))


def render_new(ctx: Context, indicators: list[Indicator], chosen_code: str) -> None:
    codes = [i.code for i in indicators]
    names = {i.code: label(i.label) for i in indicators}
    starts = _start_options(ctx)
    with st.expander(t("action_new"), icon=":material/add:"), st.form("new_action", clear_on_submit=True):
        # keyed by the indicator shown, so the choice starts at that indicator, not at the one chosen before
        code = st.selectbox(t("action_indicator"), codes, index=codes.index(chosen_code) if chosen_code in codes else 0,
                            format_func=names.get, key=f"new_action_indicator_{chosen_code}")  # fmt: skip
        what = st.text_area(t("action_what"), key="new_action_what", max_chars=500)
        who = st.text_input(t("action_who"), key="new_action_who", max_chars=100)
        start = st.selectbox(t("action_start"), starts, index=len(starts) - 2, format_func=month_name, key="new_action_start")
        effect = st.text_area(t("action_effect"), key="new_action_effect", max_chars=500)
        status = st.selectbox(t("action_status"), STATUSES, format_func=status_name, key="new_action_status")
        if st.form_submit_button(t("action_save"), icon=":material/save:"):
            action = {"pathway": ctx.pathway, "indicator_code": code, "what": what, "who": who, "start_month": start,
                      "expected_effect": effect, "status": status, "result_note": None}  # fmt: skip
            try:
                _done(t("action_saved", id=record_action(action)))
            except ActionInvalid as err:
                _show_errors(err)


def render_edit(ctx: Context, actions: pl.DataFrame, indicators: list[Indicator]) -> None:
    if actions.is_empty():
        return
    codes = [i.code for i in indicators]
    names = {i.code: label(i.label) for i in indicators}
    by_id = {r["action_id"]: r for r in actions.iter_rows(named=True)}
    with st.expander(t("action_edit"), icon=":material/edit:"):
        action_id = st.selectbox(
            t("action_choose"), list(by_id), format_func=lambda i: f"#{i} · {by_id[i]['what'][:60]}", key="edit_action_id"
        )
        row = by_id[action_id]
        starts = sorted({*_start_options(ctx), row["start_month_date"]})
        with st.form(f"edit_action_{action_id}"):
            status = st.selectbox(t("action_status"), STATUSES, index=STATUSES.index(row["status"]), format_func=status_name)
            result = st.text_area(t("action_result"), value=row["result_note"] or "", max_chars=500)
            what = st.text_area(t("action_what"), value=row["what"], max_chars=500)
            who = st.text_input(t("action_who"), value=row["who"], max_chars=100)
            effect = st.text_area(t("action_effect"), value=row["expected_effect"], max_chars=500)
            code = st.selectbox(t("action_indicator"), codes, index=codes.index(row["indicator_code"]) if row["indicator_code"] in codes else 0,
                                format_func=names.get)  # fmt: skip
            start = st.selectbox(t("action_start"), starts, index=starts.index(row["start_month_date"]), format_func=month_name)
            if st.form_submit_button(t("action_save"), icon=":material/save:"):
                changes = {"status": status, "result_note": result, "what": what, "who": who, "expected_effect": effect,
                           "indicator_code": code, "start_month": start}  # fmt: skip
                try:
                    n = update_action(ctx.pathway or "", action_id, changes)
                except ActionInvalid as err:
                    _show_errors(err)
                else:
                    _done(t("action_updated", id=action_id, n=n) if n else t("action_unchanged"))


def render_log(ctx: Context, actions: pl.DataFrame, names: dict[str, str]) -> None:
    if actions.is_empty():
        st.info(t("actions_none"))
        return
    table = actions.select(
        pl.col("action_id").alias(t("table_column_action_id")),
        pl.col("indicator_code").replace_strict(names, default=pl.col("indicator_code")).alias(t("action_indicator")),
        pl.col("what").alias(t("action_what")),
        pl.col("who").alias(t("action_who")),
        pl.col("start_month_date").alias(t("action_start")),
        pl.col("status")
        .replace_strict({s: status_name(s) for s in STATUSES}, default=pl.col("status"))
        .alias(t("action_status")),
        pl.col("expected_effect").alias(t("action_effect")),
        pl.col("result_note").alias(t("action_result")),
    )
    show_table(table, key="actions_table")
    with st.expander(t("action_history"), icon=":material/history:"):
        show_table(history_in_words(action_history(ctx), names), key="actions_history")
    for row in actions.filter(pl.col("status") == "done").iter_rows(named=True):
        with st.expander(t("action_done_effect", what=plain(row["what"])), icon=":material/share:"):
            render_share(ctx, row["action_id"])


# an action's fields as the history names them, in words
FIELD_WORDS = {
    "indicator_code": "action_indicator", "what": "action_what", "who": "action_who", "start_month": "action_start",
    "expected_effect": "action_effect", "status": "action_status", "result_note": "action_result",
}  # fmt: skip


def history_in_words(history: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """The actions' history with each field, indicator and status in words instead of its code."""
    if history.is_empty():
        return history
    statuses = {s: status_name(s) for s in STATUSES}

    def value(field: str, old: pl.Expr) -> pl.Expr:
        spoken = names if field == "indicator_code" else statuses if field == "status" else None
        return old.replace(spoken) if spoken else old

    fields = history["field_name"].unique().to_list()
    words = {f: t(FIELD_WORDS[f]) for f in fields if f in FIELD_WORDS}
    out = history
    for column in ("old_value", "new_value"):
        out = out.with_columns(
            pl.coalesce(
                *[pl.when(pl.col("field_name") == f).then(value(f, pl.col(column))) for f in fields], pl.col(column)
            ).alias(column)
        )
    return out.with_columns(pl.col("field_name").replace(words))


def render_actions(ctx: Context, review: MonthlyReview, chosen_code: str) -> None:
    st.subheader(t("actions_title"))
    st.caption(t("actions_caption"))
    render_message()
    actions, indicators = review.actions, review.indicators
    if may_record_actions():
        render_new(ctx, indicators, chosen_code)
        render_edit(ctx, actions, indicators)
    else:
        st.caption(t("action_read_only"))
    render_log(ctx, actions, {i.code: label(i.label) for i in indicators})
