"""Rare events: the g-chart (patients between events) and t-chart (days between), as qicharts2, and where the review uses them."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from analytics.indicators import (
    OUTCOME,
    Indicator,
    agenda,
    indicator_code,
    indicator_params,
    indicators_for,
    is_rare,
    month_range,
    rare_event_chart,
    review,
)
from analytics.spc import cases_between_events, g_chart, t_chart
from data_models.outcome_sets import OutcomeSetError, common, outcome_sets, parse_outcome_set


def test_cases_between_events_counts_the_patients_without_the_event_and_leaves_the_first_run_out() -> None:
    # 2 before the first event (not an interval), then 1, then 0 (two events in a row), 3 still open
    assert cases_between_events([0, 0, 1, 0, 1, 1, 0, None, 0, 0]) == ([1, 0], 3)
    assert cases_between_events([0, 0, 0]) == ([], 3)
    assert cases_between_events([]) == ([], 0)


def test_g_chart_limits_by_hand() -> None:
    # gaps 10, 20, 30, 100: ḡ = 40; σ = √(40·41) = 40.4969; UCL = 40 + 3σ = 161.4907; LCL = max(0, 40 − 3σ) = 0;
    # centre line = median = 25 (qicharts2 qic.g); near line ḡ + 2σ = 120.9938, so 100 is not close.
    chart = g_chart([10, 20, 30, 100])
    row = chart.row(0, named=True)
    assert row["mean_gap"] == 40
    assert row["sigma"] == pytest.approx(math.sqrt(1640))
    assert row["upper_limit"] == pytest.approx(40 + 3 * math.sqrt(1640))
    assert row["upper_limit"] == pytest.approx(161.490740, abs=1e-6)
    assert row["lower_limit"] == 0
    assert row["centre_line"] == 25
    assert row["upper_near"] == pytest.approx(120.993827, abs=1e-6)
    assert chart["is_provisional"].all()  # 4 points
    assert chart["variation"].to_list() == ["common"] * 4


def test_a_gap_beyond_the_limit_is_an_improvement_for_an_unwanted_event() -> None:
    # ḡ = (5·9 + 200) / 10 = 24.5; UCL = 24.5 + 3·√(24.5·25.5) = 98.5; 200 lies above it
    chart = g_chart([5] * 9 + [200], "up")
    assert chart["upper_limit"][0] == pytest.approx(24.5 + 3 * math.sqrt(24.5 * 25.5))
    last = chart.row(-1, named=True)
    assert last["rule_outside"] and last["variation"] == "improvement" and last["special_cause_type"] == "Above UCL"
    assert g_chart([5] * 9 + [200], "down")["variation"][-1] == "concern"


def test_g_chart_freeze_takes_the_mean_from_the_baseline_and_the_median_from_all() -> None:
    chart = g_chart([10, 30, 2, 2, 2], freeze=2)
    assert chart["mean_gap"][0] == 20  # (10 + 30) / 2
    assert chart["centre_line"][0] == 2  # median of all five, as qicharts2
    with pytest.raises(ValueError):
        g_chart([1, -1])


def test_t_chart_transforms_as_qicharts2_by_hand() -> None:
    # days y = x^3.6 with x = 2, 3, 2, 4, 3: x̄ = 2.8; moving ranges 1, 1, 2, 1, mean 1.25 (none ≥ 3.267 × 1.25);
    # σ = 1.25 / 1.128; UCL = (2.8 + 3σ)^3.6; LCL: 2.8 − 3σ < 0, so 0; centre line 2.8^3.6 = 40.7164.
    chart = t_chart([x**3.6 for x in (2, 3, 2, 4, 3)])
    sigma = 1.25 / 1.128
    assert chart["centre_line"][0] == pytest.approx(2.8**3.6)
    assert chart["centre_line"][0] == pytest.approx(40.716357, abs=1e-5)
    assert chart["upper_limit"][0] == pytest.approx((2.8 + 3 * sigma) ** 3.6)
    assert chart["lower_limit"][0] == 0
    assert chart["upper_near"][0] == pytest.approx((2.8 + 2 * sigma) ** 3.6)
    assert chart["transformed"].to_list() == pytest.approx([2, 3, 2, 4, 3])
    with pytest.raises(ValueError, match="greater than zero"):
        t_chart([3, 0, 5])


def test_the_outcome_set_marks_pancreatic_mortality_rare_and_checks_the_flag() -> None:
    sets = outcome_sets()
    rare = {(p, c) for p, s in sets.items() for c, o in s.clinical_outcomes.items() if o.rare}
    assert len(rare) >= 1
    pathway, code = sorted(rare)[0]
    indicator = next(i for i in indicators_for(sets[pathway]) if i.code == f"outcome:{code}")
    assert indicator.rare
    import yaml

    from data_models.outcome_sets import OUTCOME_SET_DIR

    raw = yaml.safe_load((OUTCOME_SET_DIR / f"{pathway}.yaml").read_text(encoding="utf-8"))
    raw["clinical_outcomes"][code]["rare"] = "yes"
    with pytest.raises(OutcomeSetError, match="rare"):
        parse_outcome_set(raw, common())


MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]
DEATH = Indicator("outcome:death", {"nl": "Overleden", "en": "Died"}, "p", "down", "outcome", "pct")


def _rows(events: list[int], cases: list[int], code: str = "outcome:death") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_code": [code] * len(MONTHS),
            "month_date": MONTHS,
            "events_n": [float(e) for e in events],
            "cases_n": cases,
            "value": [e / n for e, n in zip(events, cases, strict=True)],
        }
    )


def test_ten_months_of_zero_deaths_raise_no_improvement_on_the_agenda() -> None:
    # 10 patients a month, 2 deaths in the first two months, then ten months without:
    # expected 2 / 12 = 0,17 deaths a month (< 1), so the monthly p-chart's shift is not raised.
    rows = _rows([1, 1] + [0] * 10, [10] * 12)
    summaries = review([DEATH], rows, MONTHS, MONTHS[-1])
    assert summaries[0].is_rare and summaries[0].rules == () and agenda(summaries) == []
    frequent = _rows([3, 3] + [2] * 10, [10] * 12)  # 2,17 a month: stays a p-chart
    assert not review([DEATH], frequent, MONTHS, MONTHS[-1])[0].is_rare


def test_the_rare_flag_makes_a_frequent_event_rare_too() -> None:
    flagged = Indicator("outcome:death", {"nl": "x", "en": "x"}, "p", "down", "outcome", "pct", rare=True)
    chart = pl.DataFrame({"events": [5.0], "denominator": [10.0]})
    assert is_rare(flagged, chart) and not is_rare(DEATH, chart)
    measure = Indicator("nps", {"nl": "x", "en": "x"}, "xmr", "up", "experience", "nps")
    assert not is_rare(measure, pl.DataFrame({"value": [1.0]}))


def test_rare_event_chart_from_the_interval_query_rows() -> None:
    intervals = pl.DataFrame(
        {
            "outcome": ["death"] * 4 + ["other"],
            "interval_no": [0, 1, 2, 3, 0],
            "cases_n": [7, 40, 0, 12, 3],
            "event_date": [dt.date(2024, 1, 1), dt.date(2024, 9, 1), dt.date(2024, 9, 1), None, None],
        }
    )
    chart, open_count = rare_event_chart(DEATH, intervals)
    assert chart["value"].to_list() == [40, 0]  # the 7 before the first death are not an interval
    assert chart["event_date"].to_list() == [dt.date(2024, 9, 1), dt.date(2024, 9, 1)]
    assert open_count == 12
    assert chart["upper_limit"][0] == pytest.approx(20 + 3 * math.sqrt(20 * 21))


def test_the_g_chart_figure_and_its_sentence() -> None:
    from ui.figures import g_chart_figure
    from ui.small_numbers_view import rare_sentence

    chart = g_chart([10, 20, 30, 100]).with_columns(
        pl.Series("event_date", [dt.date(2025, m, 1) for m in (1, 3, 6, 12)], dtype=pl.Date)
    )
    fig = g_chart_figure(chart, 170, "patiënten ertussen", "sinds de laatste")
    assert list(fig.data[2].y) == [10, 20, 30, 100] and list(fig.data[3].y) == [170]
    assert list(fig.data[2].customdata) == ["2025-01", "2025-03", "2025-06", "2025-12"]
    # 170 since the last death is above the upper limit of 161,49
    assert rare_sentence("Overleden", chart, 170, 5) == (
        "Overleden: sinds de laatste gebeurtenis zijn 170 patiënten behandeld, meer dan de grens van 161; "
        "dit is waarschijnlijk geen toeval."
    )
    assert "gewoonlijk 25 patiënten" in rare_sentence("Overleden", chart, 12, 5)
    assert rare_sentence("Overleden", g_chart([]), 1234, 5).startswith("Overleden: geen enkele keer in 5 jaar (1.234 patiënten)")


def test_the_interval_query_counts_every_patient_once(review_warehouse) -> None:
    import queries
    from tests.viewers import lead

    span = {"from_month": dt.date(2025, 10, 1), "to_month": dt.date(2026, 9, 1)}
    intervals = queries.run("review_event_intervals", lead("UMCU"), db=review_warehouse, pathway="knee_oa", **span)
    months = month_range(span["to_month"], 12)
    monthly = queries.run(
        "review_indicators", lead("UMCU"), db=review_warehouse, **indicator_params(outcome_sets()["knee_oa"], "UMCU", months)
    )
    assert intervals.height > 0
    for outcome, runs in intervals.group_by("outcome"):
        code = indicator_code(OUTCOME, outcome[0])
        mine = monthly.filter(pl.col("indicator_code") == code)
        events = runs["event_date"].is_not_null().sum()
        assert events == mine["events_n"].sum()
        assert runs["cases_n"].sum() + events == mine["cases_n"].sum()
        assert runs["event_date"].null_count() == 1  # the run still open
