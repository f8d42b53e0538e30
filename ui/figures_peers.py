"""The peer views' figures (issue 17): the funnel with an axis fitted to its dots, the scorecard strip and the
ranked (caterpillar) view. Pure functions of protected peer figures (``analytics.peers``), testable without a page.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from ui.figures import COMMON, CONCERN, funnel_figure, spoken
from ui.safe_text import plotly_text

PEER = "#9aa0a6"
PAD = 0.06  # of the shown span, above and below


def funnel_range(centres: pl.DataFrame, curve: pl.DataFrame, target: float, value: str, x: str) -> tuple[float, float]:
    """The funnel's y-range: the dots, the target and the limits near the data, never the steep tip.

    "Near the data": the limit lines from the median dot's x onwards, where most dots lie; left of it
    the lines rise towards the funnel's tip and would squeeze every dot into a thin band. A dot is
    always in view, whatever its limits.
    """
    shown = centres.filter(~pl.col("is_suppressed"))
    values = [float(v) for v in shown[value].to_list() if v is not None]
    if not values:
        return (0.0, 1.0)
    near = curve.filter(pl.col("denominator") >= statistics.median(shown[x].to_list()))
    ends = [*near["upper_998"].to_list(), *near["lower_998"].to_list()]
    low, high = min([*values, target, *ends]), max([*values, target, *ends])
    pad = PAD * ((high - low) or abs(high) or 1.0)
    return (low - pad, high + pad)


def peer_funnel_figure(
    centres: pl.DataFrame, curve: pl.DataFrame, target: float, value: str, percent: bool, y_title: str, x_title: str, x: str
) -> go.Figure:
    """The shared funnel plot (``ui.figures.funnel_figure``) with its y-axis fitted by ``funnel_range``."""
    fig = funnel_figure(centres, curve, target, value, percent, y_title, x_title, x=x)
    low, high = funnel_range(centres, curve, target, value, x)
    scale = 100.0 if percent else 1.0
    fig.update_yaxes(range=[max(0.0, low) * scale if percent else low * scale, high * scale], rangemode="normal")
    return fig


def relative(value: float, low: float, high: float, better_up: bool) -> float:
    """Where ``value`` lies between the worst (0) and the best (1) shown value of a row."""
    if high == low:
        return 0.5
    share = (value - low) / (high - low)
    return share if better_up else 1 - share


def scorecard_figure(rows: Sequence[dict], worse: str, better: str, own_label: str, peers_label: str) -> go.Figure:
    """One line per indicator: peers as grey dots, the own centre as a large dot, from worst (left) to best (right).

    ``rows``: dicts with ``label``, ``better_up``, ``own`` (value or None), ``peers`` (values) and
    ``texts`` (the hover text of each value, own last). Each row is scaled to its own shown values,
    so rows of different units share the strip; the numbers are in the table beside it.
    """
    fig = go.Figure()
    for row in rows:
        values = [*row["peers"], *([row["own"]] if row["own"] is not None else [])]
        low, high = min(values), max(values)
        where = [relative(v, low, high, row["better_up"]) for v in row["peers"]]
        name = plotly_text(row["label"])
        fig.add_trace(
            go.Scatter(
                x=where, y=[name] * len(where), mode="markers", marker={"color": PEER, "size": 9}, showlegend=False,
                name=plotly_text(peers_label), customdata=[plotly_text(s) for s in row["texts"][: len(where)]],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
        if row["own"] is not None:
            fig.add_trace(
                go.Scatter(
                    x=[relative(row["own"], low, high, row["better_up"])], y=[name], mode="markers",
                    marker={"color": CONCERN, "size": 16, "line": {"color": "white", "width": 1}}, showlegend=False,
                    name=plotly_text(own_label), customdata=[plotly_text(row["texts"][-1])],
                    hovertemplate=f"{plotly_text(own_label)}: %{{customdata}}<extra></extra>",
                )
            )  # fmt: skip
    fig.update_layout(
        height=80 + 48 * max(1, len(rows)), margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"range": [-0.08, 1.08], "tickmode": "array", "tickvals": [0, 1],
               "ticktext": [plotly_text(worse), plotly_text(better)], "showgrid": False, "zeroline": False},
        yaxis={"autorange": "reversed"},
    )  # fmt: skip
    return spoken(fig)


def ranked_figure(ranking: pl.DataFrame, target: float, percent: bool, y_title: str) -> go.Figure:
    """The caterpillar view: centres in rank order (best left), each value with its 95% interval, the target as a line."""
    scale = 100.0 if percent else 1.0
    fig = go.Figure()
    labels = [plotly_text(v) for v in ranking["label"]]
    for is_own, colour, size in ((False, PEER, 9), (True, CONCERN, 14)):
        rows = ranking.filter(pl.col("is_own") == is_own)
        values = [v * scale for v in rows["value"]]
        fig.add_trace(
            go.Scatter(
                x=[plotly_text(v) for v in rows["label"]], y=values, mode="markers", showlegend=False,
                name="own" if is_own else "peers", marker={"color": colour, "size": size},
                error_y={"type": "data", "symmetric": False, "color": colour,
                         "array": [h * scale - v for h, v in zip(rows["high"], values, strict=True)],
                         "arrayminus": [v - lo * scale for lo, v in zip(rows["low"], values, strict=True)]},
                hovertemplate="%{x}: %{y:.1f}<extra></extra>",
            )
        )  # fmt: skip
    fig.add_hline(y=target * scale, line={"color": COMMON, "width": 1})
    fig.update_layout(
        height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"categoryorder": "array", "categoryarray": labels},
        yaxis={"title": plotly_text(y_title), "ticksuffix": "%" if percent else ""},
    )  # fmt: skip
    return spoken(fig)
