"""The data manager's command line.

python -m warehouse load --db PATH FILE...        exit 0 all loaded, 1 rows quarantined, 2 unusable
python -m warehouse import-fhir --db PATH --centre CODE FILE_OR_FOLDER...   a FHIR R4 export, loaded the same way
python -m warehouse status --db PATH              the load log
python -m warehouse quarantine --db PATH          the rejected rows with their reasons
python -m warehouse demo --db PATH [--scale small|medium|large] [--seed N]
python -m warehouse audit-verify [--path P] [--anchor A]   "OK: N rows", or the first broken line (exit 1)
python -m warehouse pack --db PATH --centre CODE --pathway ID --month YYYY-MM --out FILE [--patients] [--lang nl|en]
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path

import polars as pl

from warehouse.connection import writer
from warehouse.loader import LoadReport, exit_code, load_paths

USAGE_ERROR = 2
SERVES_DATA = {"pack", "quarantine"}  # commands that show patient rows or peer codes
AUDITED_LOADS = {"load", "import-fhir"}  # commands that write to the warehouse and the audit trail


def format_report(r: LoadReport) -> str:
    head = f"{r.file_name}: {r.status}"
    if not r.usable:
        return f"{head} - {r.message}"
    counts = (
        f"{r.table_name}: gelezen {r.rows_read}, geladen {r.rows_loaded} "
        f"(nieuw {r.rows_new}, bijgewerkt {r.rows_updated}, ongewijzigd {r.rows_unchanged}), "
        f"quarantaine {r.rows_quarantined}, dubbel {r.rows_duplicate}"
    )
    return f"{head} - {counts}" + (f"; {r.message}" if r.message else "")


def cmd_load(args: argparse.Namespace) -> int:
    from access import audit
    from warehouse.limits import current

    delivered_on = dt.date.fromisoformat(args.delivered_on) if args.delivered_on else None
    db = Path(args.db)
    limits = current()  # a mistyped SAMEN_LIMIT_* stops here, in one line, before the warehouse is opened
    with writer(db) as con:
        reports = load_paths(con, [Path(f) for f in args.files], delivered_on, limits=limits)
    audit_file = Path(os.environ.get("AUDIT_PATH", str(db.with_name("audit.jsonl"))))
    for r in reports:
        print(format_report(r))
        audit.record("load", format_report(r), user=getpass.getuser(), path=audit_file)
    return exit_code(reports)


def cmd_import_fhir(args: argparse.Namespace) -> int:
    from access import audit
    from warehouse.fhir import FhirNotConfigured, import_paths, pseudonym_secret
    from warehouse.limits import current

    try:
        pseudonym_secret()  # no pseudonym key outside the demo: one line, before the warehouse is opened
    except FhirNotConfigured as err:
        print(f"fout: {err}", file=sys.stderr)
        return USAGE_ERROR
    missing = [f for f in args.files if not Path(f).exists()]
    if missing:
        print(f"fout: bestand of map bestaat niet: {missing[0]}", file=sys.stderr)
        return USAGE_ERROR
    delivered_on = dt.date.fromisoformat(args.delivered_on) if args.delivered_on else None
    db = Path(args.db)
    limits = current()
    with writer(db) as con:
        reports = import_paths(con, [Path(f) for f in args.files], args.centre, delivered_on, limits=limits)
    for r in reports:
        print(format_report(r))
        audit.record("load", "FHIR " + format_report(r), user=getpass.getuser(), path=_audit_file(db))
    return exit_code(reports)


def cmd_user_add(args: argparse.Namespace) -> int:
    from access.accounts import add_user

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Wachtwoord: ")
    pathways = [p.strip() for p in args.pathways.split(",")] if args.pathways else None
    add_user(Path(args.config), args.username, password, args.role, args.name or args.username, args.centre, pathways)
    print(f"gebruiker {args.username} ({args.role}) opgeslagen in {args.config}")
    return 0


def _audit_file(db: Path) -> Path:
    return Path(os.environ.get("AUDIT_PATH", str(db.with_name("audit.jsonl"))))


def _show(db: str, sql: str, audited: str | None = None) -> int:
    """Print a query's rows; ``audited``: they are patient rows, listed only after an audit row
    (the OS user, "cli_list_patient_rows", and the fingerprints of the rows) is written."""
    path = Path(db)
    if not path.exists():
        print(f"fout: geen warehouse op {path}", file=sys.stderr)
        return USAGE_ERROR
    from warehouse.connection import reader

    with reader(path) as con:
        frame = con.sql(sql).pl()
    if audited is not None:
        from access import audit

        fingerprints = [audit.fingerprint(k) for k in audit.patient_keys(frame)]
        what = f"{audited}: {frame.height} rows from {path.name}"
        audit.record("cli_list_patient_rows", what, user=getpass.getuser(), path=_audit_file(path), patients=fingerprints)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=120, tbl_width_chars=250, tbl_hide_dataframe_shape=True):
        print(frame if frame.height else "(leeg)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    return _show(
        args.db,
        "select load_id, file_name, table_name, status, loaded_at, delivered_on, rows_read, rows_loaded,"
        " rows_quarantined, rows_duplicate, left(checksum_sha256, 12) as checksum, message"
        " from load_log order by load_id, file_name",
    )


def cmd_quarantine(args: argparse.Namespace) -> int:
    return _show(
        args.db,
        "select load_id, file_name, row_number, column_name, value, reason from quarantine"
        " order by load_id, file_name, row_number, column_name",
        audited="quarantine",
    )


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """One line: "OK: N rows", or the first broken line (exit 1), held against the trail's anchor
    (``<trail>.anchor``, or ``--anchor``: a copy kept elsewhere); no trail and no anchor is exit 2."""
    from access import audit

    path = Path(args.path) if args.path else audit.audit_path()
    anchor = Path(args.anchor) if args.anchor else audit.anchor_path(path)
    if not path.is_file() and not anchor.exists():
        print(f"fout: geen audittrail op {path}", file=sys.stderr)
        return USAGE_ERROR
    result = audit.verify(path, anchor=anchor)
    print(result)
    return 0 if result.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from sample_data.demo import build_demo

    summary = build_demo(Path(args.db), scale=args.scale, seed=args.seed)
    print(summary)
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    from access import audit
    from access.roles import Role, Viewer
    from data_models.outcome_sets import outcome_sets
    from reports.meeting_pack import build

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
    audit_file = Path(os.environ.get("AUDIT_PATH", str(db.with_name("audit.jsonl"))))
    what = f"{args.centre} {args.pathway} {args.month} -> {out.name}" + (" (met patiënten)" if args.patients else "")
    audit.record("pack", what, user=getpass.getuser(), path=audit_file)
    print(f"vergaderstuk geschreven: {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m warehouse", description="Samen Leren warehouse: laden en beheren.")
    sub = p.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="lever bestanden aan (CSV, Parquet, Excel)")
    load.add_argument("--db", required=True, help="pad naar het warehouse (.duckdb)")
    load.add_argument("--delivered-on", help="leverdatum JJJJ-MM-DD (standaard vandaag)")
    load.add_argument("files", nargs="+", help="aangeleverde bestanden")
    load.set_defaults(run=cmd_load)
    fhir = sub.add_parser("import-fhir", help="lees een FHIR R4-export in (Bulk Data NDJSON, ook .gz, of Bundles)")
    fhir.add_argument("--db", required=True, help="pad naar het warehouse (.duckdb)")
    fhir.add_argument("--centre", required=True, help="centrumcode van het leverende centrum, bv. UMCU")
    fhir.add_argument("--delivered-on", help="leverdatum JJJJ-MM-DD (standaard vandaag)")
    fhir.add_argument("files", nargs="+", help="NDJSON- of JSON-bestanden, of een map met de export")
    fhir.set_defaults(run=cmd_import_fhir)
    for name, run, text in (
        ("status", cmd_status, "toon het laadlogboek"),
        ("quarantine", cmd_quarantine, "toon afgewezen rijen"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--db", required=True)
        cmd.set_defaults(run=run)
    verify = sub.add_parser("audit-verify", help="controleer de hashketen van de audittrail")
    verify.add_argument("--path", help="audittrail (standaard AUDIT_PATH, of audit.jsonl naast het warehouse)")
    verify.add_argument(
        "--anchor", help="anker om tegen te controleren (standaard <audittrail>.anchor; bv. een kopie uit syslog)"
    )
    verify.set_defaults(run=cmd_audit_verify)
    demo = sub.add_parser("demo", help="bouw het demo-warehouse uit synthetische gegevens")
    demo.add_argument("--db", required=True)
    demo.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    demo.add_argument("--seed", type=int, default=20261123)
    demo.set_defaults(run=cmd_demo)
    pack = sub.add_parser("pack", help="maak het vergaderstuk van een maandreview (HTML of PDF)")
    pack.add_argument("--db", required=True)
    pack.add_argument("--centre", required=True, help="centrumcode, bv. UMCU")
    pack.add_argument("--pathway", required=True, help="zorgpad, bv. knee_oa")
    pack.add_argument("--month", required=True, help="maand JJJJ-MM")
    pack.add_argument("--out", required=True, help="uitvoerbestand; .pdf geeft PDF, anders HTML")
    pack.add_argument("--patients", action="store_true", help="neem de patiëntenlijst op (vertrouwelijk)")
    pack.add_argument("--lang", default="nl", choices=["nl", "en"])
    pack.set_defaults(run=cmd_pack)
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
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:  # argparse already printed one line of usage error
        return USAGE_ERROR if exc.code else 0
    if args.command in SERVES_DATA:
        from access.settings import problems, refusal

        if found := problems():  # outside demo mode: one line until the install is configured
            print(f"fout: {refusal(found)}", file=sys.stderr)
            return USAGE_ERROR
    if args.command in AUDITED_LOADS:
        from access import audit
        from access.settings import NotConfigured

        try:  # before the warehouse is opened: a load that cannot be audited does not start
            audit.chain_key()
        except NotConfigured as err:
            print(f"fout: {err}", file=sys.stderr)
            return USAGE_ERROR
    try:
        return args.run(args)
    except Exception as err:  # noqa: BLE001 - the CLI's contract is one clear line and exit 2
        print(f"fout: {type(err).__name__}: {err}", file=sys.stderr)
        return USAGE_ERROR
