"""The marts: what the pages read, built once per published version, before the switch.

A load (or ``python -m warehouse rebuild``) writes a new version of the warehouse; before
``warehouse.connection.writer`` publishes it, :func:`build` lays the episodes out in the order the
questions ask them (centre, pathway, treatment date) and builds every mart of ``warehouse/marts/``
(one ``.sql`` file each, its grain in its header) as a table in schema ``marts``. So the monthly
facts a page shows are grouped once per version, not at every view, and child rows (PROMs,
outcomes) carry their episode's centre, pathway and treatment month, stored in that order, so
DuckDB's zone maps skip the row groups a question does not need. The raw tables stay as they are,
for analysts and the patient lists.

A publish whose changes all came through the loader rebuilds only what they touched (the loader
notes the centres, pathways and months of the episodes it inserted or replaced: ``touched``). Each
mart says in its header how it is rebuilt: ``-- Rebuild: per pathway and treatment month (column)``
(each row belongs to one episode's treatment month, in that column: the touched pathways' rows in runs of
the touched months are deleted and its SELECT, filtered to the same, inserted; a monthly delivery of
every centre touches a year or so of months, not the whole history), ``per centre and pathway`` (its rows carry
centre_code and pathway: the touched pairs are deleted and its SELECT, filtered to each centre's touched
pathways, inserted; the filter is a constant that DuckDB pushes down to the scans), ``-- Rebuild: per pathway`` (rows
pooling centres: the touched pathways) or ``-- Rebuild: whole`` (the default). New rows are appended
in the mart's own order, so they form row groups of their own and the zone maps keep skipping. A
version whose marts were built by other SQL (a new or changed mart file; the version records each
mart's digest in ``store.meta``) and ``python -m warehouse rebuild`` build everything, as the first load does.
A failure here fails the writer's block, so the version is never published (crash safety).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.schema import quote, touched_noted

MART_DIR = Path(__file__).parent / "marts"
# Built in the order of ``build_order.txt`` (one name per line): the layout marts first, the ones built on them after.
ORDER = tuple(
    line.strip()
    for line in (MART_DIR / "build_order.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
# The episodes in the order the questions filter them (the table keeps its constraints).
SORT_EPISODES = (
    "create or replace temp table sorted_episodes as select * from store.episodes "
    "order by centre_code, pathway, treatment_date, episode_id"
)


PER_CENTRE_AND_PATHWAY, PER_PATHWAY, WHOLE = "per centre and pathway", "per pathway", "whole"
# Rows that belong to one episode's treatment month, in the column named in brackets (a month's first day, or
# the treatment date itself): the touched pathways' rows in the touched months' runs are rebuilt.
PER_PATHWAY_AND_MONTH = "per pathway and treatment month"
PER_MONTH = re.compile(r"^per pathway and treatment month \((\w+)\)$")
# The filter of a run of months, per column a mart may name (fixed text; the values are bound).
MONTH_FILTERS = {
    "month_date": "list_contains($pathways, pathway) and month_date >= $first and month_date < $after",
    "treatment_date": "list_contains($pathways, pathway) and treatment_date >= $first and treatment_date < $after",
}
REBUILD = re.compile(r"^--\s*Rebuild:\s*(.*?)\s*$", re.MULTILINE)
# Touched months further apart than this start a run of their own (a correction of an old month is not
# worth rebuilding every month between it and the new one).
MONTHS_APART = 3
# More touched parts (centres, or pathways) than this and the mart is rebuilt whole: a filtered statement per
# part costs a scan of the child tables each, and a delivery of every centre touches nearly every part anyway.
MOST_PARTS = 12


@dataclass(frozen=True)
class Touched:
    """The (centre_code, pathway) pairs the loads of one publish changed, and the treatment months (first days)."""

    pairs: frozenset[tuple[str, str]]
    months: frozenset[dt.date] = frozenset()

    @property
    def pathways(self) -> list[str]:
        return sorted({pathway for _, pathway in self.pairs})


def mart_sql(name: str) -> str:
    """The SELECT of one mart (its file's text)."""
    if name not in ORDER:
        raise KeyError(f"no mart named {name!r}")
    return (MART_DIR / f"{name}.sql").read_text(encoding="utf-8")


def rebuild_kind(sql: str) -> str:
    """How a mart is rebuilt after a load, from its header line ``-- Rebuild: …`` (whole without one)."""
    found = REBUILD.search(sql)
    kind = found.group(1) if found else WHOLE
    if PER_MONTH.match(kind):
        return PER_PATHWAY_AND_MONTH
    if kind not in (PER_CENTRE_AND_PATHWAY, PER_PATHWAY, WHOLE):
        raise ValueError(
            f"unknown rebuild {kind!r}; say {PER_CENTRE_AND_PATHWAY!r}, {PER_PATHWAY!r}, {WHOLE!r}"
            f" or {PER_PATHWAY_AND_MONTH + ' (column)'!r}"
        )
    return kind


def month_column(sql: str) -> str:
    """The column a mart rebuilt per pathway and treatment month names in its header."""
    found = REBUILD.search(sql)
    month = PER_MONTH.match(found.group(1)) if found else None
    if month is None:
        raise ValueError("the mart is not rebuilt per pathway and treatment month")
    return month.group(1)


def month_runs(months: frozenset[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The touched months as runs (first month, first day after the run's last month); months at most
    ``MONTHS_APART`` apart share a run."""
    runs: list[tuple[dt.date, dt.date]] = []
    for month in sorted(months):
        after = _next_month(month)
        if runs and month <= _add_months(runs[-1][1], MONTHS_APART - 1):
            runs[-1] = (runs[-1][0], after)
        else:
            runs.append((month, after))
    return runs


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _next_month(month: dt.date) -> dt.date:
    return _add_months(month.replace(day=1), 1)


def touched(con: duckdb.DuckDBPyConnection) -> Touched | None:
    """What this connection's loads changed (``warehouse.loader`` notes it); None: unknown or everything."""
    if not touched_noted(con):
        return None
    keys = con.execute("select distinct centre_code, pathway, month_date from touched_keys").fetchall()
    if any(value is None for key in keys for value in key):
        return None
    return Touched(frozenset((centre, pathway) for centre, pathway, _ in keys), frozenset(month for *_, month in keys))


def has_warehouse(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection holds the delivered tables (a new, empty writer block has none yet)."""
    found = con.execute("select count(*) from duckdb_tables() where schema_name = 'store' and table_name = 'episodes'").fetchone()
    return bool(found and found[0])


def lay_out(con: duckdb.DuckDBPyConnection) -> None:
    """Store the episodes ordered by centre, pathway and treatment date (rewritten in place)."""
    con.execute(SORT_EPISODES)
    con.execute("delete from store.episodes")
    con.execute("insert into store.episodes select * from sorted_episodes")
    con.execute("drop table sorted_episodes")


def _digest(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def _built(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The digest of the SQL each mart of this version was built by (none for a version built before they were kept)."""
    rows = con.execute("select key, value from store.meta where key like 'mart %'").fetchall()
    found = {key.removeprefix("mart "): value for key, value in rows}
    marts = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    return {name: digest for name, digest in found.items() if name in marts}


def out_of_date(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts this code reads that the version lacks or built by other SQL (so a page would fail or differ)."""
    if not has_warehouse(con):
        return []
    meta = con.execute("select count(*) from duckdb_tables() where schema_name = 'store' and table_name = 'meta'").fetchall()
    built = _built(con) if meta[0][0] else {}
    return [name for name in ORDER if built.get(name) != _digest(mart_sql(name))]


def _parts(kind: str, touched: Touched, column: str = "") -> list[tuple[str, dict[str, object]]]:
    """The filters (constants, so DuckDB pushes them down) of the touched parts of a mart: one per pathway, or one
    per centre with its touched pathways (a statement per centre reads the child tables once, not once per pair)."""
    if kind == PER_PATHWAY:
        return [("pathway = $pathway", {"pathway": p}) for p in touched.pathways]
    if kind == PER_PATHWAY_AND_MONTH:
        where = MONTH_FILTERS[column]  # a header naming another column fails here, before anything is deleted
        return [(where, {"pathways": touched.pathways, "first": a, "after": b}) for a, b in month_runs(touched.months)]
    centres: dict[str, list[str]] = {}
    for centre, pathway in sorted(touched.pairs):
        centres.setdefault(centre, []).append(pathway)
    return [
        ("centre_code = $centre and list_contains($pathways, pathway)", {"centre": c, "pathways": p}) for c, p in centres.items()
    ]


def _create(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    # a table's name cannot be a bind parameter: only the names in ORDER, quoted
    con.execute(f"create or replace table marts.{quote(name)} as {sql}")
    con.execute(
        "insert into store.meta values ($key, $digest) on conflict (key) do update set value = excluded.value",
        {"key": f"mart {name}", "digest": _digest(sql)},
    )


def _refresh(con: duckdb.DuckDBPyConnection, name: str, sql: str, parts: list[tuple[str, dict[str, object]]]) -> None:
    """Replace the rows of the touched parts by the mart's SELECT filtered to each (the filters are the constants above)."""
    table = "marts." + quote(name)  # a table's name cannot be a bind parameter: only the names in ORDER, quoted
    for where, params in parts:
        con.execute(f"delete from {table} where {where}", params)  # nosec B608 # fixed name and filter; values bound
        con.execute(f"insert into {table} select * from ({sql}\n) where {where}", params)  # nosec B608 # as above


def build(con: duckdb.DuckDBPyConnection, touched: Touched | None = None) -> list[str]:
    """Build the marts in one transaction: everything (``touched`` None; with the episodes laid out first), or
    what ``touched`` names; returns the marts built whole or in part. Does nothing without the warehouse's tables.
    """
    if not has_warehouse(con):
        return []
    con.begin()
    try:
        built = _built(con)
        whole = touched is None or not built
        if whole:
            lay_out(con)
        con.execute("create schema if not exists marts")
        done = []
        for name in ORDER:
            sql = mart_sql(name)
            whole = whole or built.get(name) != _digest(sql)  # a new or changed mart: it and the ones after it whole
            kind = rebuild_kind(sql)
            column = month_column(sql) if kind == PER_PATHWAY_AND_MONTH else ""
            parts = [] if whole or kind == WHOLE else _parts(kind, touched, column)  # type: ignore[arg-type]
            if whole or kind == WHOLE or len(parts) > MOST_PARTS:
                _create(con, name, sql)
            elif parts:
                _refresh(con, name, sql, parts)
            else:
                continue
            done.append(name)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return done
