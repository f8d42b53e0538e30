"""Adoption: is the outcome set live, do patients respond, is shared decision making documented?"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data_models.outcome_sets import outcome_sets
from ui.context import Context, current_with_month
from ui.data import query
from ui.figures import heatmap_figure, target_bar_figure
from ui.review_view import chart_with_data
from ui.text import label, month_name, t

RESPONSE_TARGET = 60.0


def pathway_names() -> dict[str, str]:
    return {p: label(s.label) for p, s in outcome_sets().items()}


def adoption_table(rows: pl.DataFrame) -> pl.DataFrame:
    columns = [pl.col("centre_name").alias(t("centre"))] if "centre_name" in rows.columns else []
    return rows.select(
        *columns,
        pl.col("pathway").replace_strict(pathway_names(), default=pl.col("pathway")).alias(t("pathway")),
        pl.when(pl.col("is_live")).then(pl.lit(t("yes"))).otherwise(pl.lit(t("no"))).alias(t("adoption_live")),
        pl.col("episodes_n").alias(t("tile_volume")),
        pl.col("prom_response_pct").round(1).alias(t("adoption_response") + " (%)"),
        pl.col("sdm_documented_pct").round(1).alias(t("adoption_sdm") + " (%)"),
        pl.col("casemix_complete_pct").round(1).alias(t("adoption_casemix") + " (%)"),
    )


def render_centre(ctx: Context, month: dt.date) -> None:
    rows = query("adoption_pathways", centre_code=ctx.centre_code, to_month=month)
    names = [pathway_names()[p] for p in rows["pathway"]]
    fig = target_bar_figure(names, rows["prom_response_pct"].to_list(), RESPONSE_TARGET, t("adoption_response"))
    st.caption(t("adoption_target"))
    chart_with_data(fig, adoption_table(rows), "adoption", "adoptie.csv")


def render_all_centres(month: dt.date) -> None:
    rows = query("adoption_centres", to_month=month).with_columns(
        pl.col("pathway").replace_strict(pathway_names(), default=pl.col("pathway")).alias("pathway_label")
    )
    st.subheader(t("adoption_heatmap"))
    fig = heatmap_figure(rows, "centre_name", "pathway_label", "prom_response_pct", "%")
    chart_with_data(fig, adoption_table(rows), "adoption_all", "adoptie_alle_centra.csv")


st.title(t("adoption_title"))
ctx = current_with_month()
if ctx is not None:
    st.write(t("adoption_purpose", month=month_name(ctx.month)))
    if ctx.viewer.is_national and ctx.centre_code is None:
        render_all_centres(ctx.month)
    else:
        render_centre(ctx, ctx.month)
