"""The outcome sets of the care pathways, read from the YAML files beside this module.

Each file in ``outcome_sets/`` defines one pathway: its treatments, PROM instruments
(range, direction, minimal important change), timepoints, clinical outcomes, process
measures and case-mix variables. ``common.yaml`` holds the code lists every pathway shares.
Nothing in the code names a pathway: adding one means adding a file.

The environment variable ``SAMEN_LEREN_OUTCOME_SETS`` points the whole application at another
directory of outcome-set files (a test's made-up pathway, a programme's own sets); it is read at
every call, and each directory is read once. Set it before ``data_models.schemas`` is imported:
the delivery models take the list of pathways when they are built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
OUTCOME_SET_DIR = HERE / "outcome_sets"
OUTCOME_SET_ENV = "SAMEN_LEREN_OUTCOME_SETS"  # another directory of outcome-set files for the whole application


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
    followup_months: int = 0  # months after treatment before the outcome is known (readmission_30d: 1); 0: at treatment


@dataclass(frozen=True)
class ProcessMeasure:
    code: str
    label: dict[str, str]
    source: str
    better: str
    target: float | None = None
    applies_to: tuple[str, ...] = ()


NUMERIC, CATEGORICAL = "numeric", "categorical"
EPISODE_SOURCE = "episodes."  # a column of the episodes table (the data standard's fixed ones)
OUTCOME_SOURCE = "clinical_outcomes."  # a clinical outcome with role casemix
PROM_SOURCE = "prom_baseline"  # the primary instrument's baseline score
BASELINE_SOURCE = "baseline_characteristics"  # the long table: episode, variable, value


@dataclass(frozen=True)
class CasemixVariable:
    """One baseline characteristic that the case-mix and prediction models adjust for."""

    code: str
    label: dict[str, str]
    kind: str  # NUMERIC or CATEGORICAL
    source: str  # EPISODE_SOURCE + column, OUTCOME_SOURCE + code, PROM_SOURCE or BASELINE_SOURCE
    min: float | None = None
    max: float | None = None
    step: float | None = None
    unit: dict[str, str] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # categorical: code -> label per language

    @property
    def is_numeric(self) -> bool:
        return self.kind == NUMERIC

    @property
    def origin(self) -> str:
        """Where a delivery carries it: "episode", "outcome", "prom" or "characteristic"."""
        if self.source.startswith(EPISODE_SOURCE):
            return "episode"
        if self.source.startswith(OUTCOME_SOURCE):
            return "outcome"
        return "prom" if self.source == PROM_SOURCE else "characteristic"

    @property
    def column(self) -> str:
        """The episode column or clinical-outcome code it is read from (its own code otherwise)."""
        return self.source.split(".", 1)[1] if "." in self.source else self.code


@dataclass(frozen=True)
class Prediction:
    """What the samen-beslissen models predict besides the primary PROM."""

    harm_event: str | None = None  # a clinical outcome of kind event
    work_outcome: str | None = None  # a clinical outcome of kind event: back at paid work


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
    casemix: dict[str, CasemixVariable] = field(default_factory=dict)
    prediction: Prediction = field(default_factory=Prediction)
    demo: dict[str, Any] = field(default_factory=dict)  # the demo generator's simulation of this pathway

    def casemix_from(self, origin: str) -> list[CasemixVariable]:
        return [v for v in self.casemix.values() if v.origin == origin]


@dataclass(frozen=True)
class Common:
    timepoints: tuple[str, ...]
    sexes: tuple[str, ...]
    centre_kinds: tuple[str, ...]
    prem_instruments: dict[str, Instrument]
    cost_categories: dict[str, dict[str, str]]
    adoption_targets: dict[str, float] = field(default_factory=dict)
    casemix_variables: dict[str, dict[str, Any]] = field(default_factory=dict)  # shared definitions to inherit


class OutcomeSetError(ValueError):
    """An outcome-set file is inconsistent; the message names the file and the key."""


TOP_KEYS = {
    "pathway", "label", "treatments", "timepoints", "primary_followup", "instruments", "primary_instrument",
    "clinical_outcomes", "headline_outcome", "process_measures", "casemix", "prediction", "demo",
}  # fmt: skip
CASEMIX_KEYS = {"source", "kind", "nl", "en", "min", "max", "step", "unit", "choices"}


def _fail(where: str, message: str) -> OutcomeSetError:
    return OutcomeSetError(f"{where}: {message}")


def _mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "must be a mapping of keys to values")
    return value


def _required(spec: dict[str, Any], key: str, where: str) -> Any:
    if spec.get(key) is None:
        raise _fail(f"{where}.{key}", "is required")
    return spec[key]


def _labels(spec: dict[str, Any], where: str) -> dict[str, str]:
    labels = {lang: spec.get(lang) for lang in ("nl", "en")}
    if not all(isinstance(v, str) and v.strip() for v in labels.values()):
        raise _fail(where, "needs a label in both nl and en")
    return labels  # type: ignore[return-value]


def _number(spec: dict[str, Any], key: str, where: str) -> float | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{where}.{key}", f"must be a number, not {value!r}")
    return float(value)


def _instrument(code: str, spec: dict[str, Any], where: str = "instruments") -> Instrument:
    where = f"{where}.{code}"
    spec = _mapping(spec, where)
    if spec.get("better") not in ("higher", "lower"):
        raise _fail(f"{where}.better", "must be higher or lower")
    lo, hi = _number(spec, "min", where), _number(spec, "max", where)
    if lo is None or hi is None or lo >= hi:
        raise _fail(where, "min must be below max")
    return Instrument(
        code=code, label=_required(spec, "label", where), min=lo, max=hi, better=spec["better"], mic=_number(spec, "mic", where)
    )


def _outcome(code: str, spec: dict[str, Any]) -> ClinicalOutcome:
    where = f"clinical_outcomes.{code}"
    spec = _mapping(spec, where)
    if spec.get("kind") not in ("event", "measure"):
        raise _fail(f"{where}.kind", "must be event or measure")
    if spec.get("role", "outcome") not in ("outcome", "casemix"):
        raise _fail(f"{where}.role", "must be outcome or casemix")
    return ClinicalOutcome(
        code=code,
        label=_labels(spec, where),
        kind=spec["kind"],
        better=spec.get("better"),
        role=spec.get("role", "outcome"),
        applies_to=tuple(spec.get("applies_to", ())),
        unit=spec.get("unit"),
        min=_number(spec, "min", where),
        max=_number(spec, "max", where),
        rare=_flag(f"{where}.rare", spec.get("rare", False)),
        followup_months=_months(f"{where}.followup_months", spec.get("followup_months", 0)),
    )


def _months(where: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
        raise _fail(where, "must be a whole number of months from 0 to 120")
    return value


def _flag(where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, "must be true or false")
    return value


def _measure(code: str, spec: dict[str, Any]) -> ProcessMeasure:
    where = f"process_measures.{code}"
    spec = _mapping(spec, where)
    if spec.get("better") not in ("higher", "lower"):
        raise _fail(f"{where}.better", "must be higher or lower")
    return ProcessMeasure(
        code=code,
        label=_labels(spec, where),
        source=_required(spec, "source", where),
        better=spec["better"],
        target=_number(spec, "target", where),
        applies_to=tuple(spec.get("applies_to", ())),
    )


def _unit(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"nl": value, "en": value}
    return _labels(_mapping(value, where), where)


def _choices(value: object, where: str) -> dict[str, dict[str, str]]:
    choices = _mapping(value, where)
    if not choices:
        raise _fail(where, "a categorical variable needs at least one choice")
    return {str(code): _labels(_mapping(label, f"{where}.{code}"), f"{where}.{code}") for code, label in choices.items()}


def _casemix(code: str, own: object, inherited: dict[str, Any], outcomes: dict[str, ClinicalOutcome]) -> CasemixVariable:
    """One case-mix variable: its own keys over the shared definition of the same name in common.yaml."""
    where = f"casemix.{code}"
    spec = {**inherited, **_mapping(own if own is not None else {}, where)}
    if unknown := set(spec) - CASEMIX_KEYS:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    source = spec.get("source", BASELINE_SOURCE)
    if source.startswith(OUTCOME_SOURCE):
        return _outcome_casemix(code, spec, source, outcomes, where)
    if not (source.startswith(EPISODE_SOURCE) or source in (PROM_SOURCE, BASELINE_SOURCE)):
        raise _fail(
            f"{where}.source", f"must be {EPISODE_SOURCE}<column>, {OUTCOME_SOURCE}<code>, {PROM_SOURCE} or {BASELINE_SOURCE}"
        )
    kind = spec.get("kind")
    if kind not in (NUMERIC, CATEGORICAL):
        raise _fail(f"{where}.kind", "must be numeric or categorical")
    label = _labels(spec, where)
    if kind == CATEGORICAL:
        return CasemixVariable(code, label, kind, source, choices=_choices(spec.get("choices"), f"{where}.choices"))
    lo, hi = _number(spec, "min", where), _number(spec, "max", where)
    if source != PROM_SOURCE and (lo is None or hi is None or lo >= hi):
        raise _fail(where, "a numeric variable needs min below max")
    step = _number(spec, "step", where)
    if step is not None and step <= 0:
        raise _fail(f"{where}.step", "must be positive")
    return CasemixVariable(code, label, kind, source, lo, hi, step, _unit(spec.get("unit"), f"{where}.unit"))


def _outcome_casemix(
    code: str, spec: dict[str, Any], source: str, outcomes: dict[str, ClinicalOutcome], where: str
) -> CasemixVariable:
    outcome = outcomes.get(source.removeprefix(OUTCOME_SOURCE))
    if outcome is None or outcome.role != "casemix":
        raise _fail(f"{where}.source", "must name a clinical outcome of this set with role casemix")
    if outcome.kind == "event":
        return CasemixVariable(code, outcome.label, NUMERIC, source, 0.0, 1.0, 1.0)
    lo, hi = outcome.min, outcome.max
    if lo is None or hi is None:
        raise _fail(f"clinical_outcomes.{outcome.code}", "a case-mix measure needs min and max")
    return CasemixVariable(code, outcome.label, NUMERIC, source, lo, hi, _number(spec, "step", where), _unit(outcome.unit, where))


def _prediction(raw: object, outcomes: dict[str, ClinicalOutcome], headline: str) -> Prediction:
    spec = _mapping(raw if raw is not None else {}, "prediction")
    if unknown := set(spec) - {"harm_event", "work_outcome"}:
        raise _fail("prediction", f"unknown key(s) {', '.join(sorted(unknown))}")
    chosen = {"harm_event": spec.get("harm_event", headline), "work_outcome": spec.get("work_outcome")}
    for key, code in chosen.items():
        if code is not None and (code not in outcomes or outcomes[code].kind != "event"):
            raise _fail(f"prediction.{key}", f"{code!r} is not a clinical outcome of kind event in this set")
    return Prediction(**chosen)


def parse_outcome_set(raw: dict[str, Any], common: Common) -> OutcomeSet:
    """Build and check one outcome set from its parsed YAML; errors name the key (and the caller adds the file)."""
    raw = _mapping(raw, "outcome set")
    if unknown := set(raw) - TOP_KEYS:
        raise _fail("outcome set", f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("pathway", "label", "treatments", "timepoints", "primary_followup", "instruments", "primary_instrument",
                "clinical_outcomes", "headline_outcome", "process_measures"):  # fmt: skip
        _required(raw, key, "outcome set")
    outcomes = {c: _outcome(c, s) for c, s in _mapping(raw["clinical_outcomes"], "clinical_outcomes").items()}
    treatments = _mapping(raw["treatments"], "treatments")
    oset = OutcomeSet(
        pathway=raw["pathway"],
        label=_labels(_mapping(raw["label"], "label"), "label"),
        treatments={c: _labels(_mapping(s, f"treatments.{c}"), f"treatments.{c}") for c, s in treatments.items()},
        timepoints=tuple(raw["timepoints"]),
        primary_followup=raw["primary_followup"],
        instruments={c: _instrument(c, s) for c, s in _mapping(raw["instruments"], "instruments").items()},
        primary_instrument=raw["primary_instrument"],
        clinical_outcomes=outcomes,
        headline_outcome=raw["headline_outcome"],
        process_measures={c: _measure(c, s) for c, s in _mapping(raw["process_measures"], "process_measures").items()},
        casemix={
            c: _casemix(c, s, common.casemix_variables.get(c, {}), outcomes)
            for c, s in _mapping(raw.get("casemix") or {}, "casemix").items()
        },
        prediction=_prediction(raw.get("prediction"), outcomes, raw["headline_outcome"]),
        demo=_mapping(raw.get("demo") or {}, "demo"),
    )
    _check(oset, common)
    return oset


def _check(oset: OutcomeSet, common: Common) -> None:
    if not oset.treatments:
        raise _fail("treatments", "needs at least one treatment")
    if not set(oset.timepoints) <= set(common.timepoints):
        raise _fail("timepoints", f"must be among {', '.join(common.timepoints)}")
    if oset.primary_followup not in oset.timepoints or oset.timepoints[0] != "baseline":
        raise _fail("primary_followup", "needs baseline first in timepoints and a listed primary follow-up")
    if oset.primary_instrument not in oset.instruments:
        raise _fail("primary_instrument", "is not one of its instruments")
    if oset.headline_outcome not in oset.clinical_outcomes:
        raise _fail("headline_outcome", "is not one of its clinical outcomes")
    for outcome in oset.clinical_outcomes.values():
        if not set(outcome.applies_to) <= set(oset.treatments):
            raise _fail(f"clinical_outcomes.{outcome.code}.applies_to", "names an unknown treatment")
    for measure in oset.process_measures.values():
        if not set(measure.applies_to) <= set(oset.treatments):
            raise _fail(f"process_measures.{measure.code}.applies_to", "names an unknown treatment")
    clash = set(oset.casemix) & (set(oset.clinical_outcomes) - {v.column for v in oset.casemix_from("outcome")})
    if clash:
        raise _fail("casemix", f"{', '.join(sorted(clash))} is also a clinical outcome of another role")


@cache
def common() -> Common:
    raw = yaml.safe_load((HERE / "common.yaml").read_text(encoding="utf-8"))
    return Common(
        timepoints=tuple(raw["timepoints"]),
        sexes=tuple(raw["sexes"]),
        centre_kinds=tuple(raw["centre_kinds"]),
        prem_instruments={c: _instrument(c, s, "prem_instruments") for c, s in raw["prem_instruments"].items()},
        cost_categories=raw["cost_categories"],
        adoption_targets={k: float(v) for k, v in raw.get("adoption_targets", {}).items()},
        casemix_variables=raw.get("casemix_variables", {}),
    )


def load_outcome_set(path: Path) -> OutcomeSet:
    """One outcome-set file, parsed and checked; any error names the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        oset = parse_outcome_set(raw, common())
    except yaml.YAMLError as exc:
        raise OutcomeSetError(f"{path.name}: not valid YAML ({exc})") from exc
    except OutcomeSetError as exc:
        raise OutcomeSetError(f"{path.name}: {exc}") from exc
    if oset.pathway != path.stem:
        raise OutcomeSetError(f"{path.name}: pathway: must equal the file name ({path.stem})")
    return oset


