"""Plotly figures built by pure functions, so tests can call them without a page.

Every figure speaks the language of ``texts.lang()``: date axes carry month names from
``texts.month_ticks`` (plotly's own would be English), hovers name months the same way, euro
axes read "€ 10.000" (``texts.money``), and ``layout.separators`` makes plotly's own numbers
Dutch (12,5) or English (12.5). Nothing is fetched: no plotly locale file is needed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import plotly.graph_objects as go
import polars as pl

from texts import money as euros
from texts import month_short, month_ticks, separators, t
from ui.safe_text import plotly_text

BLUE = "#1f5fa8"
GREY = "#8a8f98"
ORANGE = "#e07b00"
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def month_axis(dates: Iterable[dt.date | None]) -> dict:
    """A date axis labelled with the months of the language spoken (okt 2024, Oct 2024)."""
    ticks = month_ticks(d for d in dates if d is not None)
    return {"tickmode": "array", "tickvals": [d for d, _ in ticks], "ticktext": [text for _, text in ticks]}


def month_labels(dates: Sequence[dt.date | None]) -> list[str]:
    """Each point's month for its hover (``%{text}`` or ``%{customdata}``)."""
    return [month_short(d) if d is not None else "" for d in dates]


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) from at or below ``low`` to at or above ``high``."""
    if high <= low:  # one value: a band around it
        pad = max(abs(low) * 0.1, 1.0)
        low, high = low - pad, high + pad
    raw = (high - low) / (most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(k * power for k in NICE_STEPS if k * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


def money_axis(values: Iterable[float | None], from_zero: bool = False) -> dict:
    """A euro axis over ``values`` (and zero) labelled € 10.000 / € 10,000, not plotly's € 10k."""
    present = [v for v in values if v is not None and not math.isnan(v)] or [0.0]
    present += [0.0] if from_zero else []
    ticks = nice_ticks(min(present), max(present))
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [euros(v) for v in ticks]}


def spoken(fig: go.Figure) -> go.Figure:
    """The figure's own number formatting (hovers, plain axes) in the language spoken."""
    fig.update_layout(separators=separators())
    return fig


def delay_figure(delay: pl.DataFrame, own_label: str, national_label: str, y_title: str) -> go.Figure:
    """Median delivery delay per treatment month: the viewer's centre against all centres."""
    fig = go.Figure()
    for column, name, color, width in (
        ("national_median_delay_days", national_label, GREY, 2),
        ("own_median_delay_days", own_label, ORANGE, 3),
    ):
        fig.add_trace(
            go.Scatter(
                x=delay["month_date"].to_list(),
                y=delay[column].to_list(),
                mode="lines+markers",
                name=plotly_text(name),
                line={"color": color, "width": width},
                text=month_labels(delay["month_date"].to_list()),
                hovertemplate="%{text}: %{y:.0f}<extra></extra>",
            )
        )
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis=month_axis(delay["month_date"].to_list()),
        yaxis={"title": y_title, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
    )
    return spoken(fig)


IMPROVEMENT = "#289de0"
CONCERN = "#e07b00"
COMMON = "#7b7d7d"
POINT_COLOURS = {"improvement": IMPROVEMENT, "concern": CONCERN, "common": COMMON}


