"""Re-deliveries: the same file twice changes nothing, a correction replaces, never duplicates."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import fetch

EPISODES = (
    "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex,bmi\n"
    "UMCU,E1,P1,knee_oa,tka,2026-02-01,70,F,28.5\n"
    "UMCU,E2,P2,knee_oa,tka,2026-02-02,71,M,\n"
    "UMCU,E3,P3,knee_oa,tka,2026-02-03,999,M,\n"
)
PROMS = "centre_code,episode_id,instrument,timepoint,invited_on,completed_on,score\nUMCU,E1,oks,3m,2026-05-01,,\n"
SNAPSHOT = [
    "select * from centres order by all",
    "select * from episodes order by all",
    "select * from prom_measurements order by all",
    "select * from store.episodes order by all",
    "select * from quarantine order by all",
]


def snapshot(db) -> list[list[tuple]]:
    return [fetch(db, sql) for sql in SNAPSHOT]


@pytest.mark.usefixtures("with_centres")
def test_loading_the_same_files_twice_changes_nothing(write, load, db) -> None:
    files = [write("episodes.csv", EPISODES), write("prom_measurements.csv", PROMS)]
    first = load(*files, delivered_on=dt.date(2026, 3, 10))
    before = snapshot(db)
    second = load(*files, delivered_on=dt.date(2026, 4, 10))
    assert snapshot(db) == before
    assert [r.rows_new for r in first] == [2, 1]
    assert [(r.rows_new, r.rows_updated, r.rows_unchanged, r.rows_quarantined) for r in second] == [(0, 0, 2, 1), (0, 0, 1, 0)]
    log = fetch(db, "select count(*), count(distinct checksum_sha256) from load_log where table_name = 'episodes'")
    assert log == [(2, 1)]


@pytest.mark.usefixtures("with_centres")
def test_a_correction_replaces_the_stored_row(write, load, db) -> None:
    load(write("episodes.csv", EPISODES), delivered_on=dt.date(2026, 3, 10))
    correction = "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex,bmi\nUMCU,E2,P2,knee_oa,tka,2026-02-02,72,M,30.1\n"
    [report] = load(write("episodes_correctie.csv", correction), delivered_on=dt.date(2026, 4, 10))
    assert (report.rows_new, report.rows_updated) == (0, 1)
    assert fetch(db, "select age, bmi from episodes where episode_id = 'E2'") == [(72, 30.1)]
    assert fetch(db, "select count(*) from episodes") == [(2,)]
    # the episode keeps the date it was first delivered: delivery delay is measured from there
    assert fetch(db, "select first_delivered_on from store.episodes where episode_id = 'E2'") == [(dt.date(2026, 3, 10),)]


@pytest.mark.usefixtures("with_centres")
def test_a_later_follow_up_completes_an_invitation(write, load, db) -> None:
    load(write("episodes.csv", EPISODES), write("prom_measurements.csv", PROMS))
    answered = PROMS.replace("2026-05-01,,", "2026-05-01,2026-05-09,41")
    [report] = load(write("prom_measurements.csv", answered))
    assert (report.rows_new, report.rows_updated) == (0, 1)
    assert fetch(db, "select completed_on, score from prom_measurements") == [(dt.date(2026, 5, 9), 41.0)]


@pytest.mark.usefixtures("with_centres")
def test_keys_stay_unique_after_many_overlapping_loads(write, load, db) -> None:
    for age in (70, 71, 70, 72):
        load(write("episodes.csv", EPISODES.replace(",70,", f",{age},")))
    assert fetch(db, "select count(*), count(distinct (centre_code, episode_id)) from episodes") == [(2, 2)]
    assert fetch(db, "select age from episodes where episode_id = 'E1'") == [(72,)]


@pytest.mark.usefixtures("with_centres")
def test_an_episode_from_an_earlier_delivery_is_known(write, load, db) -> None:
    load(write("episodes.csv", EPISODES))
    [report] = load(write("costs.csv", "centre_code,episode_id,category,amount_eur\nUMCU,E1,implant,1800\n"))
    assert report.status == "loaded"


def test_the_same_key_in_another_centre_is_another_episode(write, load, db) -> None:
    load(write("centres.csv", "centre_code,name,kind\nUMCU,UMC Utrecht,umc\nLUMC,LUMC,umc\n"))
    both = EPISODES + "LUMC,E1,P1,knee_oa,tka,2026-02-01,70,F,28.5\n"
    [report] = load(write("episodes.csv", both))
    assert report.rows_new == 3
    assert fetch(db, "select centre_code from episodes where episode_id = 'E1' order by 1") == [("LUMC",), ("UMCU",)]
