"""Importing a FHIR R4 export: every mapping rule with hand-written resources, pseudonyms, quarantine."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cli import main
from tests.conftest import fetch
from warehouse.connection import writer
from warehouse.fhir import BSN_SYSTEM, mappings, pseudonym_secret, score
from warehouse.loader import LoadReport

SCT = "http://snomed.info/sct"
OKS = "http://fhir.nl/fhir/Questionnaire/oxford-knee-score"
BSN = "111222333"  # passes the elfproef
OUTCOMES = "https://samenleren.nl/fhir/CodeSystem/uitkomsten"


def patient(pid: str = "p1", bsn: str | None = BSN, birth: str = "1956-03-10", gender: str = "female") -> dict:
    ident = [{"system": BSN_SYSTEM, "value": bsn}] if bsn else []
    ident.append({"system": "urn:oid:2.16.840.1.113883.2.4.6.3.99", "value": "MRN-" + pid})
    return {"resourceType": "Patient", "id": pid, "identifier": ident, "birthDate": birth, "gender": gender}


def procedure(rid: str = "pr1", code: str = "609588000", when: str = "2026-02-01", pid: str = "p1", **extra) -> dict:
    res = {
        "resourceType": "Procedure",
        "id": rid,
        "status": "completed",
        "code": {"coding": [{"system": SCT, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "performedDateTime": when + "T09:30:00+01:00",
        "encounter": {"reference": "Encounter/enc1"},
    }
    return res | extra


def encounter(end: str = "2026-02-04") -> dict:
    return {"resourceType": "Encounter", "id": "enc1", "status": "finished", "period": {"start": "2026-02-01", "end": end}}


def oks_items(values: list[int | None]) -> list[dict]:
    return [
        {"linkId": f"oks_{n}", **({"answer": [{"valueInteger": v}]} if v is not None else {})}
        for n, v in enumerate(values, start=1)
    ]


def response(rid: str, authored: str, items: list[dict], pid: str = "p1", url: str = OKS, status: str = "completed") -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": url,
        "status": status,
        "subject": {"reference": f"Patient/{pid}"},
        "authored": authored + "T10:00:00+01:00",
        "item": [{"linkId": "oks", "item": items}],  # nested in a group, as SDC forms do
    }


def observation(rid: str, system: str, code: str, when: str, pid: str = "p1", **value) -> dict:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        **value,
    }


def ndjson(resources: list[dict | str]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in resources)


@pytest.fixture
def import_fhir(db: Path, with_centres):
    """Import export files into the test's warehouse (centre UMCU) and return the reports."""

    def _import(*paths: Path) -> list[LoadReport]:
        from warehouse.fhir import import_paths

        with writer(db) as con:
            return import_paths(con, list(paths), "UMCU")

    return _import


def fhir_quarantine(db: Path) -> list[tuple]:
    return fetch(db, "select table_name, row_number, column_name, value, reason from quarantine order by row_number")


KNEE = [
    patient(),
    encounter(),
    procedure(),
    observation("o1", "http://loinc.org", "39156-5", "2026-01-15", valueQuantity={"value": 31.4, "unit": "kg/m2"}),
    observation("o2", OUTCOMES, "complication_severe", "2026-02-20", valueBoolean=True),
    observation(
        "o3", "http://loinc.org", "8867-4", "2026-02-01", valueQuantity={"value": 72}
    ),  # heart rate: no outcome set uses it
    response("q1", "2026-01-20", [{"linkId": "oks_total", "answer": [{"valueInteger": 18}]}]),
    response("q2", "2026-05-10", oks_items([3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3])),
    response("q3", "2027-02-10", oks_items([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, None, None])),
]


