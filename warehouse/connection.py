"""The one place that opens the DuckDB warehouse.

Readers (the app, the query runner) open the file read-only with access to outside
files switched off; the loader opens it read-write. DuckDB allows one writing process or
several reading ones, so readers keep a connection only for the duration of a query.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class _ReadWriteLock:
    """Many readers or one writer within this process (DuckDB refuses mixed opens of one file)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


_LOCK = _ReadWriteLock()

DEFAULT_PATH = Path("data/warehouse.duckdb")


def warehouse_path() -> Path:
    """Where the app finds the warehouse: ``$WAREHOUSE_PATH`` or ``data/warehouse.duckdb``."""
    return Path(os.environ.get("WAREHOUSE_PATH", str(DEFAULT_PATH)))


def data_version(path: Path | None = None) -> str:
    """Changes whenever the warehouse file changes; used to key cached query results."""
    p = path or warehouse_path()
    try:
        stat = p.stat()
    except FileNotFoundError:
        return "missing"
    wal = p.with_name(p.name + ".wal")
    wal_mtime = wal.stat().st_mtime_ns if wal.exists() else 0
    return f"{stat.st_mtime_ns}-{stat.st_size}-{wal_mtime}"


@contextmanager
def reader(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection that cannot touch files outside the warehouse."""
    p = path or warehouse_path()
    if not p.exists():
        raise FileNotFoundError(f"no warehouse at {p}; build one with: python -m warehouse demo --db {p}")
    with _LOCK.shared():
        con = duckdb.connect(str(p), read_only=True, config={"enable_external_access": False})
        try:
            yield con
        finally:
            con.close()


@contextmanager
def writer(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The read-write connection of a loading process; creates the file when needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK.exclusive():
        con = duckdb.connect(str(path))
        try:
            yield con
        finally:
            con.close()
