"""Start fast (issue 17): what the first visitor of a freshly started server waits for.

python -m bench.startup [--runs 3] [--work data/bench/startup] [--reuse]

Builds the demo warehouse as ``make run`` does (``python -m cli demo``, timed: the README states
this time), then per bytecode mode (``PYTHONDONTWRITEBYTECODE`` unset, and set as in many
containers) starts ``streamlit run serve.py`` on a free port ``--runs`` times and, with Debian's
Chromium through Playwright, measures from the moment the server answers its health check:

- ``login_s``: opening the app until the login form shows;
- ``review_s``: logging in as the demo centre lead until the review's first tile shows.

Medians of the runs, beside the budgets (login ≤ 3 s, first review ≤ 4 s), go to
``bench/results/startup.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess  # nosec B404  # starts this project's own server and command line
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
BUDGET = {"login_s": 3.0, "review_s": 4.0}
LEAD = ("centrumleider.umcg", "demo-centrumleider-umcg")
TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:  # nosec B310  # local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not start within {seconds:.0f} s")


def build_demo(db: Path, reuse: bool) -> float | None:
    """``python -m cli demo`` as ``make run`` does it; its wall time in seconds (None when reused)."""
    if reuse and db.exists():
        return None
    db.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAMEN_LEREN_DEMO": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli", "demo", "--db", str(db)], cwd=ROOT, env=env, check=True)  # nosec B603
    return time.perf_counter() - start


def server_env(db: Path, no_bytecode: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return {**env, "SAMEN_LEREN_DEMO": "1", "WAREHOUSE_PATH": str(db), "AUDIT_PATH": str(db.with_name("audit.jsonl"))}


def start_server(db: Path, no_bytecode: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(db, no_bytecode), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # nosec B603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
    except TimeoutError:
        proc.kill()
        raise
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    """Stop the server; one still busy with sessions after 30 s is killed."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def first_visit(browser, url: str) -> dict[str, float]:
    """Seconds to the login form, then from logging in as the centre lead to the review's first tile."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    start = time.perf_counter()
    tab.goto(url)
    tab.get_by_label("Gebruikersnaam").wait_for()
    login = time.perf_counter() - start
    tab.get_by_label("Gebruikersnaam").fill(LEAD[0])
    tab.get_by_label("Wachtwoord").fill(LEAD[1])
    start = time.perf_counter()
    tab.get_by_role("button", name="Inloggen", exact=True).click()
    tab.locator('[data-testid="stMetric"]').first.wait_for()
    review = time.perf_counter() - start
    context.close()
    return {"login_s": login, "review_s": review}


def measure(db: Path, runs: int) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    found: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for mode, no_bytecode in (("bytecode_written", False), ("no_bytecode", True)):
            visits = []
            for _ in range(runs):
                proc, url = start_server(db, no_bytecode)
                try:
                    visits.append(first_visit(browser, url))
                finally:
                    stop(proc)
            found[mode] = {k: {"median": statistics.median(v[k] for v in visits), "runs": [v[k] for v in visits]}
                           for k in BUDGET}  # fmt: skip
        browser.close()
    return found


def report_lines(result: dict) -> list[str]:
    lines = ["| first visitor, fresh server | bytecode written | PYTHONDONTWRITEBYTECODE=1 | budget |", "|---|---|---|---|"]
    for key, name in (("login_s", "login page"), ("review_s", "first review (after logging in)")):
        a, b = (result["modes"][m][key]["median"] for m in ("bytecode_written", "no_bytecode"))
        lines.append(f"| {name} | {a:.1f} s | {b:.1f} s | ≤ {BUDGET[key]:.0f} s |")
    if result.get("demo_build_s") is not None:
        lines.append(f"\n`python -m cli demo` (the demo warehouse of `make run`): {result['demo_build_s']:.0f} s")
    return lines


def run(runs: int = 3, work: Path = ROOT / "data" / "bench" / "startup", reuse: bool = False) -> dict:
    """Measure, keep the result in ``bench/results/startup.json`` and print its table (``make bench`` calls this)."""
    db = work / "warehouse.duckdb"
    built = build_demo(db, reuse)
    result = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "demo_build_s": built,
              "modes": measure(db, runs), "budget": BUDGET}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("\n".join(report_lines(result)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default=str(ROOT / "data" / "bench" / "startup"))
    parser.add_argument("--reuse", action="store_true", help="keep a demo warehouse built by an earlier run")
    args = parser.parse_args()
    run(args.runs, Path(args.work), args.reuse)


if __name__ == "__main__":
    main()
