"""The trajectory page's question: is this patient of my centre doing as expected?

``trajectory(viewer, episode_id)`` reads one episode of the viewer's own centre (the own-centre
queries ``trajectory_episode``, ``trajectory_casemix``, ``trajectory_proms`` and
``trajectory_events``), builds its profile from every case-mix variable of its outcome set,
predicts the expected score per follow-up timepoint with its 80% band from the pooled models of
``services.patients_like_me``, and says at which timepoints the patient is behind that band and
which adverse events happened when.

The queries run through ``fetch`` (the page's audited, cached runner; by default
``queries.run`` for the viewer), so every read of patient rows is authorised, and audited there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

import queries
from access.roles import Viewer
from analytics.casemix import wide_casemix
from analytics.prediction import EXPECTED_SCHEMA, PathwayModels, compare_trajectory, expected_band, months_after
from data_models.outcome_sets import OutcomeSet, outcome_sets
from services.patients_like_me import allowed, fit_pathway

__all__ = ["Fetch", "Trajectory", "trajectory"]

Fetch = Callable[..., pl.DataFrame]  # fetch(query name, **parameters) → the query's rows for the viewer


@dataclass(frozen=True)
class Trajectory:
    """One episode's scores against the expected band; ``found`` False when it is not the centre's own."""

    episode_id: str
    found: bool
    pathway: str | None = None
    pathway_label: dict[str, str] = field(default_factory=dict)
    treatment_label: dict[str, str] = field(default_factory=dict)
    treatment_date: dt.date | None = None
    instrument: str = ""  # the primary instrument's name
    proms: pl.DataFrame = field(default_factory=pl.DataFrame)  # every questionnaire of the episode (the table)
    observed: pl.DataFrame = field(default_factory=pl.DataFrame)  # timepoint, months, score, band, is_behind
    band: pl.DataFrame = field(default_factory=pl.DataFrame)  # timepoint, months, expected, lower and upper score
    behind: list[str] = field(default_factory=list)  # the follow-up timepoints behind the band
    has_followup: bool = False  # any score after baseline
    events: list[tuple[float, dict[str, str]]] = field(default_factory=list)  # months after treatment, adverse event


def profile_of(episode: dict, casemix: pl.DataFrame, oset: OutcomeSet) -> dict[str, object]:
    """The episode as the prediction models read it: its treatment and every case-mix value (empty: unknown)."""
    wide = wide_casemix(casemix, list(oset.casemix.values()))
    values = wide.row(0, named=True) if wide.height else {}
    return {"treatment": episode["treatment"], **{code: values.get(code) for code in oset.casemix}}


def _adverse_events(episode: dict, events: pl.DataFrame, oset: OutcomeSet) -> list[tuple[float, dict[str, str]]]:
    adverse = {c: o for c, o in oset.clinical_outcomes.items() if o.kind == "event" and o.better == "lower"}
    rows = events.filter(pl.col("outcome").is_in(list(adverse)), pl.col("value") == 1)
    return [
        (months_after(episode["treatment_date"], r["measured_date"]), adverse[r["outcome"]].label)
        for r in rows.iter_rows(named=True)
    ]


BAND_COLUMNS = ("expected_score", "lower_score", "upper_score")


def within_scale(frame: pl.DataFrame, low: float, high: float) -> pl.DataFrame:
    """The expected band kept within the instrument's range (the Oxford score 0–48 never shows a band to 52)."""
    return frame.with_columns(pl.col(c).clip(low, high) for c in BAND_COLUMNS if c in frame.columns)


def with_gaps(observed: pl.DataFrame, band: pl.DataFrame) -> pl.DataFrame:
    """The patient's scores with an empty score at every timepoint of the band before the last score
    that has none, so the chart leaves a gap there instead of drawing a straight line through it."""
    scored = observed.filter(pl.col("score").is_not_null())
    if scored.is_empty() or band.is_empty():
        return observed
    last = scored["months"].max()
    missing = band.filter(~pl.col("timepoint").is_in(observed["timepoint"].to_list()), pl.col("months") < last)
    if missing.is_empty():
        return observed
    gaps = missing.select(
        "timepoint", "months", pl.lit(None, dtype=observed.schema["score"]).alias("score"), *BAND_COLUMNS,
        pl.lit(False).alias("is_behind"),
    )  # fmt: skip
    return pl.concat([observed, gaps], how="vertical_relaxed").sort("months")


def trajectory(
    viewer: Viewer | None,
    episode_id: str,
    db: Path | None = None,
    *,
    fetch: Fetch | None = None,
    fitted: Callable[[str], PathwayModels] | None = None,
) -> Trajectory:
    """One episode of the viewer's own centre against what similar patients reach; refused for anyone else."""
    if fetch is None:
        fetch = lambda name, **params: queries.run(name, viewer, db=db, **params)  # noqa: E731
    centre = viewer.centre_code if viewer is not None else None
    rows = fetch("trajectory_episode", centre_code=centre, episode_id=episode_id)
    if rows.is_empty():
        return Trajectory(episode_id, found=False)
    episode = rows.row(0, named=True)
    pathway = episode["pathway"]
    allowed(viewer, pathway)
    oset = outcome_sets()[pathway]
    primary = oset.instruments[oset.primary_instrument]
    key = {"centre_code": episode["centre_code"], "episode_id": episode_id}
    proms = fetch("trajectory_proms", **key)
    events = fetch("trajectory_events", **key)
    profile = profile_of(episode, fetch("trajectory_casemix", **key), oset)
    baseline_scores = proms.filter(pl.col("instrument") == primary.code, pl.col("timepoint") == "baseline")["score"].drop_nulls()
    baseline = float(baseline_scores[0]) if baseline_scores.len() else None
    if baseline is None:
        expected = pl.DataFrame(schema=EXPECTED_SCHEMA)
    else:
        models = fitted(pathway) if fitted else fit_pathway(pathway, db)
        spec = models.spec
        expected = expected_band(models, {**profile, **({spec.baseline: baseline} if spec.baseline else {})})
    scores = proms.filter(pl.col("instrument") == primary.code).select("timepoint", "score")
    observed, band = compare_trajectory(scores, expected, baseline, primary.better == "higher")
    band = within_scale(band, primary.min, primary.max)
    observed = with_gaps(within_scale(observed, primary.min, primary.max), band)
    return Trajectory(
        episode_id,
        found=True,
        pathway=pathway,
        pathway_label=oset.label,
        treatment_label=oset.treatments[episode["treatment"]],
        treatment_date=episode["treatment_date"],
        instrument=primary.label,
        proms=proms,
        observed=observed,
        band=band,
        behind=observed.filter(pl.col("is_behind"))["timepoint"].to_list(),
        has_followup=not observed.filter(pl.col("timepoint") != "baseline", pl.col("score").is_not_null()).is_empty(),
        events=_adverse_events(episode, events, oset),
    )