def test_knee_export_maps_to_the_standard_tables(write, import_fhir, db) -> None:
    reports = import_fhir(write("export.ndjson", ndjson(KNEE)))
    assert all(r.usable for r in reports), reports
    [(eid, pid, pathway, treatment, tdate, discharge, age, sex, bmi)] = fetch(
        db, "select episode_id, patient_id, pathway, treatment, treatment_date, discharge_date, age, sex, bmi from episodes"
    )
    assert (pathway, treatment, str(tdate), str(discharge), age, sex, bmi) == (
        "knee_oa",
        "tka",
        "2026-02-01",
        "2026-02-04",
        69,
        "F",
        31.4,
    )
    assert eid.startswith("E-") and pid.startswith("P-")
    proms = fetch(
        db,
        "select instrument, timepoint, invited_on::varchar, completed_on::varchar, score from prom_measurements order by invited_on",
    )
    assert proms == [
        ("oks", "baseline", "2026-01-20", "2026-01-20", 18.0),  # the delivered total
        ("oks", "3m", "2026-05-10", "2026-05-10", 36.0),  # 12 items of 3
        ("oks", "12m", "2027-02-10", "2027-02-10", 48.0),  # 2 missing: the mean of the answered (4) counts for them
    ]
    assert fetch(db, "select outcome, value, measured_on::varchar from clinical_outcomes") == [
        ("complication_severe", 1.0, "2026-02-20")
    ]
    [log] = [r for r in reports if r.table_name == "fhir"]
    assert log.rows_read == len(KNEE) and log.rows_quarantined == 0
    assert fhir_quarantine(db) == []


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([4] * 12, 48.0),
        ([0] * 12, 0.0),
        ([1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2], 23.0),
        ([2] * 11 + [None], 24.0),  # one missing: 22 + 2
        ([4, 4, 4, 4, 4, 4, 4, 4, 4, 3, None, None], 46.8),  # 39 over 10 answered items: 39 + 2 × 3.9
    ],
)
def test_oks_item_scoring(items, expected) -> None:
    [q] = [q for qs in mappings().questionnaires.values() for q in qs if q.instrument == "oks"][:1]
    answers = {f"oks_{n}": v for n, v in enumerate(items, start=1) if v is not None}
    got = score(q, {k: float(v) for k, v in answers.items()})
    assert got == pytest.approx(expected)


def test_too_many_missing_items_or_out_of_range_are_quarantined(write, import_fhir, db) -> None:
    resources = [
        patient(),
        procedure(),
        response("q-missing", "2026-05-10", oks_items([3] * 9 + [None] * 3)),  # 3 missing: the OKS allows 2
        response("q-range", "2027-02-10", oks_items([3] * 11 + [7])),
    ]
    reports = import_fhir(write("export.ndjson", ndjson(resources)))
    assert all(r.usable for r in reports)
    rows = fhir_quarantine(db)
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("fhir QuestionnaireResponse", 3, "q-missing"),
        ("fhir QuestionnaireResponse", 4, "q-range"),
    ]
    assert "3 van 12 items van oks onbeantwoord" in rows[0][4] and "hoogstens 2" in rows[0][4]
    assert "buiten het bereik 0-4" in rows[1][4] and "oks_12" in rows[1][4]
    assert fetch(db, "select count(*) from prom_measurements") == [(0,)]


def test_response_outside_every_timepoint_window_is_quarantined(write, import_fhir, db) -> None:
    late = response("q-late", "2026-09-01", oks_items([2] * 12))  # 212 days: between 3m and 12m
    import_fhir(write("export.ndjson", ndjson([patient(), procedure(), late])))
    [(table, row, column, value, reason)] = fhir_quarantine(db)
    assert (table, row, column, value) == ("fhir QuestionnaireResponse", 3, "QuestionnaireResponse.authored", "q-late")
    assert "212 dagen na de behandeldatum" in reason and "geen meetmoment van knee_oa" in reason


def test_unknown_questionnaire_is_quarantined(write, import_fhir, db) -> None:
    other = response("q-x", "2026-05-10", oks_items([2] * 12), url="https://example.org/Questionnaire/hoos|2.0")
    import_fhir(write("export.ndjson", ndjson([patient(), procedure(), other])))
    [(_, _, column, value, reason)] = fhir_quarantine(db)
    assert (column, value) == ("QuestionnaireResponse.questionnaire", "q-x")
    assert reason.startswith("onbekende vragenlijst https://example.org/Questionnaire/hoos")


