"""``rebuild``: make an existing warehouse ready to serve and publish it as a new version.

A warehouse loaded before there were marts (or whose marts should be built again) is copied into a
new version like any load; the publish step lays its tables out and builds its marts
(``warehouse.marts``) before the atomic switch, so readers move to it in one step and a crash leaves
the published version as it was. No delivered row changes. ``--if-out-of-date`` does it only when the published version lacks a mart
this code reads, holds one built by other SQL, or lacks the model tables as this code stores them
(``warehouse.connection.out_of_date``): ``make run`` asks it before serving a demo built earlier. When only marts
are out of date, only they (and the marts built after them) are built: the data did not change, so the other marts
and the models the version carries stand.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cli.common import USAGE_ERROR
from warehouse.connection import out_of_date, publish_pending_models, published, writer
from warehouse.schema import TOUCHED_DDL, ensure_schema


def cmd_rebuild(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if not db.exists():
        print(f"fout: geen warehouse op {db}", file=sys.stderr)
        return USAGE_ERROR
    missing: list[str] = []
    if args.if_out_of_date:
        missing = out_of_date(db)
        if not missing:
            if publish_pending_models(db):  # a load whose models did not follow (stopped halfway)
                print(f"modellen bijgewerkt en gepubliceerd: {published(db).name}")
            print(f"klaar om te serveren: {published(db).name}")
            return 0
        print(f"niet bij met deze versie van de code: {', '.join(missing)}; wordt opnieuw opgebouwd")
    start = time.perf_counter()
    with writer(db) as con:
        ensure_schema(con)  # an older warehouse gets the views and columns added since
        if missing and "models" not in missing:
            con.execute(TOUCHED_DDL)  # nothing delivered changed: the marts build only those out of date
    print(f"opnieuw opgebouwd en gepubliceerd: {published(db).name} ({time.perf_counter() - start:.1f} s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    rebuild = sub.add_parser("rebuild", help="bouw de marts en de indeling van een bestaand warehouse en publiceer het")
    rebuild.add_argument("--db", required=True, help="pad naar het warehouse (.duckdb)")
    rebuild.add_argument(
        "--if-out-of-date", action="store_true", help="alleen als marts of modellen niet bij zijn met deze versie van de code"
    )
    rebuild.set_defaults(run=cmd_rebuild)
