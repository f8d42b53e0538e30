"""A load is all or nothing per file: a crash halfway leaves the warehouse as it was."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

import warehouse.loader as loader
from tests.conftest import fetch
from tests.fixtures import CENTRES_CSV

EPISODES = (
    "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex\n"
    "UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F\n"
    "UMCU,E2,P2,knee_oa,tka,2026-02-02,71,M\n"
)
STATE = [
    "select * from store.centres order by all",
    "select * from store.episodes order by all",
    "select * from store.costs order by all",
    "select * from quarantine order by all",
]


def state(db) -> list[list[tuple]]:
    return [fetch(db, sql) for sql in STATE]


class Crash(RuntimeError):
    pass


@pytest.mark.usefixtures("with_centres")
def test_a_crash_after_the_merge_rolls_the_file_back(write, load, db, monkeypatch) -> None:
    load(write("episodes.csv", EPISODES))
    before = state(db)

    def crash(*args, **kwargs):
        raise Crash("disk full")

    monkeypatch.setattr(loader, "write_quarantine", crash)  # runs after the rows were merged
    corrected = (
        EPISODES.replace(",70,", ",75,") + "UMCU,E3,P3,knee_oa,tka,2026-02-03,72,F\nUMCU,E4,P4,knee_oa,tka,2026-02-30,72,F\n"
    )
    [report] = load(write("episodes.csv", corrected))
    assert report.status == "failed"
    assert "niets geladen" in report.message and "disk full" in report.message
    assert state(db) == before
    monkeypatch.undo()
    [retry] = load(write("episodes.csv", corrected))
    assert (retry.status, retry.rows_new, retry.rows_updated, retry.rows_quarantined) == ("loaded_with_quarantine", 1, 1, 1)
    statuses = [
        r[0]
        for r in fetch(db, "select status from load_log where table_name = 'episodes' or table_name is null order by load_id")
    ]
    assert statuses == ["loaded", "failed", "loaded_with_quarantine"]


def test_a_crash_in_a_later_sheet_rolls_back_the_whole_workbook(write, load, db, monkeypatch) -> None:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as wb:
        for name, text in (
            ("centres", CENTRES_CSV),
            ("episodes", EPISODES),
            ("costs", "centre_code,episode_id,category,amount_eur\nUMCU,E1,implant,1\n"),
        ):
            sheet = wb.add_worksheet(name)
            for i, line in enumerate(text.strip().splitlines()):
                sheet.write_row(i, 0, line.split(","))
    original = loader.merge

    def merge_then_crash_on_costs(con, spec, *args, **kwargs):
        result = original(con, spec, *args, **kwargs)
        if spec.name == "costs":
            raise Crash("killed while loading costs")
        return result

    monkeypatch.setattr(loader, "merge", merge_then_crash_on_costs)
    [report] = load(write("levering.xlsx", buffer.getvalue()))
    assert report.status == "failed"
    assert fetch(db, "select count(*) from store.centres") == [(0,)]
    assert fetch(db, "select count(*) from store.episodes") == [(0,)]
