"""Anonymous peer comparison, protected in the data layer.

Patient rows of all centres are read here to fit the case-mix model (pooled, as indirect
standardisation requires) and never leave this module: callers get one aggregate row per
centre. Protection is applied before anything is returned:

- peers carry anonymous codes derived with a secret key (``PEER_CODE_SECRET``), which
  reveal neither their names nor their alphabetical order; only the viewer's own centre
  is named;
- a centre with fewer than ``min_patients`` (10) patients is shown as "< 10": no count,
  no value, no plot position; the pooled target is computed from the shown centres only,
  so no suppressed figure can be derived by subtracting shown figures from a total;
- with fewer than ``min_peers`` (3) other centres with enough patients, no comparison is
  returned at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from access.roles import AccessDenied, Role, Viewer
from analytics.casemix import Adjustment, standardise_events, standardise_scores
from analytics.funnel import funnel, funnel_curve
from analytics.monthly import add_months
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries import run_internal

MIN_PATIENTS = 10
MIN_PEERS = 3
DEMO_SECRET = "samen-leren-demo-only"  # nosec B105 - the public demo's key; production sets PEER_CODE_SECRET
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
EPISODE_NUMERIC = ("age", "bmi", "asa_class", "charlson_index")
EPISODE_CATEGORICAL = ("sex", "low_health_literacy")


def peer_code(centre_code: str, taken: frozenset[str] = frozenset(), secret: str | None = None) -> str:
    """An anonymous label for a centre: keyed, stable, unrelated to its name or its place in the alphabet."""
    key = (secret or os.environ.get("PEER_CODE_SECRET") or DEMO_SECRET).encode()
    counter = 0
    while True:
        digest = hmac.new(key, f"{centre_code}:{counter}".encode(), hashlib.sha256).digest()
        code = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:3])
        if code not in taken:
            return f"Peer {code}"
        counter += 1


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


def _labels(codes: list[str], own: str | None, own_name: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    taken = frozenset(codes)
    for code in codes:
        labels[code] = own_name if code == own else peer_code(code, taken)
        taken = taken | {labels[code].removeprefix("Peer ")}
    return labels


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


def peer_comparison(
    viewer: Viewer,
    viewer_name: str,
    pathway: str,
    indicator_code: str,
    from_month: dt.date,
    to_month: dt.date,
    db: Path | None = None,
    min_patients: int = MIN_PATIENTS,
    min_peers: int = MIN_PEERS,
) -> PeerComparison:
    """The viewer's centre against anonymous peers, crude and case-mix adjusted (all anonymous for a programme lead)."""
    viewer_centre = _own_centre(viewer, pathway)
    oset = outcome_sets()[pathway]
    indicator = next(i for i in comparison_indicators(oset) if i.code == indicator_code)
    patients = _patients(indicator, oset, from_month, to_month, db)
    counts = patients.group_by("centre_code").len() if patients.height else pl.DataFrame({"centre_code": [], "len": []})
    enough = counts.filter(pl.col("len") >= min_patients)["centre_code"].to_list()
    peers_enough = len([c for c in enough if c != viewer_centre])
    own_suppressed = viewer_centre not in enough
    if peers_enough < min_peers:
        return PeerComparison(indicator, False, pl.DataFrame(), peers_enough=peers_enough, own_suppressed=own_suppressed)
    adjustment = _adjust(indicator, oset, patients)
    per_centre = adjustment.per_centre
    labels = _labels(sorted(per_centre["centre_code"].to_list()), viewer_centre, viewer_name)
    result = _protect(indicator, per_centre, enough, viewer_centre, labels, adjustment)
    result.missing = {k: v for k, v in adjustment.missing.items() if v}
    result.peers_enough = peers_enough
    result.own_suppressed = own_suppressed
    return result


def _protect(
    indicator: ComparisonIndicator,
    per_centre: pl.DataFrame,
    enough: list[str],
    own: str | None,
    labels: dict[str, str],
    adjustment: Adjustment,
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
        sd = adjustment.residual_sd or 1.0
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
            "patients_n": shown["patients_n"],
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
    viewer: Viewer, pathway: str, indicator_code: str, to_month: dt.date, quarters: int = 8, db: Path | None = None
) -> pl.DataFrame:
    """The viewer's own case-mix adjusted result per quarter against the pooled value (own rows only)."""
    viewer_centre = _own_centre(viewer, pathway)
    if viewer_centre is None:
        return pl.DataFrame()
    oset = outcome_sets()[pathway]
    indicator = next(i for i in comparison_indicators(oset) if i.code == indicator_code)
    start = add_months(to_month, -(3 * quarters - 1))
    patients = _patients(indicator, oset, start, to_month, db)
    if patients.is_empty() or viewer_centre not in set(patients["centre_code"]):
        return pl.DataFrame()
    out = []
    for q in range(quarters):
        q_start = add_months(start, 3 * q)
        q_end = add_months(q_start, 2)
        rows = patients.filter(pl.col("month_date") >= q_start, pl.col("month_date") <= q_end)
        if rows.height < 3:
            continue
        result = _adjust(indicator, oset, rows)
        own = result.per_centre.filter(pl.col("centre_code") == viewer_centre)
        if own.is_empty():
            continue
        value_col = "adjusted_rate" if indicator.kind == "proportion" else "adjusted_mean"
        n = int(own["patients_n"][0])
        out.append(
            {
                "quarter_start": q_start,
                "patients_n": n,
                "adjusted_value": own[value_col][0] if n >= MIN_PATIENTS else None,
                "pooled_value": result.pooled,
            }
        )
    return pl.DataFrame(
        out, schema={"quarter_start": pl.Date, "patients_n": pl.Int64, "adjusted_value": pl.Float64, "pooled_value": pl.Float64}
    )
