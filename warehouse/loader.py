"""Loading delivered files into the warehouse: validate, quarantine, upsert, log.

Per file, everything happens in one transaction: the typed good rows are merged on the
table's natural key (new keys inserted, changed rows replaced, identical rows left
alone), the bad rows go to ``quarantine`` with row number, column, value and reason, and
a ``load_log`` row records the counts. A crash anywhere rolls the whole file back.
Files are loaded parents first (centres, episodes, then the rest), whatever the order
they were given in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl

from data_models.identifiers import looks_like_bsn, masked
from data_models.schemas import DATAFRAME_CHECKS, TableSpec, characteristic_number
from warehouse.limits import Limits, current, one_line, shorten, shortened
from warehouse.parse import ERROR_COLUMNS, TooManyFailures, number, parse
from warehouse.reader import ROW, RawTable, UnusableFile, checksum, checksum_file, read_file
from warehouse.schema import TOUCHED_DDL, ensure_schema, quote


@dataclass
class LoadReport:
    """What happened to one table of one delivered file."""

    file_name: str
    table_name: str | None = None
    status: str = "loaded"  # loaded | loaded_with_quarantine | rejected | failed
    rows_read: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    message: str = ""
    load_id: int | None = None
    centre_codes: list[str] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return self.rows_new + self.rows_updated + self.rows_unchanged

    @property
    def usable(self) -> bool:
        return self.status in ("loaded", "loaded_with_quarantine")


def exit_code(reports: list[LoadReport]) -> int:
    """0 when everything loaded, 1 when rows were quarantined, 2 when a file was unusable."""
    if any(not r.usable for r in reports):
        return 2
    return 1 if any(r.rows_quarantined for r in reports) else 0


# ---------------------------------------------------------------- validation


def _reason(check: str, column: str) -> str:
    """A pandera check name, said in words a data manager understands."""
    if check in DATAFRAME_CHECKS:
        return DATAFRAME_CHECKS[check][1]
    if check == "not_nullable":
        return "verplicht veld is leeg"
    if m := re.fullmatch(r"greater_than_or_equal_to\((.*)\)", check):
        return f"waarde is kleiner dan het minimum {m.group(1)}"
    if m := re.fullmatch(r"less_than_or_equal_to\((.*)\)", check):
        return f"waarde is groter dan het maximum {m.group(1)}"
    if m := re.fullmatch(r"isin\(\[(.*)\]\)", check):
        return "onbekende code; toegestaan: " + m.group(1).replace("'", "")
    if check.startswith("str_matches") and column == "centre_code":
        return "ongeldige centrumcode: 2 tot 12 letters of cijfers"
    if check.startswith("str_length"):
        return "mag niet leeg zijn"
    return f"voldoet niet aan de regel {check}"


VALIDATION_CHUNK = 200_000  # rows pandera checks at once: its failure cases never outgrow one chunk


def validation_errors(
    typed: pl.DataFrame, spec: TableSpec, limits: Limits | None = None, failing: pl.Series | None = None
) -> pl.DataFrame:
    """One row per broken rule per row, from the table's pandera model.

    The rows are checked in chunks; once more rows than ``limits.quarantine_rows`` fail (counting
    the ``failing`` rows, ROW numbers already known to be unusable), ``TooManyFailures`` refuses the file.
    """
    limits = limits or current()
    schema = {ROW: pl.Int64, "column_name": pl.String, "reason": pl.String}
    frames, broken = [], set(failing.to_list()) if failing is not None else set()
    for start in range(0, max(typed.height, 1), VALIDATION_CHUNK):
        chunk = typed.slice(start, VALIDATION_CHUNK)
        try:
            spec.model.validate(chunk.drop(ROW), lazy=True)
        except pa.errors.SchemaErrors as err:
            cases = err.failure_cases.filter(pl.col("index").is_not_null())
        else:
            continue
        rows = chunk[ROW]
        out = []
        for check, column, index in cases.select("check", "column", "index").iter_rows():
            col = DATAFRAME_CHECKS[check][0] if check in DATAFRAME_CHECKS else column
            out.append((rows[index], col, _reason(check, col)))
        frames.append(pl.DataFrame(out, schema=schema, orient="row"))
        broken.update(r for r, _, _ in out)
        if len(broken) > limits.quarantine_rows:
            raise TooManyFailures(
                f"meer dan {limits.quarantine_rows:,} rijen voldoen niet aan de regels van de tabel; de grens is"
                f" {limits.quarantine_rows:,} rijen in quarantaine per tabel. Niets geladen".replace(",", ".")
            )
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames).unique(maintain_order=True)


def add_lookups(con: duckdb.DuckDBPyConnection, typed: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """Columns the rules need from the warehouse: is the centre known, which pathway has the episode,
    and (baseline characteristics) the value read as a number when the pathway's variable is numeric."""
    if "lookup_centre_known" in spec.dtypes:
        known = [r[0] for r in con.execute("select centre_code from store.centres").fetchall()]
        return typed.with_columns(pl.col("centre_code").is_in(known).alias("lookup_centre_known"))
    if "lookup_pathway" in spec.dtypes:
        con.register("incoming_keys", typed.select(ROW, "centre_code", "episode_id"))
        found = con.sql(
            "select k.__row, e.pathway from incoming_keys k join store.episodes e "
            "on e.centre_code = k.centre_code and e.episode_id = k.episode_id"
        ).pl()
        con.unregister("incoming_keys")
        typed = typed.join(found.rename({"pathway": "lookup_pathway"}), on=ROW, how="left", maintain_order="left")
    if "lookup_value_number" in spec.dtypes:  # decimal comma and point alike, as every number column
        typed = typed.with_columns(characteristic_number(number(pl.col("value"))).alias("lookup_value_number"))
    return typed


