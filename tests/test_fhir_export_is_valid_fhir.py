"""The demo's FHIR export is valid FHIR: every resource it writes passes the R4B models of
``fhir.resources`` (a well-kept FHIR library), so a hospital's tools read what our tests import."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from cli import main


def test_every_resource_of_the_demo_export_is_valid_r4b(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    out = tmp_path / "export"
    assert main(["export-fhir", "--centre", "UMCU", "--month", "2026-10", "--out", str(out), "--scale", "tiny", "--gzip"]) == 0
    capsys.readouterr()
    checked: dict[str, int] = {}
    problems: list[str] = []
    for path in sorted(out.glob("*.ndjson.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                resource = json.loads(line)
                kind = resource["resourceType"]
                try:
                    get_fhir_model_class(kind).model_validate(resource)
                except ValidationError as err:
                    problems.append(f"{kind}/{resource.get('id')}: {err.errors()[0]['loc']} {err.errors()[0]['msg']}")
                checked[kind] = checked.get(kind, 0) + 1
    assert problems == [], sorted({p.split(": ", 1)[1] + " (" + p.split("/")[0] + ")" for p in problems})
    assert {"Patient", "Procedure", "Observation", "QuestionnaireResponse", "ChargeItem"} <= checked.keys(), checked


def test_the_library_refuses_what_is_not_fhir() -> None:
    """The check above can fail: a Procedure without its required status is refused."""
    with pytest.raises(ValidationError):
        get_fhir_model_class("Procedure").model_validate({"resourceType": "Procedure", "subject": {"reference": "Patient/1"}})
