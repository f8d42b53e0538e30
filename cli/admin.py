"""Access and its trail: ``audit-verify`` (the audit trail's keyed hash chain) and ``user add`` (local accounts)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from access import audit
from cli.common import USAGE_ERROR


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """One line: "OK: N rows", or the first broken line (exit 1), held against the trail's anchor
    (``<trail>.anchor``, or ``--anchor``: a copy kept elsewhere); no trail and no anchor is exit 2."""
    path = Path(args.path) if args.path else audit.audit_path()
    anchor = Path(args.anchor) if args.anchor else audit.anchor_path(path)
    if not path.is_file() and not anchor.exists():
        print(f"fout: geen audittrail op {path}", file=sys.stderr)
        return USAGE_ERROR
    result = audit.verify(path, anchor=anchor)
    print(result)
    return 0 if result.ok else 1


def cmd_user_add(args: argparse.Namespace) -> int:
    from access.accounts import add_user

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Wachtwoord: ")
    pathways = [p.strip() for p in args.pathways.split(",")] if args.pathways else None
    add_user(Path(args.config), args.username, password, args.role, args.name or args.username, args.centre, pathways)
    print(f"gebruiker {args.username} ({args.role}) opgeslagen in {args.config}")
    return 0


def register_audit(sub: argparse._SubParsersAction) -> None:
    verify = sub.add_parser("audit-verify", help="controleer de hashketen van de audittrail")
    verify.add_argument("--path", help="audittrail (standaard AUDIT_PATH, of audit.jsonl naast het warehouse)")
    verify.add_argument(
        "--anchor", help="anker om tegen te controleren (standaard <audittrail>.anchor; bv. een kopie uit syslog)"
    )
    verify.set_defaults(run=cmd_audit_verify)


def register_user(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="beheer lokale accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="voeg een lokaal account toe (wachtwoord als argon2-hash)")
    add.add_argument("--config", default="config/access.toml", help="toegangsconfiguratie (TOML)")
    add.add_argument("--username", required=True)
    add.add_argument("--name", help="naam zoals getoond in de app")
    add.add_argument("--role", required=True, choices=["care_team", "centre_lead", "data_manager", "programme_lead", "admin"])
    add.add_argument("--centre", help="centrumcode (verplicht voor zorgteam, centrumleider en datamanager)")
    add.add_argument("--pathways", help="zorgpaden, met komma's (alleen zorgteams; leeg = alle)")
    add.add_argument("--password-stdin", action="store_true", help="lees het wachtwoord van standaardinvoer")
    add.set_defaults(run=cmd_user_add)
