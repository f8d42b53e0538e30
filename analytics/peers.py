"""Anonymous peer comparison, the pure part: per-centre aggregates in, disclosure-controlled figures out.

Two steps, kept apart (the service ``services.peer_comparison`` runs the queries between them):

1. ``aggregate_centres`` takes the patient rows of all centres for one closed reporting
   period (pooled, as indirect standardisation requires), fits the case-mix model and
   reduces them to one row of sufficient statistics per centre: patients, observed events
   or mean score, expected events or mean score. No patient row leaves this step.
2. ``protect`` sees those aggregates only and applies the disclosure rules of
   ``analytics.disclosure`` (thresholds, codes drawn per view, rounded counts, targets from
   shown centres only) before anything is returned, and reads the own centre's place.

The case-mix model adjusts for every case-mix variable of the outcome set that describes the
patient before treatment (delivered on the episode, as a clinical outcome with role casemix, or
as a baseline characteristic), numeric or categorical as the outcome set's ``kind`` says, and
for the treatment; the PROM model adds the baseline score.

Peer figures exist only for fixed, closed half-years (``analytics.periods``): never for a
window that slides with the chosen month, so no two shown figures differ by a hidden one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from analytics.casemix import Adjustment, split_by_kind, standardise_events, standardise_scores, wide_casemix
from analytics.disclosure import MIN_PATIENTS, MIN_PEERS, peer_labels, rounded
from analytics.funnel import funnel, funnel_curve, position, shrunken_means, shrunken_ratios
from data_models.outcome_sets import CasemixVariable, OutcomeSet

PEER_ORIGINS = ("episode", "outcome", "characteristic")  # the baseline score enters the PROM model on its own
MODES = ("crude", "adjusted")
OUTSIDE = frozenset({"above_998", "below_998"})


@dataclass(frozen=True)
class ComparisonIndicator:
    code: str  # "outcome:<code>" (an event) or "prom:<instrument>" (follow-up score)
    label: dict[str, str]
    kind: str  # "proportion" or "mean"
    improvement: str  # "up" or "down"

    @property
    def source(self) -> tuple[str, str]:
        """("outcome", outcome code) or ("prom", instrument code)."""
        kind, _, code = self.code.partition(":")
        return kind, code


def comparison_indicators(oset: OutcomeSet) -> list[ComparisonIndicator]:
    """What can be compared between centres: event outcomes, and the primary PROM at follow-up."""
    events = [
        ComparisonIndicator(f"outcome:{o.code}", o.label, "proportion", "up" if o.better == "higher" else "down")
        for o in oset.clinical_outcomes.values()
        if o.kind == "event" and o.role == "outcome" and o.better
    ]
    events.sort(key=lambda i: i.code != f"outcome:{oset.headline_outcome}")
    inst = oset.instruments[oset.primary_instrument]
    prom = ComparisonIndicator(
        f"prom:{inst.code}",
        {"nl": f"{inst.label} na {oset.primary_followup}", "en": f"{inst.label} at {oset.primary_followup}"},
        "mean",
        "up" if inst.better == "higher" else "down",
    )
    return [*events, prom]


@dataclass(frozen=True)
class OwnReading:
    """Where the own centre's dot lies in one mode's funnel, and whether that is good news."""

    value: float | None
    position: str  # analytics.funnel.position: within, above_95, below_998, …
    verdict: str | None  # "good", "bad", or None (within the limits)


@dataclass
class PeerComparison:
    """Aggregates per centre, safe to show: anonymous peers, small numbers suppressed."""

    indicator: ComparisonIndicator
    is_shown: bool
    centres: pl.DataFrame  # one row per centre; see _shown for the columns
    curves: dict[str, pl.DataFrame] = field(default_factory=dict)  # "crude" / "adjusted" funnel lines
    targets: dict[str, float] = field(default_factory=dict)
    overdispersion: dict[str, bool] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # case-mix variable → values imputed
    peers_enough: int = 0
    own_suppressed: bool = False
    own: dict[str, OwnReading] = field(default_factory=dict)  # per mode; empty when the own centre is not shown
    casemix_effect: str | None = None  # "explains": adjustment brings the own centre inside; "reveals": outside

    @property
    def has_own(self) -> bool:
        return self.is_shown and bool(self.centres["is_own"].any())


def peer_variables(oset: OutcomeSet) -> list[CasemixVariable]:
    """The case-mix variables the peer layer's models adjust for (the baseline score apart)."""
    return [v for v in oset.casemix.values() if v.origin in PEER_ORIGINS]


