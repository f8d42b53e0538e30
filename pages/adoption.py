"""Adoption: is the outcome set live, do patients respond, is shared decision making documented,
is the case-mix complete, does the data arrive on time, and does the team run its review cycle?

The page lays out ``services.adoption`` (asked through ``ui.review_data``).
"""

from __future__ import annotations

import streamlit as st

from services.adoption import Adoption, Measure
from texts import month_name, number, t
from texts.csv_safe import csv_bytes
from ui.adoption_view import lag_line, library_table, may_see_library, practice_library, summary_table, with_pathway_labels
from ui.context import Context, current_with_month
from ui.drawn import drawn
from ui.figures import heatmap_figure, lines_figure
from ui.guard import entry_only
from ui.review_data import adoption
from ui.review_view import chart_with_data
from ui.safe_text import plain

entry_only()

UNITS = {"pct": "%", "days": "", "count": ""}


def render_headline(found: Adoption) -> None:
    targets = found.targets
    values = {"response": number(targets["prom_response_pct"], 0, "%"), "sdm": number(targets["sdm_documented_pct"], 0, "%")}
    for column, (code, (n, total)) in zip(st.columns(4), found.headline.items(), strict=True):
        column.metric(t("headline_" + code, target=values.get(code, "")), t("headline_of", n=n, total=total))


LAGS_SHOWN = 10  # the furthest behind are listed; the rest one click away


def render_lags(found: Adoption) -> None:
    st.subheader(t("adoption_lags_title"))
    lagging = found.lagging
    if not lagging:
        st.success(t("adoption_all_on_track"))
        return
    count = t("adoption_lags_count_one") if len(lagging) == 1 else t("adoption_lags_count", n=len(lagging))
    st.caption(count + " · " + t("adoption_lags_sorted"))
    for row in lagging[:LAGS_SHOWN]:
        st.markdown(lag_line(found, row, plain(row["centre_name"])))
    if len(lagging) > LAGS_SHOWN:
        with st.expander(t("adoption_lags_more", n=len(lagging) - LAGS_SHOWN)):
            for row in lagging[LAGS_SHOWN:]:
                st.markdown(lag_line(found, row, plain(row["centre_name"])))


def choose_measure(found: Adoption) -> Measure:
    return st.selectbox(
        t("adoption_measure"), found.measures, format_func=lambda m: t("measure_" + m.code), key="adoption_measure"
    )


def render_heatmap(found: Adoption, measure: Measure) -> None:
    st.subheader(t("adoption_heatmap"))
    st.caption(t("adoption_heatmap_caption"))
    fig = drawn(
        heatmap_figure,
        with_pathway_labels(found, found.summary), "centre_name", "pathway_label", measure.summary_column,
        found.target(measure), measure.is_higher_better, UNITS[measure.unit],
    )  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="adoption_heatmap")


def render_trend(ctx: Context, found: Adoption, measure: Measure) -> None:
    st.subheader(t("adoption_trend_title"))
    st.caption(t("adoption_trend_caption"))
    rows = with_pathway_labels(found, found.trend(ctx.pathway))
    group = "centre_name" if found.across_centres else "pathway_label"
    fig = drawn(
        lines_figure,
        rows,
        measure.monthly_column,
        group,
        found.target(measure),
        t("measure_" + measure.code),
        UNITS[measure.unit],
    )
    table = rows.select(group, "month_date", measure.monthly_column)
    chart_with_data(fig, table, "adoption_trend", f"adoptie_{measure.code}_per_maand.csv")


def render_table(found: Adoption) -> None:
    st.subheader(t("adoption_table_title"))
    table = summary_table(found)
    st.dataframe(table, hide_index=True, width="stretch", key="adoption_table")
    st.download_button(
        t("download_csv"), csv_bytes(table),
        file_name="adoptie.csv", mime="text/csv", key="csv_adoption", icon=":material/download:",
    )  # fmt: skip


def render_library() -> None:
    st.subheader(t("library_title"))
    st.caption(t("library_caption"))
    table = library_table(practice_library())
    if table.is_empty():
        st.info(t("library_none"))
        return
    st.dataframe(table, hide_index=True, width="stretch", key="practice_library")
    st.download_button(
        t("download_csv"), csv_bytes(table),
        file_name="gedeelde_aanpakken.csv", mime="text/csv", key="csv_library", icon=":material/download:",
    )  # fmt: skip


st.title(t("adoption_title"))
ctx = current_with_month()
if ctx is not None:
    st.write(t("adoption_purpose", month=month_name(ctx.month)))
    found = adoption(ctx)
    render_headline(found)
    render_lags(found)
    measure = choose_measure(found)
    render_heatmap(found, measure)
    render_trend(ctx, found, measure)
    render_table(found)
    if may_see_library(ctx.viewer):
        render_library()
