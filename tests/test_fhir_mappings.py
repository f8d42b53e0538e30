"""The FHIR mapping files: one per outcome set, complete, and every new rule with hand-written resources
(baseline characteristics, the hip and heart-failure questionnaires, a pathway without a mapping)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data_models.outcome_sets import outcome_sets
from tests.conftest import fetch
from tests.test_fhir_import import (  # noqa: F401 - import_fhir is a fixture
    OUTCOMES,
    SCT,
    fhir_quarantine,
    import_fhir,
    ndjson,
    observation,
    patient,
    procedure,
    response,
)
from warehouse.connection import writer
from warehouse.fhir import CHARACTERISTICS, MAPPING_DIR, MappingError, mappings, score

LOINC = "http://loinc.org"


def test_every_outcome_set_has_a_mapping_file_that_covers_it() -> None:
    """The next pathway cannot forget its FHIR mapping: every treatment opens an episode, every instrument
    has a questionnaire, every clinical outcome, case-mix column and baseline characteristic an Observation."""
    mapping = mappings()
    files = {p.stem for p in MAPPING_DIR.glob("*.yaml")} - {"common"}
    for pathway, oset in outcome_sets().items():
        assert pathway in files, f"data_models/fhir_mappings/{pathway}.yaml ontbreekt"
        opened = {t for table in (mapping.procedures, mapping.conditions) for ts in table.values() for p, t in ts if p == pathway}
        assert opened == set(oset.treatments), pathway
        forms = {q.instrument for qs in mapping.questionnaires.values() for q in qs if q.pathway == pathway}
        assert forms == set(oset.instruments), pathway
        targets = {(r.table, r.column) for rules in mapping.observations.values() for r in rules if r.pathway == pathway}
        assert {("clinical_outcomes", o) for o in oset.clinical_outcomes} <= targets, pathway
        assert {(CHARACTERISTICS, v.code) for v in oset.casemix_from("characteristic")} <= targets, pathway
        assert {("episodes", v.column) for v in oset.casemix_from("episode")} - {
            ("episodes", "age"),
            ("episodes", "sex"),
        } <= targets
        assert set(mapping.windows[pathway]) == set(oset.timepoints), pathway


HF_CONDITION = {
    "resourceType": "Condition",
    "id": "hf1",
    "code": {"coding": [{"system": SCT, "code": "84114007"}]},
    "subject": {"reference": "Patient/p1"},
    "recordedDate": "2026-03-01",
}


def nyha(rid: str, when: str, **value) -> dict:
    return observation(rid, LOINC, "88020-3", when, **value)


def test_baseline_characteristics_from_observations(write, import_fhir, db) -> None:  # noqa: F811
    """Categorical by a listed coding, by a code of its own in any system or a valueString; numeric by
    valueQuantity; the observation nearest the treatment date wins; an unknown choice goes to quarantine."""
    resources = [
        patient("p1"),
        patient("p2", bsn=None),
        patient("p3", bsn=None),
        HF_CONDITION,
        HF_CONDITION | {"id": "hf2", "subject": {"reference": "Patient/p2"}},
        HF_CONDITION | {"id": "hf3", "subject": {"reference": "Patient/p3"}},
        nyha("n1-old", "2025-10-01", valueCodeableConcept={"coding": [{"system": SCT, "code": "420300004"}]}),  # I, 151 days
        nyha("n1", "2026-02-20", valueCodeableConcept={"coding": [{"system": SCT, "code": "420913000"}]}),  # III, 9 days
        nyha("n2", "2026-02-25", pid="p2", valueString="iv"),
        nyha("n3", "2026-02-25", pid="p3", valueCodeableConcept={"coding": [{"system": "urn:local", "code": "V"}]}),
        observation("ef1", LOINC, "10230-1", "2026-02-10", valueQuantity={"value": 35, "unit": "%"}),
        observation("ef2", LOINC, "10230-1", "2026-02-10", pid="p2", valueQuantity={"value": 97, "unit": "%"}),  # out of range
    ]
    reports = import_fhir(write("export.ndjson", ndjson(resources)))
    rows = fetch(
        db,
        "select e.patient_id, b.variable, b.value, b.value_number from baseline_characteristics b"
        " join episodes e using (centre_code, episode_id) order by b.variable, b.value",
    )
    assert [(v, value, number) for _, v, value, number in rows] == [
        ("lvef_pct", "35.0", 35.0),
        ("nyha_class", "III", None),
        ("nyha_class", "IV", None),
    ]
    [(_, row, column, value, reason)] = [q for q in fhir_quarantine(db) if q[0].startswith("fhir")]
    assert (row, column, value) == (10, "Observation.value", "n3")
    assert reason == "V is geen keuze van nyha_class (I, II, III, IV)"
    # the LVEF of 97 % maps, and the loader's own rule (the outcome set's range 5-80) quarantines it
    [lvef] = [r for r in reports if r.table_name == CHARACTERISTICS]
    assert (lvef.rows_read, lvef.rows_quarantined) == (4, 1)
    assert fetch(db, "select column_name, reason from quarantine where table_name = 'baseline_characteristics'")[0][0] == "value"


def test_a_categorical_characteristic_without_a_value_is_quarantined(write, import_fhir, db) -> None:  # noqa: F811
    import_fhir(write("export.ndjson", ndjson([patient(), HF_CONDITION, nyha("n1", "2026-02-20")])))
    [(_, _, column, value, reason)] = fhir_quarantine(db)
    assert (column, value) == ("Observation.value", "n1")
    assert reason.startswith("waarde van nyha_class ontbreekt")


def test_hip_export_scores_the_oxford_hip_score_and_reads_the_charnley_class(write, import_fhir, db) -> None:  # noqa: F811
    ohs = "https://samenleren.nl/fhir/Questionnaire/ohs"
    items = [{"linkId": f"ohs_{n}", "answer": [{"valueInteger": 2}]} for n in range(1, 12)]  # 11 of 12: one missing
    charnley = {"coding": [{"system": "https://example.org/lroi", "code": "B1"}]}  # its own code, another system
    resources = [
        patient(),
        procedure("tha1", code="52734007"),
        response("r1", "2026-05-10", items, url=ohs),
        observation("c1", OUTCOMES, "charnley_class", "2026-01-15", valueCodeableConcept=charnley),
        observation("d1", OUTCOMES, "dislocation_1y", "2026-04-01", valueBoolean=True),
    ]
    import_fhir(write("export.ndjson", ndjson(resources)))
    assert fhir_quarantine(db) == []
    assert fetch(db, "select pathway, treatment from episodes") == [("hip_oa", "tha")]
    assert fetch(db, "select instrument, timepoint, score from prom_measurements") == [("ohs", "3m", 24.0)]
    assert fetch(db, "select variable, value from baseline_characteristics") == [("charnley_class", "B1")]
    assert fetch(db, "select outcome, value from clinical_outcomes") == [("dislocation_1y", 1.0)]


def test_the_kccq_12_by_its_loinc_form_and_summary_item(write, import_fhir, db) -> None:  # noqa: F811
    summary = [{"linkId": "86924-8", "answer": [{"valueDecimal": 62.5}]}]
    resources = [
        patient(),
        procedure("icd1", code="233170003", when="2026-03-01"),
        response("k1", "2026-09-20", summary, url="http://loinc.org/q/86923-0"),
        response("k2", "2026-09-20", [{"linkId": "kccq_1", "answer": [{"valueInteger": 3}]}], url="http://loinc.org/q/86923-0"),
    ]
    import_fhir(write("export.ndjson", ndjson(resources)))
    assert fetch(db, "select treatment from episodes") == [("device_therapy",)]
    assert fetch(db, "select instrument, timepoint, score from prom_measurements") == [("kccq12_summary", "6m", 62.5)]
    [(_, _, column, value, reason)] = fhir_quarantine(db)
    assert (column, value) == ("QuestionnaireResponse.item", "k2")
    assert "kccq12_summary" in reason and "niet uit losse items berekend" in reason


@pytest.mark.parametrize(("items", "expected"), [([4] * 12, 48.0), ([1] * 10 + [None, None], 12.0), ([3] * 11 + [None], 36.0)])
def test_ohs_item_scoring(items, expected) -> None:
    [q] = {q for qs in mappings().questionnaires.values() for q in qs if q.instrument == "ohs"}
    answers = {f"ohs_{n}": float(v) for n, v in enumerate(items, start=1) if v is not None}
    assert score(q, answers) == pytest.approx(expected)


def test_a_characteristic_rule_must_fit_its_outcome_set(tmp_path) -> None:
    text = (MAPPING_DIR / "heart_failure.yaml").read_text()
    (tmp_path / "heart_failure.yaml").write_text(text.replace("      IV: [http", "      V: [http"))
    with pytest.raises(MappingError, match="onbekende keuze"):
        mappings(tmp_path)
    (tmp_path / "heart_failure.yaml").write_text(
        text.replace(
            "target: baseline_characteristics.lvef_pct, value: quantity",
            "target: baseline_characteristics.lvef_pct, value: choice",
        )
    )
    with pytest.raises(MappingError, match="numeriek"):
        mappings(tmp_path)
    (tmp_path / "heart_failure.yaml").write_text(
        text.replace("baseline_characteristics.lvef_pct", "baseline_characteristics.bmi")
    )
    with pytest.raises(MappingError, match="geen kenmerk van heart_failure"):
        mappings(tmp_path)


def test_a_pathway_without_a_mapping_file_is_quarantined_in_dutch_not_a_crash(tmp_path, with_centres, db, monkeypatch) -> None:
    """The demo export of a pathway the mapping does not know: its episodes go to quarantine with a Dutch
    reason naming the missing file, its other rows are counted as not written, the rest loads."""
    import polars as pl

    from sample_data.fhir_export import write_export
    from sample_data.generator import simulate
    from warehouse.fhir import import_paths

    for path in MAPPING_DIR.glob("*.yaml"):
        if path.stem != "hip_oa":
            shutil.copy(path, tmp_path / path.name)
    without_hip = mappings(tmp_path)
    assert "hip_oa" not in without_hip.windows
    sim = simulate(seed=3, scale="tiny")
    episodes = sim.episodes.filter(pl.col("centre_code") == "UMCU", pl.col("pathway").is_in(["hip_oa", "knee_oa"]))
    keys = episodes.select("centre_code", "episode_id")
    tables = {"episodes": episodes} | {
        t: getattr(sim, t).join(keys, on=["centre_code", "episode_id"], how="semi")
        for t in ("prom_measurements", "clinical_outcomes", CHARACTERISTICS)
    }
    export = write_export(tables, tmp_path / "export", mapping=without_hip)
    hips = episodes.filter(pl.col("pathway") == "hip_oa").height
    assert export.counts["Procedure"] + export.counts["Condition"] == episodes.height
    assert export.not_written[("prom_measurements", "zonder FHIR-mapping van hun zorgpad")] > 0
    assert "niet in de export" in export.summary()
    with writer(db) as con:
        reports = import_paths(con, [tmp_path / "export"], "UMCU", mapping=without_hip)
    assert all(r.usable for r in reports)
    reasons = fetch(db, "select distinct reason from quarantine where table_name = 'fhir Procedure'")
    assert reasons == [
        (
            "zorgpad hip_oa heeft geen FHIR-mapping (data_models/fhir_mappings/hip_oa.yaml ontbreekt): deze verrichting opent geen episode",
        )
    ]
    assert fetch(db, "select count(*) from quarantine where table_name = 'fhir Procedure'") == [(hips,)]
    assert fetch(db, "select distinct pathway from episodes") == [("knee_oa",)]
    [log] = [r for r in reports if r.file_name == "Procedure.ndjson"]
    assert "zorgpaden zonder FHIR-mapping: hip_oa" in log.message


def test_a_mapping_file_of_a_pathway_the_install_does_not_have_is_not_read(tmp_path, monkeypatch) -> None:
    sets = tmp_path / "sets"
    sets.mkdir()
    shutil.copy(Path(outcome_sets.__code__.co_filename).parent / "outcome_sets" / "knee_oa.yaml", sets / "knee_oa.yaml")
    monkeypatch.setenv("SAMEN_LEREN_OUTCOME_SETS", str(sets))
    assert set(mappings().windows) == {"knee_oa"}
