"""The sidebar every page shares: who is logged in, and which centre, pathway and month they look at.

A page declares the selectors it uses in ``PAGE_SELECTORS`` (by its url path); the others are not
drawn on it, so no selector sits beside a page that ignores it. A hidden selector keeps its choice
for the pages that use it (``_kept``). Pages not listed use all three.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from access.roles import PAGES, Viewer
from data_models.outcome_sets import outcome_sets
from texts import label, month_name, t
from ui.auth import log_out
from ui.data import query, warehouse_exists
from ui.safe_text import plain
from ui.text import choose

T = TypeVar("T")
SELECTORS = frozenset({"centre", "pathway", "month"})
# the comparison is anonymous for national roles whatever centre is chosen (docs: domain, small numbers and
# anonymity), so it draws no centre selector; an upload is for a centre, whatever its pathways and months;
# the audit trail is about the whole installation
PAGE_SELECTORS: dict[str, frozenset[str]] = {
    "comparison": frozenset({"pathway", "month"}),
    "upload": frozenset({"centre"}),
    "audit": frozenset(),
}


def selectors_for(page: str | None) -> frozenset[str]:
    """The sidebar selectors a page uses (all of them for a page that declares none)."""
    return PAGE_SELECTORS.get(page or "", SELECTORS)


def _kept(key: str, options: list, draw: Callable[[], T]) -> T:
    """Draw a keyed selector, restoring the choice it had before a page without it was shown.

    Streamlit forgets a widget's state in a run that does not draw it; a copy under another key
    survives, and comes back when it is still one of the ``options``.
    """
    kept = st.session_state.get(f"kept_{key}")
    if key not in st.session_state and f"kept_{key}" in st.session_state and kept in options:
        st.session_state[key] = kept
    value = draw()
    st.session_state[f"kept_{key}"] = value
    return value


@dataclass(frozen=True)
class Context:
    viewer: Viewer
    centre_code: str | None  # the viewer's centre, or the one a national viewer chose (None: all)
    centre_name: str
    pathway: str | None
    month: dt.date | None
    months: tuple[dt.date, ...]


def _language_changed() -> None:
    """The language radio's callback: speak the new language in this very run (the navigation is drawn before
    the radio), and hand the sidebar's selectors their own value again, so the browser redraws the chosen
    option's text in that language (it kept showing the old language's text otherwise; issue 17)."""
    choose("en" if st.session_state.get("language_choice") == "English" else "nl")
    for key in [k for k in st.session_state if k in ("pathway", "chosen_centre") or str(k).startswith("month_")]:
        st.session_state[key] = st.session_state[key]


def _language() -> None:
    choice = st.sidebar.radio(
        t("language"), ["Nederlands", "English"], horizontal=True, key="language_choice", on_change=_language_changed
    )
    choose("en" if choice == "English" else "nl")


def _who(viewer: Viewer) -> None:
    role = t("role_" + viewer.role.value)
    st.sidebar.markdown(f":material/person: **{plain(viewer.name)}** · {role}")
    if viewer.is_demo:
        st.sidebar.caption(t("demo_account"))
    st.sidebar.button(t("log_out"), on_click=log_out, icon=":material/logout:", key="log_out")


def _centre(viewer: Viewer, shown: bool = True) -> tuple[str | None, str]:
    if not viewer.is_national:
        row = query("viewer_centre", centre_code=viewer.centre_code)
        return viewer.centre_code, (row["centre_name"][0] if row.height else viewer.centre_code or "")
    if not shown:
        return None, t("all_centres_choice")
    centres = query("viewer_centres")
    names = dict(zip(centres["centre_code"], centres["centre_name"], strict=True))
    options = [None, *names]
    chosen = _kept(
        "chosen_centre",
        options,
        lambda: st.sidebar.selectbox(
            t("centre"), options, format_func=lambda c: t("all_centres_choice") if c is None else names[c], key="chosen_centre"
        ),
    )
    return chosen, (t("all_centres_choice") if chosen is None else names[chosen])


def sidebar(viewer: Viewer | None, page: str | None = None) -> Context | None:
    """Draw the sidebar and return what the viewer looks at (None when there is nothing to show).

    ``page``: the url path of the page shown (``""`` for the role's first page), whose declared selectors
    (``PAGE_SELECTORS``) are drawn.
    """
    _language()
    if viewer is None:
        return None
    _who(viewer)
    if not warehouse_exists():
        st.sidebar.warning(t("no_warehouse"))
        return None
    used = selectors_for(PAGES[viewer.role][0] if page == "" else page)  # the default page's url path is ""
    centre, centre_name = _centre(viewer, "centre" in used)
    if "pathway" not in used:
        return Context(viewer, centre, centre_name, None, None, ())
    delivered = set(query("viewer_pathways", centre_code=centre)["pathway"])
    pathways = [p for p in outcome_sets() if p in delivered and viewer.may_see_pathway(p)]
    if not pathways:
        return Context(viewer, centre, centre_name, None, None, ())
    pathway = _kept(
        "pathway",
        pathways,
        lambda: st.sidebar.selectbox(t("pathway"), pathways, format_func=lambda p: label(outcome_sets()[p].label), key="pathway"),
    )
    months = tuple(query("review_months", centre_code=centre, pathway=pathway)["month_date"].to_list())
    if not months or "month" not in used:
        return Context(viewer, centre, centre_name, pathway, None, months)
    key = f"month_{centre}_{pathway}"
    month = _kept(key, list(months), lambda: st.sidebar.selectbox(t("month"), months[::-1], format_func=month_name, key=key))
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
