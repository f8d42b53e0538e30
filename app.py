"""Samen Leren: the entry point. It sets up the page, finds who is looking and routes to their pages."""

import streamlit as st

from ui.auth import identify
from ui.context import sidebar
from ui.data import pin_version
from ui.navigation import pages_for

st.set_page_config(page_title="Samen Leren", page_icon=":material/groups:", layout="wide")

pin_version()
viewer = identify()
st.session_state["context"] = sidebar(viewer)
st.navigation(pages_for(viewer)).run()
