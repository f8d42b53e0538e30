"""Control charts against series worked out by hand: limits, each rule, variation, edge cases."""

from __future__ import annotations

import math

import pytest

from analytics.spc import (
    classify,
    p_chart,
    part_of_seven,
    part_of_two_in_three,
    seven_point_one_side_mean,
    seven_point_trend,
    two_in_three,
    type_direction,
    xmr,
)


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
    unscreened = xmr(values, "up", screen_outliers=False)
    # mean = 160 / 12 = 13.3333 (10s below, 14s above); moving ranges ten of 4 and one of 20 → 60 / 11
    # UCL = 13.3333 + 2.66 × 5.4545 = 27.8424
    assert unscreened["upper_limit"][0] == pytest.approx(160 / 12 + 2.66 * 60 / 11)
    assert unscreened["upper_limit"][0] == pytest.approx(27.842424, abs=1e-6)
    assert flagged(unscreened) == [11]
    # screened (the default): 20 ≥ 3.267 × 60/11 = 17.82 is left out, mR̄ = 40 / 10 = 4
    chart = xmr(values, "up")
    assert chart["upper_limit"][0] == pytest.approx(160 / 12 + 2.66 * 4)  # 23.973333
    assert chart["moving_range_screened"].to_list() == [False] * 11 + [True]
    assert chart["mean_moving_range"][0] == pytest.approx(4.0)
    assert flagged(chart) == [11]
    assert chart["special_cause_type"][11] == "Above UCL"
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


# --- NHSRplotthedots 0.2.x tests/testthat/test-ptd_calculate_point_type.R, case for case ---


def test_anchor_seven_point_one_side_mean() -> None:
    assert seven_point_one_side_mean([]).tolist() == []
    assert seven_point_one_side_mean([1] * 6).tolist() == [0] * 6
    assert seven_point_one_side_mean([1] * 6 + [-1]).tolist() == [0] * 7
    assert seven_point_one_side_mean([1] * 8 + [-1]).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert seven_point_one_side_mean([-1] * 8 + [1]).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_anchor_part_of_seven_trend() -> None:
    assert part_of_seven([]).tolist() == []
    assert part_of_seven([0] * 6).tolist() == [0] * 6
    assert part_of_seven([0] * 6 + [1, 0]).tolist() == [1] * 7 + [0]
    assert part_of_seven([0] * 7 + [1, 0]).tolist() == [0] + [1] * 7 + [0]
    assert part_of_seven([0] * 6 + [-1, 0]).tolist() == [1] * 7 + [0]
    assert part_of_seven([0] * 7 + [-1, 0]).tolist() == [0] + [1] * 7 + [0]


def test_anchor_seven_point_trend() -> None:
    assert seven_point_trend([]).tolist() == []
    assert seven_point_trend(range(1, 7)).tolist() == [0] * 6
    assert seven_point_trend([1, 2, 3, 3, 4, 5, 6]).tolist() == [0] * 7
    assert seven_point_trend(range(1, 8)).tolist() == [0] * 6 + [1]
    assert seven_point_trend([2, *range(1, 8), 3]).tolist() == [0] * 7 + [1, 0]
    assert seven_point_trend(range(7, 0, -1)).tolist() == [0] * 6 + [-1]
    assert seven_point_trend([2, *range(7, 0, -1), 3]).tolist() == [0] * 7 + [-1, 0]


def test_anchor_two_in_three() -> None:
    assert two_in_three([], []).tolist() == []
    assert two_in_three([0, 0, 0], [0]).tolist() == [0, 0, 0]
    d = two_in_three([1, 0, 1], [1, 1, 1]).tolist()
    assert d == two_in_three([0, 1, 1], [1, 1, 1]).tolist() == two_in_three([1, 1, 0], [1, 1, 1]).tolist() == [1, 1, 1]
    assert two_in_three([0, 0, 1, 0, 1, 0, 0], [1] * 7).tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert two_in_three([0, 0, 1, 1, 0, 0, 0], [1] * 7).tolist() == [0, 1, 1, 1, 1, 0, 0]


