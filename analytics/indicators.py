"""The monthly indicators of a pathway, their control charts and what they say this month.

``indicators_for(outcome_set)`` lists the indicators the outcome set defines (clinical
outcomes, PROM change and minimal important change, PROM response per timepoint, process
measures, experiences, cost). ``review(indicators, rows, months, month)`` puts each on a
control chart (a p-chart for proportions, XmR for measures) over the given months and
summarises the chosen month: value, the level of the previous twelve months, the MDC
variation and assurance, and which special-cause rules fired. ``agenda`` lists the
indicators with a special cause this month, concerns first.

Small numbers. Every summary carries its denominator (``cases_n``); a month with fewer than
``MIN_CASES`` (10) patients is ``too_few``: its percentage is shown with words, and the agenda
never raises a signal from it. ``control_chart(..., grain=)`` offers longer grains (a calendar
``"quarter"``, ``"rolling_3"`` or ``"rolling_12"`` months) with the run rules' length stated in
``analytics.spc.run_rule_length``.

Rare events. An event the outcome set marks ``rare``, or whose expected number per month
(p̄ × the mean patients per month) is below ``RARE_EVENTS_PER_MONTH`` (1), is ``is_rare``: its
monthly p-chart raises no signal (months of zero would read as improvement), and the review
shows ``rare_event_chart``: the g-chart of the patients between events (``analytics.spc.g_chart``).

Indicator codes. An indicator's code is its family, or its family and subject joined by a colon
(``outcome:complication_severe``, ``prom_response:3m``, ``waiting_time_days:tka``, ``nps``): actions
and chart settings are stored under it. ``indicator_code`` is the one place that builds a code and
``code_parts`` the one place that reads one. The ``review_indicators`` query builds none: it computes
each family per subject and returns, under the code it was given, each indicator ``indicator_params``
asks for (``$indicator_codes`` with their ``$indicator_families`` and ``$indicator_subjects``).

The PROM-response target lives in one place: the programme's ``adoption_targets.prom_response_pct``
in ``data_models/common.yaml`` (``prom_response_target``); the review's response charts and the
adoption page both read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import polars as pl

from analytics.monthly import add_months
from analytics.spc import cases_between_events, g_chart, p_chart, run_rule_length, with_run_length, xmr
from data_models.outcome_sets import OutcomeSet, common

Chart = Literal["p", "pp", "xmr"]  # pp: Laney p′ chart for large denominators
MIN_CASES = 10  # fewer patients in a period: too few to judge a percentage or raise a signal
RARE_EVENTS_PER_MONTH = 1.0  # fewer expected events a month: a time-between-events chart
GRAINS = ("month", "quarter", "rolling_3", "rolling_12")

# The families of indicators the review_indicators query computes (a subject, where there is one, in brackets).
OUTCOME = "outcome"  # [clinical outcome]: events as a proportion, measures as a mean
PROM_CHANGE = "prom_change"  # [instrument]: mean change from baseline to the primary follow-up
PROM_MIC = "prom_mic"  # [instrument]: share reaching the minimal important change
PROM_RESPONSE = "prom_response"  # [timepoint]: questionnaires answered of those sent
WAITING_TIME = "waiting_time_days"  # [treatment, or none for all]: referral to treatment
LENGTH_OF_STAY = "length_of_stay_days"  # treatment to discharge
COLLABORATE_TOP = "collaborate_top"  # CollaboRATE top score: 9 on all three items
NPS = "nps"  # net promoter score
PEM_OVERALL = "pem_overall"  # the patient-experience rating (0–10), mean
COST_MEAN, COST_MEDIAN = "cost_mean_eur", "cost_median_eur"  # cost per patient
# an outcome set's process measure: its source names the family (sdm_documented, mdt_discussed: the episode's flag)
PROCESS_SOURCES = {"referral_to_treatment": WAITING_TIME, "treatment_to_discharge": LENGTH_OF_STAY}
PROM_RESPONSE_SOURCE = "prom_response"  # a process measure charted per timepoint, with the PROM indicators


def indicator_code(family: str, subject: str | None = None) -> str:
    """The code of an indicator: ``family`` or ``family:subject``. The only place a code is built."""
    if not family or ":" in family or (subject is not None and (not subject or ":" in subject)):
        raise ValueError(f"not an indicator family and subject: {family!r}, {subject!r}")
    return family if subject is None else f"{family}:{subject}"


def code_parts(code: str) -> tuple[str, str | None]:
    """(family, subject) of an indicator code: the inverse of ``indicator_code``."""
    family, _, subject = code.partition(":")
    return family, subject or None


def prom_response_target() -> float | None:
    """The PROM-response target as a share (0–1): the programme's, in ``common.yaml`` (adoption_targets)."""
    pct = common().adoption_targets.get("prom_response_pct")
    return None if pct is None else pct / 100.0


