"""The warehouse's DuckDB schema.

The delivered tables are stored in schema ``store`` with bookkeeping columns (which load
last changed a row, when an episode was first delivered). The data standard's tables are
views in the main schema under their own names and columns, so an analyst queries
``episodes`` or ``costs`` with plain SQL. ``load_log`` and ``quarantine`` are main tables.
"""

from __future__ import annotations

import duckdb

from data_models.schemas import TABLES

SCHEMA_VERSION = 1

SQL_TYPES = {"String": "varchar", "Date": "date", "Int64": "bigint", "Float64": "double", "Boolean": "boolean"}

BOOKKEEPING = {
    "episodes": "load_id bigint not null, first_delivered_on date not null",
}

LOG_DDL = """
create sequence if not exists load_id_seq;
create table if not exists load_log (
    load_id bigint not null,
    file_name varchar not null,
    table_name varchar,
    checksum_sha256 varchar,
    loaded_at timestamp not null,
    delivered_on date,
    rows_read bigint not null default 0,
    rows_loaded bigint not null default 0,
    rows_new bigint not null default 0,
    rows_updated bigint not null default 0,
    rows_unchanged bigint not null default 0,
    rows_quarantined bigint not null default 0,
    rows_duplicate bigint not null default 0,
    status varchar not null,
    message varchar,
    ignored_columns varchar,
    centre_codes varchar
);
create table if not exists quarantine (
    load_id bigint not null,
    file_name varchar not null,
    table_name varchar not null,
    checksum_sha256 varchar not null,
    centre_code varchar,
    row_number bigint not null,
    column_name varchar,
    value varchar,
    reason varchar not null
);
create table if not exists store.meta (key varchar primary key, value varchar);
"""


def quote(identifier: str) -> str:
    """A DuckDB identifier, quoted; only ever applied to names from the table registry."""
    return '"' + identifier.replace('"', '""') + '"'


def table_ddl(name: str) -> str:
    spec = TABLES[name]
    cols = [quote(c) + " " + SQL_TYPES[str(spec.dtypes[c])] for c in spec.columns]
    cols.append(BOOKKEEPING.get(name, "load_id bigint not null"))
    return "create table if not exists store." + quote(name) + " (" + ", ".join(cols) + ")"


VIEW_TEMPLATE = "create or replace view main.{table} as select {columns} from store.{table}"


def view_ddl(name: str) -> str:
    """The view exposing a stored table under the data standard's name and columns."""
    return VIEW_TEMPLATE.format(table=quote(name), columns=", ".join(quote(c) for c in TABLES[name].columns))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse's tables and views when they do not exist yet (idempotent)."""
    con.execute("create schema if not exists store")
    con.execute(LOG_DDL)
    for name in TABLES:
        con.execute(table_ddl(name))
        con.execute(view_ddl(name))
    # columns added after schema version 1 first shipped
    con.execute("alter table load_log add column if not exists centre_codes varchar")
    con.execute("alter table quarantine add column if not exists centre_code varchar")
    con.execute(
        "insert into store.meta values ('schema_version', $v) on conflict (key) do update set value = excluded.value",
        {"v": str(SCHEMA_VERSION)},
    )
