"""Local accounts (when no OIDC provider is configured) and the mapping of identities to roles.

The access configuration is a TOML file: ``ACCESS_CONFIG``, else ``config/access.toml``. The
demo's ``config/demo_access.toml`` (public passwords) is used only in demo mode
(``SAMEN_LEREN_DEMO=1``, see ``access/settings.py``); outside it there is no fallback::

    [users."https://login.microsoftonline.com/<tenant-id>/v2.0|AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"]
    name = "J. Jansen"                      # an OIDC user: "<iss>|<sub>", both exactly as in the ID token
    role = "care_team"
    centre = "UMCU"
    pathways = ["<pathway>"]              # outcome-set file names (data_models/outcome_sets/<pathway>.yaml)

    [users."j.jansen"]                      # a local account: its user name (lower case)
    name = "J. Jansen"
    role = "centre_lead"
    centre = "UMCU"
    password_hash = "$argon2id$…"           # local accounts only

OIDC users are keyed by issuer and subject (``iss`` and ``sub``), which the provider never
reassigns, not by the e-mail address, which can change or be re-used. Passwords are stored as
argon2id hashes only; ``python -m warehouse user add`` writes them. Local log-ins are
throttled: after ``MAX_FAILURES`` failed attempts for one user name within ``LOCK_WINDOW``
seconds, that name is locked for ``LOCK_WINDOW`` seconds, also for the right password.
"""

from __future__ import annotations

import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access import settings
from access.roles import Role, Viewer

CONFIG_DIR = settings.CONFIG_DIR
DEMO_CONFIG = settings.DEMO_CONFIG
HASHER = PasswordHasher()
MAX_FAILURES = 5
LOCK_WINDOW = 15 * 60  # seconds: failures count within it, and a lock lasts as long


def config_path() -> Path:
    """The access configuration in force; outside demo mode never the demo's (a missing file means no users)."""
    return settings.access_config_path() or settings.OWN_CONFIG


def oidc_identity(issuer: str, subject: str) -> str:
    """The access configuration key of an OIDC user: ``"<iss>|<sub>"``."""
    return f"{issuer.strip()}|{subject.strip()}"


def load_users(path: Path | None = None) -> dict[str, dict]:
    p = path or config_path()
    if not p.exists():
        return {}
    with p.open("rb") as f:
        return tomllib.load(f).get("users", {})


def viewer_for(identity: str, path: Path | None = None) -> Viewer | None:
    """The viewer a local user name (case-insensitive) maps to, or None for an unknown identity."""
    return _viewer(identity.strip().lower(), path)


def viewer_for_oidc(issuer: str, subject: str, path: Path | None = None) -> Viewer | None:
    """The viewer an OIDC identity (issuer and subject, compared exactly) maps to, or None."""
    if not issuer.strip() or not subject.strip():
        return None
    return _viewer(oidc_identity(issuer, subject), path)


def _viewer(key: str, path: Path | None) -> Viewer | None:
    p = path or config_path()
    entry = load_users(p).get(key)
    if entry is None:
        return None
    return Viewer(
        user=key,
        name=entry.get("name", key),
        role=Role(entry["role"]),
        centre_code=entry.get("centre"),
        pathways=tuple(entry["pathways"]) if entry.get("pathways") else None,
        is_demo=p.resolve() == DEMO_CONFIG.resolve() or bool(entry.get("demo", False)),
    )


def authenticate(username: str, password: str, path: Path | None = None) -> Viewer | None:
    """The viewer for a local account whose password matches, else None."""
    entry = load_users(path).get(username.strip().lower())
    if not entry or "password_hash" not in entry:
        HASHER.hash(password)  # spend the same time whether or not the user exists
        return None
    try:
        HASHER.verify(entry["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return viewer_for(username, path)


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def add_user(
    path: Path, username: str, password: str, role: str, name: str, centre: str | None = None, pathways: list[str] | None = None
) -> None:
    """Add or replace a local account in the access configuration, storing only a hash."""
    Role(role)  # refuses an unknown role
    Viewer(username, name, Role(role), centre, tuple(pathways) if pathways else None)  # refuses a centre role without centre
    if len(password) < 12:
        raise ValueError("a password needs at least 12 characters")
    users = load_users(path) if path.exists() else {}
    users[username.strip().lower()] = {
        k: v
        for k, v in {
            "name": name,
            "role": role,
            "centre": centre,
            "pathways": pathways,
            "password_hash": HASHER.hash(password),
        }.items()
        if v
    }
    lines = ["# Samen Leren access configuration: who may log in and what they may see.", ""]
    for user, entry in sorted(users.items()):
        lines.append(f"[users.{_toml_value(user)}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in entry.items())
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


@dataclass(frozen=True)
class LoginResult:
    viewer: Viewer | None
    locked: bool = False


class LoginThrottle:
    """Failed local log-ins per user name, in this process; thread-safe (sessions run in threads)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = LOCK_WINDOW, clock=time.monotonic) -> None:
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked(self, username: str) -> bool:
        key = _name_key(username)
        with self._lock:
            until = self._locked_until.get(key)
            if until is None:
                return False
            if self.clock() < until:
                return True
            del self._locked_until[key]
            self._failures.pop(key, None)
            return False

    def failed(self, username: str) -> bool:
        """Count one failure; True when it locks the name."""
        key = _name_key(username)
        with self._lock:
            now = self.clock()
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.max_failures:
                self._locked_until[key] = now + self.window
                recent.clear()
                return True
            return False

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(_name_key(username), None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._locked_until.clear()


THROTTLE = LoginThrottle()


def _name_key(username: str) -> str:
    return username.strip().lower()[:200]


def log_in_locally(username: str, password: str, path: Path | None = None, throttle: LoginThrottle | None = None) -> LoginResult:
    """A throttled local log-in: refused while the name is locked; failures and refusals are audited.

    The password is never logged; the audit row names the attempted user name only.
    """
    from access import audit

    guard = throttle or THROTTLE
    name = _name_key(username)
    if guard.locked(name):
        HASHER.hash(password)  # a locked name answers as slowly as any other
        audit.record("login_locked", "local", user=name or "(empty)")
        return LoginResult(None, locked=True)
    viewer = authenticate(username, password, path)
    if viewer is not None:
        guard.succeeded(name)
        return LoginResult(viewer)
    now_locked = guard.failed(name)
    audit.record(
        "login_failed",
        "local" + (f"; locked for {int(guard.window // 60)} minutes" if now_locked else ""),
        user=name or "(empty)",
    )
    return LoginResult(None, locked=now_locked)
