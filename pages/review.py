"""The monthly review ("samen leren"): how did this month's patients do against the year before?"""

from __future__ import annotations

import streamlit as st

from analytics.monthly import Comparison, add_months, versus_previous
from data_models.outcome_sets import outcome_sets
from ui.context import Context, current
from ui.data import query
from ui.figures import trend_figure
from ui.text import label, month_name, number, t

FEW_PATIENTS = 10


def render_tile(column, title: str, comparison: Comparison, fmt, better: str | None) -> None:
    with column, st.container(border=True):
        st.metric(
            title,
            fmt(comparison.value),
            delta=None if comparison.change is None else fmt(comparison.change),
            delta_color="off" if better is None else ("normal" if better == "higher" else "inverse"),
        )
        st.caption(t("previous_12", value=fmt(comparison.previous)))


def sentence(title: str, comparison: Comparison, fmt) -> str:
    if comparison.change is None:
        return t("no_data_month")
    key = (
        "sentence_same"
        if round(comparison.change, 6) == 0
        else ("sentence_higher" if comparison.change > 0 else "sentence_lower")
    )
    return t(key, label=title, now=fmt(comparison.value), before=fmt(comparison.previous))


def render_review(ctx: Context) -> None:
    oset = outcome_sets()[ctx.pathway]
    headline = oset.clinical_outcomes[oset.headline_outcome]
    monthly = query(
        "review_monthly",
        centre_code=ctx.centre_code,
        pathway=ctx.pathway,
        headline_outcome=oset.headline_outcome,
        from_month=add_months(ctx.month, -23),
        to_month=ctx.month,
    )
    pct = lambda v: number(v, 1, "%")  # noqa: E731
    euro = lambda v: number(v, 0, "€ ")  # noqa: E731
    count = lambda v: number(v, 0 if v is None or float(v).is_integer() else 1)  # noqa: E731
    tiles = [
        (t("tile_volume"), versus_previous(monthly, ctx.month, "count", "episodes_n"), count, None, "episodes_n", False),
        (
            label(headline.label),
            versus_previous(monthly, ctx.month, "proportion", "outcome_events_n", "outcome_recorded_n"),
            pct,
            headline.better,
            "outcome_pct",
            True,
        ),
        (
            t("tile_response"),
            versus_previous(monthly, ctx.month, "proportion", "prom_completed_n", "prom_invited_n"),
            pct,
            "higher",
            "prom_response_pct",
            True,
        ),
        (
            t("tile_cost"),
            versus_previous(monthly, ctx.month, "mean", "mean_cost_eur", "costed_n"),
            euro,
            "lower",
            "mean_cost_eur",
            False,
        ),
    ]
    for column, (title, comparison, fmt, better, _, _) in zip(st.columns(len(tiles)), tiles, strict=True):
        render_tile(column, title, comparison, fmt, better)
    volume = tiles[0][1].value or 0
    if volume < FEW_PATIENTS:
        st.info(t("few_patients"))
    st.subheader(t("trend_title"))
    st.caption(t("trend_caption"))
    for title, comparison, fmt, _, value_column, percent in tiles:
        st.markdown(f"**{title}** — {sentence(title, comparison, fmt)}")
        st.plotly_chart(trend_figure(monthly, value_column, ctx.month, comparison.previous, title, percent), width="stretch")


ctx = current()
st.title(t("review_title"))
if ctx is None:
    st.warning(t("no_warehouse"))
elif ctx.pathway is None or ctx.month is None:
    st.info(t("no_pathways"))
else:
    st.caption(f"{ctx.centre_name} · {label(outcome_sets()[ctx.pathway].label)}")
    st.write(t("review_purpose", month=month_name(ctx.month)))
    render_review(ctx)
