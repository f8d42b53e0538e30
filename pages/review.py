"""The monthly review ("samen leren"): what changed this month, is it real, whom do we discuss?"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from analytics.indicators import (
    Summary,
    agenda,
    indicator_params,
    indicators_for,
    month_range,
    patient_params,
)
from analytics.monthly import cost_driver, versus_previous
from analytics.review import charted, reviewed
from data_models.outcome_sets import OutcomeSet, common, outcome_sets
from texts import label, month_name, number, t
from texts.sentences import baseline_marker, fmt, on_chart, sentence
from ui.actions_view import load_actions, render_actions, render_open
from ui.context import Context, current_with_month
from ui.data import meeting_pack, query
from ui.figures import control_chart_figure, grouped_bar_figure, stacked_cost_figure
from ui.guard import entry_only
from ui.patient_table import patient_table
from ui.review_view import chart_with_data, render_chart_settings, variation_text
from ui.safe_text import plain
from ui.small_numbers_view import render_longer_grain, render_rare_chart, tile_notes
from warehouse.actions import ChartSettings, chart_settings_of

entry_only()

CHART_MONTHS = 24
COLUMNS = 4
GROUPS = ("outcome", "prom", "process", "experience", "cost")


def load_summaries(ctx: Context, oset: OutcomeSet) -> tuple[list[Summary], pl.DataFrame, list[dt.date]]:
    months = month_range(ctx.month, CHART_MONTHS)
    rows = query("review_indicators", **indicator_params(oset, ctx.centre_code, months))
    return reviewed(indicators_for(oset), rows, months, ctx.month, chart_settings(ctx)), rows, months


def chart_settings(ctx: Context) -> dict[str, ChartSettings]:
    """The team's stored control-chart settings (baseline end, excluded months) per indicator."""
    return chart_settings_of(query("review_chart_settings", centre_code=ctx.centre_code, pathway=ctx.pathway))


def render_volume(ctx: Context, oset: OutcomeSet, months: list[dt.date]) -> None:
    monthly = query(
        "review_monthly",
        centre_code=ctx.centre_code,
        pathway=ctx.pathway,
        headline_outcome=oset.headline_outcome,
        from_month=months[0],
        to_month=ctx.month,
    )
    volume = versus_previous(monthly, ctx.month, "count", "episodes_n")
    count = lambda v: number(v, 0 if v is None or float(v).is_integer() else 1)  # noqa: E731
    st.metric(
        t("tile_volume"), count(volume.value), delta=None if volume.change is None else count(volume.change), delta_color="off"
    )
    st.caption(t("previous_12", value=count(volume.previous)))


def render_agenda(summaries: list[Summary], actions: pl.DataFrame, month: dt.date) -> None:
    st.subheader(t("agenda"))
    items = agenda(summaries)
    if not items:
        st.success(t("agenda_empty"))
    for item in items:
        st.markdown(f"- {sentence(item)}")
    render_open(actions, month, {s.indicator.code: label(s.indicator.label) for s in summaries})


def open_chart(code: str) -> None:
    """A callback, so the chart chosen is known before the page draws the agenda and actions."""
    st.session_state["chart_indicator"] = code


def render_tile(summary: Summary) -> None:
    ind = summary.indicator
    with st.container(border=True):
        st.metric(
            label(ind.label),
            fmt(ind, summary.value),
            delta=None if not summary.change else fmt(ind, summary.change, signed=True),
            delta_color="normal" if ind.improvement == "up" else "inverse",
        )
        st.caption(t("previous_level", value=fmt(ind, summary.previous)))
        for note in tile_notes(summary):
            st.caption(note)
        st.markdown(variation_text(summary))
        st.button(t("open_chart"), key=f"open_{ind.code}", icon=":material/show_chart:", on_click=open_chart, args=(ind.code,))


def render_tiles(summaries: list[Summary]) -> None:
    st.subheader(t("indicators"))
    for group in GROUPS:
        members = [s for s in summaries if s.indicator.group == group]
        if not members:
            continue
        st.markdown(f"**{t('group_' + group)}**")
        for start in range(0, len(members), COLUMNS):
            for column, summary in zip(st.columns(COLUMNS), members[start : start + COLUMNS], strict=False):
                with column:
                    render_tile(summary)


def chosen_indicator(summaries: list[Summary]) -> Summary:
    """The indicator whose chart is open: the one asked for, else the first on the agenda."""
    by_code = {s.indicator.code: s for s in summaries}
    first = agenda(summaries)[0] if agenda(summaries) else summaries[0]
    return by_code.get(st.session_state.get("chart_indicator", first.indicator.code), first)


def render_control_chart(
    ctx: Context, summaries: list[Summary], summary: Summary, rows: pl.DataFrame, months: list[dt.date], actions: pl.DataFrame
) -> None:
    ind, month = summary.indicator, ctx.month
    settings = chart_settings(ctx).get(ind.code)
    st.subheader(t("chart_title", label=label(ind.label)))
    st.caption(t("chart_caption"))
    options = [None, *months[1:]]
    recalc = st.selectbox(
        t("recalc_from"),
        options,
        format_func=lambda m: t("recalc_none") if m is None else month_name(m),
        key=f"recalc_{ind.code}",
    )
    if recalc is not None:
        summary = charted(ind, rows, months, month, settings, recalc)
    st.markdown(sentence(summary))
    render_chart_settings(ctx.pathway, ind, months, [s.indicator.code for s in summaries], settings)
    if summary.is_provisional:
        st.info(t("provisional"))
    chart = summary.chart
    fig = control_chart_figure(
        chart, label(ind.label), ind.unit == "pct", month, on_chart(actions, ind.code),
        baseline=baseline_marker(settings, months), money=ind.unit == "eur",
    )  # fmt: skip
    table = chart.select(
        "month_date",
        "value",
        "cases_n",
        "centre_line",
        "lower_limit",
        "upper_limit",
        "special_cause",
        "variation",
        "is_provisional",
        "in_limits",
        "excluded_reason",
    )
    chart_with_data(fig, table, f"spc_{ind.code}", f"regelkaart_{ind.code.replace(':', '_')}.csv")