def outcome_set_dir() -> Path:
    """The directory of outcome-set files in use: ``$SAMEN_LEREN_OUTCOME_SETS`` or the one beside this module."""
    return Path(os.environ.get(OUTCOME_SET_ENV) or OUTCOME_SET_DIR)


def _read_outcome_sets(directory: Path) -> dict[str, OutcomeSet]:
    sets: dict[str, OutcomeSet] = {}
    instruments: dict[str, Instrument] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        oset = load_outcome_set(path)
        for code, inst in oset.instruments.items():
            if instruments.setdefault(code, inst) != inst:
                raise OutcomeSetError(f"{path.name}: instruments.{code}: defined differently in another outcome set")
        sets[oset.pathway] = oset
    return sets


_cached_outcome_sets = cache(_read_outcome_sets)


def outcome_sets(directory: Path | None = None) -> dict[str, OutcomeSet]:
    """All configured outcome sets by pathway code, in file-name order (of ``outcome_set_dir()`` unless given)."""
    return _cached_outcome_sets(Path(directory) if directory is not None else outcome_set_dir())


outcome_sets.__wrapped__ = _read_outcome_sets  # type: ignore[attr-defined]  # read a directory afresh
outcome_sets.cache_clear = _cached_outcome_sets.cache_clear  # type: ignore[attr-defined]


def pathway_codes() -> list[str]:
    return list(outcome_sets())


def all_instruments() -> dict[str, Instrument]:
    """Every PROM instrument of every pathway (they agree where shared)."""
    return {c: i for s in outcome_sets().values() for c, i in s.instruments.items()}


def all_casemix() -> dict[str, CasemixVariable]:
    """Every case-mix variable of every pathway by code (the first definition where two sets share a code)."""
    out: dict[str, CasemixVariable] = {}
    for oset in outcome_sets().values():
        for code, var in oset.casemix.items():
            out.setdefault(code, var)
    return out
