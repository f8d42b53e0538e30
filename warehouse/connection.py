"""The one place that opens the DuckDB warehouse, and how a new version is published.

DuckDB allows one writing process or several reading ones, never both. So a load never
writes to the file readers use: it copies the current version, loads into the copy, and
publishes it by switching the symbolic link ``WAREHOUSE_PATH`` (an atomic rename). Readers
resolve the link when they open a connection: a running query keeps its version, the next
one sees the new version, and nobody ever sees a half-loaded delivery. A crash (even
SIGKILL) before the switch leaves the published version untouched; the unfinished copy is
cleared by the next load. Before the switch the version's marts are built and its models fitted
(``warehouse.marts``, ``warehouse.models``; after a load, only what the load touched), so what the
pages read is ready when the version is published. A load may leave its models to a follow-up
version (``models_later``, ``publish_pending_models``): its month is served sooner. Writers take a file lock, so two loads never race.

Readers open read-only with access to outside files switched off, one connection per query.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from access import settings
from warehouse import marts, models

DEFAULT_PATH = settings.DEFAULT_WAREHOUSE_PATH
# DuckDB's buffer manager would take 80% of RAM per reader; the dashboard's queries need far less
READER_CONFIG = {"enable_external_access": False, "memory_limit": "1GB"}
KEEP_VERSIONS = 2  # the published version and the one before it (for readers still on it)


def warehouse_path() -> Path:
    """Where the app finds the warehouse: ``$WAREHOUSE_PATH`` or ``data/warehouse.duckdb`` (``access.settings`` reads it)."""
    return settings.warehouse_path()


def versions_dir(root: Path) -> Path:
    return root.with_name(root.name + ".versions")


def published(path: Path | None = None) -> Path:
    """The file of the currently published version (the link's target, or a plain file)."""
    return (path or warehouse_path()).resolve()


def data_version(path: Path | None = None) -> str:
    """Changes whenever a new version is published; used to key cached query results."""
    real = published(path)
    try:
        stat = real.stat()
    except FileNotFoundError:
        return "missing"
    return f"{real.name}-{stat.st_mtime_ns}-{stat.st_size}"


@contextmanager
def reader(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published version that cannot touch outside files."""
    p = path or warehouse_path()
    if not p.exists():
        raise FileNotFoundError(f"no warehouse at {p}; build one with: python -m warehouse demo --db {p}")
    con = duckdb.connect(str(published(p)), read_only=True, config=READER_CONFIG)
    try:
        yield con
    finally:
        con.close()


def out_of_date(path: Path | None = None) -> list[str]:
    """What the published version lacks for this code: its out-of-date marts, and "models" when its model
    tables are not as this code stores them. Empty when it is ready (or there is no warehouse yet)."""
    p = path or warehouse_path()
    if not p.exists():
        return []
    with reader(p) as con:
        return marts.out_of_date(con) + ([] if models.as_made(con) else ["models"])


@contextmanager
def _exclusive(root: Path) -> Iterator[None]:
    lock = root.with_name(root.name + ".lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_version(root: Path) -> Path:
    folder = versions_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.duckdb"


def _switch(root: Path, target: Path) -> None:
    """Point ``root`` at ``target`` atomically (a relative link, so the folder can move)."""
    link = root.with_name(f".{root.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(target, root.parent), link)
    os.replace(link, root)
    directory = os.open(root.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _prune(root: Path) -> None:
    """Remove unfinished copies and versions older than the one before the published one."""
    current = published(root)
    versions = sorted(v.resolve() for v in versions_dir(root).glob("*.duckdb"))  # absolute, as ``current`` is
    keep = {current}
    older = [v for v in versions if v.name < current.name]
    keep.update(older[-(KEEP_VERSIONS - 1) :] if KEEP_VERSIONS > 1 else [])
    for version in versions:
        if version not in keep:
            version.unlink(missing_ok=True)
            version.with_name(version.name + ".wal").unlink(missing_ok=True)


@contextmanager
def writer(root: Path, *, models_later: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a new version; published when the block ends without error.

    ``models_later``: publish the data and marts at once and leave the models of what the block changed to
    ``publish_pending_models`` (a follow-up version; until then the version serves the models it copied)."""
    with _version(root, lambda con: _ready(con, models_later)) as con:
        yield con


def publish_pending_models(root: Path) -> bool:
    """Publish a version with the models fitted of what earlier versions deferred (``writer(models_later=True)``);
    False, and nothing published, when none are pending (or no fitter is registered)."""
    if not models.fitting() or not root.exists():
        return False
    with reader(root) as con:
        if not models.pending(con):
            return False
    with _version(root, _fit_pending):
        pass
    return True


@contextmanager
def _version(root: Path, ready: Callable[[duckdb.DuckDBPyConnection], None]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A copy of the published version to write; ``ready`` makes it ready to serve, then it is switched in."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(root):
        new = _new_version(root)
        if root.exists():
            shutil.copyfile(published(root), new)
            wal = published(root).with_name(published(root).name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, new.with_name(new.name + ".wal"))
        con = duckdb.connect(str(new))
        try:
            yield con
            ready(con)
            con.execute("checkpoint")
        except BaseException:
            con.close()
            new.unlink(missing_ok=True)
            new.with_name(new.name + ".wal").unlink(missing_ok=True)
            raise
        con.close()
        with new.open("rb+") as handle:
            os.fsync(handle.fileno())
        _switch(root, new)
        _prune(root)


def _ready(con: duckdb.DuckDBPyConnection, models_later: bool) -> None:
    """Build the marts of what the block changed, and fit its models (with what earlier versions deferred) or
    defer them."""
    touched = marts.touched(con)  # what the block's loads changed (None: everything)
    marts.build(con, touched)  # the version is ready to serve before anyone can open it
    if not models.fitting():
        models.prepare(con, None if touched is None else touched.pathways)
    elif models_later:
        models.defer(con)
    elif touched is None:  # a whole refit covers what earlier versions deferred
        models.drop_pending(con)
        models.prepare(con, None)
    else:
        _fit_pending(con)


def _fit_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Fit the models of what this block and the versions before it changed."""
    models.take_pending(con)
    models.prepare(con, _pathways(con))


def _pathways(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    touched = marts.touched(con)  # None: unknown or everything
    return None if touched is None else touched.pathways


# --- one read-only connection per process and data version (the server switches it on) -------------
# The server's sessions share one DuckDB connection per published version, each query on a cursor of
# it (``con.cursor()``: one buffer pool, no open per query; a connection refuses concurrent calls, its
# cursors do not). Memory and threads are bounded: ``SAMEN_DUCKDB_MEMORY_LIMIT`` (default 1GB) and
# ``SAMEN_DUCKDB_THREADS`` (default 2). Off, ``shared_reader`` is ``reader``: command-line tools and
# tests that write a warehouse in the same process never meet a connection held open.
_shared: dict[Path, duckdb.DuckDBPyConnection] = {}
_shared_lock = threading.Lock()
_sharing = {"on": False}


def shared_config() -> dict[str, object]:
    memory = os.environ.get("SAMEN_DUCKDB_MEMORY_LIMIT", "1GB")
    return {"enable_external_access": False, "memory_limit": memory, "threads": int(os.environ.get("SAMEN_DUCKDB_THREADS", "2"))}


def share_one_connection(on: bool = True) -> None:
    """Serve every read of this process from one read-only connection per data version (off: close them)."""
    with _shared_lock:
        _sharing["on"] = on
        if not on:
            for con in _shared.values():
                con.close()
            _shared.clear()


def _connection_for(real: Path) -> duckdb.DuckDBPyConnection:
    """The process's connection to one version; versions older than the last ``KEEP_VERSIONS`` are closed."""
    con = _shared.get(real)
    if con is None:
        con = _shared[real] = duckdb.connect(str(real), read_only=True, config=shared_config())
        for old in sorted(_shared, key=lambda v: v.name)[:-KEEP_VERSIONS]:
            _shared.pop(old).close()
    return con


@contextmanager
def shared_reader(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on this process's one read-only connection to the published version (``reader`` when sharing is off)."""
    if not _sharing["on"]:
        with reader(path) as con:
            yield con
        return
    p = path or warehouse_path()
    if not p.exists():
        raise FileNotFoundError(f"no warehouse at {p}; build one with: python -m warehouse demo --db {p}")
    with _shared_lock:
        cursor = _connection_for(published(p)).cursor()
    try:
        yield cursor
    finally:
        cursor.close()
