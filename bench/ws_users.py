"""People as websocket clients (issue 18): Streamlit's own browser protocol against a running server, no browser.

``bench.concurrent --clients ws`` hands its users to ``all_users`` here. Each user does what a browser tab of
Streamlit 1.67 does on the wire, and nothing that a browser does on its own computer (parsing, layout,
plotly's drawing): so sixteen of them on this machine's two cores measure the server that sixteen people's
browsers would talk to.

- Opening the app: ``GET /`` (the page, and the ``_streamlit_xsrf`` cookie when the server sets one),
  ``/_stcore/health`` and ``/_stcore/host-config`` (the frontend's pings), then the websocket
  ``/_stcore/stream`` with the subprotocols ``streamlit`` and the XSRF token
  (``PLACEHOLDER_AUTH_TOKEN`` without one), the page's ``Origin`` and cookies, deflate offered, and on a
  reconnect the session's id as the third. The static files are not fetched: a returning browser has them
  (immutable, cached for a year), and a first visit's (9.3 MB over this walk, 85 files at the login and 47
  more at the review, plotly's among them) cost the server little (all 357 of Streamlit 1.67, 25 MB: 0.6 s
  of CPU) but a Python client more than that, on the same two cores; nor are the few ``/media/`` files the
  frontend asks for (the page icon, a CSV: under 1 kB each).
- A page: one ``BackMsg.rerun_script`` with the ``ClientState`` (the page's script hash from the last
  ``navigation`` message, the widget states of the action, the hashes of the messages it has cached), then
  ``ForwardMsg``s until ``script_finished`` (a run stopped for a rerun, ``st.rerun`` after the login,
  goes on to the next run). ``new_session`` starts the page anew (and gives the session's id and the cache's
  age limit), ``navigation`` the pages' script hashes, ``page_info_changed`` the query string sent with the
  next rerun; deltas build the page by their delta path; the rest (``session_status_changed``,
  ``page_config_changed``) changes nothing the server sees.
- The forward-message cache as the frontend keeps it: a message the server marks ``cacheable`` is kept, its
  hash is sent with every rerun, a ``ref_hash`` message is answered from it (with the reference's metadata),
  and after every finished run messages older than the session's ``max_cached_message_age`` runs go.
- The widgets: the login form's user name and password (``string_value``) and its submit button
  (``trigger_value``), found by their element protos (a text input, a password input, the form's submit
  button); samen beslissen's submit button, its form left as it is (the browser path fills in nothing).
  Widgets the user does not touch are not sent: the server keeps their last values (``SessionState``), as it
  does for a browser that sends them unchanged.

A page's time runs from the request (the ``GET /`` for the login page, the ``BackMsg`` for the others) until
its script has finished and its content has arrived: the login form; the review's first tile (a metric);
the comparison's chart or the notice that says why there is none; the samen-beslissen form's button, and
then its answer (more notices, figures and charts than before). A page with an exception element, or one
that finished without its content (a refused login), ends that user's visit with the error.

Checked against the browser driver (four users at small): each page brought a websocket client as many
frames as Chromium, and as many bytes to within 0.1 % (the login page one frame more in Chromium), except
where Chromium's page showed before the run's last frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.TextInput_pb2 import TextInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.concurrent import PASSWORD, TIMEOUT_MS, _say
from texts import t

STREAM = "/_stcore/stream"
XSRF_COOKIE = "_streamlit_xsrf"
NO_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # nosec B105  # not a secret: what the frontend sends when it has no XSRF cookie
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
ANSWER_KINDS = ("alert", "metric", "plotly_chart")  # what samen beslissen's answer adds (the browser driver's ANSWERED)
CONNECT_ATTEMPTS = 3
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


class PageFailed(RuntimeError):
    """A page showed an error, or finished without its content."""


@dataclass
class Page:
    """One finished script run as the browser would show it: its elements by delta path, and its frames."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    frames: list[tuple[float, int]] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Element]:
        return [e for _, e in sorted(self.elements.items()) if e.WhichOneof("type") in kinds]

    def exception(self) -> str | None:
        found = self.of_kind("exception")
        return f"{found[0].exception.type}: {found[0].exception.message}".strip() if found else None

    def says(self) -> str:
        """The page's notices, for an error message: what a person would read instead of the content."""
        return " / ".join(e.alert.body for e in self.of_kind("alert")) or "no notice"


