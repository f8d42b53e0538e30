"""The upload page's question: load these files for my centre, and tell me what happened to each.

``load_uploads(uploads, centre, viewer)`` takes what a data manager uploaded and loads it into the
warehouse through the same code as the command line, for the viewer's own centre only:

- the data standard's files (CSV, Parquet, Excel) each through ``warehouse.loader.load_paths``;
- a FHIR R4 export (a zip of its NDJSON files, or ``.ndjson``/``.jsonl`` files, gzipped or not; the
  ``$export`` manifest may be among them) as one export through ``warehouse.fhir.import_paths``.

Every uploaded file is held to ``warehouse/limits.py`` first (``file_mb``); a zip's files, what it
and a gzipped file unpack to and how far they are compressed are held to the same limits while they
are read (a zip bomb is refused in one line, nothing of it loads). Every report is audited as one
line per file (``load``), refusals with their reason, as the command line does.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import polars as pl

from access import audit
from access.roles import Viewer
from warehouse.connection import publish_pending_models, warehouse_path, writer
from warehouse.fhir import FhirNotConfigured, import_paths, pseudonym_secret, refused
from warehouse.limits import Limits, current
from warehouse.loader import LoadReport, load_paths

__all__ = ["ACCEPTED", "Upload", "audit_line", "is_fhir", "limits", "load_uploads", "report_frame"]

# What the file picker offers: the data standard's files and a FHIR export ("gz": .ndjson.gz).
ACCEPTED = ["csv", "txt", "tsv", "parquet", "xlsx", "zip", "ndjson", "jsonl", "json", "gz"]
FHIR_SUFFIXES = (".zip", ".ndjson", ".jsonl", ".json", ".ndjson.gz", ".jsonl.gz", ".json.gz")

Progress = Callable[[float, str], None]  # (share done, the file being loaded)


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser gave it, and its bytes."""

    name: str
    data: bytes


def is_fhir(name: str) -> bool:
    """A file of a FHIR export (zip, NDJSON or JSON, gzipped or not), by its name."""
    return name.lower().endswith(FHIR_SUFFIXES)


def limits() -> Limits:
    """The limits every uploaded file is held to (the defaults with ``SAMEN_LIMIT_*``)."""
    return current()


def _saved(uploads: Sequence[Upload], folder: Path) -> list[Path]:
    """The uploads as files in ``folder``, each under its own name only (never a path the browser sent)."""
    paths = []
    for n, upload in enumerate(uploads):
        name = PurePath(upload.name.replace("\\", "/")).name or f"upload-{n}"
        path = folder / name
        if path.exists():  # the same name twice: both kept
            path = folder / f"{n}-{name}"
        path.write_bytes(upload.data)
        paths.append(path)
    return paths


def _import_fhir(con, paths: list[Path], centre: str, bounds: Limits) -> list[LoadReport]:
    """The export's files as one FHIR export; refused whole, in one logged line, when a file is too large or
    there is no pseudonym key (outside the demo)."""
    for path in paths:  # as the loader refuses a delivered file beyond the size limit, before reading it
        if (size := path.stat().st_size) > bounds.file_bytes:
            reason = f"{path.name}: bestand is {size / 2**20:.1f} MB; de grens is {bounds.file_mb} MB"
            return [refused(con, [path], reason, dt.date.today(), bounds)]
    try:
        pseudonym_secret()
    except FhirNotConfigured as err:
        return [refused(con, paths, f"{paths[0].name}: {err}", dt.date.today(), bounds)]
    return import_paths(con, paths, centre, limits=bounds)


def load_uploads(
    uploads: Sequence[Upload], centre: str, viewer: Viewer | None, progress: Progress | None = None
) -> list[LoadReport]:
    """Load the uploads for ``centre`` (a file holding another centre's rows is refused) and audit each report."""
    bounds = limits()
    reports: list[LoadReport] = []
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths = _saved(uploads, Path(tmp))
        steps = [[p] for p in paths if not is_fhir(p.name)]
        export = [p for p in paths if is_fhir(p.name)]
        steps += [export] if export else []
        with writer(warehouse_path(), models_later=True) as con:  # the month is served once its marts are built
            for done, step in enumerate(steps, start=1):
                if progress is not None:
                    progress((done - 1) / len(steps), step[0].name if len(step) == 1 else "FHIR-export")
                reports.extend(
                    _import_fhir(con, step, centre, bounds) if step is export else load_paths(con, step, allowed_centre=centre)
                )
        if progress is not None:
            progress(1.0, "")
    for report in reports:
        audit.record("load", audit_line(report), viewer)
    publish_pending_models(warehouse_path())  # then the models fitted on it, in the next version
    return reports


def audit_line(r: LoadReport) -> str:
    """One audit line per report: the file, its status and counts; a refusal with its one-line reason."""
    kind = "FHIR " if r.table_name == "fhir" else ""
    line = f"{kind}{r.file_name}: {r.status}, {r.rows_read} gelezen, {r.rows_loaded} geladen, {r.rows_quarantined} quarantaine"
    return line + ("" if r.usable else f" - {r.message}")


def report_frame(reports: list[LoadReport]) -> pl.DataFrame:
    """The load report as the page shows it: one row per file and table."""
    return pl.DataFrame(
        [
            {
                "file_name": r.file_name, "table_name": r.table_name, "status": r.status, "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded, "rows_quarantined": r.rows_quarantined, "rows_duplicate": r.rows_duplicate, "message": r.message,
            }
            for r in reports
        ],
        schema={"file_name": pl.String, "table_name": pl.String, "status": pl.String, "rows_read": pl.Int64, "rows_loaded": pl.Int64,
                "rows_quarantined": pl.Int64, "rows_duplicate": pl.Int64, "message": pl.String},
    )  # fmt: skip
