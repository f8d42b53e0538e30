"""The adoption page's question: is the improvement cycle running, per centre and pathway?

``adoption(viewer, db, month, centre_code=…)`` reads the twelve months up to ``month``: treated
patients, shared decision making, case-mix completeness (every case-mix variable of every
pathway, whatever its origin: ``analytics.adoption.casemix_requirements``), delivery delay, PROM
response per timepoint and the actions recorded; it summarises them per centre and pathway against
the programme's targets (``common.yaml`` ``adoption_targets``, the one home of the PROM-response
target), names what lags and counts who meets each headline target. National viewers see named
centres, so every percentage comes coarse (``coarse_percentages``) and no named volume is shown.

Every query runs through ``fetch`` (by default ``queries.run`` for the viewer on ``db``; the page
passes its cached, audited runner).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

import queries
from access.roles import Viewer
from analytics.adoption import MEASURES, Measure, casemix_requirements, headline, monthly, summarise
from analytics.disclosure import coarse_percentages
from analytics.monthly import add_months
from data_models.outcome_sets import common, outcome_sets

__all__ = ["MEASURES", "Adoption", "Fetch", "Measure", "adoption"]

Fetch = Callable[..., pl.DataFrame]  # fetch(query name, **parameters) → the query's rows for the viewer


WHOLE_LAG = 1.0  # not live, no review cycle, or nothing measured: a target missed entirely


def lag_shortfall(row: dict, targets: dict[str, float]) -> float:
    """How far a centre-pathway lags: per target it misses, the share of the target it falls short
    (a response of 30% against 60% is 0.5; a delay of 45 days against 30 is 0.5), at most one each,
    summed; a pathway that is not live, or has no review cycle, misses that target entirely."""
    total = 0.0
    for code in row["lags"]:
        if code.startswith("response:"):
            value, target = row.get(f"response_{code.split(':', 1)[1]}_pct"), targets["prom_response_pct"]
        elif code in ("sdm", "casemix"):
            column = "sdm_documented_pct" if code == "sdm" else "casemix_complete_pct"
            value, target = row.get(column), targets[column]
        elif code == "delay":
            value, target = row.get("median_delay_days"), targets["median_delay_days"]
            total += WHOLE_LAG if value is None or not target else min((value - target) / target, WHOLE_LAG)
            continue
        else:
            total += WHOLE_LAG
            continue
        total += WHOLE_LAG if value is None or not target else min(max((target - value) / target, 0.0), WHOLE_LAG)
    return total


@dataclass(frozen=True)
class Adoption:
    """Adoption over the twelve months up to ``month``, for one centre or (``centre_code`` None) all."""

    month: dt.date
    centre_code: str | None
    months: pl.DataFrame  # one row per centre, pathway and month (``analytics.adoption.monthly``)
    summary: pl.DataFrame  # one row per centre and pathway, with ``lags`` (``analytics.adoption.summarise``)
    targets: dict[str, float]  # the programme's targets (common.yaml adoption_targets)
    headline: dict[str, tuple[int, int]]  # per headline target: centre-pathways meeting it, of all
    pathway_labels: dict[str, dict[str, str]]  # pathway code → label per language
    timepoints: tuple[str, ...] = ()  # the PROM timepoints with a response column in ``summary``, in order
    with_volume: bool = True  # named volumes are shown only to a centre's own viewers
    measures: tuple[Measure, ...] = field(default=MEASURES)

    @property
    def across_centres(self) -> bool:
        """All centres at once: the trend shows one pathway's centres instead of one centre's pathways."""
        return self.centre_code is None

    @property
    def lagging(self) -> list[dict]:
        """The centre-pathways that fall short somewhere, each with its ``lags`` codes and its ``shortfall``
        (``lag_shortfall``), the furthest behind first."""
        rows = [{**r, "shortfall": lag_shortfall(r, self.targets)} for r in self.summary.iter_rows(named=True) if r["lags"]]
        return sorted(rows, key=lambda r: (-r["shortfall"], -len(r["lags"]), r["centre_name"], r["pathway"]))

    def target(self, measure: Measure) -> float | None:
        return measure.target(self.targets)

    def trend(self, pathway: str | None) -> pl.DataFrame:
        """The months the trend chart draws: across centres one pathway's centres, else the centre's pathways."""
        return self.months.filter(pl.col("pathway") == pathway) if self.across_centres else self.months


def adoption(
    viewer: Viewer | None,
    db: Path | None,
    month: dt.date,
    *,
    centre_code: str | None = None,
    fetch: Fetch | None = None,
) -> Adoption:
    """Adoption for ``centre_code`` (None: every centre, for national viewers) up to ``month``, read as ``viewer``."""
    if fetch is None:
        fetch = lambda name, **params: queries.run(name, viewer, db=db, **params)  # noqa: E731
    sets = outcome_sets()
    start = add_months(month, -11)
    pathways, variables = casemix_requirements(sets)
    rows = fetch(
        "adoption_monthly", centre_code=centre_code, from_month=start, to_month=month,
        casemix_pathways=pathways, casemix_fields=variables,
    )  # fmt: skip
    response = fetch("adoption_response", centre_code=centre_code, from_month=start, to_month=month)
    actions = fetch("adoption_actions", centre_code=centre_code, from_month=start, to_month=add_months(month, 1))
    months = monthly(rows, response, actions)
    targets = dict(common().adoption_targets)
    summary = summarise(months, response, actions, month, targets, {p: s.timepoints for p, s in sets.items()})
    is_national = viewer is not None and viewer.is_national
    if is_national:  # named centres: no percentage precise enough to give away a volume
        months, summary = coarse_percentages(months), coarse_percentages(summary)
    return Adoption(
        month=month,
        centre_code=centre_code,
        months=months,
        summary=summary,
        targets=targets,
        headline=headline(summary),
        pathway_labels={p: s.label for p, s in sets.items()},
        timepoints=tuple(tp for tp in common().timepoints if f"response_{tp}_pct" in summary.columns),
        with_volume=not is_national,
    )