@dataclass(frozen=True)
class Indicator:
    code: str  # as in the query's indicator_code, e.g. "outcome:complication_severe"
    label: dict[str, str]
    chart: Chart
    improvement: Literal["up", "down"]
    group: str  # outcome | prom | process | experience | cost
    unit: str  # pct | days | eur | points | nps | value
    target: float | None = None
    rare: bool = False  # the outcome set marks the event rare
    followup_months: int = 0  # its follow-up window: a meeting month shows the patients treated this long before


def timepoint_months(timepoint: str) -> int:
    """The months after treatment a PROM timepoint stands for: baseline → 0, "3m" → 3, "12m" → 12."""
    if timepoint == "baseline":
        return 0
    months = timepoint.removesuffix("m")
    if not months.isdigit():
        raise ValueError(f"not a PROM timepoint: {timepoint!r}")
    return int(months)


def cohort_month(indicator: Indicator, meeting_month: dt.date) -> dt.date:
    """The latest treatment month whose follow-up window has closed by the end of ``meeting_month``."""
    return add_months(meeting_month, -indicator.followup_months)


def _instrument_indicators(oset: OutcomeSet) -> list[Indicator]:
    out = []
    primary = oset.instruments[oset.primary_instrument]
    fu = oset.primary_followup
    out.append(
        Indicator(
            indicator_code(PROM_CHANGE, primary.code),
            {"nl": f"{primary.label}: verandering tot {fu}", "en": f"{primary.label}: change to {fu}"},
            "xmr", "up" if primary.better == "higher" else "down", "prom", "points", followup_months=timepoint_months(fu),
        )
    )  # fmt: skip
    for inst in oset.instruments.values():
        if inst.mic is None:
            continue
        out.append(
            Indicator(
                indicator_code(PROM_MIC, inst.code),
                {"nl": f"{inst.label}: klinisch relevant verbeterd ({fu})", "en": f"{inst.label}: clinically relevant improvement ({fu})"},
                "p", "up", "prom", "pct", followup_months=timepoint_months(fu),
            )
        )  # fmt: skip
    target = prom_response_target()
    for tp in oset.timepoints:
        out.append(
            Indicator(
                indicator_code(PROM_RESPONSE, tp),
                {"nl": f"PROM-respons {tp}", "en": f"PROM response {tp}"},
                "p", "up", "process", "pct", target, followup_months=timepoint_months(tp),
            )
        )  # fmt: skip
    return out


def _process_indicators(oset: OutcomeSet) -> list[Indicator]:
    out = []
    for measure in oset.process_measures.values():
        if measure.source == PROM_RESPONSE_SOURCE:
            continue  # per timepoint, with the PROM indicators
        family = PROCESS_SOURCES.get(measure.source, measure.source)
        subject = measure.applies_to[0] if len(measure.applies_to) == 1 and family == WAITING_TIME else None
        code = indicator_code(family, subject)
        is_days = family in (WAITING_TIME, LENGTH_OF_STAY)
        out.append(
            Indicator(
                code, measure.label, "xmr" if is_days else "p", "up" if measure.better == "higher" else "down",
                "process", "days" if is_days else "pct", measure.target,
            )
        )  # fmt: skip
    return out


