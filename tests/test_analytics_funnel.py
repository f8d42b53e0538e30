"""Funnel limits against hand-worked values; overdispersion as Spiegelhalter and FunnelPlotR do it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.funnel import Z95, Z998, funnel, funnel_curve, overdispersion


def test_proportion_limits_by_hand() -> None:
    chart = funnel([10, 20, 30], [100, 200, 300], "proportion")
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
    chart = funnel(events, n, "proportion", adjust_overdispersion=False)
    p0 = 260 / 2400
    s = math.sqrt(p0 * (1 - p0) / 400)
    assert chart["upper_95"][0] == pytest.approx(p0 + Z95 * s)
    # 56/400 = 0.14 lies between p0 + 1.96 s = 0.1388 and p0 + 3.09 s = 0.1564
    assert chart["position"].to_list() == ["within", "within", "within", "above_95", "above_998", "below_998"]


def test_ratio_limits_are_one_plus_or_minus_z_over_root_e() -> None:
    chart = funnel([25, 8], [25.0, 16.0], "ratio", adjust_overdispersion=False)
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
    chart = funnel([10], [100], "proportion", target=0.2, adjust_overdispersion=False)
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
    plain = funnel(events, n, "proportion", adjust_overdispersion=False)
    assert (chart["upper_998"] > plain["upper_998"]).all()


def test_no_overdispersion_when_centres_agree() -> None:
    chart = funnel([50, 49, 51, 50, 52, 48], [500] * 6, "proportion")
    assert chart["phi"][0] < 1
    assert not chart["overdispersion_applied"].any()
    assert chart["tau2"][0] == 0.0


def test_exact_binomial_limits_are_close_to_normal_for_large_n() -> None:
    exact = funnel([1000], [10_000], "proportion", method="exact", adjust_overdispersion=False)
    normal = funnel([1000], [10_000], "proportion", adjust_overdispersion=False)
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
