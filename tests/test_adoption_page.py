"""The adoption page: live outcome sets, PROM response against 60%, SDM and case-mix completeness."""

from __future__ import annotations

import datetime as dt

import queries
from tests.apptest import app
from tests.viewers import lead


def test_adoption_figures_of_the_hand_built_fixture(review_warehouse) -> None:
    [row] = queries.run("adoption_pathways", lead("UMCU"), db=review_warehouse, to_month=dt.date(2026, 9, 1)).to_dicts()
    assert row["pathway"] == "knee_oa"
    assert row["is_live"] is True
    assert row["episodes_n"] == 9
    assert row["sdm_documented_pct"] == 100.0
    assert row["prom_response_pct"] == 75.0  # 6 of 8 invited at baseline
    assert row["casemix_complete_pct"] == 50.0  # bmi and ASA filled, Charlson and literacy empty


def test_a_pathway_without_recent_deliveries_is_not_live(review_warehouse) -> None:
    [row] = queries.run("adoption_pathways", lead("UMCU"), db=review_warehouse, to_month=dt.date(2027, 10, 1)).to_dicts()
    assert row["is_live"] is False
    assert row["episodes_n"] == 0


def test_adoption_page_renders_table_and_target_chart(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    at.switch_page("pages/adoption.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.iloc[0])[:3] == ["Knieartrose", "ja", 9]
    assert len(at.get("plotly_chart")) == 1
