"""The marts: what the pages read, built once per published version, before the switch.

A load (or ``python -m warehouse rebuild``) writes a new version of the warehouse; before
``warehouse.connection.writer`` publishes it, :func:`build` lays the episodes out in the order the
questions ask them (centre, pathway, treatment date) and builds every mart of ``warehouse/marts/``
(one ``.sql`` file each, its grain in its header) as a table in schema ``marts``. So the monthly
facts a page shows are grouped once per version, not at every view, and child rows (PROMs,
outcomes) carry their episode's centre, pathway and treatment month, stored in that order, so
DuckDB's zone maps skip the row groups a question does not need. The raw tables stay as they are,
for analysts and the patient lists.

Each mart is rebuilt whole from the version's own tables: a mart can never lag behind its data.
A failure here fails the writer's block, so the version is never published (crash safety).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.schema import quote

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


def mart_sql(name: str) -> str:
    """The SELECT of one mart (its file's text)."""
    if name not in ORDER:
        raise KeyError(f"no mart named {name!r}")
    return (MART_DIR / f"{name}.sql").read_text(encoding="utf-8")


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


def build(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Lay out the episodes and (re)build every mart in one transaction; returns the marts built.

    Does nothing on a connection without the warehouse's tables.
    """
    if not has_warehouse(con):
        return []
    con.begin()
    try:
        lay_out(con)
        con.execute("create schema if not exists marts")
        for name in ORDER:  # a table's name cannot be a bind parameter: only the names in ORDER, quoted
            con.execute(f"create or replace table marts.{quote(name)} as {mart_sql(name)}")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return list(ORDER)
