"""How Samen Leren is served: app.py on Streamlit's ASGI server, with security headers on every response.

``streamlit run serve.py`` (what ``make run`` does) finds the ``app`` below and serves app.py
through it. Streamlit has no setting for response headers; ``st.App`` takes Starlette
middleware, so this one adds them to every HTTP response (pages, static files, health):

- ``X-Frame-Options: DENY`` and ``Content-Security-Policy: frame-ancestors 'none'``: no page
  on another site can frame the app (clickjacking, or host messages to a framed app);
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

Outside demo mode the server does not start at all without its configuration: one line on
stderr naming what is missing (access/settings.py); app.py checks the same on every run.
``streamlit run app.py`` still works for development, without these headers.

Start fast (issue 17): the login page imports no model-fitting, chart or PDF library. Once the
server is up (``lifespan``), one background thread imports the modules the other pages need and
opens the warehouse, so the first visitor after a restart does not pay for them. The server also
serves every read from one read-only DuckDB connection per data version
(``ui.data.start_serving``; memory ``SAMEN_DUCKDB_MEMORY_LIMIT``, threads
``SAMEN_DUCKDB_THREADS``), and a version it publishes (the upload page) carries its fitted models.

Served, the app watches no source files (``server.fileWatcherType = "none"``, set at start-up):
Streamlit's watcher makes every session, on its next run, drop the app's modules from the
process-wide ``sys.modules`` when any of them changes on disk (a deploy, or an edit in a shared
checkout). With several sessions that breaks the others' script runs in the middle of an import
(``KeyError`` on the module) and forgets the shared connection, so the next reader opens the
warehouse with another configuration and DuckDB refuses it: 16 simultaneous users saw error pages
instead of their review (bench/concurrent.py). ``streamlit run app.py`` still reloads on save.

After the warm-up the process's long-lived objects (every module, plotly's validators, the
statistics libraries: some 300,000 objects) are moved out of the garbage collector's sight
(``gc.freeze``). Streamlit collects all generations after every script run of every session,
holding the GIL; over those objects that took 150-220 ms of CPU per run (a loaded 2-core machine),
paid by every other session waiting for the GIL (bench/concurrent.py's profile).
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

import access.accounts  # noqa: F401 - the login page's modules, imported before the server starts (see warm_up)
import ui.auth
import ui.context
import ui.guard
import ui.navigation  # noqa: F401
from access.settings import problems, refusal
from ui.data import not_ready, open_warehouse, start_serving

WARM_PACKAGES = ("services", "texts", "ui", "reports")  # what the pages import, besides the login page
log = logging.getLogger(__name__)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """Pure ASGI middleware (WebSockets pass untouched): adds ``SECURITY_HEADERS`` to HTTP responses."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {bytes(name).lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def warm_up() -> None:
    """Import every module the pages use and open the warehouse, before the first visitor needs them.

    The login page's modules are imported above, before the server starts: a visitor's script run
    needing a module this thread is still importing would wait for its whole import (Python's
    per-module import lock), statsmodels and all."""
    for package in WARM_PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            try:
                importlib.import_module(module.name)
            except Exception:  # warming is an optimisation: the page itself will say what is wrong
                log.warning("warm-up could not import %s", module.name, exc_info=True)
    _first_figure()
    open_warehouse()
    keep_out_of_collections()


def keep_out_of_collections() -> None:
    """What is alive now lives as long as the process: later collections need not traverse it (see above)."""
    gc.collect()
    gc.freeze()


def _first_figure() -> None:
    """Plotly builds its validators on the first figure of a process (about half a second): here, not on a page."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(x=[0, 1], y=[0, 1])).add_bar(x=[0], y=[1]).add_heatmap(z=[[0]])
    figure.add_vline(x=0).add_hline(y=0).update_layout(title="warm-up").to_plotly_json()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    config.set_option("server.fileWatcherType", "none")  # before the first session: see the module's docstring
    start_serving()
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    yield


if found := problems():
    raise SystemExit(refusal(found))
if behind := not_ready():  # a page would fail on a mart or model table this code reads
    raise SystemExit(behind)

app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(SecurityHeaders)])
