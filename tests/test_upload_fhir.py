"""The upload page's service takes a FHIR export too: a zip of NDJSON files loads for the data manager's own
centre with the same audit as other uploads; a zip bomb or too many files is refused in one line."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from access import audit
from services.upload import ACCEPTED, Upload, is_fhir, load_uploads, report_frame
from tests.conftest import fetch
from tests.test_fhir_import import KNEE, ndjson, patient, procedure
from tests.viewers import data_manager
from warehouse import models
from warehouse.connection import reader
from warehouse.limits import MB


@pytest.fixture
def app_warehouse(db: Path, with_centres, tmp_path, monkeypatch) -> Path:
    """The test's warehouse (with the centres) as the app's, and an audit trail of its own."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    return db


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


EXPORT = {
    "Patient.ndjson": ndjson([patient()]).encode(),
    "Procedure.ndjson": ndjson([procedure()]).encode(),
    "QuestionnaireResponse.ndjson": ndjson(KNEE[6:9]).encode(),
}


def audited(tmp_path: Path) -> list[str]:
    return [w for a, w in audit.read(tmp_path / "audit.jsonl").select("action", "what").iter_rows() if a == "load"]


def test_a_zip_export_loads_and_is_audited_like_any_upload(app_warehouse, tmp_path) -> None:
    progress: list[tuple[float, str]] = []
    uploads = [Upload("export.zip", zipped(EXPORT))]
    reports = load_uploads(uploads, "UMCU", data_manager("UMCU"), progress=lambda share, name: progress.append((share, name)))
    assert all(r.status == "loaded" for r in reports), [(r.file_name, r.message) for r in reports]
    assert fetch(app_warehouse, "select count(*) from prom_measurements") == [(3,)]
    assert progress == [(0.0, "export.zip"), (1.0, "")]
    lines = audited(tmp_path)
    assert len(lines) == len(reports)
    assert any(line.startswith("FHIR QuestionnaireResponse.ndjson: loaded, 3 gelezen") for line in lines), lines
    frame = report_frame(reports)
    assert frame.height == len(reports) and set(frame["status"]) == {"loaded"}


def test_ndjson_files_and_the_standard_files_in_one_upload(app_warehouse, tmp_path) -> None:
    """NDJSON files (gzipped or not) form one export; a CSV beside them loads as a delivery of its own."""
    uploads = [
        Upload("Patient.ndjson.gz", gzip.compress(EXPORT["Patient.ndjson"])),
        Upload("Procedure.ndjson", EXPORT["Procedure.ndjson"]),
        Upload("costs.csv", b"centre_code,episode_id,category,amount_eur\nUMCU,NOT-THERE,other,5\n"),
    ]
    reports = load_uploads(uploads, "UMCU", data_manager("UMCU"))
    assert [r.table_name for r in reports][:1] == ["costs"]  # the standard's files first, then the export
    assert fetch(app_warehouse, "select count(*) from episodes") == [(1,)]
    assert {r.file_name for r in reports if r.table_name == "fhir"} == {"Patient.ndjson.gz", "Procedure.ndjson"}


def one_refusal(reports, tmp_path: Path) -> str:
    [report] = reports
    assert report.status == "rejected" and "\n" not in report.message
    assert audited(tmp_path) == [f"FHIR {report.file_name}: rejected, 0 gelezen, 0 geladen, 0 quarantaine - {report.message}"]
    return report.message


def test_a_zip_bomb_is_refused_in_one_line(app_warehouse, tmp_path) -> None:
    bomb = zipped({**EXPORT, "Observation.ndjson": b"\n" * (50 * MB)})
    message = one_refusal(load_uploads([Upload("export.zip", bomb)], "UMCU", data_manager("UMCU")), tmp_path)
    assert message.startswith("export.zip: een bestand pakt ") and message.endswith("de grens is 100 (zip-bom?)")
    assert fetch(app_warehouse, "select count(*) from episodes") == [(0,)]


def test_too_many_files_are_refused_in_one_line(app_warehouse, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_ZIP_MEMBERS", "3")
    many = zipped({**EXPORT, "Observation.ndjson": b""})
    message = one_refusal(load_uploads([Upload("export.zip", many)], "UMCU", data_manager("UMCU")), tmp_path)
    assert message == "export.zip: de zip bevat 4 bestanden; de grens is 3"


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(app_warehouse, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAMEN_LIMIT_FILE_MB", "1")
    big = Upload("Observation.ndjson", b"{}\n" * MB)
    message = one_refusal(load_uploads([big], "UMCU", data_manager("UMCU")), tmp_path)
    assert message == "Observation.ndjson: bestand is 3.0 MB; de grens is 1 MB"
    assert fetch(app_warehouse, "select status, message from load_log where table_name = 'fhir'") == [("rejected", message)]


def test_without_a_pseudonym_key_outside_the_demo_the_export_is_refused(app_warehouse, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SAMEN_LEREN_DEMO")
    monkeypatch.delenv("FHIR_PSEUDONYM_SECRET", raising=False)
    monkeypatch.setenv("AUDIT_FINGERPRINT_SECRET", "a" * 40)
    reports = load_uploads([Upload("export.zip", zipped(EXPORT))], "UMCU", data_manager("UMCU"))
    [report] = reports
    assert report.status == "rejected" and "FHIR_PSEUDONYM_SECRET" in report.message
    assert fetch(app_warehouse, "select count(*) from episodes") == [(0,)]


def test_a_browser_path_never_leaves_the_upload_folder(app_warehouse, tmp_path) -> None:
    reports = load_uploads([Upload("../../etc/Patient.ndjson", EXPORT["Patient.ndjson"])], "UMCU", data_manager("UMCU"))
    assert [r.file_name for r in reports if r.table_name == "fhir"] == ["Patient.ndjson"]
    assert not (tmp_path.parent.parent / "etc").exists()


def test_the_picker_offers_the_export_formats() -> None:
    assert {"zip", "ndjson", "gz"} <= set(ACCEPTED)
    assert all(is_fhir(n) for n in ("x.zip", "Patient.ndjson", "Patient.NDJSON.GZ", "b.jsonl"))
    assert not any(is_fhir(n) for n in ("episodes.csv", "levering.xlsx", "x.parquet"))


def test_an_upload_is_served_before_its_models_are_fitted_in_the_next_version(app_warehouse, tmp_path) -> None:
    seen: list[tuple[list[str] | None, int, bool]] = []

    def fitter(con, pathways=None) -> None:  # what the app serves while the models are being fitted
        with reader(app_warehouse) as served:
            prom_rows = served.execute("select count(*) from prom_measurements").fetchall()[0][0]
            seen.append((pathways, prom_rows, models.pending(served)))

    with models.fitting_on_publish(fitter):
        reports = load_uploads([Upload("export.zip", zipped(EXPORT))], "UMCU", data_manager("UMCU"))
    assert all(r.status == "loaded" for r in reports)
    assert len(seen) == 1 and seen[0][0] and seen[0][1:] == (3, True)
    with reader(app_warehouse) as served:
        assert not models.pending(served)
