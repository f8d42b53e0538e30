"""Funnel plots for comparing centres: Spiegelhalter (2005), with FunnelPlotR 0.6's variant as an option.

Anchors: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance",
Statistics in Medicine 24 (2005) 1185–1202 (limits, the interpolated exact limits of its
appendix, and the additive random-effects overdispersion), and the R package FunnelPlotR 0.6
(``R/od_adjustment.R``, ``R/calculate_limits.R``) for the transformed-scale overdispersion.

``funnel(observed, denominators, kind)`` returns one row per centre with its indicator,
the target and the control limits at 95% (z = 1.959964, cumulative 0.025/0.975) and 99.8%
(z = 3.090232, cumulative 0.001/0.999):

- ``"proportion"``: observed events out of ``denominators`` patients; target p₀ = Σx / Σn.
  Exact binomial limits with Spiegelhalter's interpolation (appendix): r = the p-quantile
  of Bin(n, p₀), α = (F(r) − p)/(F(r) − F(r−1)), limit (r − α)/n. ``method="normal"``:
  p₀ ± z·√(p₀(1−p₀)/n), clipped to [0, 1].
- ``"ratio"``: observed O against expected E (the denominators); indicator O/E, target θ
  (1 unless given). Exact Poisson limits, interpolated the same way around the count θE and
  divided by E. ``method="normal"``: θ ± z·√(θ/E), the lower limit kept ≥ 0.
- ``"mean"``: observed means of ``denominators`` patients each; target θ₀ = Σnȳ / Σn;
  limits θ₀ ± z·σ/√n with ``sd`` = σ (always normal).

The default ``method="auto"`` is **exact for counts** (proportions and ratios) and normal for
means. The rule: the normal approximation is poor whenever the expected number of events
is small (O = 12 against E = 5 lies beyond the normal 99.8% limit 2.38 but inside the exact
one 2.55; O = 0 against E = 8 has a normal lower 99.8% limit below 0, clipped to 0, so a
centre without any event could never be flagged, while the exact limit is 0.031), and a
umc's half-year holds few events, so the exact limits are used for every count.

Overdispersion (``adjust_overdispersion=True``). The default ``overdispersion_method=
"spiegelhalter"`` is Spiegelhalter (2005) on the natural scale: z-scores zᵢ = (yᵢ − θ)/sᵢ
with sᵢ the binomial, Poisson or σ/√n standard error under the target; the z-scores are
winsorised at their 10th and 90th percentiles (numpy's linear percentiles, R's type 7);
φ = mean of their squares; when φ > 1 the limits widen by the additive DerSimonian–Laird
τ² = max(0, (kφ − (k−1)) / (Σw − Σw²/Σw)), w = 1/sᵢ², to θ ± z·√(s² + τ²) (normal limits:
a random-effects limit has no exact form).

``overdispersion_method="funnelplotr"`` reproduces FunnelPlotR 0.6: proportions on the
arcsine scale (Y = asin √y, target asin √p₀, s = 1/(2√n), limits sin²(asin √p₀ ± z√(s² + τ²))),
standardised ratios on the log scale ("SHMI" method: Y = log(O/θE), s = 1/√(θE),
limits θ·exp(±z√(s² + τ²))); z-scores winsorised by 10% at each end; τ² from the same
formula, applied when kφ ≥ k − 1 as FunnelPlotR's ``tau_func`` does. Two deliberate details:
a centre with O = 0 has z = −∞ on the log scale and takes the lower winsorising bound
(computed from the finite z-scores); the arcsine limits are kept within [0, π/2] before
squaring, so a lower limit never turns back up. Means have no transformed scale and use the
natural one.

``at`` (optional): where each centre's dot is drawn, and so where its limits are computed and
its position decided (for example a rounded count). The z-scores and φ always use the exact
denominators. ``position`` is ``above_998``, ``above_95``, ``within``, ``below_95`` or
``below_998``; a value exactly on a limit counts as inside. ``overdispersion_applied`` says
when τ² widened the limits; ``funnel_curve`` draws the same limits over any x.

``mirrored_interval`` turns a dot and its limits into the interval of a ranked (caterpillar)
view: the funnel's band at the dot's x, mirrored around the dot, so that the interval leaves out the
target exactly when the dot lies outside the band (Spiegelhalter 2005, §2: the funnel and the
interval plot are two drawings of the same test).

Shrunken estimates (``shrunken_ratios``, ``shrunken_means``) pull each centre towards the
mean in proportion to its uncertainty; see their docstrings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

Kind = Literal["proportion", "ratio", "mean"]
Method = Literal["auto", "exact", "normal"]
OverdispersionMethod = Literal["spiegelhalter", "funnelplotr"]
Z95 = 1.959964
Z998 = 3.090232
WINSOR = (10, 90)
LEVELS = (("95", Z95, 0.975), ("998", Z998, 0.999))


def _winsorised_phi(z: np.ndarray) -> float:
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return float("nan")
    lo, hi = np.percentile(finite, WINSOR)
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def _tau2(k: int, phi: float, s: np.ndarray) -> float:
    w = 1 / s**2
    return max(0.0, float((k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum())))


def overdispersion(y: np.ndarray, target: float, s: np.ndarray) -> tuple[float, float]:
    """Spiegelhalter (2005) on the natural scale: φ from winsorised z-scores, additive τ² (0 unless φ > 1)."""
    ok = s > 0
    if ok.sum() < 2:
        return float("nan"), 0.0
    z = (y[ok] - target) / s[ok]
    phi = _winsorised_phi(z)
    if not phi > 1:
        return phi, 0.0
    return phi, _tau2(int(ok.sum()), phi, s[ok])


def _transformed(kind: Kind, y: np.ndarray, target: float, d: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """FunnelPlotR's scale: (Y, target on that scale, s) for proportions (arcsine) and ratios (log)."""
    if kind == "proportion":
        return np.arcsin(np.sqrt(y)), float(np.arcsin(np.sqrt(target))), 1 / (2 * np.sqrt(d))
    with np.errstate(divide="ignore"):
        return np.log(y / target), 0.0, 1 / np.sqrt(target * d)


