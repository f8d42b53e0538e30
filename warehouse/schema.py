"""The warehouse's DuckDB schema.

The delivered tables are stored in schema ``store`` with bookkeeping columns (which load
last changed a row, when an episode was first delivered). The data standard's tables are
views in the main schema under their own names and columns, so an analyst queries
``episodes`` or ``costs`` with plain SQL. ``load_log`` and ``quarantine`` are main tables.

``episode_casemix`` is a view over those views, generated from the outcome sets: every
case-mix variable of every episode in one long shape, whatever table delivers it.
"""

from __future__ import annotations

import duckdb

from data_models.outcome_sets import CATEGORICAL, NUMERIC, OutcomeSet, outcome_sets
from data_models.schemas import TABLES

SCHEMA_VERSION = 2  # 2: baseline_characteristics and the episode_casemix view

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

# What the loads of one publish changed, kept in the writer's session only (a temp table, rolled back with
# its file): per row a centre, pathway and treatment month of an episode whose rows were inserted or
# replaced; a row with an empty centre means "everything" (a change no centre and pathway bounds, such as
# the centres). ``warehouse.marts`` rebuilds what it names; without the table, everything is rebuilt.
TOUCHED_DDL = "create temp table if not exists touched_keys (centre_code varchar, pathway varchar, month_date date)"


