"""The interface's words, apart from any widget: the word table in Dutch and English, the
language spoken, number, money, date and month formatting, and the review's sentences.

Nothing here imports Streamlit (nor ``ui``, ``reports``, ``pages`` or ``services``), so the
meeting pack and the command line speak without loading the web app. ``ui.text`` connects
the language to the Streamlit session.
"""

from texts.formatting import (
    date_text,
    money,
    month_name,
    month_short,
    month_ticks,
    number,
    percent,
    separators,
    timepoint_name,
)
from texts.language import LANGUAGES, label, lang, language, t, use_default_source
from texts.words import TEXT

__all__ = [
    "LANGUAGES",
    "TEXT",
    "date_text",
    "label",
    "lang",
    "language",
    "money",
    "month_name",
    "month_short",
    "month_ticks",
    "number",
    "percent",
    "separators",
    "t",
    "timepoint_name",
    "use_default_source",
]
