"""The monthly review's question ("samen leren"): what changed this month, is it real, whom do we discuss?

``monthly_review(viewer, db, centre_code, pathway, month)`` is everything the review page and the
meeting pack show of one centre, pathway and month, computed once: every indicator of the outcome
set on its control chart with the team's stored chart settings, summarised for the month (the
tiles) and the agenda drawn from them; the volume against the twelve months before; the team's
actions and the ones open for this meeting; costs by category and the category driving a change;
and outcomes by health literacy (equity). The page and the pack both lay out what it returns, so
the pack's table is the page's tiles.

The meeting mode walks ``meeting_items(review)``: the agenda's special causes, then the indicators
whose running actions this meeting reviews; ``meeting_item`` is one screen of it (its running
actions, which patients to discuss) and ``meeting_patients`` those patients (the cohort's patients
with the flag that fits the indicator's family, ``DISCUSS_FLAG``).

Beside it, for what the page opens on request: ``review_patients`` (the month's patients, with the
flags worth discussing), ``rare_event`` (a rare event's g-chart) and ``longer_grain`` (an
indicator per quarter or rolling window).

Every query runs through ``fetch`` (by default ``queries.run`` for the viewer on ``db``; the pages
pass their cached, audited runner), so the data layer decides on every read what the viewer may see:
a viewer outside the centre or pathway is refused before anything is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

import queries
from access.roles import Viewer
from analytics.indicators import (
    COST_MEAN,
    COST_MEDIAN,
    GRAINS,
    OUTCOME,
    PROM_CHANGE,
    PROM_MIC,
    PROM_RESPONSE,
    RARE_CHART_MONTHS,
    Indicator,
    Summary,
    agenda,
    code_parts,
    cohort_month,
    control_chart,
    indicator_params,
    indicators_for,
    month_range,
    patient_params,
    rare_event_chart,
    summarise,
)
from analytics.monthly import Comparison, Driver, cost_driver, versus_previous
from analytics.review import charted, open_to_review, reviewed
from analytics.spc import run_rule_length
from data_models.outcome_sets import OutcomeSet, common, outcome_sets
from services.practices import should_offer
from warehouse.actions import ChartSettings, chart_settings_of

__all__ = [
    "CHART_MONTHS",
    "DISCUSS_FLAG",
    "GROUPS",
    "PATIENT_FLAGS",
    "Charts",
    "Fetch",
    "GrainChart",
    "Indicator",
    "MeetingItem",
    "MonthlyReview",
    "RareChart",
    "Summary",
    "flagged",
    "longer_grain",
    "meeting_item",
    "meeting_items",
    "meeting_patients",
    "monthly_review",
    "rare_event",
    "review_patients",
]

Fetch = Callable[..., pl.DataFrame]  # fetch(query name, **parameters) → the query's rows for the viewer
# charts(indicators, rows, month, settings) → each indicator's chart summarised (cohort_reviewed, or a cache of it)
Charts = Callable[[list[Indicator], pl.DataFrame, dt.date, dict[str, ChartSettings]], list[Summary]]

CHART_MONTHS = 24  # the months on a monthly control chart
GROUPS = ("outcome", "prom", "process", "experience", "cost")  # the tiles' groups, in the order shown
PATIENT_FLAGS = ("has_complication", "is_below_mic", "has_missing_prom", "is_cost_far_above")  # review_patients' flags
GRAIN_MONTHS = {"quarter": 60, "rolling_3": 36, "rolling_12": 36}  # the months a longer grain shows
# the patient flag (``PATIENT_FLAGS``) that picks the patients to discuss for an indicator's family
DISCUSS_FLAG = {
    OUTCOME: "has_complication", PROM_CHANGE: "is_below_mic", PROM_MIC: "is_below_mic",
    PROM_RESPONSE: "has_missing_prom", COST_MEAN: "is_cost_far_above", COST_MEDIAN: "is_cost_far_above",
}  # fmt: skip


def _runner(viewer: Viewer | None, db: Path | None, fetch: Fetch | None) -> Fetch:
    if fetch is not None:
        return fetch
    return lambda name, **params: queries.run(name, viewer, db=db, **params)


@dataclass(frozen=True)
class MonthlyReview:
    """One centre's review of one pathway and month: what the page and the meeting pack show."""

    centre_code: str | None
    centre_name: str
    pathway: str
    pathway_label: dict[str, str]
    month: dt.date  # the meeting month: each indicator shows its latest closed cohort (``cohort_month``)
    months: list[dt.date]  # the meeting month's chart months (volume, costs), ending at ``month``
    rows: pl.DataFrame  # review_indicators over every indicator's chart months: what the charts are drawn from
    summaries: list[Summary]  # one per indicator of the outcome set, in the order of the tiles
    chart_settings: dict[str, ChartSettings]  # the team's baseline and excluded months per indicator code
    volume: Comparison  # patients treated this month against the mean of the months before
    actions: pl.DataFrame  # review_actions: the team's improvement actions, newest first
    open_actions: pl.DataFrame  # the open ones this meeting reviews
    costs: pl.DataFrame  # review_cost_categories: mean cost per patient by category and month
    cost_driver: Driver | None  # the category whose cost per patient changed most
    cost_categories: dict[str, dict[str, str]]  # category code → label per language
    equity: pl.DataFrame  # review_equity: headline outcome, baseline response (and the work outcome) by literacy
    headline_label: dict[str, str] = field(default_factory=dict)  # the headline outcome, for the equity chart
    work_label: dict[str, str] = field(default_factory=dict)  # the set's work outcome, if any (the equity chart shows it)

    @property
    def indicators(self) -> list[Indicator]:
        return [s.indicator for s in self.summaries]

    @property
    def indicator_codes(self) -> list[str]:
        return [s.indicator.code for s in self.summaries]

    @property
    def agenda(self) -> list[Summary]:
        """This month's special causes, concerns first (never from a month with too few patients)."""
        return agenda(self.summaries)

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        """Each indicator's label per language, by code (actions name their indicator by it)."""
        return {s.indicator.code: s.indicator.label for s in self.summaries}

    @property
    def groups(self) -> list[tuple[str, list[Summary]]]:
        """The tiles by group, in the order the page and the pack show them (empty groups left out)."""
        grouped = [(g, [s for s in self.summaries if s.indicator.group == g]) for g in GROUPS]
        return [(g, members) for g, members in grouped if members]

    def chosen(self, code: str | None = None) -> Summary:
        """The indicator whose chart is open: the one asked for, else the first on the agenda, else the first."""
        by_code = {s.indicator.code: s for s in self.summaries}
        first = self.agenda[0] if self.agenda else self.summaries[0]
        return by_code.get(code or "", first)

    def offers_practices(self, code: str) -> bool:
        """Whether the indicator's chart shows what worked elsewhere (``services.practices.should_offer``)."""
        return should_offer(self.chosen(code))

    def settings_for(self, code: str) -> ChartSettings | None:
        return self.chart_settings.get(code)

    def cohort_for(self, code: str) -> dt.date:
        """The treatment month an indicator shows at this meeting: the latest whose follow-up has closed."""
        return cohort_month(self.chosen(code).indicator, self.month)

    def months_for(self, code: str) -> list[dt.date]:
        """An indicator's chart months, ending at its cohort (``cohort_for``)."""
        return month_range(self.cohort_for(code), CHART_MONTHS)

    def recharted(self, code: str, recalc_from: dt.date | None) -> Summary:
        """One indicator's chart with new limits from ``recalc_from`` (its stored settings kept); as is when None."""
        summary = self.chosen(code)
        if recalc_from is None:
            return summary
        code = summary.indicator.code
        return charted(
            summary.indicator, self.rows, self.months_for(code), self.cohort_for(code), self.settings_for(code), recalc_from
        )


