"""The benchmark's pandas twins answer the same question as the queries they are timed against."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import queries
from bench.twins import TWINS, load_frames
from warehouse.connection import published

PARAMS = {
    "review_cost_categories": {
        "centre_code": "UMCU",
        "pathway": "knee_oa",
        "from_month": dt.date(2024, 11, 1),
        "to_month": dt.date(2026, 8, 1),
    },
    "review_monthly": {
        "centre_code": "UMCU",
        "pathway": "knee_oa",
        "headline_outcome": "complication_severe",
        "from_month": dt.date(2024, 11, 1),
        "to_month": dt.date(2026, 8, 1),
    },
    "adoption_response": {"centre_code": None, "from_month": dt.date(2025, 9, 1), "to_month": dt.date(2026, 8, 1)},
    "review_months": {"centre_code": "UMCU", "pathway": "knee_oa"},
    "review_equity": {
        "centre_code": "UMCU",
        "pathway": "knee_oa",
        "headline_outcome": "complication_severe",
        "work_outcome": "return_to_work",
        "to_month": dt.date(2026, 8, 1),
    },
    "review_patients": {
        "centre_code": "ZNK",
        "pathway": "knee_oa",
        "month": dt.date(2026, 2, 1),  # a month with several of ZNK's knee patients in the tiny demo
        "adverse_outcomes": ["complication_severe", "readmission_30d", "reoperation_1y"],
        "primary_instrument": "oks",
        "mic": 5.0,
        "is_higher_better": True,
    },
    "prediction_patients": {"pathway": "knee_oa", "instrument": "oks", "event": "complication_severe", "work": "return_to_work"},
    "peer_event_patients": {
        "pathway": "ibd",
        "outcome": "hospital_admission",
        "from_month": dt.date(2025, 9, 1),
        "to_month": dt.date(2026, 8, 1),
    },
    "trajectory_proms": {"centre_code": "UMCU", "episode_id": "UMCU-E0000100"},
    "trajectory_events": {"centre_code": "UMCU", "episode_id": "UMCU-E0000100"},
    "trajectory_episode": {"centre_code": "UMCU", "episode_id": "UMCU-E0000100"},
}
MIN_ROWS = {"review_equity": 3, "review_patients": 2, "trajectory_episode": 1, "trajectory_events": 3, "trajectory_proms": 8}
SORT = ("centre_code", "pathway", "month_date", "timepoint", "category", "episode_id", "literacy_group", "instrument",
        "outcome", "invited_date")  # fmt: skip
DATES = ("month_date", "treatment_date", "discharge_date", "invited_date", "completed_date", "measured_date")


@pytest.mark.parametrize("name", sorted(TWINS))
def test_the_twin_gives_the_querys_numbers(demo_warehouse, name) -> None:
    frames = load_frames(str(published(demo_warehouse)))
    expected = queries._execute(name, demo_warehouse, PARAMS[name]).to_pandas()
    got = TWINS[name](frames, PARAMS[name])
    keys = [c for c in SORT if c in expected.columns]
    expected = expected.sort_values(keys).reset_index(drop=True)
    got = got[expected.columns].sort_values(keys).reset_index(drop=True)
    for column in (c for c in DATES if c in expected.columns):
        got[column] = pd.to_datetime(got[column]).astype("datetime64[us]")
        expected[column] = pd.to_datetime(expected[column]).astype("datetime64[us]")
    assert len(expected) >= MIN_ROWS.get(name, 10)
    pd.testing.assert_frame_equal(_plain(got), _plain(expected), check_dtype=False, check_exact=False, rtol=1e-9)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing is missing (NA, NaN, None alike) and 2 is 2.0: the twins keep pandas' own dtypes."""
    return frame.astype(object).where(frame.notna(), None)


def test_twins_are_timed_in_their_own_process_and_a_lack_of_memory_is_reported(demo_warehouse, monkeypatch) -> None:
    import bench.queries as bench_queries

    asked = {"review_months": PARAMS["review_months"], "trajectory_episode": PARAMS["trajectory_episode"]}
    timed = bench_queries.twin_times(published(demo_warehouse), asked, runs=2)
    assert set(timed) == set(asked) and all(t["n"] == 2 and t["median"] > 0 for t in timed.values())
    monkeypatch.setattr(bench_queries, "TWIN_MEMORY_MB", 200)
    assert "could not hold the tables in 200 MB" in bench_queries.twin_times(published(demo_warehouse), asked, runs=2)["error"]
