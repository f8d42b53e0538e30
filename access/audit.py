"""The audit trail (NEN 7513): who saw, exported or loaded what, when, and which patients.

One JSON object per line in ``AUDIT_PATH`` (default ``audit.jsonl`` beside the warehouse), never
rewritten. Each row says who (user, role, centre), when (UTC time), what (action and a
description) and which patients: ``patients`` holds keyed fingerprints of the episodes (or
delivered rows) involved, at most ``MAX_FINGERPRINTS`` of them, and ``patient_count`` how many
there were.

Tamper evidence: the rows form a keyed hash chain. The chain key is
``HMAC-SHA256(AUDIT_FINGERPRINT_SECRET, b"audit-chain")`` (``chain_key``; the public demo key
stands in only in demo mode, so a demo trail can be forged by anyone with the source). ``prev``
is the HMAC-SHA256 (hex) under that key of the previous line's bytes as written (without its
newline); the first line of a trail carries ``prev`` = 64 zeros (``GENESIS``), which is where
the chain starts. ``hash`` is the HMAC-SHA256 of the row's own content: the canonical JSON
(sorted keys, no spaces, UTF-8) of every field except ``hash``. Changing, inserting or deleting
a line breaks the chain at that line or the next, and without the key nobody can recompute it;
``verify`` finds the first broken line and ``python -m warehouse audit-verify`` reports it.

Trails written before the chain was keyed (plain SHA-256) are not converted: a deployment
starts a new trail (move the old file aside and keep it as it is). ``verify`` reports such a
trail as broken at line 1 and says its hash is the unkeyed SHA-256 (written before the chain
was keyed, or recomputed by someone without the key); it cannot tell the two apart.

The anchor: a chain cannot show that its newest lines were removed, so after each append the
writer, still holding the lock, atomically replaces ``<trail>.anchor`` (``anchor_path``; a
temporary file, ``fsync``, ``os.replace``) with ``{"rows": N, "hash": H}``: the number of lines
and the keyed hash of the last line (the ``prev`` the next row will carry). ``verify`` reads
the anchor and then the trail (under a shared lock) and reports as broken a trail with fewer
lines than the anchor ("the trail ends at line N, the anchor says M rows"), a line M whose hash
is not the anchor's, an empty or missing trail beside an anchor, and a trail with rows but no
anchor. A trail longer than its anchor verifies (an anchor copied elsewhere earlier, or a crash
between the append and the anchor's replacement): the anchored lines are a prefix of it. Who can
write both files can still cut both consistently, so a deployment should also ship each anchor
(or the last hash) elsewhere, e.g. to syslog or a log server, and check a trail against that
copy with ``audit-verify --anchor``. An empty trail without an anchor verifies as 0 rows. A
writer leaves an anchor the trail no longer extends (cut, emptied, rewritten) as it found it, so
later appends do not hide the break; after the investigation, move trail and anchor aside
together and a new trail starts.

Appending is atomic: a writer takes an exclusive ``fcntl.flock`` on the file, reads the last line,
writes its own line with ``O_APPEND``, ``fsync``s and replaces the anchor before it lets go, so
concurrent writers (the app's sessions in threads, the command line in other processes) keep
one unbroken chain and an anchor that matches it.

Fingerprints are ``HMAC-SHA256(key, id)`` cut to 16 hex characters. The key is
``AUDIT_FINGERPRINT_SECRET``; only in demo mode (``SAMEN_LEREN_DEMO=1``) a fixed public demo key
stands in when it is not set; otherwise fingerprinting and recording refuse (``NotConfigured``),
so patient rows are not shown unaudited and no row is written outside the keyed chain. Someone
who holds the key can check which patient a fingerprint stands for; the trail alone names
nobody. Someone who holds the key (whoever runs the app) can also recompute the chain: the key
keeps out those who can only write the file, the anchor copy kept elsewhere the rest.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from access.roles import Viewer
from access.settings import NotConfigured, is_demo, warehouse_path

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
CHAIN_LABEL = b"audit-chain"  # the chain key is derived from the fingerprint key with this label
MAX_FINGERPRINTS = 500  # per row; ``patient_count`` always holds the full number
FINGERPRINT_LENGTH = 16
DEMO_FINGERPRINT_KEY = "samen-leren-demo-audit-key"  # the public demo's key, used only in demo mode


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


def chain_key() -> bytes:
    """The key of the hash chain: ``HMAC-SHA256(fingerprint key, b"audit-chain")``, never the fingerprint key itself."""
    return hmac.new(fingerprint_key(), CHAIN_LABEL, hashlib.sha256).digest()


def _canonical(row: dict[str, object]) -> bytes:
    body = {k: v for k, v in row.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _content_hash(row: dict[str, object], key: bytes | None = None) -> str:
    return hmac.new(chain_key() if key is None else key, _canonical(row), hashlib.sha256).hexdigest()


def _line_hash(line: bytes, key: bytes | None = None) -> str:
    return hmac.new(chain_key() if key is None else key, line.rstrip(b"\n"), hashlib.sha256).hexdigest()


def anchor_path(path: Path | None = None) -> Path:
    """Where a trail's anchor lives: ``<trail>.anchor`` beside it."""
    target = path or audit_path()
    return target.with_name(target.name + ".anchor")