def test_anchor_two_in_three_on_opposite_sides_of_the_mean() -> None:  # the fix for issue #143
    assert two_in_three([1, 0, 1], [1, -1, 1]).tolist() == [0, 0, 0]
    assert two_in_three([0, 1, 1], [1, -1, 1]).tolist() == [0, 0, 0]
    assert two_in_three([1, 1, 0], [1, -1, 1]).tolist() == [0, 0, 0]
    assert two_in_three([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]).tolist() == [0] * 7
    assert two_in_three([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]).tolist() == [0] * 7


def test_anchor_part_of_two_in_three() -> None:
    assert part_of_two_in_three(two_in_three([], []), []).tolist() == []
    assert part_of_two_in_three([0, 0, 0], two_in_three([0, 0, 0], [0])).tolist() == [0, 0, 0]
    for v in ([1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1, 0, 1, 0, 0]):
        assert part_of_two_in_three(two_in_three(v, [1] * len(v)), v).tolist() == v
    g = [0, 0, 1, 1, 0, 0, 0]
    assert part_of_two_in_three(g, g).tolist() == g
    assert part_of_two_in_three(two_in_three([1, 0, 0, 1], [1] * 4), [1, 0, 0, 1]).tolist() == [0, 0, 0, 0]
    assert part_of_two_in_three(two_in_three([1, 0, 0, 1, 1], [1] * 5), [1, 0, 0, 1, 1]).tolist() == [0, 0, 0, 1, 1]


def test_anchor_special_cause_type_precedence() -> None:
    # the package's mocked test: part_of_seven_trend returns (trend) 1,-1,0.. then (shift) 0,0,1,-1,0..,
    # part_of_two_in_three 0,0,0,0,1,0,0,0; y = 1:8, relative_to_mean 1,1,1,1,-1,-1,-1,-1
    types = classify(
        y=range(1, 9),
        relative_to_mean=[1] * 4 + [-1] * 4,
        outside_limits=[0, 0, 0, 0, 0, 1, -1, 0],
        part_trend=[1, -1, 0, 0, 0, 0, 0, 0],
        part_two_in_three=[0, 0, 0, 0, 1, 0, 0, 0],
        part_shift=[0, 0, 1, -1, 0, 0, 0, 0],
    )
    assert types == [
        "7 Point Trend (Increasing)",
        "7 Point Trend (Increasing)",
        "7 Points Above CL",
        "7 Points Above CL",
        "2 in 3 Below CL",
        "Below LCL",
        "Below LCL",
        "Common Cause",
    ]
    assert [type_direction(t) for t in types] == [1, 1, 1, 1, -1, -1, -1, 0]


# --- NHSRplotthedots tests/testthat/test-ptd_spc_standard.R and its snapshot (set.seed(123); rnorm(20)) ---

RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123, -0.68685285,
    -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716,
    0.70135590, -0.47279141,
]  # fmt: skip


def test_anchor_limits_with_and_without_screening() -> None:
    r1 = xmr(RNORM_123, "up")
    assert r1["centre_line"][0] == pytest.approx(0.1416238, abs=1e-7)
    assert (r1["lower_limit"][0], r1["upper_limit"][0]) == (pytest.approx(-3.01138, abs=1e-5), pytest.approx(3.294627, abs=1e-6))
    relative_to_mean = [1 if v > c else -1 for v, c in zip(r1["value"], r1["centre_line"], strict=True)]
    assert relative_to_mean[:13] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1]
    assert not r1["rule_outside"].any() and not r1["close_to_limits"][:8].any()  # the snapshot's first eight
    with_outlier = list(RNORM_123)
    with_outlier[14] = 10  # data$y[15] <- 10
    r2 = xmr(with_outlier, "up")
    assert r2["centre_line"][0] == pytest.approx(0.6694159, abs=1e-7)
    assert (r2["lower_limit"][0], r2["upper_limit"][0]) == (pytest.approx(-2.383666, abs=1e-6), pytest.approx(3.722497, abs=1e-6))
    assert r2["moving_range_screened"].to_list() == [False] * 14 + [True, True] + [False] * 4
    r3 = xmr(with_outlier, "up", screen_outliers=False)
    assert (r3["lower_limit"][0], r3["upper_limit"][0]) == (pytest.approx(-4.596625, abs=1e-6), pytest.approx(5.935457, abs=1e-6))
    assert r3["upper_limit"][0] - r3["lower_limit"][0] > r2["upper_limit"][0] - r2["lower_limit"][0]


