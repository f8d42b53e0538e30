"""A FHIR export as it arrives: the demo's ``export-fhir`` in one command, its ``$export`` manifest, a zip
of NDJSON files and gzipped NDJSON, each held to the limits of any delivered file (zip bombs refused)."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from cli import main
from tests.conftest import fetch
from tests.test_fhir_import import KNEE, ndjson, patient, procedure
from warehouse.connection import writer
from warehouse.fhir import import_paths
from warehouse.limits import MB, Limits


def run(db: Path, *paths: Path, limits: Limits | None = None):
    with writer(db) as con:
        return import_paths(con, list(paths), "UMCU", limits=limits)


def zip_of(path: Path, files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_export_fhir_then_import_fhir_in_one_command_each(tmp_path, with_centres, db, capsys, monkeypatch) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    out = tmp_path / "export"
    assert (
        main(["export-fhir", "--centre", "UMCU", "--month", "2026-10", "--out", str(out), "--scale", "tiny", "--gzip", "--zip"])
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "FHIR-export:" in printed and "ChargeItem" in printed and "niet in de export" not in printed and "import-fhir" in printed
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["transactionTime"] == "2026-11-10T00:00:00Z" and manifest["request"].endswith(
        "?_outputFormat=application/fhir%2Bndjson"
    )
    assert {o["type"] for o in manifest["output"]} >= {"Patient", "Procedure", "Observation", "QuestionnaireResponse"}
    assert all(o["url"].endswith(".ndjson.gz") for o in manifest["output"])
    assert main(["import-fhir", "--db", str(db), "--centre", "UMCU", str(tmp_path / "export.zip")]) == 0
    lines = capsys.readouterr().out.splitlines()
    for table in ("baseline_characteristics", "prem_responses", "costs"):
        assert any(line.startswith(f"UMCU_fhir_{table}.csv: loaded") for line in lines), lines
    pathways = {p for (p,) in fetch(db, "select distinct pathway from episodes")}
    assert {"hip_oa", "heart_failure"} <= pathways
    assert fetch(db, "select count(*) from quarantine") == [(0,)]
    total = sum(o["count"] for o in manifest["output"])
    assert fetch(db, "select sum(rows_read) from load_log where table_name = 'fhir'") == [(total,)]


def test_export_fhir_refuses_a_month_or_centre_outside_the_demo(tmp_path, capsys) -> None:
    assert main(["export-fhir", "--centre", "UMCU", "--month", "2019-01", "--out", str(tmp_path / "x"), "--scale", "tiny"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "maand 2019-01 hoort niet bij de demo" in err
    assert main(["export-fhir", "--centre", "XYZ", "--month", "2026-10", "--out", str(tmp_path / "x"), "--scale", "tiny"]) == 2
    assert "centrum XYZ hoort niet bij de demo" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_export_of_a_month_holds_what_the_centre_delivered_up_to_then() -> None:
    import polars as pl

    from sample_data.fhir_export import centre_export
    from sample_data.generator import simulate

    sim = simulate(seed=5, scale="tiny")
    early, on_early = centre_export(sim, "UMCU", "2025-12")
    late, on_late = centre_export(sim, "UMCU", "2026-10")
    assert (on_early.isoformat(), on_late.isoformat()) == ("2026-01-10", "2026-11-10")
    assert 0 < early["episodes"].height < late["episodes"].height
    assert set(early["episodes"]["centre_code"]) == {"UMCU"}
    assert early["episodes"]["treatment_date"].max() < on_early
    answered = late["prom_measurements"].filter(pl.col("completed_on").is_not_null()).height
    assert answered > early["prom_measurements"].filter(pl.col("completed_on").is_not_null()).height
    assert (
        late["prom_measurements"].select("episode_id", "instrument", "timepoint").is_unique().all()
    )  # each row as last delivered


def test_a_zip_of_ndjson_files_loads(write, with_centres, db) -> None:
    export = zip_of(
        write("export.zip", b""),
        {"bulk/Patient.ndjson": ndjson([patient()]).encode(), "bulk/Procedure.ndjson.gz": gzip.compress(ndjson([procedure()]).encode()),
         "bulk/QuestionnaireResponse.ndjson": ndjson(KNEE[6:9]).encode()},
    )  # fmt: skip
    reports = run(db, export)
    assert all(r.status == "loaded" for r in reports), [(r.file_name, r.message) for r in reports]
    assert fetch(db, "select count(*) from prom_measurements") == [(3,)]
    assert {r.file_name for r in reports if r.table_name == "fhir"} == {
        "Patient.ndjson",
        "Procedure.ndjson.gz",
        "QuestionnaireResponse.ndjson",
    }


def refusal(db: Path, *paths: Path, limits: Limits | None = None) -> str:
    """The one line an export refused whole gives: one report, one load-log row, nothing loaded."""
    before = fetch(db, "select count(*) from episodes") if db.exists() else [(0,)]
    [report] = run(db, *paths, limits=limits)
    assert (report.status, report.table_name) == ("rejected", "fhir")
    last = "select status, message from load_log where table_name = 'fhir' order by load_id desc limit 1"
    assert fetch(db, last) == [("rejected", report.message)]
    assert fetch(db, "select count(*) from episodes") == before
    assert "\n" not in report.message
    return report.message


def test_a_zip_bomb_is_refused_in_one_line(write, with_centres, db) -> None:
    bomb = zip_of(
        write("export.zip", b""), {"Patient.ndjson": ndjson([patient()]).encode(), "Observation.ndjson": b"\n" * (20 * MB)}
    )
    assert re.fullmatch(r"export\.zip: een bestand pakt \d+ keer zo groot uit; de grens is 100 \(zip-bom\?\)", refusal(db, bomb))


def test_a_zip_that_lies_about_its_sizes_is_refused_while_inflating(write, with_centres, db) -> None:
    """The declared size is not trusted: the count is made while inflating."""
    path = zip_of(write("export.zip", b""), {"Observation.ndjson": b"\n" * (3 * MB)})
    data = bytearray(path.read_bytes())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # declare 1 KB unpacked in both headers
        at = data.find(header)
        size_at = at + (22 if header == b"PK\x03\x04" else 24)
        data[size_at : size_at + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    message = refusal(db, path)
    assert message.startswith("export.zip: ") and ("zip-bom?" in message or "beschadigd zip-bestand" in message)


def test_too_many_files_or_too_much_unpacked_is_refused(write, with_centres, db) -> None:
    many = zip_of(write("export.zip", b""), {f"Observation{n}.ndjson": b"{}\n" for n in range(6)})
    assert refusal(db, many, limits=Limits(zip_members=5)) == "export.zip: de zip bevat 6 bestanden; de grens is 5"
    big = zip_of(write("big.zip", b""), {"Observation.ndjson": b"x" * (2 * MB)}, method=zipfile.ZIP_STORED)
    assert refusal(db, big, limits=Limits(unpacked_mb=1)) == "big.zip: pakt uit tot 2 MB; de grens is 1 MB"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"Patient.ndjson": b"{}\n", "notes.txt": b"hello"}, "'notes.txt' is geen FHIR-exportbestand"),
        ({"a/Patient.ndjson": b"{}\n", "b/Patient.ndjson": b"{}\n"}, "'Patient.ndjson' komt twee keer voor in de zip"),
        ({"inner.zip": b"PK"}, "'inner.zip' is geen FHIR-exportbestand"),
    ],
)
def test_a_zip_with_other_files_is_refused(write, with_centres, db, files, reason) -> None:
    assert reason in refusal(db, zip_of(write("export.zip", b""), files))


def test_a_zip_that_is_no_zip_is_refused(write, with_centres, db) -> None:
    assert refusal(db, write("export.zip", ndjson([patient()]))) == "export.zip: geen leesbaar zip-bestand (BadZipFile)"


def test_a_damaged_zip_is_refused(write, with_centres, db) -> None:
    path = zip_of(write("export.zip", b""), {"Patient.ndjson": ndjson([patient()] * 50).encode()})
    data = path.read_bytes()
    path.write_bytes(data[:40] + bytes(200) + data[240:])
    assert refusal(db, path).startswith("export.zip: ")


def test_a_gzip_bomb_is_refused_while_it_is_read(write, with_centres, db) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as packed:
        packed.write(ndjson([patient()]).encode())
        for _ in range(30):
            packed.write(b" " * MB)  # one line that never ends
    bomb = write("Observation.ndjson.gz", buffer.getvalue())
    message = refusal(db, bomb)
    assert message.startswith("Observation.ndjson.gz: een bestand pakt") and message.endswith("(zip-bom?)")


def test_the_manifest_names_the_files_and_their_counts(tmp_path, with_centres, db) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.ndjson").write_text(ndjson([patient()]))
    (folder / "Procedure.ndjson").write_text(ndjson([procedure()]))
    manifest = {
        "transactionTime": "2026-11-10T00:00:00Z",
        "request": "https://fhir.example.org/Group/1/$export",
        "requiresAccessToken": True,
        "output": [
            {"type": "Patient", "url": "https://fhir.example.org/bulk/Patient.ndjson", "count": 1},
            {"type": "Procedure", "url": "https://fhir.example.org/bulk/Procedure.ndjson?part=1", "count": 2},
        ],
        "error": [],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    reports = run(db, folder)
    assert {r.file_name for r in reports if r.table_name == "fhir"} == {"Patient.ndjson", "Procedure.ndjson"}  # not the manifest
    [(table, row, reason)] = fetch(db, "select table_name, row_number, reason from quarantine")
    assert (table, row) == ("fhir", 0)
    assert reason == "het manifest van de export noemt 2 resources, het bestand heeft er 1: onvolledig?"
    assert fetch(db, "select count(*) from episodes") == [(1,)]
    manifest["output"].append({"type": "Observation", "url": "https://fhir.example.org/bulk/Observation.ndjson", "count": 5})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert refusal(db, folder) == "manifest.json: het manifest noemt Observation.ndjson, maar dat bestand ontbreekt in de export"
