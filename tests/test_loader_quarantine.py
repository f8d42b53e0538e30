"""A file with one bad value per rule: the bad rows go to quarantine with a reason, the rest load."""

from __future__ import annotations

import pytest

from data_models.identifiers import fingerprint
from tests.conftest import fetch

EPISODE = "centre_code,episode_id,patient_id,pathway,treatment,referral_date,treatment_date,discharge_date,age,sex,bmi,asa_class,sdm_documented\n"
GOOD = "UMCU,E1,P1,knee_oa,tka,2026-01-01,2026-02-01,2026-02-03,70,F,28.5,2,ja\n"


def good_episode(eid: str) -> str:
    return GOOD.replace("E1", eid).replace("P1", "P" + eid)


# Each case: the bad line (as row 3 of the file, after one good row) and the column and reason expected.
EPISODE_CASES = [
    ("XXXX,E2,P2,knee_oa,tka,,2026-02-01,,70,F,,,", "centre_code", "XXXX", "onbekend centrum"),
    ("U,E2,P2,knee_oa,tka,,2026-02-01,,70,F,,,", "centre_code", "U", "ongeldige centrumcode"),
    ("UMCU,,P2,knee_oa,tka,,2026-02-01,,70,F,,,", "episode_id", None, "verplicht veld is leeg"),
    # a BSN is never stored in clear: the quarantine keeps its keyed fingerprint (the demo key in tests)
    ("UMCU,E2,111222333,knee_oa,tka,,2026-02-01,,70,F,,,", "patient_id", fingerprint("111222333"), "lijkt op een BSN"),
    ("UMCU,123456782,P2,knee_oa,tka,,2026-02-01,,70,F,,,", "episode_id", fingerprint("123456782"), "lijkt op een BSN"),
    ("UMCU,E2,P2,shoulder_oa,tsa,,2026-02-01,,70,F,,,", "pathway", "shoulder_oa", "onbekende code"),
    ("UMCU,E2,P2,knee_oa,whipple,,2026-02-01,,70,F,,,", "treatment", "whipple", "behandeling hoort niet bij"),
    ("UMCU,E2,P2,knee_oa,tka,2026-03-01,2026-02-01,,70,F,,,", "referral_date", "2026-03-01", "verwijsdatum ligt na"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,2026-01-20,70,F,,,", "discharge_date", "2026-01-20", "ontslagdatum ligt vóór"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-30,,70,F,,,", "treatment_date", "2026-02-30", "geen geldige datum"),
    ("UMCU,E2,P2,knee_oa,tka,,,,70,F,,,", "treatment_date", None, "verplicht veld is leeg"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,111,F,,,", "age", "111", "groter dan het maximum 110"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,zeventig,F,,,", "age", "zeventig", "geen geheel getal"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,70.5,F,,,", "age", "70.5", "geen geheel getal"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,70,V,,,", "sex", "V", "onbekende code"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,70,F,9,,", "bmi", "9", "kleiner dan het minimum 10"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,70,F,,6,", "asa_class", "6", "groter dan het maximum 5"),
    ("UMCU,E2,P2,knee_oa,tka,,2026-02-01,,70,F,,,misschien", "sdm_documented", "misschien", "geen geldige ja/nee-waarde"),
]


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(("line", "column", "value", "reason"), EPISODE_CASES)
def test_bad_episode_value_is_quarantined_with_reason(write, load, db, line, column, value, reason) -> None:
    [report] = load(write("episodes.csv", EPISODE + GOOD + line + "\n"))
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
    assert report.status == "loaded_with_quarantine"
    rows = fetch(db, "select file_name, row_number, column_name, value, reason from quarantine")
    assert len(rows) == 1
    file_name, row_number, column_name, stored_value, stored_reason = rows[0]
    assert (file_name, row_number, column_name, stored_value) == ("episodes.csv", 3, column, value)
    assert reason in stored_reason
    assert fetch(db, "select episode_id from episodes") == [("E1",)]


