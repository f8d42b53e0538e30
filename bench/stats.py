"""Median, min and max of a list of timings."""

from __future__ import annotations

import statistics


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}
