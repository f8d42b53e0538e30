"""Is the improvement cycle running? Adoption figures per centre and pathway, and where they lag.

``monthly`` joins the three adoption questions (treated patients, PROM response, actions
recorded) into one row per centre, pathway and month. ``summarise`` turns the twelve months
ending at the chosen month into one row per centre and pathway, with the programme's
targets (``common.yaml``) applied: which of live, response per timepoint, shared decision
making, case-mix completeness, delivery delay and the review cycle fall short.

Case-mix completeness counts every case-mix variable of each pathway's outcome set, whatever its
origin (``casemix_requirements``; the ``adoption_monthly`` query reads them all from the warehouse
view ``episode_casemix``): a baseline characteristic delivered in ``baseline_characteristics``,
a clinical outcome with role casemix, the primary instrument's baseline score or an episode column.
Only a variable that cannot be missing is left out: an episode column the data standard requires
(a row without it is quarantined), so it would only raise every percentage alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from analytics.monthly import add_months
from data_models.outcome_sets import CasemixVariable, OutcomeSet

KEYS = ["centre_code", "pathway", "month_date"]


@dataclass(frozen=True)
class Measure:
    code: str
    monthly_column: str  # in the frame of ``monthly``
    summary_column: str  # in the frame of ``summarise``
    unit: str  # pct | days | count
    target_key: str | None
    is_higher_better: bool

    def target(self, targets: dict[str, float]) -> float | None:
        return 1.0 if self.code == "cycle" else targets.get(self.target_key or "")


MEASURES = (
    Measure("response", "prom_response_pct", "prom_response_pct", "pct", "prom_response_pct", True),
    Measure("sdm", "sdm_documented_pct", "sdm_documented_pct", "pct", "sdm_documented_pct", True),
    Measure("casemix", "casemix_complete_pct", "casemix_complete_pct", "pct", "casemix_complete_pct", True),
    Measure("delay", "median_delay_days", "median_delay_days", "days", "median_delay_days", False),
    Measure("cycle", "actions_n", "recent_actions_n", "count", None, True),
)


def always_delivered(var: CasemixVariable) -> bool:
    """A case-mix variable that cannot be missing: read from an episode column the data standard requires."""
    from data_models.schemas import TABLES  # here: the delivery models read the outcome sets when first imported

    return var.origin == "episode" and var.column in TABLES["episodes"].required


def casemix_requirements(osets: dict[str, OutcomeSet]) -> tuple[list[str], list[str]]:
    """Parallel lists (pathway, variable) of the case-mix variables whose completeness counts: every
    variable of each pathway's outcome set, of any origin, except those ``always_delivered``."""
    pairs = [(p, code) for p, s in osets.items() for code, var in s.casemix.items() if not always_delivered(var)]
    return [p for p, _ in pairs], [code for _, code in pairs]