class MessageCache:
    """The frontend's forward-message cache (``ForwardMessageCache`` in Streamlit's frontend)."""

    def __init__(self) -> None:
        self.messages: dict[str, tuple[bytes, int]] = {}  # hash -> (the message, the run it was last used in)
        self.runs = 0

    def resolve(self, msg: ForwardMsg, raw: bytes) -> ForwardMsg:
        """Keep a cacheable message (one kept already counts as used in this run); answer a reference from the
        cache."""
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash:
                self.messages[msg.hash] = (self.messages.get(msg.hash, (raw, 0))[0], self.runs)
            return msg
        if msg.ref_hash not in self.messages:
            raise PageFailed(f"cached message {msg.ref_hash} is not in the cache")
        cached_raw, _ = self.messages[msg.ref_hash]
        self.messages[msg.ref_hash] = (cached_raw, self.runs)
        cached = ForwardMsg.FromString(cached_raw)
        cached.metadata.CopyFrom(msg.metadata)
        return cached

    def finished_run(self, max_age: int) -> None:
        self.runs += 1
        self.messages = {h: (raw, run) for h, (raw, run) in self.messages.items() if self.runs - run <= max_age}

    def hashes(self) -> list[str]:
        return list(self.messages)


def _http_get(url: str, headers: dict[str, str]) -> dict[str, str]:
    """One GET, read to its end: the cookies it sets."""
    request = urllib.request.Request(url, headers=BROWSER_HEADERS | headers)  # nosec B310  # the benchmark's own server
    with urllib.request.urlopen(request, timeout=TIMEOUT_MS / 1000) as response:  # nosec B310
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    return {name: morsel.value for name, morsel in cookies.items()}


