"""Adoption: is the outcome set live, do patients respond, is shared decision making documented?"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data_models.outcome_sets import outcome_sets
from ui.context import Context, current
from ui.data import query
from ui.figures import target_bar_figure
from ui.review_view import chart_with_data
from ui.text import label, month_name, t

RESPONSE_TARGET = 60.0


def adoption_table(rows: pl.DataFrame) -> pl.DataFrame:
    names = {p: label(s.label) for p, s in outcome_sets().items()}
    return rows.select(
        pl.col("pathway").replace_strict(names, default=pl.col("pathway")).alias(t("pathway")),
        pl.when(pl.col("is_live")).then(pl.lit(t("yes"))).otherwise(pl.lit(t("no"))).alias(t("adoption_live")),
        pl.col("episodes_n").alias(t("tile_volume")),
        pl.col("prom_response_pct").round(1).alias(t("adoption_response") + " (%)"),
        pl.col("sdm_documented_pct").round(1).alias(t("adoption_sdm") + " (%)"),
        pl.col("casemix_complete_pct").round(1).alias(t("adoption_casemix") + " (%)"),
    )


def render_adoption(ctx: Context, month: dt.date) -> None:
    rows = query("adoption_pathways", centre_code=ctx.centre_code, to_month=month)
    names = [label(outcome_sets()[p].label) for p in rows["pathway"]]
    fig = target_bar_figure(names, rows["prom_response_pct"].to_list(), RESPONSE_TARGET, t("adoption_response"))
    st.caption(t("adoption_target"))
    chart_with_data(fig, adoption_table(rows), "adoption", "adoptie.csv")


ctx = current()
st.title(t("adoption_title"))
if ctx is None:
    st.warning(t("no_warehouse"))
elif ctx.month is None:
    st.info(t("no_pathways"))
else:
    st.write(t("adoption_purpose", month=month_name(ctx.month)))
    render_adoption(ctx, ctx.month)
