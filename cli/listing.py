"""What is in the warehouse: ``status`` (the load log) and ``quarantine`` (the rejected rows, audited)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import polars as pl

from access import audit
from cli.common import USAGE_ERROR, audit_file
from warehouse.connection import reader


def show(db: str, sql: str, audited: str | None = None) -> int:
    """Print a query's rows; ``audited``: they are patient rows, listed only after an audit row
    (the OS user, "cli_list_patient_rows", and the fingerprints of the rows) is written."""
    path = Path(db)
    if not path.exists():
        print(f"fout: geen warehouse op {path}", file=sys.stderr)
        return USAGE_ERROR
    with reader(path) as con:
        frame = con.sql(sql).pl()
    if audited is not None:
        fingerprints = [audit.fingerprint(k) for k in audit.patient_keys(frame)]
        what = f"{audited}: {frame.height} rows from {path.name}"
        audit.record("cli_list_patient_rows", what, user=getpass.getuser(), path=audit_file(path), patients=fingerprints)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=120, tbl_width_chars=250, tbl_hide_dataframe_shape=True):
        print(frame if frame.height else "(leeg)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    return show(
        args.db,
        "select load_id, file_name, table_name, status, loaded_at, delivered_on, rows_read, rows_loaded,"
        " rows_quarantined, rows_duplicate, left(checksum_sha256, 12) as checksum, message"
        " from load_log order by load_id, file_name",
    )


def cmd_quarantine(args: argparse.Namespace) -> int:
    return show(
        args.db,
        "select load_id, file_name, row_number, column_name, value, reason from quarantine"
        " order by load_id, file_name, row_number, column_name",
        audited="quarantine",
    )


def register(sub: argparse._SubParsersAction) -> None:
    for name, run, text in (
        ("status", cmd_status, "toon het laadlogboek"),
        ("quarantine", cmd_quarantine, "toon afgewezen rijen"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--db", required=True)
        cmd.set_defaults(run=run)
