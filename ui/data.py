"""Query results and service answers for the pages, for the logged-in viewer, cached per viewer scope and data version.

Every query goes through ``queries.run`` with the viewer, so the data layer decides what
may be seen, on every call, cached or not; the cache key is the scope of the viewer the cache is
called with, so one user's cached rows can never serve another. Each view of patient rows writes
an audit row after the query, cached or not, with fingerprints of the patients returned; a
refused attempt writes a "refused" row.

The comparison, samen-beslissen and trajectory pages ask their service (``services.peer_comparison``,
``services.patients_like_me``, ``services.trajectory``) through the wrappers below: small answers
cached per viewer scope and data version, the models the data version stores (fitted when it was published;
fitted here only for a version published without them),
the trajectory's patient rows read through ``query`` so that each read is authorised and audited.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import streamlit as st

from access import audit
from access.roles import AccessDenied, Viewer
from access.settings import warehouse_path

if TYPE_CHECKING:  # the services (statsmodels, scipy, plotly's neighbours) load on first use, not on the login page
    import polars as pl

    from services.patients_like_me import OptionModels, PathwayModels, PatientsLikeMe, Validation
    from services.peer_comparison import ComparisonChoices
    from services.trajectory import Trajectory

T = TypeVar("T")


def pin_version() -> None:
    """Pin the published version for this script run, so one page never mixes two versions.

    The link resolved here as ``warehouse.connection.published`` does: that module (DuckDB, the marts and
    their schemas) loads with the first query, not on the login page."""
    path = warehouse_path()
    st.session_state["pinned_version"] = path.resolve() if path.exists() else None


def data_version(path: Path) -> str:
    from warehouse.connection import data_version as version_of

    return version_of(path)


def pinned_db() -> Path:
    pinned = st.session_state.get("pinned_version")
    return pinned if pinned is not None and pinned.exists() else warehouse_path()


def _publish_models(con: object, pathways: list[str] | None = None) -> None:
    """What an upload's publish fits: the models and peer aggregates of the pathways it touched (None: every one)."""
    from services.patients_like_me import publish_models  # statsmodels only when the server publishes
    from services.peer_comparison import publish_peer_aggregates

    publish_models(con, pathways)  # type: ignore[arg-type]
    publish_peer_aggregates(con, pathways)  # type: ignore[arg-type]


def start_serving() -> None:
    """The server's process (serve.py): every read through one shared read-only connection per data version,
    and a version it publishes (the upload page) carries its fitted models."""
    from warehouse.connection import share_one_connection
    from warehouse.models import fit_on_publish

    share_one_connection()
    fit_on_publish(_publish_models)


def not_ready() -> str | None:
    """One line refusing to serve a warehouse built by older code (what it lacks and the command to run), or None."""
    from warehouse.connection import out_of_date

    behind = out_of_date()
    if not behind:
        return None
    return (
        f"fout: het warehouse is niet bij met deze versie van de code ({', '.join(behind)}); "
        f"bouw het opnieuw op: python -m warehouse rebuild --db {warehouse_path()}"
    )


def open_warehouse() -> None:
    """Open the published version's shared connection before the first visitor asks (serve.py's warm-up)."""
    from warehouse.connection import shared_reader

    if warehouse_path().exists():
        with shared_reader() as con:
            con.execute("select count(*) from duckdb_tables()").fetchall()


def current_viewer() -> Viewer | None:
    return st.session_state.get("viewer")


def scope_of(viewer: Viewer) -> tuple:
    return viewer.scope


@st.cache_data(max_entries=512, show_spinner=False, hash_funcs={Viewer: scope_of})
def _run_for_scope(name: str, params: tuple[tuple[str, object], ...], viewer: Viewer, path: str, version: str) -> pl.DataFrame:
    """The cache itself: keyed by the scope of the viewer it is given (never by a scope passed beside it)."""
    del version  # part of the cache key only
    import queries

    return queries.run(name, viewer, db=Path(path), **dict(params))


def _cached(name: str, params: tuple[tuple[str, object], ...], viewer: Viewer | None, path: str, version: str) -> pl.DataFrame:
    """A query's cached result for this viewer: authorised on every call, cache hit or not.

    The cache key is the viewer's own scope and the parameters authorised for it, so rows cached
    for one centre can only come back to a viewer who may see that centre.
    """
    import queries

    authorised = queries.authorise(name, viewer, dict(params))
    if viewer is None:  # authorise has refused already; this keeps type checkers informed
        raise AccessDenied("nobody is logged in")
    return _run_for_scope(name, tuple(sorted(authorised.items(), key=lambda kv: kv[0])), viewer, path, version)


