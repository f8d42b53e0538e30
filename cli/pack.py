"""``pack``: the meeting pack of a monthly review, HTML or PDF, written by the centre's lead."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from access import audit
from access.roles import Role, Viewer
from cli.common import USAGE_ERROR, audit_file
from data_models.outcome_sets import outcome_sets


def cmd_pack(args: argparse.Namespace) -> int:
    from reports.meeting_pack import build  # only when asked: the other commands do not load the report builder

    db, out = Path(args.db), Path(args.out)
    if not db.exists():
        print(f"fout: geen warehouse op {db}", file=sys.stderr)
        return USAGE_ERROR
    if args.pathway not in outcome_sets():
        print(f"fout: onbekend zorgpad {args.pathway!r}; kies uit {', '.join(outcome_sets())}", file=sys.stderr)
        return USAGE_ERROR
    month = dt.datetime.strptime(args.month, "%Y-%m").date()
    # whoever runs the command line can read the warehouse file itself: they act as the centre's lead
    viewer = Viewer(getpass.getuser(), getpass.getuser(), Role.CENTRE_LEAD, args.centre)
    file_format = "pdf" if out.suffix.lower() == ".pdf" else "html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build(viewer, db, args.centre, args.pathway, month, file_format, args.patients, args.lang))
    what = f"{args.centre} {args.pathway} {args.month} -> {out.name}" + (" (met patiënten)" if args.patients else "")
    audit.record("pack", what, user=getpass.getuser(), path=audit_file(db))
    print(f"vergaderstuk geschreven: {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    pack = sub.add_parser("pack", help="maak het vergaderstuk van een maandreview (HTML of PDF)")
    pack.add_argument("--db", required=True)
    pack.add_argument("--centre", required=True, help="centrumcode, bv. UMCU")
    pack.add_argument(
        "--pathway", required=True, help="zorgpad: de naam van een uitkomstenset (data_models/outcome_sets/<zorgpad>.yaml)"
    )
    pack.add_argument("--month", required=True, help="maand JJJJ-MM")
    pack.add_argument("--out", required=True, help="uitvoerbestand; .pdf geeft PDF, anders HTML")
    pack.add_argument("--patients", action="store_true", help="neem de patiëntenlijst op (vertrouwelijk)")
    pack.add_argument("--lang", default="nl", choices=["nl", "en"])
    pack.set_defaults(run=cmd_pack)