def touched_noted(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this connection's loads noted what they changed (the temp table of ``TOUCHED_DDL`` exists)."""
    found = con.execute("select count(*) from duckdb_tables() where temporary and table_name = 'touched_keys'").fetchall()
    return bool(found[0][0])


# What published versions changed that their models were not yet fitted on (``warehouse.models.defer``):
# the same keys, kept in the version until a follow-up publish fits them (``connection.publish_pending_models``).
PENDING_DDL = "create table if not exists store.pending_models (centre_code varchar, pathway varchar, month_date date)"


def quote(identifier: str) -> str:
    """A DuckDB identifier, quoted; only ever applied to names from the table registry."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A DuckDB string literal; only ever applied to codes from the outcome sets (never to user input)."""
    return "'" + text.replace("'", "''") + "'"


def table_ddl(name: str) -> str:
    spec = TABLES[name]
    cols = [quote(c) + " " + SQL_TYPES[str(spec.stored_dtype(c))] for c in spec.stored_columns]
    cols.append(BOOKKEEPING.get(name, "load_id bigint not null"))
    return "create table if not exists store." + quote(name) + " (" + ", ".join(cols) + ")"


VIEW_TEMPLATE = "create or replace view main.{view} as select {columns} from store.{table}"


def view_ddl(name: str, alias: str | None = None) -> str:
    """The view exposing a stored table under the data standard's name (or an alias) and columns.

    A table with derived columns shows them after the delivered ones (``baseline_characteristics``:
    ``value`` as delivered, ``value_number`` the number it holds for a numeric variable).
    """
    columns = ", ".join(quote(c) for c in TABLES[name].stored_columns)
    return VIEW_TEMPLATE.format(view=quote(alias or name), table=quote(name), columns=columns)


# episode_casemix. Grain: one row per episode (of ``episodes``) and case-mix variable of that
# episode's outcome set, every variable whatever table delivers it, and a row also when the
# value is missing. Columns: centre_code, episode_id, pathway, variable (the code in the outcome
# set), kind ("numeric" or "categorical"), origin ("episode": a fixed column of episodes;
# "outcome": a clinical outcome with role casemix; "prom": the baseline score of the pathway's
# primary instrument, empty when not answered; "characteristic": a row of
# baseline_characteristics), value_number (numeric variables) and value_text (categorical
# variables: the choice code). At most one of the two is filled; both empty = not delivered.
# So completeness is ``count(value_number) + count(value_text)`` over ``count(*)``.
CASEMIX_VIEW = """create or replace view main.episode_casemix as
with variables (pathway, variable, kind, origin, source) as ({variables})
select e.centre_code, e.episode_id, e.pathway, v.variable, v.kind, v.origin,
    case when v.kind = 'numeric' then {episode_number} end as value_number,
    case when v.kind = 'categorical' then {episode_text} end as value_text
from main.episodes as e join variables as v on v.pathway = e.pathway and v.origin = 'episode'
union all
select e.centre_code, e.episode_id, e.pathway, v.variable, v.kind, v.origin,
    case when v.kind = 'numeric' then o.value end, case when v.kind = 'categorical' then cast(o.value as varchar) end
from main.episodes as e join variables as v on v.pathway = e.pathway and v.origin = 'outcome'
left join main.clinical_outcomes as o
    on o.centre_code = e.centre_code and o.episode_id = e.episode_id and o.outcome = v.source
union all
select e.centre_code, e.episode_id, e.pathway, v.variable, v.kind, v.origin,
    case when v.kind = 'numeric' then p.score end, case when v.kind = 'categorical' then cast(p.score as varchar) end
from main.episodes as e join variables as v on v.pathway = e.pathway and v.origin = 'prom'
left join main.prom_measurements as p
    on p.centre_code = e.centre_code and p.episode_id = e.episode_id and p.instrument = v.source
    and p.timepoint = 'baseline'
union all
select e.centre_code, e.episode_id, e.pathway, v.variable, v.kind, v.origin,
    case when v.kind = 'numeric' then b.value_number end, case when v.kind = 'categorical' then b.value end
from main.episodes as e join variables as v on v.pathway = e.pathway and v.origin = 'characteristic'
left join main.baseline_characteristics as b
    on b.centre_code = e.centre_code and b.episode_id = e.episode_id and b.variable = v.variable"""
CASEMIX_COMMENT = (
    "Every case-mix variable of every episode, one row per episode and variable of its outcome set"
    " (also when missing); value_number for numeric, value_text for categorical variables."
)
NO_VARIABLES = "select null::varchar, null::varchar, null::varchar, null::varchar, null::varchar where false"


def _casemix_source(oset: OutcomeSet, code: str) -> str:
    """Where the view reads a variable: the episode column, the outcome code, the primary instrument or its own code."""
    var = oset.casemix[code]
    if var.origin == "prom":
        return oset.primary_instrument
    if var.origin == "episode" and var.column not in TABLES["episodes"].columns:
        raise ValueError(f"{oset.pathway}.yaml: casemix.{code}.source: episodes has no column {var.column}")
    return var.column


def casemix_view_ddl(sets: dict[str, OutcomeSet] | None = None) -> str:
    """The ``episode_casemix`` view for the configured outcome sets (see the grain above)."""
    sets = outcome_sets() if sets is None else sets
    rows = [
        (oset.pathway, code, var.kind, var.origin, _casemix_source(oset, code))
        for oset in sets.values()
        for code, var in oset.casemix.items()
    ]
    variables = "values " + ", ".join("(" + ", ".join(literal(x) for x in row) + ")" for row in rows) if rows else NO_VARIABLES
    columns = {kind: sorted({r[4] for r in rows if r[3] == "episode" and r[2] == kind}) for kind in (NUMERIC, CATEGORICAL)}
    number = " ".join(f"when {literal(c)} then try_cast(e.{quote(c)} as double)" for c in columns[NUMERIC])
    text = " ".join(f"when {literal(c)} then cast(e.{quote(c)} as varchar)" for c in columns[CATEGORICAL])
    return CASEMIX_VIEW.format(
        variables=variables,
        episode_number=f"case v.source {number} end" if number else "null::double",
        episode_text=f"case v.source {text} end" if text else "null::varchar",
    )


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse's tables and views when they do not exist yet (idempotent)."""
    con.execute("create schema if not exists store")
    con.execute(LOG_DDL)
    for name, spec in TABLES.items():
        con.execute(table_ddl(name))
        con.execute(view_ddl(name))
        for alias in spec.aliases:
            con.execute(view_ddl(name, alias))
    con.execute(casemix_view_ddl())
    con.execute("comment on view main.episode_casemix is " + literal(CASEMIX_COMMENT))
    # columns added after schema version 1 first shipped
    con.execute("alter table load_log add column if not exists centre_codes varchar")
    con.execute("alter table quarantine add column if not exists centre_code varchar")
    con.execute(
        "insert into store.meta values ('schema_version', $v) on conflict (key) do update set value = excluded.value",
        {"v": str(SCHEMA_VERSION)},
    )
