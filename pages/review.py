"""The monthly review ("samen leren"): what changed this month, is it real, whom do we discuss?

The page lays out ``services.monthly_review`` (asked through ``ui.review_data``): the meeting pack
asks the same function, so its table is these tiles.
"""

from __future__ import annotations

import streamlit as st

from reports.meeting_pack import build as build_pack
from services.monthly_review import MonthlyReview, Summary, flagged
from texts import label, month_name, number, t
from texts.review import cells_in_words, count_text, patients_in_words, tile_text, tile_value
from texts.sentences import baseline_marker, on_chart, sentence
from ui.actions_view import render_actions, render_open
from ui.context import Context, current_with_month
from ui.drawn import drawn
from ui.figures import control_chart_figure, grouped_bar_figure, stacked_cost_figure
from ui.guard import entry_only
from ui.meeting_view import render_meeting
from ui.patient_table import patient_table
from ui.practices_view import render_practices_elsewhere
from ui.review_data import meeting_pack, monthly_review, review_patients
from ui.review_view import CHART_TABLE, chart_with_data, column_labels, render_chart_settings, tile_delta, variation_text
from ui.safe_text import plain
from ui.small_numbers_view import render_longer_grain, render_rare_chart, tile_notes

entry_only()

COLUMNS = 4
SCROLL_TO_CHART = "scroll_to_chart"  # set by a tile's button: the next run brings the control chart into view
CHART_CLICKS = "chart_clicks"  # counts the tiles' buttons, so each click's script is a new element that runs
SCROLL_SCRIPT = """(function go(tries) {
  const el = document.querySelector('.st-key-control_chart');
  if (el) { el.style.scrollMarginTop = '4rem'; el.scrollIntoView({block: 'start'}); } else if (tries < 50) { setTimeout(() => go(tries + 1), 100); }
})(0);</script>"""
MODES = {"overview": "review_mode_overview", "meeting": "review_mode_meeting"}  # the page's two views, in words


def render_volume(review: MonthlyReview) -> None:
    volume = review.volume
    st.metric(
        t("tile_volume"),
        count_text(volume.value),
        delta=None if volume.change is None else count_text(volume.change),
        delta_color="off",
    )
    st.caption(t("previous_12", value=count_text(volume.previous)))


def render_agenda(review: MonthlyReview) -> None:
    st.subheader(t("agenda"))
    if not review.agenda:
        st.success(t("agenda_empty"))
    for item in review.agenda:
        st.markdown(f"- {sentence(item)}")
    render_open(review)


def open_chart(code: str) -> None:
    """A callback, so the chart chosen is known before the page draws the agenda and actions."""
    st.session_state["chart_indicator"] = code
    st.session_state[SCROLL_TO_CHART] = True
    st.session_state[CHART_CLICKS] = st.session_state.get(CHART_CLICKS, 0) + 1


def render_tile(summary: Summary) -> None:
    ind, tile = summary.indicator, tile_text(summary)
    with st.container(border=True):
        # the title above the metric wraps; st.metric's own label is cut off with an ellipsis
        st.markdown(f"**{plain(tile.label)}**")
        st.metric(tile.label, tile_value(summary), **tile_delta(summary), label_visibility="collapsed")
        st.caption(t("previous_level", value=tile.previous))
        for note in tile_notes(summary):
            st.caption(note)
        st.markdown(variation_text(summary))
        st.button(t("open_chart"), key=f"open_{ind.code}", icon=":material/show_chart:", on_click=open_chart, args=(ind.code,))


def render_tiles(review: MonthlyReview) -> None:
    st.subheader(t("indicators"))
    for group, members in review.groups:
        st.markdown(f"**{t('group_' + group)}**")
        for start in range(0, len(members), COLUMNS):
            for column, summary in zip(st.columns(COLUMNS), members[start : start + COLUMNS], strict=False):
                with column:
                    render_tile(summary)


def scroll_to_chart() -> None:
    """Bring the control chart into view after a tile's "Regelkaart" (it is drawn below all tiles).

    A static script, no user text in it.
    """
    if st.session_state.pop(SCROLL_TO_CHART, False):
        clicks = int(st.session_state.get(CHART_CLICKS, 0))
        st.html(f"<script>/* {clicks} */" + SCROLL_SCRIPT, unsafe_allow_javascript=True)


def render_control_chart(ctx: Context, review: MonthlyReview, chosen: Summary) -> None:
    with st.container(key="control_chart"):
        render_chart_block(ctx, review, chosen)
    scroll_to_chart()


def render_chart_block(ctx: Context, review: MonthlyReview, chosen: Summary) -> None:
    ind = chosen.indicator
    settings = review.settings_for(ind.code)
    st.subheader(t("chart_title", label=label(ind.label)))
    st.caption(t("chart_caption"))
    recalc = st.selectbox(
        t("recalc_from"),
        [None, *review.months_for(ind.code)[1:]],
        format_func=lambda m: t("recalc_none") if m is None else month_name(m),
        key=f"recalc_{ind.code}",
    )
    summary = review.recharted(ind.code, recalc)
    st.markdown(sentence(summary))
    render_chart_settings(review.pathway, ind, review.months_for(ind.code), settings)
    if summary.is_provisional:
        st.info(t("provisional"))
    fig = drawn(
        control_chart_figure,
        summary.chart, label(ind.label), ind.unit == "pct", review.cohort_for(ind.code), on_chart(review.actions, ind.code),
        baseline=baseline_marker(settings, review.months_for(ind.code)), money=ind.unit == "eur",
    )  # fmt: skip
    chart_with_data(fig, summary.chart.select(CHART_TABLE), f"spc_{ind.code}", f"regelkaart_{ind.code.replace(':', '_')}.csv")


