"""Pages run only inside app.py's navigation, never on their own.

A ``pages/`` folder beside app.py keeps Streamlit's old automatic navigation alive until the
first session has run app.py (``PagesManager.uses_pages_directory``, a class-wide flag that
``st.navigation`` switches off): on a fresh server a first request to ``/audit`` runs
``pages/audit.py`` directly, without the login, the role check and the startup check of app.py.
app.py runs the chosen page inside ``entry_point()``; every page calls ``entry_only()`` first.
A page started by the old navigation switches it off and runs app.py in its place (in the
same script run, so a click or a form submission is not lost), which decides which page this
viewer gets; a page started any other way stops with one line.

The flag is thread-local: Streamlit runs each session's script (app.py and the page it
runs) on one script thread, so a flag set by one session is never seen by another, and
``entry_point()`` clears it again however the page ends (rerun, stop, error).
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from texts import t

_state = threading.local()


@contextmanager
def entry_point() -> Iterator[None]:
    """Mark the current script thread as running a page from app.py's ``st.navigation``."""
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth


def inside_entry_point() -> bool:
    return getattr(_state, "depth", 0) > 0


def _leave_old_navigation() -> str | None:
    """Switch Streamlit's automatic ``pages/`` navigation off; the entry point's path when it was on."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # a later Streamlit without them: nothing to switch off
        return None
    ctx = get_script_run_ctx()
    if ctx is None or getattr(PagesManager, "uses_pages_directory", None) is not True:
        return None
    PagesManager.uses_pages_directory = False
    return str(ctx.pages_manager.main_script_path)


def entry_only() -> None:
    """Let this page run only inside app.py: run app.py in its place, or stop with one line."""
    if inside_entry_point():
        return
    main_script = _leave_old_navigation()
    if main_script is not None:
        # app.py routes to this page only if the viewer may open it, after its own checks
        runpy.run_path(main_script, run_name="__main__")
    else:
        st.error(t("entry_only"))
    st.stop()
