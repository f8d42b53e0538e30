"""Anonymous peer comparison: pooled patient rows in, disclosure-controlled aggregates out.

Two steps, kept apart:

1. ``centre_aggregates`` reads the patient rows of all centres for one closed reporting
   period (pooled, as indirect standardisation requires) to fit the case-mix model, and
   reduces them to one row of sufficient statistics per centre: patients, observed events
   or mean score, expected events or mean score. No patient row leaves this step.
2. ``protect`` sees those aggregates only and applies the disclosure rules of
   ``queries.disclosure`` (thresholds, codes drawn per view, rounded counts, targets from
   shown centres only) before anything is returned.

Peer figures exist only for fixed, closed half-years (``analytics.periods``): never for a
window that slides with the chosen month, so no two shown figures differ by a hidden one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from access.roles import AccessDenied, Role, Viewer
from analytics.casemix import Adjustment, standardise_events, standardise_scores
from analytics.funnel import funnel, funnel_curve, position, shrunken_means, shrunken_ratios
from analytics.periods import ReportingPeriod, is_closed, on_grid
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries import run_internal
from queries.disclosure import MIN_PATIENTS, MIN_PEERS, peer_labels, rounded, view_key


@dataclass(frozen=True)
class ComparisonIndicator:
    code: str  # "outcome:<code>" (an event) or "prom:<instrument>" (follow-up score)
    label: dict[str, str]
    kind: str  # "proportion" or "mean"
    improvement: str  # "up" or "down"


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


@dataclass
class PeerComparison:
    """Aggregates per centre, safe to show: anonymous peers, small numbers suppressed."""

    indicator: ComparisonIndicator
    is_shown: bool
    centres: pl.DataFrame  # one row per centre; see _protect for the columns
    curves: dict[str, pl.DataFrame] = field(default_factory=dict)  # "crude" / "adjusted" funnel lines
    targets: dict[str, float] = field(default_factory=dict)
    overdispersion: dict[str, bool] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # case-mix variable → values imputed
    peers_enough: int = 0
    own_suppressed: bool = False


def _casemix_variables(oset: OutcomeSet) -> tuple[list[str], list[str], list[str]]:
    """Numeric and categorical episode variables and case-mix outcomes, as the outcome set declares their kind."""
    numeric, categorical, outcomes = [], ["treatment"], []
    for var in oset.casemix.values():
        if var.origin == "episode":
            (numeric if var.is_numeric else categorical).append(var.column)
        elif var.origin == "outcome":
            outcomes.append(var.column)
    return numeric, categorical, outcomes


def _patients(indicator: ComparisonIndicator, oset: OutcomeSet, start: dt.date, end: dt.date, db: Path | None) -> pl.DataFrame:
    kind, _, code = indicator.code.partition(":")
    if kind == "outcome":
        rows = run_internal("peer_event_patients", db=db, pathway=oset.pathway, outcome=code, from_month=start, to_month=end)
    else:
        rows = run_internal(
            "peer_prom_patients",
            db=db,
            pathway=oset.pathway,
            instrument=code,
            followup=oset.primary_followup,
            from_month=start,
            to_month=end,
        )
    _, _, casemix_outcomes = _casemix_variables(oset)
    if casemix_outcomes and rows.height:
        extra = run_internal(
            "peer_casemix_outcomes", db=db, pathway=oset.pathway, outcomes=casemix_outcomes, from_month=start, to_month=end
        )
        wide = extra.pivot(on="outcome", index=["centre_code", "episode_id"], values="value", aggregate_function="max")
        rows = rows.join(wide, on=["centre_code", "episode_id"], how="left")
        for column in casemix_outcomes:
            if column not in rows.columns:
                rows = rows.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    return rows


def _adjust(indicator: ComparisonIndicator, oset: OutcomeSet, patients: pl.DataFrame) -> Adjustment:
    numeric, categorical, casemix_outcomes = _casemix_variables(oset)
    numeric = numeric + casemix_outcomes
    if indicator.kind == "proportion":
        return standardise_events(patients, "event", "centre_code", numeric, categorical)
    return standardise_scores(patients, "followup_score", "baseline_score", "centre_code", numeric, categorical)


NAMED_ROLES = frozenset({Role.CARE_TEAM, Role.CENTRE_LEAD})


def _own_centre(viewer: Viewer, pathway: str) -> str | None:
    """The centre shown by name: the viewer's own for care teams and centre leads, none for the programme lead."""
    if not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not see pathway {pathway}")
    if viewer.role in NAMED_ROLES:
        return viewer.centre_code
    if viewer.role == Role.PROGRAMME_LEAD:
        return None
    raise AccessDenied(f"{viewer.role.value} may not compare outcomes")


