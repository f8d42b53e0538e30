"""Defect (issue 17): CSV downloads had 15 decimals, ``true``, ``concern``, ``2026-10-06 00:00:00``
and commas where Dutch Excel expects ``;`` and a decimal comma.

Every download goes through ``texts.csv_safe.csv_bytes``: Dutch pages get ``;``, decimal comma,
DD-MM-YYYY, ja/nee, codes in words and numbers rounded as the page shows them; English pages keep
``,`` and a decimal point; both stay formula-safe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import polars as pl

import ui.review_view
from texts import language
from texts.csv_safe import csv_bytes

ROOT = Path(__file__).resolve().parent.parent

FRAME = pl.DataFrame(
    {
        "month_date": [dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
        "value": [71.63333333333333, 1234.5],
        "share": [0.123456789012345, 0.5],
        "loaded_at": [dt.datetime(2026, 10, 6), dt.datetime(2026, 10, 7)],
        "special_cause": [True, False],
        "variation": ["concern", "common"],
        "status": ["loaded_with_quarantine", '=HYPERLINK("x")'],
    }
)


def rows(data: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_dutch_csv_uses_semicolons_decimal_commas_dutch_dates_ja_nee_and_words() -> None:
    data = csv_bytes(FRAME, "nl", codes={"status": {"loaded_with_quarantine": "geladen, met quarantaine"}})
    header, first, second = rows(data, ";")
    assert header[0] == "Maand" and "Variatie" in header
    assert first[:3] == ["01-10-2026", "71,6", "0,123"]
    assert second[1] == "1234,5"
    assert first[3] == "06-10-2026"  # a date-time at midnight is a date
    assert (first[4], second[4]) == ("ja", "nee")
    assert (first[5], second[5]) == ("zorgpunt", "geen bijzondere variatie")
    assert first[6] == "geladen, met quarantaine"
    assert second[6].startswith("'=")  # still formula-safe
    text = data.decode("utf-8-sig")
    assert not re.search(r"\d{5,}", text.replace("2026", ""))  # no long tails of decimals
    assert "true" not in text and "concern" not in text


def test_english_csv_keeps_commas_and_decimal_points() -> None:
    header, first, _ = rows(csv_bytes(FRAME, "en"), ",")
    assert header[0] == "Month"
    assert first[:3] == ["2026-10-01", "71.6", "0.123"]
    assert (first[4], first[5]) == ("yes", "concern")


def test_language_spoken_is_the_default_and_the_review_download_delegates() -> None:
    with language("en"):
        assert csv_bytes(FRAME).decode().startswith("Month,")
    with language("nl"):
        assert ui.review_view.csv_bytes(FRAME).decode("utf-8-sig").startswith("Maand;")


def test_every_download_goes_through_csv_bytes() -> None:
    for folder in ("ui", "pages"):
        for path in (ROOT / folder).glob("*.py"):
            source = path.read_text()
            assert "write_csv" not in source and "to_csv" not in source, path


def test_pathway_and_treatment_codes_are_written_as_their_labels() -> None:
    from data_models.outcome_sets import outcome_sets

    pathway, oset = next(iter(outcome_sets().items()))
    treatment = next(iter(oset.treatments))
    frame = pl.DataFrame({"pathway": [pathway], "treatment": [treatment], "n": [3]})
    _, first = rows(csv_bytes(frame, "nl"), ";")
    assert first == [oset.label["nl"], oset.treatments[treatment]["nl"], "3"]
