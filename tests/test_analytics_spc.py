"""Control charts against series worked out by hand: limits, each rule, variation, edge cases."""

from __future__ import annotations

import math

import pytest

from analytics.spc import p_chart, xmr


def flagged(chart) -> list[int]:
    return chart.filter(chart["special_cause"])["point"].to_list()


def test_xmr_limits_by_hand() -> None:
    values = [10, 12, 11, 13, 12, 11, 12, 10, 11, 12, 13, 11]
    chart = xmr(values, "up")
    # mean = 138 / 12 = 11.5; moving ranges 2,1,2,1,1,1,2,1,1,1,2 → mean 15 / 11
    mr_bar = 15 / 11
    row = chart.row(0, named=True)
    assert row["centre_line"] == pytest.approx(11.5)
    assert row["upper_limit"] == pytest.approx(11.5 + 2.66 * mr_bar)  # 15.127273
    assert row["lower_limit"] == pytest.approx(11.5 - 2.66 * mr_bar)  # 7.872727
    assert row["upper_near"] == pytest.approx(11.5 + (2 / 3) * 2.66 * mr_bar)  # 13.918182
    assert row["upper_limit"] == pytest.approx(15.127273, abs=1e-6)
    assert chart.height == 12
    assert flagged(chart) == []
    assert set(chart["variation"]) == {"common"}
    assert not chart["is_provisional"].any()


def test_rule_1_a_point_outside_the_limits() -> None:
    values = [10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 10, 30]
    chart = xmr(values, "up")
    # mean = 160 / 12 = 13.3333 (10s below, 14s above); moving ranges ten of 4 and one of 20 → 60 / 11
    # UCL = 13.3333 + 2.66 × 5.4545 = 27.8424
    assert chart["upper_limit"][0] == pytest.approx(160 / 12 + 2.66 * 60 / 11)
    assert chart["upper_limit"][0] == pytest.approx(27.842424, abs=1e-6)
    assert flagged(chart) == [11]
    last = chart.row(11, named=True)
    assert (last["rule_outside"], last["side"], last["variation"]) == (True, "high", "improvement")
    assert xmr(values, "down")["variation"][11] == "concern"


def test_rule_2_a_shift_of_seven_points_on_one_side() -> None:
    values = [10, 12, 10, 12, 10, 12, 10] + [12] * 7
    chart = xmr(values, "down")
    # mean = 160 / 14 = 11.43: points 7–13 (12) lie above it, point 6 (10) breaks the earlier run
    assert flagged(chart) == list(range(7, 14))
    assert chart["rule_shift"].to_list() == [False] * 7 + [True] * 7
    assert not chart["rule_outside"].any()
    assert set(chart["variation"][7:]) == {"concern"}  # higher is worse here


def test_six_points_are_not_a_shift() -> None:
    chart = xmr([10, 12, 10, 12, 10, 12, 10, 10] + [12] * 6, "up")
    assert not chart["rule_shift"].any()


def test_a_point_on_the_centre_line_breaks_a_shift() -> None:
    values = [11, 11, 11, 10, 11, 11, 11, 9, 9, 9, 10, 9, 9, 9]  # mean is exactly 140 / 14 = 10
    chart = xmr(values, "up")
    assert chart["centre_line"][0] == pytest.approx(10.0)
    assert not chart["rule_shift"].any()
    unbroken = xmr([11] * 7 + [9, 9, 9, 10.5, 9, 9, 9], "up")  # mean 141.5 / 14: seven 11s above it
    assert unbroken["rule_shift"].to_list() == [True] * 7 + [False] * 7


def test_rule_3_a_trend_of_seven_rising_points() -> None:
    values = [10, 12, 10, 12, 10, 9, 9.5, 10, 10.5, 11, 11.5, 12]
    chart = xmr(values, "up")
    # points 5–11 rise six times in a row; mean 127.5 / 12 = 10.625, UCL 13.53: nothing else fires
    assert flagged(chart) == list(range(5, 12))
    assert chart["rule_trend"].to_list() == [False] * 5 + [True] * 7
    # a trend point keeps the trend's direction, even below the centre line (9 at point 5)
    assert set(chart["variation"][5:]) == {"improvement"}


