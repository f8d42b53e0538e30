"""The samen-beslissen page's question: for a patient like this one, what happened per treatment option?

``patients_like_me(viewer, pathway, profile)`` gives the form to ask (one field per case-mix
variable of the outcome set, by its kind, labels, range and choices) and, for a submitted profile,
either the answers the form cannot take (out of range, one sentence each on the page) or, per
treatment option, the expected follow-up score with its 80% interval, the chances of reaching the
minimal important change, of the harm event and of being back at work, and how many similar
patients the figures rest on, for the viewer's own centre and for all centres pooled (rounded to
fives, and "< 10" when the other centres together have fewer than ten: pooled minus own must not
reveal them). ``model_validation`` says how good the pooled models are on held-out patients.

The pooled patient rows (the internal queries ``prediction_patients`` and ``peer_casemix``) stay
inside this module and the fitted models: only predictions and counts leave.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from access.roles import AccessDenied, Role, Viewer
from analytics.casemix import wide_casemix
from analytics.prediction import (
    YES_NO,
    FormField,
    GroupResult,
    InputProblem,
    ModelRows,
    OptionModels,
    OptionResult,
    PathwayModels,
    PatientForm,
    Validation,
    check_profile,
    fit_option,
    model_rows,
    models_from_rows,
    options_for,
    patient_form,
    similar_count,
    similarity_frame,
    spec_for,
    validate_option,
    validation_rows,
    validations_from_rows,
    with_targets,
)
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries import run_internal, sql_text
from warehouse.connection import data_version, published, shared_reader
from warehouse.models import TABLES, fit_on_publish, has_models, read, store

__all__ = [
    "YES_NO",
    "FormField",
    "GroupResult",
    "InputProblem",
    "OptionModels",
    "OptionResult",
    "PathwayModels",
    "PatientForm",
    "PatientsLikeMe",
    "Validation",
    "allowed",
    "fit_own",
    "fit_pathway",
    "model_validation",
    "patients_like_me",
    "publish_models",
    "register_fitting",
    "stored_models",
    "stored_validations",
    "validate_pathway",
]

USERS = frozenset({Role.CARE_TEAM, Role.CENTRE_LEAD})
TOO_FEW = 1  # this many similar patients (all centres) or fewer: no figure is said as if it were evidence
EVER = (dt.date(1900, 1, 1), dt.date(2999, 12, 1))  # every treatment month


def allowed(viewer: Viewer | None, pathway: str) -> Viewer:
    """The viewer, when it is the care team or centre lead of a centre with this pathway; refused otherwise."""
    if viewer is None or viewer.role not in USERS or viewer.centre_code is None or not viewer.may_see_pathway(pathway):
        raise AccessDenied("patients like me is for the care team and centre lead of the pathway")
    return viewer


def training_frame(pathway: str, db: Path | None) -> pl.DataFrame:
    """Every centre's patients of the pathway with the targets and every case-mix variable (internal only)."""
    return _training_frame(pathway, published(db), data_version(db))


@lru_cache(maxsize=1)  # pooled, own-centre and validation fits of one pathway and data version read it once
def _training_frame(pathway: str, db: Path, version: str) -> pl.DataFrame:
    del version  # part of the cache key only
    return _training_rows(pathway, lambda name, **params: run_internal(name, db=db, **params))


def _training_rows(pathway: str, fetch: Callable[..., pl.DataFrame]) -> pl.DataFrame:
    oset = outcome_sets()[pathway]
    spec = spec_for(oset)
    rows = fetch(
        "prediction_patients", pathway=pathway, instrument=oset.primary_instrument, event=spec.event or "", work=spec.work or ""
    )
    casemix = fetch("peer_casemix", pathway=pathway, from_month=EVER[0], to_month=EVER[1])
    rows = rows.join(wide_casemix(casemix, list(oset.casemix.values())), on=["centre_code", "episode_id"], how="left")
    return with_targets(rows, spec)


def fit_pathway(pathway: str, db: Path | None) -> PathwayModels:
    """Fit the pooled models of every treatment of the pathway."""
    oset = outcome_sets()[pathway]
    spec = spec_for(oset)
    frame = training_frame(pathway, db)
    pooled = {t: fit_option(frame, t, spec) for t in oset.treatments}
    return PathwayModels(spec, pooled, similarity_frame(frame, spec))


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


# --- fitted once per data version, at publish time, and read back by every process --------------------


def _fetch_on(con: duckdb.DuckDBPyConnection) -> Callable[..., pl.DataFrame]:
    """The internal queries run on the connection of the version being published (not yet readable by path)."""
    return lambda name, **params: con.sql(sql_text(name), params=params).pl()


def _similarity_rows(similarity: pl.DataFrame) -> tuple[list[str], pl.DataFrame]:
    numbers = [c for c in similarity.columns if c not in ("centre_code", "treatment")]
    values = pl.concat_list([pl.col(c).cast(pl.Float64) for c in numbers]) if numbers else pl.lit([], dtype=pl.List(pl.Float64))
    return numbers, similarity.select("centre_code", "treatment", values.alias("numbers"))


