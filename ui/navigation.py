"""The pages each role may open, in sections. Someone not logged in only gets the login page."""

from __future__ import annotations

import streamlit as st

from access.roles import PAGES, Viewer
from texts import t

PAGE_FILES = {
    "review": ("pages/review.py", "review_title", ":material/event_note:", "section_team"),
    "decide": ("pages/patients_like_me.py", "decide_title", ":material/diversity_3:", "section_team"),
    "trajectory": ("pages/trajectory.py", "trajectory_title", ":material/timeline:", "section_team"),
    "comparison": ("pages/comparison.py", "compare_title", ":material/compare_arrows:", "section_compare"),
    "adoption": ("pages/adoption.py", "adoption_title", ":material/monitoring:", "section_compare"),
    "data": ("pages/data.py", "data_title", ":material/database:", "section_data"),
    "upload": ("pages/upload.py", "upload_title", ":material/upload_file:", "section_data"),
    "audit": ("pages/audit.py", "audit_title", ":material/policy:", "section_data"),
}


def pages_for(viewer: Viewer | None) -> dict[str, list[st.Page]] | list[st.Page]:
    if viewer is None:
        return [st.Page("pages/login.py", title=t("login_title"), icon=":material/login:", default=True)]
    sections: dict[str, list[st.Page]] = {}
    first = PAGES[viewer.role][0]  # the role's main page opens first
    for page in (p for p in PAGE_FILES if viewer.may_open(p)):
        path, title, icon, section = PAGE_FILES[page]
        sections.setdefault(t(section), []).append(st.Page(path, title=t(title), icon=icon, default=page == first))
    return sections
