"""Compare: the viewer's centre among anonymous peers in a funnel plot, crude or case-mix adjusted."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data_models.outcome_sets import outcome_sets
from services.peer_comparison import ComparisonIndicator, PeerComparison, ReportingPeriod
from texts import label, month_name, number, t
from ui.context import Context, current_with_month
from ui.data import comparison_options, peers, trend
from ui.figures import funnel_figure, own_trend_figure
from ui.guard import entry_only
from ui.review_view import chart_with_data
from ui.safe_text import plain

entry_only()


def value_text(indicator: ComparisonIndicator, value: float | None) -> str:
    if value is None:
        return "< 10"
    return number(100 * value, 1, "%") if indicator.kind == "proportion" else number(value, 1)


def position_sentence(result: PeerComparison, mode: str) -> str:
    own = result.own[mode]
    text = t(
        "compare_reading",
        value=value_text(result.indicator, own.value),
        mode=t("compare_adjusted" if mode == "adjusted" else "compare_unadjusted"),
        position=t("position_" + own.position),
    )
    if own.verdict is not None:
        text += " " + t("compare_good" if own.verdict == "good" else "compare_bad")
    return text


def casemix_sentence(result: PeerComparison) -> str | None:
    if result.casemix_effect is None:
        return None
    return t("compare_casemix_explains" if result.casemix_effect == "explains" else "compare_casemix_reveals")


def display_table(result: PeerComparison, mode: str) -> pl.DataFrame:
    ind = result.indicator
    rows = result.centres
    return pl.DataFrame(
        {
            t("compare_table_centre"): rows["label"],
            t("compare_table_n"): [
                "< 10" if s else str(n) for s, n in zip(rows["is_suppressed"], rows["patients_n"], strict=True)
            ],
            t("compare_table_crude"): [value_text(ind, v) for v in rows["crude_value"]],
            t("compare_table_adjusted"): [value_text(ind, v) for v in rows["adjusted_value"]],
            t("compare_table_shrunken"): [value_text(ind, v) for v in rows["shrunken_value"]],
            t("compare_table_position"): [t("position_" + p).split(":")[0] if p else "–" for p in rows[f"{mode}_position"]],
        }
    )


def period_name(period: ReportingPeriod) -> str:
    return t("compare_half_year", half=period.half, year=period.start.year)


def render_comparison(
    ctx: Context, indicator: ComparisonIndicator, period: ReportingPeriod, mode: str, periods: list[ReportingPeriod]
) -> None:
    result = peers(ctx.centre_name, ctx.pathway, indicator.code, period)
    if not result.is_shown:
        st.info(t("compare_hidden"))
        return
    has_own = result.has_own
    if has_own and result.own_suppressed:
        st.info(t("compare_own_hidden"))
    elif has_own:
        st.markdown(f"**{position_sentence(result, mode)}**")
        extra = casemix_sentence(result)
        if extra:
            st.write(extra)
    if result.overdispersion[mode]:
        st.caption(t("compare_overdispersion"))
    if result.missing:
        st.caption(t("compare_missing", items=", ".join(f"{k} ({v})" for k, v in result.missing.items())))
    percent = indicator.kind == "proportion"
    on_expected = percent and mode == "adjusted"  # the adjusted event funnel is the O/E funnel, drawn against E
    fig = funnel_figure(
        result.centres,
        result.curves[mode],
        result.targets[mode],
        f"{mode}_value",
        percent,
        label(indicator.label),
        t("compare_expected_axis" if on_expected else "compare_patients_axis"),
        x=f"{mode}_x",
    )
    caption = (
        t("compare_funnel_caption_expected") if on_expected else t("compare_funnel_caption") + " " + t("compare_drawn_is_judged")
    )
    st.caption(caption + " " + t("compare_rounded"))
    chart_with_data(fig, display_table(result, mode), "funnel", f"vergelijking_{period.code}.csv")
    st.caption(t("compare_shrunken_explained"))
    if mode == "adjusted" and has_own:
        render_trend(ctx, indicator, percent, periods)


def render_trend(ctx: Context, indicator: ComparisonIndicator, percent: bool, periods: list[ReportingPeriod]) -> None:
    st.subheader(t("compare_trend"))
    st.caption(t("compare_trend_caption"))
    own = trend(ctx.centre_name, ctx.pathway, indicator.code, periods)
    if own.is_empty():
        st.info(t("compare_own_hidden"))
        return
    fig = own_trend_figure(own, ctx.centre_name, t("compare_pooled"), percent, label(indicator.label))
    chart_with_data(fig, own, "own_trend", "eigen_resultaat_per_halfjaar.csv")


st.title(t("compare_title"))
ctx = current_with_month()
if ctx is not None:
    oset = outcome_sets()[ctx.pathway]
    # a national viewer's comparison is anonymous: the centre chosen in the sidebar is not named here
    who = t("compare_all_anonymous") if ctx.viewer.is_national else ctx.centre_name
    st.caption(f"{plain(who)} · {label(oset.label)} · {month_name(ctx.month)}")
    st.write(t("compare_funnel_purpose_national" if ctx.viewer.is_national else "compare_funnel_purpose"))
    choices = comparison_options(ctx.pathway, ctx.month)
    left, middle, right = st.columns(3)
    indicator = left.selectbox(
        t("compare_indicator"), choices.indicators, format_func=lambda i: label(i.label), key=f"compare_indicator_{ctx.pathway}"
    )
    period = middle.selectbox(
        t("compare_period"),
        choices.periods,
        format_func=period_name,
        key="compare_period",
        help=t("compare_period_help"),
    )
    mode = right.radio(
        t("compare_mode"),
        ["adjusted", "crude"],
        format_func=lambda m: t("compare_adjusted" if m == "adjusted" else "compare_unadjusted"),
        key="compare_mode",
    )
    render_comparison(ctx, indicator, period, mode, choices.periods)
