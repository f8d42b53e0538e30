"""Local accounts (when no OIDC provider is configured) and the mapping of identities to roles.

The access configuration is a TOML file (``ACCESS_CONFIG``, default ``config/access.toml``
when present, else the demo's ``config/demo_access.toml``)::

    [users."j.jansen@umcutrecht.nl"]        # an OIDC e-mail or a local user name
    name = "J. Jansen"
    role = "care_team"
    centre = "UMCU"
    pathways = ["knee_oa"]
    password_hash = "$argon2id$…"           # local accounts only

Passwords are stored as argon2id hashes only; ``python -m warehouse user add`` writes them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access.roles import Role, Viewer

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEMO_CONFIG = CONFIG_DIR / "demo_access.toml"
HASHER = PasswordHasher()


def config_path() -> Path:
    configured = os.environ.get("ACCESS_CONFIG")
    if configured:
        return Path(configured)
    own = CONFIG_DIR / "access.toml"
    return own if own.exists() else DEMO_CONFIG


def load_users(path: Path | None = None) -> dict[str, dict]:
    p = path or config_path()
    if not p.exists():
        return {}
    with p.open("rb") as f:
        return tomllib.load(f).get("users", {})


def viewer_for(identity: str, path: Path | None = None) -> Viewer | None:
    """The viewer an identity maps to, or None for an unknown identity."""
    p = path or config_path()
    entry = load_users(p).get(identity.strip().lower())
    if entry is None:
        return None
    return Viewer(
        user=identity.strip().lower(),
        name=entry.get("name", identity),
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
