"""Simultaneous sessions on the served app (serve.py) keep their modules: no session watches source files.

Streamlit's file watcher makes a session drop every module of the app from the process-wide
``sys.modules`` at its next run once one of them changes on disk; with sixteen sessions that broke
the others' imports in the middle of their runs and forgot the shared DuckDB connection
(bench/concurrent.py saw error pages instead of reviews). The served app turns the watcher off
when it starts, before its first session.
"""

from __future__ import annotations

import asyncio
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
