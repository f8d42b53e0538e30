"""Funnel plots for comparing centres (Spiegelhalter 2005), with overdispersion as FunnelPlotR does it.

``funnel(observed, denominators, kind)`` returns one row per centre with its indicator,
the target and the control limits at 95% (z = 1.959964) and 99.8% (z = 3.090232):

- ``"proportion"``: observed events out of ``denominators`` patients; target p₀ = Σx / Σn;
  limits p₀ ± z·√(p₀(1−p₀)/n), clipped to [0, 1] (``method="exact"``: exact binomial
  limits with Spiegelhalter's interpolation).
- ``"ratio"``: observed O against expected E (the denominators); indicator O/E, target 1;
  limits 1 ± z/√E (``method="exact"``: exact Poisson limits).
- ``"mean"``: observed means of ``denominators`` patients each; target θ₀ = Σnȳ / Σn;
  limits θ₀ ± z·σ/√n with ``sd`` = σ.

Overdispersion: the z-scores (y − target)/sᵢ are winsorised at their 10th and 90th
percentiles, φ = mean of their squares, and when φ > 1 (the centres differ more than
chance allows) the limits widen by an additive τ² = max(0, (kφ − (k−1)) / (Σw − Σw²/Σw)),
w = 1/sᵢ², to target ± z·√(sᵢ² + τ²). ``overdispersion_applied`` says when this happened.
``position`` is ``above_998``, ``above_95``, ``within``, ``below_95`` or ``below_998``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

Kind = Literal["proportion", "ratio", "mean"]
Z95 = 1.959964
Z998 = 3.090232
WINSOR = (10, 90)


def _winsorised_phi(z: np.ndarray) -> float:
    lo, hi = np.percentile(z, WINSOR)
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def overdispersion(y: np.ndarray, target: float, s: np.ndarray) -> tuple[float, float]:
    """φ from winsorised z-scores and the additive τ² (0 unless φ > 1)."""
    ok = s > 0
    if ok.sum() < 2:
        return float("nan"), 0.0
    z = (y[ok] - target) / s[ok]
    phi = _winsorised_phi(z)
    if phi <= 1:
        return phi, 0.0
    k = ok.sum()
    w = 1 / s[ok] ** 2
    tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return phi, float(tau2)


def _exact_binomial(n: np.ndarray, p0: float, prob: float) -> np.ndarray:
    """Spiegelhalter's interpolated exact binomial limit at cumulative probability ``prob``."""
    r = stats.binom.ppf(prob, n, p0)
    cdf_r, cdf_below = stats.binom.cdf(r, n, p0), stats.binom.cdf(r - 1, n, p0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(cdf_r > cdf_below, (cdf_r - prob) / (cdf_r - cdf_below), 0.0)
        return np.clip((r - alpha) / n, 0, 1)


def _exact_poisson(e: np.ndarray, prob: float) -> np.ndarray:
    """Exact Poisson limit for O/E at cumulative probability ``prob``, interpolated."""
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


def _position(y: np.ndarray, limits: dict[str, np.ndarray]) -> list[str | None]:
    out: list[str | None] = []
    for i, v in enumerate(y):
        if np.isnan(v):
            out.append(None)
        elif v > limits["upper_998"][i]:
            out.append("above_998")
        elif v > limits["upper_95"][i]:
            out.append("above_95")
        elif v < limits["lower_998"][i]:
            out.append("below_998")
        elif v < limits["lower_95"][i]:
            out.append("below_95")
        else:
            out.append("within")
    return out


def funnel(
    observed: Sequence[float],
    denominators: Sequence[float],
    kind: Kind,
    *,
    target: float | None = None,
    sd: float | None = None,
    method: Literal["normal", "exact"] = "normal",
    adjust_overdispersion: bool = True,
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
    s = _standard_error(kind, theta, d, sd)
    phi, tau2 = overdispersion(y, theta, s) if adjust_overdispersion and len(y) else (float("nan"), 0.0)
    applied = tau2 > 0
    limits: dict[str, np.ndarray] = {}
    for name, z, prob in (("95", Z95, 0.975), ("998", Z998, 0.999)):
        if method == "exact" and not applied and kind in ("proportion", "ratio"):
            if kind == "proportion":
                lo, hi = _exact_binomial(d, theta, 1 - prob), _exact_binomial(d, theta, prob)
            else:
                lo, hi = _exact_poisson(d * theta, 1 - prob) * theta, _exact_poisson(d * theta, prob) * theta
        else:
            lo, hi = _normal_limits(kind, theta, s, tau2, z)
        limits[f"lower_{name}"], limits[f"upper_{name}"] = lo, hi
    with np.errstate(invalid="ignore", divide="ignore"):
        z_score = np.where(s > 0, (y - theta) / np.sqrt(s**2 + tau2), np.nan)
    n = len(y)
    return pl.DataFrame(
        {
            "label": list(labels) if labels is not None else [str(i) for i in range(n)],
            "observed": o,
            "denominator": d,
            "indicator": y,
            "target": np.full(n, theta),
            "lower_95": limits["lower_95"],
            "upper_95": limits["upper_95"],
            "lower_998": limits["lower_998"],
            "upper_998": limits["upper_998"],
            "z_score": z_score,
            "position": pl.Series(_position(y, limits), dtype=pl.String),
            "overdispersion_applied": np.full(n, applied),
            "phi": np.full(n, phi),
            "tau2": np.full(n, tau2),
        }
    )


def funnel_curve(kind: Kind, target: float, x: Sequence[float], *, sd: float | None = None, tau2: float = 0.0) -> pl.DataFrame:
    """The funnel's limit lines over a range of denominators, for drawing (normal limits)."""
    d = np.asarray(x, dtype=float)
    s = _standard_error(kind, target, d, sd)
    out = {"denominator": d}
    for name, z in (("95", Z95), ("998", Z998)):
        out[f"lower_{name}"], out[f"upper_{name}"] = _normal_limits(kind, target, s, tau2, z)
    return pl.DataFrame(out)