def control_chart_figure(
    chart: pl.DataFrame,
    y_title: str,
    percent: bool,
    month: dt.date | None = None,
    actions: list[tuple[dt.date, str]] | None = None,
    baseline: tuple[dt.date, str] | None = None,
    excluded_label: str | None = None,
    money: bool = False,
) -> go.Figure:
    """A control chart: values coloured by variation, centre line, limits per phase, actions where they start.

    ``baseline`` (its last month and the marker's text) draws a line after the baseline whose limits
    are fixed; months left out of the limits (``excluded_reason``) are hollow, their reason in the hover.
    ``money`` labels the value axis in euros.
    """
    scale = 100.0 if percent else 1.0
    x = chart["month_date"].to_list()
    months = month_labels(x)
    excluded_label = t("chart_settings_excluded_hover") if excluded_label is None else excluded_label
    value_format = "€ %{y:,.0f}" if money else "%{y:.1f}"
    fig = go.Figure()
    for column, dash, name in (
        ("upper_limit", "dot", t("legend_upper_limit")),
        ("lower_limit", "dot", t("legend_lower_limit")),
        ("centre_line", "solid", t("legend_average")),
    ):
        y = [None if v is None else v * scale for v in chart[column].to_list()]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"color": COMMON, "dash": dash, "width": 1, "shape": "hv"},
                name=name,
                hoverinfo="skip",
            )
        )
    values = [None if v is None else v * scale for v in chart["value"].to_list()]
    fig.add_trace(
        go.Scatter(x=x, y=values, mode="lines", line={"color": "#c0c4c8", "width": 1}, hoverinfo="skip", showlegend=False)
    )
    colours = [POINT_COLOURS[v] for v in chart["variation"].to_list()]
    reasons = chart["excluded_reason"].to_list() if "excluded_reason" in chart.columns else [None] * len(x)
    fig.add_trace(
        go.Scatter(
            x=x, y=[None if r is not None else v for v, r in zip(values, reasons, strict=True)], mode="markers",
            marker={"color": colours, "size": 8}, name=y_title, text=months,
            hovertemplate=f"%{{text}}: {value_format}<extra></extra>",
        )
    )  # fmt: skip
    if any(r is not None for r in reasons):
        fig.add_trace(
            go.Scatter(
                x=x, y=[v if r is not None else None for v, r in zip(values, reasons, strict=True)], mode="markers",
                marker={"color": colours, "size": 9, "symbol": "circle-open", "line": {"width": 2}},
                customdata=[plotly_text(r) for r in reasons], name="excluded", text=months,
                hovertemplate=f"%{{text}}: {value_format}<br>{plotly_text(excluded_label)}: %{{customdata}}<extra></extra>",
            )
        )  # fmt: skip
    if baseline is not None and x and x[0] <= baseline[0] <= x[-1]:
        after = baseline[0] + dt.timedelta(days=15)  # between the baseline's last month and the next
        fig.add_vline(x=after, line={"color": GREY, "dash": "dashdot", "width": 1})
        fig.add_annotation(
            x=after, y=0, yref="paper", text=plotly_text(baseline[1]), showarrow=False, xanchor="right", yanchor="bottom",
            font={"color": GREY}, name="baseline",
        )  # fmt: skip
    if month is not None and month in x:
        fig.add_vline(x=month, line={"color": "#d0d4d8", "width": 8}, layer="below")
    for start, text in actions or []:
        if x and x[0] <= start <= x[-1]:
            fig.add_vline(x=start, line={"color": BLUE, "dash": "dash", "width": 1})
            fig.add_annotation(
                x=start, y=1, yref="paper", text=plotly_text(text), showarrow=False, xanchor="left", font={"color": BLUE}
            )
    yaxis = {"title": y_title, "ticksuffix": "%" if percent else ""}
    if money:
        limits = [v for c in ("upper_limit", "lower_limit") for v in chart[c].to_list()]
        yaxis |= money_axis([*values, *limits])
    fig.update_layout(
        height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False, yaxis=yaxis, xaxis=month_axis(x),
    )  # fmt: skip
    return spoken(fig)


def stacked_cost_figure(by_category: pl.DataFrame, names: dict[str, str], y_title: str) -> go.Figure:
    """Mean cost per patient per month, stacked by category."""
    fig = go.Figure()
    for category in sorted(by_category["category"].unique().to_list()):
        rows = by_category.filter(pl.col("category") == category)
        fig.add_trace(
            go.Bar(
                x=rows["month_date"].to_list(), y=rows["mean_cost_eur"].to_list(), name=names.get(category, category),
                customdata=month_labels(rows["month_date"].to_list()),
                hovertemplate="%{customdata}: € %{y:,.0f}<extra></extra>",
            )
        )  # fmt: skip
    totals = by_category.group_by("month_date").agg(pl.col("mean_cost_eur").sum())["mean_cost_eur"]
    fig.update_layout(
        barmode="stack",
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis=month_axis(by_category["month_date"].to_list()),
        yaxis={"title": y_title} | money_axis(totals.to_list(), from_zero=True),
        legend={"orientation": "h", "y": -0.25},
    )
    return spoken(fig)