def test_anchor_fix_after_n_points_changes_the_limits() -> None:
    fixed = xmr(RNORM_123, "up", fix_after_n_points=12)
    # mean of the first 12 = 0.19417934; their 11 moving ranges average 1.05322525 (largest 1.789 < 3.267 × 1.053)
    assert fixed["centre_line"].to_list() == pytest.approx([0.19417934] * 20)
    assert fixed["upper_limit"][19] == pytest.approx(0.19417934 + 2.66 * 1.05322525, abs=1e-7)
    assert fixed["upper_limit"][0] != xmr(RNORM_123, "up")["upper_limit"][0]
    assert fixed["in_limits"].to_list() == [True] * 12 + [False] * 8


# --- precedence and direction on whole charts ---


def test_a_rise_then_a_fall_gives_the_shared_point_the_direction_of_the_run_to_its_right() -> None:
    values = [5, 9, 5, 9, 5, 9, 3, 4, 5, 6, 7, 8, 9, 8, 7, 6, 5, 4, 3]
    chart = xmr(values, "up")
    # mean 117 / 19 = 6.1579; ranges five of 4, one of 6, twelve of 1 → 38 / 18 (6 < 3.267 × 2.11: kept)
    assert chart["upper_limit"][0] == pytest.approx(117 / 19 + 2.66 * 38 / 18)  # 11.7734: no point outside
    assert chart["rule_trend"].to_list() == [False] * 6 + [True] * 13
    assert set(chart["special_cause_type"][6:12]) == {"7 Point Trend (Increasing)"}
    assert chart["special_cause_type"][12] == "7 Point Trend (Decreasing)"  # the peak belongs to both runs
    assert set(chart["special_cause_type"][13:]) == {"7 Point Trend (Decreasing)"}
    assert chart["variation"].to_list()[6:] == ["improvement"] * 6 + ["concern"] * 7
    # a rising trend that starts below the mean (3, 4, 5, 6 < 6.16) is improvement throughout
    assert chart["side"].to_list()[6:12] == ["high"] * 6


def test_a_flat_step_between_two_trends_counts_as_decreasing_as_the_package_does() -> None:
    chart = xmr([5, 9, 5, 9, 5, 9, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3], "up")
    # point 12 ends the rise, point 13 (equal) starts the fall: sign(9 − 9) = 0 is read as "De"creasing
    assert chart["special_cause_type"][12] == "7 Point Trend (Decreasing)"
    assert chart["variation"][12] == "concern"


def test_a_trend_outranks_a_shift_and_a_point_outside_outranks_a_trend() -> None:
    values = [10, 12] * 5 + [11.2, 11.4, 11.6, 11.8, 12.0, 12.2, 12.4]
    chart = xmr(values, "down")
    assert chart["rule_trend"].to_list()[10:] == [True] * 7
    assert set(chart["special_cause_type"][10:]) == {"7 Point Trend (Increasing)"}
    assert set(chart["variation"][10:]) == {"concern"}  # rising is worse here
    spike = xmr([10, 11] * 6 + [12, 13, 14, 15, 16, 17, 40], "up")
    assert spike["special_cause_type"][18] == "Above UCL"
    assert spike["rule_trend"][18] and spike["rule_outside"][18]


def test_two_of_three_needs_the_third_point_on_the_same_side() -> None:
    chart = xmr([10, 11] * 7 + [13.5, 10.5, 13.5], "up")
    # mean 184.5 / 17 = 10.853: 10.5 lies below it, so the two near points do not make a signal
    assert chart["close_to_limits"].to_list()[14:] == [True, False, True]
    assert chart["side"][15] is None and not chart["rule_two_of_three"].any()


def test_a_point_beyond_the_limit_is_not_close() -> None:
    values = [10, 11] * 7 + [13.5, 11.5, 20]
    chart = xmr(values, "up")
    # 13.5 lies between the near line and the limit; 20 lies outside: one close point, no two of three
    row = chart.row(14, named=True)
    assert row["upper_near"] < 13.5 < row["upper_limit"] < 20
    assert chart["close_to_limits"].to_list()[14:] == [True, False, False]
    assert not chart["rule_two_of_three"].any()
    assert chart["special_cause_type"][16] == "Above UCL"


# --- freeze, fix_after_n_points and exclude (qicharts2 freeze / exclude), by hand ---


