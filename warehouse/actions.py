"""The teams' improvement actions and chart settings: the warehouse's own store, which loads never touch.

A load publishes a new version of the delivered data by switching a link (see
``warehouse.connection``); an action saved during a load would be lost if it lived in
that file. So actions live beside it, in ``<warehouse>.actions.duckdb``: two tables,
``improvement_actions`` (the current state) and ``improvement_action_changes`` (who
changed which field, from what to what, when). Each save is one short transaction under
a file lock; readers take the lock shared, so the app and the command line can both use it.

The same store keeps each team's control-chart settings per centre, pathway and indicator
(``chart_settings``: the month the baseline ends, after which the limits stay fixed, and the
months left out of the limits, each with its reason; who set each and when), with their history
in ``chart_setting_changes``. Only the centre's own care team and centre lead change them
(``WRITERS``), each change is validated (``validate_chart_settings``) and writes an audit row.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import threading
import unicodedata
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from access import audit
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
create table if not exists chart_settings (
    centre_code varchar not null,
    pathway varchar not null,
    indicator_code varchar not null,
    setting varchar not null,
    month date not null,
    reason varchar,
    set_at timestamp not null,
    set_by varchar not null,
    primary key (centre_code, pathway, indicator_code, setting, month)
);
create sequence if not exists shared_practice_ids start 1;
create table if not exists shared_practices (
    practice_id bigint primary key default nextval('shared_practice_ids'),
    action_id bigint not null,
    centre_code varchar not null,
    centre_kind varchar not null,
    centre_name varchar,
    pathway varchar not null,
    indicator_code varchar not null,
    is_named boolean not null,
    what varchar not null,
    who varchar,
    expected_effect varchar not null,
    result_note varchar,
    start_month date not null,
    effect_method varchar,
    effect_verdict varchar,
    withheld_reason varchar,
    patients_before integer,
    patients_after integer,
    level_before double,
    level_after double,
    change double,
    change_low double,
    change_high double,
    sustained_shift boolean,
    shared_at timestamp not null,
    shared_by varchar not null,
    withdrawn_at timestamp,
    withdrawn_by varchar
);
create table if not exists shared_practice_changes (
    practice_id bigint not null,
    action_id bigint not null,
    changed_at timestamp not null,
    changed_by varchar not null,
    change varchar not null,
    detail varchar
);
alter table improvement_actions add column if not exists origin_practice_id bigint;
create table if not exists chart_setting_changes (
    centre_code varchar not null,
    pathway varchar not null,
    indicator_code varchar not null,
    setting varchar not null,
    month date not null,
    change varchar not null,
    reason varchar,
    changed_at timestamp not null,
    changed_by varchar not null
);
"""