def render_patients(ctx: Context, review: MonthlyReview) -> None:
    st.subheader(t("patients"))
    st.caption(t("patients_caption"))
    patients = review_patients(ctx)
    if patients.is_empty():
        st.info(t("patients_none"))
        return
    flags = {
        "has_complication": t("flag_complication"),
        "is_below_mic": t("flag_below_mic"),
        "has_missing_prom": t("flag_missing_prom"),
        "is_cost_far_above": t("flag_cost"),
    }
    chosen = st.multiselect(t("patients_filter"), list(flags), format_func=flags.get, key="patient_flags",
                            placeholder=t("choose_options"))  # fmt: skip
    shown = flagged(patients, chosen)
    event = patient_table(
        cells_in_words(patients_in_words(shown, review.pathway)),
        column_config=column_labels(shown),
        key="patients_table",
        file_name=f"patienten_{review.pathway}_{review.month:%Y-%m}.csv",
        what=f"review_patients {review.centre_code} {review.pathway} {review.month:%Y-%m}",
        on_select="rerun",
        selection_mode="single-row",
    )
    selected = event.selection.rows if event is not None else []
    if selected:
        episode = shown["episode_id"][selected[0]]
        if st.button(t("trajectory_open", episode=plain(episode)), icon=":material/timeline:", key="open_trajectory"):
            st.session_state["open_episode"] = episode
            st.switch_page("pages/trajectory.py")
    else:
        st.caption(t("patients_select"))


def render_pack(ctx: Context, review: MonthlyReview) -> None:
    st.subheader(t("pack_section"))
    st.caption(t("pack_caption"))
    with_patients = st.checkbox(t("pack_include_patients"), key="pack_patients")
    name = f"maandreview_{review.centre_code}_{review.pathway}_{review.month:%Y-%m}"
    html_column, pdf_column = st.columns(2)
    for column, file_format, mime in ((html_column, "html", "text/html"), (pdf_column, "pdf", "application/pdf")):
        column.download_button(
            t(f"pack_{file_format}"), meeting_pack(ctx, file_format, with_patients, build_pack),
            file_name=f"{name}.{file_format}", mime=mime, key=f"pack_{file_format}", icon=":material/description:",
            on_click="ignore",
        )  # fmt: skip


def render_costs(review: MonthlyReview) -> None:
    st.subheader(t("costs_title"))
    names = {code: label(names) for code, names in review.cost_categories.items()}
    driver = review.cost_driver
    if driver is not None:
        st.write(
            t(
                "cost_driver",
                category=names.get(driver.category, driver.category),
                now=number(driver.value, 0, "€ "),
                before=number(driver.previous, 0, "€ "),
            )
        )
    fig = drawn(stacked_cost_figure, review.costs, names, t("tile_cost"))
    chart_with_data(fig, review.costs, "costs", "kosten_per_categorie.csv")


def render_equity(review: MonthlyReview) -> None:
    st.subheader(t("equity_title"))
    st.caption(t("equity_caption"))
    rows = review.equity
    groups = [t("literacy_" + g) for g in rows["literacy_group"]]
    series = {
        label(review.headline_label): rows["outcome_pct"].to_list(),
        t("tile_response"): rows["prom_response_pct"].to_list(),
    }
    if review.work_label:
        series[label(review.work_label)] = rows["work_outcome_pct"].to_list()
    chart_with_data(drawn(grouped_bar_figure, groups, series, "%"), rows, "equity", "gelijke_uitkomsten.csv")


def render_overview(ctx: Context, review: MonthlyReview) -> None:
    st.write(t("review_purpose", month=month_name(review.month)))
    st.caption(t("review_complete_rule"))
    chosen = review.chosen(st.session_state.get("chart_indicator"))
    render_volume(review)
    render_agenda(review)
    render_tiles(review)
    if chosen.is_rare:  # the g-chart is read; the monthly chart below still shows the team's actions
        render_rare_chart(ctx, chosen)
    render_control_chart(ctx, review, chosen)
    render_practices_elsewhere(ctx, chosen.indicator.code, review.offers_practices(chosen.indicator.code))
    render_longer_grain(ctx, chosen)
    render_actions(ctx, review, chosen.indicator.code)
    render_pack(ctx, review)
    render_patients(ctx, review)
    render_costs(review)
    render_equity(review)


head = st.container()
ctx = current_with_month()
if ctx is None:
    head.title(t("review_title"))
else:
    review = monthly_review(ctx)
    with st.container(horizontal=True, vertical_alignment="center", key="review_top"):
        mode = st.segmented_control(
            t("review_mode"), list(MODES), default="overview", required=True, key="review_mode", label_visibility="collapsed",
            format_func=lambda m: t(MODES[m]),
        )  # fmt: skip
        st.caption(f"{plain(ctx.centre_name)} · {label(review.pathway_label)}")
        navigation = st.container(horizontal=True, vertical_alignment="center", key="meeting_nav", width="content")
    if mode == "meeting":  # no page title: the item's screen has the room (ui/meeting_view.py)
        render_meeting(ctx, review, navigation)
    else:
        head.title(t("review_title"))
        render_overview(ctx, review)