def test_an_equal_value_breaks_a_trend() -> None:
    chart = xmr([10, 12, 10, 12, 10, 9, 9.5, 10, 10, 10.5, 11, 11.5], "up")
    assert not chart["rule_trend"].any()


def test_rule_3_a_falling_trend() -> None:
    chart = xmr([10, 8, 10, 8, 10, 11, 10.5, 10, 9.5, 9, 8.5, 8], "up")
    assert chart["rule_trend"].to_list() == [False] * 5 + [True] * 7
    assert set(chart["side"][5:]) == {"low"}
    assert set(chart["variation"][5:]) == {"concern"}


def test_rule_4_two_of_three_near_the_limits() -> None:
    values = [10, 11] * 7 + [13.5, 11, 13.5]
    chart = xmr(values, "up")
    # mean = 185 / 17 = 10.8824; ranges thirteen of 1 and three of 2.5 → 20.5 / 16 = 1.28125
    # near line = 10.8824 + (2/3)·2.66·1.28125 = 13.1544; UCL = 14.2905: 13.5 is near, not outside
    assert chart["upper_near"][0] == pytest.approx(185 / 17 + (2 / 3) * 2.66 * 20.5 / 16)
    assert chart["upper_limit"][0] == pytest.approx(14.290478, abs=1e-6)
    assert flagged(chart) == [14, 16]  # the two near points; the 11 between them is ordinary
    assert chart["rule_two_of_three"].sum() == 2
    assert not chart["rule_outside"].any()


def test_two_near_points_on_opposite_sides_are_not_a_signal() -> None:
    values = [10, 11] * 7 + [13.5, 10.5, 8.2]
    chart = xmr(values, "up")
    assert chart["lower_near"][0] > 8.2 or chart["upper_near"][0] < 13.5
    assert not chart["rule_two_of_three"].any()


def test_a_constant_series_has_no_signal() -> None:
    chart = xmr([5.0] * 12, "up")
    assert chart["centre_line"].to_list() == [5.0] * 12
    assert chart["upper_limit"].to_list() == [5.0] * 12
    assert chart["lower_limit"].to_list() == [5.0] * 12
    assert flagged(chart) == []


def test_a_single_point_has_a_centre_but_no_limits() -> None:
    chart = xmr([7.0], "up")
    row = chart.row(0, named=True)
    assert row["centre_line"] == 7.0
    assert row["upper_limit"] is None and row["lower_limit"] is None
    assert (row["special_cause"], row["variation"], row["is_provisional"]) == (False, "common", True)


def test_an_empty_series_gives_no_rows() -> None:
    assert xmr([], "up").height == 0
    assert p_chart([], [], "up").height == 0


def test_missing_months_are_left_out_and_never_bridged() -> None:
    chart = xmr([10, None, 12, 10, 12, math.nan], "up")
    # mean of 10, 12, 10, 12 = 11; moving ranges only 12→10 and 10→12 (both 2): mR̄ = 2
    assert chart["centre_line"][0] == pytest.approx(11.0)
    assert chart["upper_limit"][0] == pytest.approx(11 + 2.66 * 2)
    assert chart["moving_range"].to_list() == [None, None, None, 2.0, 2.0, None]
    assert chart["value"][1] is None and chart["value"][5] is None
    assert chart["special_cause"][1] is False
    assert chart.height == 6


def test_fewer_than_twelve_points_are_provisional() -> None:
    assert xmr(list(range(11)), "up")["is_provisional"].all()
    assert not xmr([1, 2] * 6, "up")["is_provisional"].any()
    assert xmr([1, 2] * 5 + [None, None], "up")["is_provisional"].all()  # ten values in twelve months


def test_limits_are_recalculated_from_a_chosen_month() -> None:
    before, after = [20, 22] * 6, [10, 11] * 6
    chart = xmr(before + after, "down", recalc_from=12)
    assert chart["phase"].to_list() == [0] * 12 + [1] * 12
    assert chart["centre_line"][0] == pytest.approx(21.0)
    assert chart["centre_line"][12] == pytest.approx(10.5)
    assert chart["upper_limit"][12] == pytest.approx(10.5 + 2.66 * 1.0)
    assert flagged(chart) == []  # each phase is stable around its own centre line
    # without the recalculation the change is a signal
    unsplit = xmr(before + after, "down")
    assert unsplit.filter(unsplit["point"] >= 12)["variation"].unique().to_list() == ["improvement"]


