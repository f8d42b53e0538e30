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
import itertools
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data_models.schemas import TABLES, TableSpec
from warehouse.limits import MB, Limits, current, shorten

ROW = "__row"
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
OLD_EXCEL_SUFFIXES = {".xls", ".ods"}
DELIMITERS = (";", ",", "\t", "|")


class UnusableFile(Exception):
    """The file as a whole cannot be loaded; the message says why in one line."""


@dataclass
class RawTable:
    table: TableSpec
    source: str  # the file name, with the sheet for workbooks
    frame: pl.DataFrame  # standard columns as text plus ROW
    ignored_columns: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=current)  # the bounds it was read under; validation keeps to them


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksum_file(path: Path, limits: Limits | None = None) -> str | None:
    """The checksum of a file on disk, read in pieces; none for a file beyond the size limit."""
    limits = limits or current()
    if not path.is_file() or path.stat().st_size > limits.file_bytes:
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while piece := f.read(MB):
            digest.update(piece)
    return digest.hexdigest()


def _n(number: int) -> str:
    """A count as Dutch readers write it: 5.000.000."""
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{size / MB:,.1f}".replace(",", " ").replace(".", ",")


def table_for_name(name: str) -> TableSpec:
    """The table a file or sheet is named after (``episodes.csv``, ``UMCU_2026-10_costs.csv``)."""
    stem = name.strip().lower()
    names = {n: spec for spec in TABLES.values() for n in (spec.name, *spec.aliases)}
    if stem in names:
        return names[stem]
    matches = {names[n].name for n in names if re.search(r"(^|[^a-z])" + n + r"($|[^a-z])", stem)}
    if len(matches) == 1:
        return TABLES[matches.pop()]
    known = ", ".join(TABLES)
    raise UnusableFile(f"onbekende tabel '{shorten(name, 80)}': de naam moet een van deze tabellen noemen: {known}")


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


def duplicated_names(names: list[str]) -> list[str]:
    """Names that occur more than once (one pass, whatever the number of columns)."""
    return sorted(n for n, times in Counter(names).items() if times > 1)


def _select_columns(frame: pl.DataFrame, spec: TableSpec, source: str, first_row: int, limits: Limits | None = None) -> RawTable:
    limits = limits or current()
    if frame.width > limits.columns:
        raise UnusableFile(f"{source}: {frame.width} kolommen; de grens is {limits.columns}")
    if frame.height > limits.rows:
        raise UnusableFile(f"{source}: meer dan {_n(limits.rows)} rijen; de grens is {_n(limits.rows)}")
    names = [normalise_name(c) for c in frame.columns]
    duplicated = duplicated_names(names)
    if duplicated:
        raise UnusableFile(f"{source}: kolom komt twee keer voor: {shorten(', '.join(duplicated), 200)}")
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    missing = [c for c in spec.required if c not in names]
    if missing:
        raise UnusableFile(f"{source}: verplichte kolom ontbreekt: {', '.join(missing)}")
    _check_required_filled(frame, spec, source, limits)
    ignored = [shorten(c, limits.identifier_chars) for c in names if c not in spec.columns and c != ""]
    present = [c for c in spec.columns if c in names]
    try:
        delivered = frame.select(pl.col(c).cast(pl.String) for c in present)
    except pl.exceptions.PolarsError as err:
        raise UnusableFile(f"{source}: een kolom is niet als tekst te lezen ({type(err).__name__})") from err
    _check_cells(delivered, source, limits)
    text = [
        pl.col(c).str.strip_chars().replace("", None).alias(c) if c in names else pl.lit(None, dtype=pl.String).alias(c)
        for c in spec.columns
    ]
    frame = delivered.select(*text).with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawTable(spec, source, frame, ignored, limits)


def _check_required_filled(frame: pl.DataFrame, spec: TableSpec, source: str, limits: Limits) -> None:
    """Refuse a table where more rows than ``quarantine_rows`` leave a required field empty, before any cell is copied.

    A lower bound of what validation would quarantine (a blank cell becomes empty later too), so
    a file of many short rows is refused here, at the cost of one pass over the required columns.
    """
    required = [c for c in spec.required if c in frame.columns]
    if not required or frame.height <= limits.quarantine_rows:
        return
    empty = frame.select(pl.any_horizontal(pl.col(c).is_null() for c in required).sum()).item()
    if empty > limits.quarantine_rows:
        raise UnusableFile(
            f"{source}: in {_n(empty)} van de {_n(frame.height)} rijen is een verplicht veld leeg; de grens is"
            f" {_n(limits.quarantine_rows)} rijen in quarantaine per tabel; klopt het scheidingsteken en de kopregel?"
            " Niets geladen"
        )


