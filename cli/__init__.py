"""The data manager's command line, at the top of the layers (beside ``pages``): it may import every
package below it, and none imports it.

python -m cli load --db PATH FILE...        exit 0 all loaded, 1 rows quarantined, 2 unusable
python -m cli import-fhir --db PATH --centre CODE FILE_OR_FOLDER...   a FHIR R4 export, loaded the same way
python -m cli export-fhir --centre CODE --month YYYY-MM --out DIR [--gzip] [--zip]   the demo's data as a FHIR export
python -m cli status --db PATH              the load log
python -m cli rebuild --db PATH             build the marts and layout of a warehouse, published as a new version
python -m cli quarantine --db PATH          the rejected rows with their reasons
python -m cli demo --db PATH [--scale tiny|small|medium|large] [--seed N]
python -m cli audit-verify [--path P] [--anchor A]   "OK: N rows", or the first broken line (exit 1)
python -m cli pack --db PATH --centre CODE --pathway ID --month YYYY-MM --out FILE [--patients] [--lang nl|en]
python -m cli user add --username NAME --role ROLE [--centre CODE] [--pathways a,b] [--password-stdin]

``python -m warehouse <command>`` runs the same commands (``warehouse/__main__.py`` hands over to
:func:`main`), so existing scripts and the documentation's examples keep working.

The commands live by what they touch: ``cli.loads`` (load, import-fhir), ``cli.listing`` (status,
quarantine), ``cli.admin`` (audit-verify, user add), ``cli.demo`` (the generator), ``cli.fhir_export``
(the generator's data as a FHIR export), ``cli.pack`` (the meeting pack) and ``cli.rebuild`` (a
warehouse's marts and layout, published as a new version). The demo generator and
the report builder are imported only by their command.
"""

from __future__ import annotations

import argparse
import sys

from cli import admin, demo, fhir_export, listing, loads, pack, rebuild
from cli.common import USAGE_ERROR
from warehouse.models import fitting_on_publish

SERVES_DATA = {"pack", "quarantine"}  # commands that show patient rows or peer codes
AUDITED_LOADS = {"load", "import-fhir"}  # commands that write to the warehouse and the audit trail
PROG = "python -m cli"

__all__ = ["AUDITED_LOADS", "PROG", "SERVES_DATA", "USAGE_ERROR", "main", "parser"]


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Samen Leren warehouse: laden en beheren.")
    sub = p.add_subparsers(dest="command", required=True)
    loads.register(sub)
    listing.register(sub)
    admin.register_audit(sub)
    demo.register(sub)
    fhir_export.register(sub)
    pack.register(sub)
    rebuild.register(sub)
    admin.register_user(sub)
    return p


def _publish_models(con: object, pathways: list[str] | None = None) -> None:
    from services.patients_like_me import publish_models  # statsmodels only when a command publishes
    from services.peer_comparison import publish_peer_aggregates

    publish_models(con, pathways)  # type: ignore[arg-type]
    publish_peer_aggregates(con, pathways)  # type: ignore[arg-type]


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    p = parser(prog)
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
        with fitting_on_publish(_publish_models):  # a version this command publishes carries its fitted models
            return args.run(args)
    except Exception as err:  # noqa: BLE001 - the CLI's contract is one clear line and exit 2
        print(f"fout: {type(err).__name__}: {err}", file=sys.stderr)
        return USAGE_ERROR
