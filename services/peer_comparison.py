"""The comparison page's question: how does my centre do against anonymous peers, crude and case-mix adjusted?

``peer_comparison`` answers it for one indicator and one closed half-year, ``own_trend`` gives the
own centre's adjusted result per half-year beside each period's target, and ``comparison_choices``
what may be asked (the indicators of the pathway and the closed half-years on offer).

Only this module runs the peer layer's internal queries: the pooled patient rows and their
case-mix values of one period (``peer_event_patients`` or ``peer_prom_patients`` with
``peer_casemix``) go into the case-mix model (``analytics.peers.aggregate_centres``), which reduces
them to one row per centre; ``analytics.peers.protect`` applies the disclosure rules to those
aggregates before anything is returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from access.roles import AccessDenied, Role, Viewer
from analytics.disclosure import MIN_PATIENTS, MIN_PEERS, view_key
from analytics.peers import (
    CentreAggregates,
    ComparisonIndicator,
    PeerComparison,
    aggregate_centres,
    comparison_indicators,
    protect,
    with_casemix,
)
from analytics.periods import ReportingPeriod, closed_periods, is_closed, on_grid
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries import run_internal

__all__ = [
    "CentreAggregates",
    "ComparisonChoices",
    "ComparisonIndicator",
    "PeerComparison",
    "ReportingPeriod",
    "centre_aggregates",
    "comparison_choices",
    "own_trend",
    "peer_comparison",
]

NAMED_ROLES = frozenset({Role.CARE_TEAM, Role.CENTRE_LEAD})
TREND_SCHEMA = {
    "period_start": pl.Date,
    "period": pl.String,
    "patients_n": pl.Int64,
    "adjusted_value": pl.Float64,
    "pooled_value": pl.Float64,
}


def _own_centre(viewer: Viewer | None, pathway: str) -> str | None:
    """The centre shown by name: the viewer's own for care teams and centre leads, none for the programme lead."""
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    if not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not see pathway {pathway}")
    if viewer.role in NAMED_ROLES:
        return viewer.centre_code
    if viewer.role == Role.PROGRAMME_LEAD:
        return None
    raise AccessDenied(f"{viewer.role.value} may not compare outcomes")


@dataclass(frozen=True)
class ComparisonChoices:
    """What the viewer may compare: the pathway's indicators and the closed half-years on offer (latest first)."""

    indicators: list[ComparisonIndicator]
    periods: list[ReportingPeriod]


def comparison_choices(viewer: Viewer | None, pathway: str, month: dt.date) -> ComparisonChoices:
    """The indicators and the closed half-years a viewer may compare at the chosen month."""
    _own_centre(viewer, pathway)
    return ComparisonChoices(comparison_indicators(outcome_sets()[pathway]), closed_periods(month))


def pooled_patients(indicator: ComparisonIndicator, oset: OutcomeSet, period: ReportingPeriod, db: Path | None) -> pl.DataFrame:
    """Every centre's patient rows of the period with their case-mix values (internal: never returned)."""
    kind, code = indicator.source
    window = {"pathway": oset.pathway, "from_month": period.start, "to_month": period.end}
    if kind == "outcome":
        rows = run_internal("peer_event_patients", db=db, outcome=code, **window)
    else:
        rows = run_internal("peer_prom_patients", db=db, instrument=code, followup=oset.primary_followup, **window)
    return with_casemix(rows, run_internal("peer_casemix", db=db, **window), oset)


def centre_aggregates(
    indicator: ComparisonIndicator, oset: OutcomeSet, period: ReportingPeriod, db: Path | None
) -> CentreAggregates:
    """Step 1: the pooled patient rows of one period reduced to one row per centre (the case-mix model fitted on all)."""
    return aggregate_centres(indicator, oset, pooled_patients(indicator, oset, period, db))


def peer_comparison(
    viewer: Viewer | None,
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
    indicator = next((i for i in comparison_indicators(oset) if i.code == indicator_code), None)
    if indicator is None:
        raise AccessDenied(f"{indicator_code} is not an indicator of {pathway} that peers are compared on")
    aggregates = centre_aggregates(indicator, oset, period, db)
    return protect(
        indicator, aggregates, viewer_centre, viewer_name, view_key(pathway, period.code, viewer_centre), min_patients, min_peers
    )


def own_trend(
    viewer: Viewer | None,
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
    if viewer_centre is None:
        return pl.DataFrame(schema=TREND_SCHEMA)
    rows = []
    for period in sorted(periods):
        result = peer_comparison(viewer, viewer_name, pathway, indicator_code, period, db, as_of=as_of)
        if not result.has_own or result.own_suppressed:
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
    return pl.DataFrame(rows, schema=TREND_SCHEMA)
