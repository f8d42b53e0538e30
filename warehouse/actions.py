"""The teams' improvement actions: the warehouse's own store, which loads never touch.

A load publishes a new version of the delivered data by switching a link (see
``warehouse.connection``); an action saved during a load would be lost if it lived in
that file. So actions live beside it, in ``<warehouse>.actions.duckdb``: two tables,
``improvement_actions`` (the current state) and ``improvement_action_changes`` (who
changed which field, from what to what, when). Each save is one short transaction under
a file lock; readers take the lock shared, so the app and the command line can both use it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from access.roles import AccessDenied, Role, Viewer
from data_models.actions import EDITABLE, validate_action

WRITERS = frozenset({Role.CARE_TEAM, Role.CENTRE_LEAD})

SCHEMA = """
create sequence if not exists improvement_action_ids start 1;
create table if not exists improvement_actions (
    action_id bigint primary key default nextval('improvement_action_ids'),
    centre_code varchar not null,
    pathway varchar not null,
    indicator_code varchar not null,
    what varchar not null,
    who varchar not null,
    start_month date not null,
    expected_effect varchar not null,
    status varchar not null,
    result_note varchar,
    created_at timestamp not null,
    created_by varchar not null,
    updated_at timestamp not null,
    updated_by varchar not null
);
create table if not exists improvement_action_changes (
    action_id bigint not null,
    changed_at timestamp not null,
    changed_by varchar not null,
    field_name varchar not null,
    old_value varchar,
    new_value varchar
);
"""

INSERT = """
insert into improvement_actions
    (centre_code, pathway, indicator_code, what, who, start_month, expected_effect, status, result_note,
     created_at, created_by, updated_at, updated_by)
values ($centre_code, $pathway, $indicator_code, $what, $who, $start_month, $expected_effect, $status, $result_note,
        $now, $user, $now, $user)
returning action_id
"""
UPDATE = """
update improvement_actions set
    indicator_code = $indicator_code, what = $what, who = $who, start_month = $start_month,
    expected_effect = $expected_effect, status = $status, result_note = $result_note,
    updated_at = $now, updated_by = $user
where action_id = $action_id
"""
CHANGE = """
insert into improvement_action_changes values ($action_id, $now, $user, $field_name, $old_value, $new_value)
"""
SELECT_ONE = "select * from improvement_actions where action_id = $action_id"


def actions_path(root: Path) -> Path:
    """The action store beside the warehouse ``root``; given a published version file, beside its link."""
    if root.parent.name.endswith(".versions"):
        root = root.parent.with_name(root.parent.name.removesuffix(".versions"))
    return root.with_name(root.name.removesuffix(".duckdb") + ".actions.duckdb")


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure(path: Path) -> None:
    if path.exists():
        return
    with _locked(path, exclusive=True):
        con = duckdb.connect(str(path))
        try:
            con.execute(SCHEMA)
        finally:
            con.close()


@contextmanager
def actions_reader(root: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the action store (created empty when there is none yet)."""
    path = actions_path(root)
    _ensure(path)
    with _locked(path, exclusive=False):
        con = duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})
        try:
            yield con
        finally:
            con.close()


@contextmanager
def _actions_writer(root: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = actions_path(root)
    _ensure(path)
    with _locked(path, exclusive=True):
        con = duckdb.connect(str(path))
        try:
            con.execute("begin transaction")
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.close()


def _may_write(viewer: Viewer, centre_code: str, pathway: str) -> None:
    if viewer.role not in WRITERS or viewer.centre_code != centre_code or not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not record actions for {centre_code}/{pathway}")


def _text(value: object) -> str | None:
    return None if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record_action(
    root: Path, viewer: Viewer, action: dict[str, object], indicator_codes: list[str], at: dt.datetime | None = None
) -> int:
    """Store a new action of the viewer's own centre; returns its number. ``at``: when (UTC), default now."""
    centre = viewer.centre_code or ""
    _may_write(viewer, centre, str(action.get("pathway")))
    clean = validate_action(action, indicator_codes)
    now = _now(at)
    with _actions_writer(root) as con:
        params = {**clean, "centre_code": centre, "now": now, "user": viewer.user}
        [(action_id,)] = con.execute(INSERT, params).fetchall()
        for field in EDITABLE:
            change = {"action_id": action_id, "now": now, "user": viewer.user, "field_name": field}
            con.execute(CHANGE, {**change, "old_value": None, "new_value": _text(clean.get(field))})
    return int(action_id)


def update_action(
    root: Path,
    viewer: Viewer,
    action_id: int,
    changes: dict[str, object],
    indicator_codes: list[str],
    at: dt.datetime | None = None,
) -> int:
    """Change an action of the viewer's own centre; returns how many fields changed (each one logged)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"these fields cannot be changed: {sorted(unknown)}")
    now = _now(at)
    with _actions_writer(root) as con:
        rows = con.sql(SELECT_ONE, params={"action_id": action_id}).pl().to_dicts()
        if not rows:
            raise KeyError(f"no action {action_id}")
        old = rows[0]
        _may_write(viewer, old["centre_code"], old["pathway"])
        clean = validate_action({**{k: old[k] for k in (*EDITABLE, "pathway")}, **changes}, indicator_codes)
        changed = [f for f in EDITABLE if _text(clean.get(f)) != _text(old[f])]
        if not changed:
            return 0
        con.execute(UPDATE, {**{f: clean.get(f) for f in EDITABLE}, "action_id": action_id, "now": now, "user": viewer.user})
        for field in changed:
            params = {"action_id": action_id, "now": now, "user": viewer.user, "field_name": field}
            con.execute(CHANGE, {**params, "old_value": _text(old[field]), "new_value": _text(clean.get(field))})
    return len(changed)
