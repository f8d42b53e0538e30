"""Small hand-built deliveries whose answers are worked out by hand in the tests."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import yaml

from data_models.outcome_sets import OUTCOME_SET_DIR, OUTCOME_SET_ENV

CENTRES_CSV = """centre_code,name,kind
UMCU,UMC Utrecht,umc
AUMC,Amsterdam UMC,umc
"""

EPISODE_HEADER = "centre_code,episode_id,patient_id,pathway,treatment,referral_date,treatment_date,discharge_date,age,sex,bmi,asa_class,sdm_documented\n"


def episode(centre: str, eid: str, day: str, treatment: str = "tka") -> str:
    return f"{centre},{eid},P{eid},knee_oa,{treatment},,{day},{day},70,F,28.0,2,true\n"


# UMC Utrecht, knee: July 2026 three patients, August two, September (the review month) four.
# AUMC has a bad September that must never show up in UMC Utrecht's figures.
REVIEW_EPISODES = EPISODE_HEADER + "".join(
    [
        episode("UMCU", "e7", "2026-07-03"),
        episode("UMCU", "e8", "2026-07-15"),
        episode("UMCU", "e9", "2026-07-28"),
        episode("UMCU", "e5", "2026-08-05"),
        episode("UMCU", "e6", "2026-08-20"),
        episode("UMCU", "e1", "2026-09-01"),
        episode("UMCU", "e2", "2026-09-10"),
        episode("UMCU", "e3", "2026-09-20"),
        episode("UMCU", "e4", "2026-09-30", "conservative"),
        episode("AUMC", "a1", "2026-09-02"),
        episode("AUMC", "a2", "2026-09-03"),
    ]
)

# Severe complications: September 1 of 4 (25,0%); July+August 1 of 5 (20,0%).
REVIEW_OUTCOMES = "centre_code,episode_id,outcome,value,measured_on\n" + "".join(
    f"{c},{e},complication_severe,{v},2026-10-01\n"
    for c, e, v in [
        ("UMCU", "e1", 1), ("UMCU", "e2", 0), ("UMCU", "e3", 0), ("UMCU", "e4", 0),
        ("UMCU", "e5", 1), ("UMCU", "e6", 0), ("UMCU", "e7", 0), ("UMCU", "e8", 0), ("UMCU", "e9", 0),
        ("AUMC", "a1", 1), ("AUMC", "a2", 1),
    ]
)  # fmt: skip

# Baseline PROMs: September 3 invited, 2 answered (66,7%); before 5 invited, 4 answered (80,0%).
REVIEW_PROMS = "centre_code,episode_id,instrument,timepoint,invited_on,completed_on,score\n" + "".join(
    f"UMCU,{e},oks,baseline,2026-06-01,{'2026-06-05' if done else ''},{'20' if done else ''}\n"
    for e, done in [("e1", 1), ("e2", 1), ("e3", 0), ("e5", 1), ("e6", 1), ("e7", 1), ("e8", 1), ("e9", 0)]
)

# Costs: September e1 1.500, e2 2.000, e3 3.000 (mean 2.166,67); before e5 1.000, e6 3.000 (mean 2.000).
REVIEW_COSTS = "centre_code,episode_id,category,amount_eur\n" + "".join(
    f"UMCU,{e},{cat},{amount}\n"
    for e, cat, amount in [
        ("e1", "or_time", 1000), ("e1", "implant", 500), ("e2", "or_time", 2000), ("e3", "or_time", 3000),
        ("e5", "or_time", 1000), ("e6", "ward_days", 3000),
    ]
) + "AUMC,a1,or_time,99999\n"  # fmt: skip

REVIEW_DELIVERED_ON = dt.date(2026, 10, 10)


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write a delivery's files (name → text) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_review_delivery(folder: Path) -> list[Path]:
    files = {
        "centres.csv": CENTRES_CSV,
        "episodes.csv": REVIEW_EPISODES,
        "clinical_outcomes.csv": REVIEW_OUTCOMES,
        "prom_measurements.csv": REVIEW_PROMS,
        "costs.csv": REVIEW_COSTS,
    }
    return write_files(folder, files)


# One pathway per case: twelve ordinary months (10 patients, 1 or 3 headline events
# alternating) and a thirteenth with 9 events in 10. p̄ = 33 / 130 = 0.2538; at n = 10 the
# upper limit is 0.2538 + 3·√(0.2538·0.7462/10) = 0.6667, so only the last month (90%) is a
# special cause, and the 10% and 30% months alternate around the centre line (no shift).
AGENDA_TREATMENT = {"knee_oa": "tka", "ckd": "haemodialysis", "pancreatic_cancer": "whipple", "ibd": "biologic"}
AGENDA_HEADLINE = {
    "knee_oa": "complication_severe",
    "ckd": "hospitalisation",
    "pancreatic_cancer": "complication_severe",
    "ibd": "hospital_admission",
}
AGENDA_LAST_MONTH = dt.date(2026, 9, 1)
AGENDA_DELIVERED_ON = dt.date(2026, 10, 10)


def _agenda_month(k: int) -> dt.date:
    index = AGENDA_LAST_MONTH.year * 12 + AGENDA_LAST_MONTH.month - 1 - (12 - k)
    return dt.date(index // 12, index % 12 + 1, 1)


def write_agenda_delivery(folder: Path) -> list[Path]:
    episodes = ["centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex"]
    outcomes = ["centre_code,episode_id,outcome,value,measured_on"]
    for pathway, treatment in AGENDA_TREATMENT.items():
        for k in range(13):
            month = _agenda_month(k)
            events = 9 if k == 12 else (1 if k % 2 == 0 else 3)
            for i in range(10):
                eid = f"{pathway[:3].upper()}{k:02d}{i}"
                day = month.replace(day=1 + i)
                episodes.append(f"UMCU,{eid},P{eid},{pathway},{treatment},{day},60,F")
                outcomes.append(f"UMCU,{eid},{AGENDA_HEADLINE[pathway]},{int(i < events)},{day}")
    files = {
        "centres.csv": CENTRES_CSV,
        "episodes.csv": "\n".join(episodes) + "\n",
        "clinical_outcomes.csv": "\n".join(outcomes) + "\n",
    }
    return write_files(folder, files)


# Peer comparison: six centres of different size, knee complications in one closed half-year.
# (centre, patients, events). DDD has fewer than 10 patients and must never show.
PEER_CENTRES = [("AAA", 30, 3), ("BBB", 25, 2), ("CCC", 20, 6), ("DDD", 5, 4), ("EEE", 12, 1), ("FFF", 40, 4)]
PEER_MONTH = dt.date(2025, 9, 1)  # in the second half of 2025
LATER_MONTH = dt.date(2026, 3, 1)  # one patient per centre, so that the latest month has closed that half-year


def write_peer_delivery(folder: Path, centres: list[tuple[str, int, int]] = PEER_CENTRES) -> list[Path]:
    reference = ["centre_code,name,kind"] + [f"{c},Ziekenhuis {c.title()},umc" for c, _, _ in centres]
    episodes = ["centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex,asa_class"]
    outcomes = ["centre_code,episode_id,outcome,value,measured_on"]
    for c, n, events in centres:
        for i in range(n):
            eid = f"{c}-X{i:03d}"
            day = PEER_MONTH.replace(day=1 + i % 28)
            episodes.append(f"{c},{eid},PT{c}{i:03d},knee_oa,tka,{day},{60 + i % 20},{'F' if i % 2 else 'M'},{1 + i % 3}")
            outcomes.append(f"{c},{eid},complication_severe,{int(i < events)},{day}")
        episodes.append(f"{c},{c}-L000,PT{c}L00,knee_oa,tka,{LATER_MONTH},70,F,2")
        outcomes.append(f"{c},{c}-L000,complication_severe,0,{LATER_MONTH}")
    files = {
        "centres.csv": "\n".join(reference) + "\n",
        "episodes.csv": "\n".join(episodes) + "\n",
        "clinical_outcomes.csv": "\n".join(outcomes) + "\n",
    }
    return write_files(folder, files)


# A made-up pathway: a copy of the knee outcome set with its own pathway code and treatments, a new
# instrument (its primary one), a new numeric and a new categorical case-mix variable (both delivered
# as baseline characteristics) and a minimal demo block. Point the whole application at the
# directory with SAMEN_LEREN_OUTCOME_SETS (``made_up_env``); the delivery models take the list of
# pathways when ``data_models.schemas`` is imported, so a warehouse for it is built in a new process
# (``build_made_up_warehouse``).
MADE_UP_PATHWAY = "made_up"
MADE_UP_INSTRUMENT = "made_up_score"
MADE_UP_NUMERIC = "grip_strength_kg"
MADE_UP_CATEGORICAL = "dominant_hand"


def made_up_outcome_set() -> str:
    """The made-up pathway's outcome set (YAML text)."""
    raw = yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))
    raw["pathway"] = MADE_UP_PATHWAY
    raw["label"] = {"nl": "Verzonnen zorgpad", "en": "Made-up pathway"}
    raw["treatments"] = {
        "operation": {"nl": "Operatie", "en": "Operation"},
        "exercise": {"nl": "Oefentherapie", "en": "Exercise therapy"},
    }
    raw["instruments"][MADE_UP_INSTRUMENT] = {"label": "Verzonnen vragenlijst", "min": 0, "max": 20, "better": "higher", "mic": 2}
    raw["primary_instrument"] = MADE_UP_INSTRUMENT
    raw["casemix"][MADE_UP_NUMERIC] = {
        "kind": "numeric", "nl": "Knijpkracht", "en": "Grip strength", "min": 0, "max": 80, "step": 0.5,
        "unit": {"nl": "kg", "en": "kg"},
    }  # fmt: skip
    raw["casemix"][MADE_UP_CATEGORICAL] = {
        "kind": "categorical", "nl": "Voorkeurshand", "en": "Dominant hand",
        "choices": {"left": {"nl": "Links", "en": "Left"}, "right": {"nl": "Rechts", "en": "Right"}},
    }  # fmt: skip
    raw["demo"] = {"volume": 20}  # everything else takes the demo block's defaults
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