def render_patients(ctx: Context, oset: OutcomeSet) -> None:
    st.subheader(t("patients"))
    st.caption(t("patients_caption"))
    patients = query("review_patients", **patient_params(oset, ctx.centre_code, ctx.month))
    if patients.is_empty():
        st.info(t("patients_none"))
        return
    flags = {
        "has_complication": t("flag_complication"),
        "is_below_mic": t("flag_below_mic"),
        "has_missing_prom": t("flag_missing_prom"),
        "is_cost_far_above": t("flag_cost"),
    }
    chosen = st.multiselect(t("patients_filter"), list(flags), format_func=flags.get, key="patient_flags")
    if chosen:
        patients = patients.filter(pl.any_horizontal(pl.col(c).fill_null(False) for c in chosen))
    event = patient_table(
        patients,
        key="patients_table",
        file_name=f"patienten_{ctx.pathway}_{ctx.month:%Y-%m}.csv",
        what=f"review_patients {ctx.centre_code} {ctx.pathway} {ctx.month:%Y-%m}",
        on_select="rerun",
        selection_mode="single-row",
    )
    chosen = event.selection.rows if event is not None else []
    if chosen:
        episode = patients["episode_id"][chosen[0]]
        if st.button(t("trajectory_open", episode=plain(episode)), icon=":material/timeline:", key="open_trajectory"):
            st.session_state["open_episode"] = episode
            st.switch_page("pages/trajectory.py")
    else:
        st.caption(t("patients_select"))


def render_pack(ctx: Context) -> None:
    st.subheader(t("pack_section"))
    st.caption(t("pack_caption"))
    with_patients = st.checkbox(t("pack_include_patients"), key="pack_patients")
    name = f"maandreview_{ctx.centre_code}_{ctx.pathway}_{ctx.month:%Y-%m}"
    html_column, pdf_column = st.columns(2)
    for column, file_format, mime in ((html_column, "html", "text/html"), (pdf_column, "pdf", "application/pdf")):
        column.download_button(
            t(f"pack_{file_format}"), meeting_pack(ctx.centre_code, ctx.pathway, ctx.month, file_format, with_patients),
            file_name=f"{name}.{file_format}", mime=mime, key=f"pack_{file_format}", icon=":material/description:",
            on_click="ignore",
        )  # fmt: skip


def render_costs(ctx: Context, months: list[dt.date]) -> None:
    st.subheader(t("costs_title"))
    by_category = query(
        "review_cost_categories", centre_code=ctx.centre_code, pathway=ctx.pathway, from_month=months[0], to_month=ctx.month
    )
    names = {code: label(names) for code, names in common().cost_categories.items()}
    driver = cost_driver(by_category, ctx.month)
    if driver is not None:
        st.write(
            t(
                "cost_driver",
                category=names.get(driver.category, driver.category),
                now=number(driver.value, 0, "€ "),
                before=number(driver.previous, 0, "€ "),
            )
        )
    fig = stacked_cost_figure(by_category, names, t("tile_cost"))
    chart_with_data(fig, by_category, "costs", "kosten_per_categorie.csv")


def render_equity(ctx: Context, oset: OutcomeSet) -> None:
    st.subheader(t("equity_title"))
    st.caption(t("equity_caption"))
    rows = query(
        "review_equity",
        centre_code=ctx.centre_code,
        pathway=ctx.pathway,
        headline_outcome=oset.headline_outcome,
        to_month=ctx.month,
    )
    groups = [t("literacy_" + g) for g in rows["literacy_group"]]
    series = {
        label(oset.clinical_outcomes[oset.headline_outcome].label): rows["outcome_pct"].to_list(),
        t("tile_response"): rows["prom_response_pct"].to_list(),
    }
    if "return_to_work" in oset.clinical_outcomes:
        series[t("return_to_work")] = rows["return_to_work_pct"].to_list()
    chart_with_data(grouped_bar_figure(groups, series, "%"), rows, "equity", "gelijke_uitkomsten.csv")


st.title(t("review_title"))
ctx = current_with_month()
if ctx is not None:
    oset = outcome_sets()[ctx.pathway]
    st.caption(f"{plain(ctx.centre_name)} · {label(oset.label)}")
    st.write(t("review_purpose", month=month_name(ctx.month)))
    summaries, indicator_rows, chart_months = load_summaries(ctx, oset)
    actions = load_actions(ctx)
    chosen = chosen_indicator(summaries)
    render_volume(ctx, oset, chart_months)
    render_agenda(summaries, actions, ctx.month)
    render_tiles(summaries)
    if chosen.is_rare:  # the g-chart is read; the monthly chart below still shows the team's actions
        render_rare_chart(ctx, chosen)
    render_control_chart(ctx, summaries, chosen, indicator_rows, chart_months, actions)
    render_longer_grain(ctx, oset, chosen)
    render_actions(ctx, [s.indicator for s in summaries], chosen.indicator.code)
    render_pack(ctx)
    render_patients(ctx, oset)
    render_costs(ctx, chart_months)
    render_equity(ctx, oset)
