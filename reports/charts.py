"""Control charts as still images (SVG for the HTML pack, PNG for the PDF), drawn with matplotlib.

They show what the page's interactive chart shows: the values coloured by variation, the
centre line and limits per phase (steps), the chosen month shaded and actions marked, and a
team's chart settings: a dash-dot line after a fixed baseline and the excluded months hollow.
Months and numbers on the axes are in the language spoken (``texts``), as on the page.
"""

from __future__ import annotations

import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
import polars as pl
from matplotlib.axes import Axes

from texts import money as euros
from texts import month_ticks, number

COLOURS = {"improvement": "#289de0", "concern": "#e07b00", "common": "#7b7d7d"}
ACTION = "#1f5fa8"
GREY = "#7b7d7d"


def control_chart_image(
    chart: pl.DataFrame,
    y_title: str,
    percent: bool,
    month: dt.date | None,
    actions: list[tuple[dt.date, str]],
    image_format: str = "svg",
    baseline: tuple[dt.date, str] | None = None,
    money: bool = False,
) -> bytes:
    """One control chart as an SVG or PNG image.

    ``baseline`` (its last month and the line's text, as ``texts.sentences.baseline_marker``) draws
    a dash-dot line after the baseline whose limits are fixed; months left out of the limits
    (``excluded_reason``) are hollow markers, as on the review page's chart. ``money`` labels the
    value axis in euros.
    """
    scale = 100.0 if percent else 1.0
    x = chart["month_date"].to_list()
    fig, ax = plt.subplots(figsize=(7.2, 2.4), dpi=110)
    try:
        for column, style in (("upper_limit", ":"), ("lower_limit", ":"), ("centre_line", "-")):
            y = [None if v is None else v * scale for v in chart[column].to_list()]
            ax.step(x, [float("nan") if v is None else v for v in y], where="mid", color="#7b7d7d", linestyle=style, lw=1)
        values = [float("nan") if v is None else v * scale for v in chart["value"].to_list()]
        ax.plot(x, values, color="#c0c4c8", lw=1)
        colours = [COLOURS[v] for v in chart["variation"].to_list()]
        reasons = chart["excluded_reason"].to_list() if "excluded_reason" in chart.columns else [None] * len(x)
        kept = [i for i, r in enumerate(reasons) if r is None]
        left_out = [i for i, r in enumerate(reasons) if r is not None]
        ax.scatter([x[i] for i in kept], [values[i] for i in kept], c=[colours[i] for i in kept], s=18, zorder=3)
        if left_out:
            ax.scatter(
                [x[i] for i in left_out], [values[i] for i in left_out], s=22, zorder=3, facecolors="none",
                edgecolors=[colours[i] for i in left_out], linewidths=1.5, gid="excluded",
            )  # fmt: skip
        if baseline is not None and x and x[0] <= baseline[0] <= x[-1]:
            after = baseline[0] + dt.timedelta(days=15)  # between the baseline's last month and the next
            ax.axvline(after, color=GREY, linestyle="-.", lw=1, gid="baseline")
            text = baseline[1].replace("$", r"\$")  # no mathtext
            ax.annotate(
                text,
                (after, 0.0),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                color=GREY,
                ha="right",
                va="bottom",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
        if month is not None and month in x:
            ax.axvspan(month - dt.timedelta(days=14), month + dt.timedelta(days=14), color="#e6e8eb", zorder=0)
        for start, text in actions:
            if x and x[0] <= start <= x[-1]:
                ax.axvline(start, color=ACTION, linestyle="--", lw=1)
                ax.annotate(text, (start, 1.0), xycoords=("data", "axes fraction"), fontsize=7, color=ACTION, va="top")
        ax.set_ylabel(y_title + (" (%)" if percent else ""), fontsize=7)
        ax.tick_params(labelsize=7)
        _speak_axes(ax, x, money)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format=image_format, metadata={"Date": None} if image_format == "svg" else None)
        return out.getvalue()
    finally:
        plt.close(fig)


def _decimals(values: list[float]) -> int:
    """The fewest decimals (up to 3) that show every tick value exactly."""
    return next((d for d in range(3) if all(abs(round(v, d) - v) < 1e-9 for v in values)), 3)


def _speak_axes(ax: Axes, months: list[dt.date], money_axis: bool) -> None:
    """Month names and numbers in the language spoken; matplotlib's own are English (Oct, 1,234.5)."""
    ticks = month_ticks(months)
    ax.set_xticks([d for d, _ in ticks], [text for _, text in ticks])
    low, high = ax.get_ylim()
    values = [float(v) for v in ax.get_yticks() if low <= v <= high]
    decimals = _decimals(values)
    ax.set_yticks(values, [euros(v) if money_axis else number(v, decimals) for v in values])