def test_a_procedure_of_no_pathway_is_skipped_and_counted_by_code_never_lost(write, import_fhir, db) -> None:
    """A hospital's export holds every procedure of its patients: those of no outcome set are not errors
    to fix (quarantine), but they are never silently lost: the load log counts them per code."""
    others = [procedure(f"pr-app{n}", code="80146002") for n in range(3)]  # appendectomy, three times
    others.append(procedure("pr-cat", code="54885007"))  # cataract extraction
    reports = import_fhir(write("export.ndjson", ndjson([patient(), procedure(), *others])))
    assert fhir_quarantine(db) == []
    assert fetch(db, "select treatment from episodes") == [("tka",)]  # only the knee replacement opens an episode
    [log] = [r for r in reports if r.table_name == "fhir"]
    assert (log.status, log.rows_read, log.rows_quarantined) == ("loaded", 6, 0)
    assert "overgeslagen 4 (waarvan 4 verrichtingen zonder zorgpad: 80146002 ×3, 54885007 ×1)" in log.message
    assert fetch(db, "select message from load_log where table_name = 'fhir'") == [(log.message,)]


def test_condition_opens_a_conservative_episode_only_without_a_procedure(write, import_fhir, db) -> None:
    knee_oa = {
        "resourceType": "Condition",
        "id": "c1",
        "code": {"coding": [{"system": SCT, "code": "239873007"}]},
        "recordedDate": "2025-11-01",
    }
    resources = [
        patient("p1"),
        patient("p2", bsn=None),
        procedure(pid="p1"),
        knee_oa | {"subject": {"reference": "Patient/p1"}},
        knee_oa | {"id": "c2", "subject": {"reference": "Patient/p2"}},
    ]
    import_fhir(write("export.ndjson", ndjson(resources)))
    assert sorted(fetch(db, "select treatment, treatment_date::varchar from episodes")) == [
        ("conservative", "2025-11-01"),
        ("tka", "2026-02-01"),
    ]


def test_malformed_lines_are_quarantined_and_the_rest_loads(write, import_fhir, db) -> None:
    lines = [patient(), procedure(), '{"resourceType": "Observation", "id": ', "not json at all", "[1, 2]", KNEE[6]]
    reports = import_fhir(write("export.ndjson", ndjson(lines)))
    rows = fhir_quarantine(db)
    assert [(r[1], r[4]) for r in rows] == [
        (3, "regel is geen geldige JSON"),
        (4, "regel is geen geldige JSON"),
        (5, "geen JSON-object"),
    ]
    assert fetch(db, "select timepoint, score from prom_measurements") == [("baseline", 18.0)]
    [log] = [r for r in reports if r.table_name == "fhir"]
    assert (log.status, log.rows_quarantined) == ("loaded_with_quarantine", 3)


BSN_NOTATIONS = (BSN, "111.222.333", "111 222 333", "111-222-333")


