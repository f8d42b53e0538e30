"""Every page as the viewer who uses it, run with AppTest: cold (a new process) and warm (cached).

``python -m bench.pages --db PATH --runs 5`` prints one JSON line per page with the warm
times (re-runs in the same session, caches filled) and, last, the peak memory of this
process after it also rendered every page of every role (``EVERY_ROLE``). A cold time is the
first full script run in a fresh process, so the bench runs this module once per cold sample
(``--cold``). The process reads as the server does (``ui.data.start_serving``: one shared
read-only connection per data version, the models read from the version).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

from access.roles import PAGES, Role, Viewer
from data_models.demo_block import CategoricalDemo, NumericDemo, demo_blocks
from data_models.outcome_sets import outcome_sets
from sample_data.centres import process_change
from ui.data import start_serving
from ui.navigation import PAGE_FILES

ROOT = Path(__file__).resolve().parent.parent
LEAD = Viewer("bench.lead", "Benchmark", Role.CENTRE_LEAD, "UMCU")


def bench_pathway() -> str:
    """The pathway the pages are timed on: the demo's process change (UMC Utrecht's), else the first."""
    found = process_change()
    return found[0] if found else next(iter(outcome_sets()))


def patient(pathway: str) -> dict[str, object]:
    """A typical patient submitted on the samen-beslissen form, so its page fits and applies the models."""
    oset, demo = outcome_sets()[pathway], demo_blocks()[pathway]
    profile: dict[str, object] = {}
    for code, var in oset.casemix.items():
        drawn = demo.casemix.get(code)
        if var.origin == "prom":
            profile[code] = demo.proms[oset.primary_instrument].mean
        elif isinstance(drawn, NumericDemo):
            profile[code] = round(drawn.mean / (drawn.step or 1)) * (drawn.step or 1)
        elif isinstance(drawn, CategoricalDemo):
            profile[code] = max(drawn.probabilities, key=drawn.probabilities.get)
        else:  # a case-mix outcome: absent, or its lowest value
            profile[code] = var.min if var.is_numeric else next(iter(var.choices))
    profile["paid_work"] = False
    return profile


@dataclass(frozen=True)
class PageCase:
    page: str
    viewer: Viewer
    state: tuple[tuple[str, object], ...] = ()


PATHWAY = bench_pathway()
CASES = (
    PageCase("pages/review.py", LEAD, (("pathway", PATHWAY),)),
    PageCase("pages/patients_like_me.py", LEAD, (("pathway", PATHWAY), (f"like_me_{PATHWAY}", patient(PATHWAY)))),
    PageCase("pages/trajectory.py", LEAD, (("pathway", PATHWAY), ("trajectory_episode", "UMCU-E0000100"))),
    PageCase("pages/comparison.py", LEAD, (("pathway", PATHWAY),)),
    PageCase("pages/adoption.py", Viewer("bench.programme", "Benchmark", Role.PROGRAMME_LEAD)),
    PageCase("pages/data.py", Viewer("bench.dm", "Benchmark", Role.DATA_MANAGER, "UMCU")),
    PageCase("pages/audit.py", Viewer("bench.admin", "Benchmark", Role.ADMIN)),
)


def every_role() -> tuple[PageCase, ...]:
    """Every page of every role, as a demo viewer of UMC Utrecht (the national roles without a centre)."""
    viewers = {
        Role.CARE_TEAM: Viewer("bench.team", "Benchmark", Role.CARE_TEAM, "UMCU", (PATHWAY,)),
        Role.CENTRE_LEAD: LEAD,
        Role.DATA_MANAGER: Viewer("bench.dm", "Benchmark", Role.DATA_MANAGER, "UMCU"),
        Role.PROGRAMME_LEAD: Viewer("bench.programme", "Benchmark", Role.PROGRAMME_LEAD),
        Role.ADMIN: Viewer("bench.admin", "Benchmark", Role.ADMIN),
    }
    return tuple(
        PageCase(PAGE_FILES[page][0], viewer, (("pathway", PATHWAY),)) for role, viewer in viewers.items() for page in PAGES[role]
    )


def open_page(case: PageCase) -> tuple[AppTest, float]:
    """A new session on the page; returns it and the seconds its first full run took."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.session_state["viewer"] = case.viewer
    for key, value in case.state:
        at.session_state[key] = value
    if PAGE_FILES[PAGES[case.viewer.role][0]][0] != case.page:  # its own address, as a browser's first visit
        at.switch_page(case.page)
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{case.page} failed: {[e.value for e in at.exception]}")
    if not page_shown(at).endswith(case.page):
        raise RuntimeError(f"{case.page} opened {page_shown(at)} instead")
    return at, seconds


def page_shown(at: AppTest) -> str:
    """The script of the page the last run showed (AppTest keeps it under private names only)."""
    return str(at._registered_pages[at._finished_page_script_hash]["script_path"])


def warm_times(at: AppTest, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return times


def peak_memory_mb() -> float:
    """This process's peak resident size (Linux ``VmHWM``). Not ``getrusage``'s ``ru_maxrss``: it survives
    ``exec``, so a page process started by a bench that had just loaded the large scale reported the
    loading parent's peak (20 GB) as its own."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    found = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    if found is None:  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(found.split()[1]) / 1024  # kilobytes


def preload() -> None:
    """Import what a running server has imported already, so a cold sample times empty caches, not imports."""
    import importlib

    for module in ("plotly.graph_objects", "statsmodels.api", "scipy.stats", "analytics.indicators", "analytics.prediction",
                   "services.peer_comparison", "services.patients_like_me", "reports.meeting_pack", "ui.data", "ui.figures"):  # fmt: skip
        importlib.import_module(module)
    # Outside a server Streamlit's first element checks once whether it runs in a REPL, walking every frame's
    # source (0.2 s); a server never does. Done here, so a cold sample does not count it.
    from streamlit import delta_generator

    delta_generator._maybe_print_use_warning()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", help="time only the first run of this page (a cold sample)")
    args = parser.parse_args()
    os.environ["WAREHOUSE_PATH"] = str(Path(args.db).absolute())
    os.environ.setdefault("AUDIT_PATH", str(Path(args.db).absolute().with_name("bench-audit.jsonl")))
    preload()
    start_serving()
    for case in CASES:
        if args.cold and case.page != args.cold:
            continue
        at, first = open_page(case)
        warm = [] if args.cold else warm_times(at, args.runs)
        print(json.dumps({"page": case.page, "cold_s": first, "warm_s": warm}))
    if not args.cold:
        for case in every_role():
            open_page(case)
    print(json.dumps({"peak_memory_mb": peak_memory_mb()}))


if __name__ == "__main__":
    main()