def with_casemix(patients: pl.DataFrame, casemix: pl.DataFrame, oset: OutcomeSet) -> pl.DataFrame:
    """The patient rows with one column per case-mix variable (from ``episode_casemix``'s long rows)."""
    wide = wide_casemix(casemix, peer_variables(oset))
    return patients.join(wide, on=["centre_code", "episode_id"], how="left")


def adjust(indicator: ComparisonIndicator, oset: OutcomeSet, patients: pl.DataFrame) -> Adjustment:
    """The case-mix model of one indicator, fitted on the pooled patient rows (``with_casemix``)."""
    numeric, categorical = split_by_kind(peer_variables(oset))
    categorical = ["treatment", *categorical]
    if indicator.kind == "proportion":
        return standardise_events(patients, "event", "centre_code", numeric, categorical)
    return standardise_scores(patients, "score_followup", "score_baseline", "centre_code", numeric, categorical)


@dataclass
class CentreAggregates:
    """Sufficient statistics per centre for one indicator and period; everything ``protect`` may see."""

    per_centre: pl.DataFrame  # centre_code, patients_n, observed, expected, crude_mean, adjusted_mean, …
    residual_sd: float | None
    missing: dict[str, int]


def aggregate_centres(indicator: ComparisonIndicator, oset: OutcomeSet, patients: pl.DataFrame) -> CentreAggregates:
    """Step 1: pooled patient rows of one period reduced to one row per centre (the case-mix model fitted on all)."""
    if patients.is_empty():
        return CentreAggregates(
            pl.DataFrame({"centre_code": [], "patients_n": []}, schema={"centre_code": pl.String, "patients_n": pl.Int64}),
            None,
            {},
        )
    adjustment = adjust(indicator, oset, patients)
    return CentreAggregates(adjustment.per_centre, adjustment.residual_sd, {k: v for k, v in adjustment.missing.items() if v})


def own_reading(indicator: ComparisonIndicator, row: dict, mode: str) -> OwnReading:
    """The own centre's value and place in one mode, and whether outside the limits is on the good side."""
    where = row[f"{mode}_position"]
    verdict = None
    if where != "within":
        good_side = "above" if indicator.improvement == "up" else "below"
        verdict = "good" if where.startswith(good_side) else "bad"
    return OwnReading(row[f"{mode}_value"], where, verdict)


def casemix_effect(crude: str, adjusted: str) -> str | None:
    """What the adjustment did to the own centre: brought it inside the limits, or revealed it outside the 99.8% ones."""
    if crude != "within" and adjusted == "within":
        return "explains"
    if crude not in OUTSIDE and adjusted in OUTSIDE:
        return "reveals"
    return None