def _check_cells(delivered: pl.DataFrame, source: str, limits: Limits) -> None:
    """No absurd cell and no more text than the file may unpack to, before any cell is copied."""
    if not delivered.width or not delivered.height:
        return
    sizes = delivered.select(pl.all().str.len_bytes().max().fill_null(0)).row(0)
    longest = max(range(len(sizes)), key=lambda i: sizes[i])
    if sizes[longest] > limits.cell_bytes:
        raise UnusableFile(
            f"{source}: kolom {delivered.columns[longest]} bevat een waarde van {_mb(sizes[longest])} MB;"
            f" de grens is {_mb(limits.cell_bytes)} MB per cel"
        )
    total = sum(delivered.select(pl.all().str.len_bytes().sum()).row(0))
    if total > limits.unpacked_bytes:
        raise UnusableFile(f"{source}: de cellen bevatten samen {_mb(total)} MB tekst; de grens is {limits.unpacked_mb} MB")


def check_lines(data: bytes, source: str, limits: Limits) -> None:
    """Refuse a file with a line beyond ``cell_bytes`` without splitting it into lines.

    Every line that long covers a whole aligned window of half that size, so only the few
    windows without a line break need a closer look; ``bytes.find`` does the scanning.
    """
    window = max(limits.cell_bytes // 2, 1)
    size = len(data)
    for start in range(0, size - window + 1, window):
        end = start + window
        if data.find(b"\n", start, end) != -1 or data.find(b"\r", start, end) != -1:
            continue
        begin = max(data.rfind(b"\n", 0, start), data.rfind(b"\r", 0, start)) + 1
        stops = [i for i in (data.find(b"\n", end), data.find(b"\r", end)) if i != -1]
        length = (min(stops) if stops else size) - begin
        if length > limits.cell_bytes:
            line = data.count(b"\n", 0, begin) + 1
            raise UnusableFile(
                f"{source}: regel {line} is {_mb(length)} MB lang; de grens is {_mb(limits.cell_bytes)} MB per regel"
            )


QUOTE_BLOCK = 8 * MB  # bytes scanned for quotes at once: the scan's memory stays bounded


def check_quoted(data: bytes, source: str, limits: Limits) -> None:
    """Refuse a file with a quoted value beyond ``cell_bytes``, which may span many short lines.

    Counted from the quote characters alone, as the CSV reader pairs them (an escaped ``""`` keeps
    the value going), block by block with numpy: no line or cell is copied.
    """
    import numpy as np

    quotes = np.frombuffer(data, dtype=np.uint8)
    limit, size = limits.cell_bytes, len(data)
    carry = np.empty(0, dtype=np.int64)  # an opening quote whose closing one is still to come
    prev_close, prev_start = -2, -1  # the last closing quote, and where its value started

    def refuse(start: int, end: int) -> None:
        line = data.count(b"\n", 0, start) + 1
        raise UnusableFile(
            f"{source}: een waarde tussen aanhalingstekens vanaf regel {line} is {_mb(end - start)} MB lang;"
            f" de grens is {_mb(limit)} MB per cel"
        )

    for block in range(0, size, QUOTE_BLOCK):
        found = np.flatnonzero(quotes[block : block + QUOTE_BLOCK] == 34).astype(np.int64) + block
        every = np.concatenate([carry, found])
        pairs = len(every) // 2 * 2
        opens, closes = every[0:pairs:2], every[1:pairs:2]
        if pairs:
            continued = np.concatenate([[opens[0] == prev_close + 1], opens[1:] == closes[:-1] + 1])
            index = np.arange(len(opens))
            first = np.maximum.accumulate(np.where(continued, -1, index))  # the pair where each value began
            starts = np.where(first >= 0, opens[np.maximum(first, 0)], prev_start)
            lengths = closes - starts
            if lengths.max() > limit:
                worst = int(lengths.argmax())
                refuse(int(starts[worst]), int(closes[worst]))
            prev_close, prev_start = int(closes[-1]), int(starts[-1])
        carry = every[pairs:]
        if len(carry):
            start = prev_start if carry[0] == prev_close + 1 else int(carry[0])
            end = min(block + QUOTE_BLOCK, size)
            if end - start > limit:
                refuse(start, end)


FIRST_LINE = re.compile(r"[^\r\n]*")


def check_header(data: bytes, source: str, limits: Limits) -> None:
    """Refuse a header with more columns than allowed, counted on the bytes of the first line."""
    ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i != -1]
    first = data[: min(ends) if ends else len(data)]
    width = max(first.count(d.encode()) for d in DELIMITERS) + 1
    if width > limits.columns:
        raise UnusableFile(f"{source}: de kopregel heeft {width} kolommen; de grens is {limits.columns}")


