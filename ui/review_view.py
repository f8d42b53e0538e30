"""How the review page says things: formats per unit, MDC icons, plain sentences, chart+table blocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import streamlit as st

from analytics.indicators import Indicator, Summary, control_chart, summarise
from reports.csv_safe import formula_safe
from ui.safe_text import plain
from ui.text import label, lang, month_name, number, t
from warehouse.actions import ChartSettings, ChartSettingsInvalid, clear_chart_settings, save_chart_settings

VARIATION_ICON = {
    "improvement": ":blue[:material/trending_up:]",
    "concern": ":orange[:material/warning:]",
    "common": ":gray[:material/horizontal_rule:]",
}
ASSURANCE_ICON = {
    "pass": ":blue[:material/check_circle:]",  # nosec B105 - an icon, not a password
    "fail": ":orange[:material/cancel:]",
    "hit_or_miss": ":gray[:material/help:]",
}


def fmt(indicator: Indicator, value: float | None, signed: bool = False) -> str:
    """A value in the indicator's unit, Dutch or English style."""
    if value is None:
        return "–"
    sign = "+" if signed and value > 0 else ""
    if indicator.unit == "pct":
        return sign + number(100 * value, 1, "%")
    if indicator.unit == "eur":
        return ("+" if signed and value > 0 else "") + number(value, 0, "€ ")
    if indicator.unit == "days":
        return sign + number(value, 1, " " + t("days"))
    if indicator.unit == "nps":
        return sign + number(value, 0)
    return sign + number(value, 1)


def variation_text(summary: Summary) -> str:
    icon = VARIATION_ICON[summary.variation]
    text = f"{icon} {t('variation_' + summary.variation)}"
    if summary.assurance:
        text += f" · {ASSURANCE_ICON[summary.assurance]} {t('assurance_' + summary.assurance)}"
    return text


def sentence(summary: Summary) -> str:
    """One plain sentence: what happened and whether it is likely to be real."""
    ind = summary.indicator
    name = label(ind.label)
    value = fmt(ind, summary.value)
    if not summary.rules:
        return t("sentence_common", label=name, value=value)
    prefix = t("prefix_" + summary.variation)
    high = summary.side == "high"
    if "outside" in summary.rules:
        limit = summary.chart.filter(pl.col("value") == summary.value)["upper_limit" if high else "lower_limit"]
        body = t(
            "sentence_outside_high" if high else "sentence_outside_low",
            label=name,
            value=value,
            limit=fmt(ind, limit[0] if len(limit) else None),
        )
    elif "shift" in summary.rules:
        centre = summary.chart["centre_line"].drop_nulls()
        body = t(
            "sentence_shift_high" if high else "sentence_shift_low",
            label=name,
            n=summary.run_length,
            centre=fmt(ind, centre[-1] if len(centre) else None),
        )
    elif "trend" in summary.rules:
        body = t("sentence_trend_up" if high else "sentence_trend_down", label=name, n=summary.run_length)
    else:
        body = t("sentence_near_high" if high else "sentence_near_low", label=name, value=value)
    return f"**{prefix}** {body}"


def charted(
    indicator: Indicator,
    rows: pl.DataFrame,
    months: list[dt.date],
    month: dt.date,
    settings: ChartSettings | None = None,
    recalc_from: dt.date | None = None,
    **options: Any,
) -> Summary:
    """One indicator's control chart with the team's stored settings, summarised for ``month``.

    The review page and the meeting pack both draw their charts through this function, so the
    baseline and the excluded months a team chose change the limits in the same way in both.
    ``options`` go to ``analytics.indicators.control_chart`` as they are.
    """
    shown = (settings or ChartSettings()).within(months)
    chart = control_chart(
        indicator, rows, months, recalc_from, baseline_until=shown.baseline_until, exclude=shown.exclude, **options
    )
    return summarise(indicator, chart, month)


def reviewed(
    indicators: list[Indicator],
    rows: pl.DataFrame,
    months: list[dt.date],
    month: dt.date,
    settings: Mapping[str, ChartSettings],
) -> list[Summary]:
    """Every indicator's chart with its settings (``charted``), summarised for ``month``."""
    return [charted(i, rows, months, month, settings.get(i.code)) for i in indicators]