def grouped_bar_figure(groups: list[str], series: dict[str, list[float | None]], y_title: str) -> go.Figure:
    """Percentages per group, one bar per measure."""
    fig = go.Figure()
    for name, values in series.items():
        fig.add_trace(go.Bar(x=groups, y=values, name=name, hovertemplate="%{y:.1f}%<extra></extra>"))
    fig.update_layout(
        barmode="group",
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"title": y_title, "ticksuffix": "%", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
    )
    return spoken(fig)


def funnel_figure(
    centres: pl.DataFrame,
    curve: pl.DataFrame,
    target: float,
    value: str,
    percent: bool,
    y_title: str,
    x_title: str,
    x: str = "patients_n",
) -> go.Figure:
    """Funnel plot: 95% and 99.8% limits, the target, peers in grey and the viewer's centre highlighted.

    Each dot is drawn at its column ``x`` (the x at which its position was decided), and the
    curve holds a point at every dot's x, so what the figure shows is what the table says.
    """
    scale = 100.0 if percent else 1.0
    fig = go.Figure()
    grid = curve["denominator"].to_list()
    for column, dash in (("upper_998", "dot"), ("lower_998", "dot"), ("upper_95", "dash"), ("lower_95", "dash")):
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=[v * scale for v in curve[column].to_list()],
                mode="lines",
                line={"color": COMMON, "dash": dash, "width": 1},
                hoverinfo="skip",
                showlegend=False,
                name=column,
            )
        )
    fig.add_hline(y=target * scale, line={"color": COMMON, "width": 1})
    shown = centres.filter(~pl.col("is_suppressed"))
    x_format = "%{x}" if x == "patients_n" else "%{x:.1f}"
    for is_own, colour, size in ((False, "#9aa0a6", 9), (True, CONCERN, 15)):
        rows = shown.filter(pl.col("is_own") == is_own)
        fig.add_trace(
            go.Scatter(
                x=rows[x].to_list(), y=[v * scale for v in rows[value].to_list()], mode="markers+text" if is_own else "markers",
                text=[plotly_text(v) for v in rows["label"]] if is_own else None, textposition="top center",
                customdata=[plotly_text(v) for v in rows["label"]],
                marker={"color": colour, "size": size, "line": {"color": "white", "width": 1}}, showlegend=False,
                name="own" if is_own else "peers",
                hovertemplate=f"%{{customdata}}: %{{y:.1f}} ({plotly_text(x_title)} {x_format})<extra></extra>",
            )
        )  # fmt: skip
    yaxis = {"title": y_title, "ticksuffix": "%" if percent else "", "rangemode": "tozero"}
    if shown.height:
        # the lines rise steeply left of the smallest dot: keep the dots and their limits in view
        near = curve.filter(pl.col("denominator") >= shown[x].min())
        top = max([*shown[value].to_list(), *near["upper_998"].to_list(), target])
        low = min([*shown[value].to_list(), *near["lower_998"].to_list(), target])
        pad = 0.08 * (top - low) * scale
        yaxis["range"] = [0.0 if percent else low * scale - pad, top * scale + pad]
    fig.update_layout(
        height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis={"title": x_title, "rangemode": "tozero"},
        yaxis=yaxis,
    )  # fmt: skip
    return spoken(fig)