def protect(
    indicator: ComparisonIndicator,
    aggregates: CentreAggregates,
    own: str | None,
    own_name: str,
    view: str,
    min_patients: int = MIN_PATIENTS,
    min_peers: int = MIN_PEERS,
) -> PeerComparison:
    """Step 2: the disclosure rules, applied to per-centre aggregates only."""
    per_centre = aggregates.per_centre
    enough = per_centre.filter(pl.col("patients_n") >= min_patients)["centre_code"].to_list()
    peers_enough = len([c for c in enough if c != own])
    own_suppressed = own not in enough
    if peers_enough < min_peers:
        return PeerComparison(indicator, False, pl.DataFrame(), peers_enough=peers_enough, own_suppressed=own_suppressed)
    labels = peer_labels(per_centre["centre_code"].to_list(), own, own_name, view)
    result = _shown(indicator, per_centre, enough, own, labels, aggregates.residual_sd)
    result.missing = aggregates.missing
    result.peers_enough = peers_enough
    result.own_suppressed = own_suppressed
    if own is not None and own in enough:
        row = result.centres.filter(pl.col("is_own")).row(0, named=True)
        result.own = {mode: own_reading(indicator, row, mode) for mode in MODES}
        result.casemix_effect = casemix_effect(row["crude_position"], row["adjusted_position"])
    return result


def _shown(
    indicator: ComparisonIndicator,
    per_centre: pl.DataFrame,
    enough: list[str],
    own: str | None,
    labels: dict[str, str],
    residual_sd: float | None,
) -> PeerComparison:
    """The figures of the shown centres; every dot judged exactly where it is drawn.

    x of a dot: the own centre at its exact count; a peer at its count rounded to fives
    (``rounded``), and on the adjusted event funnel at its expected count scaled by the same
    rounding, E × rounded(n)/n = rounded(n) × crude value / adjusted value × (one factor common to
    the view), so it reveals nothing of the exact count. Each dot's limits and position are computed at that drawn x (the
    target, φ and τ² from the exact aggregates), and a peer's value is rounded to the page's
    precision before it is judged (``_coarsened``), so the figure, the table and the sentence agree;
    for a peer the price is judging it at up to two patients and half a step from its exact figures.
    The adjusted event funnel is the O/E funnel (x = E, exact Poisson limits) drawn on the rate
    scale: y = O/E × pooled rate / (ΣO/ΣE of the shown centres).
    """
    shown = per_centre.filter(pl.col("centre_code").is_in(enough))
    n = shown["patients_n"].to_list()
    is_own = [c == own for c in shown["centre_code"]]
    n_drawn = [m if mine else rounded(m) for m, mine in zip(n, is_own, strict=True)]
    if indicator.kind == "proportion":
        observed, expected = shown["observed"].to_list(), shown["expected"].to_list()
        crude = funnel(observed, n, "proportion", at=n_drawn)
        pooled = float(shown["observed"].sum() / shown["patients_n"].sum())
        ratio_target = float(shown["observed"].sum() / shown["expected"].sum())
        e_drawn = [e if mine else round(e * d / m, 1) for e, d, m, mine in zip(expected, n_drawn, n, is_own, strict=True)]
        adjusted = funnel(observed, expected, "ratio", target=ratio_target, at=e_drawn)
        scale = pooled / ratio_target
        adjusted = adjusted.with_columns(
            pl.col(c) * scale for c in ("indicator", "target", "lower_95", "upper_95", "lower_998", "upper_998")
        )
        shrunken = list(shrunken_ratios(observed, expected, at=e_drawn) * scale)
        crude_values = crude["indicator"].to_list()
        curves = {
            "crude": funnel_curve("proportion", pooled, _whole_grid(n_drawn), tau2=crude["tau2"][0]),
            "adjusted": funnel_curve("ratio", ratio_target, _grid(e_drawn), tau2=adjusted["tau2"][0]).with_columns(
                pl.exclude("denominator") * scale
            ),
        }
    else:
        sd = residual_sd or 1.0
        crude_values = shown["crude_mean"].to_list()
        crude = funnel(crude_values, n, "mean", sd=sd, at=n_drawn)
        adjusted = funnel(shown["adjusted_mean"].to_list(), n, "mean", sd=sd, at=n_drawn)
        shrunken = list(shrunken_means(shown["adjusted_mean"].to_list(), n, sd, at=n_drawn))
        curves = {
            "crude": funnel_curve("mean", crude["target"][0], _grid(n_drawn), sd=sd, tau2=crude["tau2"][0]),
            "adjusted": funnel_curve("mean", adjusted["target"][0], _grid(n_drawn), sd=sd, tau2=adjusted["tau2"][0]),
        }
    step = VALUE_STEP[indicator.kind]
    crude, crude_values = _coarsened(crude, crude_values, is_own, step)
    adjusted, _ = _coarsened(adjusted, adjusted["indicator"].to_list(), is_own, step)
    shrunken = [v if mine else _step(v, step) for v, mine in zip(shrunken, is_own, strict=True)]
    table = pl.DataFrame(
        {
            "label": [labels[c] for c in shown["centre_code"]],
            "is_own": is_own,
            "is_suppressed": [False] * shown.height,
            # peers' counts rounded; every dot is drawn and judged at the x below
            "patients_n": n_drawn,
            "crude_x": crude["x"].to_list(),
            "adjusted_x": adjusted["x"].to_list(),
            "crude_value": crude_values,
            "adjusted_value": adjusted["indicator"].to_list(),
            "shrunken_value": shrunken,
            "crude_position": crude["position"],
            "adjusted_position": adjusted["position"],
            "crude_lower_998": crude["lower_998"],
            "crude_upper_998": crude["upper_998"],
            "adjusted_lower_998": adjusted["lower_998"],
            "adjusted_upper_998": adjusted["upper_998"],
        }
    )
    hidden = per_centre.filter(~pl.col("centre_code").is_in(enough))
    if hidden.height:
        table = pl.concat(
            [
                table,
                pl.DataFrame(
                    {
                        "label": [labels[c] for c in hidden["centre_code"]],
                        "is_own": [c == own for c in hidden["centre_code"]],
                        "is_suppressed": [True] * hidden.height,
                    }
                ),
            ],
            how="diagonal_relaxed",
        )
    table = table.sort("is_own", "label", descending=[True, False])
    return PeerComparison(
        indicator,
        True,
        table,
        curves,
        {"crude": float(crude["target"][0]), "adjusted": float(adjusted["target"][0])},
        {"crude": bool(crude["overdispersion_applied"][0]), "adjusted": bool(adjusted["overdispersion_applied"][0])},
    )


