"""Figures and tables in words kept once drawn: a re-run with the same inputs in the same language reuses them.

A page re-runs its whole script on every click, and building plotly figures (their validation of
every property) and tables in words was most of a warm review. ``drawn(builder, *args)`` keeps what
a pure builder (``ui.figures``, ``texts.review.cells_in_words``) returns per builder, inputs and
language, for every session of the process: what is drawn holds only what its inputs hold, and the
inputs are what the viewer's own authorised answers returned, so another session finds it only with
the very same inputs. A frame is keyed by its schema and the hash of every row (``_frame_key``):
Streamlit's own hash of a polars frame reads only its first and last ten rows, so two rankings that
differ in the middle (another centre's own row) would share a key. What is drawn is shared, so no
caller changes it. A frame of more than ``KEPT_ROWS`` rows, anywhere in the inputs, is drawn every time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import polars as pl
import streamlit as st

from texts import lang, language

F = TypeVar("F")
KEPT_ROWS = 2_000  # a frame up to this many rows is hashed whole and its drawing kept: 256 of them stay small


def _small(value: object) -> bool:
    """Whether every frame or series in ``value`` (also inside lists, tuples and dicts) has at most ``KEPT_ROWS`` rows."""
    if isinstance(value, pl.DataFrame | pl.Series):
        return len(value) <= KEPT_ROWS
    if isinstance(value, dict):
        return all(_small(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return all(_small(v) for v in value)
    return True


def _frame_key(frame: pl.DataFrame) -> bytes:
    return str(frame.schema).encode() + frame.hash_rows(seed=0).to_numpy().tobytes()


def _series_key(series: pl.Series) -> bytes:
    return f"{series.name}:{series.dtype}".encode() + series.hash(seed=0).to_numpy().tobytes()


def drawn(builder: Callable[..., F], *args: object, **kwargs: object) -> F:
    """What ``builder(*args, **kwargs)`` returns, drawn once per inputs and language."""
    if not (_small(args) and _small(kwargs)):
        return builder(*args, **kwargs)
    return _drawn(f"{builder.__module__}.{builder.__qualname__}", lang(), args, kwargs, builder)


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs={pl.DataFrame: _frame_key, pl.Series: _series_key})
def _drawn(name: str, spoken: str, args: tuple, kwargs: dict, _builder: Callable[..., F]) -> F:
    del name  # part of the key only: the builder itself is not hashed
    with language(spoken):
        return _builder(*args, **kwargs)
