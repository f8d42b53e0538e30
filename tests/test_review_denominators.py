"""Denominators on every tile (issue 17: "0,0%" of how many?, and a bare "–" on tiles without patients).

A percentage tile says of how many patients ("0,0% van 14"); a tile without patients says so in
words, on the page and in the meeting pack alike.
"""

from __future__ import annotations

import polars as pl

from analytics.indicators import Indicator, Summary
from reports.meeting_pack import tile_value as pack_tile_value  # the one function in texts.review, as the pack imports it
from tests.apptest import app
from texts.review import tile_value
from ui.small_numbers_view import tile_notes

RESPONSE = Indicator("prom_response:3m", {"nl": "PROM-respons 3m", "en": "PROM response 3m"}, "p", "up", "process", "pct")
COST = Indicator("cost_mean_eur", {"nl": "Kosten", "en": "Cost"}, "xmr", "down", "cost", "eur")


def summary(indicator: Indicator, value: float | None, cases: int, events: int | None = None) -> Summary:
    return Summary(indicator, pl.DataFrame(), value, None, cases, "common", None, None, (), 0, False, events_n=events)


def test_a_percentage_tile_says_of_how_many_patients() -> None:
    s = summary(RESPONSE, 0.0, 14, 0)
    assert tile_value(s) == pack_tile_value(s) == "0,0% van 14"


def test_a_tile_without_patients_says_so_in_words() -> None:
    for s in (summary(RESPONSE, None, 0), summary(COST, None, 0)):
        assert tile_value(s) == pack_tile_value(s) == "geen patiënten"
        assert tile_notes(s) == ["Geen patiënten met deze meting in deze periode: er is niets te tonen."]


def test_a_tile_with_too_few_patients_says_so() -> None:
    notes = tile_notes(summary(RESPONSE, 0.5, 4, 2))
    assert any("te weinig" in n for n in notes)


def test_no_tile_on_the_demo_is_a_bare_dash_and_every_percentage_has_its_denominator(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    assert not at.exception, [e.value for e in at.exception]
    values = [m.value for m in at.metric]
    assert values and "–" not in values
    assert all(" van " in v for v in values if "%" in v), values
