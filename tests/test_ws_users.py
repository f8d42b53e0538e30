"""One websocket client speaking Streamlit's browser protocol walks the demo on a real ``streamlit run`` server
(bench/ws_users.py, issue 18): login, review, comparison, samen beslissen and its answer, each page timed; a
wrong password ends the visit with the login page's refusal instead of hanging. Without a server: a page
with an exception ends the visit, and the forward-message cache answers references as the frontend's does."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.concurrent import PAGES, logins, summary
from bench.ws_users import MessageCache, Page, PageFailed, WsVisit, has_tile, one_user
from texts import t

# the tests with a real server of their own are marked as the browser tests are: left out of `make test-fast`

USER, PASSWORD = "zorgteam.umcu", "demo-zorgteam-umcu"  # the demo's care team (config/demo_access.toml)


@pytest.fixture(scope="module")
def server(demo_warehouse: Path) -> Iterator[str]:
    from tests.test_browser import served  # the browser tests' server start (it skips without Playwright)

    with served(demo_warehouse) as url:
        yield url


def visit(url: str, password: str = PASSWORD) -> dict:
    return asyncio.run(asyncio.wait_for(one_user(url, USER, 0.0, 0.0, password), timeout=60))


@pytest.mark.browser
def test_one_ws_user_walks_every_page_and_its_login_is_audited(server: str, demo_warehouse: Path) -> None:
    audit = demo_warehouse.with_name("audit.jsonl")
    before = logins(audit).get(USER, 0)
    times = visit(server)
    assert "error" not in times, times["error"]
    assert all(isinstance(times[page], float) and 0 < times[page] < 60 for page in PAGES), times
    assert times["websockets"] == 1  # no reconnect
    # each page's frames arrived within its time: the last one ends the page (nothing is drawn after it)
    assert all(0 < times[f"{page}_frames"]["last_s"] <= times[page] + 0.01 for page in PAGES), times
    assert summary({USER: times})["all_pages"]["n"] == len(PAGES) - 1
    assert logins(audit).get(USER, 0) == before + 1


@pytest.mark.browser
def test_a_wrong_password_ends_the_visit_with_the_login_pages_refusal(server: str) -> None:
    times = visit(server, password="not-the-password")
    assert times["error"].startswith("review: the page finished without its content"), times
    assert t("login_failed") in times["error"]
    assert "review" not in times and times["login"] > 0


def _page(*elements: Element) -> Page:
    return Page({(0, i): e for i, e in enumerate(elements)}, [(0.0, 10)])


def test_a_page_with_an_exception_ends_the_visit_with_its_error() -> None:
    failed = Element()
    failed.exception.type, failed.exception.message = "KeyError", "'pathway'"
    tile = Element()
    tile.metric.label = "n"

    async def request() -> Page:
        return _page(tile, failed)

    visit = WsVisit("http://127.0.0.1:1", "someone")
    with pytest.raises(PageFailed, match=r"review: the page shows an error .*KeyError: 'pathway'"):
        asyncio.run(visit.timed("review", request, has_tile))
    assert "review" not in visit.times


def _delta(hash_: str, cacheable: bool, path: list[int]) -> ForwardMsg:
    msg = ForwardMsg(hash=hash_)
    msg.delta.new_element.markdown.body = "a large chart"
    msg.metadata.cacheable = cacheable
    msg.metadata.delta_path.extend(path)
    return msg


def test_the_message_cache_answers_references_and_forgets_after_max_age_runs() -> None:
    cache = MessageCache()
    big = _delta("h1", True, [0, 3])
    cache.resolve(big, big.SerializeToString())
    small = _delta("h2", False, [0, 4])
    cache.resolve(small, small.SerializeToString())
    assert cache.hashes() == ["h1"]  # only what the server marked cacheable, sent with the next rerun
    ref = ForwardMsg(ref_hash="h1")
    ref.metadata.delta_path.extend([0, 7])
    found = cache.resolve(ref, ref.SerializeToString())
    assert found.delta.new_element.markdown.body == "a large chart"
    assert list(found.metadata.delta_path) == [0, 7]  # where the reference puts it, not where it first was
    cache.finished_run(max_age=2)  # used in run 0: kept while it is at most two runs old
    cache.finished_run(max_age=2)
    assert cache.hashes() == ["h1"]
    cache.resolve(big, big.SerializeToString())  # sent again in full in run 2: used then
    cache.finished_run(max_age=2)
    cache.finished_run(max_age=2)
    assert cache.hashes() == ["h1"]
    cache.finished_run(max_age=2)  # three runs old
    assert cache.hashes() == []
    with pytest.raises(PageFailed, match="not in the cache"):
        cache.resolve(ref, ref.SerializeToString())
