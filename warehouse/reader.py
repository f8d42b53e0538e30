"""Reading delivered files into string frames, whatever the hospital's export looks like.

CSV (UTF-8 with or without BOM, UTF-16, Windows-1252; ``,``, ``;`` or tab), Parquet and
Excel workbooks (one sheet per table) all come out the same way: one ``RawTable`` per
table with every delivered standard column as text, column names normalised, unknown
columns listed, and the row number a data manager sees in the file. Typing the cells is
the parser's job (``warehouse.parse``), so a bad cell never stops the file from reading.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data_models.schemas import TABLES, TableSpec

ROW = "__row"
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
DELIMITERS = (";", ",", "\t", "|")


class UnusableFile(Exception):
    """The file as a whole cannot be loaded; the message says why in one line."""


@dataclass
class RawTable:
    table: TableSpec
    source: str  # the file name, with the sheet for workbooks
    frame: pl.DataFrame  # standard columns as text plus ROW
    ignored_columns: list[str] = field(default_factory=list)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_for_name(name: str) -> TableSpec:
    """The table a file or sheet is named after (``episodes.csv``, ``UMCU_2026-10_costs.csv``)."""
    stem = name.strip().lower()
    if stem in TABLES:
        return TABLES[stem]
    matches = [t for t in TABLES if re.search(r"(^|[^a-z])" + t + r"($|[^a-z])", stem)]
    if len(matches) == 1:
        return TABLES[matches[0]]
    known = ", ".join(TABLES)
    raise UnusableFile(f"onbekende tabel '{name}': de naam moet een van deze tabellen noemen: {known}")


def decode(data: bytes) -> str:
    """Text of a CSV export: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as err:
            raise UnusableFile(f"onleesbare tekenset: UTF-8 met BOM maar ongeldige tekens (byte {err.start})") from err
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise UnusableFile(f"onleesbare tekenset: UTF-16 afgebroken of beschadigd (byte {err.start})") from err
    if b"\x00" in data:
        raise UnusableFile("onleesbare tekenset: het bestand bevat binaire gegevens")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise UnusableFile(f"onleesbare tekenset: niet UTF-8 en niet Windows-1252 (byte {err.start})") from err


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def normalise_name(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _select_columns(frame: pl.DataFrame, spec: TableSpec, source: str, first_row: int) -> RawTable:
    names = [normalise_name(c) for c in frame.columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UnusableFile(f"{source}: kolom komt twee keer voor: {', '.join(duplicated)}")
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    missing = [c for c in spec.required if c not in names]
    if missing:
        raise UnusableFile(f"{source}: verplichte kolom ontbreekt: {', '.join(missing)}")
    ignored = [c for c in names if c not in spec.columns and c != ""]
    text = [
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c)
        if c in names
        else pl.lit(None, dtype=pl.String).alias(c)
        for c in spec.columns
    ]
    frame = frame.select(*text).with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawTable(spec, source, frame, ignored)


def read_csv_text(text: str, source: str, spec: TableSpec) -> RawTable:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UnusableFile(f"{source}: leeg bestand of geen kopregel")
    delimiter = sniff_delimiter(lines[0])
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=delimiter,
            infer_schema=False,
            has_header=True,
            new_columns=[f"c{i}" for i in range(len(header))],
        )
    except pl.exceptions.ComputeError:
        frame = _read_ragged(text, delimiter, len(header))
    frame = frame.rename(dict(zip(frame.columns, header, strict=False)))
    return _select_columns(frame, spec, source, first_row=2)


def _read_ragged(text: str, delimiter: str, width: int) -> pl.DataFrame:
    """Slow path for files with rows that have too many fields: those rows keep a marker."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:]
    fixed = [r + [None] * (width - len(r)) if len(r) <= width else [RAGGED] * width for r in rows]
    return pl.DataFrame(fixed, schema=[f"c{i}" for i in range(width)], orient="row")


RAGGED = "\x00ragged"


def read_file(path: Path) -> tuple[list[RawTable], bytes]:
    """All tables in one delivered file, with the file's bytes (for the checksum)."""
    if not path.is_file():
        raise UnusableFile(f"{path.name}: bestand niet gevonden")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if not data:
        raise UnusableFile(f"{path.name}: leeg bestand")
    if suffix in CSV_SUFFIXES:
        spec = table_for_name(path.stem)
        return [read_csv_text(decode(data), path.name, spec)], data
    if suffix in PARQUET_SUFFIXES:
        spec = table_for_name(path.stem)
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception as err:
            raise UnusableFile(f"{path.name}: geen leesbaar Parquet-bestand ({type(err).__name__})") from err
        return [_select_columns(frame, spec, path.name, first_row=1)], data
    if suffix in EXCEL_SUFFIXES:
        return _read_workbook(data, path.name), data
    raise UnusableFile(f"{path.name}: onbekend bestandstype '{suffix}' (verwacht .csv, .parquet of .xlsx)")


def _read_workbook(data: bytes, name: str) -> list[RawTable]:
    try:
        sheets = pl.read_excel(io.BytesIO(data), sheet_id=0, engine="calamine", infer_schema_length=0)
    except Exception as err:
        raise UnusableFile(f"{name}: geen leesbare Excel-werkmap ({type(err).__name__})") from err
    tables = []
    for sheet, frame in sheets.items():
        try:
            spec = table_for_name(sheet)
        except UnusableFile:
            continue
        tables.append(_select_columns(frame, spec, f"{name} [{sheet.strip()}]", first_row=2))
    if not tables:
        raise UnusableFile(f"{name}: geen tabblad heet naar een tabel ({', '.join(TABLES)})")
    return sorted(tables, key=lambda t: t.table.rank)