# ---------------------------------------------------------------- one table


@dataclass
class Checked:
    clean: pl.DataFrame
    errors: pl.DataFrame  # ROW, column_name, value, reason
    duplicates: int


def check_table(con: duckdb.DuckDBPyConnection, raw: RawTable) -> Checked:
    spec = raw.table
    typed, parse_errs = parse(raw.frame, spec, raw.limits)  # refuses a table with too many unusable rows
    typed = add_lookups(con, typed, spec)
    rule_errs = validation_errors(typed, spec, raw.limits, parse_errs[ROW].unique())
    rule_errs = rule_errs.join(parse_errs.select(ROW, "column_name"), on=[ROW, "column_name"], how="anti")
    rule_errs = rule_errs.join(parse_errs.filter(pl.col("column_name").is_null()).select(ROW), on=ROW, how="anti")
    rule_errs = _with_values(raw.frame, rule_errs)
    errors = pl.concat([parse_errs, rule_errs])
    good = typed.select(ROW, *spec.columns, *(pl.col("lookup_" + c).alias(c) for c in spec.derived))
    if errors.height:
        good = good.join(errors.select(ROW).unique(), on=ROW, how="anti")
    repeated_key = good.select(pl.struct(list(spec.key)).is_duplicated()).to_series()
    if not repeated_key.any():  # the usual file: every key once, nothing more to compare
        return Checked(good.drop(ROW), _one_row_per_cell(errors), 0)
    once = good.filter(repeated_key).unique(subset=spec.columns, keep="first", maintain_order=True)
    unique = pl.concat([good.filter(~repeated_key), once]).sort(ROW)  # exact repeats count once
    conflicts = unique.filter(pl.len().over(list(spec.key)) > 1)
    if conflicts.height:
        errors = pl.concat([errors, _conflict_errors(conflicts, spec)])
    clean = unique.join(conflicts.select(ROW), on=ROW, how="anti")
    return Checked(clean.drop(ROW), _one_row_per_cell(errors), good.height - unique.height)


def _with_values(raw: pl.DataFrame, rule_errs: pl.DataFrame) -> pl.DataFrame:
    """The delivered text of each cell that broke a rule (only the broken rows are unpivoted)."""
    if not rule_errs.height:
        return pl.DataFrame(schema=ERROR_COLUMNS)
    broken = raw.join(rule_errs.select(ROW).unique(), on=ROW, how="semi")
    cells = broken.unpivot(index=ROW, variable_name="__column", value_name="__value")
    cells = cells.rename({"__column": "column_name", "__value": "value"})  # a table may have a column "value"
    return rule_errs.join(cells, on=[ROW, "column_name"], how="left").select(list(ERROR_COLUMNS))


def _one_row_per_cell(errors: pl.DataFrame) -> pl.DataFrame:
    """Several broken rules on one cell become one quarantine row with every reason."""
    merged = errors.group_by(ROW, "column_name", "value", maintain_order=True).agg(pl.col("reason").unique(maintain_order=True))
    return merged.with_columns(pl.col("reason").list.join("; ")).sort(ROW, maintain_order=True)


