"""Closed until configured: what a deployment must set before the app or the CLI serves data.

Outside the explicit demo mode (environment ``SAMEN_LEREN_DEMO=1``, which ``make run`` sets)
the app refuses to start, with one line naming what is missing, unless there is

- its own access configuration: ``ACCESS_CONFIG`` or ``config/access.toml`` (the demo's
  ``config/demo_access.toml``, with public passwords, never counts outside demo mode);
- a peer-code secret: ``PEER_CODE_SECRET``, at least 32 characters (without it anyone with
  the source could compute every anonymous peer code);
- keys for the patient fingerprints of the audit trail and of the quarantine:
  ``AUDIT_FINGERPRINT_SECRET`` and ``QUARANTINE_FINGERPRINT_SECRET``, at least 32 characters each;
- when OIDC is configured (``[auth]`` in ``.streamlit/secrets.toml``): a ``cookie_secret`` of
  at least 32 characters that is not the example's placeholder (the login cookie is signed
  with it; a known secret lets anyone forge a login).
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

DEMO_ENV = "SAMEN_LEREN_DEMO"
DEMO_PEER_SECRET = "samen-leren-demo-only"  # nosec B105 # the public demo's key, used only in demo mode
MIN_SECRET_LENGTH = 32
CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
OWN_CONFIG = CONFIG_DIR / "access.toml"
DEMO_CONFIG = CONFIG_DIR / "demo_access.toml"
SECRETS_EXAMPLE = CONFIG_DIR.parent / ".streamlit" / "secrets.toml.example"
# cookie secrets that were ever shown as examples: refused whatever their length
PLACEHOLDER_MARKERS = ("replace-me", "a long random string", "secrets.token_hex", "changeme", "change-me")
DEFAULT_WAREHOUSE_PATH = Path("data/warehouse.duckdb")


PEER_CODE_PURPOSE = "the anonymous peer codes"
# keyed fingerprints: without their own key, a patient's fingerprint could be computed by anyone
FINGERPRINT_KEYS = {
    "AUDIT_FINGERPRINT_SECRET": "the audit trail's patient fingerprints",  # nosec B105  # a description, not a secret
    "QUARANTINE_FINGERPRINT_SECRET": "the fingerprints of refused BSN-like values in the quarantine",  # nosec B105  # a description
}


class NotConfigured(RuntimeError):
    """A setting a production deployment must provide is missing."""


def is_demo() -> bool:
    """True only when the demo mode is switched on explicitly (``SAMEN_LEREN_DEMO=1``)."""
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def warehouse_path() -> Path:
    """Where the warehouse is: ``$WAREHOUSE_PATH`` or ``data/warehouse.duckdb`` (read here, in the
    lowest layer that needs it, so the audit trail finds its place beside it without importing
    ``warehouse``; ``warehouse.connection`` asks the same function)."""
    return Path(os.environ.get("WAREHOUSE_PATH", str(DEFAULT_WAREHOUSE_PATH)))


def peer_code_secret() -> bytes:
    """The key of the anonymous peer codes: ``PEER_CODE_SECRET``; the public demo key in demo mode only."""
    secret = os.environ.get("PEER_CODE_SECRET", "")
    if len(secret) >= MIN_SECRET_LENGTH:
        return secret.encode()
    if is_demo():
        return (secret or DEMO_PEER_SECRET).encode()
    raise NotConfigured(_key_problem("PEER_CODE_SECRET", PEER_CODE_PURPOSE) or "")


def access_config_path() -> Path | None:
    """The access configuration in force, or None when there is none (never the demo's outside demo mode)."""
    configured = os.environ.get("ACCESS_CONFIG")
    if configured:
        path = Path(configured)
        if not is_demo() and path.resolve() == DEMO_CONFIG.resolve():
            return None
        return path
    if OWN_CONFIG.exists():
        return OWN_CONFIG
    return DEMO_CONFIG if is_demo() else None


def _access_problem() -> str | None:
    configured = os.environ.get("ACCESS_CONFIG")
    path = access_config_path()
    if path is None:
        if configured:
            return f"ACCESS_CONFIG points at the demo's accounts ({configured}); give the app its own access configuration"
        return "no access configuration (set ACCESS_CONFIG or create config/access.toml with `python -m warehouse user add`)"
    if not path.is_file():
        return f"access configuration {path} does not exist"
    try:
        with path.open("rb") as f:
            users = tomllib.load(f).get("users", {})
    except (OSError, tomllib.TOMLDecodeError) as err:
        return f"access configuration {path} cannot be read ({type(err).__name__})"
    if not users:
        return f"access configuration {path} has no [users.…] entries"
    return None


def auth_secrets() -> dict | None:
    """The ``[auth]`` section of Streamlit's secrets, or None when OIDC is not configured."""
    import streamlit as st

    try:
        if "auth" not in st.secrets:
            return None
        return dict(st.secrets["auth"])
    except (FileNotFoundError, KeyError, tomllib.TOMLDecodeError):
        return None
    except Exception:  # noqa: BLE001 - StreamlitSecretNotFoundError and parse errors: no usable [auth]
        return None


def _example_cookie_secrets() -> set[str]:
    """Every cookie_secret written in the example secrets file, commented out or not."""
    try:
        text = SECRETS_EXAMPLE.read_text(encoding="utf-8")
    except OSError:
        return set()
    return set(re.findall(r'cookie_secret\s*=\s*"([^"]*)"', text))


def _cookie_problem(auth: dict | None) -> str | None:
    if auth is None:
        return None
    secret = str(auth.get("cookie_secret") or "")
    if not secret:
        return "[auth] in .streamlit/secrets.toml has no cookie_secret"
    if secret in _example_cookie_secrets() or any(marker in secret.lower() for marker in PLACEHOLDER_MARKERS):
        return "[auth] cookie_secret is the example's placeholder; generate one (see README)"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"[auth] cookie_secret is too short ({len(secret)} characters; at least {MIN_SECRET_LENGTH})"
    return None


def problems(auth: dict | bool | None = True) -> list[str]:
    """What is missing before this install may serve data; empty when configured or in demo mode.

    ``auth`` is the ``[auth]`` secrets section; by default it is read from Streamlit's secrets.
    """
    if is_demo():
        return []
    if auth is True:
        auth = auth_secrets()
    found = [_access_problem(), _cookie_problem(auth if isinstance(auth, dict) else None)]
    found.append(_key_problem("PEER_CODE_SECRET", PEER_CODE_PURPOSE))
    found += [_key_problem(name, purpose) for name, purpose in FINGERPRINT_KEYS.items()]
    return [p for p in found if p]


def _key_problem(name: str, purpose: str) -> str | None:
    value = os.environ.get(name, "")
    if len(value) >= MIN_SECRET_LENGTH:
        return None
    state = "is not set" if not value else f"is too short ({len(value)} characters)"
    return f"{name} {state} (the key of {purpose}; at least {MIN_SECRET_LENGTH} random characters)"


def refusal(found: list[str]) -> str:
    """The one line the app and the CLI print when they refuse to start."""
    return (
        "Samen Leren is not configured and will not start outside demo mode: "
        + "; ".join(found)
        + f". (For the demo only: {DEMO_ENV}=1.)"
    )


_logged: set[str] = set()


def outcome_set_problem() -> str | None:
    """The one line that says which outcome-set file and key is wrong, if any is."""
    from data_models.outcome_sets import OutcomeSetError, outcome_sets

    try:
        outcome_sets()
    except OutcomeSetError as err:
        return f"Samen Leren will not start: an outcome set is wrong: {err}"
    return None


def check_startup() -> None:
    """For app.py: stop the script with one clear line when this install is not configured."""
    found = problems()
    wrong_set = outcome_set_problem()
    if not found and not wrong_set:
        return
    import streamlit as st

    line = wrong_set or refusal(found)
    if line not in _logged:
        _logged.add(line)
        print(line, file=sys.stderr)
    st.error(line)
    st.stop()