def _read_anchor(anchor: Path) -> dict[str, object] | None:
    """The anchor as written, None when there is none; ValueError when it is not one."""
    try:
        data = anchor.read_bytes()
    except FileNotFoundError:
        return None
    found = json.loads(data)
    if not (isinstance(found, dict) and isinstance(found.get("rows"), int) and isinstance(found.get("hash"), str)):
        raise ValueError("not an anchor")
    return found


def _write_anchor(anchor: Path, rows: int, last_hash: str) -> None:
    """Replace the anchor atomically: a temporary file beside it, fsync'd, then ``os.replace``."""
    temporary = anchor.with_name(f"{anchor.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    try:
        os.write(fd, json.dumps({"rows": rows, "hash": last_hash}).encode("utf-8") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, anchor)
    try:  # the rename itself reaches the disk
        directory = os.open(anchor.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


def _file_lines(fd: int) -> list[bytes]:
    """Every line of the (locked) file, as ``verify`` numbers them."""
    end = os.lseek(fd, 0, os.SEEK_END)
    chunks, position = [], 0
    while position < end:
        chunks.append(os.pread(fd, min(1 << 20, end - position), position))
        position += len(chunks[-1])
    data = b"".join(chunks)
    return (data if data.endswith(b"\n") else data + b"\n").split(b"\n")[:-1]


def _anchored_rows(fd: int, anchor: Path, previous_hash: str | None, key: bytes) -> int | None:
    """The line count for the new anchor, just after an append; None: leave the anchor as it is.

    Quick when the anchor names the line before the new one. Otherwise the file is read: with no
    anchor yet (a new trail), or one that names an earlier line of this trail (a crash between an
    append and the anchor's replacement), the lines are counted. An anchor the trail does not
    extend (its tail cut, emptied or rewritten) or an unreadable one is kept as found, so the next
    append cannot hide what ``verify`` would report.
    """
    try:
        found = _read_anchor(anchor)
    except ValueError:
        return None
    if found is not None and previous_hash is not None and hmac.compare_digest(str(found["hash"]), previous_hash):
        return int(found["rows"]) + 1  # type: ignore[call-overload]
    lines = _file_lines(fd)
    if found is None:
        return len(lines)
    anchored = int(found["rows"])  # type: ignore[call-overload]
    if 1 <= anchored < len(lines) and hmac.compare_digest(_line_hash(lines[anchored - 1], key), str(found["hash"])):
        return len(lines)
    return None


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
    key = chain_key()  # outside demo mode without AUDIT_FINGERPRINT_SECRET: NotConfigured, nothing written
    target = path or audit_path()
    anchor = anchor_path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(fd)
        end = os.lseek(fd, 0, os.SEEK_END)
        torn = last is not None and os.pread(fd, 1, end - 1) != b"\n"  # a write cut short: start on a new line
        separator = b"\n" if torn else b""
        previous_hash = None if last is None else _line_hash(last, key)
        row["prev"] = GENESIS if previous_hash is None else previous_hash
        row["hash"] = _content_hash(row, key)
        line = json.dumps(row, ensure_ascii=False).encode("utf-8")
        os.write(fd, separator + line + b"\n")
        os.fsync(fd)
        rows = _anchored_rows(fd, anchor, None if torn else previous_hash, key)
        if rows is not None:
            _write_anchor(anchor, rows, _line_hash(line, key))
    finally:
        os.close(fd)  # closing releases the lock


# ---------------------------------------------------------------------------------------------
# reading and verifying


def trail_stamp(path: Path | None = None) -> tuple[tuple[int, ...] | None, ...]:
    """What changes whenever the trail or its anchor changes on disk: each file's inode, size, and modification
    and change times (None for a file that is not there). A change time cannot be set back by a writer, so a
    rewrite that keeps the size and resets the modification time still gives another stamp."""
    target = path or audit_path()

    def of(file: Path) -> tuple[int, ...] | None:
        try:
            found = file.stat()
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)

    return (of(target), of(anchor_path(target)))


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
    broken_line: int | None = None  # 1-based line number of the first break (past the end: a missing tail)
    reason: str = ""
    anchored: int | None = None  # how many rows the anchor vouches for, when it verified

    @property
    def ok(self) -> bool:
        return self.broken_line is None

    def __str__(self) -> str:
        if not self.ok:
            return f"BROKEN: line {self.broken_line}: {self.reason}"
        if self.anchored is not None and self.anchored < self.rows:
            return f"OK: {self.rows} rows (the anchor vouches for the first {self.anchored})"
        return f"OK: {self.rows} rows"


def _unkeyed(row: dict[str, object]) -> bool:
    return row.get("hash") == hashlib.sha256(_canonical(row)).hexdigest()


def iter_verify(lines: Iterable[bytes], key: bytes | None = None) -> Verification:
    """Check a trail's lines (bytes, without newlines, blank lines included) as one keyed chain."""
    key = chain_key() if key is None else key
    previous: bytes | None = None
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            return Verification(count, number, "empty line")
        try:
            row = json.loads(line)
        except ValueError:
            return Verification(count, number, "not a JSON object")
        if not isinstance(row, dict) or not isinstance(row.get("hash"), str) or not isinstance(row.get("prev"), str):
            return Verification(count, number, "not chained (no prev/hash)")
        if not hmac.compare_digest(row["hash"], _content_hash(row, key)):
            if _unkeyed(row):
                reason = "its hash is unkeyed SHA-256: written before the chain was keyed, or recomputed without the key"
            else:
                reason = "content does not match its hash (changed, or hashed with another key)"
            return Verification(count, number, reason)
        expected_prev = GENESIS if previous is None else _line_hash(previous, key)
        if not hmac.compare_digest(row["prev"], expected_prev):
            return Verification(count, number, "prev does not match the line before (changed, inserted or removed)")
        previous = line
        count += 1
    return Verification(count)


def _check_anchor(lines: list[bytes], chained: Verification, found: dict[str, object] | None, key: bytes) -> Verification:
    """A chain that verified, held against its anchor."""
    rows = chained.rows
    if found is None:
        if rows == 0:
            return chained  # nothing written yet
        return Verification(rows, rows + 1, "there is no anchor, so rows cut from the end would not show")
    anchored = int(found["rows"])  # type: ignore[call-overload]
    if rows == 0:
        return Verification(0, 1, f"the trail is empty, the anchor says {anchored} rows")
    if rows < anchored:
        return Verification(rows, rows + 1, f"the trail ends at line {rows}, the anchor says {anchored} rows")
    if anchored < 1 or not hmac.compare_digest(_line_hash(lines[anchored - 1], key), str(found["hash"])):
        return Verification(rows, max(anchored, 1), f"line {anchored} is not the row the anchor names (rewritten)")
    return Verification(rows, anchored=anchored)


def verify(path: Path | None = None, *, anchor: Path | None = None) -> Verification:
    """Verify a trail's keyed hash chain and hold it against its anchor: how many rows verified, or
    the first broken line and why.

    ``anchor`` defaults to ``<trail>.anchor`` (``anchor_path``); pass a copy kept elsewhere to check
    a trail against that. A missing or empty trail verifies as 0 rows only when there is no anchor
    either (the command line says a missing trail separately). The anchor is read before the trail
    and the trail under a shared lock, so a concurrent writer never makes a whole trail look cut.
    """
    target = path or audit_path()
    key = chain_key()
    try:
        found = _read_anchor(anchor or anchor_path(target))
    except ValueError:
        return Verification(0, 1, "the anchor is not readable (not {rows, hash})")
    if not target.exists():
        return _check_anchor([], Verification(0), found, key)
    with target.open("rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_SH)
        data = f.read()
    if data and not data.endswith(b"\n"):
        data += b"\n"  # a last line torn without its newline is judged by its content
    lines = data.split(b"\n")[:-1]
    chained = iter_verify(lines, key)
    if not chained.ok:
        return chained
    return _check_anchor(lines, chained, found, key)
