"""The benchmark's report: budgets judged from the measured medians, every scale measured so far shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bench.__main__ as bench
from bench.stats import spread


def result(scale: str, load_s: float, floor_s: float, warm: float, cold: float, memory: float, fresh: float | None) -> dict:
    page = {"warm": spread([warm, warm + 0.1, warm - 0.01]), "cold": spread([cold])}
    return {
        "scale": scale, "measured": "2026-11-23 16:00 UTC", "commit": "abc1234", "rows": 1_000_000, "episodes": 50_000,
        "load": spread([load_s]), "floor": spread([floor_s]), "load_runs": 1, "memory_mb": memory,
        "pages": {"pages/review.py": page}, "queries": {"review_monthly": {"duckdb": spread([0.2]), "pandas": spread([1.0])}},
        "freshness": spread([fresh]) if fresh is not None else None,
    }  # fmt: skip


def test_spread_is_median_min_and_max() -> None:
    assert spread([3.0, 1.0, 2.0, 10.0]) == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4}


def test_budgets_are_judged_on_medians(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    monkeypatch.setattr(bench, "BEFORE", tmp_path / "before")
    medium = result("medium", load_s=2.0, floor_s=1.0, warm=0.4, cold=1.4, memory=900, fresh=8.0)
    large = result("large", load_s=5.0, floor_s=1.0, warm=0.25, cold=20.0, memory=2100, fresh=None)
    (tmp_path / "concurrent-medium.json").write_text(json.dumps({"users": 16, "p95_s": 1.5, "alone_p95_s": 0.5, "clients": "ws"}))
    lines = "\n".join(bench.budget_lines([medium, large]))
    assert "| medium: every page cold ≤ 1.5 s | slowest review.py 1.40 s | – | yes |" in lines
    assert "| medium: every page warm ≤ 0.2 s | slowest review.py 0.40 s | – | no |" in lines
    assert "| medium: every query ≤ 100 ms | slowest review_monthly 200 ms | – | no |" in lines
    assert "| medium: app memory ≤ 1,024 MB | 900 MB | – | yes |" in lines
    assert (
        "| medium: 16 users: p95 page ≤ 2.0 s | 1.50 s (16 users, websocket clients) | one user alone 0.50 s (3.0×) | yes |"
        in lines
    )
    assert (
        "| medium: loading incl. publish ≥ 500,000 rows/s | 500,000 rows/s | DuckDB read 1,000,000 rows/s (2.0×) | yes |" in lines
    )
    assert "| medium: freshness < 30 s | 8.0 s | – | yes |" in lines
    assert "| large: every page warm ≤ 0.3 s | slowest review.py 0.25 s | – | yes |" in lines
    assert "| large: app memory ≤ 2,048 MB | 2,100 MB | – | no |" in lines
    assert "| large: 16 users: p95 page ≤ 4.0 s | not measured | – | – |" in lines
    assert "| large: freshness < 300 s | not measured | – | – |" in lines
    assert "- **large: freshness < 300 s** (not measured)." in lines  # a budget not measured is listed with the missed


def test_a_figure_is_set_beside_the_code_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    monkeypatch.setattr(bench, "BEFORE", tmp_path / "before")
    (tmp_path / "before").mkdir()
    before = result("medium", load_s=2.0, floor_s=1.0, warm=0.4, cold=4.2, memory=1800, fresh=6.0)
    (tmp_path / "before" / "medium.json").write_text(json.dumps(before))
    now = result("medium", load_s=2.0, floor_s=1.0, warm=0.1, cold=1.4, memory=900, fresh=12.0) | {"commit": "new5678"}
    lines = "\n".join(bench.budget_lines([now]))
    assert "| slowest review.py 1.40 s | before 4.20 s (3.0× faster now) | yes |" in lines
    assert "| 900 MB | before 1,800 MB (2.0× less now) | yes |" in lines
    assert "| 12.0 s | before 6.0 s (2.0×) | yes |" in lines
    again = now | {"stamps": {**bench._stamps(now), "freshness": bench._stamps(before)["freshness"]}}
    stale = "\n".join(bench.budget_lines([again]))
    assert "| medium: freshness < 30 s | not measured again (last abc1234: 12.0 s) | – | – |" in stale  # judges nothing now


def test_the_report_shows_every_saved_scale_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    for r in (result("large", 5.0, 1.0, 1.0, 9.0, 1500, None), result("small", 2.0, 1.0, 0.1, 1.0, 800, 3.0)):
        (tmp_path / f"{r['scale']}.json").write_text(json.dumps(r), encoding="utf-8")
    text = bench.report(bench.saved_results())
    assert text.index("| small | 50,000 |") < text.index("| large | 50,000 |")
    assert "| large | 1,500 | – (not measured) |" in text
    assert "| small | review_monthly | 0.200 (0.200–0.200) | 1.000 (1.000–1.000) | 5.0× |" in text


def test_measuring_one_part_again_keeps_the_others_and_says_when_each_was_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(bench, "read_manifest", lambda folder: [])
    monkeypatch.setattr(bench, "freshness", lambda files, folder, runs: spread([9.0]))
    earlier = result("large", 5.0, 1.0, 1.0, 9.0, 1500, None) | {"measured": "2026-11-23 16:00 UTC", "commit": "old1234"}
    again = bench.bench_scale("large", 5, 5, tmp_path, reuse=True, parts=("freshness",), earlier=earlier)
    assert again["load"] == earlier["load"] and again["pages"] == earlier["pages"]
    assert again["stamps"]["load"] == {"measured": "2026-11-23 16:00 UTC", "commit": "old1234"}
    assert again["stamps"]["freshness"]["commit"] != "old1234"
    assert "| large | load | 2026-11-23 16:00 UTC | old1234 |" in bench.report([again])
    assert json.loads((tmp_path / "results" / "large.json").read_text())["stamps"] == again["stamps"]  # saved at once


def test_twins_that_ran_out_of_memory_say_so() -> None:
    failed = {"duckdb": spread([0.5]), "pandas": "pandas could not hold the tables in 16,000 MB (exit -9)"}
    assert bench._pandas_cells(failed) == "– (pandas could not hold the tables in 16,000 MB (exit -9)) | –"
    assert bench._pandas_cells({"duckdb": spread([0.5]), "pandas": spread([1.0])}) == "1.000 (1.000–1.000) | 2.0×"
