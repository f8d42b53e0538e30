"""The comparison page's question: how does my centre do against anonymous peers, crude and case-mix adjusted?

``peer_comparison`` answers it for one indicator and one closed period (a half-year or a free run
of them) against a chosen peer group, ``peer_scorecard`` for every indicator of the pathway at once,
``own_trend`` gives the own centre's adjusted result per half-year beside each period's target, and
``comparison_choices`` what may be asked (the indicators, the closed half-years and the peer groups).

Only this module runs the peer layer's internal queries: the pooled patient rows and their
case-mix values of one period (``peer_event_patients`` or ``peer_prom_patients`` with
``peer_casemix``) go into the case-mix model (``analytics.peers.aggregate_centres``), which reduces
them to one row per centre; ``analytics.peers.protect`` applies the disclosure rules to those
aggregates before anything is returned.

Step 1 runs when a version is published, not when a page asks: ``publish_peer_aggregates`` (registered
beside the samen-beslissen models by the command line and the server) stores every pathway's per-centre
aggregates of every comparison indicator and closed half-year with the version (model table
``peer_aggregates``, ``warehouse.models``), and ``centre_aggregates`` reads them back. A period of several
half-years, or a version published without the fitter, is fitted when asked, as before; the disclosure
rules are applied when asked in every case.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from access.roles import AccessDenied, Role, Viewer
from analytics.disclosure import MIN_PATIENTS, MIN_PEERS, view_key
from analytics.monthly import add_months
from analytics.peers import (
    PEER_GROUPS,
    CentreAggregates,
    ComparisonIndicator,
    PeerComparison,
    ScorecardRow,
    aggregate_centres,
    comparison_indicators,
    group_members,
    protect,
    ranked,
    scorecard_row,
    with_casemix,
)
from analytics.periods import (
    MAX_HALVES,
    PERIOD_MONTHS,
    ReportingPeriod,
    closed_periods,
    is_closed,
    on_grid,
    period_of,
    spanning,
)
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries import run_internal, sql_text
from warehouse.connection import published, shared_reader
from warehouse.models import read, replace_periods, stored_periods, touched_months

__all__ = [
    "PEER_GROUPS",
    "CentreAggregates",
    "ComparisonChoices",
    "ComparisonIndicator",
    "PeerComparison",
    "ReportingPeriod",
    "Scorecard",
    "ScorecardRow",
    "centre_aggregates",
    "comparison_choices",
    "own_trend",
    "peer_comparison",
    "peer_scorecard",
    "publish_peer_aggregates",
    "ranked",
    "spanning",
    "stored_aggregates",
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
    """What the viewer may compare: the pathway's indicators, the closed half-years on offer (latest first),
    the half-years a free period may start or end in (latest first) and the peer groups."""

    indicators: list[ComparisonIndicator]
    periods: list[ReportingPeriod]
    halves: list[ReportingPeriod]
    groups: list[str]


def comparison_choices(viewer: Viewer | None, pathway: str, month: dt.date) -> ComparisonChoices:
    """The indicators, closed half-years and peer groups a viewer may compare at the chosen month.

    Similar volume needs an own centre to be near: a national viewer is offered all and university centres.
    """
    own = _own_centre(viewer, pathway)
    groups = [g for g in PEER_GROUPS if g != "volume" or own is not None]
    return ComparisonChoices(
        comparison_indicators(outcome_sets()[pathway]), closed_periods(month), closed_periods(month, MAX_HALVES), groups
    )


Fetch = Callable[..., pl.DataFrame]  # an internal query by name, with its parameters


def _indicator_rows(indicator: ComparisonIndicator, oset: OutcomeSet, window: dict[str, object], fetch: Fetch) -> pl.DataFrame:
    kind, code = indicator.source
    if kind == "outcome":
        return fetch("peer_event_patients", outcome=code, **window)
    return fetch("peer_prom_patients", instrument=code, followup=oset.primary_followup, **window)


def _pooled(rows: pl.DataFrame, casemix: pl.DataFrame, oset: OutcomeSet) -> pl.DataFrame:
    # one order whatever query delivered the rows, so a stored fit and a fresh one add up alike
    return with_casemix(rows, casemix, oset).sort("centre_code", "episode_id")


def pooled_patients(indicator: ComparisonIndicator, oset: OutcomeSet, period: ReportingPeriod, db: Path | None) -> pl.DataFrame:
    """Every centre's patient rows of the period with their case-mix values (internal: never returned)."""
    fetch: Fetch = lambda name, **params: run_internal(name, db=db, **params)  # noqa: E731
    window = {"pathway": oset.pathway, "from_month": period.start, "to_month": period.end}
    return _pooled(_indicator_rows(indicator, oset, window, fetch), fetch("peer_casemix", **window), oset)


