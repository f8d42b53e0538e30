"""Every page renders for the demo, and the review shows the hand-worked numbers."""

from __future__ import annotations

import pytest

from tests.apptest import ROOT, app, texts

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_the_demo(demo_warehouse, monkeypatch, page) -> None:
    at = app(demo_warehouse, monkeypatch).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_without_a_warehouse_the_app_says_how_to_build_one(tmp_path, monkeypatch) -> None:
    at = app(tmp_path / "none.duckdb", monkeypatch).run()
    assert not at.exception
    assert "make run" in texts(at)


def test_data_page_shows_log_quarantine_and_completeness(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="AUMC").run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    frames = [f.value for f in at.dataframe]
    assert len(frames) == 4  # load log, quarantine, completeness, the table behind the delay chart
    log, quarantine, completeness, delay = frames
    assert {"file_name", "rows_read", "rows_quarantined"} <= set(log.columns)
    assert "lijkt op een BSN" in " ".join(quarantine["reason"].astype(str))
    assert "age" in set(completeness["column_name"])
    assert len(at.get("plotly_chart")) == 1
    assert {"own_median_delay_days", "national_median_delay_days"} <= set(delay.columns)