def test_assurance_against_a_target() -> None:
    values = [10, 12, 11, 13, 12, 11, 12, 10, 11, 12, 13, 11]  # limits 7.87 – 15.13
    assert set(xmr(values, "up", target=5)["assurance"]) == {"pass"}
    assert set(xmr(values, "up", target=20)["assurance"]) == {"fail"}
    assert set(xmr(values, "up", target=12)["assurance"]) == {"hit_or_miss"}
    assert set(xmr(values, "down", target=20)["assurance"]) == {"pass"}
    assert xmr(values, "up")["assurance"].null_count() == 12


def test_p_chart_limits_by_hand() -> None:
    chart = p_chart([2, 3, 1, 4], [20, 30, 10, 40], "down")
    # p̄ = 10 / 100 = 0.1; σᵢ = √(0.09 / nᵢ); limits clipped at 0
    assert chart["centre_line"].to_list() == pytest.approx([0.1] * 4)
    assert chart["upper_limit"].to_list() == pytest.approx([0.1 + 3 * math.sqrt(0.09 / n) for n in (20, 30, 10, 40)])
    assert chart["upper_limit"][0] == pytest.approx(0.301246, abs=1e-6)
    assert chart["lower_limit"].to_list() == [0.0] * 4
    assert chart["upper_near"][3] == pytest.approx(0.1 + 2 * math.sqrt(0.09 / 40))
    assert chart["value"].to_list() == pytest.approx([0.1] * 4)
    assert flagged(chart) == []


def test_p_chart_point_outside_its_own_limit() -> None:
    chart = p_chart([1, 3] * 5 + [1, 9], [20] * 12, "down")
    # p̄ = 30 / 240 = 0.125; UCL = 0.125 + 3·√(0.125·0.875/20) = 0.346853; 9/20 = 0.45
    assert chart["upper_limit"][11] == pytest.approx(0.346853, abs=1e-6)
    assert flagged(chart) == [11]
    assert chart["variation"][11] == "concern"


def test_p_chart_upper_limit_is_clipped_at_one() -> None:
    chart = p_chart([9, 10, 9, 10], [10, 10, 10, 10], "up")
    assert chart["upper_limit"].max() == 1.0


def test_p_chart_zero_denominator_is_a_missing_point() -> None:
    chart = p_chart([0, 1, 2], [0, 10, 10], "up")
    row = chart.row(0, named=True)
    assert row["value"] is None and row["upper_limit"] is None
    assert row["special_cause"] is False
    assert chart["centre_line"][1] == pytest.approx(3 / 20)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="improvement"):
        xmr([1, 2], "higher")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exceed"):
        p_chart([5], [4], "up")
    with pytest.raises(ValueError, match="same length"):
        p_chart([1, 2], [4], "up")
    with pytest.raises(ValueError, match="recalc_from"):
        xmr([1, 2, 3], "up", recalc_from=3)


def test_indicator_summary_counts_a_run_across_months_without_data() -> None:
    import datetime as dt

    import polars as pl

    from analytics.indicators import Indicator, control_chart, month_range, summarise

    months = month_range(dt.date(2026, 9, 1), 14)
    values = [10, 12, 10, 12, 10, 12, None, 12, 12, None, 12, 12, 12, 12]
    rows = pl.DataFrame(
        {"indicator_code": "x", "month_date": months, "events_n": None, "cases_n": 5, "value": values},
        schema_overrides={"events_n": pl.Float64, "value": pl.Float64},
    ).filter(pl.col("value").is_not_null())
    indicator = Indicator("x", {"nl": "x", "en": "x"}, "xmr", "down", "process", "days")
    summary = summarise(indicator, control_chart(indicator, rows, months), months[-1])
    assert summary.rules == ("shift",)
    assert summary.run_length == 7  # points 5, 7, 8, 10–13: the gaps neither break nor count
    assert summary.variation == "concern"