def centre_aggregates(
    indicator: ComparisonIndicator, oset: OutcomeSet, period: ReportingPeriod, db: Path | None
) -> CentreAggregates:
    """Step 1: the pooled patient rows of one period reduced to one row per centre (the case-mix model fitted on all).

    A half-year's aggregates come from the version when it stores them (fitted at publish); otherwise fitted here.
    """
    if period.halves == 1 and (stored := stored_aggregates(indicator, oset, period, db)) is not None:
        return stored
    cells = [part.start for part in period.parts()]
    return aggregate_centres(indicator, oset, pooled_patients(indicator, oset, period, db), cells)


# --- step 1 at publish time: every closed half-year's aggregates stored with the version ----------------

PEER_TABLE = "peer_aggregates"
EVER = {"from_month": dt.date(1900, 1, 1), "to_month": dt.date(2999, 12, 1)}  # every treatment month
NONE = {"centre_code": pl.String}  # the stored row of a half-year without patients


def _aggregate_rows(indicator: ComparisonIndicator, period: ReportingPeriod, aggregates: CentreAggregates) -> pl.DataFrame:
    """One half-year's aggregates as rows of the model table (residual SD and imputed counts on every row); no
    patients: one row without a centre."""
    per_centre = aggregates.per_centre if aggregates.per_centre.height else pl.DataFrame({"centre_code": [None]}, schema=NONE)
    return per_centre.with_columns(
        pl.lit(indicator.code).alias("indicator"),
        pl.lit(period.start).alias("period_start"),
        pl.lit(aggregates.residual_sd, dtype=pl.Float64).alias("residual_sd"),
        pl.lit(json.dumps(aggregates.missing)).alias("missing"),
    )


def _half_years(rows: pl.DataFrame, today: dt.date) -> list[ReportingPeriod]:
    """The half-years the rows' treatment months fall in that are closed today (the only ones ever shown)."""
    periods = {period_of(month) for month in rows["month_date"].unique().to_list()}
    return sorted(p for p in periods if is_closed(p, today))


def pathway_aggregates(
    oset: OutcomeSet, fetch: Fetch, today: dt.date, halves: Sequence[ReportingPeriod] | None = None
) -> pl.DataFrame:
    """Every comparison indicator's per-centre aggregates in every closed half-year of the pathway (or in
    ``halves`` only, each read on its own), as table rows.

    An indicator without patients in a half-year (a one-year outcome of recent treatments) is stored as one row
    without a centre, so the page knows there is nothing to compare without asking. A half-year whose model
    cannot be fitted (too few patients) is left out: asked, it fails as it always did.
    """
    if halves is None:
        return _aggregates(oset, fetch, {"pathway": oset.pathway, **EVER}, today, None)
    frames = [_aggregates(oset, fetch, _window(oset, period), today, period) for period in halves]
    frames = [f for f in frames if f.height]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _window(oset: OutcomeSet, period: ReportingPeriod) -> dict[str, object]:
    return {"pathway": oset.pathway, "from_month": period.start, "to_month": period.end}


def _aggregates(
    oset: OutcomeSet, fetch: Fetch, window: dict[str, object], today: dt.date, only: ReportingPeriod | None
) -> pl.DataFrame:
    casemix = fetch("peer_casemix", **window)
    pooled = [(i, _pooled(_indicator_rows(i, oset, window, fetch), casemix, oset)) for i in comparison_indicators(oset)]
    halves = sorted({period for _, patients in pooled for period in _half_years(patients, today)})
    if only is not None:
        halves = [only] if is_closed(only, today) else []
    frames = []
    for indicator, patients in pooled:
        for period in halves:
            try:
                aggregates = aggregate_centres(indicator, oset, patients.filter(_half_start() == period.start), [period.start])
            except ValueError:
                continue
            frames.append(_aggregate_rows(indicator, period, aggregates))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _half_start() -> pl.Expr:
    """The first month of each patient's half-year (``analytics.periods.period_of`` on ``month_date``)."""
    month = pl.col("month_date")
    return pl.date(month.dt.year(), pl.when(month.dt.month() <= PERIOD_MONTHS).then(1).otherwise(PERIOD_MONTHS + 1), 1)