def read_csv_text(text: str, source: str, spec: TableSpec, limits: Limits | None = None) -> RawTable:
    limits = limits or current()
    header_line = FIRST_LINE.match(text).group(0)
    if not header_line.strip():
        raise UnusableFile(f"{source}: leeg bestand of geen kopregel")
    delimiter = sniff_delimiter(header_line)
    width = header_line.count(delimiter) + 1
    if width > limits.columns:  # counted before the header is split, let alone the rows parsed
        raise UnusableFile(f"{source}: de kopregel heeft {width} kolommen; de grens is {limits.columns}")
    csv.field_size_limit(max(csv.field_size_limit(), limits.cell_bytes))
    header = next(csv.reader([header_line], delimiter=delimiter))
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=delimiter,
            infer_schema=False,
            has_header=True,
            new_columns=[f"c{i}" for i in range(len(header))],
            n_rows=limits.rows + 1,  # one more than allowed: enough to know the file is too long
        )
    except pl.exceptions.ComputeError:
        frame = _read_ragged(text, delimiter, len(header), limits.rows + 1)
    frame = frame.rename(dict(zip(frame.columns, header, strict=False)))
    return _select_columns(frame, spec, source, first_row=2, limits=limits)


def _read_ragged(text: str, delimiter: str, width: int, max_rows: int) -> pl.DataFrame:
    """Slow path for files with rows that have too many fields: those rows keep a marker."""
    rows = itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 1, max_rows + 1)
    fixed = [r + [None] * (width - len(r)) if len(r) <= width else [RAGGED] * width for r in rows]
    return pl.DataFrame(fixed, schema=[f"c{i}" for i in range(width)], orient="row")


RAGGED = "\x00ragged"


def read_file(path: Path, limits: Limits | None = None) -> tuple[list[RawTable], bytes]:
    """All tables in one delivered file, with the file's bytes (for the checksum).

    The size, and per format what the file unpacks to, is checked before it is parsed.
    """
    limits = limits or current()
    if not path.is_file():
        raise UnusableFile(f"{path.name}: bestand niet gevonden")
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise UnusableFile(f"{path.name}: bestand is {_mb(size)} MB; de grens is {limits.file_mb} MB")
    suffix = path.suffix.lower()
    if suffix in OLD_EXCEL_SUFFIXES:
        raise UnusableFile(f"{path.name}: werkmapformaat '{suffix}' wordt niet gelezen; sla de werkmap op als .xlsx")
    if suffix not in CSV_SUFFIXES | PARQUET_SUFFIXES | EXCEL_SUFFIXES:
        raise UnusableFile(f"{path.name}: onbekend bestandstype '{shorten(suffix, 20)}' (verwacht .csv, .parquet of .xlsx)")
    data = path.read_bytes()
    if not data:
        raise UnusableFile(f"{path.name}: leeg bestand")
    if suffix in CSV_SUFFIXES:
        spec = table_for_name(path.stem)
        check_header(data, path.name, limits)
        check_lines(data, path.name, limits)
        check_quoted(data, path.name, limits)
        return [read_csv_text(decode(data), path.name, spec, limits)], data
    if suffix in PARQUET_SUFFIXES:
        spec = table_for_name(path.stem)
        return [_select_columns(_read_parquet(data, path.name, limits), spec, path.name, first_row=1, limits=limits)], data
    return _read_workbook(data, path.name, limits), data


