"""Samen Leren: the entry point. It sets up the page, finds who is looking and routes to their pages."""

import streamlit as st

from access.settings import check_startup
from ui.auth import identify
from ui.context import sidebar
from ui.data import pin_version
from ui.guard import entry_point
from ui.navigation import pages_for

st.set_page_config(page_title="Samen Leren", page_icon=":material/groups:", layout="wide")

check_startup()  # outside demo mode: one line and nothing else until access, peer and cookie secrets are set
pin_version()
viewer = identify()
st.session_state["context"] = sidebar(viewer)
page = st.navigation(pages_for(viewer))
with entry_point():  # pages refuse to run without it (ui/guard.py)
    page.run()
