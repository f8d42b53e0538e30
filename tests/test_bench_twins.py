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
}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_the_twin_gives_the_querys_numbers(demo_warehouse, name) -> None:
    frames = load_frames(str(published(demo_warehouse)))
    expected = queries._execute(name, demo_warehouse, PARAMS[name]).to_pandas()
    got = TWINS[name](frames, PARAMS[name])
    keys = [c for c in ("centre_code", "pathway", "month_date", "timepoint", "category") if c in expected.columns]
    expected = expected.sort_values(keys).reset_index(drop=True)
    got = got[expected.columns].sort_values(keys).reset_index(drop=True)
    got["month_date"] = pd.to_datetime(got["month_date"])
    expected["month_date"] = pd.to_datetime(expected["month_date"])
    assert len(expected) > 10
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=False, rtol=1e-9)