def test_freezing_the_limits_after_a_baseline() -> None:
    values = [10, 12] * 6 + [13] * 8
    chart = xmr(values, "up", freeze=12)
    # baseline: mean 11, mR̄ 2 → limits 11 ± 5.32 for every month, also after the baseline
    assert chart["centre_line"].to_list() == pytest.approx([11.0] * 20)
    assert chart["upper_limit"].to_list() == pytest.approx([16.32] * 20)
    assert chart["in_limits"].to_list() == [True] * 12 + [False] * 8
    assert chart["is_provisional"].any() is False
    assert flagged(chart) == list(range(11, 20))  # the last 12 and eight 13s above the frozen mean: a shift
    assert set(chart["special_cause_type"][11:]) == {"7 Points Above CL"}
    assert xmr(values, "up", fix_after_n_points=12).equals(chart)
    # unfrozen: mean 236 / 20 = 11.8, mR̄ = (11 × 2 + 1) / 19
    free = xmr(values, "up")
    assert free["upper_limit"][0] == pytest.approx(11.8 + 2.66 * 23 / 19)


def test_freeze_within_a_recalculated_phase() -> None:
    values = [20, 22] * 6 + [10, 11] * 3 + [15] * 6
    chart = xmr(values, "down", recalc_from=12, freeze=18)
    # phase 0: all its points; phase 1: baseline of points 12–17 (mean 10.5, mR̄ 1) fixed for 18–23
    assert chart["centre_line"][0] == pytest.approx(21.0)
    assert chart["centre_line"][23] == pytest.approx(10.5)
    assert chart["upper_limit"][23] == pytest.approx(10.5 + 2.66)
    assert chart["is_provisional"].to_list() == [False] * 12 + [True] * 12  # six baseline points
    assert set(chart["variation"][18:]) == {"concern"}
    with pytest.raises(ValueError, match="either"):
        xmr(values, "down", fix_after_n_points=6, freeze=18)
    with pytest.raises(ValueError, match="freeze"):
        xmr(values, "down", freeze=25)


def test_an_excluded_point_is_left_out_of_the_limits_and_kept_on_the_chart() -> None:
    values = [10, 12, 10, 12, 10, 30, 12, 10, 12, 10, 12, 10]
    chart = xmr(values, "up", exclude={5: "registratiefout"})
    # without point 5: mean 120 / 11 = 10.909; ten ranges of 2 (10 → 12 across the excluded point) → mR̄ 2
    assert chart["centre_line"][0] == pytest.approx(120 / 11)
    assert chart["upper_limit"][0] == pytest.approx(120 / 11 + 5.32)
    assert chart["moving_range"].to_list() == [None, 2, 2, 2, 2, None, 2, 2, 2, 2, 2, 2]
    assert chart["excluded_reason"].to_list() == [None] * 5 + ["registratiefout"] + [None] * 6
    assert chart["in_limits"].to_list() == [True] * 5 + [False] + [True] * 6
    assert chart["special_cause_type"][5] == "Above UCL"  # still tested against the limits
    assert chart["is_provisional"][0]  # eleven points behind the limits
    # included, it moves the centre line: 150 / 12 = 12.5 (its ranges 20 and 18 are screened out)
    assert xmr(values, "up")["centre_line"][0] == pytest.approx(12.5)


def test_an_exclusion_never_bridges_a_month_without_data() -> None:
    chart = xmr([10, 30, None, 11, 13], "up", exclude={1: "dubbel geteld"})
    # used points 10, (missing), 11, 13: the only range is 11 → 13
    assert chart["mean_moving_range"][0] == pytest.approx(2.0)
    assert chart["moving_range"].to_list() == [None, None, None, None, 2.0]


def test_exclusions_need_a_reason_and_a_point() -> None:
    with pytest.raises(ValueError, match="reason"):
        xmr([1, 2, 3], "up", exclude={1: " "})
    with pytest.raises(ValueError, match="excluded"):
        xmr([1, 2, 3], "up", exclude={3: "x"})


