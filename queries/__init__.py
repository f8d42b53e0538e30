"""The dashboard's questions: one ``.sql`` file each, run for a viewer with named parameters.

Each file's header states who may ask it and for which centres::

    -- Roles: care_team, centre_lead          which roles may run it
    -- Scope: own_centre                      own_centre | all_centres | internal
    -- Patient rows: yes                      whether it returns rows of individual patients
    -- Store: actions                         optional: read the teams' action store, not the data

``run(name, viewer, centre_code=…, …)`` enforces this before anything is read: a role not
listed is refused; for ``own_centre`` queries a centre-bound viewer always gets its own
centre (asking for another is refused) while national viewers choose one or None for all;
a pathway outside the viewer's pathways is refused; ``internal`` queries only run from the
peer-comparison layer through ``run_internal``. Values are bound as ``$name`` parameters,
never formatted into the text, on a read-only connection; results come back as polars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from access.roles import AccessDenied, Viewer
from warehouse.actions import actions_reader
from warehouse.connection import shared_reader, warehouse_path

QUERY_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    scope: str
    patient_rows: bool
    store: str = "data"  # data | actions


@cache
def sql_text(name: str) -> str:
    path = QUERY_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def parameters(name: str) -> frozenset[str]:
    """The ``$name`` parameters a query uses (comments excluded)."""
    code = re.sub(r"--[^\n]*", "", sql_text(name))
    return frozenset(re.findall(r"\$([a-z_][a-z0-9_]*)", code))


@cache
def rule(name: str) -> Rule:
    """The access rule in a query's header; a query without one can never run."""
    header = dict(re.findall(r"^-- (Roles|Scope|Patient rows|Store): (.*)$", sql_text(name), flags=re.MULTILINE))
    store = header.pop("Store", "data").strip()
    if set(header) != {"Roles", "Scope", "Patient rows"} or store not in ("data", "actions"):
        raise KeyError(f"query {name} declares no access rule")
    roles = frozenset(r.strip() for r in header["Roles"].split(",") if r.strip() != "none")
    return Rule(roles, header["Scope"].strip(), header["Patient rows"].strip() == "yes", store)


def _execute(name: str, db: Path | None, params: dict[str, object]) -> pl.DataFrame:
    expected = parameters(name)
    if set(params) != expected:
        raise TypeError(f"query {name} takes {sorted(expected)}, got {sorted(params)}")
    opened = actions_reader(db or warehouse_path()) if rule(name).store == "actions" else shared_reader(db)
    with opened as con:
        return con.sql(sql_text(name), params=params or None).pl()


def authorise(name: str, viewer: Viewer | None, params: dict[str, object]) -> dict[str, object]:
    """The parameters the viewer may run the query with; raises AccessDenied otherwise."""
    access = rule(name)
    if access.scope == "internal" or viewer is None or viewer.role.value not in access.roles:
        raise AccessDenied(f"{viewer.role.value if viewer else 'nobody'} may not run {name}")
    params = dict(params)
    if access.scope == "own_centre":
        if viewer.is_national:
            params.setdefault("centre_code", None)
        elif params.setdefault("centre_code", viewer.centre_code) != viewer.centre_code:
            raise AccessDenied(f"{viewer.user} may only see centre {viewer.centre_code}")
    pathway = params.get("pathway")
    if isinstance(pathway, str) and not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not see pathway {pathway}")
    return params


def run(name: str, viewer: Viewer | None, db: Path | None = None, **params: object) -> pl.DataFrame:
    """Run one named query for a viewer; anything outside the viewer's scope is refused or left out."""
    result = _execute(name, db, authorise(name, viewer, params))
    if viewer is not None and viewer.pathways is not None and "pathway" in result.columns:
        result = result.filter(pl.col("pathway").is_in(list(viewer.pathways)))
    return result


def run_internal(name: str, db: Path | None = None, **params: object) -> pl.DataFrame:
    """Run an ``internal`` query (pooled patient rows for the case-mix model of the peer layer)."""
    if rule(name).scope != "internal":
        raise AccessDenied(f"{name} is not an internal query")
    return _execute(name, db, params)
