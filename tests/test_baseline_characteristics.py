"""Case-mix delivered as data: ``baseline_characteristics`` (episode, variable, value) is checked
against the episode's own outcome set, quarantined like every child table, and every case-mix
variable of every episode comes out of one long view, ``episode_casemix``, whatever its origin."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest
import yaml

from data_models.identifiers import fingerprint
from data_models.outcome_sets import OUTCOME_SET_DIR, OUTCOME_SET_ENV, common, outcome_sets, parse_outcome_set
from tests.conftest import fetch
from warehouse.connection import writer
from warehouse.limits import Limits
from warehouse.loader import load_paths
from warehouse.schema import casemix_view_ddl, ensure_schema

# Knee osteoarthritis with two variables no delivery format names: the Kellgren-Lawrence grade
# (categorical, codes that look like numbers) and the years with symptoms (numeric, 0–80).
KL_GRADE = {
    "kind": "categorical",
    "nl": "Kellgren-Lawrence-graad",
    "en": "Kellgren-Lawrence grade",
    "choices": {str(g): {"nl": f"Graad {g}", "en": f"Grade {g}"} for g in range(5)},
}
SYMPTOM_YEARS = {"kind": "numeric", "nl": "Jaren klachten", "en": "Years with symptoms", "min": 0, "max": 80, "step": 0.5, "unit": {"nl": "jaar", "en": "years"}}  # fmt: skip


@pytest.fixture(autouse=True)
def knee_with_characteristics(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The configured outcome sets, knee_oa with kl_grade and symptom_years delivered as characteristics."""
    folder = tmp_path_factory.mktemp("outcome_sets")
    for path in OUTCOME_SET_DIR.glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    knee = yaml.safe_load((folder / "knee_oa.yaml").read_text(encoding="utf-8"))
    knee["casemix"].update(kl_grade=KL_GRADE, symptom_years=SYMPTOM_YEARS)
    (folder / "knee_oa.yaml").write_text(yaml.safe_dump(knee, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(OUTCOME_SET_ENV, str(folder))  # the same pathways, so the delivery models need not be rebuilt


CENTRES = "centre_code,name,kind\nUMCU,UMC Utrecht,umc\n"
EPISODES = (
    "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex,bmi\n"
    "UMCU,K1,PK1,knee_oa,tka,2026-02-01,70,F,28.5\n"
    "UMCU,K2,PK2,knee_oa,tka,2026-02-02,64,M,\n"
    "UMCU,C1,PC1,ckd,haemodialysis,2026-02-03,58,X,\n"
)
HEADER = "centre_code,episode_id,variable,value\n"
GOOD = "UMCU,K1,kl_grade,3\n"


@pytest.fixture
def delivered(write, load) -> None:
    load(write("centres.csv", CENTRES), write("episodes.csv", EPISODES))


@pytest.mark.usefixtures("delivered")
def test_good_rows_load_with_their_typed_value(write, load, db) -> None:
    text = "centre_code;episode_id;variable;value\nUMCU;K1;kl_grade; 3 \nUMCU;K1;symptom_years;2,5\nUMCU;K2;symptom_years;12\n"
    [report] = load(write("UMCU_2026-02_baseline_characteristics.csv", text))
    assert (report.table_name, report.status, report.rows_new) == ("baseline_characteristics", "loaded", 3)
    rows = fetch(db, "select episode_id, variable, value, value_number from baseline_characteristics order by all")
    assert rows == [("K1", "kl_grade", "3", None), ("K1", "symptom_years", "2,5", 2.5), ("K2", "symptom_years", "12", 12.0)]


@pytest.mark.usefixtures("delivered")
def test_the_earlier_name_casemix_values_is_the_same_table(write, load, db) -> None:
    [report] = load(write("casemix_values.csv", HEADER + GOOD))
    assert (report.table_name, report.rows_new) == ("baseline_characteristics", 1)
    assert fetch(db, "select * from casemix_values") == fetch(db, "select * from baseline_characteristics")


# Each case: the bad line (row 3, after one good row), the column and the reason expected in the quarantine.
CASES = [
    ("UMCU,K9,kl_grade,3", "episode_id", "K9", "episode bestaat niet"),
    ("UMCU,123456782,kl_grade,3", "episode_id", fingerprint("123456782"), "lijkt op een BSN"),
    ("UMCU,K1,egfr,40", "variable", "egfr", "geen casemixvariabele"),
    ("UMCU,K1,bmi,28", "variable", "bmi", "vaste kenmerken zoals bmi horen in episodes"),
    ("UMCU,C1,kl_grade,3", "variable", "kl_grade", "geen casemixvariabele"),  # a knee variable on a CKD episode
    ("UMCU,K1,KL_grade,3", "variable", "KL_grade", "geen casemixvariabele"),
    ("UMCU,K1,symptom_years,veel", "value", "veel", "geen getal"),
    ("UMCU,K1,symptom_years,80.5", "value", "80.5", "buiten het bereik"),
    ("UMCU,K1,symptom_years,-1", "value", "-1", "buiten het bereik"),
    ("UMCU,K2,kl_grade,5", "value", "5", "geen van de keuzes"),
    ("UMCU,K2,kl_grade,3.0", "value", "3.0", "geen van de keuzes"),
    ("UMCU,K2,kl_grade,graad 3", "value", "graad 3", "geen van de keuzes"),
    ("UMCU,K2,kl_grade,123456782", "value", fingerprint("123456782"), "geen van de keuzes"),
    ("UMCU,K2,kl_grade,", "value", None, "verplicht veld is leeg"),
    ("UMCU,K2,,3", "variable", None, "verplicht veld is leeg"),
    ("UMCU,K2,kl_grade," + "3" * 65, "value", "3" * 65, "waarde is te lang: 65 tekens, maximaal 64"),
]


@pytest.mark.usefixtures("delivered")
@pytest.mark.parametrize(("line", "column", "value", "reason"), CASES)
def test_a_mistake_is_quarantined_with_its_reason_and_the_rest_loads(write, load, db, line, column, value, reason) -> None:
    [report] = load(write("baseline_characteristics.csv", HEADER + GOOD + line + "\n"))
    assert (report.status, report.rows_read, report.rows_loaded, report.rows_quarantined) == ("loaded_with_quarantine", 2, 1, 1)
    [(table, row_number, column_name, stored, why)] = fetch(
        db, "select table_name, row_number, column_name, value, reason from quarantine"
    )
    assert (table, row_number, column_name, stored) == ("baseline_characteristics", 3, column, value)
    assert reason in why
    assert fetch(db, "select episode_id, variable, value from baseline_characteristics") == [("K1", "kl_grade", "3")]


@pytest.mark.usefixtures("delivered")
def test_a_key_twice_is_counted_once_when_equal_and_quarantined_when_not(write, load, db) -> None:
    lines = GOOD + GOOD + "UMCU,K2,kl_grade,1\nUMCU,K2,kl_grade,2\n"
    [report] = load(write("baseline_characteristics.csv", HEADER + lines))
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_quarantined) == (4, 1, 1, 2)
    assert {r[0] for r in fetch(db, "select reason from quarantine")} == {
        "sleutel komt 2 keer voor in dit bestand met verschillende waarden; alle versies staan in quarantaine"
    }


@pytest.mark.usefixtures("with_centres")
def test_rows_of_an_episode_in_the_same_delivery_load_whatever_the_order(write, load, db) -> None:
    characteristics = write("baseline_characteristics.csv", HEADER + GOOD)
    reports = load(characteristics, write("episodes.csv", EPISODES))
    assert [(r.table_name, r.status) for r in reports] == [("episodes", "loaded"), ("baseline_characteristics", "loaded")]


@pytest.mark.usefixtures("delivered")
def test_a_reload_changes_nothing_and_a_correction_replaces(write, load, db) -> None:
    text = HEADER + GOOD + 'UMCU,K1,symptom_years,"2,5"\n' + "UMCU,K2,kl_grade,9\n"
    snapshot = "select * from store.baseline_characteristics order by all"
    first = load(write("baseline_characteristics.csv", text))
    before = (fetch(db, snapshot), fetch(db, "select * from quarantine order by all"))
    [again] = load(write("baseline_characteristics.csv", text))
    assert (fetch(db, snapshot), fetch(db, "select * from quarantine order by all")) == before
    assert [(r.rows_new, r.rows_quarantined) for r in first] == [(2, 1)]
    assert (again.rows_new, again.rows_updated, again.rows_unchanged, again.rows_quarantined) == (0, 0, 2, 1)
    [fixed] = load(write("baseline_characteristics_correctie.csv", HEADER + "UMCU,K1,symptom_years,3.5\n"))
    assert (fixed.rows_new, fixed.rows_updated) == (0, 1)
    rows = fetch(db, "select variable, value, value_number from baseline_characteristics where episode_id = 'K1' order by all")
    assert rows == [("kl_grade", "3", None), ("symptom_years", "3.5", 3.5)]


@pytest.mark.usefixtures("delivered")
def test_a_mostly_broken_file_is_refused_whole(write, db) -> None:
    broken = "".join(f"UMCU,K1,symptom_years,{90 + i}\n" for i in range(3))
    with writer(db) as con:
        path = write("baseline_characteristics.csv", HEADER + GOOD + broken)
        [report] = load_paths(con, [path], limits=Limits(quarantine_rows=2))
    assert report.status == "rejected" and "Niets geladen" in report.message
    assert fetch(db, "select count(*) from baseline_characteristics") == [(0,)]
    assert fetch(db, "select count(*) from quarantine") == [(0,)]


@pytest.mark.usefixtures("delivered")
def test_the_long_view_gives_every_variable_of_every_origin(write, load, db) -> None:
    load(
        write("baseline_characteristics.csv", HEADER + GOOD + 'UMCU,K1,symptom_years,"2,5"\n'),
        write("clinical_outcomes.csv", "centre_code,episode_id,outcome,value,measured_on\nUMCU,C1,diabetes,1,2026-02-03\n"),
        write(
            "prom_measurements.csv",
            "centre_code,episode_id,instrument,timepoint,invited_on,completed_on,score\n"
            "UMCU,C1,promis10_physical,baseline,2026-01-20,2026-01-22,41\n"
            "UMCU,C1,promis10_physical,6m,2026-08-01,2026-08-02,47\n"
            "UMCU,C1,sf12_pcs,baseline,2026-01-20,2026-01-22,55\n"
            "UMCU,K1,oks,baseline,2026-01-20,,\n",
        ),
    )
    rows = fetch(db, "select episode_id, variable, origin, kind, value_number, value_text from episode_casemix order by all")
    by_key = {(r[0], r[1]): r[2:] for r in rows}
    assert by_key[("K1", "bmi")] == ("episode", "numeric", 28.5, None)
    assert by_key[("K1", "sex")] == ("episode", "categorical", None, "F")
    assert by_key[("K1", "age")] == ("episode", "numeric", 70.0, None)
    assert by_key[("K1", "kl_grade")] == ("characteristic", "categorical", None, "3")
    assert by_key[("K1", "symptom_years")] == ("characteristic", "numeric", 2.5, None)
    assert by_key[("K1", "baseline_score")] == ("prom", "numeric", None, None)  # invited, not answered
    assert by_key[("C1", "diabetes")] == ("outcome", "numeric", 1.0, None)
    assert by_key[("C1", "baseline_score")] == ("prom", "numeric", 41.0, None)  # the primary instrument at baseline
    assert by_key[("C1", "charlson_index")] == ("episode", "numeric", None, None)
    assert by_key[("K2", "kl_grade")] == ("characteristic", "categorical", None, None)  # not delivered: a row all the same
    sets = outcome_sets()
    assert sorted(v for e, v in by_key if e == "K1") == sorted(sets["knee_oa"].casemix)
    assert sorted(v for e, v in by_key if e == "C1") == sorted(sets["ckd"].casemix)
    assert len(rows) == 2 * len(sets["knee_oa"].casemix) + len(sets["ckd"].casemix)  # one row per episode and variable


def test_the_view_quotes_what_the_outcome_sets_say(tmp_path: Path) -> None:
    knee = yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))
    knee["casemix"]["o'brien); drop table x; --"] = {**SYMPTOM_YEARS}
    oset = parse_outcome_set(knee, common())
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schema(con)
        con.execute(casemix_view_ddl({"knee_oa": oset}))
        con.execute(
            "insert into store.episodes (centre_code, episode_id, patient_id, pathway, treatment, treatment_date, age, sex,"
            " load_id, first_delivered_on) values ('UMCU', 'K1', 'P1', 'knee_oa', 'tka', '2026-02-01', 70, 'F', 1, '2026-02-10')"
        )
        variables = {r[0] for r in con.sql("select variable from episode_casemix").fetchall()}
    assert "o'brien); drop table x; --" in variables


def test_an_episode_column_that_does_not_exist_is_named() -> None:
    knee = outcome_sets()["knee_oa"]
    bad = dataclasses.replace(knee.casemix["bmi"], source="episodes.weight")
    oset = dataclasses.replace(knee, casemix={**knee.casemix, "bmi": bad})
    with pytest.raises(ValueError, match=r"knee_oa\.yaml: casemix\.bmi\.source: episodes has no column weight"):
        casemix_view_ddl({"knee_oa": oset})