def test_p_chart_freeze_and_exclude() -> None:
    chart = p_chart([2, 3, 1, 4, 9], [20, 30, 10, 40, 20], "down", freeze=4, exclude={2: "onvolledig"})
    # baseline points 0, 1, 3: p̄ = 9 / 90 = 0.1; the frozen limits hold for point 4 (9 / 20 = 0.45)
    assert chart["centre_line"].to_list() == pytest.approx([0.1] * 5)
    assert chart["upper_limit"][4] == pytest.approx(0.1 + 3 * math.sqrt(0.09 / 20))
    assert chart["special_cause_type"][4] == "Above UCL"
    assert chart["in_limits"].to_list() == [True, True, False, True, False]


# --- Laney p′ (qicharts2 chart = "pp"), by hand ---


def test_laney_with_equal_denominators_is_an_xmr_chart_of_the_proportions() -> None:
    chart = p_chart([100, 120, 90, 110], [1000] * 4, "down", laney=True)
    # p = .10 .12 .09 .11, p̄ = .105; zᵢ = (pᵢ − p̄)/σ so σ_z·σ = mean|Δp| / 1.128 = (0.02 + 0.03 + 0.02)/3/1.128
    sigma = math.sqrt(0.105 * 0.895 / 1000)
    assert chart["sigma_z"][0] == pytest.approx((0.07 / 3) / sigma / 1.128)  # 2.1339
    assert chart["upper_limit"][0] == pytest.approx(0.105 + 3 * (0.07 / 3) / 1.128)  # 0.167057
    assert chart["upper_limit"][0] == pytest.approx(0.167057, abs=1e-6)
    # the XmR chart of p: p̄ ± 2.66 × mR̄, 2.66 being 3 / 1.128 rounded
    assert chart["upper_limit"][0] == pytest.approx(xmr([0.10, 0.12, 0.09, 0.11], "down")["upper_limit"][0], rel=1e-4)


def test_laney_with_varying_denominators_by_hand() -> None:
    chart = p_chart([40, 126, 128], [400, 900, 1600], "up", laney=True)
    # p̄ = 294 / 2900 = 0.101379; √(p̄(1−p̄)) = 0.301830; σᵢ = 0.301830 / √nᵢ = 0.015092, 0.010061, 0.007546
    # zᵢ = (0.10, 0.14, 0.08 − p̄)/σᵢ = −0.09140, 3.83865, −2.83329; ranges 3.93005, 6.67194 → σ_z = 5.30099 / 1.128
    p_bar = 294 / 2900
    s = [math.sqrt(p_bar * (1 - p_bar) / n) for n in (400, 900, 1600)]
    z = [(p - p_bar) / si for p, si in zip((0.10, 0.14, 0.08), s, strict=True)]
    sigma_z = (abs(z[1] - z[0]) + abs(z[2] - z[1])) / 2 / 1.128
    assert sigma_z == pytest.approx(4.69946, abs=1e-5)
    assert chart["sigma_z"][0] == pytest.approx(sigma_z)
    assert chart["upper_limit"].to_list() == pytest.approx([p_bar + 3 * si * sigma_z for si in s])
    assert chart["lower_limit"][0] == 0.0  # p̄ − 3 × 0.01525 × 3.197 < 0: clipped
    assert flagged(chart) == []
    assert chart["upper_limit"][1] == pytest.approx(0.243223, abs=1e-6)
    assert flagged(p_chart([40, 126, 128], [400, 900, 1600], "up")) == [1]  # the plain p-chart: 0.14 > 0.131562


def test_control_chart_takes_a_baseline_period_and_exclusions_by_month() -> None:
    import datetime as dt

    import polars as pl

    from analytics.indicators import Indicator, control_chart, month_range

    months = month_range(dt.date(2026, 12, 1), 16)
    rows = pl.DataFrame(
        {"indicator_code": "x", "month_date": months, "events_n": None, "cases_n": 5, "value": [10.0, 12.0] * 6 + [13.0] * 4},
        schema_overrides={"events_n": pl.Float64},
    )
    indicator = Indicator("x", {"nl": "x", "en": "x"}, "xmr", "up", "process", "days")
    chart = control_chart(indicator, rows, months, baseline_until=months[11], exclude={months[3]: "uitval registratie"})
    # baseline months 0–11 without month 3: mean 120 / 11; ranges of 2 (also 10 → 10 across month 3 is 0)
    assert chart["in_limits"].to_list() == [True] * 3 + [False] + [True] * 8 + [False] * 4
    assert chart["excluded_reason"][3] == "uitval registratie"
    assert chart["centre_line"][15] == pytest.approx(120 / 11)
