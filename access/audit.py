"""The audit trail: an append-only log of every view or export of patient rows and every load.

One JSON object per line in ``AUDIT_PATH`` (default ``audit.jsonl`` beside the warehouse),
appended with ``O_APPEND`` so that concurrent writers never interleave, and never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import polars as pl

from access.roles import Viewer
from warehouse.connection import warehouse_path

COLUMNS = {"time": pl.String, "user": pl.String, "role": pl.String, "centre": pl.String, "action": pl.String, "what": pl.String}


def audit_path() -> Path:
    configured = os.environ.get("AUDIT_PATH")
    return Path(configured) if configured else warehouse_path().with_name("audit.jsonl")


def record(action: str, what: str, viewer: Viewer | None = None, *, user: str | None = None, path: Path | None = None) -> None:
    """Append one audit row (time, user, role, centre, action, what)."""
    row = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": viewer.user if viewer else (user or os.environ.get("USER", "unknown")),
        "role": viewer.role.value if viewer else "command_line",
        "centre": viewer.centre_code if viewer else None,
        "action": action,
        "what": what,
    }
    target = path or audit_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path | None = None) -> pl.DataFrame:
    """The audit trail, newest first."""
    target = path or audit_path()
    if not target.exists() or target.stat().st_size == 0:
        return pl.DataFrame(schema=COLUMNS)
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pl.DataFrame(rows, schema=COLUMNS).reverse()
