"""The Streamlit side of the interface's words: the session's language choice.

The words, formatting and sentences live in ``texts`` (no Streamlit there). Importing this
module makes ``texts.lang()`` follow the language chosen in the sidebar; a ``texts.language``
block (the meeting pack) still overrides it. The names below are re-exported for code that
imports them from here.
"""

from __future__ import annotations

import streamlit as st

from texts import TEXT, label, lang, language, month_name, number, t, timepoint_name, use_default_source

__all__ = ["TEXT", "choose", "label", "lang", "language", "month_name", "number", "session_language", "t", "timepoint_name"]

SESSION_KEY = "lang"


def session_language() -> str | None:
    """The language chosen in this session's sidebar (None outside a Streamlit run)."""
    return st.session_state.get(SESSION_KEY) if st.runtime.exists() else None


def choose(code: str) -> None:
    """Remember the session's language choice (nl or en)."""
    st.session_state[SESSION_KEY] = code


use_default_source(session_language)
