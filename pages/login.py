"""Log in: with the organisation's account (OIDC) when configured, else with a local account."""

from __future__ import annotations

import streamlit as st

from access.accounts import DEMO_CONFIG, config_path, load_users, log_in_locally, viewer_for
from access.settings import is_demo
from texts import t
from ui.auth import log_in, oidc_configured
from ui.guard import entry_only

entry_only()


def render_oidc() -> None:
    st.button(t("login_oidc"), on_click=st.login, type="primary", icon=":material/login:")
    unknown = st.session_state.get("unknown_identity")
    if unknown:
        st.error(t("login_unknown"))
        st.caption(t("login_unknown_identity"))
        st.code(unknown, language=None)


def render_local() -> None:
    with st.form("login"):
        username = st.text_input(t("login_user"))
        password = st.text_input(t("login_password"), type="password")
        submitted = st.form_submit_button(t("login_button"), type="primary")
    if submitted:
        result = log_in_locally(username, password)
        if result.locked:
            st.error(t("login_locked"))
        elif result.viewer is None:
            st.error(t("login_failed"))
        else:
            log_in(result.viewer, "local")
            st.rerun()


def render_demo_accounts() -> None:
    st.subheader(t("demo_accounts"))
    st.caption(t("demo_accounts_caption"))
    for user in load_users(DEMO_CONFIG):
        viewer = viewer_for(user, DEMO_CONFIG)
        if viewer is not None and st.button(f"{user} · {t('role_' + viewer.role.value)}", key=f"demo_{user}"):
            log_in(viewer, "demo")
            st.rerun()


st.title(t("login_title"))
st.write(t("login_purpose"))
if oidc_configured():
    render_oidc()
else:
    render_local()
if is_demo() and config_path().resolve() == DEMO_CONFIG.resolve():  # the one-click accounts: explicit demo mode only
    render_demo_accounts()
