"""The sidebar every page shares: who is logged in, and which centre, pathway and month they look at."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from access.roles import Viewer
from data_models.outcome_sets import outcome_sets
from texts import label, month_name, t
from ui.auth import log_out
from ui.data import query, warehouse_exists
from ui.safe_text import plain
from ui.text import choose


@dataclass(frozen=True)
class Context:
    viewer: Viewer
    centre_code: str | None  # the viewer's centre, or the one a national viewer chose (None: all)
    centre_name: str
    pathway: str | None
    month: dt.date | None
    months: tuple[dt.date, ...]


def _language() -> None:
    choice = st.sidebar.radio(t("language"), ["Nederlands", "English"], horizontal=True, key="language_choice")
    choose("en" if choice == "English" else "nl")


def _who(viewer: Viewer) -> None:
    role = t("role_" + viewer.role.value)
    st.sidebar.markdown(f":material/person: **{plain(viewer.name)}** · {role}")
    if viewer.is_demo:
        st.sidebar.caption(t("demo_account"))
    st.sidebar.button(t("log_out"), on_click=log_out, icon=":material/logout:", key="log_out")


def _centre(viewer: Viewer) -> tuple[str | None, str]:
    if not viewer.is_national:
        row = query("viewer_centre", centre_code=viewer.centre_code)
        return viewer.centre_code, (row["centre_name"][0] if row.height else viewer.centre_code or "")
    centres = query("viewer_centres")
    names = dict(zip(centres["centre_code"], centres["centre_name"], strict=True))
    options = [None, *names]
    chosen = st.sidebar.selectbox(
        t("centre"), options, format_func=lambda c: t("all_centres_choice") if c is None else names[c], key="chosen_centre"
    )
    return chosen, (t("all_centres_choice") if chosen is None else names[chosen])


def sidebar(viewer: Viewer | None) -> Context | None:
    """Draw the sidebar and return what the viewer looks at (None when there is nothing to show)."""
    _language()
    if viewer is None:
        return None
    _who(viewer)
    if not warehouse_exists():
        st.sidebar.warning(t("no_warehouse"))
        return None
    centre, centre_name = _centre(viewer)
    delivered = set(query("viewer_pathways", centre_code=centre)["pathway"])
    pathways = [p for p in outcome_sets() if p in delivered and viewer.may_see_pathway(p)]
    if not pathways:
        return Context(viewer, centre, centre_name, None, None, ())
    pathway = st.sidebar.selectbox(t("pathway"), pathways, format_func=lambda p: label(outcome_sets()[p].label), key="pathway")
    months = tuple(query("review_months", centre_code=centre, pathway=pathway)["month_date"].to_list())
    if not months:
        return Context(viewer, centre, centre_name, pathway, None, ())
    month = st.sidebar.selectbox(t("month"), months[::-1], format_func=month_name, key=f"month_{centre}_{pathway}")
    return Context(viewer, centre, centre_name, pathway, month, months)


def current() -> Context | None:
    return st.session_state.get("context")


def current_with_month() -> Context | None:
    """The context when there is a pathway and month to show (a month implies a pathway); else say why."""
    ctx = current()
    if ctx is None:
        st.warning(t("no_warehouse"))
    elif ctx.month is None:
        st.info(t("no_pathways"))
    else:
        return ctx
    return None