INSERT = """
insert into improvement_actions
    (centre_code, pathway, indicator_code, what, who, start_month, expected_effect, status, result_note,
     created_at, created_by, updated_at, updated_by, origin_practice_id)
values ($centre_code, $pathway, $indicator_code, $what, $who, $start_month, $expected_effect, $status, $result_note,
        $now, $user, $now, $user, $origin_practice_id)
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


_READY: set[Path] = set()


@dataclass
class _Attacher:
    """An in-memory DuckDB that may open only one store: each read attaches it read-only, then detaches it.

    Opening the store as a database of its own costs a new DuckDB instance (its threads, its first
    query's set-up: some 35 ms of CPU) on every read; attaching it to an instance kept for the
    process costs about 2 ms. Detached after each read, the store is free for a writer as before.
    """

    con: duckdb.DuckDBPyConnection
    lock: threading.Lock = field(default_factory=threading.Lock)


_ATTACHERS: dict[Path, _Attacher] = {}
_ATTACHERS_LOCK = threading.Lock()
MAX_ATTACHERS = 8  # stores read by one process (a server has one; the tests make many): the oldest is let go


def _attacher(path: Path) -> _Attacher:
    with _ATTACHERS_LOCK:
        found = _ATTACHERS.get(path)
        if found is None:
            if len(_ATTACHERS) >= MAX_ATTACHERS:  # closed when its last reader is done with it
                _ATTACHERS.pop(next(iter(_ATTACHERS)))
            con = duckdb.connect(":memory:", config={"threads": 1})  # the store's reads are small
            con.execute("set allowed_paths = $paths", {"paths": [str(path), f"{path}.wal", f"{path}.wal.checkpoint"]})
            con.execute("set enable_external_access = false")
            con.execute("set lock_configuration = true")
            found = _ATTACHERS[path] = _Attacher(con)
        return found


@contextmanager
def _attached(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store attached read-only (and made the default catalog) for one read, under the shared file lock."""
    attacher = _attacher(path)
    with attacher.lock, _locked(path, exclusive=False):
        attacher.con.execute("attach $path as action_store (read_only)", {"path": str(path)})
        cursor = attacher.con.cursor()  # closing it drops any result left unread, so the detach never waits on one
        try:
            cursor.execute("use action_store")
            yield cursor
        finally:
            cursor.close()
            attacher.con.execute("detach action_store")


def _has_every_table(path: Path) -> bool:
    with _attached(path) as con:
        try:  # two empty selects: the information schema's views cost some 30 ms on a new instance
            con.execute("select setting from chart_settings limit 0").fetchall()
            con.execute("select origin_practice_id from improvement_actions limit 0").fetchall()
        except (duckdb.CatalogException, duckdb.BinderException):
            return False
        return True


def _ensure(path: Path) -> None:
    """Create the store, or add the tables a store made by an older version lacks (once per process)."""
    if path in _READY and path.exists():
        return
    if not (path.exists() and _has_every_table(path)):
        with _locked(path, exclusive=True):
            _stamp(path).unlink(missing_ok=True)
            con = duckdb.connect(str(path))
            try:
                con.execute(SCHEMA)
            finally:
                con.close()
    with _locked(path, exclusive=True):  # no writer is halfway: whatever the store holds now may have a stamp
        if not _stamp(path).exists():
            _renew_stamp(path)
    _READY.add(path)


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".stamp")


def _renew_stamp(path: Path) -> None:
    renewed = _stamp(path).with_name(_stamp(path).name + ".new")
    renewed.write_text(uuid.uuid4().hex, encoding="ascii")
    renewed.replace(_stamp(path))


def store_stamp(root: Path) -> str | None:
    """A text that every write of the action store beside ``root`` renews, so a reader may keep what it read under
    it; None when there is none (a write stopped between its commit and its stamp, and no process has opened the
    store since: the first open of a store in a process stamps it when no writer is halfway).

    A writer removes the stamp before it changes the store and writes a new one after its commit, both under the
    store's exclusive lock: what is read after reading a stamp is never older than the write that left it."""
    try:
        return _stamp(actions_path(root)).read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


