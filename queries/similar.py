"""Patients like me, protected: models fitted on every centre's patients, only predictions and counts out.

The pooled patient rows (``prediction_patients``, an internal query) stay inside this module.
What leaves is, per treatment option: the expected follow-up score with its 80% interval,
the chances of reaching the minimal important change, of the harm event and of returning
to work, and how many similar patients the figures rest on, for the viewer's own centre
and for all centres pooled (rounded to fives, and "< 10" when the other centres together have fewer than ten: pooled minus own must not reveal them).
An individual trajectory is only ever built for an episode of the viewer's own centre.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from access.roles import AccessDenied, Role, Viewer
from analytics.prediction import (
    EXPECTED_SCHEMA,
    OptionModels,
    Spec,
    Validation,
    fit_option,
    spec_for,
    validate_option,
    with_targets,
)
from data_models.outcome_sets import outcome_sets
from queries import run_internal
from queries.disclosure import pooled_count
from warehouse.connection import data_version, published

THIN = 20  # fewer similar patients than this: the evidence is thin
AGE_BAND = 10  # similar: within ten years of age
BASELINE_BAND_SD = 0.5  # and within half a standard deviation of the baseline score
USERS = frozenset({Role.CARE_TEAM, Role.CENTRE_LEAD})
EVER = (dt.date(1900, 1, 1), dt.date(2999, 12, 1))  # every treatment month


@dataclass(frozen=True)
class PathwayModels:
    spec: Spec
    pooled: dict[str, OptionModels]
    similarity: pl.DataFrame  # internal: centre, treatment, age, baseline score of every patient (counts only)


@dataclass(frozen=True)
class GroupResult:
    """One option's figures for one group of patients (the own centre, or all centres)."""

    similar_n: int | None  # None: fewer than ten (suppressed)
    followup: tuple[float, float, float] | None  # expected, lower, upper (80%)
    mic: float | None
    event: float | None
    work: float | None

    @property
    def is_thin(self) -> bool:
        return self.similar_n is None or self.similar_n < THIN


@dataclass(frozen=True)
class OptionResult:
    treatment: str
    own: GroupResult
    pooled: GroupResult
    outside: list[tuple[str, float, float, float]]  # variable, value, low, high of the data


def _allowed(viewer: Viewer | None, pathway: str) -> Viewer:
    if viewer is None or viewer.role not in USERS or not viewer.may_see_pathway(pathway):
        raise AccessDenied("patients like me is for the care team and centre lead of the pathway")
    return viewer


def training_frame(pathway: str, db: Path | None) -> pl.DataFrame:
    """Every centre's patients of the pathway with the model's columns (internal only)."""
    return _training_frame(pathway, published(db), data_version(db))


@lru_cache(maxsize=1)  # pooled, own-centre and validation fits of one pathway and data version read it once
def _training_frame(pathway: str, db: Path, version: str) -> pl.DataFrame:
    del version  # part of the cache key only
    oset = outcome_sets()[pathway]
    spec = spec_for(oset)
    rows = run_internal("prediction_patients", db=db, pathway=pathway, instrument=oset.primary_instrument, event=spec.event or "")
    for code in spec.casemix_outcomes:
        extra = run_internal(
            "peer_casemix_outcomes", db=db, pathway=pathway, outcomes=[code], from_month=EVER[0], to_month=EVER[1]
        )
        values = extra.group_by("centre_code", "episode_id").agg(pl.col("value").max().alias(code))
        rows = rows.join(values, on=["centre_code", "episode_id"], how="left")
    return with_targets(rows, spec)


def fit_pathway(pathway: str, db: Path | None) -> PathwayModels:
    """Fit the pooled models of every treatment of the pathway."""
    oset = outcome_sets()[pathway]
    spec = spec_for(oset)
    frame = training_frame(pathway, db)
    pooled = {t: fit_option(frame, t, spec) for t in oset.treatments}
    similarity = frame.select("centre_code", "treatment", "age", "baseline_score")
    return PathwayModels(spec, pooled, similarity)


