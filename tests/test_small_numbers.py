"""Small numbers: denominators, too-few months, longer grains with stated rule lengths, and an agenda that waits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from analytics.indicators import MIN_CASES, Indicator, agenda, control_chart, grain_points, review
from analytics.spc import p_chart, run_rule_length, with_run_length, xmr

MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)] + [dt.date(2026, m, 1) for m in range(1, 7)]
COMPLICATION = Indicator("outcome:c", {"nl": "Complicatie", "en": "Complication"}, "p", "down", "outcome", "pct")
WAIT = Indicator("waiting_time_days", {"nl": "Wachttijd", "en": "Waiting time"}, "xmr", "down", "process", "days")


def _rows(code: str, events: list[float | None], cases: list[int], values: list[float] | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_code": [code] * len(cases),
            "month_date": MONTHS[: len(cases)],
            "events_n": events,
            "cases_n": cases,
            "value": values if values is not None else [e / n for e, n in zip(events, cases, strict=True)],
        },
        schema={
            "indicator_code": pl.String,
            "month_date": pl.Date,
            "events_n": pl.Float64,
            "cases_n": pl.Int64,
            "value": pl.Float64,
        },
    )


def test_rule_lengths_per_grain() -> None:
    assert run_rule_length("month") == 7 and run_rule_length("quarter") == 7
    assert run_rule_length("rolling_3") == 19  # 7 windows of 3 months that share no month: 6·3 + 1 points
    assert run_rule_length("rolling_12") == 73
    with pytest.raises(ValueError):
        run_rule_length("week")


def test_with_run_length_seven_is_the_package_chart_itself() -> None:
    rng = np.random.default_rng(16)
    values = [*rng.normal(10, 2, 30).round(1), 14, 14.5, 15, 15.5, 16, 16.5, 17]
    chart = xmr(values, "up")
    again = with_run_length(chart, 7, "up")
    assert again.equals(chart)
    p = p_chart([1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 9], [10] * 13, "down")
    assert with_run_length(p, 7, "down").equals(p)


def test_a_longer_run_is_needed_on_rolling_points() -> None:
    # 8 points in a row above the centre: a shift at 7, none at 19
    values = [1.0, 2.0] * 8 + [5.0] * 8
    chart = xmr(values, "up", screen_outliers=False)
    assert chart["rule_shift"][-1]
    longer = with_run_length(chart, 19, "up", two_of_three=False)
    assert not longer["rule_shift"].any() and not longer["rule_two_of_three"].any()


def test_quarter_and_rolling_points_add_events_and_patients() -> None:
    cases = [4, 5, 6, 3, 2, 5, 6, 4, 5, 3, 4, 6, 5, 4, 6, 5, 3, 4]
    events = [1.0, 0.0, 2.0, 0.0, 1.0, 1.0, 2.0, 0.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 1.0]
    rows = _rows(COMPLICATION.code, events, cases)
    quarters = grain_points(COMPLICATION, rows, MONTHS, "quarter")
    assert quarters.height == 6
    first = quarters.row(0, named=True)
    assert (first["period_start"], first["month_date"]) == (dt.date(2025, 1, 1), dt.date(2025, 3, 1))
    assert (first["events_n"], first["cases_n"], first["months_n"]) == (3.0, 15.0, 3)
    assert first["value"] == pytest.approx(3 / 15)
    rolling = grain_points(COMPLICATION, rows, MONTHS[12:], "rolling_12")  # uses the 11 months before
    assert rolling.height == 6 and rolling["cases_n"][0] == sum(cases[1:13])
    assert rolling["events_n"][-1] == sum(events[6:18])
    chart = control_chart(COMPLICATION, rows, MONTHS, grain="quarter")
    # p̄ = 16 / 80 over the six quarters; the first quarter's upper limit at n = 15
    p = sum(events) / sum(cases)
    assert chart["centre_line"][0] == pytest.approx(p)
    assert chart["upper_limit"][0] == pytest.approx(p + 3 * (p * (1 - p) / 15) ** 0.5)
    assert chart["cases_n"].to_list() == [15, 10, 15, 13, 15, 12]


def test_measures_are_weighted_by_their_patients_at_a_longer_grain() -> None:
    rows = _rows(WAIT.code, [None] * 3, [1, 3, 0], [10.0, 20.0, None])
    point = grain_points(WAIT, rows, MONTHS[:3], "quarter").row(0, named=True)
    assert point["value"] == pytest.approx((10 + 60) / 4) and point["months_n"] == 2


def test_the_agenda_never_raises_a_signal_from_a_month_with_too_few_patients() -> None:
    # twelve months of 1 in 20, then 5 of 6: far above the limit, but 6 < 10 patients
    cases, events = [20] * 12 + [6], [1.0] * 12 + [5.0]
    rows = _rows(COMPLICATION.code, events, cases)
    months = MONTHS[:13]
    summary = review([COMPLICATION], rows, months, months[-1])[0]
    assert summary.rules == ("outside",) and summary.too_few and summary.cases_n == 6 < MIN_CASES
    assert summary.events_n == 5
    assert agenda([summary]) == []
    rows = _rows(COMPLICATION.code, [1.0] * 12 + [8.0], [20] * 12 + [10])
    assert [s.indicator.code for s in agenda(review([COMPLICATION], rows, months, months[-1]))] == [COMPLICATION.code]


def test_the_review_page_says_small_numbers_in_words_and_charts_a_rare_event_between_events(
    review_warehouse, monkeypatch
) -> None:
    from tests.apptest import app, texts

    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    # September 2026: 1 severe complication in 4 knee patients, expected well under one a month
    assert "n = 4 patiënten behandeld in september 2026" in shown  # the tile names its cohort (test_review_cohorts)
    assert "1 van 4 patiënten: te weinig (minder dan 10) om als percentage te beoordelen." in shown
    assert "Zeldzame gebeurtenis" in shown
    assert "Ernstige complicatie: patiënten tussen twee gebeurtenissen" in [s.value for s in at.subheader]
    assert "g-kaart (qicharts2, Benneyan)" in shown

    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU", chart_indicator="prom_response:baseline").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Per kwartaal: een verschuiving of trend telt vanaf 7 kwartalen op rij" in texts(at)
    at.selectbox(key="grain_prom_response:baseline").set_value("rolling_3").run()
    assert "pas vanaf 19 punten op rij" in texts(at)