CHILD_CASES = [
    (
        "prom_measurements.csv",
        "centre_code,episode_id,instrument,timepoint,invited_on,completed_on,score\n",
        "UMCU,E1,oks,3m,2026-05-01,2026-05-02,40\n",
        [
            ("UMCU,E9,oks,3m,2026-05-01,2026-05-02,40", "episode_id", "episode bestaat niet"),
            ("UMCU,E1,sf12_pcs,3m,2026-05-01,2026-05-02,40", "instrument", "hoort niet bij de uitkomstenset"),
            ("UMCU,E1,oks,12m,2026-05-01,2026-05-02,49", "score", "buiten het bereik"),
            ("UMCU,E1,oks,12m,2026-05-01,2026-05-02,", "score", "score ontbreekt"),
            ("UMCU,E1,oks,24m,2026-05-01,,", "timepoint", "onbekende code"),
            ("UMCU,E1,oks,12m,,,", "invited_on", "verplicht veld is leeg"),
        ],
    ),
    (
        "clinical_outcomes.csv",
        "centre_code,episode_id,outcome,value,measured_on\n",
        "UMCU,E1,complication_severe,0,2026-03-01\n",
        [
            ("UMCU,E1,pancreatic_fistula_bc,1,2026-03-01", "outcome", "hoort niet bij de uitkomstenset"),
            ("UMCU,E1,readmission_30d,2,2026-03-01", "value", "0 of 1"),
            ("UMCU,E1,readmission_30d,,2026-03-01", "value", "verplicht veld is leeg"),
        ],
    ),
    (
        "prem_responses.csv",
        "centre_code,episode_id,instrument,score,completed_on\n",
        "UMCU,E1,collaborate_1,9,2026-03-01\n",
        [
            ("UMCU,E1,collaborate_2,10,2026-03-01", "score", "buiten het bereik"),
            ("UMCU,E1,nps,11,2026-03-01", "score", "buiten het bereik"),
            ("UMCU,E1,collaborate,9,2026-03-01", "instrument", "onbekende code"),
        ],
    ),
    (
        "costs.csv",
        "centre_code,episode_id,category,amount_eur\n",
        "UMCU,E1,implant,1800\n",
        [
            ("UMCU,E1,or_time,-5", "amount_eur", "kleiner dan het minimum 0"),
            ("UMCU,E1,parking,5", "category", "onbekende code"),
            ("UMCU,E1,or_time,veel", "amount_eur", "geen getal"),
        ],
    ),
]


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(
    ("name", "header", "good", "line", "column", "reason"),
    [(n, h, g, line, col, reason) for n, h, g, cases in CHILD_CASES for line, col, reason in cases],
)
def test_bad_child_value_is_quarantined_with_reason(write, load, db, name, header, good, line, column, reason) -> None:
    load(write("episodes.csv", EPISODE + GOOD))
    [report] = load(write(name, header + good + line + "\n"))
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
    [(row_number, column_name, stored_reason)] = fetch(db, "select row_number, column_name, reason from quarantine")
    assert (row_number, column_name) == (3, column)
    assert reason in stored_reason


@pytest.mark.usefixtures("with_centres")
def test_child_rows_of_an_episode_in_the_same_delivery_load_whatever_the_order(write, load, db) -> None:
    costs = write("costs.csv", "centre_code,episode_id,category,amount_eur\nUMCU,E1,implant,1800\n")
    episodes = write("episodes.csv", EPISODE + GOOD)
    reports = load(costs, episodes)
    assert [(r.table_name, r.status) for r in reports] == [("episodes", "loaded"), ("costs", "loaded")]


@pytest.mark.usefixtures("with_centres")
def test_every_row_read_is_accounted_for(write, load, db) -> None:
    lines = [
        good_episode("E1"),
        good_episode("E2"),
        good_episode("E2"),  # exact duplicate: counted once, reported
        good_episode("E3"),
        good_episode("E3").replace(",70,", ",71,"),  # same key, different values: both quarantined
        "UMCU,E4,P4,knee_oa,tka,,2026-02-30,,70,F,,,\n",  # impossible date
        "UMCU,E5,P5,knee_oa,tka,,2026-02-01,,70,F,,,,extra\n",  # one field too many
    ]
    [report] = load(write("episodes.csv", EPISODE + "".join(lines)))
    assert report.rows_read == 7
    assert (report.rows_loaded, report.rows_quarantined, report.rows_duplicate) == (2, 4, 1)
    assert report.rows_read == report.rows_loaded + report.rows_quarantined + report.rows_duplicate
    reasons = fetch(db, "select row_number, reason from quarantine order by row_number")
    assert [r[0] for r in reasons] == [5, 6, 7, 8]
    assert "sleutel komt 2 keer voor" in reasons[0][1]
    assert "meer velden" in reasons[3][1]


@pytest.mark.usefixtures("with_centres")
def test_unknown_columns_are_reported_and_not_loaded(write, load, db) -> None:
    [report] = load(write("episodes.csv", EPISODE.replace("\n", ",opmerking,BSN\n") + GOOD.replace("\n", ",let op,\n")))
    assert report.status == "loaded"
    assert report.ignored_columns == ["opmerking", "bsn"]
    assert "opmerking" in report.message
    columns = [r[0] for r in fetch(db, "select column_name from information_schema.columns where table_name = 'episodes'")]
    assert "opmerking" not in columns
    assert fetch(db, "select ignored_columns from load_log") == [(None,), ("opmerking, bsn",)]
