"""One websocket client speaking Streamlit's browser protocol walks the demo on a real ``streamlit run`` server
(bench/ws_users.py, issue 18): login, review, comparison, samen beslissen and its answer, each page timed; a
wrong password ends the visit with the login page's refusal instead of hanging."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.concurrent import PAGES, logins, summary
from bench.ws_users import one_user
from tests.test_browser import served
from texts import t

pytestmark = pytest.mark.browser  # a real server of its own, as the browser tests: left out of `make test-fast`

USER, PASSWORD = "zorgteam.umcu", "demo-zorgteam-umcu"  # the demo's care team (config/demo_access.toml)


@pytest.fixture(scope="module")
def server(demo_warehouse: Path) -> Iterator[str]:
    with served(demo_warehouse) as url:
        yield url


def visit(url: str, password: str = PASSWORD) -> dict:
    return asyncio.run(asyncio.wait_for(one_user(url, USER, 0.0, 0.0, password), timeout=60))


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


def test_a_wrong_password_ends_the_visit_with_the_login_pages_refusal(server: str) -> None:
    times = visit(server, password="not-the-password")
    assert times["error"].startswith("review: the page finished without its content"), times
    assert t("login_failed") in times["error"]
    assert "review" not in times and times["login"] > 0