def monthly_review(
    viewer: Viewer | None,
    db: Path | None,
    centre_code: str | None,
    pathway: str,
    month: dt.date,
    *,
    fetch: Fetch | None = None,
    charts: Charts | None = None,
) -> MonthlyReview:
    """The review of ``pathway`` at ``centre_code`` for ``month``, read as ``viewer`` (refused outside its scope).

    ``charts`` draws the control charts (``cohort_reviewed`` unless given): the app passes one that keeps them
    per viewer scope, data version and chart settings, so a page's re-run does not redraw them."""
    ask = _runner(viewer, db, fetch)
    oset = outcome_sets()[pathway]
    months = month_range(month, CHART_MONTHS)
    indicators = indicators_for(oset)
    longest = max((i.followup_months for i in indicators), default=0)
    rows = ask("review_indicators", **indicator_params(oset, centre_code, month_range(month, CHART_MONTHS + longest)))
    place = {"centre_code": centre_code, "pathway": pathway}
    monthly = ask("review_monthly", **place, headline_outcome=oset.headline_outcome, from_month=months[0], to_month=month)
    settings = chart_settings_of(ask("review_chart_settings", **place))
    actions = ask("review_actions", **place)
    centre = ask("viewer_centre", centre_code=centre_code)
    costs = ask("review_cost_categories", **place, from_month=months[0], to_month=month)
    work = oset.prediction.work_outcome
    equity = ask("review_equity", **place, headline_outcome=oset.headline_outcome, work_outcome=work, to_month=month)
    return MonthlyReview(
        centre_code=centre_code,
        centre_name=centre["centre_name"][0] if centre.height else str(centre_code),
        pathway=pathway,
        pathway_label=oset.label,
        month=month,
        months=months,
        rows=rows,
        summaries=(charts or cohort_reviewed)(indicators, rows, month, settings),
        chart_settings=settings,
        volume=versus_previous(monthly, month, "count", "episodes_n"),
        actions=actions,
        open_actions=open_to_review(actions, month),
        costs=costs,
        cost_driver=cost_driver(costs, month),
        cost_categories=dict(common().cost_categories),
        equity=equity,
        headline_label=oset.clinical_outcomes[oset.headline_outcome].label,
        work_label=oset.clinical_outcomes[work].label if work else {},
    )


