"""Fuzzing the loader: random broken cells, encodings, delimiters, truncation and wrong types.

The loader must never crash, and every row read is loaded, quarantined with a reason, or
counted as a duplicate; a file it cannot use at all is refused with one line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse.loader import load_paths

CENTRES = "centre_code,name,kind\nUMCU,UMC Utrecht,umc\n"
HEADER = [
    "centre_code",
    "episode_id",
    "patient_id",
    "pathway",
    "treatment",
    "treatment_date",
    "age",
    "sex",
    "bmi",
    "sdm_documented",
]
GOOD = ["UMCU", "E{i}", "P{i}", "knee_oa", "tka", "2026-02-01", "70", "F", "28.5", "ja"]
NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "NULL",
            "n/a",
            "31-02-2026",
            "2026-13-01",
            "1,5",
            "1.234,5",
            "-3",
            "999",
            "€",
            "ja",
            "nee",
            "0",
            "111222333",
            "ckd",
            '"',
            "a;b",
            "é",
        ]
    ),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@st.composite
def delivery(draw) -> tuple[bytes, str]:
    n = draw(st.integers(0, 25))
    rows = []
    for _ in range(n):
        row = [cell.format(i=draw(st.integers(0, 12))) for cell in GOOD]
        for column in draw(st.lists(st.integers(0, len(HEADER) - 1), max_size=3)):
            row[column] = draw(NASTY)
        if draw(st.booleans()) and rows:
            row = list(rows[-1])  # an exact or near duplicate
        rows.append(row)
    header = list(HEADER)
    if draw(st.booleans()):
        header = [h.upper() if draw(st.booleans()) else f" {h} " for h in header]
    if draw(st.integers(0, 9)) == 0:
        header = header[:-3]  # required and optional columns missing
    if draw(st.integers(0, 9)) == 0:
        header.append("opmerking")
    delimiter = draw(st.sampled_from([",", ";", "\t"]))

    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in f'{delimiter}"\n\r') else value

    text = "\n".join(delimiter.join(cell(v) for v in line) for line in [header, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]  # truncated mid-way
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))  # not text at all
    return data, draw(st.sampled_from(["episodes.csv", "episodes.txt", "UMCU_episodes.csv"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(delivery())
def test_every_row_is_accounted_for_and_nothing_crashes(case) -> None:
    data, name = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "centres.csv").write_text(CENTRES, encoding="utf-8")
        (folder / name).write_bytes(data)
        con = duckdb.connect()
        load_paths(con, [folder / "centres.csv"])
        reports = load_paths(con, [folder / name])
        for r in reports:
            assert r.status in ("loaded", "loaded_with_quarantine", "rejected"), r.message
            if r.status == "rejected":
                assert r.message and "\n" not in r.message
                continue
            assert r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_duplicate
            stored = con.execute("select count(*) from episodes").fetchone()[0]
            assert stored <= r.rows_loaded
            quarantined = con.execute(
                "select count(distinct row_number) from quarantine where table_name = 'episodes'"
            ).fetchone()[0]
            assert quarantined == r.rows_quarantined
        con.close()
