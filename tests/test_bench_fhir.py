"""The FHIR import's benchmark: its synthetic export maps whole, and its report judges the floor and memory."""

from __future__ import annotations

import json

import bench.__main__ as bench
from bench import fhir
from bench.stats import spread


def test_the_synthetic_export_maps_every_resource(tmp_path) -> None:
    export = tmp_path / "export"
    written = fhir.write_export(110, export)
    result = fhir.measure_once(export, tmp_path)
    assert written == result["resources"] == 110
    assert result["convert_s"] > 0 and result["convert_cpu_s"] > 0 and result["convert_peak_mb"] >= result["before_mb"] > 0
    from tests.conftest import fetch

    db = tmp_path / "fhir.duckdb"
    assert fetch(db, "select count(*) from prom_measurements") == [(30,)]  # 3 OKS scored from items each
    assert fetch(db, "select count(*), count(distinct episode_id) from prem_responses") == [(20, 10)]
    assert fetch(db, "select count(*), min(amount_eur) from costs") == [(10, 1800.0)]
    assert fetch(db, "select count(*) from quarantine") == [(0,)]


def size(resources: int, convert_s: float, peak: float) -> dict:
    return {"resources": resources, "runs": 3, "convert": spread([convert_s]), "import": spread([convert_s * 2]),
            "resources_s": resources / convert_s, "resources_cpu_s": resources / convert_s * 1.25, "load_average": 3.0,
            "end_to_end_resources_s": resources / convert_s / 2, "before_mb": 200.0, "convert_peak_mb": peak,
            "import_peak_mb": peak + 100}  # fmt: skip


def test_the_report_gives_the_ratio_to_the_floor_and_the_memory_growth(tmp_path, monkeypatch) -> None:
    result = {
        "floor_resources_s": 10_000,
        "measured": "2026-11-29 01:00 UTC",
        "sizes": [size(100_000, 5.0, 230.0), size(1_000_000, 62.5, 430.0)],
    }
    lines = "\n".join(fhir.report_lines(result))
    assert "| 100,000 | 3 | 3.0 | 5.00 | 20,000 | 2.0× | 25,000 |" in lines
    assert (
        "- floor: slowest 16,000 resources/s = 1.6× the floor of 10,000 resources/s (met); per CPU second 20,000 = 2.0×." in lines
    )
    assert "moved the peak from 230 to 430 MB, 1.9× (+22.2 MB per 100,000 resources); end to end 330 to 530 MB, 1.6×." in lines
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    assert "FHIR import" not in bench.report([])
    (tmp_path / "fhir.json").write_text(json.dumps(result), encoding="utf-8")
    assert "## FHIR import (issue 19)" in bench.report([])