def indicators_for(oset: OutcomeSet) -> list[Indicator]:
    """Every indicator the pathway's outcome set defines, in the order the page shows them."""
    outcomes = [
        Indicator(
            indicator_code(OUTCOME, o.code),
            o.label,
            "p" if o.kind == "event" else "xmr",
            "up" if o.better == "higher" else "down",
            "outcome",
            "pct" if o.kind == "event" else "value",
            rare=o.rare and o.kind == "event",
            followup_months=o.followup_months,
        )
        for o in oset.clinical_outcomes.values()
        if o.role == "outcome" and o.better is not None
    ]
    headline = [i for i in outcomes if i.code == indicator_code(OUTCOME, oset.headline_outcome)]
    experience = [
        Indicator(indicator_code(COLLABORATE_TOP), {"nl": "Samen beslissen ervaren (CollaboRATE topscore)", "en": "Shared decision making experienced (CollaboRATE top score)"}, "p", "up", "experience", "pct"),
        Indicator(indicator_code(NPS), {"nl": "Aanbevelingsscore (NPS)", "en": "Net promoter score"}, "xmr", "up", "experience", "nps"),
        Indicator(indicator_code(PEM_OVERALL), {"nl": "Rapportcijfer patiëntervaring", "en": "Patient experience rating"}, "xmr", "up", "experience", "value"),
    ]  # fmt: skip
    cost = [
        Indicator(indicator_code(COST_MEAN), {"nl": "Gemiddelde kosten per patiënt", "en": "Mean cost per patient"}, "xmr", "down", "cost", "eur"),
        Indicator(indicator_code(COST_MEDIAN), {"nl": "Mediane kosten per patiënt", "en": "Median cost per patient"}, "xmr", "down", "cost", "eur"),
    ]  # fmt: skip
    rest = [i for i in outcomes if i not in headline]
    return headline + rest + _instrument_indicators(oset) + _process_indicators(oset) + experience + cost


def month_range(last: dt.date, n: int) -> list[dt.date]:
    return [add_months(last, k - n + 1) for k in range(n)]


