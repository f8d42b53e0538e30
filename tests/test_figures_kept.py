"""Figures and tables in words are drawn once per inputs and language: a page's re-run reuses them,
other inputs or another language draw anew, and a large frame is drawn every time."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import ui.drawn
import ui.figures
from tests.apptest import app
from texts import language, t
from ui.drawn import KEPT_ROWS, drawn

SEPT = dt.date(2026, 9, 1)


@pytest.fixture
def calls() -> list[object]:
    ui.drawn._drawn.clear()
    return []


def test_the_same_inputs_draw_once_and_other_inputs_draw_again(calls) -> None:
    def bars(groups: list[str], values: pl.DataFrame) -> str:
        calls.append(groups)
        return f"{groups} {values.height}"

    frame = pl.DataFrame({"value": [1.0, 2.0]})
    assert drawn(bars, ["a"], frame) == drawn(bars, ["a"], pl.DataFrame({"value": [1.0, 2.0]}))
    assert len(calls) == 1  # an equal frame is the same input
    drawn(bars, ["a"], pl.DataFrame({"value": [1.0, 3.0]}))
    drawn(bars, ["b"], frame)
    drawn(bars, ["a"], pl.DataFrame({"other": [1.0, 2.0]}))  # the same values under another column
    assert len(calls) == 4


def test_frames_that_differ_only_in_their_middle_rows_draw_each_their_own(calls) -> None:
    """Streamlit's own hash of a polars frame reads only its first and last ten rows: the key must read them all."""

    def ranked(ranking: pl.DataFrame) -> list[str]:
        calls.append(1)
        return ranking.filter(pl.col("is_own"))["centre"].to_list()

    names = [f"peer {i}" for i in range(25)]
    own_a = pl.DataFrame({"centre": names, "is_own": [i == 12 for i in range(25)]})
    own_b = pl.DataFrame({"centre": names, "is_own": [i == 14 for i in range(25)]})
    assert drawn(ranked, own_a) == ["peer 12"]
    assert drawn(ranked, own_b) == ["peer 14"]  # another centre's ranking is never served the first one's
    assert drawn(ranked, own_b.to_series(0).to_frame().with_columns(is_own=own_b["is_own"])) == ["peer 14"]  # equal
    assert len(calls) == 2
    assert drawn(ranked, pl.DataFrame({"centre": [], "is_own": []}, schema={"centre": pl.String, "is_own": pl.Boolean})) == []


def test_each_language_draws_its_own_in_its_own_words(calls) -> None:
    def legend() -> str:
        calls.append(1)
        return t("legend_average")

    with language("nl"):
        dutch = drawn(legend)
    with language("en"):
        english = drawn(legend)
        assert drawn(legend) == english
    assert dutch != english and len(calls) == 2


def test_a_large_frame_is_drawn_every_time(calls) -> None:
    def rows(frame: pl.DataFrame) -> int:
        calls.append(1)
        return frame.height

    large = pl.DataFrame({"value": range(KEPT_ROWS + 1)})
    assert drawn(rows, large) == drawn(rows, frame=large) == KEPT_ROWS + 1
    drawn(rows, large)
    assert len(calls) == 3

    def first(frames: dict[str, pl.DataFrame]) -> int:
        calls.append(1)
        return next(iter(frames.values())).height

    drawn(first, {"nested": large})
    drawn(first, {"nested": large})
    assert len(calls) == 5  # a large frame inside a dict is drawn every time too


def test_a_rerun_of_the_review_draws_no_figure_again(own_review_warehouse, monkeypatch, calls) -> None:
    real = ui.figures.control_chart_figure

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(ui.figures, "control_chart_figure", counted)
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception, [e.value for e in at.exception]
    first = len(calls)
    assert first >= 1
    at.run()
    at.run()
    assert len(calls) == first