@contextmanager
def actions_reader(root: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the action store (created empty when there is none yet)."""
    path = actions_path(root)
    _ensure(path)
    with _attached(path) as con:
        yield con


@contextmanager
def _actions_writer(root: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = actions_path(root)
    _ensure(path)
    with _locked(path, exclusive=True):
        _stamp(path).unlink(missing_ok=True)  # readers keep nothing until this write has a stamp of its own
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
        _renew_stamp(path)


def _may_write(viewer: Viewer, centre_code: str, pathway: str) -> None:
    if viewer.role not in WRITERS or viewer.centre_code != centre_code or not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not record actions for {centre_code}/{pathway}")


def _text(value: object) -> str | None:
    return None if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record_action(
    root: Path,
    viewer: Viewer,
    action: dict[str, object],
    indicator_codes: list[str],
    at: dt.datetime | None = None,
    origin_practice_id: int | None = None,
) -> int:
    """Store a new action of the viewer's own centre; returns its number. ``at``: when (UTC), default now.

    ``origin_practice_id``: the shared practice of another team this action adopts (kept, and logged).
    """
    centre = viewer.centre_code or ""
    _may_write(viewer, centre, str(action.get("pathway")))
    clean = validate_action(action, indicator_codes)
    now = _now(at)
    with _actions_writer(root) as con:
        params = {**clean, "centre_code": centre, "now": now, "user": viewer.user, "origin_practice_id": origin_practice_id}
        [(action_id,)] = con.execute(INSERT, params).fetchall()
        logged = [(f, _text(clean.get(f))) for f in EDITABLE]
        if origin_practice_id is not None:
            logged.append(("origin_practice_id", str(origin_practice_id)))
        for field, value in logged:
            change = {"action_id": action_id, "now": now, "user": viewer.user, "field_name": field}
            con.execute(CHANGE, {**change, "old_value": None, "new_value": value})
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
        old = _one(con, SELECT_ONE, "action_id", action_id)
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


# --- control-chart settings: a fixed baseline and excluded months, per centre × pathway × indicator ---

BASELINE = "baseline_until"
EXCLUDE = "exclude"
REASON_MIN, REASON_MAX = 3, 300
MIN_BASELINE_MONTHS = 2  # months left in the baseline after the exclusions
CHART_ERRORS = ("indicator", "baseline_month", "exclude_month", "reason_length", "reason_text", "too_few_months")

CHART_ROWS = """
select setting, month, reason from chart_settings
where centre_code = $centre_code and pathway = $pathway and indicator_code = $indicator_code
"""
CHART_SET = """
insert or replace into chart_settings values
    ($centre_code, $pathway, $indicator_code, $setting, $month, $reason, $now, $user)
"""
CHART_DELETE = """
delete from chart_settings
where centre_code = $centre_code and pathway = $pathway and indicator_code = $indicator_code
    and setting = $setting and month = $month
"""
CHART_CHANGE = """
insert into chart_setting_changes values
    ($centre_code, $pathway, $indicator_code, $setting, $month, $change, $reason, $now, $user)
"""


class ChartSettingsInvalid(ValueError):
    """Settings that break one or more rules; ``errors`` holds a code of ``CHART_ERRORS`` per rule."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ChartSettings:
    """One chart's settings: the baseline's last month (limits fixed after it) and the excluded months with reasons."""

    baseline_until: dt.date | None = None
    exclude: Mapping[dt.date, str] = field(default_factory=dict)

    def within(self, months: Sequence[dt.date]) -> ChartSettings:
        """Only what falls on a chart of ``months`` (the rest is kept in the store, not drawn)."""
        shown = set(months)
        return ChartSettings(
            self.baseline_until if self.baseline_until in shown else None,
            {m: r for m, r in sorted(self.exclude.items()) if m in shown},
        )

    @property
    def is_empty(self) -> bool:
        return self.baseline_until is None and not self.exclude


def chart_settings_of(frame: pl.DataFrame) -> dict[str, ChartSettings]:
    """Each indicator's settings from the rows of the ``review_chart_settings`` query."""
    baseline: dict[str, dt.date] = {}
    exclude: dict[str, dict[dt.date, str]] = {}
    for row in frame.iter_rows(named=True):
        if row["setting"] == BASELINE:
            baseline[row["indicator_code"]] = row["month_date"]
        elif row["setting"] == EXCLUDE:
            exclude.setdefault(row["indicator_code"], {})[row["month_date"]] = row["reason"]
    return {code: ChartSettings(baseline.get(code), exclude.get(code, {})) for code in {*baseline, *exclude}}


def clean_reason(reason: object) -> str:
    """A reason as stored: one line of plain text, white space collapsed."""
    return " ".join(str(reason or "").split())


def validate_chart_settings(
    indicator_code: str,
    indicator_codes: Sequence[str],
    months: Sequence[dt.date],
    baseline_until: dt.date | None,
    exclude: Mapping[dt.date, str],
) -> ChartSettings:
    """The settings with their reasons cleaned; raises ChartSettingsInvalid with every broken rule.

    Every month must lie on the chart (``months``); each reason is 3–300 characters of plain
    text on one line; at least two months stay in the baseline after the exclusions.
    """
    errors: list[str] = []
    shown = set(months)
    if indicator_code not in indicator_codes:
        errors.append("indicator")
    if baseline_until is not None and baseline_until not in shown:
        errors.append("baseline_month")
    if any(m not in shown for m in exclude):
        errors.append("exclude_month")
    reasons = {m: clean_reason(r) for m, r in exclude.items()}
    if any(not REASON_MIN <= len(r) <= REASON_MAX for r in reasons.values()):
        errors.append("reason_length")
    if any(unicodedata.category(ch)[0] == "C" for r in reasons.values() for ch in r):
        errors.append("reason_text")
    base = [m for m in months if baseline_until is None or m <= baseline_until]
    if len([m for m in base if m not in reasons]) < MIN_BASELINE_MONTHS:
        errors.append("too_few_months")
    if errors:
        raise ChartSettingsInvalid(errors)
    return ChartSettings(baseline_until, dict(sorted(reasons.items())))


def _chart_key(viewer: Viewer, pathway: str, indicator_code: str) -> dict[str, object]:
    centre = viewer.centre_code or ""
    if viewer.role not in WRITERS or not centre or not viewer.may_see_pathway(pathway):
        raise AccessDenied(f"{viewer.user} may not change the charts of {centre or 'any centre'}/{pathway}")
    return {"centre_code": centre, "pathway": pathway, "indicator_code": indicator_code}


def _described(key: dict[str, object], settings: ChartSettings) -> str:
    """What the audit row says: the chart and the months, never the reasons' free text."""
    until = f"{settings.baseline_until:%Y-%m}" if settings.baseline_until else "-"
    excluded = ", ".join(f"{m:%Y-%m}" for m in settings.exclude) or "-"
    return f"chart {key['centre_code']}/{key['pathway']}/{key['indicator_code']}: baseline until {until}; excluded {excluded}"


def save_chart_settings(
    root: Path,
    viewer: Viewer,
    pathway: str,
    indicator_code: str,
    indicator_codes: Sequence[str],
    months: Sequence[dt.date],
    baseline_until: dt.date | None,
    exclude: Mapping[dt.date, str],
    at: dt.datetime | None = None,
) -> int:
    """Set one chart of the viewer's own centre to these settings; returns how many settings changed.

    ``months`` are the chart's months: the baseline and the exclusions on them are replaced, an
    exclusion of a month outside them stays. Each change is logged with who and when, and the
    save writes one audit row.
    """
    key = _chart_key(viewer, pathway, indicator_code)
    clean = validate_chart_settings(indicator_code, indicator_codes, months, baseline_until, exclude)
    now, shown = _now(at), set(months)
    changes = 0
    with _actions_writer(root) as con:
        old = con.sql(CHART_ROWS, params=key).pl()
        old_baseline = {r["month"] for r in old.iter_rows(named=True) if r["setting"] == BASELINE}
        old_exclude = {r["month"]: r["reason"] for r in old.iter_rows(named=True) if r["setting"] == EXCLUDE}
        wanted_baseline = {clean.baseline_until} - {None}
        wanted_exclude = {**{m: r for m, r in old_exclude.items() if m not in shown}, **clean.exclude}

        def log(setting: str, month: dt.date, change: str, reason: str | None) -> None:
            where = {**key, "setting": setting, "month": month}
            if change == "removed":
                con.execute(CHART_DELETE, where)
            else:
                con.execute(CHART_SET, {**where, "reason": reason, "now": now, "user": viewer.user})
            con.execute(CHART_CHANGE, {**where, "change": change, "reason": reason, "now": now, "user": viewer.user})

        for month in old_baseline - wanted_baseline:
            log(BASELINE, month, "removed", None)
        for month in wanted_baseline - old_baseline:
            log(BASELINE, month, "set", None)
        for month in set(old_exclude) - set(wanted_exclude):
            log(EXCLUDE, month, "removed", old_exclude[month])
        for month, reason in wanted_exclude.items():
            if old_exclude.get(month) != reason:
                log(EXCLUDE, month, "set", reason)
        changes = len(old_baseline ^ wanted_baseline) + len(set(old_exclude) - set(wanted_exclude))
        changes += sum(old_exclude.get(m) != r for m, r in wanted_exclude.items())
    if changes:
        audit.record("chart_settings_saved", _described(key, clean), viewer)
    return changes


def clear_chart_settings(root: Path, viewer: Viewer, pathway: str, indicator_code: str, at: dt.datetime | None = None) -> int:
    """Remove every setting of one chart of the viewer's own centre (logged and audited); returns how many."""
    key = _chart_key(viewer, pathway, indicator_code)
    now = _now(at)
    with _actions_writer(root) as con:
        old = con.sql(CHART_ROWS, params=key).pl()
        for row in old.iter_rows(named=True):
            con.execute(CHART_DELETE, {**key, "setting": row["setting"], "month": row["month"]})
            change = {**key, "setting": row["setting"], "month": row["month"], "reason": row["reason"]}
            con.execute(CHART_CHANGE, {**change, "change": "removed", "now": now, "user": viewer.user})
    if old.height:
        audit.record("chart_settings_cleared", _described(key, ChartSettings()), viewer)
    return old.height


# --- shared practices: a closed action offered to the other centres, by explicit choice, revocable ---

SHARE_ERRORS = ("not_closed", "already_shared")
EFFECT_FIELDS = (
    "effect_method", "effect_verdict", "withheld_reason", "patients_before", "patients_after", "level_before",
    "level_after", "change", "change_low", "change_high", "sustained_shift",
)  # fmt: skip
SHARED_STATUSES = ("done",)  # only an action the team closed as done is offered as a practice

SHARE_INSERT = """
insert into shared_practices
    (action_id, centre_code, centre_kind, centre_name, pathway, indicator_code, is_named, what, who, expected_effect, result_note,
     start_month, effect_method, effect_verdict, withheld_reason, patients_before, patients_after, level_before,
     level_after, change, change_low, change_high, sustained_shift, shared_at, shared_by)
values ($action_id, $centre_code, $centre_kind, $centre_name, $pathway, $indicator_code, $is_named, $what, $who, $expected_effect,
        $result_note, $start_month, $effect_method, $effect_verdict, $withheld_reason, $patients_before,
        $patients_after, $level_before, $level_after, $change, $change_low, $change_high, $sustained_shift, $now, $user)
returning practice_id
"""
SHARE_ACTIVE = "select practice_id from shared_practices where action_id = $action_id and withdrawn_at is null"
SHARE_ONE = "select * from shared_practices where practice_id = $practice_id"
SHARE_WITHDRAW = """
update shared_practices set withdrawn_at = $now, withdrawn_by = $user
where practice_id = $practice_id and withdrawn_at is null
"""
SHARE_PENDING = """
select practice_id, action_id, centre_code, pathway, shared_by from shared_practices
where effect_method is null and withdrawn_at is null order by practice_id
"""
SHARE_MEASURED = """
update shared_practices set effect_method = $effect_method, effect_verdict = $effect_verdict,
    withheld_reason = $withheld_reason, patients_before = $patients_before, patients_after = $patients_after,
    level_before = $level_before, level_after = $level_after, change = $change, change_low = $change_low,
    change_high = $change_high, sustained_shift = $sustained_shift
where practice_id = $practice_id and effect_method is null
"""
SHARE_CHANGE = """
insert into shared_practice_changes values ($practice_id, $action_id, $now, $user, $change, $detail)
"""


class ShareRefused(ValueError):
    """An action that cannot be shared; ``reason`` is one of ``SHARE_ERRORS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _one(con: duckdb.DuckDBPyConnection, sql: str, key: str, number: int) -> dict[str, object]:
    """The one action or practice numbered ``number`` (``key`` names its number); KeyError when there is none."""
    rows = con.sql(sql, params={key: number}).pl().to_dicts()
    if not rows:
        raise KeyError(f"no {key.removesuffix('_id')} {number}")
    return rows[0]


def share_action(
    root: Path,
    viewer: Viewer,
    action_id: int,
    *,
    is_named: bool,
    centre_kind: str,
    centre_name: str,
    effect: Mapping[str, object],
    at: dt.datetime | None = None,
) -> int:
    """Offer a closed action of the viewer's own centre to the other centres; returns the practice's number.

    What is shared is what the team wrote (what, expected effect, what it did; who carries it only
    when ``is_named``, and the centre's name ``centre_name`` only then too) and ``effect``: the measured effect as it may be shown to peers (``EFFECT_FIELDS``,
    already through disclosure control). Anonymous or named is the explicit ``is_named`` choice; it
    is recorded with who chose it and when, logged and audited.
    """
    now = _now(at)
    with _actions_writer(root) as con:
        action = _one(con, SELECT_ONE, "action_id", action_id)
        _may_write(viewer, action["centre_code"], action["pathway"])
        if action["status"] not in SHARED_STATUSES:
            raise ShareRefused("not_closed")
        if con.execute(SHARE_ACTIVE, {"action_id": action_id}).fetchall():
            raise ShareRefused("already_shared")
        params = {
            **{k: action[k] for k in ("action_id", "centre_code", "pathway", "indicator_code", "what", "expected_effect",
                                      "result_note", "start_month")},
            "who": action["who"] if is_named else None, "is_named": is_named, "centre_kind": centre_kind,
            "centre_name": centre_name if is_named else None,
            **{f: effect.get(f) for f in EFFECT_FIELDS}, "now": now, "user": viewer.user,
        }  # fmt: skip
        [(practice_id,)] = con.execute(SHARE_INSERT, params).fetchall()
        choice = "named" if is_named else "anonymous"
        change = {"practice_id": practice_id, "action_id": action_id, "now": now, "user": viewer.user}
        con.execute(SHARE_CHANGE, {**change, "change": "shared", "detail": choice})
    audit.record("practice_shared", f"practice {practice_id}: action {action_id}, {choice}", viewer)
    return int(practice_id)


def withdraw_practice(root: Path, viewer: Viewer, practice_id: int, at: dt.datetime | None = None) -> bool:
    """Withdraw a practice the viewer's centre shared: no other centre sees it any more. False if already withdrawn."""
    now = _now(at)
    with _actions_writer(root) as con:
        practice = _one(con, SHARE_ONE, "practice_id", practice_id)
        _may_write(viewer, practice["centre_code"], practice["pathway"])
        if practice["withdrawn_at"] is not None:
            return False
        con.execute(SHARE_WITHDRAW, {"practice_id": practice_id, "now": now, "user": viewer.user})
        change = {"practice_id": practice_id, "action_id": practice["action_id"], "now": now, "user": viewer.user}
        con.execute(SHARE_CHANGE, {**change, "change": "withdrawn", "detail": None})
    audit.record("practice_withdrawn", f"practice {practice_id}: action {practice['action_id']}", viewer)
    return True


_PENDING: dict[Path, tuple[str, list[dict[str, object]]]] = {}  # store → (its stamp, the practices pending under it)


def pending_practices(root: Path) -> list[dict[str, object]]:
    """Shared practices whose effect has not been measured yet (shared with ``effect`` empty, as the demo seeds them).

    Asked on every view of the practices, so the answer is kept under the store's stamp (``store_stamp``):
    read again only after a write."""
    stamp = store_stamp(root)
    kept = _PENDING.get(root)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return [dict(row) for row in kept[1]]
    with actions_reader(root) as con:
        rows = con.sql(SHARE_PENDING).pl().to_dicts()
    if stamp is not None:
        _PENDING[root] = (stamp, rows)
    return [dict(row) for row in rows]


def record_measured_effect(root: Path, practice_id: int, effect: Mapping[str, object], at: dt.datetime | None = None) -> bool:
    """Store the measured effect of a practice shared before it was measured (once; logged). False if measured already."""
    now = _now(at)
    with _actions_writer(root) as con:
        rows = con.sql(SHARE_ONE, params={"practice_id": practice_id}).pl().to_dicts()
        if not rows or rows[0]["effect_method"] is not None:
            return False
        con.execute(SHARE_MEASURED, {**{f: effect.get(f) for f in EFFECT_FIELDS}, "practice_id": practice_id})
        change = {"practice_id": practice_id, "action_id": rows[0]["action_id"], "now": now, "user": "system"}
        con.execute(SHARE_CHANGE, {**change, "change": "measured", "detail": str(effect.get("effect_verdict"))})
    return True
