"""The meeting mode's figures: the review's control chart, drawn taller for a projector."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from ui.figures import control_chart_figure

MEETING_CHART_HEIGHT = 360  # px: the overview's chart is 320; an item screen still fits 1280×720


def meeting_chart_figure(
    chart: pl.DataFrame,
    y_title: str,
    percent: bool,
    month: dt.date | None,
    actions: list[tuple[dt.date, str]] | None,
    baseline: tuple[dt.date, str] | None,
    money: bool,
    height: int = MEETING_CHART_HEIGHT,
) -> go.Figure:
    """The control chart of ``ui.figures.control_chart_figure`` at ``height`` pixels."""
    fig = control_chart_figure(chart, y_title, percent, month, actions, baseline=baseline, money=money)
    return fig.update_layout(height=height)
