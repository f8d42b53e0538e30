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
from analytics.funnel import funnel, funnel_curve
from analytics.periods import ReportingPeriod, is_closed
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries import run_internal
from queries.disclosure import MIN_PATIENTS, MIN_PEERS, peer_labels, rounded, view_key

EPISODE_NUMERIC = ("age", "bmi", "asa_class", "charlson_index")
EPISODE_CATEGORICAL = ("sex", "low_health_literacy")


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
    """Numeric and categorical episode variables and case-mix outcomes named by the outcome set."""
    numeric, categorical, outcomes = [], ["treatment"], []
    for spec in oset.casemix.values():
        table, _, column = spec["source"].partition(".")
        if table == "episodes":
            (numeric if column in EPISODE_NUMERIC else categorical).append(column)
        elif table == "clinical_outcomes":
            outcomes.append(column)
    categorical += [c for c in EPISODE_CATEGORICAL if c not in categorical and c in ("sex",)]
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
    if not isinstance(period, ReportingPeriod) or not is_closed(period, as_of or dt.date.today()):
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
    shown = per_centre.filter(pl.col("centre_code").is_in(enough))
    n = shown["patients_n"].to_list()
    if indicator.kind == "proportion":
        crude = funnel(shown["observed"].to_list(), n, "proportion")
        pooled = float(shown["observed"].sum() / shown["patients_n"].sum())
        # O/E around the shown centres' own O/E, drawn on the rate scale (× pooled / that O/E)
        adjusted = funnel(
            shown["observed"].to_list(),
            shown["expected"].to_list(),
            "ratio",
            target=float(shown["observed"].sum() / shown["expected"].sum()),
        )
        ratio_target = float(adjusted["target"][0])
        scale = pooled / ratio_target
        adjusted = adjusted.with_columns(
            pl.col(c) * scale for c in ("indicator", "target", "lower_95", "upper_95", "lower_998", "upper_998")
        )
        crude_values = crude["indicator"].to_list()
        curves = {
            "crude": funnel_curve("proportion", pooled, _grid(n), tau2=crude["tau2"][0]),
            "adjusted": _scaled_ratio_curve(ratio_target, scale, _grid(n), adjusted["tau2"][0], pooled),
        }
    else:
        sd = residual_sd or 1.0
        crude_values = shown["crude_mean"].to_list()
        crude = funnel(crude_values, n, "mean", sd=sd)
        adjusted = funnel(shown["adjusted_mean"].to_list(), n, "mean", sd=sd)
        curves = {
            "crude": funnel_curve("mean", crude["target"][0], _grid(n), sd=sd, tau2=crude["tau2"][0]),
            "adjusted": funnel_curve("mean", adjusted["target"][0], _grid(n), sd=sd, tau2=adjusted["tau2"][0]),
        }
    table = pl.DataFrame(
        {
            "label": [labels[c] for c in shown["centre_code"]],
            "is_own": [c == own for c in shown["centre_code"]],
            "is_suppressed": [False] * shown.height,
            # peers' counts rounded; positions are decided on the exact counts above
            "patients_n": [n if c == own else rounded(n) for c, n in zip(shown["centre_code"], shown["patients_n"], strict=True)],
            "crude_value": crude_values,
            "adjusted_value": adjusted["indicator"].to_list(),
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


def _grid(n: list[int]) -> list[float]:
    top = max(n) * 1.1
    return [max(1.0, top * k / 100) for k in range(1, 101)]


def _scaled_ratio_curve(target: float, scale: float, grid: list[float], tau2: float, pooled: float) -> pl.DataFrame:
    """Limits of O/E drawn on the adjusted-rate scale against patients (a centre of n patients expects n × pooled events)."""
    curve = funnel_curve("ratio", target, [g * pooled for g in grid], tau2=tau2)
    return curve.with_columns(pl.exclude("denominator") * scale, pl.Series("denominator", grid))


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
