"""Who is looking and what they look at: the sidebar shared by every page.

Until login exists the viewer is a demo viewer picked in the sidebar, clearly marked as
such; a viewer belongs to one centre and only ever sees that centre's patients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from data_models.outcome_sets import outcome_sets
from ui.data import query, warehouse_exists
from ui.text import label, month_name, t


@dataclass(frozen=True)
class Context:
    centre_code: str
    centre_name: str
    pathway: str | None
    month: dt.date | None
    months: tuple[dt.date, ...]


def _language() -> None:
    choice = st.sidebar.radio(t("language"), ["Nederlands", "English"], horizontal=True, key="language_choice")
    st.session_state["lang"] = "en" if choice == "English" else "nl"


def sidebar() -> Context | None:
    """Draw the sidebar and return the viewer's context (None when there is no data to show)."""
    _language()
    if not warehouse_exists():
        st.sidebar.warning(t("no_warehouse"))
        return None
    st.sidebar.info(t("demo_notice"))
    centres = query("viewer_centres").filter(query("viewer_centres")["episodes_n"] > 0)
    names = dict(zip(centres["centre_code"], centres["centre_name"], strict=True))
    centre = st.sidebar.selectbox(t("viewer"), list(names), format_func=lambda c: f"{names[c]} ({c})", key="viewer_centre")
    pathways = [p for p in outcome_sets() if p in centres.filter(centres["centre_code"] == centre)["pathways"][0].to_list()]
    if not pathways:
        return Context(centre, names[centre], None, None, ())
    pathway = st.sidebar.selectbox(t("pathway"), pathways, format_func=lambda p: label(outcome_sets()[p].label), key="pathway")
    months = tuple(query("review_months", centre_code=centre, pathway=pathway)["month_date"].to_list())
    if not months:
        return Context(centre, names[centre], pathway, None, ())
    month = st.sidebar.selectbox(t("month"), months[::-1], format_func=month_name, key=f"month_{centre}_{pathway}")
    return Context(centre, names[centre], pathway, month, months)


def current() -> Context | None:
    return st.session_state.get("context")