def overdispersion_funnelplotr(kind: Kind, y: np.ndarray, target: float, d: np.ndarray) -> tuple[float, float]:
    """FunnelPlotR 0.6 (``transformed_zscore``, ``winsorisation``, ``phi_func``, ``tau_func``): (φ, τ²) on its scale."""
    if len(y) < 2:
        return float("nan"), 0.0
    big_y, t, s = _transformed(kind, y, target, d)
    z = (big_y - t) / s
    phi = _winsorised_phi(z)
    k = len(y)
    if not k * phi >= k - 1:
        return phi, 0.0
    return phi, _tau2(k, phi, s)


def _exact_binomial(n: np.ndarray, p0: float, prob: float) -> np.ndarray:
    """Spiegelhalter's interpolated exact binomial limit at cumulative probability ``prob`` (n whole)."""
    r = stats.binom.ppf(prob, n, p0)
    cdf_r, cdf_below = stats.binom.cdf(r, n, p0), stats.binom.cdf(r - 1, n, p0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(cdf_r > cdf_below, (cdf_r - prob) / (cdf_r - cdf_below), 0.0)
        return np.clip((r - alpha) / n, 0, 1)


def _exact_poisson(e: np.ndarray, prob: float) -> np.ndarray:
    """Exact Poisson limit for O/E at cumulative probability ``prob``, interpolated (continuous in E)."""
    r = stats.poisson.ppf(prob, e)
    cdf_r, cdf_below = stats.poisson.cdf(r, e), stats.poisson.cdf(r - 1, e)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(cdf_r > cdf_below, (cdf_r - prob) / (cdf_r - cdf_below), 0.0)
        return np.maximum(r - alpha, 0) / e


def _standard_error(kind: Kind, target: float, d: np.ndarray, sd: float | None) -> np.ndarray:
    """sᵢ under the target: binomial for proportions, Poisson for O/E, σ/√n for means."""
    if kind == "proportion":
        return np.sqrt(target * (1 - target) / d)
    if kind == "ratio":
        return np.sqrt(target / d)
    return (sd or 0.0) / np.sqrt(d)


def _normal_limits(kind: Kind, target: float, s: np.ndarray, tau2: float, z: float) -> tuple[np.ndarray, np.ndarray]:
    """target ± z·√(sᵢ² + τ²), kept within the indicator's scale."""
    half = z * np.sqrt(s**2 + tau2)
    lo, hi = target - half, target + half
    if kind == "proportion":
        return np.clip(lo, 0, 1), np.clip(hi, 0, 1)
    if kind == "ratio":
        return np.maximum(lo, 0), hi
    return lo, hi


def limits(
    kind: Kind,
    target: float,
    x: Sequence[float] | np.ndarray,
    *,
    sd: float | None = None,
    tau2: float = 0.0,
    method: Method = "auto",
    overdispersion_method: OverdispersionMethod = "spiegelhalter",
) -> dict[str, np.ndarray]:
    """The four limits at denominators ``x``: one function for the dots and for the drawn lines."""
    d = np.asarray(x, dtype=float)
    exact = method == "exact" or (method == "auto" and kind in ("proportion", "ratio"))
    out: dict[str, np.ndarray] = {}
    for name, z, prob in LEVELS:
        if tau2 > 0 and overdispersion_method == "funnelplotr" and kind in ("proportion", "ratio"):
            _, t, s = _transformed(kind, np.full(d.shape, target), target, d)
            half = z * np.sqrt(s**2 + tau2)
            if kind == "proportion":
                lo, hi = np.sin(np.clip(t - half, 0, np.pi / 2)) ** 2, np.sin(np.clip(t + half, 0, np.pi / 2)) ** 2
            else:
                lo, hi = target * np.exp(-half), target * np.exp(half)
        elif tau2 == 0 and exact and kind == "proportion":
            if not np.all(d == np.round(d)):
                raise ValueError("exact binomial limits need whole numbers of patients")
            lo, hi = _exact_binomial(d, target, 1 - prob), _exact_binomial(d, target, prob)
        elif tau2 == 0 and exact and kind == "ratio":
            lo, hi = _exact_poisson(d * target, 1 - prob) * target, _exact_poisson(d * target, prob) * target
        else:
            lo, hi = _normal_limits(kind, target, _standard_error(kind, target, d, sd), tau2, z)
        out[f"lower_{name}"], out[f"upper_{name}"] = lo, hi
    return out


def position(value: float | None, lower_95: float, upper_95: float, lower_998: float, upper_998: float) -> str | None:
    """Where one value lies against its four limits (on a limit counts as inside)."""
    if value is None or np.isnan(value):
        return None
    if value > upper_998:
        return "above_998"
    if value > upper_95:
        return "above_95"
    if value < lower_998:
        return "below_998"
    if value < lower_95:
        return "below_95"
    return "within"


def _positions(y: np.ndarray, lim: dict[str, np.ndarray]) -> list[str | None]:
    return [
        position(float(v), lim["lower_95"][i], lim["upper_95"][i], lim["lower_998"][i], lim["upper_998"][i])
        for i, v in enumerate(y)
    ]


def funnel(
    observed: Sequence[float],
    denominators: Sequence[float],
    kind: Kind,
    *,
    target: float | None = None,
    sd: float | None = None,
    method: Method = "auto",
    adjust_overdispersion: bool = True,
    overdispersion_method: OverdispersionMethod = "spiegelhalter",
    at: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Funnel-plot limits and positions, one row per centre (see the module docstring)."""
    o = np.asarray(observed, dtype=float)
    d = np.asarray(denominators, dtype=float)
    if o.shape != d.shape:
        raise ValueError("observed and denominators must have the same length")
    if np.any(d <= 0):
        raise ValueError("every denominator must be positive")
    if kind == "proportion":
        if np.any(o < 0) or np.any(o > d):
            raise ValueError("events must lie between 0 and their denominator")
        y = o / d
        theta = float(o.sum() / d.sum()) if target is None else float(target)
    elif kind == "ratio":
        y = o / d
        theta = 1.0 if target is None else float(target)
    elif kind == "mean":
        if sd is None or sd <= 0:
            raise ValueError("kind 'mean' needs the standard deviation sd > 0")
        y = o
        theta = float((o * d).sum() / d.sum()) if target is None else float(target)
    else:
        raise ValueError("kind must be 'proportion', 'ratio' or 'mean'")
    drawn = d if at is None else np.asarray(at, dtype=float)
    if drawn.shape != d.shape or np.any(drawn <= 0):
        raise ValueError("at must give one positive x per centre")
    s = _standard_error(kind, theta, d, sd)
    phi, tau2 = float("nan"), 0.0
    if adjust_overdispersion and len(y):
        if overdispersion_method == "funnelplotr" and kind in ("proportion", "ratio"):
            phi, tau2 = overdispersion_funnelplotr(kind, y, theta, d)
        else:
            phi, tau2 = overdispersion(y, theta, s)
    applied = tau2 > 0
    lim = limits(kind, theta, drawn, sd=sd, tau2=tau2, method=method, overdispersion_method=overdispersion_method)
    with np.errstate(invalid="ignore", divide="ignore"):
        z_score = np.where(s > 0, (y - theta) / np.sqrt(s**2 + tau2), np.nan)
    n = len(y)
    return pl.DataFrame(
        {
            "label": list(labels) if labels is not None else [str(i) for i in range(n)],
            "observed": o,
            "denominator": d,
            "x": drawn,
            "indicator": y,
            "target": np.full(n, theta),
            **lim,
            "z_score": z_score,
            "position": pl.Series(_positions(y, lim), dtype=pl.String),
            "overdispersion_applied": np.full(n, applied),
            "phi": np.full(n, phi),
            "tau2": np.full(n, tau2),
        }
    )


def funnel_curve(
    kind: Kind,
    target: float,
    x: Sequence[float],
    *,
    sd: float | None = None,
    tau2: float = 0.0,
    method: Method = "auto",
    overdispersion_method: OverdispersionMethod = "spiegelhalter",
) -> pl.DataFrame:
    """The funnel's limit lines over ``x``, computed exactly as ``funnel`` computes each centre's limits."""
    d = np.asarray(x, dtype=float)
    lim = limits(kind, target, d, sd=sd, tau2=tau2, method=method, overdispersion_method=overdispersion_method)
    return pl.DataFrame({"denominator": d, **lim})


def shrunken_ratios(observed: Sequence[float], expected: Sequence[float], *, at: Sequence[float] | None = None) -> np.ndarray:
    """Empirical-Bayes O/E: Poisson–gamma model with Marshall's (1991) moment estimator.

    Oᵢ ~ Poisson(Eᵢλᵢ), λᵢ ~ Gamma with mean m and variance A. m = ΣO/ΣE; with rᵢ = Oᵢ/Eᵢ,
    s² = ΣEᵢ(rᵢ − m)²/ΣEᵢ and ē = ΣEᵢ/k, A = max(0, s² − m/ē); the shrunken ratio is
    m + Cᵢ(rᵢ − m) with Cᵢ = A/(A + m/Eᵢ) (the gamma posterior mean). A and m come from the
    exact aggregates; the weight Cᵢ uses ``at`` (the drawn expected count) when given, so a
    shown estimate reveals no more of Eᵢ than the drawn dot does.
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    if len(o) == 0:
        return np.array([])
    r = o / e
    m = float(o.sum() / e.sum())
    s2 = float((e * (r - m) ** 2).sum() / e.sum())
    a = max(0.0, s2 - m / float(e.mean()))
    weight_e = e if at is None else np.asarray(at, dtype=float)
    c = a / (a + m / weight_e) if a > 0 else np.zeros_like(r)
    return m + c * (r - m)


def shrunken_means(values: Sequence[float], n: Sequence[float], sd: float, *, at: Sequence[float] | None = None) -> np.ndarray:
    """Random-effects (DerSimonian–Laird) shrunken means: the best linear unbiased predictions.

    vᵢ = σ²/nᵢ, w = 1/v, Q = Σw(y − ȳ_w)², τ² = max(0, (Q − (k−1))/(Σw − Σw²/Σw)),
    μ = Σw*y/Σw* with w* = 1/(v + τ²); the shrunken mean is μ + τ²/(τ² + vᵢ)·(yᵢ − μ).
    τ² uses the exact counts; the weight of each centre uses ``at`` (its drawn count) when given.
    """
    y = np.asarray(values, dtype=float)
    v = sd**2 / np.asarray(n, dtype=float)
    if len(y) == 0:
        return np.array([])
    w = 1 / v
    y_w = float((w * y).sum() / w.sum())
    q = float((w * (y - y_w) ** 2).sum())
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - (len(y) - 1)) / denominator) if denominator > 0 else 0.0
    w_star = 1 / (v + tau2)
    mu = float((w_star * y).sum() / w_star.sum())
    v_shown = v if at is None else sd**2 / np.asarray(at, dtype=float)
    return mu + tau2 / (tau2 + v_shown) * (y - mu)


def mirrored_interval(value: float, target: float, lower: float, upper: float) -> tuple[float, float]:
    """The interval ``[value − (upper − target), value + (target − lower)]`` of a ranked view.

    ``lower`` and ``upper`` are the funnel's limits at the dot's x. The interval excludes the
    target if and only if ``value`` lies outside ``[lower, upper]`` (a value on a limit counts as
    inside, as in ``position``), so the ranked view and the funnel agree even where the exact
    limits are not symmetric.
    """
    return value - (upper - target), value + (target - lower)
