"""``export-fhir``: one centre's demo data as a FHIR R4 Bulk Data export (NDJSON per resource type and the
``$export`` manifest), so that ``import-fhir`` and the upload page can be tried in one command.

The data is the demo simulation's (``sample_data``, imported only when the command runs), as a full
export at the delivery of the given month: everything of the centre delivered up to then.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import USAGE_ERROR


def cmd_export_fhir(args: argparse.Namespace) -> int:
    from sample_data.fhir_export import MonthNotInDemo, centre_export, write_export, zipped
    from sample_data.generator import simulate

    sim = simulate(seed=args.seed, scale=args.scale)
    try:
        tables, on = centre_export(sim, args.centre, args.month)
    except MonthNotInDemo as err:
        print(f"fout: {err}", file=sys.stderr)
        return USAGE_ERROR
    out = Path(args.out)
    request = f"https://demo.samenleren.nl/fhir/Group/{args.centre}/$export?_outputFormat=application/fhir%2Bndjson"
    export = write_export(tables, out, compress=args.gzip, transaction_time=_midnight(on), request=request)
    print(f"{export.summary()}; levering van {on.isoformat()} in {out}")
    if args.zip:
        archive = zipped(export, out.with_name(f"{out.name}.zip"))
        print(f"zip voor de uploadpagina: {archive}")
    print(f"inlezen: python -m cli import-fhir --db <warehouse> --centre {args.centre} {out}")
    return 0


def _midnight(day):
    import datetime as dt

    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def register(sub: argparse._SubParsersAction) -> None:
    fhir = sub.add_parser("export-fhir", help="schrijf de demogegevens van een centrum als FHIR Bulk Data-export")
    fhir.add_argument("--centre", required=True, help="centrumcode uit de demo, bv. UMCU")
    fhir.add_argument("--month", required=True, help="de maand JJJJ-MM: alles wat het centrum tot en met die levering aanleverde")
    fhir.add_argument("--out", required=True, help="map voor de NDJSON-bestanden en manifest.json")
    fhir.add_argument("--gzip", action="store_true", help="schrijf .ndjson.gz")
    fhir.add_argument("--zip", action="store_true", help="maak ook <out>.zip (voor de uploadpagina)")
    fhir.add_argument("--scale", default="small", choices=["tiny", "small"], help="schaal van de demo (standaard small)")
    fhir.add_argument("--seed", type=int, default=20261123)
    fhir.set_defaults(run=cmd_export_fhir)
