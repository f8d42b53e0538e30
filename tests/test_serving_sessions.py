"""Simultaneous sessions on the served app (serve.py): no session watches source files, and no session's
end-of-run garbage collection walks what lives as long as the server.

Streamlit's file watcher makes a session drop every module of the app from the process-wide
``sys.modules`` at its next run once one of them changes on disk; with sixteen sessions that broke
the others' imports in the middle of their runs and forgot the shared DuckDB connection
(bench/concurrent.py saw error pages instead of reviews). The served app turns the watcher off
when it starts, before its first session.

Streamlit collects every generation after each script run, holding the GIL; after the warm-up the
server's long-lived objects (modules, plotly's validators: some 300,000) are frozen out of it.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
from streamlit import config
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner.script_cache import ScriptCache

import serve

APP = Path(__file__).resolve().parent.parent / "app.py"


def _watches_source_files() -> bool:
    """Whether a session opened now (as the server opens one per browser tab) watches the app's files."""
    session = AppSession(ScriptData(str(APP)), MemoryUploadedFileManager("/_stcore/upload_file"), ScriptCache(), None, {})
    try:
        return session._local_sources_watcher is not None
    finally:
        session.shutdown()


@pytest.fixture
def watcher_setting():
    before = config.get_option("server.fileWatcherType")
    yield
    config.set_option("server.fileWatcherType", before)


def test_a_session_of_the_started_server_watches_no_source_files(monkeypatch, watcher_setting) -> None:
    monkeypatch.setattr(serve, "start_serving", lambda: None)  # the connection and warm-up are tested elsewhere
    monkeypatch.setattr(serve, "warm_up", lambda: None)
    config.set_option("server.fileWatcherType", "auto")  # Streamlit's default, as `streamlit run` starts with it

    async def sessions() -> tuple[bool, bool]:
        before = _watches_source_files()
        async with serve.lifespan(None):
            return before, _watches_source_files()

    before, served = asyncio.run(sessions())
    assert before, "Streamlit's default watches the app's files (otherwise this test proves nothing)"
    assert not served


class _Cycle:
    """An object in a reference cycle: one the garbage collector tracks and traverses."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def _tracked(thing: object) -> bool:
    return any(o is thing for o in gc.get_objects())


def test_after_the_warm_up_collections_skip_what_lives_as_long_as_the_server(monkeypatch, unfrozen) -> None:
    monkeypatch.setattr(serve, "WARM_PACKAGES", ())  # the imports and the warehouse are tested elsewhere
    monkeypatch.setattr(serve, "_first_figure", lambda: None)
    monkeypatch.setattr(serve, "open_warehouse", lambda: None)
    long_lived = _Cycle()
    assert _tracked(long_lived)

    serve.warm_up()
    per_run = _Cycle()  # what a script run makes afterwards

    assert not _tracked(long_lived) and gc.get_freeze_count() > 0
    assert _tracked(per_run)
