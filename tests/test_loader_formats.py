"""Every export quirk of the data standard loads, each on its own file."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
import xlsxwriter

from tests.conftest import fetch
from tests.fixtures import CENTRES_CSV

EPISODE = "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex,bmi,sdm_documented\n"
ROW = "UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F,28.5,true\n"
EXPECTED = ("UMCU", "E1", "P1", "knee_oa", "tka", dt.date(2026, 2, 1), 70, "F", 28.5, True)
STORED = (
    "select centre_code, episode_id, patient_id, pathway, treatment, treatment_date, age, sex, bmi, sdm_documented from episodes"
)


def stored(db) -> list[tuple]:
    return fetch(db, STORED)


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("utf8", (EPISODE + ROW).encode("utf-8")),
        ("utf8_bom", b"\xef\xbb\xbf" + (EPISODE + ROW).encode("utf-8")),
        ("utf16_bom", (EPISODE + ROW).encode("utf-16")),
        ("crlf", (EPISODE + ROW).replace("\n", "\r\n").encode("utf-8")),
        ("semicolon", (EPISODE + ROW).replace(",", ";").encode("utf-8")),
        ("decimal_comma", (EPISODE.replace(",", ";") + "UMCU;E1;P1;knee_oa;tka;2026-02-01;70;F;28,5;true\n").encode()),
        ("quoted_decimal_comma", (EPISODE + 'UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F,"28,5",true\n').encode()),
        ("dd_mm_yyyy", (EPISODE + "UMCU,E1,P1,knee_oa,tka,01-02-2026,70,F,28.5,true\n").encode()),
        ("ja", (EPISODE + "UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F,28.5,ja\n").encode()),
        ("yes", (EPISODE + "UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F,28.5,Yes\n").encode()),
        ("one", (EPISODE + "UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F,28.5,1\n").encode()),
        (
            "header_case_and_spaces",
            (" Centre_Code , EPISODE_ID,patient_id,Pathway,treatment,treatment_date,age,sex,bmi,sdm_documented\n" + ROW).encode(),
        ),
        (
            "reordered_columns",
            b"sex,age,treatment_date,treatment,pathway,patient_id,episode_id,centre_code,bmi,sdm_documented\nF,70,2026-02-01,tka,knee_oa,P1,E1,UMCU,28.5,true\n",
        ),
        ("padded_cells", (EPISODE + "UMCU , E1 ,P1,knee_oa, tka ,2026-02-01, 70 ,F,28.5, true\n").encode()),
    ],
)
def test_csv_quirk_loads(write, load, db, name, content) -> None:
    reports = load(write("episodes.csv", content))
    assert [r.status for r in reports] == ["loaded"], reports[0].message
    assert stored(db) == [EXPECTED]


@pytest.mark.usefixtures("with_centres")
def test_windows_1252_with_dutch_characters(write, load, db) -> None:
    text = "centre_code;name;kind\nSTJ;Sint-Jozef Ziekenhuis – Zuidoost €;general\nLOE;Ziekenhuis Loë;general\n"
    assert load(write("centres.csv", text, encoding="cp1252"))[0].status == "loaded"
    names = {r[0] for r in fetch(db, "select name from centres where centre_code in ('STJ', 'LOE')")}
    assert names == {"Sint-Jozef Ziekenhuis – Zuidoost €", "Ziekenhuis Loë"}


@pytest.mark.usefixtures("with_centres")
def test_dutch_export_with_every_quirk_at_once(write, load, db) -> None:
    text = (
        "\ufeffcentre_code;episode_id;patient_id;pathway;treatment;treatment_date;age;sex;bmi;sdm_documented\r\n"
        "UMCU;E1;P1;knee_oa;tka;01-02-2026;70;F;28,5;ja\r\n"
    )
    assert load(write("episodes.csv", text))[0].status == "loaded"
    assert stored(db) == [EXPECTED]


@pytest.mark.usefixtures("with_centres")
def test_parquet_with_typed_columns(write, load, db) -> None:
    df = pl.DataFrame(
        {
            "centre_code": ["UMCU"], "episode_id": ["E1"], "patient_id": ["P1"], "pathway": ["knee_oa"], "treatment": ["tka"],
            "treatment_date": [dt.date(2026, 2, 1)], "age": [70], "sex": ["F"], "bmi": [28.5], "sdm_documented": [True],
        }
    )  # fmt: skip
    buffer = io.BytesIO()
    df.write_parquet(buffer)
    assert load(write("episodes.parquet", buffer.getvalue()))[0].status == "loaded"
    assert stored(db) == [EXPECTED]


def test_excel_workbook_loads_every_sheet_parents_first(write, load, db) -> None:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as wb:
        costs = wb.add_worksheet("costs")  # a child sheet first: the loader must still load episodes first
        costs.write_row(0, 0, ["centre_code", "episode_id", "category", "amount_eur"])
        costs.write_row(1, 0, ["UMCU", "E1", "implant", 1800.5])
        episodes = wb.add_worksheet("Episodes")
        episodes.write_row(0, 0, EPISODE.strip().split(","))
        episodes.write_row(1, 0, ["UMCU", "E1", "P1", "knee_oa", "tka"])
        episodes.write_datetime(1, 5, dt.datetime(2026, 2, 1), wb.add_format({"num_format": "dd-mm-yyyy"}))
        episodes.write_row(1, 6, [70, "F", 28.5, "ja"])
        centres = wb.add_worksheet("centres")
        for i, line in enumerate(CENTRES_CSV.strip().splitlines()):
            centres.write_row(i, 0, line.split(","))
        wb.add_worksheet("toelichting").write(0, 0, "notes for the data manager")
    reports = load(write("levering.xlsx", buffer.getvalue()))
    assert [(r.table_name, r.status) for r in reports] == [
        ("centres", "loaded"),
        ("episodes", "loaded"),
        ("costs", "loaded"),
    ]
    assert stored(db) == [EXPECTED]
    assert fetch(db, "select amount_eur from costs") == [(1800.5,)]


@pytest.mark.usefixtures("with_centres")
def test_file_names_may_carry_a_prefix(write, load, db) -> None:
    assert load(write("UMCU_2026-10_episodes.csv", EPISODE + ROW))[0].table_name == "episodes"
    assert stored(db) == [EXPECTED]
