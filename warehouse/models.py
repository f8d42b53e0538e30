"""Fitted models stored with the data version they were fitted on.

A publish (``connection.writer``) calls ``prepare`` on the new version just before it is switched
in: it empties the model tables the copied previous version carried (after a load, only the rows of the
pathways the load touched: the others were fitted on the same rows) and runs the fitters registered
with ``fit_on_publish`` for those pathways, each of which stores its rows with ``store``. So every process (and every
replica) reads the same coefficients from the version it serves, and no page fits a model.

A command-line load publishes in two steps (``connection.writer(models_later=True)``, then
``connection.publish_pending_models``): the version with the new data and marts carries the models it
copied and notes what they were not fitted on (``defer``: ``store.pending_models``); the follow-up
version fits those pathways (``take_pending``). A publish that fits also fits whatever an earlier
version left pending, so a follow-up that never ran is made up by the next.

The warehouse layer may not import the statistics above it, so the fitting is injected: the
command line (for the one command it runs, ``fitting_on_publish``) and the server (for its lifetime,
``fit_on_publish``) register ``services.patients_like_me.publish_models``. A publish without a registered fitter (a test building a fixture)
stores no models, and the services fit in process as before.

Tables (``pathway`` and ``row_order`` on every row; ``centre_code`` null for the pooled models):

- ``model_pathways``: per pathway the case-mix numbers that similar patients are counted on;
- ``model_options``: per centre and treatment, the patients fitted on and the input ranges (JSON);
- ``model_fits``: per model, its design (medians, levels), covariance, scale and residual df;
- ``model_coefficients``: per model and term, the estimate (what an analyst reads);
- ``model_validation``: per treatment and outcome, the held-out validation figures;
- ``model_similarity``: per training patient, centre, treatment and its case-mix numbers (counts only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import duckdb
import polars as pl

from warehouse.schema import PENDING_DDL, TOUCHED_DDL, touched_noted

# ``fitter(con, pathways)`` stores the models of those pathways (None: every one).
Fitter = Callable[[duckdb.DuckDBPyConnection, Sequence[str] | None], None]

TABLES: dict[str, str] = {
    "model_pathways": "pathway varchar, row_order bigint, similarity_variables varchar",
    "model_options": "pathway varchar, row_order bigint, centre_code varchar, treatment varchar, patients_n bigint, ranges varchar",
    "model_fits": (
        "pathway varchar, row_order bigint, centre_code varchar, treatment varchar, model varchar, kind varchar, "
        "design varchar, covariance varchar, scale double, df_resid double"
    ),
    "model_coefficients": (
        "pathway varchar, row_order bigint, centre_code varchar, treatment varchar, model varchar, position integer, "
        "term varchar, estimate double"
    ),
    "model_validation": (
        "pathway varchar, row_order bigint, treatment varchar, outcome varchar, train_n bigint, test_n bigint, "
        "c_statistic double, brier double, r_squared double, interval_coverage double, calibration varchar"
    ),
    "model_similarity": "pathway varchar, row_order bigint, centre_code varchar, treatment varchar, numbers double[]",
    # the comparison page's per-centre aggregates per indicator and closed half-year (services.peer_comparison)
    "peer_aggregates": (
        "pathway varchar, row_order bigint, indicator varchar, period_start date, centre_code varchar, patients_n bigint, "
        "observed double, expected double, crude_rate double, oe_ratio double, adjusted_rate double, crude_mean double, "
        "expected_mean double, adjusted_mean double, cell_min_n bigint, residual_sd double, missing varchar"
    ),
}
# Tables whose fitter replaces only the periods a load changed (``replace_periods``): a load keeps their other
# rows, where the other tables lose every row of a touched pathway.
PER_PERIOD = frozenset({"peer_aggregates"})
_DELETE_PERIODS = {
    "peer_aggregates": "delete from peer_aggregates where pathway = $pathway and list_contains($starts, period_start)"
}
_FITTERS: list[Fitter] = []


def fit_on_publish(fitter: Fitter) -> None:
    """Let every later publish in this process run ``fitter`` on the new version (registered once)."""
    if fitter not in _FITTERS:
        _FITTERS.append(fitter)


@contextmanager
def fitting_on_publish(fitter: Fitter) -> Iterator[None]:
    """``fitter`` runs on every publish inside the block (a command line's publish), and no longer after it."""
    added = fitter not in _FITTERS
    fit_on_publish(fitter)
    try:
        yield
    finally:
        if added:
            _FITTERS.remove(fitter)


def as_made(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the version carries every model table with the columns of ``TABLES`` (one made before may not)."""
    for table, columns in TABLES.items():
        found = con.execute(
            "select string_agg(column_name || ' ' || lower(data_type), ', ' order by column_index) from duckdb_columns()"
            " where schema_name = 'main' and table_name = $table",
            {"table": table},
        ).fetchone()
        if not found or found[0] != columns.lower():
            return False
    return True


def fitting() -> bool:
    """Whether a fitter is registered in this process (a publish fits models)."""
    return bool(_FITTERS)


def defer(con: duckdb.DuckDBPyConnection) -> None:
    """Keep what this publish's loads changed in the version (``store.pending_models``) instead of fitting it
    now: the version is published with the models the copied version carried, and a follow-up publish
    (``take_pending``) fits them. Unknown changes are kept as "everything"."""
    con.execute(PENDING_DDL)
    if touched_noted(con):
        con.execute("insert into store.pending_models select distinct * from touched_keys")
    else:
        con.execute("insert into store.pending_models values (null, null, null)")


def pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the version carries changes its models were not fitted on yet."""
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'store' and table_name = 'pending_models'"
    ).fetchall()
    return bool(found[0][0]) and bool(con.execute("select count(*) from store.pending_models").fetchall()[0][0])


def drop_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the deferred changes (a whole refit is fitting everything)."""
    if pending(con):
        con.execute("delete from store.pending_models")


def take_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Add the changes earlier versions deferred to this publish's (``touched_keys``), so its fitters fit them,
    and clear them from the version; False when none were deferred."""
    if not pending(con):
        return False
    con.execute(TOUCHED_DDL)
    con.execute("insert into touched_keys select * from store.pending_models")
    con.execute("delete from store.pending_models")
    return True


def prepare(con: duckdb.DuckDBPyConnection, pathways: Sequence[str] | None = None) -> None:
    """Fit the models of the version being published (the publish step calls this): every pathway's (None),
    or only those of ``pathways``, the others keeping the rows the copied version carries (their data did
    not change). A version without the model tables as ``TABLES`` has them makes it a whole refit."""
    if pathways is not None and as_made(con):
        wanted = sorted(pathways)
        if not wanted:
            return
        for table in TABLES.keys() - PER_PERIOD:  # names are the constants above; the pathways a bound list
            con.execute(f"delete from {table} where list_contains($pathways, pathway)", {"pathways": wanted})  # nosec B608 # fixed names
        for fitter in _FITTERS:
            fitter(con, wanted)
        return
    for table, columns in TABLES.items():
        con.execute(f"create or replace table {table} ({columns})")  # names and columns are the constants above
    for fitter in _FITTERS:
        fitter(con, None)


def touched_months(con: duckdb.DuckDBPyConnection, pathway: str) -> set[dt.date] | None:
    """The treatment months (first days) of ``pathway`` the loads of this publish changed; None: unknown, or
    everything (``python -m warehouse rebuild``, a load of a table without episodes). ``warehouse.loader`` notes them."""
    if not touched_noted(con):
        return None
    everything = con.execute("select count(*) from touched_keys where pathway is null or month_date is null").fetchall()
    if everything[0][0]:
        return None
    rows = con.execute("select distinct month_date from touched_keys where pathway = $pathway", {"pathway": pathway})
    return {month for (month,) in rows.fetchall()}


def stored_periods(con: duckdb.DuckDBPyConnection, table: str, pathway: str) -> set[dt.date]:
    """The periods (``period_start``) a per-period model table holds for ``pathway`` in this version."""
    if table not in PER_PERIOD:
        raise KeyError(f"{table!r} is not kept per period")
    rows = con.table(table).filter(duckdb.ColumnExpression("pathway") == duckdb.ConstantExpression(pathway))
    return {start for (start,) in rows.select("period_start").distinct().fetchall()}


def replace_periods(con: duckdb.DuckDBPyConnection, table: str, pathway: str, starts: set[dt.date], rows: pl.DataFrame) -> None:
    """Replace one pathway's rows of the periods ``starts`` in a per-period model table by ``rows``."""
    if table not in PER_PERIOD:
        raise KeyError(f"{table!r} is not kept per period")
    con.execute(_DELETE_PERIODS[table], {"pathway": pathway, "starts": sorted(starts)})
    if rows.height:
        store(con, table, pathway, rows)


def store(con: duckdb.DuckDBPyConnection, table: str, pathway: str, rows: pl.DataFrame) -> None:
    """Append one pathway's rows to a model table of the version being published (in order, after its rows there)."""
    if table not in TABLES:
        raise KeyError(f"no model table {table!r}")
    rows_there = con.table(table).filter(duckdb.ColumnExpression("pathway") == duckdb.ConstantExpression(pathway))
    first = rows_there.aggregate("coalesce(max(row_order) + 1, 0)").fetchall()[0][0]
    order = pl.int_range(pl.len(), dtype=pl.Int64) + first
    frame = rows.with_columns(pl.lit(pathway).alias("pathway"), order.alias("row_order"))
    columns = con.table(table).columns
    unknown = set(frame.columns) - set(columns)
    if unknown:
        raise KeyError(f"{table} has no columns {sorted(unknown)}")
    missing = [pl.lit(None).alias(c) for c in columns if c not in frame.columns]  # as an insert by name leaves them
    con.from_arrow(frame.with_columns(missing).select(columns).to_arrow()).insert_into(table)


def has_models(con: duckdb.DuckDBPyConnection, pathway: str) -> bool:
    """Whether this version carries the models of a pathway (a version published without a fitter does not)."""
    tables = con.execute("select count(*) from duckdb_tables() where table_name = 'model_pathways'").fetchall()
    if not tables[0][0]:
        return False
    found = con.execute("select count(*) from model_pathways where pathway = $pathway", {"pathway": pathway}).fetchall()
    return bool(found[0][0])


def read(con: duckdb.DuckDBPyConnection, table: str, pathway: str) -> pl.DataFrame:
    """One pathway's rows of a model table, in the order they were stored."""
    if table not in TABLES:
        raise KeyError(f"no model table {table!r}")
    rows = con.table(table).filter(duckdb.ColumnExpression("pathway") == duckdb.ConstantExpression(pathway))
    kept = [c for c in rows.columns if c not in ("pathway", "row_order")]
    return rows.order("row_order").select(*kept).pl()
