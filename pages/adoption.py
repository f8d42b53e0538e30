"""Adoption: is the outcome set live, do patients respond, is shared decision making documented,
is the case-mix complete, does the data arrive on time, and does the team run its review cycle?"""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.adoption import MEASURES, Measure, casemix_requirements, headline, monthly, summarise
from analytics.monthly import add_months
from data_models.outcome_sets import common, outcome_sets
from queries.disclosure import coarse_percentages
from texts import label, month_name, number, t
from ui.context import Context, current_with_month
from ui.data import query
from ui.figures import heatmap_figure, lines_figure
from ui.guard import entry_only
from ui.review_view import chart_with_data, csv_bytes
from ui.safe_text import plain

entry_only()

UNITS = {"pct": "%", "days": "", "count": ""}


def pathway_names() -> dict[str, str]:
    return {p: label(s.label) for p, s in outcome_sets().items()}


def load(ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The months (for the trends) and the twelve-month summary (for the heat map, lags and table)."""
    start = add_months(ctx.month, -11)
    pathways, fields = casemix_requirements(outcome_sets())
    adoption = query(
        "adoption_monthly", centre_code=ctx.centre_code, from_month=start, to_month=ctx.month,
        casemix_pathways=pathways, casemix_fields=fields,
    )  # fmt: skip
    response = query("adoption_response", centre_code=ctx.centre_code, from_month=start, to_month=ctx.month)
    actions = query("adoption_actions", centre_code=ctx.centre_code, from_month=start, to_month=add_months(ctx.month, 1))
    months = monthly(adoption, response, actions)
    timepoints = {p: s.timepoints for p, s in outcome_sets().items()}
    summary = summarise(months, response, actions, ctx.month, common().adoption_targets, timepoints)
    if ctx.viewer.is_national:  # named centres: no percentage precise enough to give away a volume
        months, summary = coarse_percentages(months), coarse_percentages(summary)
    names = pathway_names()
    label_expr = pl.col("pathway").replace_strict(names, default=pl.col("pathway")).alias("pathway_label")
    return months.with_columns(label_expr), summary.with_columns(label_expr)


def lag_text(code: str, row: dict, targets: dict[str, float]) -> str:
    pct = lambda v: number(v, 1, "%")  # noqa: E731
    goal = lambda key: number(targets[key], 0, "%")  # noqa: E731
    if code.startswith("response:"):
        timepoint = code.split(":", 1)[1]
        return t(
            "lag_response", timepoint=timepoint, value=pct(row[f"response_{timepoint}_pct"]), target=goal("prom_response_pct")
        )
    if code == "sdm":
        return t("lag_sdm", value=pct(row["sdm_documented_pct"]), target=goal("sdm_documented_pct"))
    if code == "casemix":
        return t("lag_casemix", value=pct(row["casemix_complete_pct"]), target=goal("casemix_complete_pct"))
    if code == "delay":
        return t("lag_delay", value=number(row["median_delay_days"], 0), target=number(targets["median_delay_days"], 0))
    if code == "cycle":
        return t("lag_cycle", n=int(targets["cycle_months"]))
    return t("lag_not_live")


def render_headline(summary: pl.DataFrame) -> None:
    targets = common().adoption_targets
    values = {"response": number(targets["prom_response_pct"], 0, "%"), "sdm": number(targets["sdm_documented_pct"], 0, "%")}
    for column, (code, (n, total)) in zip(st.columns(4), headline(summary).items(), strict=True):
        column.metric(t("headline_" + code, target=values.get(code, "")), t("headline_of", n=n, total=total))


def render_lags(summary: pl.DataFrame, many: bool) -> None:
    st.subheader(t("adoption_lags_title"))
    targets = common().adoption_targets
    lagging = [r for r in summary.iter_rows(named=True) if r["lags"]]
    if not lagging:
        st.success(t("adoption_all_on_track"))
        return
    with st.expander(t("adoption_lags_count", n=len(lagging)), expanded=not many):
        for row in lagging:
            items = "; ".join(lag_text(code, row, targets) for code in row["lags"])
            st.markdown("- " + t("adoption_lag_line", centre=plain(row["centre_name"]), pathway=row["pathway_label"], items=items))


def choose_measure() -> Measure:
    return st.selectbox(t("adoption_measure"), MEASURES, format_func=lambda m: t("measure_" + m.code), key="adoption_measure")


def render_heatmap(summary: pl.DataFrame, measure: Measure) -> None:
    st.subheader(t("adoption_heatmap"))
    st.caption(t("adoption_heatmap_caption"))
    target = measure.target(common().adoption_targets)
    fig = heatmap_figure(
        summary, "centre_name", "pathway_label", measure.summary_column, target, measure.is_higher_better, UNITS[measure.unit]
    )
    st.plotly_chart(fig, width="stretch", key="adoption_heatmap")


def render_trend(ctx: Context, months: pl.DataFrame, measure: Measure) -> None:
    st.subheader(t("adoption_trend_title"))
    st.caption(t("adoption_trend_caption"))
    across_centres = ctx.centre_code is None
    rows = months.filter(pl.col("pathway") == ctx.pathway) if across_centres else months
    group = "centre_name" if across_centres else "pathway_label"
    target = measure.target(common().adoption_targets)
    fig = lines_figure(rows, measure.monthly_column, group, target, t("measure_" + measure.code), UNITS[measure.unit])
    table = rows.select(group, "month_date", measure.monthly_column)
    chart_with_data(fig, table, "adoption_trend", f"adoptie_{measure.code}_per_maand.csv")


def summary_table(summary: pl.DataFrame, with_volume: bool) -> pl.DataFrame:
    """The twelve-month summary; named volumes only for a centre's own viewers (docs/privacy.md: a named
    volume beside the same period's anonymous peer counts would name the peers)."""
    timepoints = [tp for tp in common().timepoints if f"response_{tp}_pct" in summary.columns]
    yes_no = lambda c: pl.when(pl.col(c)).then(pl.lit(t("yes"))).otherwise(pl.lit(t("no")))  # noqa: E731
    volume = [pl.col("episodes_n").alias(t("tile_volume"))] if with_volume else []
    return summary.select(
        pl.col("centre_name").alias(t("centre")),
        pl.col("pathway_label").alias(t("pathway")),
        yes_no("is_live").alias(t("adoption_live")),
        *volume,
        *[pl.col(f"response_{tp}_pct").round(1).alias(t("adoption_response_tp", timepoint=tp)) for tp in timepoints],
        pl.col("sdm_documented_pct").round(1).alias(t("measure_sdm")),
        pl.col("casemix_complete_pct").round(1).alias(t("measure_casemix")),
        pl.col("median_delay_days").round(0).alias(t("measure_delay")),
        yes_no("is_cycle_running").alias(t("adoption_cycle")),
    )


def render_table(summary: pl.DataFrame, with_volume: bool) -> None:
    st.subheader(t("adoption_table_title"))
    table = summary_table(summary, with_volume)
    st.dataframe(table, hide_index=True, width="stretch", key="adoption_table")
    st.download_button(
        t("download_csv"), csv_bytes(table),
        file_name="adoptie.csv", mime="text/csv", key="csv_adoption", icon=":material/download:",
    )  # fmt: skip


st.title(t("adoption_title"))
ctx = current_with_month()
if ctx is not None:
    st.write(t("adoption_purpose", month=month_name(ctx.month)))
    months, summary = load(ctx)
    render_headline(summary)
    render_lags(summary, many=ctx.centre_code is None)
    measure = choose_measure()
    render_heatmap(summary, measure)
    render_trend(ctx, months, measure)
    render_table(summary, with_volume=not ctx.viewer.is_national)
