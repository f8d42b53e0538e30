"""Deliveries into the warehouse: ``load`` (CSV, Parquet, Excel) and ``import-fhir`` (a FHIR R4 export).

Exit 0 all loaded, 1 rows quarantined, 2 unusable; every file's report is printed and audited. A load
publishes twice: the data and marts first (what the pages show), then the models fitted on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from access import audit
from cli.common import USAGE_ERROR, audit_file
from warehouse.connection import publish_pending_models, writer
from warehouse.limits import current
from warehouse.loader import LoadReport, exit_code, load_paths


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
    delivered_on = dt.date.fromisoformat(args.delivered_on) if args.delivered_on else None
    db = Path(args.db)
    limits = current()  # a mistyped SAMEN_LIMIT_* stops here, in one line, before the warehouse is opened
    with writer(db, models_later=True) as con:  # the month is served as soon as its data and marts are ready
        reports = load_paths(con, [Path(f) for f in args.files], delivered_on, limits=limits)
    for r in reports:
        print(format_report(r))
        audit.record("load", format_report(r), user=getpass.getuser(), path=audit_file(db))
    publish_pending_models(db)  # and its models follow in the next version
    return exit_code(reports)


def cmd_import_fhir(args: argparse.Namespace) -> int:
    from warehouse.fhir import FhirNotConfigured, import_paths, pseudonym_secret

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
    with writer(db, models_later=True) as con:
        reports = import_paths(con, [Path(f) for f in args.files], args.centre, delivered_on, limits=limits)
    for r in reports:
        print(format_report(r))
        audit.record("load", "FHIR " + format_report(r), user=getpass.getuser(), path=audit_file(db))
    publish_pending_models(db)
    return exit_code(reports)


def register(sub: argparse._SubParsersAction) -> None:
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