def write_made_up_outcome_set(directory: Path) -> str:
    """Write the made-up pathway's outcome set into ``directory``; returns its pathway code."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{MADE_UP_PATHWAY}.yaml").write_text(made_up_outcome_set(), encoding="utf-8")
    return MADE_UP_PATHWAY


def made_up_env(directory: Path) -> dict[str, str]:
    """The environment of a process that sees only the outcome sets in ``directory`` (in demo mode)."""
    return {**os.environ, OUTCOME_SET_ENV: str(directory), "SAMEN_LEREN_DEMO": "1"}


def build_made_up_warehouse(directory: Path, db: Path, scale: str = "tiny", seed: int = 5) -> None:
    """The demo warehouse of the outcome sets in ``directory``, built by the command line in its own process."""
    command = [sys.executable, "-m", "cli", "demo", "--db", str(db), "--scale", scale, "--seed", str(seed)]
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(command, cwd=root, env=made_up_env(directory), capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"the made-up demo did not build:\n{done.stdout}\n{done.stderr}")


class MadeUp(NamedTuple):
    """The made-up pathway's code, its outcome-set directory and its demo warehouse."""

    pathway: str
    sets: Path
    db: Path


def made_up_key(scale: str = "tiny", seed: int = 5) -> str:
    """What the made-up warehouse is built from: its outcome-set text, scale and seed."""
    return digest("made_up", made_up_outcome_set(), scale, str(seed))