def test_a_bsn_in_any_identifier_position_is_never_stored(write, import_fhir, db, tmp_path) -> None:
    resources = [
        patient(pid=BSN, bsn="111.222.333") | {"identifier": [{"system": BSN_SYSTEM, "value": "111.222.333"}, {"value": BSN}]},
        procedure(rid=BSN, pid=BSN)
        | {"subject": {"reference": f"Patient/{BSN}", "identifier": {"system": BSN_SYSTEM, "value": BSN}}},
        response(BSN, "2026-01-20", [{"linkId": "oks_total", "answer": [{"valueInteger": 18}]}], pid=BSN),
        # quarantined: its id, its subject and its questionnaire URL all hold the BSN
        response("QR-" + BSN, "2026-05-10", oks_items([2] * 12), pid=BSN, url=f"https://example.org/q/{BSN}"),
        observation(BSN, "http://loinc.org", "39156-5", "2026-01-15", pid=BSN, valueQuantity={"value": 30.0})
        | {"subject": {"identifier": {"system": BSN_SYSTEM, "value": "BSN 111222333"}}},
        procedure(rid="x-" + BSN, code="80146002", pid=BSN),  # skipped: no pathway
    ]
    reports = import_fhir(write(f"export_{'p'}.ndjson", ndjson(resources)))
    assert all(r.usable for r in reports)
    assert fetch(db, "select count(*), max(bmi) from episodes") == [(1, 30.0)]
    assert fetch(db, "select count(*) from prom_measurements") == [(1,)]
    assert len(fhir_quarantine(db)) == 1
    stored = b"".join(p.read_bytes() for p in db.parent.rglob("*") if p.is_file() and p.suffix != ".ndjson")
    for notation in BSN_NOTATIONS:
        assert notation.encode() not in stored
    for row in fetch(db, "select * from quarantine") + fetch(db, "select * from load_log") + fetch(db, "select * from episodes"):
        assert not any(n in str(cell) for cell in row for n in BSN_NOTATIONS)


def test_a_bsn_in_subject_identifiers_contained_resources_and_extensions_is_never_stored(write, import_fhir, db) -> None:
    by_bsn = {"identifier": {"system": BSN_SYSTEM, "value": BSN}}  # a subject named by its BSN alone
    contained = {"resourceType": "Patient", "id": "c", "identifier": [{"system": BSN_SYSTEM, "value": "111 222 333"}]}
    extension = [
        {"url": "https://example.org/bsn", "valueString": "BSN: 111-222-333"},
        {"url": "https://example.org/id", "valueIdentifier": {"system": BSN_SYSTEM, "value": BSN}},
    ]
    resources = [
        patient(),
        procedure() | {"extension": extension, "contained": [contained], "note": [{"text": f"bsn {BSN}"}]},
        response("q1", "2026-01-20", [{"linkId": "oks_total", "answer": [{"valueInteger": 18}]}]) | {"subject": by_bsn},
        response("q2", "2026-05-10", oks_items([3] * 12)) | {"contained": [contained], "extension": extension},
        observation("o1", "http://loinc.org", "39156-5", "2026-01-15", valueQuantity={"value": 30.5}) | {"subject": by_bsn},
        {
            "resourceType": "ChargeItem",
            "id": "c1",
            "status": "billed",
            "code": {"coding": [{"system": "https://samenleren.nl/fhir/CodeSystem/kostencategorie", "code": "implant"}]},
            "subject": by_bsn,
            "occurrenceDateTime": "2026-02-01",
            "priceOverride": {"value": 1900.0, "currency": "EUR"},
            "extension": extension,
        },
        {  # quarantined: its currency, shown in the reason, is the BSN
            "resourceType": "ChargeItem",
            "id": "c2",
            "status": "billed",
            "code": {"coding": [{"system": "https://samenleren.nl/fhir/CodeSystem/kostencategorie", "code": "other"}]},
            "subject": by_bsn,
            "occurrenceDateTime": "2026-02-01",
            "priceOverride": {"value": 10.0, "currency": BSN},
        },
    ]
    reports = import_fhir(write("export.ndjson", ndjson(resources)))
    assert all(r.usable for r in reports)
    assert fetch(db, "select count(*), max(bmi) from episodes") == [(1, 30.5)]
    assert fetch(db, "select timepoint from prom_measurements order by timepoint") == [("3m",), ("baseline",)]
    assert fetch(db, "select category, amount_eur from costs") == [("implant", 1900.0)]
    assert [r[4] for r in fhir_quarantine(db)] == ["valuta '[BSN verwijderd]'; alleen EUR wordt ingelezen"]
    stored = b"".join(p.read_bytes() for p in db.parent.rglob("*") if p.is_file() and p.suffix != ".ndjson")
    for notation in BSN_NOTATIONS:
        assert notation.encode() not in stored


