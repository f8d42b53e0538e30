"""Data and deliveries, for data managers: load log, quarantine, completeness, delivery delay."""

from __future__ import annotations

import streamlit as st

from services.data_quality import completeness_table, delay_from
from texts import t
from texts.review import cells_in_words
from ui.context import Context, current
from ui.data import query
from ui.drawn import drawn
from ui.figures import delay_figure
from ui.guard import entry_only
from ui.patient_table import patient_table
from ui.review_view import chart_with_data, column_labels, show_table

entry_only()


def render_load_log() -> None:
    st.subheader(t("load_log"))
    st.caption(t("load_log_caption"))
    show_table(query("data_load_log", centre_code=current().centre_code))


def render_quarantine(ctx: Context) -> None:
    st.subheader(t("quarantine"))
    st.caption(t("quarantine_caption"))
    rows = query("data_quarantine", centre_code=ctx.centre_code)
    if rows.is_empty():
        st.success(t("quarantine_empty"))
        return
    patient_table(
        cells_in_words(rows), key="quarantine_table", file_name="quarantaine.csv",
        what=f"data_quarantine {ctx.centre_code or 'all'}", column_config=column_labels(rows),
    )  # fmt: skip


def render_completeness(ctx: Context) -> None:
    st.subheader(t("completeness"))
    st.caption(t("completeness_caption"))
    table = completeness_table(query("data_completeness", centre_code=ctx.centre_code))
    show_table(table)


def render_delay(ctx: Context) -> None:
    st.subheader(t("delay"))
    st.caption(t("delay_caption"))
    delay = query("data_delivery_delay", centre_code=ctx.centre_code, from_month=delay_from(ctx.month))
    fig = drawn(delay_figure, delay, ctx.centre_name, t("all_centres"), t("days"))
    chart_with_data(fig, delay, "delay", "aanlevertijd.csv")


ctx = current()
st.title(t("data_title"))
st.write(t("data_purpose"))
if ctx is None:
    st.warning(t("no_warehouse"))
else:
    render_load_log()
    render_quarantine(ctx)
    render_completeness(ctx)
    render_delay(ctx)
