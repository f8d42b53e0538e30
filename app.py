"""Samen Leren: the entry point. It sets up the page, finds who is looking and routes to their pages."""

from pathlib import Path

import streamlit as st

from access.settings import check_startup
from ui.auth import identify
from ui.context import sidebar
from ui.data import pin_version
from ui.guard import entry_point
from ui.navigation import pages_for

# The icon is a local file: a ":material/…:" icon makes the browser fetch it from a font server,
# and a hospital network may have no internet. Nothing the app shows comes from outside hosts.
PAGE_ICON = str(Path(__file__).resolve().parent / "static" / "page_icon.png")
st.set_page_config(page_title="Samen Leren", page_icon=PAGE_ICON, layout="wide")

check_startup()  # outside demo mode: one line and nothing else until access, peer and cookie secrets are set
pin_version()
viewer = identify()
page = st.navigation(pages_for(viewer))
st.session_state["context"] = sidebar(viewer, page.url_path)  # the page shown declares the selectors it uses
with entry_point():  # pages refuse to run without it (ui/guard.py)
    page.run()
