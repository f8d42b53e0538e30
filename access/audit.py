"""The audit trail (NEN 7513): who saw, exported or loaded what, when, and which patients.

One JSON object per line in ``AUDIT_PATH`` (default ``audit.jsonl`` beside the warehouse), never
rewritten. Each row says who (user, role, centre), when (UTC time), what (action and a
description) and which patients: ``patients`` holds keyed fingerprints of the episodes (or
delivered rows) involved, at most ``MAX_FINGERPRINTS`` of them, and ``patient_count`` how many
there were.

Tamper evidence: the rows form a hash chain. ``prev`` is the SHA-256 (hex) of the previous line's
bytes as written (without its newline); the first line of a trail carries ``prev`` = 64 zeros
(``GENESIS``), which is where the chain starts. ``hash`` is the SHA-256 of the row's own content:
the canonical JSON (sorted keys, no spaces, UTF-8) of every field except ``hash``. Changing,
inserting or deleting a line breaks the chain at that line or the next; ``verify`` finds the
first broken line and ``python -m warehouse audit-verify`` reports it. What a chain cannot show
is the removal of the newest lines: keep a copy of the last hash elsewhere (a log server, the
backup) when that matters.

Appending is atomic: a writer takes an exclusive ``fcntl.flock`` on the file, reads the last line,
writes its own line with ``O_APPEND`` and ``fsync``s before it lets go, so concurrent writers
(the app's sessions and the command line) keep one unbroken chain.

Fingerprints are ``HMAC-SHA256(key, id)`` cut to 16 hex characters. The key is
``AUDIT_FINGERPRINT_SECRET``; only in demo mode (``SAMEN_LEREN_DEMO=1``) a fixed public demo key
stands in when it is not set; otherwise fingerprinting refuses (``NotConfigured``), so patient rows
are not shown unaudited. Someone who holds the key can check which patient a fingerprint stands for; the trail alone
names nobody.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from access.roles import Viewer
from access.settings import NotConfigured, is_demo
from warehouse.connection import warehouse_path

COLUMNS = {
    "time": pl.String,
    "user": pl.String,
    "role": pl.String,
    "centre": pl.String,
    "action": pl.String,
    "what": pl.String,
    "patient_count": pl.Int64,
    "patients": pl.String,
}
GENESIS = "0" * 64
MAX_FINGERPRINTS = 500  # per row; ``patient_count`` always holds the full number
FINGERPRINT_LENGTH = 16
DEMO_FINGERPRINT_KEY = "samen-leren-demo-audit-key"  # nosec B105 - the public demo's key, used only in demo mode


def audit_path() -> Path:
    configured = os.environ.get("AUDIT_PATH")
    return Path(configured) if configured else warehouse_path().with_name("audit.jsonl")


# ---------------------------------------------------------------------------------------------
# fingerprints


def fingerprint_key() -> bytes:
    """The key of the patient fingerprints: ``AUDIT_FINGERPRINT_SECRET``; the public demo key in demo mode only.

    Outside demo mode without it, nothing that names patients can be audited, so nothing is shown:
    ``NotConfigured`` is raised.
    """
    secret = os.environ.get("AUDIT_FINGERPRINT_SECRET", "")
    if secret:
        return secret.encode()
    if is_demo():
        return DEMO_FINGERPRINT_KEY.encode()
    raise NotConfigured("AUDIT_FINGERPRINT_SECRET is not set (the key of the audit trail's patient fingerprints)")


def fingerprint(value: object) -> str:
    """A patient's (or episode's) pseudonym as the trail records it: a keyed hash, 16 hex characters."""
    digest = hmac.new(fingerprint_key(), str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


def patient_keys(frame: pl.DataFrame) -> list[str]:
    """What identifies the patients in a frame of patient rows, once each, in order.

    The episode (else the patient) pseudonym; for rows of a delivery that never reached the
    warehouse (the quarantine), the delivered row: ``load_id:file_name:row_number``.
    """
    for column in ("episode_id", "patient_id"):
        if column in frame.columns:
            return [str(v) for v in frame[column].drop_nulls().unique(maintain_order=True).to_list()]
    if {"load_id", "file_name", "row_number"} <= set(frame.columns):
        located = frame.select(
            pl.concat_str([pl.col("load_id"), pl.col("file_name"), pl.col("row_number")], separator=":", ignore_nulls=True)
        ).to_series()
        return located.drop_nulls().unique(maintain_order=True).to_list()
    return []


# ---------------------------------------------------------------------------------------------
# writing


def _content_hash(row: dict[str, object]) -> str:
    body = {k: v for k, v in row.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _last_line(fd: int) -> bytes | None:
    """The file's last line (read backwards from the end), or None when the file is empty."""
    end = os.lseek(fd, 0, os.SEEK_END)
    if end == 0:
        return None
    tail, position, block = b"", end, 8192
    while position > 0:
        step = min(block, position)
        position -= step
        tail = os.pread(fd, step, position) + tail
        body = tail[:-1] if tail.endswith(b"\n") else tail
        if b"\n" in body:
            return body.rsplit(b"\n", 1)[1]
    return tail[:-1] if tail.endswith(b"\n") else tail


