"""The monthly indicators of a pathway, their control charts and what they say this month.

``indicators_for(outcome_set)`` lists the indicators the outcome set defines (clinical
outcomes, PROM change and minimal important change, PROM response per timepoint, process
measures, experiences, cost). ``review(indicators, rows, months, month)`` puts each on a
control chart (a p-chart for proportions, XmR for measures) over the given months and
summarises the chosen month: value, the level of the previous twelve months, the MDC
variation and assurance, and which special-cause rules fired. ``agenda`` lists the
indicators with a special cause this month, concerns first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from analytics.monthly import add_months
from analytics.spc import p_chart, xmr
from data_models.outcome_sets import OutcomeSet

Chart = Literal["p", "pp", "xmr"]  # pp: Laney p′ chart for large denominators
RESPONSE_TARGET = 0.6
PROCESS_SOURCES = {"referral_to_treatment": "waiting_time_days", "treatment_to_discharge": "length_of_stay_days"}


@dataclass(frozen=True)
class Indicator:
    code: str  # as in the query's indicator_code, e.g. "outcome:complication_severe"
    label: dict[str, str]
    chart: Chart
    improvement: Literal["up", "down"]
    group: str  # outcome | prom | process | experience | cost
    unit: str  # pct | days | eur | points | nps | value
    target: float | None = None


def _instrument_indicators(oset: OutcomeSet) -> list[Indicator]:
    out = []
    primary = oset.instruments[oset.primary_instrument]
    fu = oset.primary_followup
    out.append(
        Indicator(
            f"prom_change:{primary.code}",
            {"nl": f"{primary.label}: verandering tot {fu}", "en": f"{primary.label}: change to {fu}"},
            "xmr", "up" if primary.better == "higher" else "down", "prom", "points",
        )
    )  # fmt: skip
    for inst in oset.instruments.values():
        if inst.mic is None:
            continue
        out.append(
            Indicator(
                f"prom_mic:{inst.code}",
                {"nl": f"{inst.label}: klinisch relevant verbeterd ({fu})", "en": f"{inst.label}: clinically relevant improvement ({fu})"},
                "p", "up", "prom", "pct",
            )
        )  # fmt: skip
    for tp in oset.timepoints:
        out.append(
            Indicator(
                f"prom_response:{tp}",
                {"nl": f"PROM-respons {tp}", "en": f"PROM response {tp}"},
                "p", "up", "process", "pct", RESPONSE_TARGET,
            )
        )  # fmt: skip
    return out


def _process_indicators(oset: OutcomeSet) -> list[Indicator]:
    out = []
    for measure in oset.process_measures.values():
        if measure.source == "prom_response":
            continue  # per timepoint, with the PROM indicators
        code = PROCESS_SOURCES.get(measure.source, measure.source)
        if len(measure.applies_to) == 1 and code == "waiting_time_days":
            code = f"{code}:{measure.applies_to[0]}"
        is_days = code.startswith(("waiting_time_days", "length_of_stay_days"))
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
            f"outcome:{o.code}",
            o.label,
            "p" if o.kind == "event" else "xmr",
            "up" if o.better == "higher" else "down",
            "outcome",
            "pct" if o.kind == "event" else "value",
        )
        for o in oset.clinical_outcomes.values()
        if o.role == "outcome" and o.better is not None
    ]
    headline = [i for i in outcomes if i.code == f"outcome:{oset.headline_outcome}"]
    experience = [
        Indicator("collaborate_top", {"nl": "Samen beslissen ervaren (CollaboRATE topscore)", "en": "Shared decision making experienced (CollaboRATE top score)"}, "p", "up", "experience", "pct"),
        Indicator("nps", {"nl": "Aanbevelingsscore (NPS)", "en": "Net promoter score"}, "xmr", "up", "experience", "nps"),
    ]  # fmt: skip
    cost = [
        Indicator(
            "cost_mean_eur", {"nl": "Gemiddelde kosten per patiënt", "en": "Mean cost per patient"}, "xmr", "down", "cost", "eur"
        ),
        Indicator(
            "cost_median_eur", {"nl": "Mediane kosten per patiënt", "en": "Median cost per patient"}, "xmr", "down", "cost", "eur"
        ),
    ]
    rest = [i for i in outcomes if i not in headline]
    return headline + rest + _instrument_indicators(oset) + _process_indicators(oset) + experience + cost


def month_range(last: dt.date, n: int) -> list[dt.date]:
    return [add_months(last, k - n + 1) for k in range(n)]


def control_chart(
    indicator: Indicator,
    rows: pl.DataFrame,
    months: list[dt.date],
    recalc_from: dt.date | None = None,
    *,
    baseline_until: dt.date | None = None,
    exclude: Mapping[dt.date, str] | None = None,
) -> pl.DataFrame:
    """The indicator's chart over ``months`` (one row per month; months without cases are missing).

    ``recalc_from``: new limits from that month (``analytics.spc`` ``recalc_from``).
    ``baseline_until``: the limits of the phase holding that month are fixed after it (the months
    of the phase up to and including it form the baseline; ``analytics.spc`` ``freeze``).
    ``exclude``: ``{month: reason}`` left out of the limits, still shown (``analytics.spc`` ``exclude``).
    Months outside ``months`` are ignored. A ``"pp"`` indicator gets Laney's p′ chart.
    """
    mine = rows.filter(pl.col("indicator_code") == indicator.code)
    calendar = pl.DataFrame({"month_date": months}, schema={"month_date": pl.Date})
    series = calendar.join(mine, on="month_date", how="left", maintain_order="left")
    start = months.index(recalc_from) if recalc_from in months and recalc_from != months[0] else None
    options: dict[str, Any] = {
        "freeze": months.index(baseline_until) + 1 if baseline_until in months else None,
        "exclude": {months.index(m): reason for m, reason in (exclude or {}).items() if m in months},
    }
    if indicator.chart in ("p", "pp"):
        chart = p_chart(
            series["events_n"].to_list(), series["cases_n"].to_list(), indicator.improvement, indicator.target, start,
            laney=indicator.chart == "pp", **options,
        )  # fmt: skip
    else:
        chart = xmr(series["value"].to_list(), indicator.improvement, indicator.target, start, **options)
    return chart.with_columns(series["month_date"], series["cases_n"].fill_null(0).alias("cases_n"))


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

    @property
    def is_special(self) -> bool:
        return bool(self.rules)

    @property
    def change(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


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
    rows = chart.with_row_index("i").filter(pl.col("month_date") == month)
    if rows.is_empty() or rows["value"][0] is None:
        return Summary(indicator, chart, None, _previous_level(indicator, chart, month), 0, "common", None, None, (), 0, True)
    row = rows.row(0, named=True)
    rules = tuple(r for r in ("outside", "shift", "trend", "two_of_three") if row[f"rule_{r}"])
    run = max((_run_length(chart, row["i"], f"rule_{r}") for r in ("shift", "trend") if r in rules), default=0)
    return Summary(
        indicator, chart, row["value"], _previous_level(indicator, chart, month), int(row["cases_n"]), row["variation"],
        row["side"], row["assurance"], rules, run, row["is_provisional"],
    )  # fmt: skip


def review(indicators: list[Indicator], rows: pl.DataFrame, months: list[dt.date], month: dt.date) -> list[Summary]:
    """Chart and summarise every indicator for the chosen month."""
    return [summarise(i, control_chart(i, rows, months), month) for i in indicators]


def agenda(summaries: list[Summary]) -> list[Summary]:
    """Indicators with a special cause this month: concerns first, then improvements."""
    special = [s for s in summaries if s.is_special]
    return sorted(special, key=lambda s: (s.variation != "concern", summaries.index(s)))


def indicator_params(oset: OutcomeSet, centre_code: str | None, months: list[dt.date]) -> dict[str, object]:
    """The parameters of the ``review_indicators`` query for a pathway over ``months`` (page and pack alike)."""
    instruments = list(oset.instruments.values())
    return {
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
