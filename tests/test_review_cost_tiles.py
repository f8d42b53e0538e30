"""Cost tiles: a fall in cost is a fall, in the right colour (issue 17: "€ -859" under a red ↑).

Every tile's arrow follows the way its value moved and its colour whether that move is the
indicator's ``better`` direction (lower cost is better: green ↓); the change is written with its
sign in words, Dutch money format ("€ 859 lager"), never "€ -859".
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from analytics.indicators import Indicator, Summary
from reports.meeting_pack import change_text as pack_change_text  # texts.review.change_text, as the pack imports it
from tests.apptest import app
from texts.review import change_text
from ui.review_view import tile_delta

COST = Indicator(
    "cost_mean_eur", {"nl": "Gemiddelde kosten per patiënt", "en": "Mean cost per patient"}, "xmr", "down", "cost", "eur"
)
RESPONSE = Indicator("prom_response:3m", {"nl": "PROM-respons 3m", "en": "PROM response 3m"}, "p", "up", "process", "pct")


def summary(indicator: Indicator, value: float | None, previous: float | None) -> Summary:
    return Summary(indicator, pl.DataFrame(), value, previous, 20, "common", None, None, (), 0, False)


def test_a_fall_in_cost_is_a_green_down_arrow_with_its_sign_in_words() -> None:
    fall = summary(COST, 5930.0, 6789.0)
    assert fall.direction == "down" and fall.is_better is True
    assert tile_delta(fall) == {"delta": "€ 859 lager", "delta_arrow": "down", "delta_color": "green"}
    assert "-" not in change_text(fall)
    assert pack_change_text(fall) == "€ 859 lager"


def test_a_rise_in_cost_is_a_red_up_arrow() -> None:
    rise = summary(COST, 2166.67, 2000.0)
    assert tile_delta(rise) == {"delta": "€ 167 hoger", "delta_arrow": "up", "delta_color": "red"}


def test_a_percentage_moves_in_percentage_points_and_its_colour_follows_better_up() -> None:
    fall = summary(RESPONSE, 2 / 3, 0.8)
    assert tile_delta(fall) == {"delta": "13,3 procentpunt lager", "delta_arrow": "down", "delta_color": "red"}
    rise = summary(RESPONSE, 0.9, 0.8)
    assert tile_delta(rise)["delta_color"] == "green" and tile_delta(rise)["delta_arrow"] == "up"


def test_no_change_or_nothing_to_compare_shows_no_arrow() -> None:
    for s in (summary(COST, 100.0, 100.0), summary(COST, None, 100.0), summary(COST, 100.0, None)):
        assert tile_delta(s) == {"delta": None, "delta_arrow": "off", "delta_color": "gray"}


@pytest.mark.parametrize("pathway", ["knee_oa", "ckd"])
def test_every_tile_on_the_demo_points_the_way_it_moved_and_is_green_only_when_better(
    demo_warehouse, monkeypatch, pathway
) -> None:
    from services.monthly_review import monthly_review
    from tests.viewers import lead

    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway=pathway).run()
    assert not at.exception, [e.value for e in at.exception]
    month = at.sidebar.selectbox(key=f"month_UMCU_{pathway}").value
    assert isinstance(month, dt.date)
    review = monthly_review(lead("UMCU"), demo_warehouse, "UMCU", pathway, month)
    expected = {}
    for s in review.summaries:
        if s.direction is not None:
            expected[s.indicator.label["nl"]] = (s.direction, s.is_better)
    checked = 0
    for metric in at.metric:
        if metric.label not in expected:
            continue
        direction, better = expected[metric.label]
        proto = metric.proto
        assert "€ -" not in proto.delta and not proto.delta.startswith("-"), proto.delta
        assert proto.direction == (MetricProto.MetricDirection.UP if direction == "up" else MetricProto.MetricDirection.DOWN)
        assert proto.color == (MetricProto.MetricColor.GREEN if better else MetricProto.MetricColor.RED), metric.label
        assert proto.delta.endswith(" lager" if direction == "down" else " hoger"), proto.delta
        checked += 1
    assert checked >= 5