# A peer's value leaves the layer at the precision the page shows, never exactly: an exact rate k/n
# beside a count rounded to fives gives the exact n back (the one n within two that makes k whole).
VALUE_STEP = {"proportion": 0.01, "mean": 0.1}


def _step(value: float | None, step: float) -> float | None:
    return None if value is None else round(round(value / step) * step, 10)


def _coarsened(frame: pl.DataFrame, values: list, is_own: list[bool], step: float) -> tuple[pl.DataFrame, list]:
    """Peers' values rounded to ``step`` and their positions judged on the rounded value, as drawn."""
    shown = [v if mine else _step(v, step) for v, mine in zip(values, is_own, strict=True)]
    rows = frame.to_dicts()
    positions = [
        row["position"] if mine else position(v, row["lower_95"], row["upper_95"], row["lower_998"], row["upper_998"])
        for row, v, mine in zip(rows, shown, is_own, strict=True)
    ]
    return frame.with_columns(
        pl.Series("indicator", shown, dtype=pl.Float64), pl.Series("position", positions, dtype=pl.String)
    ), shown


def _grid(x: list[float]) -> list[float]:
    """Where the limit lines are drawn: 200 steps up to 1.1 × the largest x, and every dot's own x."""
    top = max(x) * 1.1
    return sorted({top * k / 200 for k in range(1, 201)} | {float(v) for v in x})


def _whole_grid(n: list[int]) -> list[float]:
    """Whole numbers of patients (exact binomial limits exist only there), the dots' counts included."""
    top = int(max(n) * 1.1) + 1
    step = max(1, top // 400)
    return sorted({float(k) for k in range(1, top + 1, step)} | {float(v) for v in n})