def halves_to_refit(stored: set[dt.date], touched: set[dt.date] | None, today: dt.date) -> list[ReportingPeriod] | None:
    """The closed half-years whose stored aggregates a publish must fit again: those holding a month the loads
    touched, and those closed since the latest stored one. None: every one (nothing stored, or the changes
    are unknown)."""
    if not stored or touched is None:
        return None
    wanted = {period_of(month) for month in touched}
    period = ReportingPeriod(add_months(max(stored), PERIOD_MONTHS))
    while is_closed(period, today):
        wanted.add(period)
        period = ReportingPeriod(add_months(period.start, PERIOD_MONTHS))
    return sorted(p for p in wanted if is_closed(p, today))


def publish_peer_aggregates(con: duckdb.DuckDBPyConnection, pathways: Sequence[str] | None = None) -> None:
    """Fit and store the peer aggregates of every pathway (None) or of ``pathways`` on the version being published
    (``warehouse.models``): after a load, only the half-years it changed or that closed since the version it
    was loaded onto (``halves_to_refit``); the other half-years keep their rows, fitted on the same patients.
    Registered where ``services.patients_like_me.publish_models`` is."""
    sets = outcome_sets()
    fetch: Fetch = lambda name, **params: con.sql(sql_text(name), params=params).pl()  # noqa: E731
    today = dt.date.today()
    for pathway in sorted(sets) if pathways is None else pathways:
        stored = stored_periods(con, PEER_TABLE, pathway)
        halves = halves_to_refit(stored, touched_months(con, pathway), today)
        if halves is None:
            replace_periods(con, PEER_TABLE, pathway, stored, pathway_aggregates(sets[pathway], fetch, today))
        elif halves:
            starts = {p.start for p in halves}
            replace_periods(con, PEER_TABLE, pathway, starts, pathway_aggregates(sets[pathway], fetch, today, halves))


@lru_cache(maxsize=32)  # small: a few rows per centre, indicator and half-year of one pathway and version
def _stored_rows(version: Path, pathway: str) -> pl.DataFrame | None:
    with shared_reader(version) as con:
        try:
            return read(con, PEER_TABLE, pathway)
        except duckdb.CatalogException:  # a version made before the table existed
            return None


def stored_aggregates(
    indicator: ComparisonIndicator, oset: OutcomeSet, period: ReportingPeriod, db: Path | None
) -> CentreAggregates | None:
    """One half-year's per-centre aggregates as the version stores them (None: it stores none for it)."""
    rows = _stored_rows(published(db), oset.pathway)
    if rows is None:
        return None
    mine = rows.filter((pl.col("indicator") == indicator.code) & (pl.col("period_start") == period.start))
    if mine.is_empty():
        return None
    if mine["centre_code"].is_null().all():  # stored without patients: what the model step gives for none
        return aggregate_centres(indicator, oset, pl.DataFrame(), [period.start])
    first = mine.row(0, named=True)
    kept = [c for c in mine.columns if c not in ("indicator", "period_start", "residual_sd", "missing")]
    per_centre = mine.select(c for c in kept if mine[c].null_count() < mine.height).with_columns(
        pl.col("patients_n").cast(pl.get_index_type())
    )
    return CentreAggregates(per_centre, first["residual_sd"], json.loads(first["missing"]))


def peer_group(pathway: str, period: ReportingPeriod, own: str | None, group: str, db: Path | None) -> set[str] | None:
    """The members of the chosen peer group in the period (None: every centre)."""
    if group not in PEER_GROUPS:
        raise AccessDenied(f"{group!r} is not a peer group")
    if group == "all":
        return None
    if group == "volume" and own is None:
        raise AccessDenied("a peer group of similar volume needs an own centre")
    volumes = run_internal("peer_volumes", db=db, pathway=pathway, from_month=period.start, to_month=period.end)
    return group_members(volumes, own, group)