def _conflict_errors(conflicts: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    times = pl.len().over(list(spec.key)).cast(pl.String)
    return conflicts.select(
        pl.col(ROW),
        pl.lit(", ".join(spec.key)).alias("column_name"),
        pl.concat_str([pl.col(k).cast(pl.String) for k in spec.key], separator=" / ").alias("value"),
        pl.concat_str(
            pl.lit("sleutel komt "),
            times,
            pl.lit(" keer voor in dit bestand met verschillende waarden; alle versies staan in quarantaine"),
        ).alias("reason"),
    )


MERGE_CHANGES = """
create or replace temp table changes as
select s.*, {old_first} as old_first_delivered_on, t.{key0} is null as is_new, t.rowid as old_rowid
from incoming s left join store.{table} t on {join}
where t.{key0} is null or {differs}
"""
# By the row ids the comparison found (the same transaction): no second join over the whole table.
MERGE_DELETE = "delete from store.{table} where rowid in (select old_rowid from changes where not is_new)"
MERGE_INSERT = "insert into store.{table} select {columns}, $load_id{first} from changes{order}"
# Appended in the order ``warehouse.marts`` lays the episodes out, so a delivery's new rows form row
# groups of their own centre, pathway and month and the zone maps keep skipping (no rewrite per load).
EPISODE_ORDER = " order by centre_code, pathway, treatment_date, episode_id"
# What the merge touches (schema.TOUCHED_DDL): an episode's old and new centre, pathway and month; a
# child row's episode's; any other table (the centres) everything.
TOUCHED_EPISODES = """
insert into touched_keys
select distinct centre_code, pathway, date_trunc('month', treatment_date)::date from changes
union
select distinct t.centre_code, t.pathway, date_trunc('month', t.treatment_date)::date
from store.episodes t where t.rowid in (select old_rowid from changes where not is_new)
"""
TOUCHED_CHILDREN = """
insert into touched_keys
select distinct e.centre_code, e.pathway, date_trunc('month', e.treatment_date)::date
from changes s join store.episodes e on e.centre_code = s.centre_code and e.episode_id = s.episode_id
"""
TOUCHED_EVERYTHING = "insert into touched_keys values (null, null, null)"


def record_touched(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    """Note the centres, pathways and months the pending ``changes`` touch (before they replace rows)."""
    con.execute(TOUCHED_DDL)
    if spec.name == "episodes":
        con.execute(TOUCHED_EPISODES)
    elif "episode_id" in spec.key:
        con.execute(TOUCHED_CHILDREN)
    else:
        con.execute(TOUCHED_EVERYTHING)


def merge(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, clean: pl.DataFrame, load_id: int, delivered_on: dt.date
) -> tuple[int, int]:
    """Upsert on the natural key; returns (new, updated). Identical rows stay untouched."""
    con.register("incoming", clean)  # read in place: only the new and changed rows are copied
    is_episodes = spec.name == "episodes"
    ids = {
        "table": quote(spec.name),
        "key0": quote(spec.key[0]),
        "join": " and ".join("s." + quote(k) + " = t." + quote(k) for k in spec.key),
        "differs": " or ".join(
            "s." + quote(c) + " is distinct from t." + quote(c) for c in spec.stored_columns if c not in spec.key
        ),
        "old_first": "t.first_delivered_on" if is_episodes else "null::date",
        "columns": ", ".join(quote(c) for c in spec.stored_columns),
        "first": ", coalesce(old_first_delivered_on, $delivered_on)" if is_episodes else "",
        "order": EPISODE_ORDER if is_episodes else "",
    }
    con.execute(MERGE_CHANGES.format(**ids))
    con.unregister("incoming")
    new, updated = con.execute("select count(*) filter (is_new), count(*) filter (not is_new) from changes").fetchone()
    if new or updated:
        record_touched(con, spec)
    con.execute(MERGE_DELETE.format(**ids))
    params = {"load_id": load_id, "delivered_on": delivered_on} if is_episodes else {"load_id": load_id}
    con.execute(MERGE_INSERT.format(**ids), params)
    con.execute("drop table changes")
    return new, updated


QUARANTINE_CELLS = ["file_name", "table_name", "centre_code", "row_number", "column_name", "value", "reason"]


def without_bsn(rows: pl.DataFrame) -> pl.DataFrame:
    """No BSN-like cell is stored in clear: its keyed fingerprint (or nothing) and the reason instead.

    Checks the quarantined ``value`` and the row's ``centre_code`` (a shifted column can put
    a BSN there); only the few flagged cells go through Python.
    """
    flagged = looks_like_bsn("value") | looks_like_bsn("centre_code")
    hits = rows.with_row_index("__hit").filter(flagged)
    if not hits.height:
        return rows
    fixes = []
    for index, column, value, centre, reason in hits.select("__hit", "column_name", "value", "centre_code", "reason").iter_rows():
        value, extra = masked(value, column)
        centre, centre_extra = masked(centre, "centre_code")
        extras = [e for e in (extra, centre_extra) if e and e not in reason]
        fixes.append((index, value, centre, "; ".join([reason, *dict.fromkeys(extras)])))
    schema = {"__hit": pl.UInt32, "value": pl.String, "centre_code": pl.String, "reason": pl.String}
    fixed = pl.DataFrame(fixes, schema=schema, orient="row")
    return rows.with_row_index("__hit").update(fixed, on="__hit", include_nulls=True).drop("__hit")


def write_quarantine(con: duckdb.DuckDBPyConnection, raw: RawTable, errors: pl.DataFrame, load_id: int, digest: str) -> None:
    """Store the rejected cells; a repeated delivery of the same file replaces its earlier rows."""
    centres = raw.frame.select(ROW, "centre_code")
    rows = errors.join(centres, on=ROW, how="left").select(
        pl.lit(load_id).alias("load_id"),
        pl.lit(raw.source).alias("file_name"),
        pl.lit(raw.table.name).alias("table_name"),
        pl.lit(digest).alias("checksum_sha256"),
        "centre_code",
        pl.col(ROW).alias("row_number"),
        "column_name",
        "value",
        "reason",
    )
    rows = without_bsn(rows)
    shown = raw.limits.shown_chars  # a rejected cell is kept in part: never a 50-million-character value
    rows = rows.with_columns(shortened("value", shown), shortened("centre_code", shown))
    same_file = {"c": digest, "t": raw.table.name}
    earlier = con.sql(
        "select file_name, table_name, centre_code, row_number, column_name, value, reason from quarantine"
        " where checksum_sha256 = $c and table_name = $t order by row_number, column_name",
        params=same_file,
    ).pl()
    if earlier.equals(rows.select(QUARANTINE_CELLS).sort("row_number", "column_name", nulls_last=True)):
        return  # the same file with the same verdicts: nothing changes
    con.execute("delete from quarantine where checksum_sha256 = $c and table_name = $t", same_file)
    con.register("quarantined_rows", rows)
    con.execute("insert into quarantine select * from quarantined_rows")
    con.unregister("quarantined_rows")


def write_log(con: duckdb.DuckDBPyConnection, report: LoadReport, digest: str | None, delivered_on: dt.date) -> None:
    report.message = one_line(report.message)  # what the log, the CLI and the upload page show: one bounded line
    con.execute(
        "insert into load_log values ($load_id, $file, $table, $digest, current_timestamp::timestamp, $delivered_on,"
        " $read, $loaded, $new, $updated, $unchanged, $quarantined, $duplicate, $status, $message, $ignored, $centres)",
        {
            "load_id": report.load_id,
            "file": report.file_name,
            "table": report.table_name,
            "digest": digest,
            "delivered_on": delivered_on,
            "read": report.rows_read,
            "loaded": report.rows_loaded,
            "new": report.rows_new,
            "updated": report.rows_updated,
            "unchanged": report.rows_unchanged,
            "quarantined": report.rows_quarantined,
            "duplicate": report.rows_duplicate,
            "status": report.status,
            "message": report.message,
            "ignored": one_line(", ".join(report.ignored_columns)) or None,
            "centres": one_line(", ".join(report.centre_codes)) or None,
        },
    )


def load_table(con: duckdb.DuckDBPyConnection, raw: RawTable, load_id: int, digest: str, delivered_on: dt.date) -> LoadReport:
    checked = check_table(con, raw)
    new, updated = merge(con, raw.table, checked.clean, load_id, delivered_on)
    write_quarantine(con, raw, checked.errors, load_id, digest)
    quarantined = checked.errors[ROW].n_unique()
    report = LoadReport(
        file_name=raw.source,
        table_name=raw.table.name,
        status="loaded_with_quarantine" if quarantined else "loaded",
        rows_read=raw.frame.height,
        rows_new=new,
        rows_updated=updated,
        rows_unchanged=checked.clean.height - new - updated,
        rows_quarantined=quarantined,
        rows_duplicate=checked.duplicates,
        ignored_columns=raw.ignored_columns,
        load_id=load_id,
        centre_codes=centre_codes(raw),
    )
    if raw.ignored_columns:
        report.message = "onbekende kolommen genegeerd: " + ", ".join(raw.ignored_columns)
    write_log(con, report, digest, delivered_on)
    return report


# ---------------------------------------------------------------- files


def centre_codes(raw: RawTable) -> list[str]:
    codes = raw.frame["centre_code"].drop_nulls().unique().to_list()
    return sorted(masked(c, "centre_code")[0] or "BSN?" for c in codes)  # never a BSN in clear in load_log


def check_centre(tables: list[RawTable], allowed_centre: str | None) -> None:
    """A data manager loads for one centre only: a file with any other centre is refused whole."""
    if allowed_centre is None:
        return
    for raw in tables:
        if raw.table.name == "centres":
            raise UnusableFile(f"{raw.source}: de lijst van centra wordt door het programma beheerd, niet per centrum geleverd")
        others = [c for c in centre_codes(raw) if c != allowed_centre]
        if others:
            raise UnusableFile(
                f"{raw.source}: bevat rijen van een ander centrum ({', '.join(shorten(c, 20) for c in others[:3])});"
                f" u levert alleen voor {allowed_centre}"
            )


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select nextval('load_id_seq')").fetchone()[0]


def load_file(con: duckdb.DuckDBPyConnection, tables: list[RawTable], data: bytes, delivered_on: dt.date) -> list[LoadReport]:
    """One file in one transaction: all its tables load, or none of them."""
    digest = checksum(data)
    load_id = _next_load_id(con)
    con.begin()
    raw = tables[0]
    try:
        reports = []
        for raw in tables:
            reports.append(load_table(con, raw, load_id, digest, delivered_on))
        con.commit()
    except TooManyFailures as err:  # a table that is mostly broken: refused whole, no quarantine rows
        con.rollback()
        name = tables[0].source.split(" [")[0]
        report = LoadReport(name, raw.table.name, "rejected", load_id=load_id, message=f"{raw.source}: {err}")
        report.rows_read = sum(t.frame.height for t in tables)
        write_log(con, report, digest, delivered_on)
        return [report]
    except Exception as err:  # noqa: BLE001 - whatever broke, the file is rolled back whole and logged
        con.rollback()
        name = tables[0].source.split(" [")[0]
        report = LoadReport(
            name, None, "failed", load_id=load_id, message=f"laden afgebroken, niets geladen: {type(err).__name__}: {err}"
        )
        report.rows_read = sum(t.frame.height for t in tables)
        write_log(con, report, digest, delivered_on)
        return [report]
    return reports


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    delivered_on: dt.date | None = None,
    allowed_centre: str | None = None,
    limits: Limits | None = None,
) -> list[LoadReport]:
    """Load delivered files, parents first; unusable files are reported and logged, never half-loaded.

    With ``allowed_centre`` (a data manager's upload) a file holding rows of any other centre,
    or the programme's list of centres, is refused whole. A file beyond ``limits`` (default:
    ``warehouse.limits`` with the environment's overrides) is refused whole before it is parsed.
    """
    ensure_schema(con)
    con.execute(TOUCHED_DDL)  # this publish's loads say what they change: the marts rebuild only that
    limits = limits or current()
    delivered_on = delivered_on or dt.date.today()
    reports: list[LoadReport] = []
    readable: list[tuple[int, int, list[RawTable], bytes]] = []
    for order, path in enumerate(paths):
        try:
            tables, data = read_file(Path(path), limits)
            check_centre(tables, allowed_centre)
        except Exception as err:  # noqa: BLE001 - whatever a file does to the reader, it is refused in one line and logged
            reason = (
                str(err) if isinstance(err, UnusableFile) else f"{Path(path).name}: bestand niet te lezen ({type(err).__name__})"
            )
            report = LoadReport(Path(path).name, None, "rejected", message=reason, load_id=_next_load_id(con))
            write_log(con, report, checksum_file(Path(path), limits), delivered_on)
            reports.append(report)
            continue
        readable.append((min(t.table.rank for t in tables), order, tables, data))
    for _, _, tables, data in sorted(readable, key=lambda r: (r[0], r[1])):
        reports.extend(load_file(con, tables, data, delivered_on))
    return reports
