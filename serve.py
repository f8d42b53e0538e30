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
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from starlette.middleware import Middleware

from access.settings import problems, refusal

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


if found := problems():
    raise SystemExit(refusal(found))

app = st.App("app.py", middleware=[Middleware(SecurityHeaders)])
