"""How the review page handles small numbers: the tiles' denominators, rare events' g-charts, longer grains.

The statistics are in ``analytics`` (``indicators.grain_points``, ``indicators.rare_event_chart``,
``spc.g_chart``, ``spc.run_rule_length``); this module only says and draws them.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.indicators import GRAINS, MIN_CASES, Summary
from texts import label, month_name, number, t
from ui.context import Context
from ui.drawn import drawn
from ui.figures import control_chart_figure, g_chart_figure
from ui.review_data import longer_grain, rare_event
from ui.review_view import VARIATION_ICON, chart_with_data


def tile_notes(summary: Summary) -> list[str]:
    """The tile's words under its figure: its denominator, and when that is too small, what that means."""
    n = summary.cases_n
    month = month_name(summary.month) if summary.month is not None else ""
    if summary.value is None:
        return [t("tile_no_patients_note")]
    notes = [t("tile_denominator_one", month=month) if n == 1 else t("tile_denominator", n=number(n), month=month)]
    if summary.value is not None and summary.too_few:
        if summary.events_n is not None:
            notes.append(t("tile_too_few_events", events=number(summary.events_n), n=number(n), min=MIN_CASES))
        else:
            notes.append(t("tile_too_few", n=number(n), min=MIN_CASES))
    if summary.is_rare:
        notes.append(t("tile_rare"))
    return notes


def rare_sentence(name: str, chart: pl.DataFrame, open_count: int, years: int) -> str:
    """One plain sentence of what the g-chart says (numbers the Dutch way)."""
    if chart.is_empty():
        return t("rare_sentence_none", label=name, years=years, open=number(open_count))
    limit = chart["upper_limit"][-1]
    last = chart.row(-1, named=True)
    if limit is not None and open_count > limit:
        return t("rare_sentence_long", label=name, open=number(open_count), limit=number(limit))
    if last["variation"] != "common":
        rule = t("variation_" + last["variation"])
        return f"{VARIATION_ICON[last['variation']]} " + t(
            "rare_sentence_signal", label=name, last=number(last["value"]), rule=rule
        )
    return t(
        "rare_sentence_common", label=name, median=number(chart["centre_line"][-1]), open=number(open_count),
        limit=number(limit),
    )  # fmt: skip


def render_rare_chart(ctx: Context, summary: Summary) -> None:
    """The g-chart of a rare event over the last five years, with its sentence, instead of the monthly chart."""
    ind = summary.indicator
    name = label(ind.label)
    rare = rare_event(ctx, ind)
    chart, open_count, years = rare.chart, rare.open_count, rare.years
    st.subheader(t("rare_title", label=name))
    st.markdown(rare_sentence(name, chart, open_count, years))
    st.caption(t("rare_caption", years=years))
    fig = drawn(g_chart_figure, chart, open_count, t("rare_y"), t("rare_open"))
    table = chart.select("event_date", "value", "centre_line", "upper_limit", "variation")
    chart_with_data(fig, table, f"g_{ind.code}", f"g_kaart_{ind.code.replace(':', '_')}.csv")


def render_longer_grain(ctx: Context, summary: Summary) -> None:
    """The indicator's chart over a longer period per point, with the run rule of that grain in words."""
    ind = summary.indicator
    st.markdown(f"**{t('grain_title')}**")
    if summary.too_few and summary.value is not None:
        st.caption(t("grain_small", n=number(summary.cases_n), min=MIN_CASES))
    grain = st.selectbox(
        t("grain_choice"), [g for g in GRAINS if g != "month"], format_func=lambda g: t("grain_" + g), key=f"grain_{ind.code}"
    )
    longer = longer_grain(ctx, ind, grain)
    chart, point = longer.chart, longer.point
    rule = "grain_rule_quarter" if grain == "quarter" else "grain_rule_rolling"
    st.caption(t(rule, n=longer.run_length))
    st.markdown(
        f"{VARIATION_ICON[point.variation]} {t('variation_' + point.variation)} · {t('grain_denominator', n=number(point.cases_n))}"
    )
    fig = drawn(control_chart_figure, chart, label(ind.label), ind.unit == "pct", ctx.month, money=ind.unit == "eur")
    table = chart.select(
        "period_start", "month_date", "value", "cases_n", "centre_line", "lower_limit", "upper_limit", "variation"
    )
    chart_with_data(fig, table, f"grain_{ind.code}", f"regelkaart_{grain}_{ind.code.replace(':', '_')}.csv")
