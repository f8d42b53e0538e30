"""How the review page shows things: MDC icons, the chart settings' widgets, chart+table blocks.

The words themselves (values per unit, sentences, the settings line) are in ``texts.sentences``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from analytics.indicators import Indicator, Summary
from texts import lang, month_name, t
from texts.csv_safe import csv_bytes
from texts.review import cells_in_words, change_text, column_words
from texts.sentences import settings_line
from ui.drawn import drawn
from ui.review_data import clear_chart_settings, may_record_actions, save_chart_settings
from ui.safe_text import plain
from warehouse.actions import ChartSettings, ChartSettingsInvalid

VARIATION_ICON = {
    "improvement": ":blue[:material/trending_up:]",
    "concern": ":orange[:material/warning:]",
    "common": ":gray[:material/horizontal_rule:]",
}
ASSURANCE_ICON = {
    "pass": ":blue[:material/check_circle:]",  # nosec B105  # an icon, not a password
    "fail": ":orange[:material/cancel:]",
    "hit_or_miss": ":gray[:material/help:]",
}


# the columns of a control chart's table view and CSV
CHART_TABLE = (
    "month_date", "value", "cases_n", "centre_line", "lower_limit", "upper_limit", "special_cause", "variation",
    "is_provisional", "in_limits", "excluded_reason",
)  # fmt: skip


# a tile's delta colour by whether its move is an improvement (the indicator's ``better`` direction)
DELTA_COLOUR = {True: "green", False: "red", None: "gray"}


def tile_delta(summary: Summary) -> dict[str, str | None]:
    """``st.metric``'s delta, arrow and colour: the arrow the way the value moved, green when that is better."""
    return {
        "delta": change_text(summary),
        "delta_arrow": summary.direction or "off",
        "delta_color": DELTA_COLOUR[summary.is_better],
    }


def variation_text(summary: Summary) -> str:
    icon = VARIATION_ICON[summary.variation]
    text = f"{icon} {t('variation_' + summary.variation)}"
    if summary.assurance:
        text += f" · {ASSURANCE_ICON[summary.assurance]} {t('assurance_' + summary.assurance)}"
    return text


SETTINGS_MESSAGE = "chart_settings_message"


def render_chart_settings(pathway: str, indicator: Indicator, months: list[dt.date], settings: ChartSettings | None) -> None:
    """The one-line caption of the chart's settings and, for its team, the expander that changes them."""
    shown = (settings or ChartSettings()).within(months)
    if message := st.session_state.pop(SETTINGS_MESSAGE, None):
        st.success(message)
    line = settings_line(shown, months)
    if line:
        st.caption(":material/push_pin: " + plain(line))
    if not may_record_actions():
        return
    code = indicator.code
    with st.expander(t("chart_settings_title"), icon=":material/tune:"):
        st.caption(t("chart_settings_help"))
        options = [None, *months]
        until = st.selectbox(
            t("chart_settings_baseline"), options, index=options.index(shown.baseline_until),
            format_func=lambda m: t("chart_settings_baseline_none") if m is None else month_name(m),
            key=f"chart_baseline_{code}",
        )  # fmt: skip
        chosen = st.multiselect(
            t("chart_settings_exclude"), months, default=list(shown.exclude), format_func=month_name, placeholder=t("choose_options"),
            key=f"chart_exclude_{code}",
        )  # fmt: skip
        reason = st.text_input(t("chart_settings_reason"), max_chars=300, key=f"chart_reason_{code}")
        save_column, clear_column = st.columns(2)
        if save_column.button(t("chart_settings_save"), icon=":material/save:", key=f"chart_save_{code}"):
            exclude = {m: shown.exclude.get(m, reason) for m in chosen}
            try:
                save_chart_settings(pathway, code, months, until, exclude)
            except ChartSettingsInvalid as err:
                errors = "\n".join(f"- {t('chart_settings_error_' + e)}" for e in err.errors)
                st.error(t("chart_settings_invalid") + "\n" + errors)
            else:
                st.session_state[SETTINGS_MESSAGE] = t("chart_settings_saved")
                st.rerun()
        if not shown.is_empty and clear_column.button(
            t("chart_settings_clear"), icon=":material/restart_alt:", key=f"chart_clear_{code}"
        ):
            clear_chart_settings(pathway, code)
            for widget in (f"chart_baseline_{code}", f"chart_exclude_{code}", f"chart_reason_{code}"):
                st.session_state.pop(widget, None)
            st.session_state[SETTINGS_MESSAGE] = t("chart_settings_cleared")
            st.rerun()


def chart_with_data(fig, frame: pl.DataFrame, key: str, file_name: str) -> None:
    """A chart with a table view of the data behind it and a CSV download of that data.

    When the data are rows of patients, the download is the audited one of ``ui.patient_table``.
    """
    from ui.patient_table import has_patient_rows, patient_download  # it uses csv_bytes from here

    chart_tab, table_tab = st.tabs([t("tab_chart"), t("tab_table")])
    with chart_tab:
        st.plotly_chart(fig, width="stretch", key=f"chart_{key}")
    with table_tab:
        show_table(frame, key=f"table_{key}")
    if has_patient_rows(frame):
        patient_download(frame, key=key, file_name=file_name, what=f"chart {key}")
        return
    csv_download(frame, file_name, key=f"csv_{key}")


def csv_download(frame: pl.DataFrame, file_name: str, key: str | None = None) -> None:
    """A button downloading ``frame`` as formula-safe CSV (``csv_bytes``), made when it is clicked."""
    spoken = lang()  # the CSV is made on a thread of its own after the click: in the language shown now
    st.download_button(
        t("download_csv"), lambda: csv_bytes(frame, spoken), file_name=file_name, mime="text/csv", key=key,
        icon=":material/download:",
    )  # fmt: skip


def column_labels(frame: pl.DataFrame) -> dict[str, st.column_config.Column]:
    """``st.dataframe``'s column configuration that heads each column with its name in words."""
    return {c: st.column_config.Column(words) for c, words in column_words(frame.columns).items()}


def show_table(frame: pl.DataFrame, **options: object):
    """A table in words (``texts.review.cells_in_words``, ``column_labels``); returns what ``st.dataframe`` returns."""
    return st.dataframe(
        drawn(cells_in_words, frame), hide_index=True, width="stretch", column_config=column_labels(frame), **options
    )
