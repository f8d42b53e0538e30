"""Figures and tables in words kept once drawn: a re-run with the same inputs in the same language reuses them.

A page re-runs its whole script on every click, and building plotly figures (their validation of
every property) and tables in words was most of a warm review. ``drawn(builder, *args)`` keeps what
a pure builder (``ui.figures``, ``texts.review.cells_in_words``) returns per builder, inputs
(Streamlit hashes polars frames by their rows) and language, for every session of the process:
what is drawn holds only what its inputs hold, and the inputs are what the viewer's own
authorised answers returned, so another session finds it only with the very same inputs. It is
shared, so no caller changes it after it is drawn. Inputs with a frame of more than ``KEPT_ROWS`` rows
are drawn every time: Streamlit hashes a frame of 50,000 rows or more by a sample of its rows, so two
such frames could share a key, and a kept drawing of them would be large.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import polars as pl
import streamlit as st

from texts import lang, language

F = TypeVar("F")
KEPT_ROWS = 2_000  # a frame up to this many rows is hashed whole and its drawing kept: 256 of them stay small


def _small(values: tuple | dict) -> bool:
    found = values.values() if isinstance(values, dict) else values
    return all(value.height <= KEPT_ROWS for value in found if isinstance(value, pl.DataFrame))


def drawn(builder: Callable[..., F], *args: object, **kwargs: object) -> F:
    """What ``builder(*args, **kwargs)`` returns, drawn once per inputs and language."""
    if not (_small(args) and _small(kwargs)):
        return builder(*args, **kwargs)
    return _drawn(f"{builder.__module__}.{builder.__qualname__}", lang(), args, kwargs, builder)


@st.cache_resource(max_entries=256, show_spinner=False)
def _drawn(name: str, spoken: str, args: tuple, kwargs: dict, _builder: Callable[..., F]) -> F:
    del name  # part of the key only: the builder itself is not hashed
    with language(spoken):
        return _builder(*args, **kwargs)
