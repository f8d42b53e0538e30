"""Plotly figures built by pure functions, so tests can call them without a page."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

BLUE = "#1f5fa8"
GREY = "#8a8f98"
ORANGE = "#e07b00"


def trend_figure(
    monthly: pl.DataFrame, value: str, month: dt.date, previous: float | None, y_title: str, percent: bool = False
) -> go.Figure:
    """A monthly line with the chosen month highlighted and the previous-12-month level dotted."""
    fig = go.Figure()
    rows = monthly.filter(pl.col(value).is_not_null())
    fig.add_trace(
        go.Scatter(
            x=rows["month_date"].to_list(),
            y=rows[value].to_list(),
            mode="lines+markers",
            line={"color": BLUE},
            marker={"size": 6},
            name=y_title,
            hovertemplate="%{x|%b %Y}: %{y:.1f}<extra></extra>",
        )
    )
    chosen = rows.filter(pl.col("month_date") == month)
    if chosen.height:
        fig.add_trace(
            go.Scatter(
                x=chosen["month_date"].to_list(),
                y=chosen[value].to_list(),
                mode="markers",
                marker={"size": 12, "color": ORANGE},
                name=month.strftime("%Y-%m"),
                hoverinfo="skip",
            )
        )
    if previous is not None:
        fig.add_hline(y=previous, line={"dash": "dot", "color": GREY})
    fig.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        yaxis={"title": y_title, "rangemode": "tozero", "ticksuffix": "%" if percent else ""},
        xaxis={"tickformat": "%b %Y"},
    )
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
                name=name,
                line={"color": color, "width": width},
                hovertemplate="%{x|%b %Y}: %{y:.0f}<extra></extra>",
            )
        )
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"title": y_title, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def target_bar_figure(labels: list[str], values: list[float | None], target: float, y_title: str) -> go.Figure:
    """Horizontal bars per category against a dotted target line (values in percent)."""
    colors = [BLUE if v is not None and v >= target else ORANGE for v in values]
    fig = go.Figure(
        go.Bar(x=values, y=labels, orientation="h", marker={"color": colors}, hovertemplate="%{x:.1f}%<extra></extra>")
    )
    fig.add_vline(x=target, line={"dash": "dot", "color": GREY})
    fig.update_layout(
        height=80 + 40 * len(labels),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": y_title, "range": [0, 100], "ticksuffix": "%"},
    )
    return fig