def build_made_up(folder: Path, scale: str = "tiny", seed: int = 5) -> None:
    """The made-up outcome set in ``folder/outcome_sets`` and its demo warehouse in ``folder/warehouse.duckdb``."""
    write_made_up_outcome_set(folder / "outcome_sets")
    build_made_up_warehouse(folder / "outcome_sets", folder / "warehouse.duckdb", scale, seed)


# Builds several test files (and, under pytest-xdist, several workers) need identically are made once per
# run: the first to ask builds under an exclusive file lock, the others wait for it, and each then works on
# a copy of its own, so that what a test writes beside a warehouse (audit trail, improvement actions) stays
# within its worker.


def digest(*parts: str) -> str:
    """A short name for what a build is made from."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes, also if the process dies
        yield


def built_once(cache: Path, key: str, build: Callable[[Path], None]) -> Path:
    """The folder ``build`` filled for ``key`` in ``cache``: built by the first process that asks, under a lock."""
    folder, done = cache / key, cache / f"{key}.done"
    cache.mkdir(parents=True, exist_ok=True)
    with exclusive(cache / f"{key}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that was interrupted
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def own_copy(built: Path, target: Path) -> Path:
    """A copy of a built folder (symbolic links kept: a warehouse points at its published version)."""
    shutil.copytree(built, target, symlinks=True, ignore=shutil.ignore_patterns("*.lock"), dirs_exist_ok=True)
    return target
