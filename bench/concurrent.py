"""Sixteen people at once (issue 18): page times on a real ``streamlit run serve.py`` server.

python -m bench.concurrent [--db data/bench/startup/warehouse.duckdb] [--users 16] [--read 5] [--scale small]

Starts ``streamlit run serve.py`` on a free port (demo mode, an access configuration of its own
with one care-team account per centre and pathway, so every user is a distinct centre·pathway) and
lets ``--users`` people log in within four seconds of each other, each in their own Chromium
context (Playwright, Debian's Chromium, one browser), and open the review, then the comparison,
then samen beslissen (and ask it for a patient), reading each page for ``--read`` seconds. A page's
time runs from the click until its content shows (the review's first tile, the comparison's chart
or the notice that says why there is none, the samen-beslissen form and then its answer).
Median and p95 per page and over all pages go to ``bench/results/concurrent-<scale>.json``
beside the budget (p95 ≤ 2 s at medium, ≤ 4 s at large).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess  # nosec B404  # starts this project's own server
import sys
import time
from pathlib import Path

import duckdb

from bench.startup import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, stop, wait_for_health

RESULTS = ROOT / "bench" / "results"
BUDGET_P95_S = {"medium": 2.0, "large": 4.0}
PASSWORD = "bench-concurrent-2026"  # nosec B105  # a throwaway account of the benchmark's own access configuration
TIMEOUT_MS = 600_000
# Sixteen pages in one headless Chromium: pages in the background must not be throttled
BROWSER_ARGS = [*CHROMIUM_ARGS, "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]  # fmt: skip
PAGES = ("login", "review", "comparison", "decide", "decide_answer")


def centre_pathways(db: Path, users: int) -> list[tuple[str, str]]:
    """Distinct centre·pathway pairs, the largest first, spread over the centres."""
    with duckdb.connect(str(db.resolve()), read_only=True) as con:
        rows = con.execute(
            "select centre_code, pathway, count(*) as n from episodes group by all order by n desc, centre_code, pathway"
        ).fetchall()
    chosen, per_centre = [], {}
    for rank in range(len(rows)):  # round-robin over centres: the first pathway of each, then the second, ...
        for centre, pathway, _ in rows:
            if per_centre.get(centre, 0) == rank and (centre, pathway) not in chosen:
                chosen.append((centre, pathway))
                per_centre[centre] = rank + 1
                break
    return (chosen + [(c, p) for c, p, _ in rows if (c, p) not in chosen])[:users]


def access_config(folder: Path, pairs: list[tuple[str, str]]) -> Path:
    from access.accounts import add_user

    path = folder / "access.toml"
    path.unlink(missing_ok=True)
    for i, (centre, pathway) in enumerate(pairs):
        add_user(path, f"bench{i:02d}", PASSWORD, "care_team", f"Bench {centre} {pathway}", centre, [pathway])
    return path


def start_server(db: Path, config: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "SAMEN_LEREN_DEMO": "1", "WAREHOUSE_PATH": str(db), "ACCESS_CONFIG": str(config),
           "AUDIT_PATH": str(config.with_name("audit.jsonl"))}  # fmt: skip
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # nosec B603
    url = f"http://127.0.0.1:{port}"
    wait_for_health(url)
    return proc, url


async def _timed(click, done) -> float:
    start = time.perf_counter()
    await click()
    await done()
    return time.perf_counter() - start


ANSWERED = (
    "n => document.querySelectorAll('[data-testid=\"stAlertContainer\"], [data-testid=\"stMetric\"], .js-plotly-plot')"
    ".length > n"
)


async def one_user(browser, url: str, user: str, delay: float, read_s: float) -> dict:
    """One person's visit in a Chromium context of its own; seconds per page (or the first line of an error)."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    tab = await context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    nav = tab.locator('[data-testid="stSidebarNav"]')
    show = tab.get_by_role("button", name="Toon de uitkomsten")
    times: dict[str, object] = {}
    try:
        times["login"] = await _timed(lambda: tab.goto(url), lambda: tab.get_by_label("Gebruikersnaam").wait_for())
        await tab.get_by_label("Gebruikersnaam").fill(user)
        await tab.get_by_label("Wachtwoord").fill(PASSWORD)
        times["review"] = await _timed(
            lambda: tab.get_by_role("button", name="Inloggen", exact=True).click(),
            lambda: tab.locator('[data-testid="stMetric"]').first.wait_for(),
        )
        await asyncio.sleep(read_s)
        times["comparison"] = await _timed(
            lambda: nav.get_by_text("Vergelijken").click(),
            lambda: tab.locator('.js-plotly-plot, [data-testid="stAlertContentInfo"]').first.wait_for(),
        )
        await asyncio.sleep(read_s)
        times["decide"] = await _timed(lambda: nav.get_by_text("Samen beslissen").click(), lambda: show.wait_for())
        await asyncio.sleep(read_s)
        before = await tab.locator('[data-testid="stAlertContainer"], [data-testid="stMetric"], .js-plotly-plot').count()
        times["decide_answer"] = await _timed(lambda: show.click(), lambda: tab.wait_for_function(ANSWERED, arg=before))
    except Exception as err:  # noqa: BLE001 - one user's failure is reported, the others still count
        times["error"] = str(err).splitlines()[0]
    finally:
        await context.close()
    return times


async def all_users(url: str, users: list[str], read_s: float) -> dict[str, dict]:
    """Every user in one browser, each in a context of its own, logging in within four seconds of each other."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        visits = [one_user(browser, url, u, 4.0 * i / len(users), read_s) for i, u in enumerate(users)]
        found = await asyncio.gather(*visits)
        await browser.close()
    return dict(zip(users, found, strict=True))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(per_user: dict[str, dict]) -> dict[str, dict[str, float]]:
    found = {}
    for page in (*PAGES, "all_pages"):
        values = [t[p] for t in per_user.values() for p in (PAGES[1:] if page == "all_pages" else (page,)) if p in t]
        if values:
            found[page] = {"median": statistics.median(values), "p95": p95(values), "max": max(values), "n": len(values)}
    return found


def measure(db: Path, users: int, read_s: float, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    pairs = centre_pathways(db, users)
    proc, url = start_server(db, access_config(work, pairs))
    try:
        per_user = asyncio.run(all_users(url, [f"bench{i:02d}" for i in range(len(pairs))], read_s))
    finally:
        stop(proc)
    return {"users": [f"{c}·{p}" for c, p in pairs], "read_s": read_s, "per_user": per_user, "pages": summary(per_user)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrent")
    parser.add_argument("--db", default=str(ROOT / "data" / "bench" / "startup" / "warehouse.duckdb"))
    parser.add_argument("--scale", default="small", help="the warehouse's scale, for the result's name")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--read", type=float, default=5.0, help="seconds each user reads a page")
    parser.add_argument("--work", default=str(ROOT / "data" / "bench" / "concurrent"))
    args = parser.parse_args()
    result = measure(Path(args.db), args.users, args.read, Path(args.work))
    result |= {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "scale": args.scale,
               "budget_p95_s": BUDGET_P95_S.get(args.scale)}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"concurrent-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for page, s in result["pages"].items():
        print(f"{page:>14}: median {s['median']:.1f} s, p95 {s['p95']:.1f} s, max {s['max']:.1f} s (n={s['n']})")
    errors = {u: t["error"] for u, t in result["per_user"].items() if "error" in t}
    if errors:
        print(f"{len(errors)} users failed: {next(iter(errors.values()))}")


if __name__ == "__main__":
    main()