def own_trend_figure(trend: pl.DataFrame, own_label: str, pooled_label: str, percent: bool, y_title: str) -> go.Figure:
    """The viewer's adjusted result per half-year beside the centres' mean, on a month axis."""
    scale = 100.0 if percent else 1.0
    x = trend["period_start"].to_list()
    fig = go.Figure()
    for column, name, colour in (("pooled_value", pooled_label, COMMON), ("adjusted_value", own_label, CONCERN)):
        fig.add_trace(
            go.Scatter(
                x=x, y=[None if v is None else v * scale for v in trend[column].to_list()],
                mode="lines+markers", name=plotly_text(name), line={"color": colour}, text=month_labels(x),
                hovertemplate="%{text}: %{y:.1f}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis=month_axis(x),
        yaxis={"title": y_title, "ticksuffix": "%" if percent else "", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
    )
    return spoken(fig)


def heatmap_figure(
    frame: pl.DataFrame, rows: str, columns: str, value: str, target: float | None, higher_is_better: bool, unit: str
) -> go.Figure:
    """A centre × pathway heat map; blue meets the target, orange falls short, grey lies near it."""
    row_labels = frame[rows].unique(maintain_order=True).to_list()
    column_labels = frame[columns].unique(maintain_order=True).to_list()
    lookup = {(r[rows], r[columns]): r[value] for r in frame.iter_rows(named=True)}
    z = [[lookup.get((r, c)) for c in column_labels] for r in row_labels]
    values = [v for v in frame[value].to_list() if v is not None]
    top = 100.0 if unit == "%" else max([*values, (target or 0) * 2, 1.0])
    middle = min(max((target if target is not None else top / 2) / top, 0.01), 0.99)
    low, high = (CONCERN, IMPROVEMENT) if higher_is_better else (IMPROVEMENT, CONCERN)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[plotly_text(c) for c in column_labels], y=[plotly_text(r) for r in row_labels], zmin=0, zmax=top, colorscale=[[0, low], [middle, "#f5f5f5"], [1, high]],
            hovertemplate="%{y} · %{x}: %{z:.1f}" + unit + "<extra></extra>", colorbar={"ticksuffix": unit},
            texttemplate="%{z:.0f}" + unit, textfont={"size": 12},  # every cell shows its number
        )
    )  # fmt: skip
    fig.update_layout(height=120 + 28 * len(row_labels), margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return spoken(fig)


def lines_figure(frame: pl.DataFrame, value: str, group: str, target: float | None, y_title: str, unit: str) -> go.Figure:
    """One line per group (centre or pathway) over the months, the target dotted."""
    fig = go.Figure()
    for (name,), rows in frame.sort("month_date").group_by(group, maintain_order=True):
        fig.add_trace(
            go.Scatter(
                x=rows["month_date"].to_list(), y=rows[value].to_list(), mode="lines+markers", name=plotly_text(name),
                connectgaps=False, text=month_labels(rows["month_date"].to_list()),
                hovertemplate=f"%{{fullData.name}} · %{{text}}: %{{y:.1f}}{unit}<extra></extra>",
            )
        )  # fmt: skip
    if target is not None:
        fig.add_hline(y=target, line={"dash": "dot", "color": GREY})
    fig.update_layout(
        height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.2},
        yaxis={"title": y_title, "rangemode": "tozero", "ticksuffix": unit}, xaxis=month_axis(frame["month_date"].to_list()),
    )  # fmt: skip
    return spoken(fig)


