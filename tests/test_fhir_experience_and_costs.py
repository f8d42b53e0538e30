"""PREMs and costs from a FHIR export, with hand-written resources: the experience forms' items become
``prem_responses`` rows, ChargeItems add up to ``costs`` per category, and what cannot be mapped goes to
quarantine with a Dutch reason."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import fetch
from tests.test_fhir_import import (  # noqa: F401 - import_fhir is a fixture
    SCT,
    fhir_quarantine,
    import_fhir,
    ndjson,
    patient,
    procedure,
)
from warehouse.connection import writer
from warehouse.fhir import COST_SYSTEM, MAPPING_DIR, MappingError, import_paths, mappings

COLLABORATE = "https://samenleren.nl/fhir/Questionnaire/collaborate"
EXPERIENCE = "https://samenleren.nl/fhir/Questionnaire/patientervaring"


def prem(rid: str, url: str, authored: str, answers: dict[str, int | None], status: str = "completed", **extra) -> dict:
    items = [{"linkId": k, **({"answer": [{"valueInteger": v}]} if v is not None else {})} for k, v in answers.items()]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": url,
        "status": status,
        "subject": {"reference": "Patient/p1"},
        "authored": authored + "T12:00:00+01:00",
        "item": items,
    } | extra


def charge(rid: str, code: str, amount: float | None, when: str = "2026-02-01", currency: str = "EUR", **extra) -> dict:
    res = {
        "resourceType": "ChargeItem",
        "id": rid,
        "status": "billed",
        "code": {"coding": [{"system": COST_SYSTEM, "code": code}]},
        "subject": {"reference": "Patient/p1"},
        "occurrenceDateTime": when,
    }
    if amount is not None:
        res["priceOverride"] = {"value": amount, "currency": currency}
    return res | extra


def test_each_answered_experience_item_is_a_row_and_the_latest_answer_counts(write, import_fhir, db) -> None:  # noqa: F811
    resources = [
        patient(),
        procedure(),
        prem("c1", COLLABORATE, "2026-02-20", {"collaborate_1": 8, "collaborate_2": 9, "collaborate_3": None}),
        prem("e1", EXPERIENCE, "2026-03-01", {"pem_overall": 9, "nps": 10}),
        prem("e2", EXPERIENCE, "2026-04-01", {"pem_overall": 7, "nps": None}),  # later: its rating replaces the first
        prem("e3", EXPERIENCE, "2026-04-15", {"pem_overall": 3}, status="in-progress"),  # not answered: skipped
    ]
    reports = import_fhir(write("export.ndjson", ndjson(resources)))
    assert all(r.usable for r in reports)
    assert fetch(db, "select instrument, score, completed_on::varchar from prem_responses order by instrument") == [
        ("collaborate_1", 8.0, "2026-02-20"),
        ("collaborate_2", 9.0, "2026-02-20"),
        ("nps", 10.0, "2026-03-01"),
        ("pem_overall", 7.0, "2026-04-01"),
    ]
    assert fhir_quarantine(db) == []
    [log] = [r for r in reports if r.table_name == "fhir"]
    assert "omgezet 5, overgeslagen 1" in log.message  # patient, procedure, three responses; the open one skipped


def test_an_experience_response_with_nothing_answered_or_of_no_episode_is_quarantined(write, import_fhir, db) -> None:  # noqa: F811
    resources = [
        patient(),
        procedure(),
        prem("c1", COLLABORATE, "2026-02-20", {"collaborate_1": None, "collaborate_2": None}),
        prem("e1", EXPERIENCE, "2028-06-01", {"pem_overall": 9}),  # two years after the operation
        prem("e2", EXPERIENCE, "2026-02-10", {"pem_overall": 11}),  # beyond 0-10: the loader's range rule
    ]
    import_fhir(write("export.ndjson", ndjson(resources)))
    reasons = [(r[2], r[4]) for r in fhir_quarantine(db)]
    assert (
        "QuestionnaireResponse.item",
        "geen enkele vraag van collaborate beantwoord (collaborate_1, collaborate_2, collaborate_3)",
    ) in reasons
    assert (
        "QuestionnaireResponse.authored",
        "valt buiten de periode van elke episode van deze patiënt (-180..365 dagen na de behandeldatum)",
    ) in reasons
    assert fetch(db, "select count(*) from quarantine where table_name = 'prem_responses' and column_name = 'score'") == [(1,)]
    assert fetch(db, "select count(*) from prem_responses") == [(0,)]


def test_charge_items_add_up_per_episode_and_category(write, import_fhir, db) -> None:  # noqa: F811
    resources = [
        patient(),
        procedure(),
        charge("c1", "implant", 1000.10, service=[{"reference": "Procedure/pr1"}]),
        charge("c2", "implant", 899.95, when="2026-02-02"),  # no reference: the patient's episode by date
        charge("c3", "or_time", 2600),
        charge("c4", "or_time", 500, status="entered-in-error"),  # voided: skipped
        charge("c5", "ward_days", None),  # no amount
        charge("c6", "ward_days", 650, currency="USD"),
        charge("c7", "medication", 120, when="2029-01-01"),  # far beyond the episode
        charge("c8", "parking", 5) | {"code": {"coding": [{"system": SCT, "code": "1234"}]}},  # no cost category: skipped
    ]
    reports = import_fhir(write("export.ndjson", ndjson(resources)))
    assert fetch(db, "select category, amount_eur from costs order by category") == [("implant", 1900.05), ("or_time", 2600.0)]
    assert [(r[2], r[4]) for r in fhir_quarantine(db)] == [
        ("ChargeItem.priceOverride", "bedrag (priceOverride.value) ontbreekt"),
        ("ChargeItem.priceOverride", "valuta 'USD'; alleen EUR wordt ingelezen"),
        (
            "ChargeItem.occurrence",
            "valt buiten de periode van elke episode van deze patiënt (-365..730 dagen na de behandeldatum)",
        ),
    ]
    [log] = [r for r in reports if r.table_name == "fhir"]
    assert "omgezet 5, overgeslagen 2" in log.message


def test_a_cost_coding_listed_in_the_mapping_counts_for_its_category(write, db, with_centres, tmp_path) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(MAPPING_DIR, folder)
    common = (folder / "common.yaml").read_text()
    (folder / "common.yaml").write_text(
        common.replace("    implant: []", "    implant: [urn:oid:2.16.840.1.113883.2.4.3.46|IMPL-7]")
    )
    vendor = charge("c1", "x", 1234.5) | {
        "code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.2.4.3.46", "code": "IMPL-7"}]}
    }
    with writer(db) as con:
        import_paths(con, [write("export.ndjson", ndjson([patient(), procedure(), vendor]))], "UMCU", mapping=mappings(folder))
    assert fetch(db, "select category, amount_eur from costs") == [("implant", 1234.5)]


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("    implant: []", "    implants: []", "onbekende categorie"),
        ("    implant: []", "    implant: [IMPL-7]", "systeem\\|code"),
        ("{pem_overall: pem_overall, nps: nps}", "{pem_overall: pem_overall, nps_score: nps}", "nps_score"),
        ("  window: [-180, 365]", "  window: [365, -180]", "window"),
    ],
)
def test_a_prem_or_cost_mapping_the_standard_does_not_know_is_refused(tmp_path, old, new, match) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(MAPPING_DIR, folder)
    common = (folder / "common.yaml").read_text()
    assert old in common
    (folder / "common.yaml").write_text(common.replace(old, new))
    with pytest.raises(MappingError, match=match):
        mappings(folder)
