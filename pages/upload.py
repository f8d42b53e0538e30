"""Upload, for data managers: deliver files for the own centre through the same loader as the command line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from access import audit
from texts import t
from ui.context import current
from ui.data import query
from ui.guard import entry_only
from ui.patient_table import patient_table
from ui.safe_text import plain
from warehouse.connection import warehouse_path, writer
from warehouse.limits import current as current_limits
from warehouse.loader import LoadReport, load_paths

entry_only()

ACCEPTED = ["csv", "txt", "tsv", "parquet", "xlsx"]


def report_frame(reports: list[LoadReport]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "file_name": r.file_name, "table_name": r.table_name, "status": r.status, "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded, "rows_quarantined": r.rows_quarantined, "rows_duplicate": r.rows_duplicate, "message": r.message,
            }
            for r in reports
        ]
    )  # fmt: skip


def load_uploads(files, centre: str) -> list[LoadReport]:
    reports: list[LoadReport] = []
    progress = st.progress(0.0, text=t("upload_progress"))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for upload in files:
            path = Path(tmp) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            paths.append(path)
        with writer(warehouse_path()) as con:
            for i, path in enumerate(paths, start=1):
                reports.extend(load_paths(con, [path], allowed_centre=centre))
                progress.progress(i / len(paths), text=f"{t('upload_progress')} {path.name}")
    return reports


def limits_text() -> str:
    bounds = current_limits()
    dutch = {
        name: f"{getattr(bounds, name):,}".replace(",", ".") for name in ("rows", "columns", "identifier_chars", "text_chars")
    }
    return t("upload_limits", file_mb=bounds.file_mb, **dutch)


def render_upload(centre: str) -> None:
    st.caption(limits_text())
    files = st.file_uploader(t("upload_files"), type=ACCEPTED, accept_multiple_files=True, key="upload_files")
    if not files or not st.button(t("upload_button"), type="primary", icon=":material/upload:"):
        return
    reports = load_uploads(files, centre)
    viewer = current().viewer
    for r in reports:
        audit.record(
            "load",
            f"{r.file_name}: {r.status}, {r.rows_read} gelezen, {r.rows_loaded} geladen, {r.rows_quarantined} quarantaine"
            + ("" if r.usable else f" - {r.message}"),  # a refusal is audited with its one-line reason
            viewer,
        )
    st.subheader(t("upload_report"))
    st.dataframe(report_frame(reports), hide_index=True, width="stretch")
    if any(not r.usable for r in reports):
        st.error(t("upload_refused"))
        for r in reports:
            if not r.usable:
                st.error(plain(r.message))  # names the uploaded file: text, never Markdown
    elif any(r.rows_quarantined for r in reports):
        st.warning(t("upload_quarantined"))
    else:
        st.success(t("upload_done"))
    st.cache_data.clear()
    ids = [r.load_id for r in reports if r.load_id is not None]
    quarantine = query("data_quarantine", centre_code=current().centre_code).filter(pl.col("load_id").is_in(ids))
    if quarantine.height:
        st.subheader(t("quarantine"))
        patient_table(quarantine, key="upload_quarantine", file_name="quarantaine.csv", what=f"data_quarantine {centre} upload")


ctx = current()
st.title(t("upload_title"))
st.write(t("upload_purpose"))
if ctx is not None and ctx.viewer.may_open("upload") and ctx.centre_code:
    render_upload(ctx.centre_code)
