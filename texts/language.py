"""Which language is spoken, and the words in it: ``t(key)`` and ``label(labels)``.

The language is a context variable: ``with language("en"):`` speaks English inside the block
(the meeting pack is built that way). Outside such a block it is whatever the default source
says (``ui.text`` makes that the Streamlit session's choice), else Dutch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from texts.words import TEXT

LANGUAGES = ("nl", "en")
DEFAULT = "nl"

_LANGUAGE: ContextVar[str | None] = ContextVar("language", default=None)
_default_source: Callable[[], str | None] | None = None


def use_default_source(source: Callable[[], str | None] | None) -> None:
    """Ask ``source`` for the language when no ``language`` block is open (None: always Dutch)."""
    global _default_source
    _default_source = source


def lang() -> str:
    """The language spoken here: the open ``language`` block's, else the default source's, else Dutch."""
    chosen = _LANGUAGE.get()
    if chosen is None and _default_source is not None:
        chosen = _default_source()
    return chosen if chosen in LANGUAGES else DEFAULT


@contextmanager
def language(code: str) -> Iterator[None]:
    """Speak ``code`` (nl or en) inside the block, whatever the default source says."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    token = _LANGUAGE.set(code)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the language spoken, with ``{placeholders}`` filled in."""
    entry = TEXT[key]
    return entry.get(lang(), entry[DEFAULT]).format(**values)


def label(labels: dict[str, str]) -> str:
    """A label from an outcome-set file (``{nl: …, en: …}``) in the language spoken."""
    return labels.get(lang(), labels.get(DEFAULT, ""))