def record(
    action: str,
    what: str,
    viewer: Viewer | None = None,
    *,
    user: str | None = None,
    path: Path | None = None,
    patients: Sequence[str] | None = None,
    patient_count: int | None = None,
    role: str | None = None,
) -> None:
    """Append one chained audit row (time, user, role, centre, action, what, which patients).

    ``patients`` are fingerprints (``fingerprint``), of which the first ``MAX_FINGERPRINTS`` are
    kept; ``patient_count`` defaults to their number. Without a viewer the row is the command
    line's (``user`` or the OS user) unless ``role`` says otherwise.
    """
    listed = list(patients) if patients is not None else []
    row: dict[str, object] = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": viewer.user if viewer else (user or os.environ.get("USER", "unknown")),
        "role": viewer.role.value if viewer else (role or "command_line"),
        "centre": viewer.centre_code if viewer else None,
        "action": action,
        "what": what,
    }
    if patients is not None or patient_count is not None:
        row["patient_count"] = patient_count if patient_count is not None else len(listed)
        row["patients"] = listed[:MAX_FINGERPRINTS]
    target = path or audit_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(fd)
        end = os.lseek(fd, 0, os.SEEK_END)
        torn = last is not None and os.pread(fd, 1, end - 1) != b"\n"  # a write cut short: start on a new line
        separator = b"\n" if torn else b""
        row["prev"] = GENESIS if last is None else _line_hash(last)
        row["hash"] = _content_hash(row)
        os.write(fd, separator + (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


# ---------------------------------------------------------------------------------------------
# reading and verifying


def _lines(target: Path) -> list[bytes]:
    return [line for line in target.read_bytes().split(b"\n") if line.strip()]


def read(path: Path | None = None) -> pl.DataFrame:
    """The audit trail, newest first (fingerprints joined by spaces)."""
    target = path or audit_path()
    if not target.exists() or target.stat().st_size == 0:
        return pl.DataFrame(schema=COLUMNS)
    rows = []
    for line in _lines(target):
        try:
            raw = json.loads(line)
        except ValueError:
            continue  # a torn or damaged line; ``verify`` names it
        listed = raw.get("patients")
        raw["patients"] = " ".join(listed) if isinstance(listed, list) else listed
        rows.append({k: raw.get(k) for k in COLUMNS})
    return pl.DataFrame(rows, schema=COLUMNS).reverse()


@dataclass(frozen=True)
class Verification:
    rows: int  # lines that verified
    broken_line: int | None = None  # 1-based line number of the first break
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_line is None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.rows} rows"
        return f"BROKEN: line {self.broken_line}: {self.reason}"


def iter_verify(lines: Iterable[bytes]) -> Verification:
    """Check a trail's lines (bytes, without newlines, blank lines included) as one chain."""
    previous: bytes | None = None
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            return Verification(count, number, "empty line")
        try:
            row = json.loads(line)
        except ValueError:
            return Verification(count, number, "not a JSON object")
        if not isinstance(row, dict) or "hash" not in row or "prev" not in row:
            return Verification(count, number, "not chained (no prev/hash)")
        expected_prev = GENESIS if previous is None else _line_hash(previous)
        if row["prev"] != expected_prev:
            return Verification(count, number, "prev does not match the line before (changed, inserted or removed)")
        if row["hash"] != _content_hash(row):
            return Verification(count, number, "content does not match its hash (changed)")
        previous = line
        count += 1
    return Verification(count)


def verify(path: Path | None = None) -> Verification:
    """Verify a trail's hash chain: how many rows verified, or the first broken line and why.

    A missing or empty file verifies as 0 rows; the command line says so separately.
    """
    target = path or audit_path()
    if not target.exists():
        return Verification(0)
    data = target.read_bytes()
    if not data:
        return Verification(0)
    if not data.endswith(b"\n"):
        data += b"\n"  # a last line torn without its newline is judged by its content
    return iter_verify(data.split(b"\n")[:-1])