def grain_points(indicator: Indicator, rows: pl.DataFrame, months: list[dt.date], grain: str = "month") -> pl.DataFrame:
    """The indicator's points at a grain: ``month_date`` (the point's last month), ``period_start``,
    ``events_n``, ``cases_n``, ``value`` and ``months_n`` (months with patients in the point).

    ``"month"``: one point per month of ``months``. ``"quarter"``: one per calendar quarter that
    ``months`` touch (a quarter cut off by the window holds only its months inside it).
    ``"rolling_k"``: one per month of ``months``, over that month and the k − 1 before it, using rows
    from before ``months[0]`` where ``rows`` has them. Proportions add events and patients; a
    measure is the mean of the monthly values weighted by their patients (for a monthly median
    this is an approximation).
    """
    run_rule_length(grain)  # refuses an unknown grain
    mine = rows.filter(pl.col("indicator_code") == indicator.code)
    if grain == "month":
        calendar = pl.DataFrame({"month_date": months}, schema={"month_date": pl.Date})
        series = calendar.join(mine, on="month_date", how="left", maintain_order="left")
        return series.select(
            "month_date", pl.col("month_date").alias("period_start"), pl.col("events_n").cast(pl.Float64),
            pl.col("cases_n").cast(pl.Float64), pl.col("value").cast(pl.Float64),
            pl.col("cases_n").is_not_null().cast(pl.Int64).alias("months_n"),
        )  # fmt: skip
    if grain == "quarter":
        periods = []
        for m in months:
            start = dt.date(m.year, 3 * ((m.month - 1) // 3) + 1, 1)
            if periods and periods[-1][0] == start:
                periods[-1] = (start, max(start, months[0]), m)
            else:
                periods.append((start, max(start, months[0]), m))
        spans = [(first, last) for _, first, last in periods]
    else:
        k = int(grain.removeprefix("rolling_"))
        spans = [(add_months(m, -(k - 1)), m) for m in months]
    out = []
    for first, last in spans:
        part = mine.filter(pl.col("month_date") >= first, pl.col("month_date") <= last, pl.col("cases_n") > 0)
        cases = float(part["cases_n"].sum()) if part.height else None
        events = float(part["events_n"].sum()) if part.height and part["events_n"].null_count() < part.height else None
        valued = part.filter(pl.col("value").is_not_null())
        value = float((valued["value"] * valued["cases_n"]).sum() / valued["cases_n"].sum()) if valued.height else None
        out.append({"month_date": last, "period_start": first, "events_n": events, "cases_n": cases,
                    "value": value, "months_n": part.height})  # fmt: skip
    return pl.DataFrame(
        out,
        schema={"month_date": pl.Date, "period_start": pl.Date, "events_n": pl.Float64, "cases_n": pl.Float64,
                "value": pl.Float64, "months_n": pl.Int64},
    )  # fmt: skip


def control_chart(
    indicator: Indicator,
    rows: pl.DataFrame,
    months: list[dt.date],
    recalc_from: dt.date | None = None,
    *,
    baseline_until: dt.date | None = None,
    exclude: Mapping[dt.date, str] | None = None,
    grain: str = "month",
) -> pl.DataFrame:
    """The indicator's chart over ``months`` (one row per point; months without cases are missing).

    ``recalc_from``: new limits from that month (``analytics.spc`` ``recalc_from``).
    ``baseline_until``: the limits of the phase holding that month are fixed after it (the months
    of the phase up to and including it form the baseline; ``analytics.spc`` ``freeze``).
    ``exclude``: ``{month: reason}`` left out of the limits, still shown (``analytics.spc`` ``exclude``).
    Months outside ``months`` are ignored. A ``"pp"`` indicator gets Laney's p′ chart.
    ``grain`` (default ``"month"``): ``"quarter"``, ``"rolling_3"`` or ``"rolling_12"`` chart the
    points of ``grain_points`` instead; a month given above then names the point whose period holds
    it (for rolling windows: the window ending in it), and shifts and trends need
    ``analytics.spc.run_rule_length(grain)`` points (two of three is not used on rolling windows).
    """
    series = grain_points(indicator, rows, months, grain)
    points = series["month_date"].to_list()
    if grain == "month":
        where = {m: i for i, m in enumerate(points)}
    else:
        where = {}
        for i, (a, b) in enumerate(zip(series["period_start"], points, strict=True)):
            for m in months:
                if (a <= m <= b and grain == "quarter") or m == b:
                    where.setdefault(m, i)
    start = where.get(recalc_from) if recalc_from is not None else None
    options: dict[str, Any] = {
        "freeze": where[baseline_until] + 1 if baseline_until in where else None,
        "exclude": {where[m]: reason for m, reason in (exclude or {}).items() if m in where},
    }
    if indicator.chart in ("p", "pp"):
        chart = p_chart(
            series["events_n"].to_list(), series["cases_n"].to_list(), indicator.improvement, indicator.target,
            start or None, laney=indicator.chart == "pp", **options,
        )  # fmt: skip
    else:
        chart = xmr(series["value"].to_list(), indicator.improvement, indicator.target, start or None, **options)
    if grain != "month":
        chart = with_run_length(
            chart, run_rule_length(grain), indicator.improvement, two_of_three=not grain.startswith("rolling_")
        )
    return chart.with_columns(
        series["month_date"], series["cases_n"].fill_null(0).cast(pl.Int64).alias("cases_n"), series["period_start"],
        series["months_n"],
    )  # fmt: skip


@dataclass(frozen=True)
class Summary:
    indicator: Indicator
    chart: pl.DataFrame
    value: float | None
    previous: float | None  # pooled level of the twelve months before
    cases_n: int
    variation: str  # improvement | concern | common
    side: str | None
    assurance: str | None
    rules: tuple[str, ...]  # outside | shift | trend | two_of_three
    run_length: int  # months in a row of the shift or trend ending this month
    is_provisional: bool
    is_rare: bool = False  # a rare event: its monthly chart raises no signal (see rare_event_chart)
    events_n: int | None = None  # a proportion's numerator this month, to say "3 of 6 patients"
    month: dt.date | None = None  # the treatment month summarised (the cohort: ``cohort_month``)

    @property
    def is_special(self) -> bool:
        return bool(self.rules)

    @property
    def too_few(self) -> bool:
        """Fewer than ``MIN_CASES`` patients this month (none at all counts too): too few to judge."""
        return self.cases_n < MIN_CASES

    @property
    def change(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous

    @property
    def direction(self) -> Literal["up", "down"] | None:
        """Which way the value moved against the previous level (None: no change or nothing to compare)."""
        change = self.change
        if not change:
            return None
        return "up" if change > 0 else "down"

    @property
    def is_better(self) -> bool | None:
        """Whether the move is the indicator's way of improving (lower cost is better); None without a move."""
        direction = self.direction
        return None if direction is None else direction == self.indicator.improvement


def _previous_level(indicator: Indicator, chart: pl.DataFrame, month: dt.date) -> float | None:
    before = chart.filter(
        pl.col("month_date") >= add_months(month, -12), pl.col("month_date") < month, pl.col("value").is_not_null()
    )
    if before.is_empty():
        return None
    if indicator.chart in ("p", "pp"):
        return float(before["events"].sum() / before["denominator"].sum())
    return float((before["value"] * before["cases_n"]).sum() / before["cases_n"].sum()) if before["cases_n"].sum() else None


def _run_length(chart: pl.DataFrame, index: int, rule: str) -> int:
    """How many flagged points in a row end at ``index`` (months without a value are skipped)."""
    flags = chart[rule].to_list()
    values = chart["value"].to_list()
    n = 0
    for i in range(index, -1, -1):
        if values[i] is None:
            continue
        if not flags[i]:
            break
        n += 1
    return n


def summarise(indicator: Indicator, chart: pl.DataFrame, month: dt.date) -> Summary:
    """The chart's point for ``month``. A rare event (``is_rare``) keeps its value and denominator,
    but the monthly chart's special causes are dropped: they belong on the g-chart (``rare_event_chart``).
    """
    summary = _summarise(indicator, chart, month)
    if is_rare(indicator, chart):
        return replace(summary, variation="common", side=None, rules=(), run_length=0, is_rare=True)
    return summary


def _summarise(indicator: Indicator, chart: pl.DataFrame, month: dt.date) -> Summary:
    rows = chart.with_row_index("i").filter(pl.col("month_date") == month)
    if rows.is_empty() or rows["value"][0] is None:
        previous = _previous_level(indicator, chart, month)
        return Summary(indicator, chart, None, previous, 0, "common", None, None, (), 0, True, month=month)
    row = rows.row(0, named=True)
    rules = tuple(r for r in ("outside", "shift", "trend", "two_of_three") if row[f"rule_{r}"])
    run = max((_run_length(chart, row["i"], f"rule_{r}") for r in ("shift", "trend") if r in rules), default=0)
    return Summary(
        indicator, chart, row["value"], _previous_level(indicator, chart, month), int(row["cases_n"]), row["variation"],
        row["side"], row["assurance"], rules, run, row["is_provisional"],
        events_n=None if row.get("events") is None else int(row["events"]), month=month,
    )  # fmt: skip


def expected_events_per_month(chart: pl.DataFrame) -> float | None:
    """p̄ × the mean number of patients in the months with patients (None without any)."""
    if "events" not in chart.columns:
        return None
    months = chart.filter(pl.col("denominator") > 0)
    if months.is_empty():
        return None
    return float(months["events"].sum() / months.height)


def is_rare(indicator: Indicator, chart: pl.DataFrame) -> bool:
    """A clinical event the outcome set marks rare, or expected fewer than once a month on this chart."""
    if indicator.chart not in ("p", "pp") or indicator.group != "outcome":
        return False
    expected = expected_events_per_month(chart)
    return indicator.rare or (expected is not None and expected < RARE_EVENTS_PER_MONTH)


def review(indicators: list[Indicator], rows: pl.DataFrame, months: list[dt.date], month: dt.date) -> list[Summary]:
    """Chart and summarise every indicator for the chosen month (a rare event's as ``summarise`` says)."""
    return [summarise(i, control_chart(i, rows, months), month) for i in indicators]


def agenda(summaries: list[Summary]) -> list[Summary]:
    """Indicators with a special cause this month: concerns first, then improvements.

    Never from a month with too few patients (``Summary.too_few``), nor from a rare event's
    monthly chart (``review`` has dropped those).
    """
    special = [s for s in summaries if s.is_special and not s.too_few]
    return sorted(special, key=lambda s: (s.variation != "concern", summaries.index(s)))


RARE_CHART_MONTHS = 60  # a g-chart needs events; five years hold a handful even for a rare one


def rare_event_chart(indicator: Indicator, intervals: pl.DataFrame, *, freeze: int | None = None) -> tuple[pl.DataFrame, int]:
    """The g-chart of a rare event, and the patients since its last event (the interval still open).

    ``intervals`` is the ``review_event_intervals`` query: per outcome, one row per run of patients
    ending in an event (``interval_no``, ``cases_n`` without the event, ``event_date``) and a last
    row without ``event_date`` for the patients since. The run before the first event is left out
    (its start lies before the data; ``analytics.spc.cases_between_events``). One row per closed
    interval, with the ``event_date`` that closed it; improvement is the other way round from the
    indicator's (fewer unwanted events: longer gaps).
    """
    _, code = code_parts(indicator.code)
    mine = intervals.filter(pl.col("outcome") == code).sort("interval_no")
    closed = mine.filter(pl.col("event_date").is_not_null())
    flags: list[int] = []
    for n, has_event in zip(mine["cases_n"], mine["event_date"].is_not_null(), strict=True):
        flags += [0] * int(n) + ([1] if has_event else [])
    gaps, open_count = cases_between_events(flags)
    chart = g_chart(gaps, "up" if indicator.improvement == "down" else "down", freeze=freeze)
    return chart.with_columns(pl.Series("event_date", closed["event_date"].to_list()[1:], dtype=pl.Date)), open_count


def indicator_params(oset: OutcomeSet, centre_code: str | None, months: list[dt.date]) -> dict[str, object]:
    """The parameters of the ``review_indicators`` query for a pathway over ``months`` (page and pack alike):
    the pathway's indicators (``indicators_for``) by code, family and subject, and its instruments."""
    instruments = list(oset.instruments.values())
    parts = [(i.code, *code_parts(i.code)) for i in indicators_for(oset)]
    return {
        "indicator_codes": [code for code, _, _ in parts],
        "indicator_families": [family for _, family, _ in parts],
        "indicator_subjects": [subject for _, _, subject in parts],
        "centre_code": centre_code,
        "pathway": oset.pathway,
        "from_month": months[0],
        "to_month": months[-1],
        "primary_followup": oset.primary_followup,
        "instrument_codes": [i.code for i in instruments],
        "instrument_mics": [i.mic or 0.0 for i in instruments],
        "instrument_higher": [i.better == "higher" for i in instruments],
    }


def patient_params(oset: OutcomeSet, centre_code: str | None, month: dt.date) -> dict[str, object]:
    """The parameters of the ``review_patients`` query: the month's patients and what flags them."""
    primary = oset.instruments[oset.primary_instrument]
    adverse = [o.code for o in oset.clinical_outcomes.values() if o.kind == "event" and o.better == "lower"]
    return {
        "centre_code": centre_code,
        "pathway": oset.pathway,
        "month": month,
        "adverse_outcomes": adverse,
        "primary_instrument": primary.code,
        "mic": primary.mic or 0.0,
        "is_higher_better": primary.better == "higher",
    }
