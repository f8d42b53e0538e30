"""The benchmark shows each query before and after the marts, beside its floor, judged on the query budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bench.__main__ as bench
from bench.stats import spread


def measured(scale: str) -> dict:
    queries = {
        "adoption_monthly": {"duckdb": spread([0.040, 0.050, 0.030]), "floor": spread([0.010])},
        "review_equity": {"duckdb": spread([0.250]), "floor": spread([0.200])},
    }
    return {"scale": scale, "queries": queries, "queries_before": {"adoption_monthly": spread([0.400])}}


def test_each_query_stands_beside_its_floor_and_its_time_before() -> None:
    text = "\n".join(bench.floor_lines([measured("medium")]))
    assert "| medium | adoption_monthly | 0.400 | 0.040 (0.030–0.050) | 0.010 | 4.0× | 10.0× | met (≤ 100 ms) |" in text
    assert "| medium | review_equity | – | 0.250 (0.250–0.250) | 0.200 | 1.2× | – | missed (≤ 100 ms) |" in text
    assert "| small | adoption_monthly |" in "\n".join(bench.floor_lines([measured("small")]))  # no budget at small: –


def test_the_baseline_is_read_from_the_earlier_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "results")
    earlier = {
        "scale": "medium",
        "queries": {"review_monthly": {"duckdb": spread([0.3])}},
        "stamps": {"queries": {"commit": "abc1234"}},
    }
    (tmp_path / "medium.json").write_text(json.dumps(earlier), encoding="utf-8")
    result = bench.with_baseline({"scale": "medium", "queries": {}}, tmp_path)
    assert result["queries_before"] == {"review_monthly": spread([0.3])}
    assert result["queries_before_commit"] == "abc1234"
    assert bench.floor_lines([{"scale": "medium", "queries": {"x": {"duckdb": spread([0.1])}}}]) == []  # measured before floors
