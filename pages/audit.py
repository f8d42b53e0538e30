"""Audit trail, for administrators: every view or export of patient rows and every data load."""

from __future__ import annotations

import polars as pl
import streamlit as st

from access.audit import Verification
from texts import t
from texts.review import CELL_WORDS
from ui.context import current
from ui.data import audit_trail
from ui.guard import entry_only
from ui.review_view import csv_download, show_table

entry_only()

AUDIT_ACTIONS = CELL_WORDS["action"]  # an audit row's action code → the key of its words


def render_chain(checked: Verification) -> None:
    """Whether the trail's hash chain verifies, said before the rows."""
    if checked.ok:
        st.success(t("audit_chain_ok", rows=checked.rows), icon=":material/verified:")
    else:
        st.error(t("audit_chain_broken", line=checked.broken_line, reason=checked.reason), icon=":material/gpp_bad:")
    st.caption(t("audit_chain_caption"))


def render_audit() -> None:
    checked, rows = audit_trail()
    render_chain(checked)
    actions = sorted(rows["action"].unique().to_list())
    chosen = st.multiselect(
        t("audit_filter"), actions, key="audit_actions", placeholder=t("choose_options"),
        format_func=lambda a: t(AUDIT_ACTIONS[a]) if a in AUDIT_ACTIONS else a,
    )  # fmt: skip
    if chosen:
        rows = rows.filter(pl.col("action").is_in(chosen))
    show_table(rows)
    csv_download(rows, "audit.csv")  # formula-safe: user-supplied text (file names) sits in "what"


ctx = current()
st.title(t("audit_title"))
st.write(t("audit_purpose"))
if ctx is not None and ctx.viewer.may_open("audit"):
    render_audit()