def test_a_line_too_long_or_nested_too_deep_is_quarantined_and_the_rest_loads(write, import_fhir, db, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_CELL_BYTES", "20000")
    deep_json = '{"resourceType": "Observation", "value": ' + "[" * 5_000 + "]" * 5_000 + "}"
    nested = items = []
    for depth in range(40):  # a questionnaire response whose groups nest 40 deep: parsed, but not walked
        items.append({"linkId": f"g{depth}", "item": []})
        items = items[0]["item"]
    long_line = json.dumps(observation("o9", OUTCOMES, "x", "2026-01-01") | {"note": [{"text": "x" * 30_000}]})
    lines = [patient(), procedure(), deep_json, response("q9", "2026-05-10", nested), long_line, KNEE[6]]
    deep_bundle = '{"resourceType": "Bundle", "entry": ' + "[" * 5_000 + "]" * 5_000 + "}"
    reports = import_fhir(write("export.ndjson", ndjson(lines)), write("bundle.json", deep_bundle))
    assert [(r[1], r[4]) for r in fhir_quarantine(db)] == [
        (0, "bestand is te diep genest om als JSON te lezen"),
        (3, "regel is te diep genest om als JSON te lezen"),
        (4, "vragen dieper genest dan 32 niveaus"),
        (5, "regel is langer dan 20000 bytes"),
    ]
    assert fetch(db, "select timepoint, score from prom_measurements") == [("baseline", 18.0)]
    assert all(r.usable for r in reports)


def test_pseudonyms_are_keyed_and_stable(write, db, with_centres, monkeypatch) -> None:
    from warehouse.fhir import import_paths

    export = write("export.ndjson", ndjson([patient(), procedure()]))
    with writer(db) as con:
        import_paths(con, [export], "UMCU")
        again = import_paths(con, [export], "UMCU")  # the same export twice: nothing changes
    assert all(r.rows_new == r.rows_updated == 0 for r in again)
    assert [r.rows_unchanged for r in again if r.table_name == "episodes"] == [1]
    [(pid, eid)] = fetch(db, "select patient_id, episode_id from episodes")
    monkeypatch.setenv("FHIR_PSEUDONYM_SECRET", "another-centre-secret-of-at-least-32-chars")
    other = write("p2.ndjson", ndjson([patient(pid="other-id"), procedure(rid="pr9", pid="other-id")]))
    with writer(db) as con:
        import_paths(con, [other], "UMCU")
    ids = fetch(db, "select patient_id from episodes")
    assert len(ids) == 2 and pid in {i for (i,) in ids}  # same BSN under another key: another pseudonym
    assert eid.startswith("E-")


def test_refuses_without_a_pseudonym_key_outside_the_demo(write, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("SAMEN_LEREN_DEMO", raising=False)
    monkeypatch.delenv("FHIR_PSEUDONYM_SECRET", raising=False)
    monkeypatch.setenv("AUDIT_FINGERPRINT_SECRET", "a" * 40)  # the import could be audited: only the pseudonym key is missing
    export = write("export.ndjson", ndjson([patient(), procedure()]))
    with pytest.raises(RuntimeError):
        pseudonym_secret()
    db = tmp_path / "w.duckdb"
    assert main(["import-fhir", "--db", str(db), "--centre", "UMCU", str(export)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "FHIR_PSEUDONYM_SECRET" in err
    assert not db.exists()
    monkeypatch.setenv("FHIR_PSEUDONYM_SECRET", "short")
    with pytest.raises(RuntimeError, match="te kort"):
        pseudonym_secret()


def test_cli_reads_a_folder_of_gzipped_ndjson_and_bundles(write, db, with_centres, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.ndjson.gz").write_bytes(gzip.compress(ndjson([patient()]).encode()))
    (folder / "Procedure.ndjson").write_text(ndjson([encounter(), procedure()]))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in KNEE[6:9]]}
    (folder / "responses.json").write_text(json.dumps(bundle))
    code = main(["import-fhir", "--db", str(db), "--centre", "UMCU", str(folder)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    assert any(line.startswith("UMCU_fhir_prom_measurements.csv: loaded") and "geladen 3" in line for line in out)
    assert sum(": loaded - fhir:" in line for line in out) == 3  # one line per export file
    assert fetch(db, "select count(*) from prom_measurements") == [(3,)]


PROMIS = "https://samenleren.nl/fhir/Questionnaire/promis-10"


def promis(rid: str, authored: str, pid: str, physical: float | None = 44.9, mental: float = 50.8) -> dict:
    items = [{"linkId": "promis10_mental_t", "answer": [{"valueDecimal": mental}]}]
    if physical is not None:
        items.append({"linkId": "promis10_physical_t", "answer": [{"valueDecimal": physical}]})
    return response(rid, authored, items, pid=pid, url=PROMIS)


def test_one_form_gives_several_instruments_of_the_patients_own_pathway(write, import_fhir, db) -> None:
    dialysis = procedure("hd1", code="302497006", when="2026-03-01", pid="p1")
    ibd = procedure("ib1", code="ibd_biologic", when="2026-03-01", pid="p2") | {
        "code": {"coding": [{"system": "https://samenleren.nl/fhir/CodeSystem/behandelingen", "code": "ibd_biologic"}]}
    }
    resources = [
        patient("p1"),
        patient("p2", bsn=None),
        dialysis,
        ibd,
        promis("r1", "2026-09-01", "p1"),
        promis("r2", "2026-02-20", "p2"),
    ]
    import_fhir(write("export.ndjson", ndjson(resources)))
    rows = fetch(
        db,
        "select e.pathway, p.instrument, p.timepoint, p.score from prom_measurements p join episodes e using (centre_code, episode_id)"
        " order by 1, 2",
    )
    assert rows == [
        ("ckd", "promis10_mental", "6m", 50.8),
        ("ckd", "promis10_physical", "6m", 44.9),
        ("ibd", "promis10_mental", "baseline", 50.8),
        ("ibd", "promis10_physical", "baseline", 44.9),
    ]


def test_a_form_missing_one_of_its_totals_is_quarantined_whole(write, import_fhir, db) -> None:
    dialysis = procedure("hd1", code="302497006", when="2026-03-01")
    import_fhir(write("export.ndjson", ndjson([patient(), dialysis, promis("r1", "2026-09-01", "p1", physical=None)])))
    [(_, _, column, value, reason)] = fhir_quarantine(db)
    assert (column, value) == ("QuestionnaireResponse.item", "r1")
    assert "promis10_physical_t" in reason and "ontbreekt" in reason
    assert fetch(db, "select count(*) from prom_measurements") == [(0,)]


def test_an_unanswered_invitation_is_a_row_without_completion(write, import_fhir, db) -> None:
    invited = response("q-open", "2026-05-01", [], status="in-progress")
    import_fhir(write("export.ndjson", ndjson([patient(), procedure(), invited])))
    assert fetch(db, "select timepoint, invited_on::varchar, completed_on, score from prom_measurements") == [
        ("3m", "2026-05-01", None, None)
    ]


def test_a_mapping_that_disagrees_with_its_outcome_set_is_refused(tmp_path) -> None:
    from warehouse.fhir import MappingError

    text = (Path(__file__).resolve().parent.parent / "data_models" / "fhir_mappings" / "knee_oa.yaml").read_text()
    (tmp_path / "knee_oa.yaml").write_text(text.replace("treatment: tka}", "treatment: tha}", 1))
    with pytest.raises(MappingError, match="tha"):
        mappings(tmp_path)
    (tmp_path / "knee_oa.yaml").write_text(text.replace("  3m: [42, 135]\n", ""))
    with pytest.raises(MappingError, match="timepoint_windows"):
        mappings(tmp_path)


def test_round_trip_a_generated_delivery_as_csv_and_as_fhir_gives_the_same_warehouse(tmp_path, monkeypatch) -> None:
    """One centre's generated history, loaded once as the standard's CSV files and once as a FHIR
    export: every table of the warehouse holds the same rows (ids are the keyed pseudonyms), PREMs and
    costs included, and every pathway of the outcome sets is in it."""
    import polars as pl

    from data_models.outcome_sets import outcome_sets
    from data_models.schemas import TABLES
    from sample_data.fhir_export import CARRIED, LOCAL_PATIENT_SYSTEM, NOT_CARRIED, write_export
    from sample_data.generator import simulate
    from tests.fixtures import CENTRES_CSV
    from warehouse.fhir import episode_pseudonym, identifier_key, import_paths, patient_pseudonym
    from warehouse.loader import load_paths

    assert set(TABLES) == {"centres", *CARRIED} and NOT_CARRIED == ()
    monkeypatch.setenv("FHIR_PSEUDONYM_SECRET", "a-centre-secret-for-the-round-trip-test")
    sim = simulate(seed=11, scale="tiny")
    episodes = sim.episodes.filter(pl.col("centre_code") == "UMCU")
    keys = episodes.select("centre_code", "episode_id")
    tables = {"episodes": episodes} | {
        name: getattr(sim, name).join(keys, on=["centre_code", "episode_id"], how="semi")
        for name in TABLES
        if name not in ("centres", "episodes")
    }
    assert set(episodes["pathway"]) == set(outcome_sets())  # every pathway, so none can miss its mapping
    assert tables["baseline_characteristics"].height > 0
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "centres.csv").write_text(CENTRES_CSV)
    for name, frame in tables.items():
        frame.write_csv(tmp_path / "csv" / f"{name}.csv")
    csv_db, fhir_db = tmp_path / "csv.duckdb", tmp_path / "fhir.duckdb"
    with writer(csv_db) as con:
        reports = load_paths(con, sorted((tmp_path / "csv").glob("*.csv")))
    assert all(r.status == "loaded" for r in reports), reports
    export = write_export(tables, tmp_path / "export", compress=True)
    assert not export.not_written, export.summary()
    assert export.counts["ChargeItem"] == tables["costs"].height > 0
    with writer(fhir_db) as con:
        load_paths(con, [tmp_path / "csv" / "centres.csv"])
        reports = import_paths(con, [tmp_path / "export"], "UMCU")
    assert all(r.status == "loaded" for r in reports), [(r.file_name, r.message) for r in reports if r.status != "loaded"]
    assert fetch(fhir_db, "select count(*) from quarantine") == [(0,)]
    assert [f.name for f in export.files][-1] == "manifest.json"

    secret = pseudonym_secret()
    openers = {}
    mapping = mappings()
    for kind, table in (("Procedure", mapping.procedures), ("Condition", mapping.conditions)):
        for targets in table.values():
            for target in targets:
                openers.setdefault(target, kind)
    kinds = {e: openers[(p, t)] for e, p, t in episodes.select("episode_id", "pathway", "treatment").iter_rows()}
    episode_ids = {e: episode_pseudonym(secret, "UMCU", f"{kinds[e]}/{e}") for e in episodes["episode_id"]}
    patient_ids = {p: patient_pseudonym(secret, identifier_key(secret, LOCAL_PATIENT_SYSTEM, p)) for p in episodes["patient_id"]}
    for table, spec in TABLES.items():
        from_csv = warehouse_table(csv_db, table)
        if "episode_id" in from_csv.columns:
            from_csv = from_csv.with_columns(pl.col("episode_id").replace_strict(episode_ids))
        if "patient_id" in from_csv.columns:
            from_csv = from_csv.with_columns(pl.col("patient_id").replace_strict(patient_ids))
        from_fhir = warehouse_table(fhir_db, table)
        assert from_fhir.height == from_csv.height > 0, table
        assert from_fhir.sort(spec.key).equals(from_csv.sort(spec.key)), table


def warehouse_table(db: Path, table: str):
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.table(f"main.{table}").pl()  # a table by name: nothing is built into SQL text
