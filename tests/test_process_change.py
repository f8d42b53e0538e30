"""The demo's deliberate process change is found by the control chart when it happens, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

import queries
from analytics.indicators import (
    Indicator,
    agenda,
    control_chart,
    indicator_params,
    indicators_for,
    month_range,
    review,
    summarise,
)
from analytics.monthly import add_months
from data_models.outcome_sets import outcome_sets
from sample_data.centres import CENTRES, PROCESS_CHANGE
from sample_data.generator import DEFAULT_END_MONTH, MONTHS, month_starts
from tests.viewers import lead

OSET = outcome_sets()[PROCESS_CHANGE["pathway"]]
CHANGE = month_starts(DEFAULT_END_MONTH)[MONTHS - PROCESS_CHANGE["month_index_from_end"]]
LOS: Indicator = next(i for i in indicators_for(OSET) if i.code == "length_of_stay_days")


def indicator_rows(db: Path, centre: str):
    months = month_range(add_months(CHANGE, 12), 49)  # 36 months before the change to 12 after
    return queries.run("review_indicators", lead(centre), db=db, **indicator_params(OSET, centre, months))


def los_in(rows, month, recalc_from=None):
    return summarise(LOS, control_chart(LOS, rows, month_range(month, 24), recalc_from), month)


def test_the_change_is_a_special_cause_in_the_month_it_happens(small_demo) -> None:
    rows = indicator_rows(small_demo, PROCESS_CHANGE["centre"])
    at_change = los_in(rows, CHANGE)
    assert "outside" in at_change.rules
    assert at_change.variation == "improvement"  # shorter stays are better
    summaries = review(indicators_for(OSET), rows, month_range(CHANGE, 24), CHANGE)
    assert LOS.code in [s.indicator.code for s in agenda(summaries)]


def test_the_months_before_the_change_show_no_special_cause(small_demo) -> None:
    rows = indicator_rows(small_demo, PROCESS_CHANGE["centre"])
    for back in range(1, 13):
        month = add_months(CHANGE, -back)
        assert not los_in(rows, month).rules, month


def test_recalculating_from_the_change_leaves_no_signal(small_demo) -> None:
    rows = indicator_rows(small_demo, PROCESS_CHANGE["centre"])
    later = add_months(CHANGE, 6)
    assert los_in(rows, later).rules  # without recalculation the new level stands out
    chart = control_chart(LOS, rows, month_range(later, 24), CHANGE)
    after = chart.filter(chart["month_date"] >= CHANGE)
    assert not after["special_cause"].any()
    assert after["centre_line"][0] < chart["centre_line"][0] - 1.5  # about 2 days against 4


@pytest.mark.parametrize("centre", [c.code for c in CENTRES if OSET.pathway in c.pathways and c.code != PROCESS_CHANGE["centre"]])
def test_no_other_centre_shows_a_change_that_month(small_demo, centre) -> None:
    assert not los_in(indicator_rows(small_demo, centre), CHANGE).rules