def _checked(viewer: Viewer | None, pathway: str, period: ReportingPeriod, as_of: dt.date | None) -> str | None:
    """The own centre, once the viewer may compare and the period is closed on the grid."""
    viewer_centre = _own_centre(viewer, pathway)
    today = dt.date.today()
    as_of = today if as_of is None else min(as_of, today)  # a later "as of" would open a period still filling
    if not on_grid(period) or not is_closed(period, as_of):
        raise AccessDenied(f"peer figures exist only for closed reporting periods, not {period!r}")
    return viewer_centre


def _view(pathway: str, period: ReportingPeriod, viewer_centre: str | None, group: str) -> str:
    """The view the codes are drawn for; a narrower group draws its own codes."""
    return view_key(pathway, period.code if group == "all" else f"{period.code}|{group}", viewer_centre)


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
    group: str = "all",
) -> PeerComparison:
    """The viewer's centre against anonymous peers in one closed period, crude and case-mix adjusted.

    A programme lead sees every centre anonymously. A period that is not closed at ``as_of``
    (today) is refused: its figures would still grow, and two views of it would differ by
    the patients added in between. ``group`` narrows the peers (``PEER_GROUPS``); a group with
    fewer than ``min_peers`` peers above the threshold shows nothing (``is_shown`` False).
    """
    viewer_centre = _checked(viewer, pathway, period, as_of)
    oset = outcome_sets()[pathway]
    indicator = next((i for i in comparison_indicators(oset) if i.code == indicator_code), None)
    if indicator is None:
        raise AccessDenied(f"{indicator_code} is not an indicator of {pathway} that peers are compared on")
    members = peer_group(pathway, period, viewer_centre, group, db)
    aggregates = centre_aggregates(indicator, oset, period, db)
    view = _view(pathway, period, viewer_centre, group)
    return protect(indicator, aggregates, viewer_centre, viewer_name, view, min_patients, min_peers, members, group)


@dataclass(frozen=True)
class Scorecard:
    """Every comparison indicator of a pathway in one period against one peer group (issue 17's scorecard)."""

    period: ReportingPeriod
    group: str
    mode: str
    rows: list[ScorecardRow]

    @property
    def is_shown(self) -> bool:
        return any(r.is_shown for r in self.rows)


def peer_scorecard(
    viewer: Viewer | None,
    viewer_name: str,
    pathway: str,
    period: ReportingPeriod,
    mode: str = "adjusted",
    db: Path | None = None,
    as_of: dt.date | None = None,
    group: str = "all",
    compared: Callable[[str], PeerComparison] | None = None,
) -> Scorecard:
    """The own centre against its peers on every indicator at once, each row from that indicator's
    protected comparison (``peer_comparison``), so the scorecard shows nothing the single views do not.

    ``compared``: the same comparison by indicator code from a cache (the page's), instead of computed here.
    """
    if mode not in ("crude", "adjusted"):
        raise ValueError(f"unknown mode {mode!r}")
    if compared is None:
        compared = lambda code: peer_comparison(viewer, viewer_name, pathway, code, period, db, as_of=as_of, group=group)  # noqa: E731
    rows = [scorecard_row(compared(i.code), mode) for i in comparison_indicators(outcome_sets()[pathway])]
    return Scorecard(period, group, mode, rows)


def own_trend(
    viewer: Viewer | None,
    viewer_name: str,
    pathway: str,
    indicator_code: str,
    periods: list[ReportingPeriod],
    db: Path | None = None,
    as_of: dt.date | None = None,
    group: str = "all",
) -> pl.DataFrame:
    """The viewer's own adjusted result per closed half-year against the same period's target (in ``group``).

    Each point is exactly the own dot and the target of that period's funnel: the trend
    shows nothing the comparisons do not.
    """
    viewer_centre = _own_centre(viewer, pathway)
    if viewer_centre is None:
        return pl.DataFrame(schema=TREND_SCHEMA)
    rows = []
    for period in sorted(periods):
        result = peer_comparison(viewer, viewer_name, pathway, indicator_code, period, db, as_of=as_of, group=group)
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
