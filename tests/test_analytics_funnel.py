"""Funnel limits against hand-worked values: normal and exact limits, overdispersion as Spiegelhalter (2005) and FunnelPlotR 0.6 do it, shrunken estimates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.funnel import (
    Z95,
    Z998,
    funnel,
    funnel_curve,
    overdispersion,
    overdispersion_funnelplotr,
    shrunken_means,
    shrunken_ratios,
)


def test_proportion_limits_by_hand() -> None:
    chart = funnel([10, 20, 30], [100, 200, 300], "proportion", method="normal")
    # p0 = 60 / 600 = 0.1; at n = 100: 0.1 ± 1.959964 × 0.03 and 0.1 ± 3.090232 × 0.03
    row = chart.row(0, named=True)
    assert row["target"] == pytest.approx(0.1)
    assert row["lower_95"] == pytest.approx(0.1 - Z95 * 0.03)  # 0.041201
    assert row["upper_95"] == pytest.approx(0.158799, abs=1e-6)
    assert row["lower_998"] == pytest.approx(0.007293, abs=1e-6)
    assert row["upper_998"] == pytest.approx(0.1 + Z998 * 0.03)
    assert chart["position"].to_list() == ["within"] * 3
    assert not chart["overdispersion_applied"].any()


def test_positions_on_both_sides() -> None:
    n = [400] * 6
    events = [40, 40, 40, 56, 67, 17]  # p0 = 260 / 2400; s = √(p0(1−p0)/400) = 0.01554
    chart = funnel(events, n, "proportion", method="normal", adjust_overdispersion=False)
    p0 = 260 / 2400
    s = math.sqrt(p0 * (1 - p0) / 400)
    assert chart["upper_95"][0] == pytest.approx(p0 + Z95 * s)
    # 56/400 = 0.14 lies between p0 + 1.96 s = 0.1388 and p0 + 3.09 s = 0.1564
    assert chart["position"].to_list() == ["within", "within", "within", "above_95", "above_998", "below_998"]


def test_ratio_limits_are_one_plus_or_minus_z_over_root_e() -> None:
    chart = funnel([25, 8], [25.0, 16.0], "ratio", method="normal", adjust_overdispersion=False)
    assert chart["target"].to_list() == [1.0, 1.0]
    assert chart["indicator"].to_list() == [1.0, 0.5]
    assert chart["upper_95"][0] == pytest.approx(1 + Z95 / 5)
    assert chart["lower_998"][1] == pytest.approx(1 - Z998 / 4)  # 0.227442
    assert chart["position"][1] == "below_95"  # 0.5 < 1 − 1.96/4 = 0.51


def test_mean_limits_use_sigma_over_root_n() -> None:
    chart = funnel([15.0, 12.0, 13.5], [100, 25, 64], "mean", sd=10.0, adjust_overdispersion=False)
    theta = (1500 + 300 + 864) / 189  # n-weighted mean = 14.0952
    assert chart["target"][0] == pytest.approx(theta)
    assert chart["upper_998"][1] == pytest.approx(theta + Z998 * 10 / 5)
    assert chart["lower_95"][0] == pytest.approx(theta - Z95 * 1.0)


def test_a_given_target_replaces_the_pooled_value() -> None:
    chart = funnel([10], [100], "proportion", target=0.2, method="normal", adjust_overdispersion=False)
    assert chart["target"][0] == 0.2
    assert chart["upper_95"][0] == pytest.approx(0.2 + Z95 * 0.04)


def test_overdispersion_by_hand() -> None:
    events, n = [20, 40, 60, 80, 100, 120, 60, 70, 50, 100], [500] * 10
    y = np.array(events) / 500
    p0 = sum(events) / 5000  # 0.14
    s = np.full(10, math.sqrt(p0 * (1 - p0) / 500))
    z = (y - p0) / s
    lo, hi = np.percentile(z, [10, 90])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    w = 1 / s**2
    tau2 = (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum())
    assert overdispersion(y, p0, s) == pytest.approx((phi, tau2))
    chart = funnel(events, n, "proportion")
    assert phi > 1 and chart["overdispersion_applied"].all()
    assert chart["upper_95"][0] == pytest.approx(p0 + Z95 * math.sqrt(s[0] ** 2 + tau2))
    plain = funnel(events, n, "proportion", method="normal", adjust_overdispersion=False)
    assert (chart["upper_998"] > plain["upper_998"]).all()


def test_no_overdispersion_when_centres_agree() -> None:
    chart = funnel([50, 49, 51, 50, 52, 48], [500] * 6, "proportion")
    assert chart["phi"][0] < 1
    assert not chart["overdispersion_applied"].any()
    assert chart["tau2"][0] == 0.0


def test_exact_binomial_limits_are_close_to_normal_for_large_n() -> None:
    exact = funnel([1000], [10_000], "proportion", method="exact", adjust_overdispersion=False)
    normal = funnel([1000], [10_000], "proportion", method="normal", adjust_overdispersion=False)
    assert exact["upper_998"][0] == pytest.approx(normal["upper_998"][0], abs=0.002)
    small = funnel([1], [20], "proportion", target=0.05, method="exact", adjust_overdispersion=False)
    assert small["lower_95"][0] >= 0.0 and small["upper_95"][0] <= 1.0


def test_limits_stay_within_their_scale() -> None:
    chart = funnel([1, 0], [5, 5], "proportion", adjust_overdispersion=False)
    assert chart["lower_998"].min() == 0.0
    ratio = funnel([0], [1.0], "ratio", adjust_overdispersion=False)
    assert ratio["lower_998"][0] == 0.0


def test_the_drawn_curve_matches_the_points() -> None:
    chart = funnel([10, 20, 30], [100, 200, 300], "proportion", adjust_overdispersion=False)
    curve = funnel_curve("proportion", 0.1, [100, 200, 300])
    assert curve["upper_95"].to_list() == pytest.approx(chart["upper_95"].to_list())


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        funnel([1], [0], "proportion")
    with pytest.raises(ValueError, match="between 0"):
        funnel([5], [4], "proportion")
    with pytest.raises(ValueError, match="sd"):
        funnel([1.0], [4], "mean")
    with pytest.raises(ValueError, match="kind"):
        funnel([1], [4], "rate")  # type: ignore[arg-type]


def test_small_expected_counts_are_judged_on_exact_poisson_limits_by_default() -> None:
    # O = 12, E = 5: P(O ≥ 13 | 5) = 0.0007 < 0.001 < P(O ≥ 12 | 5) = 0.0020, so the 99.8% limit lies
    # between 12/5 and 13/5: interpolated (13 − 0.23)/5 = 2.554; the normal limit 1 + 3.09/√5 = 2.382 is below 2.4
    exact = funnel([12], [5.0], "ratio", adjust_overdispersion=False)
    assert exact["upper_998"][0] == pytest.approx(2.55427, abs=1e-5)
    assert exact["upper_95"][0] == pytest.approx(1.87531, abs=1e-5)
    assert exact["position"][0] == "above_95"
    normal = funnel([12], [5.0], "ratio", method="normal", adjust_overdispersion=False)
    assert normal["position"][0] == "above_998"  # what the normal approximation wrongly says


def test_no_event_against_eight_expected_is_not_clipped_to_zero() -> None:
    # P(O = 0 | 8) = e⁻⁸ = 0.00034 < 0.001: below the 99.8% limit. The normal lower limit 1 − 3.09/√8 < 0
    # is clipped to 0, so a centre without any event could never be flagged there.
    exact = funnel([0], [8.0], "ratio", adjust_overdispersion=False)
    # r = 1, α = (F(1) − 0.001)/(F(1) − F(0)) = (0.003019 − 0.001)/(0.003019 − 0.000335) = 0.7523; (1 − α)/8
    assert exact["lower_998"][0] == pytest.approx(0.030952, abs=1e-6)
    assert exact["lower_95"][0] == pytest.approx(0.299107, abs=1e-6)
    assert exact["position"][0] == "below_998"
    normal = funnel([0], [8.0], "ratio", method="normal", adjust_overdispersion=False)
    assert normal["lower_998"][0] == 0.0 and normal["position"][0] == "below_95"


def test_exact_is_the_default_for_counts_and_normal_for_means() -> None:
    auto = funnel([3, 9], [40, 60], "proportion", adjust_overdispersion=False)
    exact = funnel([3, 9], [40, 60], "proportion", method="exact", adjust_overdispersion=False)
    assert auto["upper_998"].to_list() == exact["upper_998"].to_list()
    means = funnel([15.0, 12.0], [100, 25], "mean", sd=10.0, adjust_overdispersion=False)
    assert means["upper_95"][0] == pytest.approx(means["target"][0] + Z95)


def test_limits_at_the_drawn_x_decide_the_position() -> None:
    # 6 of 12 against p0: judged where the dot is drawn (10), not at its exact count
    chart = funnel([6, 10, 10, 10], [12, 100, 100, 100], "proportion", at=[10, 100, 100, 100], adjust_overdispersion=False)
    curve = funnel_curve("proportion", chart["target"][0], [10, 100])
    assert chart["upper_95"][0] == pytest.approx(curve["upper_95"][0])
    assert chart["x"].to_list() == [10, 100, 100, 100]
    assert chart["denominator"][0] == 12


def test_funnelplotr_overdispersion_on_the_log_scale_for_ratios() -> None:
    # FunnelPlotR's own test data (tests/testthat/test-funnel_plot.R): SHMI method, 10% winsorising
    observed = np.array([100, 150, 180, 80, 120, 225], dtype=float)
    expected = np.array([108, 112, 165, 95, 100, 220], dtype=float)
    z = np.sqrt(expected) * np.log(observed / expected)  # Uzscore = √E · log(O/E)
    assert z == pytest.approx([-0.799803, 3.091681, 1.117681, -1.674989, 1.823216, 0.333326], abs=1e-6)
    lz, uz = -1.237396, 2.457448  # R's quantile(z, 0.1) and quantile(z, 0.9), type 7
    phi = float(np.mean(np.clip(z, lz, uz) ** 2))
    assert phi == pytest.approx(2.149053, abs=1e-5)
    w = expected  # 1/S² with S = 1/√E
    tau2 = (6 * phi - 5) / (w.sum() - (w**2).sum() / w.sum())
    assert tau2 == pytest.approx(0.0121185, abs=1e-6)
    assert overdispersion_funnelplotr("ratio", observed / expected, 1.0, expected) == pytest.approx((phi, tau2), abs=1e-6)
    chart = funnel(observed, expected, "ratio", overdispersion_method="funnelplotr")
    assert chart["overdispersion_applied"].all()
    # calculate_limits(): exp(±z·√(1/E + τ²))
    assert chart["upper_998"][1] == pytest.approx(math.exp(Z998 * math.sqrt(1 / 112 + tau2)))
    assert chart["lower_95"][0] == pytest.approx(math.exp(-Z95 * math.sqrt(1 / 108 + tau2)))
    assert chart["position"][1] == "above_95"  # 150/112 = 1.339 against 1.311 and 1.550


def test_funnelplotr_overdispersion_on_the_arcsine_scale_for_proportions() -> None:
    events, n = [20, 40, 60, 80, 100, 120, 60, 70, 50, 100], [500] * 10
    p0 = sum(events) / 5000
    y = np.arcsin(np.sqrt(np.array(events) / 500))
    s = 1 / (2 * math.sqrt(500))
    z = (y - math.asin(math.sqrt(p0))) / s
    lo, hi = np.percentile(z, [10, 90])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    w = np.full(10, 1 / s**2)
    tau2 = (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum())
    chart = funnel(events, n, "proportion", overdispersion_method="funnelplotr")
    assert chart["phi"][0] == pytest.approx(phi) and chart["tau2"][0] == pytest.approx(tau2)
    half = Z95 * math.sqrt(s**2 + tau2)
    assert chart["upper_95"][0] == pytest.approx(math.sin(math.asin(math.sqrt(p0)) + half) ** 2)
    assert chart["lower_95"][0] == pytest.approx(math.sin(math.asin(math.sqrt(p0)) - half) ** 2)
    default = funnel(events, n, "proportion")
    assert default["tau2"][0] != pytest.approx(tau2)  # the default is Spiegelhalter's natural scale


def test_a_centre_without_events_takes_the_lower_winsorising_bound_on_the_log_scale() -> None:
    phi, tau2 = overdispersion_funnelplotr("ratio", np.array([0.0, 1.0, 1.2, 0.9, 1.1]), 1.0, np.array([5.0, 20, 30, 25, 10]))
    assert math.isfinite(phi) and tau2 >= 0


def test_shrunken_ratios_poisson_gamma_by_hand() -> None:
    observed, expected = [0, 3, 10, 6], [2.0, 4.0, 5.0, 6.0]
    m = 19 / 17  # ΣO/ΣE = 1.117647
    r = np.array([0, 0.75, 2.0, 1.0])
    s2 = float((np.array(expected) * (r - m) ** 2).sum() / 17)  # 7.0147 / 17 = 0.412630
    a = s2 - m / (17 / 4)  # 0.412630 − 0.262976 = 0.149654
    c = a / (a + m / np.array(expected))  # 0.2112, 0.3488, 0.4010, 0.4455
    assert shrunken_ratios(observed, expected) == pytest.approx(m + c * (r - m))
    assert shrunken_ratios(observed, expected) == pytest.approx([0.881563, 0.989415, 1.471488, 1.065236], abs=1e-6)
    # centres that differ no more than chance: everyone is shrunk to the pooled ratio
    assert shrunken_ratios([5, 5, 5], [5.0, 5.0, 5.0]) == pytest.approx([1.0, 1.0, 1.0])


def test_shrunken_means_dersimonian_laird_by_hand() -> None:
    values, n, sd = [10.0, 14.0, 12.0], [25, 25, 100], 5.0
    v = np.array([1.0, 1.0, 0.25])
    w = 1 / v  # 1, 1, 4
    y_w = (10 + 14 + 48) / 6  # 12
    q = float((w * (np.array(values) - y_w) ** 2).sum())  # 4 + 4 + 0 = 8
    tau2 = (q - 2) / (6 - 18 / 6)  # 6 / 3 = 2
    assert q == 8 and tau2 == 2
    mu = 12.0  # symmetric around 12
    expected = mu + tau2 / (tau2 + v) * (np.array(values) - mu)  # 10.667, 13.333, 12
    assert shrunken_means(values, n, sd) == pytest.approx(expected)
    assert shrunken_means(values, n, sd) == pytest.approx([32 / 3, 40 / 3, 12.0])


def test_calibration_by_decile_keeps_equal_predictions_together() -> None:
    # analytics.prediction lives beside the funnel's peer statistics; its decile rule is pinned here
    from analytics.prediction import calibration_by_decile

    predicted = np.array([0.1] * 15 + [0.2] * 5)  # 15 ties: ordinal ranks would split them over deciles 1–8
    observed = np.array([1.0] * 5 + [0.0] * 10 + [1.0] * 5)
    table = calibration_by_decile(predicted, observed)
    assert table["decile"].to_list() == [1, 8]  # the 0.2s have 15 of 20 below them: 1 + 15 × 10 // 20 = 8
    assert table["patients_n"].to_list() == [15, 5]
    assert table["observed_mean"].to_list() == pytest.approx([5 / 15, 1.0])
    shuffled = np.random.default_rng(3).permutation(20)
    again = calibration_by_decile(predicted[shuffled], observed[shuffled])
    assert again.equals(table)  # the row order decides nothing
    distinct = calibration_by_decile(np.arange(20) / 20, np.zeros(20))
    assert distinct["patients_n"].to_list() == [2] * 10  # without ties: ten equal tenths
