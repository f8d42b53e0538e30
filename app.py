"""Samen Leren: the entry point. It only sets up the page, the sidebar and the navigation."""

import streamlit as st

from ui.context import sidebar
from ui.text import t

st.set_page_config(page_title="Samen Leren", page_icon=":material/groups:", layout="wide")

st.session_state["context"] = sidebar()

navigation = st.navigation(
    {
        t("section_team"): [
            st.Page("pages/review.py", title=t("review_title"), icon=":material/event_note:", default=True),
        ],
        t("section_compare"): [
            st.Page("pages/comparison.py", title=t("compare_title"), icon=":material/compare_arrows:"),
            st.Page("pages/adoption.py", title=t("adoption_title"), icon=":material/monitoring:"),
        ],
        t("section_data"): [
            st.Page("pages/data.py", title=t("data_title"), icon=":material/database:"),
        ],
    }
)
navigation.run()