class Session:
    """One browser tab's conversation with the server: its websocket, session, page hashes and cache."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies: dict[str, str] = {}
        self.socket: websockets.ClientConnection | None = None
        self.sockets = 0  # websockets opened: more than one is a reconnect
        self.session_id = ""
        self.page_hash = ""  # the page shown, from the last navigation message
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.query = ""  # the address's query string, as the server last set it (page_info_changed)
        self.max_age = 2
        self.cache = MessageCache()

    async def load(self) -> None:
        """What a browser fetches before its websocket (its static files aside): the page, with its cookies, and
        the frontend's pings of the server."""
        for path in ("/", "/_stcore/health", "/_stcore/host-config"):
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            self.cookies |= await asyncio.to_thread(_http_get, self.url + path, {"Cookie": cookie} if cookie else {})

    async def connect(self) -> None:
        tokens = ["streamlit", self.cookies.get(XSRF_COOKIE, NO_TOKEN), *([self.session_id] if self.session_id else [])]
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.socket = await websockets.connect(
            "ws" + self.url.removeprefix("http") + STREAM, subprotocols=tokens, origin=self.url,
            additional_headers={"Cookie": cookie} if cookie else None, max_size=None,  # deflate offered (the default), as Chromium does
        )  # fmt: skip
        self.sockets += 1

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    def rerun_msg(self, page_hash: str, widgets: Iterable[WidgetState]) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = page_hash
        state.query_string = self.query
        state.widget_states.widgets.extend(widgets)
        state.cached_message_hashes.extend(self.cache.hashes())
        state.context_info.timezone = "Europe/Amsterdam"
        state.context_info.locale = "nl-NL"
        state.context_info.url = self.url + "/"
        return msg.SerializeToString()

    async def rerun(self, page_hash: str, widgets: Iterable[WidgetState] = ()) -> Page:
        """Send a rerun and read until its script has finished; a lost websocket is reopened (a reconnect) and the
        rerun sent again, as the frontend does."""
        sent = self.rerun_msg(page_hash, list(widgets))
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                if self.socket is None:
                    await self.connect()
                await self.socket.send(sent)
                return await self.read_run()
            except websockets.ConnectionClosed:
                self.socket = None
                if attempt == CONNECT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def read_run(self) -> Page:
        page, socket = Page(), self.socket
        if socket is None:
            raise websockets.ConnectionClosed(None, None)
        while True:
            raw = await socket.recv(decode=False)
            page.frames.append((time.perf_counter(), len(raw)))
            msg = self.cache.resolve(ForwardMsg.FromString(raw), raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                page.elements.clear()  # a new run (after a rerun, too) draws the page anew
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                page.elements[tuple(msg.metadata.delta_path)] = msg.delta.new_element
            elif kind == "script_finished" and msg.script_finished != EARLY_FOR_RERUN:
                self.cache.finished_run(self.max_age)
                return page


def _trigger(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def submit_button(page: Page, form_id: str | None = None, label: str | None = None) -> str:
    """The id of a form's submit button (of ``form_id``, or labelled ``label``)."""
    for element in page.of_kind("button"):
        button = element.button
        if button.is_form_submitter and form_id in (None, button.form_id) and label in (None, button.label):
            return button.id
    raise PageFailed(f"no submit button {label or form_id!r} on the page; it says: {page.says()}")


def login_widgets(page: Page, user: str, password: str) -> list[WidgetState]:
    """The login form filled in and submitted: its text input, its password input and its submit button."""
    inputs = {e.text_input.type: e.text_input for e in page.of_kind("text_input")}
    if TextInput.DEFAULT not in inputs or TextInput.PASSWORD not in inputs:
        raise PageFailed(f"no login form on the page; it says: {page.says()}")
    name, secret = inputs[TextInput.DEFAULT], inputs[TextInput.PASSWORD]
    return [WidgetState(id=name.id, string_value=user), WidgetState(id=secret.id, string_value=password),
            _trigger(submit_button(page, form_id=name.form_id))]  # fmt: skip


def has_login_form(page: Page) -> bool:
    return any(e.text_input.type == TextInput.PASSWORD for e in page.of_kind("text_input"))


def has_tile(page: Page) -> bool:
    return bool(page.of_kind("metric"))


def has_chart_or_notice(page: Page) -> bool:
    return bool(page.of_kind("plotly_chart")) or any(e.alert.format == Alert.INFO for e in page.of_kind("alert"))


def has_decide_form(page: Page) -> bool:
    return any(e.button.label == t("decide_show") for e in page.of_kind("button"))


class WsVisit:
    """One person's visit over a websocket: seconds per page, and the frames of each page (as ``Visit`` in
    ``bench.concurrent``: here the last frame is the page's end, there is no drawing after it)."""

    def __init__(self, url: str, user: str, password: str = PASSWORD) -> None:
        self.session = Session(url)
        self.user, self.password = user, password
        self.times: dict[str, object] = {}

    def _record(self, page_name: str, start: float, took: float, page: Page) -> None:
        self.times[page_name] = took
        if page.frames:
            first, last = (math.floor(1000 * (page.frames[i][0] - start)) / 1000 for i in (0, -1))  # never after ``took``
            self.times[f"{page_name}_frames"] = {"first_s": first, "last_s": last, "n": len(page.frames),
                                                 "bytes": sum(s for _, s in page.frames)}  # fmt: skip
        _say(self.user, f"{page_name} {took:.1f} s")

    async def timed(self, page_name: str, request: Callable, shown: Callable[[Page], bool]) -> Page:
        """Seconds from the request until its script has finished with ``shown`` content; an error raises."""
        start = time.perf_counter()
        async with asyncio.timeout(TIMEOUT_MS / 1000):
            page = await request()
        took = time.perf_counter() - start
        error = page.exception()
        if error:
            raise PageFailed(f"{page_name}: the page shows an error after {took:.1f} s: {error}")
        if not shown(page):
            raise PageFailed(f"{page_name}: the page finished without its content after {took:.1f} s; it says: {page.says()}")
        self._record(page_name, start, took, page)
        return page

    async def open_app(self) -> Page:
        await self.session.load()
        await self.session.connect()
        return await self.session.rerun("")

    async def walk(self, read_s: float) -> None:
        """Log in, the review, the comparison, samen beslissen and its answer, reading each page ``read_s`` seconds."""
        s = self.session
        login = await self.timed("login", self.open_app, has_login_form)
        filled = login_widgets(login, self.user, self.password)
        await self.timed("review", lambda: s.rerun(s.page_hash, filled), has_tile)
        await asyncio.sleep(read_s)
        await self.timed("comparison", lambda: s.rerun(self.page("comparison")), has_chart_or_notice)
        await asyncio.sleep(read_s)
        form = await self.timed("decide", lambda: s.rerun(self.page("patients_like_me")), has_decide_form)
        await asyncio.sleep(read_s)
        before = len(form.of_kind(*ANSWER_KINDS))
        show = [_trigger(submit_button(form, label=t("decide_show")))]
        await self.timed("decide_answer", lambda: s.rerun(s.page_hash, show), lambda p: len(p.of_kind(*ANSWER_KINDS)) > before)

    def page(self, url_path: str) -> str:
        """A page's script hash, from the navigation the server sent (the sidebar's links)."""
        if url_path not in self.session.pages:
            raise PageFailed(f"no page {url_path!r} in the navigation: {sorted(self.session.pages)}")
        return self.session.pages[url_path]


async def one_user(url: str, user: str, delay: float, read_s: float, password: str = PASSWORD) -> dict:
    """One person's visit: seconds per page (or the first line of an error), and the websockets it opened."""
    await asyncio.sleep(delay)
    visit = WsVisit(url, user, password)
    try:
        await visit.walk(read_s)
    except Exception as err:  # noqa: BLE001 - one user's failure is reported, the others still count
        visit.times["error"] = (str(err) or type(err).__name__).splitlines()[0]
        _say(user, f"failed: {visit.times['error']}")
    finally:
        visit.times["websockets"] = visit.session.sockets
        with contextlib.suppress(Exception):
            await visit.session.close()
    return visit.times


async def all_users(url: str, users: list[str], read_s: float) -> dict[str, dict]:
    """Every user on a websocket of its own, logging in within four seconds of each other."""
    visits = [one_user(url, u, 4.0 * i / len(users), read_s) for i, u in enumerate(users)]
    return dict(zip(users, await asyncio.gather(*visits), strict=True))
