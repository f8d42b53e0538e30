"""Bounded inputs (issue 14): every format has size, row, column, cell-length and expansion limits,
checked before the file is unpacked or parsed; a refusal is one Dutch line, logged, audited, and
nothing of the file loads. Each test builds its bad file itself, small, and times the refusal."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli import main
from tests.conftest import fetch
from warehouse.limits import Limits, current, shorten
from warehouse.reader import duplicated_names

EPISODES = "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex\n"
ROW = "UMCU,{eid},{pid},knee_oa,tka,2026-02-01,70,F\n"
FAST = 1.0  # seconds: a refusal must never keep the loader (and its writer lock) busy


def episodes_csv(*rows: tuple[str, str]) -> str:
    return EPISODES + "".join(ROW.format(eid=e, pid=p) for e, p in rows)


@pytest.fixture
def refused(write, load, db):
    """Load one bad file; assert it was refused whole in one logged line, fast; return the message."""

    def _refused(name: str, content: bytes, *expected: str) -> str:
        path = write(name, content)
        start = time.perf_counter()
        [report] = load(path)
        took = time.perf_counter() - start
        assert report.status == "rejected", report
        for words in expected:
            assert words in report.message, report.message
        assert "\n" not in report.message and len(report.message) <= 500
        assert took < FAST, f"refusing {name} took {took:.2f} s"
        assert fetch(db, "select count(*) from episodes") == [(0,)]
        assert fetch(db, "select status, message from load_log where file_name = $f", {"f": name}) == [
            ("rejected", report.message)
        ]
        return report.message

    return _refused


@pytest.fixture
def no_excel_reader(monkeypatch):
    """The workbook checks run before fastexcel (calamine) ever sees the file."""

    def boom(*args, **kwargs):
        raise AssertionError("the Excel reader was called for a workbook that should have been refused first")

    monkeypatch.setattr(pl, "read_excel", boom)


# ---------------------------------------------------------------- Excel: expansion before opening


def workbook(sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal xlsx (zip) with one worksheet, written member by member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", b'<workbook><sheets><sheet name="episodes" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buffer.getvalue()


def sheet(rows: bytes, dimension: bytes = b"A1:H2") -> bytes:
    return b'<worksheet><dimension ref="' + dimension + b'"/><sheetData>' + rows + b"</sheetData></worksheet>"


@pytest.mark.usefixtures("with_centres", "no_excel_reader")
def test_xlsx_that_expands_to_half_a_gigabyte_is_refused_before_fastexcel_opens_it(refused) -> None:
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 600_000  # 30 MB of XML in ~30 kB
    data = workbook(sheet(rows))
    assert len(data) < 100_000
    refused("levering.xlsx", data, "samengeperst", "de grens is 100")


@pytest.mark.usefixtures("with_centres", "no_excel_reader")
def test_xlsx_whose_declared_dimension_spans_the_whole_sheet_is_refused(refused) -> None:
    data = workbook(sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>', dimension=b"A1:XFD1048576"))
    refused("levering.xlsx", data, "beslaan 17.179.869.184 cellen", "de grens is 5.000.000")


@pytest.mark.usefixtures("with_centres", "no_excel_reader")
def test_xlsx_with_two_far_apart_cells_is_refused_for_the_cells_between_them(refused) -> None:
    far = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    refused("levering.xlsx", workbook(sheet(far, dimension=b"A1")), "cellen", "de grens is 5.000.000")


@pytest.mark.usefixtures("with_centres", "no_excel_reader")
def test_xlsx_with_cells_without_address_counts_them_by_position(refused) -> None:
    wide = b"<row>" + b"<c/>" * 20_000 + b"</row>" + b"<row><c/></row>" * 300
    refused("levering.xlsx", workbook(sheet(wide, dimension=b"A1")), "cellen")


@pytest.mark.usefixtures("with_centres", "no_excel_reader")
def test_xlsx_with_thousands_of_zip_members_is_refused(refused) -> None:
    extra = {f"xl/media/image{i}.png": b"" for i in range(1_001)}
    refused("levering.xlsx", workbook(sheet(b""), extra), "onderdelen", "de grens is 1000")


@pytest.mark.usefixtures("with_centres", "no_excel_reader")
def test_xlsx_whose_zip_lies_about_its_unpacked_size_is_refused(refused) -> None:
    honest = workbook(sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>' * 30_000))
    member = zipfile.ZipFile(io.BytesIO(honest)).getinfo("xl/worksheets/sheet1.xml")
    assert member.file_size > 1_000_000
    lying = bytearray(honest)
    entry = honest.rfind(b"xl/worksheets/sheet1.xml") - 46  # its central directory entry comes last
    assert lying[entry : entry + 4] == b"PK\x01\x02"
    struct.pack_into("<I", lying, entry + 24, 1_000)  # the directory claims it unpacks to 1 kB
    refused("levering.xlsx", bytes(lying), "werkmap")


@pytest.mark.usefixtures("with_centres")
def test_a_real_workbook_still_loads(write, load, db) -> None:
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as wb:
        ws = wb.add_worksheet("episodes")
        for r, line in enumerate(episodes_csv(("E1", "P1"), ("E2", "P2")).splitlines()):
            ws.write_row(r, 0, line.split(","))
    [report] = load(write("levering.xlsx", buffer.getvalue()))
    assert report.status == "loaded", report.message
    assert fetch(db, "select count(*) from episodes") == [(2,)]


# ---------------------------------------------------------------- CSV: a million columns


@pytest.mark.usefixtures("with_centres")
def test_csv_with_a_million_columns_is_refused_on_its_header_line(refused) -> None:
    header = ",".join(f"c{i}" for i in range(1_000_000))
    content = (header + "\n" + ",".join("1" for _ in range(1_000_000)) + "\n").encode()
    assert len(content) > 8_000_000
    refused("episodes.csv", content, "kopregel heeft 1000000 kolommen", "de grens is 200")


def test_duplicate_header_check_is_linear() -> None:
    names = [f"c{i % 500_000}" for i in range(1_000_000)]
    start = time.perf_counter()
    duplicated = duplicated_names(names)
    assert time.perf_counter() - start < FAST
    assert len(duplicated) == 500_000


# ---------------------------------------------------------------- cell lengths


@pytest.mark.usefixtures("with_centres")
def test_fifty_million_character_patient_id_is_refused_before_parsing(refused, db) -> None:
    content = episodes_csv(("E1", "P1"), ("E2", "x" * 50_000_000)).encode()
    message = refused("episodes.csv", content, "regel 3", "MB lang", "per regel")
    assert fetch(db, "select count(*) from quarantine") == [(0,)]
    assert len(message) < 200


@pytest.mark.usefixtures("with_centres")
def test_fifty_million_character_patient_id_in_parquet_is_refused(refused) -> None:
    long = "x" * 2_000_000
    table = pa.table({c: [v, v] for c, v in zip(EPISODES.strip().split(","), ROW.strip().split(","), strict=True)})
    table = table.set_column(2, "patient_id", pa.array(["P1", long]))
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    refused("episodes.parquet", buffer.getvalue(), "kolom patient_id bevat een waarde van", "per cel")


@pytest.mark.usefixtures("with_centres")
def test_overlong_identifier_goes_to_quarantine_with_a_dutch_reason_and_a_shortened_value(write, load, db) -> None:
    long_id = "P" * 5_000
    [report] = load(write("episodes.csv", episodes_csv(("E1", "P1"), ("E2", long_id), ("E" * 65, "P3"))))
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded_with_quarantine", 1, 2)
    rows = fetch(db, "select row_number, column_name, value, reason from quarantine order by row_number")
    assert [(r[0], r[1]) for r in rows] == [(3, "patient_id"), (4, "episode_id")]
    assert rows[0][3] == "waarde is te lang: 5000 tekens, maximaal 64"
    assert rows[0][2] == shorten(long_id, 100) and len(rows[0][2]) < 130
    assert rows[1][3] == "waarde is te lang: 65 tekens, maximaal 64"
    assert fetch(db, "select max(length(value)) from quarantine")[0][0] < 130


def test_free_text_has_its_own_longer_limit(write, load, db) -> None:
    centres = "centre_code,name,kind\nUMCU," + "U" * 2_000 + ",umc\nAUMC," + "A" * 2_001 + ",umc\n"
    [report] = load(write("centres.csv", centres))
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    assert fetch(db, "select column_name, reason from quarantine") == [("name", "waarde is te lang: 2001 tekens, maximaal 2000")]


# ---------------------------------------------------------------- Parquet: nested columns


def nested_parquet() -> bytes:
    columns = EPISODES.strip().split(",")
    values = ROW.format(eid="E1", pid="P1").strip().split(",")
    table = pa.table({c: [v] for c, v in zip(columns, values, strict=True)})
    table = table.append_column("extra", pa.array([{"a": 1, "b": [1, 2]}]))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@pytest.mark.usefixtures("with_centres")
def test_parquet_with_a_nested_column_is_refused_in_one_logged_line(refused) -> None:
    message = refused("episodes.parquet", nested_parquet(), "kolom 'extra' is genest (struct)", "platte kolommen")
    assert message.startswith("episodes.parquet: ")


@pytest.mark.usefixtures("with_centres")
def test_parquet_with_a_nested_column_prints_one_line_in_the_cli_and_is_audited(write, db, capsys, monkeypatch) -> None:
    audit_file = db.with_name("audit.jsonl")
    monkeypatch.setenv("AUDIT_PATH", str(audit_file))
    path = write("episodes.parquet", nested_parquet())
    assert main(["load", "--db", str(db), str(path)]) == 2
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("episodes.parquet: rejected - episodes.parquet: kolom 'extra' is genest")
    rows = [json.loads(line) for line in audit_file.read_text(encoding="utf-8").splitlines()]
    assert rows[-1]["action"] == "load" and "genest" in rows[-1]["what"] and rows[-1]["user"]
    assert fetch(db, "select status from load_log where file_name = 'episodes.parquet'") == [("rejected",)]


# ---------------------------------------------------------------- every limit, every format


@pytest.mark.usefixtures("with_centres")
def test_file_size_limit_is_checked_before_the_file_is_read(refused, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_FILE_MB", "1")
    content = episodes_csv(*[(f"E{i}", f"P{i}") for i in range(40_000)]).encode()
    assert len(content) > 1024 * 1024
    refused("episodes.csv", content, "bestand is 1,", "de grens is 1 MB")


def many_rows(n: int) -> list[tuple[str, str]]:
    return [(f"E{i}", f"P{i}") for i in range(n)]


def as_parquet(csv_text: str) -> bytes:
    buffer = io.BytesIO()
    pl.read_csv(io.StringIO(csv_text), infer_schema=False).write_parquet(buffer)
    return buffer.getvalue()


def as_xlsx(csv_text: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as wb:
        ws = wb.add_worksheet("episodes")
        for r, line in enumerate(csv_text.splitlines()):
            ws.write_row(r, 0, line.split(","))
    return buffer.getvalue()


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(
    ("name", "build"),
    [("episodes.csv", str.encode), ("episodes.parquet", as_parquet), ("levering.xlsx", as_xlsx)],
)
def test_row_limit_applies_to_every_format(refused, monkeypatch, name, build) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_ROWS", "10")
    monkeypatch.setenv("SAMEN_LIMIT_SHEET_CELLS", "1000")
    content = build(episodes_csv(*many_rows(11)))
    refused(name, content, "de grens is")


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(
    ("name", "build"),
    [("episodes.csv", str.encode), ("episodes.parquet", as_parquet), ("levering.xlsx", as_xlsx)],
)
def test_column_limit_applies_to_every_format(refused, name, build) -> None:
    wide = EPISODES.strip() + "," + ",".join(f"extra{i}" for i in range(250)) + "\n"
    wide += ROW.format(eid="E1", pid="P1").strip() + ",0" * 250 + "\n"
    refused(name, build(wide), "kolommen", "de grens is 200")


@pytest.mark.usefixtures("with_centres")
def test_parquet_that_unpacks_beyond_the_limit_is_refused_from_its_metadata(refused, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_UNPACKED_MB", "1")
    columns = EPISODES.strip().split(",")
    values = ROW.format(eid="E1", pid="P1").strip().split(",")
    table = pa.table({c: [v] * 300_000 for c, v in zip(columns, values, strict=True)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", use_dictionary=False)
    refused("episodes.parquet", buffer.getvalue(), "pakt uit tot", "de grens is 1 MB")


@pytest.mark.usefixtures("with_centres")
def test_within_the_limits_every_format_still_loads(write, load, db) -> None:
    text = episodes_csv(*many_rows(10))
    for name, build in (("episodes.csv", str.encode), ("episodes.parquet", as_parquet), ("levering.xlsx", as_xlsx)):
        [report] = load(write(name, build(text)))
        assert report.status == "loaded", report.message
    assert fetch(db, "select count(*) from episodes") == [(10,)]


def test_limits_have_defaults_and_environment_overrides() -> None:
    assert Limits() == Limits.from_env({})
    assert Limits.from_env({"SAMEN_LIMIT_ROWS": "10", "SAMEN_LIMIT_FILE_MB": " "}) == Limits(rows=10)
    with pytest.raises(ValueError, match="SAMEN_LIMIT_ROWS moet een geheel getal zijn"):
        Limits.from_env({"SAMEN_LIMIT_ROWS": "veel"})
    with pytest.raises(ValueError, match="groter dan 0"):
        Limits.from_env({"SAMEN_LIMIT_COLUMNS": "0"})
    assert current().max_chars("name") == 2_000 and current().max_chars("patient_id") == 64


def test_cli_refuses_a_mistyped_limit_in_one_line_before_opening_the_warehouse(write, db, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_ROWS", "veel")
    assert main(["load", "--db", str(db), str(write("episodes.csv", episodes_csv(("E1", "P1"))))]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "SAMEN_LIMIT_ROWS moet een geheel getal zijn" in captured.err
    assert not db.exists()


# ---------------------------------------------------------------- many broken rows: refused, not quarantined


FULL_HEADER = (
    "centre_code,episode_id,patient_id,pathway,treatment,referral_date,treatment_date,discharge_date,age,sex,bmi,"
    "asa_class,charlson_index,low_health_literacy,paid_work_baseline,sdm_documented,mdt_discussed\n"
)


def test_tiny_csv_with_many_short_rows_is_refused_before_anything_is_quarantined(refused, db) -> None:
    content = (FULL_HEADER + "a\n" * 500_000).encode()  # 1 MB: once 129 s, 3.2 GB and 500,000 quarantine rows
    message = refused("episodes.csv", content, "500.000 van de 500.000 rijen", "de grens is 10.000 rijen in quarantaine")
    assert "Niets geladen" in message
    assert fetch(db, "select count(*) from quarantine") == [(0,)]


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(
    ("bad_row", "words"),
    [
        ("UMCU,{eid},{pid},knee_oa,tka,2026-02-01,zeventig,F\n", "onbruikbaar"),  # unreadable as its type
        ("UMCU,{eid},{pid},knee_oa,tka,2026-02-01,70,\n", "verplicht veld is leeg"),  # a required field empty
        ("UMCU,{eid},{pid},geen_zorgpad,tka,2026-02-01,70,F\n", "voldoen niet aan de regels"),  # a rule (pandera)
    ],
)
def test_more_failing_rows_than_the_quarantine_cap_refuse_the_file(refused, monkeypatch, db, bad_row, words) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_QUARANTINE_ROWS", "5")
    content = EPISODES + "".join(bad_row.format(eid=f"E{i}", pid=f"P{i}") for i in range(6))
    refused("episodes.csv", content.encode(), "de grens is 5 rijen in quarantaine")
    assert fetch(db, "select count(*) from quarantine") == [(0,)]


@pytest.mark.usefixtures("with_centres")
def test_failing_rows_within_the_quarantine_cap_still_go_to_quarantine(write, load, db, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_QUARANTINE_ROWS", "5")
    bad = "".join(f"UMCU,X{i},Q{i},knee_oa,tka,2026-02-01,zeventig,F\n" for i in range(5))
    [report] = load(write("episodes.csv", episodes_csv(*many_rows(20)) + bad))
    assert (report.status, report.rows_quarantined, report.rows_loaded) == ("loaded_with_quarantine", 5, 20)


# ---------------------------------------------------------------- a quoted cell over many short lines


@pytest.mark.usefixtures("with_centres")
def test_multi_line_quoted_csv_cell_is_refused_before_parsing(refused, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise AssertionError("the CSV was parsed although one quoted cell runs past the cell limit")

    monkeypatch.setattr(pl, "read_csv", boom)
    lines = ("x" * 49 + "\n") * (12 * 1024 * 1024 // 50)  # 12 MB in 50-byte lines: every line is short
    content = (EPISODES + f'UMCU,E1,"{lines}",knee_oa,tka,2026-02-01,70,F\n').encode()
    refused("episodes.csv", content, "een waarde tussen aanhalingstekens vanaf regel 2", "de grens is 1,0 MB per cel")


@pytest.mark.usefixtures("with_centres")
def test_quoted_cells_with_escaped_quotes_and_line_breaks_still_load(write, load, db) -> None:
    quoted = 'UMCU,"E""1","P\n1",knee_oa,tka,2026-02-01,70,F\n' + "".join(
        f'"UMCU","E{i}","P{i}","knee_oa","tka","2026-02-01","70","F"\n' for i in range(2, 200)
    )
    [report] = load(write("episodes.csv", EPISODES + quoted))
    assert report.status in ("loaded", "loaded_with_quarantine"), report.message
    assert report.rows_read == 199