def monthly(adoption: pl.DataFrame, response: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """One row per centre, pathway and month: the adoption figures, PROM response over all timepoints, actions."""
    pooled = response.group_by(KEYS).agg(pl.col("invited_n").sum(), pl.col("answered_n").sum())
    return (
        adoption.join(pooled, on=KEYS, how="left")
        .join(actions.select(*KEYS, "actions_n"), on=KEYS, how="left")
        .with_columns(
            (100.0 * pl.col("answered_n") / pl.col("invited_n")).alias("prom_response_pct"),
            pl.col("actions_n").fill_null(0),
            pl.col("invited_n").fill_null(0),
            pl.col("answered_n").fill_null(0),
        )
        .sort("centre_name", "pathway", "month_date")
    )


def _weighted(column: str) -> pl.Expr:
    weight = pl.when(pl.col(column).is_not_null()).then(pl.col("episodes_n")).otherwise(0)
    return ((pl.col(column) * weight).sum() / weight.sum().replace(0, None)).alias(column)


def _response_by_timepoint(response: pl.DataFrame, window: list[dt.date]) -> pl.DataFrame:
    mine = response.filter(pl.col("month_date").is_in(window))
    per_tp = mine.group_by("centre_code", "pathway", "timepoint").agg(pl.col("invited_n").sum(), pl.col("answered_n").sum())
    per_tp = per_tp.with_columns((100.0 * pl.col("answered_n") / pl.col("invited_n")).alias("response_pct"))
    return per_tp


def summarise(
    months: pl.DataFrame,
    response: pl.DataFrame,
    actions: pl.DataFrame,
    month: dt.date,
    targets: dict[str, float],
    timepoints: dict[str, tuple[str, ...]],
) -> pl.DataFrame:
    """One row per centre and pathway over the twelve months ending at ``month``, with the lags named.

    ``months`` comes from ``monthly``. The review of a month is held in the month after, so
    actions recorded in the month after ``month`` count for the cycle as well.
    """
    window = [add_months(month, -k) for k in range(12)]
    cycle_window = [add_months(month, 1 - k) for k in range(int(targets.get("cycle_months", 3)))]
    in_window = months.filter(pl.col("month_date").is_in(window))
    base = in_window.group_by("centre_code", "centre_name", "pathway").agg(
        pl.col("is_live").filter(pl.col("month_date") == month).any().alias("is_live"),
        pl.col("episodes_n").sum(),
        _weighted("sdm_documented_pct"),
        _weighted("casemix_complete_pct"),
        pl.col("median_delay_days").median(),
        (pl.col("answered_n").sum() * 100.0 / pl.col("invited_n").sum().replace(0, None)).alias("prom_response_pct"),
    )
    cycle = (
        actions.filter(pl.col("month_date").is_in(cycle_window), pl.col("actions_n") > 0)
        .group_by("centre_code", "pathway")
        .agg(pl.col("actions_n").sum().alias("recent_actions_n"))
    )
    per_tp = _response_by_timepoint(response, window)
    wide = per_tp.pivot("timepoint", index=["centre_code", "pathway"], values="response_pct").rename(
        lambda c: c if c in ("centre_code", "pathway") else f"response_{c}_pct"
    )
    out = base.join(cycle, on=["centre_code", "pathway"], how="left").join(wide, on=["centre_code", "pathway"], how="left")
    out = out.with_columns(
        pl.col("recent_actions_n").fill_null(0), (pl.col("recent_actions_n").fill_null(0) > 0).alias("is_cycle_running")
    )
    lags = [_lags(row, targets, timepoints.get(row["pathway"], ())) for row in out.iter_rows(named=True)]
    return out.with_columns(pl.Series("lags", lags, dtype=pl.List(pl.String))).sort("centre_name", "pathway")


def _lags(row: dict, targets: dict[str, float], timepoints: tuple[str, ...]) -> list[str]:
    """The codes of what falls short: not_live, response:<timepoint>, sdm, casemix, delay, cycle."""
    out = [] if row["is_live"] else ["not_live"]
    for tp in timepoints:
        value = row.get(f"response_{tp}_pct")
        if value is not None and value < targets["prom_response_pct"]:
            out.append(f"response:{tp}")
    checks = (
        ("sdm", row["sdm_documented_pct"], targets["sdm_documented_pct"], True),
        ("casemix", row["casemix_complete_pct"], targets["casemix_complete_pct"], True),
        ("delay", row["median_delay_days"], targets["median_delay_days"], False),
    )
    for code, value, target, higher in checks:
        if value is not None and (value < target if higher else value > target):
            out.append(code)
    if not row["is_cycle_running"]:
        out.append("cycle")
    return out


def headline(summary: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """How many centre-pathways meet each target: code → (meeting, total)."""
    total = summary.height
    lags = summary["lags"].to_list()
    checks = {
        "live": lambda codes: "not_live" not in codes,
        "response": lambda codes: not any(c.startswith("response:") for c in codes),
        "sdm": lambda codes: "sdm" not in codes,
        "cycle": lambda codes: "cycle" not in codes,
    }
    return {code: (sum(1 for codes in lags if check(codes)), total) for code, check in checks.items()}
