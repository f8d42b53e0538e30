"""Sixteen people at once (issue 18): page times on a real ``streamlit run serve.py`` server.

python -m bench.concurrent [--db data/bench/startup/warehouse.duckdb] [--users 16] [--read 5] [--scale small]
                          [--settle 300] [--profile] [--commit HEAD] [--rebuild] [--clients ws|browser]

Starts ``streamlit run serve.py`` of a commit (``--commit``, default HEAD: a ``git archive`` of it
in the work folder, so files others are editing in the checkout do not take part; ``--commit ''``
serves the checkout itself; ``--rebuild``: on a copy of ``--db`` in the work folder, rebuilt with that
commit's marts and models by ``python -m warehouse rebuild``) on a free port (demo mode, an access configuration of its own
with one care-team account per centre and pathway, so every user is a distinct centre·pathway),
waits until it has warmed up (idle, at most ``--settle`` seconds; its first visitor's wait is
``bench.startup``'s), and
lets ``--users`` people log in within four seconds of each other, each as a websocket client of its own
(``--clients ws``, the default: ``bench/ws_users.py``) or in their own Chromium
context (``--clients browser``: Playwright, Debian's Chromium, one browser), and open the review, then the comparison,
then samen beslissen (and ask it for a patient), reading each page for ``--read`` seconds. A page's
time runs from the click until its content shows (the review's first tile, the comparison's chart
or the notice that says why there is none, the samen-beslissen form and then its answer); a page
that shows an error instead ends that user's visit with the error, at once. Each page's time is
split at the last websocket frame that arrived before the page showed: until then the browser
waited for the server (``*_server_s``), after it for itself (``median_browser_s``: parsing and
drawing, plotly's above all). The browser runs at a lower CPU priority (``nice`` 10) than the
server: sixteen people's browsers would run on sixteen computers, not on the server's two cores.

Websocket clients (``--clients ws``) measure the server's part only: each speaks Streamlit's browser
protocol (``BackMsg`` out, ``ForwardMsg`` in, the frontend's message cache), and a page ends when its script
has finished with the same content among its elements (the tile, chart or notice, form, answer); nothing is
drawn, so ``median_browser_s`` is about 0. The clients run in this process, on the server's cores: their
CPU seconds are ``clients_cpu_s``, beside ``server_cpu_s`` (four users at small: 0.2 s against 4.4 s).
The result names its ``clients``.

Besides the page times (median and p95 per page and over all pages, beside the budget: p95 ≤ 2 s
at medium, ≤ 4 s at large), ``bench/results/concurrent-<scale>.json`` records what tells a slow
server from a broken one: per user the websockets its page opened (more than one is a reconnect)
and its logins in the audit trail, the tracebacks in the server's log, the machine's load average
during the run (others share it), and with ``--profile`` where the server's time went
(``py-spy record`` of the streamlit process for the whole run: the functions seen most, in the
app's own code and overall).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess  # nosec B404  # starts this project's own server and py-spy
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from bench.startup import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, stop, wait_for_health

RESULTS = ROOT / "bench" / "results"
BUDGET_P95_S = {"medium": 2.0, "large": 4.0}
PASSWORD = "bench-concurrent-2026"  # nosec B105  # a throwaway account of the benchmark's own access configuration
TIMEOUT_MS = int(os.environ.get("BENCH_TIMEOUT_MS", "600000"))
# Sixteen pages in one headless Chromium: pages in the background must not be throttled
BROWSER_ARGS = [*CHROMIUM_ARGS, "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]  # fmt: skip
# Sixteen people's browsers would run on sixteen computers; here they share the server's two cores. At a
# lower priority they get what the server leaves, so the server's part of a page is not the browsers' doing.
BROWSER_NICENESS = 10
KEPT_PRIORITY: list[int] = []  # the servers (and py-spy) this process started: never reniced
PAGES = ("login", "review", "comparison", "decide", "decide_answer")
FAILED = '[data-testid="stException"]'  # what a page shows instead of its content when its script fails
PY_SPY = Path(sys.executable).with_name("py-spy")


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


def snapshot(commit: str, work: Path) -> Path:
    """The committed files of ``commit`` in ``work/src`` (its sources only: the server runs them with this virtualenv)."""
    if not commit:
        return ROOT
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", commit], cwd=ROOT, stdout=archive, check=True)  # nosec B603 B607
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(src, filter="data")
    return src


def rebuilt(db: Path, work: Path, src: Path) -> Path:
    """A copy of the published version of ``db`` in ``work/warehouse``, its marts and models rebuilt by ``src``'s code."""
    folder = work / "warehouse"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy = folder / "warehouse.duckdb"
    shutil.copyfile(db.resolve(), copy)
    env = {**os.environ, "SAMEN_LEREN_DEMO": "1", "AUDIT_PATH": str(folder / "audit.jsonl")}
    cmd = [sys.executable, "-m", "warehouse", "rebuild", "--db", str(copy)]
    subprocess.run(cmd, cwd=src, env=env, check=True, stdout=subprocess.DEVNULL)  # nosec B603
    return copy