def _audited(key: str, value: object) -> object:
    """A parameter as the audit trail records it: an episode's pseudonym only as a keyed fingerprint.

    Whoever reads the trail (an administrator) sees that one episode was opened; only with the
    audit key can anyone check which, the trail itself lists no patients.
    """
    if key in ("episode_id", "patient_id"):
        return "#" + audit.fingerprint(value)
    return value


def _described(name: str, params: dict[str, object]) -> str:
    shown = ", ".join(f"{k}={_audited(k, v)}" for k, v in sorted(params.items()) if not isinstance(v, list))
    return f"{name}: {shown}"


def _record_refusal(what: str, err: AccessDenied, viewer: Viewer | None) -> None:
    """A refused attempt leaves an audit row too (who tried what, and why it was refused)."""
    if viewer is None:
        audit.record("refused", f"{what} ({err})", user="(not logged in)", role="anonymous")
    else:
        audit.record("refused", f"{what} ({err})", viewer)


def refusals_recorded(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """For the peer layer's entry points: a refusal writes a "refused" audit row before it is raised."""

    def wrap(function: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(function)
        def audited(*args: object, **kwargs: object) -> T:
            try:
                return function(*args, **kwargs)
            except AccessDenied as err:
                shown = ", ".join([str(a) for a in args] + [f"{k}={v}" for k, v in sorted(kwargs.items())])
                _record_refusal(f"{kind}: {shown}", err, current_viewer())
                raise

        return audited

    return wrap


def patient_fingerprints(frame: pl.DataFrame, params: dict[str, object] | None = None) -> list[str]:
    """Fingerprints of the patients in a frame of patient rows (or of the episode asked for, when the
    rows themselves do not carry it, as a trajectory's measurements)."""
    keys = audit.patient_keys(frame)
    if not keys and frame.height and params:
        keys = [str(params[k]) for k in ("episode_id", "patient_id") if params.get(k) is not None][:1]
    return [audit.fingerprint(k) for k in keys]


def query(name: str, **params: object) -> pl.DataFrame:
    """Run a named query as the logged-in viewer (refused when nobody is logged in).

    A refusal writes a "refused" audit row before it is raised. Patient rows write a
    "view_patient_rows" row after the query, with the fingerprints of the patients returned.
    """
    import queries

    viewer = current_viewer()
    try:
        authorised = queries.authorise(name, viewer, params)
        if viewer is None:  # authorise has refused already; this keeps type checkers informed
            raise AccessDenied("nobody is logged in")
        if queries.rule(name).store == "actions":  # changes without a new data version: kept under the store's stamp
            result = _store_rows(name, authorised, viewer)
        else:
            path = pinned_db()
            result = _cached(name, tuple(sorted(authorised.items())), viewer, str(path), data_version(path))
    except AccessDenied as err:
        _record_refusal(_described(name, params), err, viewer)
        raise
    if queries.rule(name).patient_rows:
        what = f"{_described(name, authorised)} -> {result.height} rows"
        audit.record("view_patient_rows", what, viewer, patients=patient_fingerprints(result, authorised))
    return result


def _store_rows(name: str, authorised: dict[str, object], viewer: Viewer) -> pl.DataFrame:
    import queries
    from warehouse.actions import store_stamp

    root = warehouse_path()
    stamp = store_stamp(root)
    if stamp is None:  # no stamp (yet): read it every time
        return queries.run(name, viewer, db=root, **authorised)
    return _cached(name, tuple(sorted(authorised.items())), viewer, str(root), f"action store {stamp}")


def audit_trail() -> tuple[audit.Verification, pl.DataFrame]:
    """The audit trail (newest first) and its verification, read again only after the trail or its anchor changed."""
    path = audit.audit_path()
    return _audit_trail(str(path), audit.trail_stamp(path))


@st.cache_resource(max_entries=2, show_spinner=False)
def _audit_trail(path: str, stamp: tuple) -> tuple[audit.Verification, pl.DataFrame]:
    del stamp  # part of the key only
    return audit.verify(Path(path)), audit.read(Path(path))


def warehouse_exists() -> bool:
    return warehouse_path().exists()


@st.cache_resource(max_entries=16, show_spinner=False)
def _version_models(pathway: str, path: str, version: str) -> tuple[PathwayModels, dict[str, dict[str, OptionModels]]] | None:
    """The models the version stores (fitted when it was published); None for a version published without them."""
    del version  # part of the cache key only: a new data version has its own models
    from services.patients_like_me import stored_models

    return stored_models(pathway, Path(path))


@st.cache_resource(max_entries=16, show_spinner=False)
def _pathway_models(pathway: str, path: str, version: str) -> PathwayModels:
    stored = _version_models(pathway, path, version)
    if stored is not None:
        return stored[0]
    from services.patients_like_me import fit_pathway  # a version without stored models: fitted here, once

    return fit_pathway(pathway, Path(path))


@st.cache_resource(max_entries=64, show_spinner=False)
def _own_models(pathway: str, centre_code: str, path: str, version: str) -> dict[str, OptionModels]:
    stored = _version_models(pathway, path, version)
    if stored is not None:
        return stored[1].get(centre_code, {})
    from services.patients_like_me import fit_own

    return fit_own(pathway, centre_code, Path(path))


@st.cache_resource(max_entries=16, show_spinner=False)
def _pathway_validations(pathway: str, path: str, version: str) -> list[Validation]:
    from services.patients_like_me import stored_validations, validate_pathway

    stored = stored_validations(pathway, Path(path))
    return stored if stored is not None else validate_pathway(pathway, Path(path))


def pathway_models(pathway: str) -> PathwayModels:
    """The pooled prediction models of a pathway, refitted when a new data version is published."""
    path = pinned_db()
    return _pathway_models(pathway, str(path), data_version(path))


def own_models(pathway: str, centre_code: str) -> dict[str, OptionModels]:
    """The models fitted on one centre's own patients, refitted when a new data version is published."""
    path = pinned_db()
    return _own_models(pathway, centre_code, str(path), data_version(path))


@refusals_recorded("comparison choices")
def comparison_options(pathway: str, month: dt.date) -> ComparisonChoices:
    """The indicators and closed half-years the logged-in viewer may compare."""
    from services.peer_comparison import comparison_choices

    return comparison_choices(current_viewer(), pathway, month)


def like_me(pathway: str, profile: dict[str, object] | None = None) -> PatientsLikeMe:
    """The samen-beslissen form and, for a submitted profile, its problems or per option the own centre's and
    all centres' figures for a patient like this one (models from the caches above).

    A refusal writes a "refused" audit row naming the pathway (not the patient's characteristics)."""
    from services.patients_like_me import allowed, patients_like_me

    viewer = current_viewer()
    try:
        if profile is None:
            return patients_like_me(viewer, pathway, None, pinned_db(), fitted=pathway_models, own_fitted=own_models)
        allowed(viewer, pathway)  # on every call, kept answer or not
        path = pinned_db()
        return _like_me_for_scope(pathway, tuple(sorted(profile.items())), viewer, str(path), data_version(path))
    except AccessDenied as err:
        _record_refusal(f"decide: {pathway}", err, viewer)
        raise


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={Viewer: scope_of})
def _like_me_for_scope(pathway: str, profile: tuple, viewer: Viewer, path: str, version: str) -> PatientsLikeMe:
    """A submitted profile's answer, kept per viewer scope (the own centre's figures) and data version: a re-run of
    the page (a click elsewhere on it) does not predict and count the similar patients again."""
    del version  # part of the cache key only
    from services.patients_like_me import patients_like_me

    return patients_like_me(viewer, pathway, dict(profile), Path(path), fitted=pathway_models, own_fitted=own_models)


@refusals_recorded("decide validation")
def pathway_validations(pathway: str) -> list[Validation]:
    """Held-out validation of the pooled models (computed when someone allowed asks for the details)."""
    from services.patients_like_me import model_validation

    path = pinned_db()
    cached = lambda p: _pathway_validations(p, str(path), data_version(path))  # noqa: E731
    return model_validation(current_viewer(), pathway, path, validated=cached)


def trajectory(episode_id: str) -> Trajectory:
    """One episode of the viewer's own centre against the expected band; every read through ``query`` (audited)."""
    from services.trajectory import trajectory as trajectory_of

    return trajectory_of(current_viewer(), episode_id, pinned_db(), fetch=query, fitted=pathway_models)