@dataclass
class CentreAggregates:
    """Sufficient statistics per centre for one indicator and period; everything ``protect`` may see."""

    per_centre: pl.DataFrame  # centre_code, patients_n, observed, expected, crude_mean, adjusted_mean, …
    residual_sd: float | None
    missing: dict[str, int]


def centre_aggregates(
    indicator: ComparisonIndicator, oset: OutcomeSet, period: ReportingPeriod, db: Path | None
) -> CentreAggregates:
    """Step 1: pooled patient rows of one period reduced to one row per centre (the case-mix model fitted on all)."""
    patients = _patients(indicator, oset, period.start, period.end, db)
    if patients.is_empty():
        return CentreAggregates(
            pl.DataFrame({"centre_code": [], "patients_n": []}, schema={"centre_code": pl.String, "patients_n": pl.Int64}),
            None,
            {},
        )
    adjustment = _adjust(indicator, oset, patients)
    return CentreAggregates(adjustment.per_centre, adjustment.residual_sd, {k: v for k, v in adjustment.missing.items() if v})


def peer_comparison(
    viewer: Viewer,
    viewer_name: str,
    pathway: str,
    indicator_code: str,
    period: ReportingPeriod,
    db: Path | None = None,
    min_patients: int = MIN_PATIENTS,
    min_peers: int = MIN_PEERS,
    as_of: dt.date | None = None,
) -> PeerComparison:
    """The viewer's centre against anonymous peers in one closed half-year, crude and case-mix adjusted.

    A programme lead sees every centre anonymously. A period that is not closed at ``as_of``
    (today) is refused: its figures would still grow, and two views of it would differ by
    the patients added in between.
    """
    viewer_centre = _own_centre(viewer, pathway)
    today = dt.date.today()
    as_of = today if as_of is None else min(as_of, today)  # a later "as of" would open a period still filling
    if not on_grid(period) or not is_closed(period, as_of):
        raise AccessDenied(f"peer figures exist only for closed reporting periods, not {period!r}")
    oset = outcome_sets()[pathway]
    indicator = next(i for i in comparison_indicators(oset) if i.code == indicator_code)
    aggregates = centre_aggregates(indicator, oset, period, db)
    return protect(
        indicator, aggregates, viewer_centre, viewer_name, view_key(pathway, period.code, viewer_centre), min_patients, min_peers
    )


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


def own_trend(
    viewer: Viewer,
    viewer_name: str,
    pathway: str,
    indicator_code: str,
    periods: list[ReportingPeriod],
    db: Path | None = None,
    as_of: dt.date | None = None,
) -> pl.DataFrame:
    """The viewer's own adjusted result per closed half-year against the same period's target.

    Each point is exactly the own dot and the target of that period's funnel: the trend
    shows nothing the comparisons do not.
    """
    viewer_centre = _own_centre(viewer, pathway)
    schema = {
        "period_start": pl.Date,
        "period": pl.String,
        "patients_n": pl.Int64,
        "adjusted_value": pl.Float64,
        "pooled_value": pl.Float64,
    }
    if viewer_centre is None:
        return pl.DataFrame(schema=schema)
    rows = []
    for period in sorted(periods):
        result = peer_comparison(viewer, viewer_name, pathway, indicator_code, period, db, as_of=as_of)
        if not result.is_shown or result.own_suppressed or not result.centres["is_own"].any():
            continue
        own = result.centres.filter(pl.col("is_own")).row(0, named=True)
        rows.append(
            {
                "period_start": period.start,
                "period": period.code,
                "patients_n": own["patients_n"],
                "adjusted_value": own["adjusted_value"],
                "pooled_value": result.targets["adjusted"],
            }
        )
    return pl.DataFrame(rows, schema=schema)
