"""Tables of patient rows: shown without Streamlit's own export, downloaded only through an audited button.

Streamlit 1.67 has no per-table switch for the dataframe toolbar's "Download as CSV" (and
clipboard copy); ``client.disableDataExport = true`` in ``.streamlit/config.toml`` hides them for
every table. Patient rows leave the app only through ``patient_download``: a CSV made by
``csv_bytes`` (formula-safe, as a spreadsheet opens it) whose click writes a
"download_patient_rows" audit row with the fingerprints of the patients in the file.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from access import audit
from access.roles import Viewer
from texts import t
from ui.data import current_viewer, patient_fingerprints
from ui.review_view import csv_bytes

LOCATOR = frozenset({"load_id", "file_name", "row_number"})


def has_patient_rows(frame: pl.DataFrame) -> bool:
    """Whether a frame holds rows of individual patients (or delivered rows of them)."""
    return "episode_id" in frame.columns or "patient_id" in frame.columns or set(frame.columns) >= LOCATOR


def record_download(viewer: Viewer | None, what: str, file_name: str, rows: int, fingerprints: Sequence[str]) -> None:
    """The download button's click: who took which patients' rows out of the app, into which file."""
    audit.record("download_patient_rows", f"{what} -> {file_name}, {rows} rows", viewer, patients=list(fingerprints))


def patient_download(
    frame: pl.DataFrame, *, key: str, file_name: str, what: str, patient_ids: Sequence[object] | None = None
) -> None:
    """An audited, formula-safe CSV download of patient rows.

    ``patient_ids``: the episodes the rows belong to, when the rows do not carry them (one
    patient's measurements); otherwise they are read from the frame.
    """
    fingerprints = patient_fingerprints(frame) if patient_ids is None else [audit.fingerprint(p) for p in patient_ids]
    st.download_button(
        t("download_csv"),
        csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        key=f"csv_{key}",
        icon=":material/download:",
        on_click=record_download,
        args=(current_viewer(), what, file_name, frame.height, tuple(fingerprints)),
    )


def patient_table(
    frame: pl.DataFrame,
    *,
    key: str,
    file_name: str,
    what: str,
    patient_ids: Sequence[object] | None = None,
    **dataframe_options: object,
):
    """A table of patient rows with the audited download below it; returns what ``st.dataframe`` returns."""
    event = st.dataframe(frame, hide_index=True, width="stretch", key=key, **dataframe_options)
    patient_download(frame, key=key, file_name=file_name, what=what, patient_ids=patient_ids)
    return event
