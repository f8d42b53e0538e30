"""The outcome sets of the care pathways, read from the YAML files beside this module.

Each file in ``outcome_sets/`` defines one pathway: its treatments, PROM instruments
(range, direction, minimal important change), timepoints, clinical outcomes, process
measures and case-mix variables. ``common.yaml`` holds the code lists every pathway shares.
Nothing in the code names a pathway: adding one means adding a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
OUTCOME_SET_DIR = HERE / "outcome_sets"


@dataclass(frozen=True)
class Instrument:
    code: str
    label: str
    min: float
    max: float
    better: str  # "higher" or "lower"
    mic: float | None = None


@dataclass(frozen=True)
class ClinicalOutcome:
    code: str
    label: dict[str, str]
    kind: str  # "event" (0/1) or "measure"
    better: str | None = None
    role: str = "outcome"  # "outcome" or "casemix"
    applies_to: tuple[str, ...] = ()
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    rare: bool = False  # a rare event: the review charts the patients between events (g-chart)


@dataclass(frozen=True)
class ProcessMeasure:
    code: str
    label: dict[str, str]
    source: str
    better: str
    target: float | None = None
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutcomeSet:
    pathway: str
    label: dict[str, str]
    treatments: dict[str, dict[str, str]]
    timepoints: tuple[str, ...]
    primary_followup: str
    instruments: dict[str, Instrument]
    primary_instrument: str
    clinical_outcomes: dict[str, ClinicalOutcome]
    headline_outcome: str
    process_measures: dict[str, ProcessMeasure]
    casemix: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Common:
    timepoints: tuple[str, ...]
    sexes: tuple[str, ...]
    centre_kinds: tuple[str, ...]
    prem_instruments: dict[str, Instrument]
    cost_categories: dict[str, dict[str, str]]
    adoption_targets: dict[str, float] = field(default_factory=dict)


class OutcomeSetError(ValueError):
    """An outcome-set file is inconsistent."""


def _instrument(code: str, spec: dict[str, Any]) -> Instrument:
    if spec["better"] not in ("higher", "lower"):
        raise OutcomeSetError(f"instrument {code}: better must be higher or lower")
    if float(spec["min"]) >= float(spec["max"]):
        raise OutcomeSetError(f"instrument {code}: min must be below max")
    return Instrument(
        code=code,
        label=spec["label"],
        min=float(spec["min"]),
        max=float(spec["max"]),
        better=spec["better"],
        mic=float(spec["mic"]) if spec.get("mic") is not None else None,
    )


def _outcome(code: str, spec: dict[str, Any]) -> ClinicalOutcome:
    if spec["kind"] not in ("event", "measure"):
        raise OutcomeSetError(f"outcome {code}: kind must be event or measure")
    return ClinicalOutcome(
        code=code,
        label={"nl": spec["nl"], "en": spec["en"]},
        kind=spec["kind"],
        better=spec.get("better"),
        role=spec.get("role", "outcome"),
        applies_to=tuple(spec.get("applies_to", ())),
        unit=spec.get("unit"),
        min=spec.get("min"),
        max=spec.get("max"),
        rare=_flag(code, spec.get("rare", False)),
    )


def _flag(code: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise OutcomeSetError(f"outcome {code}: rare must be true or false")
    return value


def _measure(code: str, spec: dict[str, Any]) -> ProcessMeasure:
    return ProcessMeasure(
        code=code,
        label={"nl": spec["nl"], "en": spec["en"]},
        source=spec["source"],
        better=spec["better"],
        target=spec.get("target"),
        applies_to=tuple(spec.get("applies_to", ())),
    )


def parse_outcome_set(raw: dict[str, Any], common: Common) -> OutcomeSet:
    """Build and check one outcome set from its parsed YAML."""
    oset = OutcomeSet(
        pathway=raw["pathway"],
        label=raw["label"],
        treatments=raw["treatments"],
        timepoints=tuple(raw["timepoints"]),
        primary_followup=raw["primary_followup"],
        instruments={c: _instrument(c, s) for c, s in raw["instruments"].items()},
        primary_instrument=raw["primary_instrument"],
        clinical_outcomes={c: _outcome(c, s) for c, s in raw["clinical_outcomes"].items()},
        headline_outcome=raw["headline_outcome"],
        process_measures={c: _measure(c, s) for c, s in raw["process_measures"].items()},
        casemix=raw.get("casemix", {}),
    )
    _check(oset, common)
    return oset


def _check(oset: OutcomeSet, common: Common) -> None:
    where = f"outcome set {oset.pathway}"
    if not set(oset.timepoints) <= set(common.timepoints):
        raise OutcomeSetError(f"{where}: timepoints must be among {common.timepoints}")
    if oset.primary_followup not in oset.timepoints or oset.timepoints[0] != "baseline":
        raise OutcomeSetError(f"{where}: needs baseline first and a listed primary follow-up")
    if oset.primary_instrument not in oset.instruments:
        raise OutcomeSetError(f"{where}: primary_instrument is not one of its instruments")
    if oset.headline_outcome not in oset.clinical_outcomes:
        raise OutcomeSetError(f"{where}: headline_outcome is not one of its clinical outcomes")
    for outcome in oset.clinical_outcomes.values():
        if not set(outcome.applies_to) <= set(oset.treatments):
            raise OutcomeSetError(f"{where}: {outcome.code} applies to an unknown treatment")


@cache
def common() -> Common:
    raw = yaml.safe_load((HERE / "common.yaml").read_text(encoding="utf-8"))
    return Common(
        timepoints=tuple(raw["timepoints"]),
        sexes=tuple(raw["sexes"]),
        centre_kinds=tuple(raw["centre_kinds"]),
        prem_instruments={c: _instrument(c, s) for c, s in raw["prem_instruments"].items()},
        cost_categories=raw["cost_categories"],
        adoption_targets={k: float(v) for k, v in raw.get("adoption_targets", {}).items()},
    )


@cache
def outcome_sets(directory: Path = OUTCOME_SET_DIR) -> dict[str, OutcomeSet]:
    """All configured outcome sets by pathway code, in file-name order."""
    sets: dict[str, OutcomeSet] = {}
    instruments: dict[str, Instrument] = {}
    for path in sorted(directory.glob("*.yaml")):
        oset = parse_outcome_set(yaml.safe_load(path.read_text(encoding="utf-8")), common())
        if oset.pathway != path.stem:
            raise OutcomeSetError(f"{path.name}: pathway must equal the file name")
        for code, inst in oset.instruments.items():
            if instruments.setdefault(code, inst) != inst:
                raise OutcomeSetError(f"instrument {code} is defined differently in two sets")
        sets[oset.pathway] = oset
    return sets


def pathway_codes() -> list[str]:
    return list(outcome_sets())


def all_instruments() -> dict[str, Instrument]:
    """Every PROM instrument of every pathway (they agree where shared)."""
    return {c: i for s in outcome_sets().values() for c, i in s.instruments.items()}
