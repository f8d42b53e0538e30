"""Nictiz profile claims (meta.profile) in a FHIR export: a resource that claims obc-ResponseData or a zib
2020 profile must carry the elements the mapping relies on, or it goes to quarantine naming the profile."""

from __future__ import annotations

from tests.conftest import fetch
from tests.test_fhir_import import (  # noqa: F401 - import_fhir is a fixture
    encounter,
    fhir_quarantine,
    import_fhir,
    ndjson,
    observation,
    patient,
    procedure,
    response,
)
from warehouse.fhir import mappings

NICTIZ = "http://nictiz.nl/fhir/StructureDefinition/"
TOTAL = [{"linkId": "oks_total", "answer": [{"valueInteger": 18}]}]


def claims(profile: str) -> dict:
    return {"meta": {"profile": [NICTIZ + profile]}}


def test_the_mapping_knows_the_obc_and_zib_profiles() -> None:
    profiles = mappings().profiles
    assert profiles["QuestionnaireResponse"][NICTIZ + "obc-ResponseData"] == (
        "questionnaire",
        "status",
        "subject",
        "authored",
        "item.linkId",
    )
    assert "performed[x]" in profiles["Procedure"][NICTIZ + "zib-Procedure"]


def test_a_response_that_claims_obc_response_data_needs_the_elements_the_mapping_reads(write, import_fhir, db) -> None:  # noqa: F811
    good = response("q1", "2026-01-20", TOTAL) | claims("obc-ResponseData")
    no_subject = {k: v for k, v in (response("q2", "2026-05-10", TOTAL) | claims("obc-ResponseData")).items() if k != "subject"}
    no_link = response("q3", "2027-02-10", []) | claims("obc-ResponseData") | {"item": [{"answer": [{"valueInteger": 40}]}]}
    resources = [patient() | claims("zib-Patient"), encounter(), procedure() | claims("zib-Procedure"), good, no_subject, no_link]
    import_fhir(write("export.ndjson", ndjson(resources)))
    assert fetch(db, "select timepoint, score from prom_measurements") == [("baseline", 18.0)]
    assert [(r[1], r[2], r[4]) for r in fhir_quarantine(db)] == [
        (
            5,
            "QuestionnaireResponse.subject",
            "voldoet niet aan profiel obc-ResponseData: subject ontbreekt (verplicht in het profiel)",
        ),
        (
            6,
            "QuestionnaireResponse.item.linkId",
            "voldoet niet aan profiel obc-ResponseData: item.linkId ontbreekt (verplicht in het profiel)",
        ),
    ]


def test_a_procedure_that_claims_zib_procedure_without_a_date_opens_no_episode(write, import_fhir, db) -> None:  # noqa: F811
    undated = {k: v for k, v in procedure().items() if k != "performedDateTime"} | claims("zib-Procedure")
    import_fhir(write("export.ndjson", ndjson([patient(), undated])))
    assert fetch(db, "select count(*) from episodes") == [(0,)]
    assert [(r[2], r[4]) for r in fhir_quarantine(db)] == [
        ("Procedure.performed[x]", "voldoet niet aan profiel zib-Procedure: performed[x] ontbreekt (verplicht in het profiel)")
    ]


def test_a_profile_of_another_resource_type_or_a_malformed_claim_is_quarantined(write, import_fhir, db) -> None:  # noqa: F811
    bmi = observation("o1", "http://loinc.org", "39156-5", "2026-01-15", valueQuantity={"value": 31.4})
    resources = [
        patient(),
        procedure(),
        bmi | claims("zib-Procedure"),
        response("q1", "2026-01-20", TOTAL) | {"meta": {"profile": NICTIZ + "obc-ResponseData"}},  # a string, not a list
        response("q2", "2026-05-10", TOTAL) | {"meta": {"profile": ["https://example.org/own-profile"]}},  # unknown: read
    ]
    import_fhir(write("export.ndjson", ndjson(resources)))
    assert [(r[2], r[4]) for r in fhir_quarantine(db)] == [
        ("Observation.meta.profile", "profiel zib-Procedure hoort bij Procedure, niet bij Observation"),
        ("QuestionnaireResponse.meta.profile", "meta.profile is geen lijst van canonieke URL's"),
    ]
    assert fetch(db, "select timepoint from prom_measurements") == [("3m",)]
    assert fetch(db, "select bmi from episodes") == [(None,)]