def start_server(db: Path, config: Path, src: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run serve.py`` as ``make run`` starts it (bytecode written, as an installed server has it)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"SAMEN_LEREN_DEMO": "1", "WAREHOUSE_PATH": str(db), "ACCESS_CONFIG": str(config),
            "AUDIT_PATH": str(config.with_name("audit.jsonl"))}  # fmt: skip
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    log = config.with_name("server.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=src, env=env, stdout=log, stderr=subprocess.STDOUT)  # nosec B603
    KEPT_PRIORITY.append(proc.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
    except TimeoutError:
        proc.kill()
        raise
    return proc, url


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, at_most_s: float, quiet_cpu_s: float = 0.05, every_s: float = 2.0) -> float:
    """Wait until the started server has warmed up: ``every_s`` seconds in which it used under ``quiet_cpu_s``
    of CPU (its warm-up thread imports and opens for a while; on a busy machine for longer). Seconds waited."""
    start = time.monotonic()
    used = cpu_seconds(pid)
    while time.monotonic() - start < at_most_s:
        time.sleep(every_s)
        used, before = cpu_seconds(pid), used
        if used - before < quiet_cpu_s:
            break
    return time.monotonic() - start


def _say(user: str, what: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {user} {what}", file=sys.stderr, flush=True)


ANSWERED = (
    'n => document.querySelectorAll(\'[data-testid="stAlertContainer"], [data-testid="stMetric"], .js-plotly-plot,'
    ' [data-testid="stException"]\').length > n'
)


class Visit:
    """One person's visit: seconds per page, and when the server's websocket frames arrived during each page.

    A page's ``<page>_frames`` say how long after the click the first and the last frame before the page
    showed arrived (``first_s``, ``last_s``), and how many: a page that shows long after its last frame
    waited for the browser, one that shows right after it waited for the server."""

    def __init__(self, tab, user: str) -> None:
        self.tab, self.user = tab, user
        self.times: dict[str, object] = {}
        self.sockets = 0
        self.frames: list[tuple[float, int]] = []
        tab.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        self.sockets += 1
        ws.on("framereceived", lambda payload: self.frames.append((time.perf_counter(), len(payload))))

    def _record(self, page: str, start: float, took: float) -> None:
        during = [(t - start, size) for t, size in self.frames if start <= t <= start + took]
        self.times[page] = took
        if during:
            self.times[f"{page}_frames"] = {"first_s": round(during[0][0], 3), "last_s": round(during[-1][0], 3),
                                            "n": len(during), "bytes": sum(size for _, size in during)}  # fmt: skip
        _say(self.user, f"{page} {took:.1f} s")

    async def timed(self, page: str, click, shown) -> None:
        """Seconds from the click until ``shown`` (a locator) shows; a page that shows an error instead raises."""
        start = time.perf_counter()
        await click()
        await shown.or_(self.tab.locator(FAILED)).first.wait_for()
        took = time.perf_counter() - start
        if await self.tab.locator(FAILED).count():
            raise RuntimeError(f"{page}: the page shows an error after {took:.1f} s")
        self._record(page, start, took)

    async def answered(self, page: str, click) -> None:
        """Seconds from the click until one more chart, figure or notice shows than before it."""
        before = await self.tab.locator('[data-testid="stAlertContainer"], [data-testid="stMetric"], .js-plotly-plot').count()
        start = time.perf_counter()
        await click()
        await self.tab.wait_for_function(ANSWERED, arg=before)
        took = time.perf_counter() - start
        if await self.tab.locator(FAILED).count():
            raise RuntimeError(f"{page}: the page shows an error after {took:.1f} s")
        self._record(page, start, took)

    async def walk(self, url: str, read_s: float) -> None:
        """Log in, the review, the comparison, samen beslissen and its answer, reading each page ``read_s`` seconds."""
        tab = self.tab
        nav = tab.locator('[data-testid="stSidebarNav"]')
        show = tab.get_by_role("button", name="Toon de uitkomsten")
        await self.timed("login", lambda: tab.goto(url), tab.get_by_label("Gebruikersnaam"))
        await tab.get_by_label("Gebruikersnaam").fill(self.user)
        await tab.get_by_label("Wachtwoord").fill(PASSWORD)
        login = tab.get_by_role("button", name="Inloggen", exact=True)
        await self.timed("review", login.click, tab.locator('[data-testid="stMetric"]'))
        await asyncio.sleep(read_s)
        chart = tab.locator('.js-plotly-plot, [data-testid="stAlertContentInfo"]')
        await self.timed("comparison", nav.get_by_text("Vergelijken").click, chart)
        await asyncio.sleep(read_s)
        await self.timed("decide", nav.get_by_text("Samen beslissen").click, show)
        await asyncio.sleep(read_s)
        await self.answered("decide_answer", show.click)


async def one_user(browser, url: str, user: str, delay: float, read_s: float) -> dict:
    """One person's visit in a Chromium context of its own: seconds per page (or the first line of an error),
    and how many websockets the page opened (a second one is a reconnect)."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    tab = await context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    visit = Visit(tab, user)
    try:
        await visit.walk(url, read_s)
    except Exception as err:  # noqa: BLE001 - one user's failure is reported, the others still count
        visit.times["error"] = str(err).splitlines()[0]
        _say(user, f"failed: {visit.times['error']}")
    finally:
        visit.times["websockets"] = visit.sockets
        await context.close()
    return visit.times


def visit_all(clients: str, url: str, users: list[str], read_s: float) -> dict[str, dict]:
    """Every user's visit, by websocket clients (``bench.ws_users``) or in Chromium (``all_users``)."""
    if clients == "ws":
        from bench import ws_users

        return asyncio.run(ws_users.all_users(url, users, read_s))
    return asyncio.run(all_users(url, users, read_s))


async def all_users(url: str, users: list[str], read_s: float) -> dict[str, dict]:
    """Every user in one browser, each in a context of its own, logging in within four seconds of each other."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        renicing = asyncio.create_task(keep_reniced())
        visits = [one_user(browser, url, u, 4.0 * i / len(users), read_s) for i, u in enumerate(users)]
        found = await asyncio.gather(*visits)
        renicing.cancel()
        await browser.close()
    return dict(zip(users, found, strict=True))


def renice_children(niceness: int) -> None:
    """Lower the CPU priority of every process this one started (Playwright's driver and the Chromium it launched,
    whose later renderers inherit it); the server, started before, is left as it is (see ``measure``)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text(encoding="ascii").rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue  # gone meanwhile
    ours, found = {os.getpid()}, True
    while found:
        found = {pid for pid, parent in parents.items() if parent in ours and pid not in ours}
        ours |= found
    for pid in ours - {os.getpid()} - set(KEPT_PRIORITY):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)


async def keep_reniced(every_s: float = 1.0) -> None:
    """Chromium (running as root) sets its own processes' priorities (its GPU process to -8, a new renderer to 0):
    lower them again every ``every_s`` seconds while the users visit."""
    while True:
        await asyncio.to_thread(renice_children, BROWSER_NICENESS)
        await asyncio.sleep(every_s)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(per_user: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Per page (and over the pages after the login): median, p95, max and count of its times; beside them the
    median wait for the server's last frame before the page showed, and for the browser after it."""
    found = {}
    for page in (*PAGES, "all_pages"):
        pages = PAGES[1:] if page == "all_pages" else (page,)
        values = [t[p] for t in per_user.values() for p in pages if p in t]
        if not values:
            continue
        found[page] = {"median": statistics.median(values), "p95": p95(values), "max": max(values), "n": len(values)}
        frames = [(t[f"{p}_frames"]["last_s"], t[p]) for t in per_user.values() for p in pages if f"{p}_frames" in t]
        if frames:
            server = [last for last, _ in frames]
            found[page] |= {"median_server_s": statistics.median(server), "p95_server_s": p95(server),
                            "median_browser_s": statistics.median(took - last for last, took in frames)}  # fmt: skip
    return found


class LoadAverage:
    """The machine's one-minute load average, sampled every ``every`` seconds while the users visit."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadAverage:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        s = self.samples or [os.getloadavg()[0]]
        return {"min": min(s), "median": statistics.median(s), "max": max(s), "cores": os.cpu_count() or 0}


def logins(audit: Path) -> dict[str, int]:
    """Logins per user in the server's audit trail: one each, unless sessions were lost and people logged in again."""
    counted: collections.Counter[str] = collections.Counter()
    if audit.exists():
        for line in audit.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("action") == "login":
                counted[row["user"]] += 1
    return dict(sorted(counted.items()))


def server_errors(log: Path) -> dict[str, int]:
    """The exceptions in the server's log (Streamlit prints a traceback per failed script run), by their last line."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(encoding="utf-8", errors="replace"))
    found = re.findall(r"^(\w+(?:Error|Exception): ?.{0,100})", plain, re.M)
    return dict(collections.Counter(line.strip() for line in found).most_common())


def _frame(raw: str, roots: tuple[str, ...]) -> str:
    """``function (path:line)`` as ``function (path relative to the checkout)``: a function, not a line."""
    found = re.match(r"(.*) \((.*?)(?::\d+)?\)$", raw)
    if not found:
        return raw
    path = found.group(2)
    for prefix in roots:
        path = path.removeprefix(prefix)
    return f"{found.group(1)} ({path})"


# Leaves where py-spy's --nonblocking sampling still sees a waiting thread as busy (a sleep, a select, a lock)
WAITING = ("PollingPathWatcher._schedule.<locals>.task", "EpollSelector.select", "Condition.wait", "_worker (concurrent/")


def top_frames(raw: Path, src: Path, n: int = 15) -> dict[str, object]:
    """Where the sampled server threads were, waits left out: the share of samples per function, inclusive and self.

    ``self`` is the innermost Python frame: native code (DuckDB, polars, numpy, the garbage collector) counts
    for the function that called it; ``gc.collect`` after each script run shows as ``_on_script_finished``."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = waiting = 0
    roots = (f"{Path(sys.executable).parent.parent}/lib/python3.11/site-packages/", f"{src}/")
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(f, roots) for f in stack.split(";")[1:]]  # the first entry names the thread
        if not frames or frames[-1].startswith(WAITING):
            waiting += int(count)
            continue
        total += int(count)
        own[frames[-1] if frames else "?"] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    app = [(f, c) for f, c in inclusive.most_common() if _is_app(f)][:n]
    return (
        {
            "samples": total,
            "waiting_samples_left_out": waiting,
            "app_code_inclusive": {f: round(c / total, 3) for f, c in app},
            "inclusive": {f: round(c / total, 3) for f, c in inclusive.most_common(n)},
            "self": {f: round(c / total, 3) for f, c in own.most_common(n)},
        }
        if total
        else {"samples": 0}
    )


def _is_app(frame: str) -> bool:
    """Whether a frame is this project's code (py-spy names files relative to the import path they came from)."""
    path = frame.rsplit("(", 1)[-1].rstrip(")")
    ours = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    return path.split("/")[0] in ours or path in {"app.py", "serve.py"} or (ROOT / "pages" / path).exists()


def start_profile(pid: int, out: Path) -> subprocess.Popen | None:
    if not PY_SPY.exists():
        return None
    cmd = [str(PY_SPY), "record", "--pid", str(pid), "--format", "raw", "--rate", "50", "--nonblocking", "-o", str(out)]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # nosec B603
    KEPT_PRIORITY.append(spy.pid)
    return spy


def stop_profile(proc: subprocess.Popen | None, out: Path, src: Path) -> dict[str, object] | None:
    if proc is None:
        return None
    proc.send_signal(signal.SIGINT)  # py-spy writes its samples when interrupted
    proc.wait(timeout=60)
    return top_frames(out, src) if out.exists() else None


def measure(db: Path, users: int, read_s: float, work: Path, settle_s: float, profile: bool, commit: str, rebuild: bool,
            alone: bool = False, clients: str = "browser") -> dict:  # fmt: skip
    work.mkdir(parents=True, exist_ok=True)
    pairs = centre_pathways(db, users)
    for old in ("audit.jsonl", "audit.jsonl.anchor", "profile.txt"):
        (work / old).unlink(missing_ok=True)
    src = snapshot(commit, work)
    served_db = rebuilt(db, work, src) if rebuild else db
    config = access_config(work, pairs)
    proc, url = start_server(served_db.absolute(), config, src)
    found: dict[str, object] = {}
    try:
        settled = wait_until_idle(proc.pid, settle_s)
        spy = start_profile(proc.pid, work / "profile.txt") if profile else None
        if clients == "ws":
            import bench.ws_users  # noqa: F401 - imported before the visits: its import is not the clients' CPU
        cpu_before, clients_before = cpu_seconds(proc.pid), time.process_time()
        with LoadAverage() as load:
            per_user = visit_all(clients, url, [f"bench{i:02d}" for i in range(len(pairs))], read_s)
        found["server_cpu_s"] = round(cpu_seconds(proc.pid) - cpu_before, 1)
        if clients == "ws":  # the clients run in this process (a browser's work is in Chromium's processes)
            found["clients_cpu_s"] = round(time.process_time() - clients_before, 1)
        found["server_profile"] = stop_profile(spy, work / "profile.txt", src)
    finally:
        stop(proc)
    pages = summary(per_user)
    if alone:
        found["alone"] = one_alone(served_db, config, src, settle_s, read_s, clients)
        found["alone_p95_s"] = found["alone"].get("all_pages", {}).get("p95")
    served = subprocess.run(["git", "rev-parse", commit or "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout  # nosec B603 B607
    return {"commit": served.strip() + ("" if commit else " + the checkout's uncommitted files"), "clients": clients,
            "warehouse": str(db) + (" (a copy rebuilt by the commit)" if rebuild else ""), "users": len(pairs),
            "centre_pathways": [f"{c}·{p}" for c, p in pairs], "read_s": read_s, "settled_s": round(settled, 1),
            "p95_s": pages.get("all_pages", {}).get("p95"), "median_s": pages.get("all_pages", {}).get("median"),
            "server_p95_s": pages.get("all_pages", {}).get("p95_server_s"), "pages": pages, "per_user": per_user,
            "failed_users": sum("error" in t for t in per_user.values()),
            "reconnects": sum(max(0, t["websockets"] - 1) for t in per_user.values()),
            "logins_per_user": logins(work / "audit.jsonl"), "server_errors": server_errors(work / "server.log"),
            "load_average": load.summary(), **({k: v for k, v in found.items() if v})}  # fmt: skip


def one_alone(db: Path, config: Path, src: Path, settle_s: float, read_s: float, clients: str = "browser") -> dict:
    """The same visit by the first user alone, on a server of its own (the ratio's floor): its page summary."""
    proc, url = start_server(db.absolute(), config, src)
    try:
        wait_until_idle(proc.pid, settle_s)
        return summary(visit_all(clients, url, ["bench00"], read_s))
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrent")
    parser.add_argument("--db", default=str(ROOT / "data" / "bench" / "startup" / "warehouse.duckdb"))
    parser.add_argument("--scale", default="small", help="the warehouse's scale, for the result's name")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--read", type=float, default=5.0, help="seconds each user reads a page")
    parser.add_argument("--settle", type=float, default=300.0, help="at most this long, wait for the started server to idle")
    parser.add_argument("--profile", action="store_true", help="py-spy record the server during the visits")
    parser.add_argument("--commit", default="HEAD", help="the commit to serve ('' for the checkout as it is)")
    parser.add_argument("--rebuild", action="store_true", help="serve a copy of --db rebuilt by the commit's code")
    parser.add_argument("--work", default=str(ROOT / "data" / "bench" / "concurrent"))
    parser.add_argument("--alone", action="store_true", help="then the first user alone on a server of its own")
    parser.add_argument("--clients", choices=("ws", "browser"), default="ws",
                        help="websocket clients (the server's part of a page) or Chromium contexts (with drawing)")  # fmt: skip
    parser.add_argument("--note", default="", help="a sentence kept with the result (what else ran on the machine)")
    parser.add_argument("--out", default=None, help="result file (default bench/results/concurrent-<scale>.json)")
    args = parser.parse_args()
    # absolute: the server runs in the snapshot's folder, where a relative access configuration is not found
    result = measure(Path(args.db).absolute(), args.users, args.read, Path(args.work).absolute(), args.settle, args.profile, args.commit,
                     args.rebuild, args.alone, args.clients)  # fmt: skip
    result |= {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "scale": args.scale,
               "budget_p95_s": BUDGET_P95_S.get(args.scale)} | ({"note": args.note} if args.note else {})  # fmt: skip
    out = Path(args.out) if args.out else RESULTS / f"concurrent-{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for page, s in result["pages"].items():
        print(f"{page:>14}: median {s['median']:.1f} s, p95 {s['p95']:.1f} s, max {s['max']:.1f} s (n={s['n']})")
    print(f"failed users {result['failed_users']}, reconnects {result['reconnects']}, "
          f"server errors {sum(result['server_errors'].values())}, load average {result['load_average']}")  # fmt: skip


if __name__ == "__main__":
    main()
