"""Compare: the viewer's centre among anonymous peers: a scorecard of every indicator, then one indicator's funnel
and ranked view, crude or case-mix adjusted, over a chosen period against a chosen peer group."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data_models.outcome_sets import outcome_sets
from services.peer_comparison import (
    ComparisonChoices,
    ComparisonIndicator,
    PeerComparison,
    ReportingPeriod,
    Scorecard,
    ScorecardRow,
    spanning,
)
from services.practices import practice_indicator
from texts import label, month_name, number, t
from texts.csv_safe import csv_bytes
from ui.context import Context, current_with_month
from ui.data import comparison_options
from ui.drawn import drawn
from ui.figures import own_trend_figure
from ui.figures_peers import peer_funnel_figure, ranked_figure, scorecard_figure
from ui.guard import entry_only
from ui.peer_data import compared, group_trend, scorecard
from ui.practices_view import render_practices_elsewhere
from ui.review_view import chart_with_data
from ui.safe_text import plain

entry_only()


def value_text(indicator: ComparisonIndicator, value: float | None) -> str:
    if value is None:
        return "< 10"
    return number(100 * value, 1, "%") if indicator.kind == "proportion" else number(value, 1)


def mode_name(mode: str) -> str:
    return t("compare_adjusted" if mode == "adjusted" else "compare_unadjusted")


def group_name(group: str) -> str:
    return {"all": t("peers_group_all"), "umc": t("peers_group_umc"), "volume": t("peers_group_volume")}[group]


def group_rule(group: str) -> str:
    return {"all": t("peers_group_all_rule"), "umc": t("peers_group_umc_rule"), "volume": t("peers_group_volume_rule")}[group]


def position_sentence(result: PeerComparison, mode: str) -> str:
    own = result.own[mode]
    text = t(
        "compare_reading_adjusted" if mode == "adjusted" else "compare_reading_crude",
        value=value_text(result.indicator, own.value),
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


def half_name(period: ReportingPeriod) -> str:
    return t("compare_half_year", half=period.half, year=period.start.year)


def span_sentence(period: ReportingPeriod) -> str:
    return t("peers_period_span", first=month_name(period.start), last=month_name(period.end), months=len(period.months()))


def verdict_text(row: ScorecardRow) -> str:
    if not row.is_shown:
        return t("peers_row_hidden")
    if row.position is None:
        return t("peers_row_own_hidden")
    where = t("position_" + row.position).split(":")[0]
    if row.verdict is None:
        return where
    return t("peers_verdict_good" if row.verdict == "good" else "peers_verdict_bad", position=where)


def scorecard_table(card: Scorecard) -> pl.DataFrame:
    def values(row: ScorecardRow) -> tuple[str, str, str, str]:
        ind = row.indicator
        if not row.is_shown:
            return "–", "–", "–", "–"
        spread = t("peers_range", low=value_text(ind, row.peer_low), high=value_text(ind, row.peer_high))
        better = "–" if row.better_than is None else t("peers_better_than", count=row.better_than, total=len(row.peer_values))
        return value_text(ind, row.own_value), value_text(ind, row.peer_median), spread, better

    shown = [values(r) for r in card.rows]
    return pl.DataFrame(
        {
            t("peers_col_indicator"): [label(r.indicator.label) for r in card.rows],
            t("peers_col_own"): [v[0] for v in shown],
            t("peers_col_n"): ["–" if r.own_n is None else str(r.own_n) for r in card.rows],
            t("peers_col_median"): [v[1] for v in shown],
            t("peers_col_range"): [v[2] for v in shown],
            t("peers_col_better"): [v[3] for v in shown],
            t("peers_col_verdict"): [verdict_text(r) for r in card.rows],
        }
    )


def strip_rows(card: Scorecard) -> list[dict]:
    rows = []
    for row in (r for r in card.rows if r.is_shown):
        own = [row.own_value] if row.own_value is not None else []
        rows.append(
            {
                "label": label(row.indicator.label),
                "better_up": row.indicator.improvement == "up",
                "own": row.own_value,
                "peers": row.peer_values,
                "texts": [value_text(row.indicator, v) for v in [*row.peer_values, *own]],
            }
        )
    return rows


def render_scorecard(ctx: Context, period: ReportingPeriod, mode: str, group: str) -> None:
    card = scorecard(ctx.centre_name, ctx.pathway, period, mode, group)
    if not card.is_shown:
        st.info(t("peers_group_too_small") if group != "all" else t("peers_scorecard_none"))
        return
    st.caption(t("peers_scorecard_caption"))
    fig = drawn(scorecard_figure, strip_rows(card), t("peers_worse"), t("peers_better"), ctx.centre_name, t("peers_others"))
    st.plotly_chart(fig, width="stretch", key="chart_scorecard")
    table = scorecard_table(card)  # the numbers stay in view beside the strip: they are the point of a scorecard
    st.dataframe(table, hide_index=True, width="stretch", key="table_scorecard")
    st.download_button(
        t("download_csv"), csv_bytes(table), file_name=f"scorecard_{period.code}.csv", mime="text/csv",
        key="csv_scorecard", icon=":material/download:",
    )  # fmt: skip


def ranked_table(result: PeerComparison, mode: str) -> pl.DataFrame:
    ind, rows = result.indicator, result.ranking[mode]
    return pl.DataFrame(
        {
            t("peers_col_rank"): rows["rank"],
            t("compare_table_centre"): rows["label"],
            t("compare_table_adjusted" if mode == "adjusted" else "compare_table_crude"): [
                value_text(ind, v) for v in rows["value"]
            ],
            t("peers_col_low"): [value_text(ind, v) for v in rows["low"]],
            t("peers_col_high"): [value_text(ind, v) for v in rows["high"]],
        }
    )


def render_funnel(result: PeerComparison, mode: str, period: ReportingPeriod) -> None:
    indicator = result.indicator
    percent = indicator.kind == "proportion"
    on_expected = percent and mode == "adjusted"  # the adjusted event funnel is the O/E funnel, drawn against E
    fig = drawn(
        peer_funnel_figure,
        result.centres, result.curves[mode], result.targets[mode], f"{mode}_value", percent, label(indicator.label),
        t("compare_expected_axis" if on_expected else "compare_patients_axis"), x=f"{mode}_x",
    )  # fmt: skip
    caption = (
        t("compare_funnel_caption_expected") if on_expected else t("compare_funnel_caption") + " " + t("compare_drawn_is_judged")
    )
    st.caption(caption + " " + t("compare_rounded") + " " + t("peers_funnel_axis_note"))
    chart_with_data(fig, display_table(result, mode), "funnel", f"vergelijking_{period.code}.csv")
    st.caption(t("compare_shrunken_explained"))


def render_ranked(result: PeerComparison, mode: str, period: ReportingPeriod) -> None:
    st.markdown(f"**{t('peers_ranked')}**")
    st.caption(t("peers_ranked_caption"))
    percent = result.indicator.kind == "proportion"
    fig = drawn(ranked_figure, result.ranking[mode], result.targets[mode], percent, label(result.indicator.label))
    chart_with_data(fig, ranked_table(result, mode), "ranked", f"rangorde_{period.code}.csv")


def render_comparison(
    ctx: Context, indicator: ComparisonIndicator, period: ReportingPeriod, mode: str, group: str, periods: list[ReportingPeriod]
) -> None:
    result = compared(ctx.centre_name, ctx.pathway, indicator.code, period, group)
    if not result.is_shown:
        st.info(t("peers_group_too_small") if group != "all" else t("compare_hidden"))
        return
    if result.has_own and result.own_suppressed:
        st.info(t("compare_own_hidden"))
    elif result.has_own:
        st.markdown(f"**{position_sentence(result, mode)}**")
        extra = casemix_sentence(result)
        if extra:
            st.write(extra)
    if result.overdispersion[mode]:
        st.caption(t("compare_overdispersion"))
    if result.missing:
        variables = outcome_sets()[ctx.pathway].casemix
        named = (f"{label(variables[k].label) if k in variables else k} ({number(v)})" for k, v in result.missing.items())
        st.caption(t("compare_missing", items=", ".join(named)))
    funnel_side, ranked_side = st.columns(2)
    with funnel_side:
        render_funnel(result, mode, period)
    with ranked_side:
        render_ranked(result, mode, period)
    if mode == "adjusted" and result.has_own:
        render_trend(ctx, indicator, periods, group)
    own = result.own[mode] if result.has_own and not result.own_suppressed else None
    render_practices_elsewhere(ctx, practice_indicator(indicator.code), own is not None and own.verdict == "bad")


def render_trend(ctx: Context, indicator: ComparisonIndicator, periods: list[ReportingPeriod], group: str) -> None:
    st.subheader(t("compare_trend"))
    st.caption(t("compare_trend_caption"))
    own = group_trend(ctx.centre_name, ctx.pathway, indicator.code, periods, group)
    if own.is_empty():
        st.info(t("compare_own_hidden"))
        return
    percent = indicator.kind == "proportion"
    pooled = t("compare_pooled") if group == "all" else group_name(group)
    fig = drawn(own_trend_figure, own, ctx.centre_name, pooled, percent, label(indicator.label))
    chart_with_data(fig, trend_table(own, indicator, ctx.centre_name, pooled), "own_trend", "eigen_resultaat_per_halfjaar.csv")


def trend_table(own: pl.DataFrame, indicator: ComparisonIndicator, own_label: str, pooled_label: str) -> pl.DataFrame:
    """The trend's points in words: each half-year, its patients, the own result and the peers' average."""
    return pl.DataFrame(
        {
            t("compare_trend_half_year"): [month_name(d) for d in own["period_start"]],
            t("compare_table_n"): [number(n) for n in own["patients_n"]],
            plain(own_label): [value_text(indicator, v) for v in own["adjusted_value"]],
            pooled_label: [value_text(indicator, v) for v in own["pooled_value"]],
        }
    )


def choose_period(choices: ComparisonChoices) -> ReportingPeriod:
    """The free period: a first and a last closed half-year (the latest alone unless chosen otherwise)."""
    halves = choices.halves[::-1]  # oldest first, as a slider reads
    chosen = st.session_state.get("compare_period")
    if isinstance(chosen, ReportingPeriod):  # one half-year, as the page offered before the free period
        chosen = st.session_state["compare_period"] = (chosen, chosen)
    if not (isinstance(chosen, tuple) and len(chosen) == 2 and all(p in halves for p in chosen)):
        st.session_state["compare_period"] = (halves[-1], halves[-1])
    first, last = st.select_slider(
        t("compare_period"),
        halves,
        format_func=half_name,
        key="compare_period",
        help=t("compare_period_help") + " " + t("peers_period_help"),
    )
    return spanning(first, last)


def choose_group(choices: ComparisonChoices) -> str:
    if st.session_state.get("compare_group") not in choices.groups:
        st.session_state["compare_group"] = choices.groups[0]
    return st.radio(t("peers_group"), choices.groups, format_func=group_name, key="compare_group", horizontal=True)


st.title(t("compare_title"))
ctx = current_with_month()
if ctx is not None:
    oset = outcome_sets()[ctx.pathway]
    # a national viewer's comparison is anonymous: no centre is named here, whatever the sidebar held before
    who = t("compare_all_anonymous") if ctx.viewer.is_national else ctx.centre_name
    st.caption(f"{plain(who)} · {label(oset.label)} · {month_name(ctx.month)}")
    st.write(t("compare_funnel_purpose_national" if ctx.viewer.is_national else "compare_funnel_purpose"))
    if ctx.viewer.is_national:
        st.caption(t("peers_national_centre"))
    choices = comparison_options(ctx.pathway, ctx.month)
    left, right = st.columns(2)
    with left:
        period = choose_period(choices)
        st.caption(span_sentence(period))
    with right:
        group = choose_group(choices)
        st.caption(group_rule(group))
    mode = st.radio(t("compare_mode"), ["adjusted", "crude"], format_func=mode_name, key="compare_mode", horizontal=True)
    one, every = st.tabs([t("peers_one_indicator"), t("peers_scorecard")])
    with one:
        indicator = st.selectbox(
            t("compare_indicator"),
            choices.indicators,
            format_func=lambda i: label(i.label),
            key=f"compare_indicator_{ctx.pathway}",
        )
        render_comparison(ctx, indicator, period, mode, group, choices.periods)
    with every:
        render_scorecard(ctx, period, mode, group)
