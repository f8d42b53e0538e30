"""Defect (issue 17): on the programme lead's adoption page the heat-map cells showed no numbers and
"36 zorgpaden blijven achter" was one unordered, collapsed list.

Every heat-map cell shows its number; the lagging centre-pathways are listed furthest behind first
(``services.adoption.lag_shortfall``), the furthest ones open on the page and the rest one click away."""

from __future__ import annotations

import json

import polars as pl

from services.adoption import adoption, lag_shortfall
from tests.apptest import app
from tests.viewers import PROGRAMME
from ui.figures import heatmap_figure

TARGETS = {"prom_response_pct": 60.0, "sdm_documented_pct": 80.0, "casemix_complete_pct": 90.0, "median_delay_days": 30.0}


def row(lags: list[str], **values: float | None) -> dict:
    base = {"response_3m_pct": None, "sdm_documented_pct": None, "casemix_complete_pct": None, "median_delay_days": None}
    return {**base, **values, "lags": lags}


def test_how_far_a_pathway_lags_by_hand() -> None:
    assert lag_shortfall(row(["response:3m"], response_3m_pct=30.0), TARGETS) == 0.5
    assert lag_shortfall(row(["delay"], median_delay_days=45.0), TARGETS) == 0.5
    assert lag_shortfall(row(["casemix"], casemix_complete_pct=88.2), TARGETS) == (90 - 88.2) / 90
    assert lag_shortfall(row(["not_live"]), TARGETS) == 1.0
    assert lag_shortfall(row(["cycle", "sdm"], sdm_documented_pct=40.0), TARGETS) == 1.5
    assert lag_shortfall(row(["delay"], median_delay_days=300.0), TARGETS) == 1.0  # at most a whole target each


def test_lagging_pathways_are_sorted_furthest_behind_first(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=PROGRAMME).run()
    assert not at.exception
    found = adoption(PROGRAMME, demo_warehouse, at.session_state["context"].month)
    lagging = found.lagging
    shortfalls = [r["shortfall"] for r in lagging]
    assert shortfalls == sorted(shortfalls, reverse=True) and len(lagging) > 1
    assert shortfalls[0] > shortfalls[-1]
    lines = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert lines, "the furthest behind are listed on the page, not only in a collapsed list"
    first = lagging[0]
    assert first["centre_name"] in lines[0]


def test_every_heat_map_cell_shows_its_number() -> None:
    frame = pl.DataFrame({"centre_name": ["A", "A", "B"], "pathway_label": ["Knie", "Heup", "Knie"], "value": [71.6, 40.0, None]})
    fig = heatmap_figure(frame, "centre_name", "pathway_label", "value", 60.0, True, "%")
    [trace] = fig.data
    assert trace.texttemplate == "%{z:.0f}%"
    spec = json.loads(fig.to_json())
    assert spec["layout"]["separators"] in (",.", ".,")


def test_the_programme_leads_heat_map_has_numbers_in_its_cells(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=PROGRAMME).run()
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert heat["data"][0]["texttemplate"].startswith("%{z:")