def validate_pathway(pathway: str, db: Path | None) -> list[Validation]:
    """How well the pooled models predict held-out patients, per treatment and outcome."""
    oset = outcome_sets()[pathway]
    spec = spec_for(oset)
    frame = training_frame(pathway, db)
    return [v for t in oset.treatments for v in validate_option(frame, t, spec)]


def fit_own(pathway: str, centre_code: str, db: Path | None) -> dict[str, OptionModels]:
    """The same models fitted on one centre's own patients only."""
    oset = outcome_sets()[pathway]
    spec = spec_for(oset)
    frame = training_frame(pathway, db).filter(pl.col("centre_code") == centre_code)
    return {t: fit_option(frame, t, spec) for t in oset.treatments}


def _similar(models: PathwayModels, treatment: str, profile: dict[str, object], centre: str | None) -> int:
    rows = models.similarity.filter(pl.col("treatment") == treatment)
    sd = rows["baseline_score"].std() or 0.0
    band = BASELINE_BAND_SD * sd
    near = rows.filter(
        (pl.col("age") - float(profile["age"])).abs() <= AGE_BAND,
        (pl.col("baseline_score") - float(profile["baseline_score"])).abs() <= band,
    )
    return near.filter(pl.col("centre_code") == centre).height if centre else near.height


def _group(option: OptionModels | None, patient: pl.DataFrame, similar_n: int | None, is_working: bool) -> GroupResult:
    if option is None:
        return GroupResult(similar_n, None, None, None, None)
    followup = None
    if option.followup is not None:
        mean, lower, upper = option.followup.predict(patient)
        followup = (float(mean[0]), float(lower[0]), float(upper[0]))
    chance = lambda m: None if m is None else float(m.predict(patient)[0])  # noqa: E731
    return GroupResult(similar_n, followup, chance(option.mic), chance(option.event), chance(option.work) if is_working else None)


def profile_frame(profile: dict[str, object], spec: Spec) -> pl.DataFrame:
    """One row with the model's columns; unknown values stay empty (the model fills them in)."""
    data = {c: [None if profile.get(c) is None else float(profile[c])] for c in spec.numeric}
    data["sex"] = [profile.get("sex")]
    return pl.DataFrame(data, schema={**{c: pl.Float64 for c in spec.numeric}, "sex": pl.String})


def outside_data(option: OptionModels, profile: dict[str, object]) -> list[tuple[str, float, float, float]]:
    out = []
    for var, (low, high) in option.ranges.items():
        value = profile.get(var)
        if value is not None and not math.isnan(float(value)) and not low <= float(value) <= high:
            out.append((var, float(value), low, high))
    return out


def patients_like_me(
    viewer: Viewer | None, profile: dict[str, object], models: PathwayModels, own: dict[str, OptionModels], pathway: str
) -> list[OptionResult]:
    """Per treatment option: the own centre's and the pooled figures for this patient."""
    viewer = _allowed(viewer, pathway)
    patient = profile_frame(profile, models.spec)
    is_working = bool(profile.get("paid_work"))
    results = []
    for treatment, pooled in models.pooled.items():
        pooled_n = _similar(models, treatment, profile, None)
        own_n = _similar(models, treatment, profile, viewer.centre_code)
        results.append(
            OptionResult(
                treatment,
                _group(own.get(treatment), patient, own_n, is_working),
                _group(pooled, patient, pooled_count(pooled_n, own_n), is_working),
                outside_data(pooled, profile),
            )
        )
    return results


def expected_trajectory(viewer: Viewer | None, pathway: str, episode: dict[str, object], models: PathwayModels) -> pl.DataFrame:
    """Expected score with its 80% interval per follow-up timepoint for a patient like this episode."""
    _allowed(viewer, pathway)
    option = models.pooled.get(str(episode["treatment"]))
    patient = profile_frame(episode, models.spec)
    rows = []
    for timepoint, model in option.timepoints.items() if option else []:
        mean, lower, upper = model.predict(patient)
        rows.append(
            {
                "timepoint": timepoint,
                "expected_score": float(mean[0]),
                "lower_score": float(lower[0]),
                "upper_score": float(upper[0]),
            }
        )
    return pl.DataFrame(rows, schema=EXPECTED_SCHEMA)