def cohort_reviewed(
    indicators: list[Indicator], rows: pl.DataFrame, month: dt.date, settings: dict[str, ChartSettings]
) -> list[Summary]:
    """Each indicator on its own chart, ending at and summarised for its cohort (``cohort_month``) of ``month``."""
    out = []
    for indicator in indicators:
        cohort = cohort_month(indicator, month)
        out += reviewed([indicator], rows, month_range(cohort, CHART_MONTHS), cohort, settings)
    return out


def review_patients(
    viewer: Viewer | None,
    db: Path | None,
    centre_code: str | None,
    pathway: str,
    month: dt.date,
    *,
    fetch: Fetch | None = None,
) -> pl.DataFrame:
    """The month's patients of the centre, with what flags them (``PATIENT_FLAGS``); the own centre's only."""
    ask = _runner(viewer, db, fetch)
    return ask("review_patients", **patient_params(outcome_sets()[pathway], centre_code, month))


def flagged(patients: pl.DataFrame, flags: Sequence[str]) -> pl.DataFrame:
    """The patients with any of ``flags`` (all of them when none is chosen)."""
    chosen = [f for f in flags if f in PATIENT_FLAGS]
    if not chosen:
        return patients
    return patients.filter(pl.any_horizontal(pl.col(c).fill_null(False) for c in chosen))


@dataclass(frozen=True)
class RareChart:
    """A rare event's g-chart: patients between events, the patients since the last one, over ``years``."""

    indicator: Indicator
    chart: pl.DataFrame
    open_count: int
    years: int