def icon_array_figure(chance: float, label: str) -> go.Figure:
    """100 people in a 10 × 10 grid; the first round(100 × chance) coloured: a chance without jargon."""
    n = round(100 * chance)
    x = [i % 10 for i in range(100)]
    y = [9 - i // 10 for i in range(100)]
    colours = [IMPROVEMENT if i < n else "#d5d8dc" for i in range(100)]
    fig = go.Figure(
        go.Scatter(
            x=x, y=y, mode="markers", marker={"symbol": "circle", "size": 13, "color": colours},
            hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    fig.update_layout(
        height=190, width=190, margin={"l": 0, "r": 0, "t": 0, "b": 0}, title=None,
        xaxis={"visible": False, "range": [-0.6, 9.6]}, yaxis={"visible": False, "range": [-0.6, 9.6], "scaleanchor": "x"},
        meta={"label": label, "coloured": n},
    )  # fmt: skip
    return spoken(fig)


def trajectory_figure(
    expected: pl.DataFrame, observed: pl.DataFrame, events: list[tuple[float, str]], y_title: str, names: dict[str, str]
) -> go.Figure:
    """The expected band and line per month after treatment, the patient's own scores, and events as lines."""
    fig = go.Figure()
    if expected.height:
        x = expected["months"].to_list()
        fig.add_trace(
            go.Scatter(
                x=x, y=expected["upper_score"].to_list(), mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x, y=expected["lower_score"].to_list(), mode="lines", line={"width": 0}, fill="tonexty",
                fillcolor="rgba(40,157,224,0.18)", showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=x, y=expected["expected_score"].to_list(), mode="lines+markers", name=names["expected"],
                       line={"color": IMPROVEMENT, "dash": "dash"})
        )  # fmt: skip
    colours = [CONCERN if behind else BLUE for behind in observed["is_behind"].to_list()]
    fig.add_trace(
        go.Scatter(
            x=observed["months"].to_list(), y=observed["score"].to_list(), mode="lines+markers", name=names["patient"],
            line={"color": BLUE}, marker={"size": 11, "color": colours}, connectgaps=False,  # a missing score is a gap
        )
    )  # fmt: skip
    for month, text in events:
        fig.add_vline(x=month, line={"color": CONCERN, "dash": "dot"})
        fig.add_annotation(x=month, y=1, yref="paper", text=text, showarrow=False, xanchor="left", font={"color": CONCERN})
    fig.update_layout(
        height=340, margin={"l": 10, "r": 10, "t": 20, "b": 10}, legend={"orientation": "h", "y": -0.25},
        xaxis={"title": names["months"], "tickvals": [0, 3, 6, 12]}, yaxis={"title": y_title},
    )  # fmt: skip
    return spoken(fig)


def calibration_figure(calibration: pl.DataFrame, x_title: str, y_title: str, percent: bool) -> go.Figure:
    """Mean predicted against mean observed per tenth, with the diagonal of perfect calibration."""
    scale = 100.0 if percent else 1.0
    predicted = [v * scale for v in calibration["predicted_mean"].to_list()]
    observed = [v * scale for v in calibration["observed_mean"].to_list()]
    low, high = min([*predicted, *observed], default=0), max([*predicted, *observed], default=1)
    fig = go.Figure(go.Scatter(x=[low, high], y=[low, high], mode="lines", line={"color": GREY, "dash": "dot"}, hoverinfo="skip"))
    fig.add_trace(
        go.Scatter(x=predicted, y=observed, mode="markers+lines", marker={"color": BLUE, "size": 8},
                   hovertemplate="%{x:.1f} → %{y:.1f}<extra></extra>")
    )  # fmt: skip
    suffix = "%" if percent else ""
    fig.update_layout(
        height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False,
        xaxis={"title": x_title, "ticksuffix": suffix}, yaxis={"title": y_title, "ticksuffix": suffix},
    )  # fmt: skip
    return spoken(fig)


def g_chart_figure(chart: pl.DataFrame, open_count: int, y_title: str, open_label: str) -> go.Figure:
    """A g-chart: patients between events, one dot per event (at the event's month), median and upper limit.

    The patients since the last event (``open_count``), an interval still open, are a hollow dot
    after the last event (named ``open_label``); they are not part of the limits.
    """
    x = list(range(1, chart.height + 1))
    events = chart["event_date"].to_list() if "event_date" in chart.columns else [None] * len(x)
    dates = [d.strftime("%Y-%m") if d is not None else "" for d in events]
    fig = go.Figure()
    for column, dash, name in (("upper_limit", "dot", t("legend_upper_limit")), ("centre_line", "solid", t("legend_median"))):
        fig.add_trace(
            go.Scatter(
                x=[*x, len(x) + 1], y=[*chart[column].to_list(), chart[column][-1] if chart.height else None],
                mode="lines", line={"color": COMMON, "dash": dash, "width": 1, "shape": "hv"}, name=name,
                hoverinfo="skip",
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x, y=chart["value"].to_list(), mode="lines+markers", line={"color": "#c0c4c8", "width": 1},
            marker={"color": [POINT_COLOURS[v] for v in chart["variation"].to_list()], "size": 8},
            customdata=dates, name=y_title, hovertemplate="%{customdata}: %{y:.0f}<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[len(x) + 1], y=[open_count], mode="markers", name=plotly_text(open_label),
            marker={"color": GREY, "size": 9, "symbol": "circle-open", "line": {"width": 2}},
            hovertemplate=f"{plotly_text(open_label)}: %{{y:.0f}}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False,
        yaxis={"title": y_title, "rangemode": "tozero"}, xaxis={"title": "#", "dtick": 1},
    )  # fmt: skip
    return spoken(fig)
