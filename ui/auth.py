"""Who is logged in: Streamlit's OIDC login when configured, else local accounts."""

from __future__ import annotations

import streamlit as st

from access import audit
from access.accounts import oidc_identity, viewer_for_oidc
from access.roles import Viewer


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def identify() -> Viewer | None:
    """The logged-in viewer, mapping an OIDC identity through the access configuration once."""
    viewer = st.session_state.get("viewer")
    if viewer is not None or not oidc_configured():
        return viewer
    if not st.user.is_logged_in:
        return None
    # the issuer and subject never change or move to someone else; an e-mail address can
    issuer, subject = str(st.user.get("iss") or ""), str(st.user.get("sub") or "")
    identity = oidc_identity(issuer, subject)
    viewer = viewer_for_oidc(issuer, subject)
    if viewer is not None:
        st.session_state["viewer"] = viewer
        audit.record("login", "oidc", viewer)
    elif st.session_state.get("unknown_identity") != identity:
        st.session_state["unknown_identity"] = identity
        audit.record("login_refused", "oidc: no entry in the access configuration", user=identity)
    return viewer


def log_in(viewer: Viewer, how: str) -> None:
    st.session_state["viewer"] = viewer
    audit.record("login", how, viewer)


def log_out() -> None:
    viewer = st.session_state.pop("viewer", None)
    if viewer is not None:
        audit.record("logout", "", viewer)
    for key in [k for k in st.session_state if k != "language_choice"]:
        del st.session_state[key]
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