def rare_event(
    viewer: Viewer | None,
    db: Path | None,
    centre_code: str | None,
    pathway: str,
    month: dt.date,
    indicator: Indicator,
    *,
    fetch: Fetch | None = None,
) -> RareChart:
    """The g-chart of a rare event over the five years up to ``month``."""
    ask = _runner(viewer, db, fetch)
    months = month_range(month, RARE_CHART_MONTHS)
    intervals = ask("review_event_intervals", centre_code=centre_code, pathway=pathway, from_month=months[0], to_month=month)
    chart, open_count = rare_event_chart(indicator, intervals)
    return RareChart(indicator, chart, open_count, RARE_CHART_MONTHS // 12)


def only_indicator(params: dict[str, object], code: str) -> dict[str, object]:
    """``review_indicators`` parameters narrowed to one indicator: its rows as in the whole set, at a third less CPU.

    Each row carries the code it was asked for, and an indicator's rows never depend on the others asked.
    """
    where = list(params["indicator_codes"]).index(code)  # type: ignore[call-overload]
    lists = ("indicator_codes", "indicator_families", "indicator_subjects")
    return {**params, **{name: [params[name][where]] for name in lists}}  # type: ignore[index]


@dataclass(frozen=True)
class GrainChart:
    """An indicator's chart at a longer grain, its point for the month and the run rule's length."""

    indicator: Indicator
    grain: str
    chart: pl.DataFrame
    point: Summary
    run_length: int


def longer_grain(
    viewer: Viewer | None,
    db: Path | None,
    centre_code: str | None,
    pathway: str,
    month: dt.date,
    indicator: Indicator,
    grain: str,
    *,
    fetch: Fetch | None = None,
) -> GrainChart:
    """``indicator`` per quarter or rolling window (``GRAINS``) up to ``month``, summarised for that month."""
    if grain not in GRAINS or grain == "month":
        raise ValueError(f"not a longer grain: {grain!r}")
    ask = _runner(viewer, db, fetch)
    oset: OutcomeSet = outcome_sets()[pathway]
    k = int(grain.removeprefix("rolling_")) if grain.startswith("rolling_") else 1
    month = cohort_month(indicator, month)  # the indicator's cohort of the meeting month
    shown = month_range(month, GRAIN_MONTHS[grain])
    params = indicator_params(oset, centre_code, month_range(month, GRAIN_MONTHS[grain] + k - 1))
    rows = ask("review_indicators", **only_indicator(params, indicator.code))
    chart = control_chart(indicator, rows, shown, grain=grain)
    if grain == "quarter":
        chart = chart.filter(pl.col("months_n") > 0)
    return GrainChart(indicator, grain, chart, summarise(indicator, chart, month), run_rule_length(grain))


@dataclass(frozen=True)
class MeetingItem:
    """One screen of the meeting: an indicator on the agenda (or with running actions), ``position`` of ``total``."""

    summary: Summary
    position: int  # 1 for the first item (the agenda itself is screen 0)
    total: int
    on_agenda: bool  # a special cause this month; else it is here for its running actions
    actions: pl.DataFrame  # the open actions on this indicator this meeting reviews
    flag: str | None  # the patient flag that picks the patients to discuss (None: the indicator has none)

    @property
    def code(self) -> str:
        return self.summary.indicator.code

    @property
    def offers_practices(self) -> bool:
        """Whether the item shows what worked elsewhere (a concern, or a target missed: ``practices.should_offer``)."""
        return should_offer(self.summary)

    @property
    def cohort(self) -> dt.date | None:
        return self.summary.month


def meeting_items(review: MonthlyReview) -> list[Summary]:
    """The meeting's items in order: the agenda's special causes, then indicators whose open actions are reviewed."""
    items = list(review.agenda)
    listed = {s.indicator.code for s in items}
    by_code = {s.indicator.code: s for s in review.summaries}
    for code in review.open_actions["indicator_code"].to_list() if review.open_actions.height else []:
        if code in by_code and code not in listed:
            items.append(by_code[code])
            listed.add(code)
    return items


def meeting_item(review: MonthlyReview, position: int) -> MeetingItem:
    """Item ``position`` (1 … number of items) of the meeting; raises IndexError outside that range."""
    items = meeting_items(review)
    if not 1 <= position <= len(items):
        raise IndexError(f"the meeting has {len(items)} items, not {position}")
    summary = items[position - 1]
    code = summary.indicator.code
    family, _ = code_parts(code)
    return MeetingItem(
        summary=summary,
        position=position,
        total=len(items),
        on_agenda=code in {s.indicator.code for s in review.agenda},
        actions=review.open_actions.filter(pl.col("indicator_code") == code),
        flag=DISCUSS_FLAG.get(family),
    )


def meeting_patients(
    viewer: Viewer | None,
    db: Path | None,
    review: MonthlyReview,
    item: MeetingItem,
    *,
    fetch: Fetch | None = None,
) -> pl.DataFrame:
    """The patients to discuss for ``item``: its cohort's patients with the item's flag (an outcome's own event).

    Empty when the indicator has no patient flag (experience, waiting times: a matter of the process).
    """
    if item.flag is None:
        return pl.DataFrame()
    cohort = item.cohort or review.month
    patients = review_patients(viewer, db, review.centre_code, review.pathway, cohort, fetch=fetch)
    chosen = patients.filter(pl.col(item.flag).fill_null(False))
    family, subject = code_parts(item.code)
    if family == OUTCOME and subject is not None:
        chosen = chosen.filter(pl.col("adverse_events").str.split(", ").list.contains(subject))
    return chosen