def publish_models(con: duckdb.DuckDBPyConnection, pathways: Sequence[str] | None = None) -> None:
    """Fit the models (pooled, per centre) and their validation of every pathway (None) or of ``pathways`` on the
    version being published, and store them with it (``warehouse.models``). Registered by the command line and
    the server: ``register_fitting``."""
    for pathway, oset in outcome_sets().items():
        if pathways is not None and pathway not in pathways:
            continue
        spec = spec_for(oset)
        frame = _training_rows(pathway, _fetch_on(con))
        centres = sorted(frame["centre_code"].drop_nulls().unique().to_list())
        fitted: dict[str | None, dict[str, OptionModels]] = {None: {t: fit_option(frame, t, spec) for t in oset.treatments}}
        for centre in centres:
            own = frame.filter(pl.col("centre_code") == centre)
            fitted[centre] = {t: fit_option(own, t, spec) for t in oset.treatments}
        rows = model_rows(fitted)
        variables, similarity = _similarity_rows(similarity_frame(frame, spec))
        validations = [v for t in oset.treatments for v in validate_option(frame, t, spec)]
        store(con, "model_pathways", pathway, pl.DataFrame({"similarity_variables": [json.dumps(variables)]}))
        store(con, "model_options", pathway, rows.options)
        store(con, "model_fits", pathway, rows.fits)
        store(con, "model_coefficients", pathway, rows.coefficients)
        store(con, "model_validation", pathway, validation_rows(validations))
        store(con, "model_similarity", pathway, similarity)


def register_fitting() -> None:
    """Make every later publish in this process fit and store the models (the command line and the server call this)."""
    fit_on_publish(publish_models)


def _stored(pathway: str, db: Path | None, tables: tuple[str, ...] = tuple(TABLES)) -> dict[str, pl.DataFrame] | None:
    with shared_reader(db) as con:
        if not has_models(con, pathway):
            return None
        return {table: read(con, table, pathway) for table in tables}


def stored_models(pathway: str, db: Path | None) -> tuple[PathwayModels, dict[str, dict[str, OptionModels]]] | None:
    """The pooled models and every centre's own models as the version stores them (None: it stores none)."""
    tables = _stored(pathway, db)
    if tables is None:
        return None
    spec = spec_for(outcome_sets()[pathway])
    fitted = models_from_rows(ModelRows(tables["model_options"], tables["model_fits"], tables["model_coefficients"]))
    variables = json.loads(tables["model_pathways"]["similarity_variables"][0])
    numbers = tables["model_similarity"]
    similarity = numbers.select(
        "centre_code", "treatment", *(pl.col("numbers").list.get(i).alias(v) for i, v in enumerate(variables))
    )
    pooled = fitted.pop(None, {})
    own = {str(centre): models for centre, models in fitted.items()}
    return PathwayModels(spec, pooled, similarity), own


def stored_validations(pathway: str, db: Path | None) -> list[Validation] | None:
    """The held-out validation of the pooled models as the version stores it (None: it stores none)."""
    tables = _stored(pathway, db, ("model_validation",))
    return None if tables is None else validations_from_rows(tables["model_validation"])


@dataclass(frozen=True)
class PatientsLikeMe:
    """The form of a pathway and, for a submitted profile, its problems or its options."""

    form: PatientForm
    treatments: dict[str, dict[str, str]]  # treatment code → label per language
    followup: str  # the timepoint of the predicted score
    event_label: dict[str, str] | None  # the harm event's label
    profile: dict[str, object] | None = None
    problems: list[InputProblem] = field(default_factory=list)  # answers the form cannot take: no options then
    options: list[OptionResult] = field(default_factory=list)
    too_few: frozenset[str] = frozenset()  # treatments with at most TOO_FEW similar patients in all centres

    def has_too_few(self, treatment: str) -> bool:
        """Whether the option rests on too few similar patients to say its figures in words."""
        return treatment in self.too_few


def _shell(oset: OutcomeSet, profile: dict[str, object] | None = None) -> PatientsLikeMe:
    event = oset.prediction.harm_event
    return PatientsLikeMe(
        patient_form(oset),
        oset.treatments,
        oset.primary_followup,
        oset.clinical_outcomes[event].label if event else None,
        profile,
    )


def patients_like_me(
    viewer: Viewer | None,
    pathway: str,
    profile: Mapping[str, object] | None = None,
    db: Path | None = None,
    *,
    fitted: Callable[[str], PathwayModels] | None = None,
    own_fitted: Callable[[str, str], Mapping[str, OptionModels]] | None = None,
) -> PatientsLikeMe:
    """The form, and per treatment option the own centre's and all centres' figures for this patient.

    Without a profile only the form. A profile with an answer the form cannot take gets its problems
    and no options. ``fitted`` and ``own_fitted`` give the pooled and the own centre's models (the
    page's cache); by default they are fitted here.
    """
    viewer = allowed(viewer, pathway)
    oset = outcome_sets()[pathway]
    result = _shell(oset, None if profile is None else dict(profile))
    if profile is None:
        return result
    problems = check_profile(result.form, profile)
    if problems:
        return replace(result, problems=problems)
    centre = str(viewer.centre_code)
    models = fitted(pathway) if fitted else fit_pathway(pathway, db)
    own = own_fitted(pathway, centre) if own_fitted else fit_own(pathway, centre, db)
    options = options_for(models, own, profile, centre)
    too_few = frozenset(o.treatment for o in options if similar_count(models, o.treatment, profile, None) <= TOO_FEW)
    return replace(result, options=options, too_few=too_few)


def model_validation(
    viewer: Viewer | None, pathway: str, db: Path | None = None, *, validated: Callable[[str], list[Validation]] | None = None
) -> list[Validation]:
    """How well the pooled models predict held-out patients, per treatment and outcome (for the details).

    ``validated`` gives the validations of a pathway (the page's cache); by default they are computed here.
    """
    allowed(viewer, pathway)
    return validated(pathway) if validated else validate_pathway(pathway, db)