# ---------------------------------------------------------------- Parquet


def _read_parquet(data: bytes, name: str, limits: Limits) -> pl.DataFrame:
    """A Parquet file's columns, after its metadata showed flat columns within the limits."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta, schema = parquet.metadata, parquet.schema_arrow
    except Exception as err:  # whatever pyarrow finds wrong, the file is unreadable
        raise UnusableFile(f"{name}: geen leesbaar Parquet-bestand ({type(err).__name__})") from err
    nested = [f for f in schema if pa.types.is_nested(f.type)]
    if nested:
        kind = str(nested[0].type).split("<")[0]
        raise UnusableFile(
            f"{name}: kolom '{shorten(nested[0].name, 64)}' is genest ({kind}); lever alleen platte kolommen (tekst, getal, datum, ja/nee)"
        )
    if len(schema) > limits.columns:
        raise UnusableFile(f"{name}: {len(schema)} kolommen; de grens is {limits.columns}")
    if meta.num_rows > limits.rows:
        raise UnusableFile(f"{name}: {_n(meta.num_rows)} rijen; de grens is {_n(limits.rows)}")
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.unpacked_bytes:
        raise UnusableFile(f"{name}: pakt uit tot {_mb(unpacked)} MB; de grens is {limits.unpacked_mb} MB")
    try:
        return pl.read_parquet(io.BytesIO(data))
    except Exception as err:  # a damaged page is an unreadable file
        raise UnusableFile(f"{name}: geen leesbaar Parquet-bestand ({type(err).__name__})") from err


# ---------------------------------------------------------------- Excel


def _read_workbook(data: bytes, name: str, limits: Limits | None = None) -> list[RawTable]:
    limits = limits or current()
    check_workbook(data, name, limits)
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
        tables.append(_select_columns(frame, spec, f"{name} [{shorten(sheet.strip(), 40)}]", first_row=2, limits=limits))
    if not tables:
        raise UnusableFile(f"{name}: geen tabblad heet naar een tabel ({', '.join(TABLES)})")
    return sorted(tables, key=lambda t: t.table.rank)


WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
RATIO_FROM = MB  # small members may be as compressible as they like


def check_workbook(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook that unpacks to too much, before any Excel reader opens it.

    Each zip member is inflated here in pieces and counted (not trusting the sizes the zip
    declares), stopping as soon as the total, the compression ratio or the cells the
    sheets span go beyond their limits. Nothing is kept but counts.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise UnusableFile(f"{name}: geen leesbare Excel-werkmap ({type(err).__name__})") from err
    if len(members) > limits.zip_members:
        raise UnusableFile(f"{name}: de werkmap bevat {len(members)} onderdelen; de grens is {limits.zip_members}")
    declared = sum(m.file_size for m in members)
    if declared > limits.unpacked_bytes:
        raise UnusableFile(f"{name}: pakt uit tot {_mb(declared)} MB; de grens is {limits.unpacked_mb} MB")
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > limits.compression_ratio * max(m.compress_size, 1):
            raise _ratio_refusal(name, m.file_size // max(m.compress_size, 1), limits)
    unpacked = cells = 0
    for m in members:
        scan = SheetScan() if WORKSHEET.fullmatch(m.filename) else None
        unpacked += _inflate(data, m, name, limits, limits.unpacked_bytes - unpacked, scan, cells)
        cells += scan.cells if scan is not None else 0


def _ratio_refusal(name: str, ratio: int, limits: Limits) -> UnusableFile:
    return UnusableFile(
        f"{name}: een onderdeel van de werkmap is {ratio} keer samengeperst; de grens is {limits.compression_ratio} (zip-bom?)"
    )


def _inflate(
    data: bytes, member: zipfile.ZipInfo, name: str, limits: Limits, budget: int, scan: SheetScan | None, cells_before: int = 0
) -> int:
    """The true unpacked size of one zip member, inflated piece by piece within ``budget`` (and the cell limit)."""
    offset = member.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise UnusableFile(f"{name}: beschadigde Excel-werkmap")
    start = offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    packed = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        pieces = (bytes(packed[i : i + MB]) for i in range(0, len(packed), MB))
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _deflated(packed)
    else:
        raise UnusableFile(f"{name}: onbekende compressie in de werkmap (methode {member.compress_type})")
    size = 0
    try:
        for piece in pieces:
            size += len(piece)
            if size > budget:
                raise UnusableFile(f"{name}: pakt uit tot meer dan {limits.unpacked_mb} MB; de grens is {limits.unpacked_mb} MB")
            if size > RATIO_FROM and size > limits.compression_ratio * max(member.compress_size, 1):
                raise _ratio_refusal(name, size // max(member.compress_size, 1), limits)
            if scan is not None:
                scan.feed(piece)
                _check_cells_spanned(name, cells_before + scan.cells, limits)
    except zlib.error as err:
        raise UnusableFile(f"{name}: beschadigde Excel-werkmap ({type(err).__name__})") from err
    if size != member.file_size:
        raise UnusableFile(f"{name}: beschadigde Excel-werkmap (een onderdeel is anders dan opgegeven)")
    if scan is not None:
        scan.finish()
        _check_cells_spanned(name, cells_before + scan.cells, limits)
    return size


def _check_cells_spanned(name: str, cells: int, limits: Limits) -> None:
    if cells > limits.sheet_cells:
        raise UnusableFile(f"{name}: de tabbladen beslaan {_n(cells)} cellen; de grens is {_n(limits.sheet_cells)}")


def _deflated(packed: memoryview):
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for i in range(0, len(packed), 64 * 1024):
        out = inflater.decompress(packed[i : i + 64 * 1024], MB)
        yield out
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, MB)
    yield inflater.flush()


REF_LETTERS = re.compile(rb' r="([A-Z]{1,4})[0-9]')  # the column of every addressed cell
REF_DIGITS = re.compile(rb' r="[A-Z]{0,4}([0-9]{1,9})"')  # the row of every addressed cell and row
CELL_ANY = re.compile(rb"<(?:\w+:)?c[\s/>]")
ROW_ANY = re.compile(rb"<(?:\w+:)?row[\s/>]")
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([A-Z]{1,4})([0-9]{1,9})(?::([A-Z]{1,4})([0-9]{1,9}))?"')


def column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


class SheetScan:
    """The cells a worksheet's XML spans (rows × columns, as a reader lays them out), read in pieces.

    Cells carry their address (``r="C7"``) in what every spreadsheet program writes; cells
    without one count by position. The declared ``<dimension>`` counts too.
    """

    def __init__(self) -> None:
        self.rest = b""
        self.max_row = self.max_col = self.count = self.rows = self.declared = 0
        self.row_cells = 0  # cells so far in the current row, for cells without an address
        self.in_data = False  # the dimension is declared before the sheet's data

    def feed(self, piece: bytes) -> None:
        text = self.rest + piece
        cut = text.rfind(b"<")  # a tag cut in two waits for the next piece
        if cut == -1:
            self.rest = b""
            return
        text, self.rest = text[:cut], text[cut:]
        if not self.in_data:
            if dim := DIMENSION.search(text):
                first_col, first_row, last_col, last_row = dim.groups()
                if last_col:
                    rows, cols = int(last_row) - int(first_row) + 1, column_number(last_col) - column_number(first_col) + 1
                    self.declared = rows * cols
            self.in_data = b"sheetData" in text
        letters = REF_LETTERS.findall(text)
        if letters:
            self.max_col = max(self.max_col, max(map(column_number, set(letters))))
        digits = set(REF_DIGITS.findall(text))
        if digits:
            self.max_row = max(self.max_row, max(map(int, digits)))
        cells = text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/>")
        self.count += cells
        if cells > len(letters):  # cells by position: their column is their place in the row
            segments = ROW_ANY.split(text)
            self.row_cells += len(CELL_ANY.findall(segments[0]))
            widest = self.row_cells
            for segment in segments[1:]:
                self.row_cells = len(CELL_ANY.findall(segment))
                widest = max(widest, self.row_cells)
            self.rows += len(segments) - 1
            self.max_row = max(self.max_row, self.rows)
            self.max_col = max(self.max_col, widest)
        else:
            self.rows += text.count(b"<row")

    def finish(self) -> None:
        self.feed(b"<")

    @property
    def cells(self) -> int:
        return max(self.declared, self.max_row * self.max_col, self.count)