def settings_line(settings: ChartSettings | None, months: Sequence[dt.date]) -> str | None:
    """The chart's settings in one line of raw text ("Basisperiode t/m …; uitgesloten: <maand> — <reden>").

    The reasons are the team's own text: escape the line for where it is shown (``plain``, ``html.escape``).
    """
    shown = (settings or ChartSettings()).within(months)
    parts = []
    if shown.baseline_until is not None:
        parts.append(t("chart_settings_baseline_line", month=month_name(shown.baseline_until)))
    if shown.exclude:
        items = "; ".join(f"{month_name(m)} — {reason}" for m, reason in shown.exclude.items())
        parts.append(t("chart_settings_excluded_line", items=items))
    line = "; ".join(parts)
    return line[:1].upper() + line[1:] if line else None


def baseline_marker(settings: ChartSettings | None, months: Sequence[dt.date]) -> tuple[dt.date, str] | None:
    """The chart's baseline marker: its last month and "basisperiode t/m <maand>" (for ``control_chart_figure``)."""
    until = (settings or ChartSettings()).within(months).baseline_until
    return None if until is None else (until, t("chart_settings_marker", month=month_name(until)))


SETTINGS_MESSAGE = "chart_settings_message"


def render_chart_settings(
    pathway: str, indicator: Indicator, months: list[dt.date], indicator_codes: list[str], settings: ChartSettings | None
) -> None:
    """The one-line caption of the chart's settings and, for its team, the expander that changes them."""
    from ui.data import current_viewer, may_record_actions  # ui.data imports the pack, which imports this module
    from warehouse.connection import warehouse_path

    shown = (settings or ChartSettings()).within(months)
    if message := st.session_state.pop(SETTINGS_MESSAGE, None):
        st.success(message)
    line = settings_line(shown, months)
    if line:
        st.caption(":material/push_pin: " + plain(line))
    viewer = current_viewer()
    if viewer is None or not may_record_actions():
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
            t("chart_settings_exclude"), months, default=list(shown.exclude), format_func=month_name,
            key=f"chart_exclude_{code}",
        )  # fmt: skip
        reason = st.text_input(t("chart_settings_reason"), max_chars=300, key=f"chart_reason_{code}")
        save_column, clear_column = st.columns(2)
        if save_column.button(t("chart_settings_save"), icon=":material/save:", key=f"chart_save_{code}"):
            exclude = {m: shown.exclude.get(m, reason) for m in chosen}
            try:
                save_chart_settings(warehouse_path(), viewer, pathway, code, indicator_codes, months, until, exclude)
            except ChartSettingsInvalid as err:
                errors = "\n".join(f"- {t('chart_settings_error_' + e)}" for e in err.errors)
                st.error(t("chart_settings_invalid") + "\n" + errors)
            else:
                st.session_state[SETTINGS_MESSAGE] = t("chart_settings_saved")
                st.rerun()
        if not shown.is_empty and clear_column.button(
            t("chart_settings_clear"), icon=":material/restart_alt:", key=f"chart_clear_{code}"
        ):
            clear_chart_settings(warehouse_path(), viewer, pathway, code)
            for widget in (f"chart_baseline_{code}", f"chart_exclude_{code}", f"chart_reason_{code}"):
                st.session_state.pop(widget, None)
            st.session_state[SETTINGS_MESSAGE] = t("chart_settings_cleared")
            st.rerun()


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV as a Dutch spreadsheet opens it (``;`` and decimal comma), or plain when English; formula-safe."""
    frame = formula_safe(frame)
    if lang() == "nl":
        return frame.write_csv(separator=";", decimal_comma=True).encode("utf-8-sig")
    return frame.write_csv().encode("utf-8")


def chart_with_data(fig, frame: pl.DataFrame, key: str, file_name: str) -> None:
    """A chart with a table view of the data behind it and a CSV download of that data.

    When the data are rows of patients, the download is the audited one of ``ui.patient_table``.
    """
    from ui.patient_table import has_patient_rows, patient_download  # it uses csv_bytes from here

    chart_tab, table_tab = st.tabs([t("tab_chart"), t("tab_table")])
    with chart_tab:
        st.plotly_chart(fig, width="stretch", key=f"chart_{key}")
    with table_tab:
        st.dataframe(frame, hide_index=True, width="stretch", key=f"table_{key}")
    if has_patient_rows(frame):
        patient_download(frame, key=key, file_name=file_name, what=f"chart {key}")
        return
    st.download_button(
        t("download_csv"), csv_bytes(frame), file_name=file_name, mime="text/csv", key=f"csv_{key}", icon=":material/download:"
    )
