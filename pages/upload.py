"""Upload, for data managers: deliver files for the own centre through the same loader as the command line.

The page lays out; ``services.upload`` loads (the data standard's files, or a FHIR export) and audits.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from services.upload import ACCEPTED, Upload, limits, load_uploads, report_frame
from texts import t
from texts.review import cells_in_words
from ui.context import current
from ui.data import query
from ui.guard import entry_only
from ui.patient_table import patient_table
from ui.review_view import column_labels, show_table
from ui.safe_text import plain

entry_only()


def limits_text() -> str:
    bounds = limits()
    dutch = {
        name: f"{getattr(bounds, name):,}".replace(",", ".")
        for name in ("rows", "columns", "identifier_chars", "text_chars", "zip_members", "unpacked_mb")
    }
    return t("upload_limits", file_mb=bounds.file_mb, **dutch)


def render_upload(centre: str) -> None:
    st.caption(limits_text())
    files = st.file_uploader(t("upload_files"), type=ACCEPTED, accept_multiple_files=True, key="upload_files")
    if not files or not st.button(t("upload_button"), type="primary", icon=":material/upload:"):
        return
    bar = st.progress(0.0, text=t("upload_progress"))
    reports = load_uploads(
        [Upload(f.name, f.getvalue()) for f in files],
        centre,
        current().viewer,
        progress=lambda share, name: bar.progress(share, text=f"{t('upload_progress')} {name}"),
    )
    bar.progress(1.0, text=t("upload_progress_done"))  # not left saying it is still loading
    st.subheader(t("upload_report"))
    show_table(report_frame(reports))
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
        patient_table(
            cells_in_words(quarantine), key="upload_quarantine", file_name="quarantaine.csv",
            what=f"data_quarantine {centre} upload", column_config=column_labels(quarantine),
        )  # fmt: skip


ctx = current()
st.title(t("upload_title"))
st.write(t("upload_purpose"))
if ctx is not None and ctx.viewer.may_open("upload") and ctx.centre_code:
    render_upload(ctx.centre_code)
