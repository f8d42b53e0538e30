"""The ``demo:`` block of an outcome set: how the demo generator simulates that pathway.

Every number the generator (``sample_data``) needs about a pathway lives in the demo block of
its outcome-set file; ``parse_demo(oset)`` turns it into the frozen objects below and checks
it, and every mistake names its key (``<pathway>.yaml: demo.treatments.<treatment>.share: ...``). Any key
may be left out: the defaults simulate a made-up pathway from its definitions alone (even with
``demo: {}``). The format, with the defaults in brackets::

    demo:
      volume: 14               # episodes per centre-month of a centre of relative size 1 at scale 1 [10]
      centres: {umc: 1, general: 0.67}  # share of the demo centres of each kind offering it,
                               # the broadest centres first [{umc: 1}]
      waiting_days: 60         # mean days from referral to treatment [45]
      mdt_discussed: 0.35      # share discussed in a multidisciplinary meeting [not delivered]
      paid_work: {share: 0.62, below: {age: 67}}  # in paid work before treatment; only below these
                               # case-mix values [share 0.5, everyone]
      review_cycle: true       # the demo's teams record improvement actions for it [false]
      treatments:              # [equal shares, no admission, full PROM gain, outpatient costs]
        tka: {share: 0.75, length_of_stay: 3, prom_gain: 1.0, costs: {or_time: 2600, ward_days: 650}}
      casemix:                 # every case-mix variable delivered on the episode or as a baseline characteristic
        age: {mean: 68, sd: 9, min: 18, max: 100, severity: 5, effect: 0.03, prom_effect: -0.01}
        asa_class: {mean: 2.1, sd: 0.7, severity: 0.5, slopes: {age: 0.02}, missing: 0.05, effect: 0.3, reference: 2}
        charlson_index: {mean: 1.5, distribution: poisson, severity: 1, slopes: {age: 0.04}}
        sex: {probabilities: {F: 0.62, M: 0.378, X: 0.002}}
        nyha_class: {probabilities: {I: 0.2, II: 0.45, III: 0.3, IV: 0.05}, severity: {IV: 0.3}, effect: {IV: 0.9}}
      outcomes:                # every clinical outcome [rate 0.1; a case-mix event 0.3; a measure mid-range]
        complication_severe: {rate: {tka: 0.04, conservative: 0.005}}
        return_to_work: {rate: 0.79, risk: -0.6, day: 182}
        textbook_outcome: {rate: {whipple: 0.93}, none_of: [complication_severe], risk: 0, day: 30}
        egfr_decline: {mean: {transplant: -1, haemodialysis: 3}, sd: 2, risk: 0.7, decimals: 1, day: 365}
      proms:                   # per instrument: baseline mean and sd, change at the primary follow-up
        oks: {mean: 20, sd: 7, change: 16}
      centre_effects: {UMCG: {complication_severe: {log_odds: 1.8, months_before_end: 10}}}  # a centre's
                               # true excess in log-odds (a number: for good; months_before_end: it then ends)
      process_change:          # a team's deliberate change: the treatment's length of stay at one centre
        {centre: UMCU, treatment: tka, months_before_end: 20, length_of_stay: {before: 4, after: 2},
         action: {what: ..., who: ..., expected_effect: ..., result: ...}}

Numeric case-mix: a normal (or Poisson) draw around ``mean`` plus ``severity`` × the centre's
severity plus ``slopes`` × (another variable − its reference), rounded to the variable's step
and clipped to ``min``/``max`` (within the outcome set's range); ``missing`` is the share left
empty. ``effect`` is its log-odds per unit from ``reference`` (default: the mean) on every
event with ``risk`` (default 1 for outcomes, 0 for case-mix events), ``prom_effect`` the
relative change of the PROM gain per unit. Categorical: ``probabilities`` per choice,
``severity``, ``effect`` and ``prom_effect`` per choice. Event ``rate`` is one number for every
treatment or one per treatment (others do not record it); a measure's ``mean`` likewise, with
``sd``, ``log`` (the value is exp of the draw), ``decimals``; ``day`` is when it is established.
An event's ``severity`` adds log-odds per unit of the centre's severity, ``none_of`` makes it a
composite (only without those events), ``unless`` leaves it unrecorded after those events, and
a case-mix event's ``effect`` moves the events drawn after it. The outcome set's work outcome
(``prediction.work_outcome``) is recorded only for patients in paid work. A PROM's ``change`` is
one number (× the treatment's ``prom_gain``) or one per treatment. (The numbers above are
examples; each outcome-set file holds its own.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from data_models.outcome_sets import (
    CATEGORICAL,
    CasemixVariable,
    OutcomeSet,
    OutcomeSetError,
    common,
    outcome_sets,
)

GENERATED_ORIGINS = ("episode", "characteristic")  # case-mix the demo block simulates itself
DISTRIBUTIONS = ("normal", "poisson")
DEFAULT_COST_CATEGORY = "outpatient"


@dataclass(frozen=True)
class TreatmentDemo:
    code: str
    share: float
    length_of_stay: float | None  # mean days admitted; None: no admission, no discharge date
    prom_gain: float  # multiplies each instrument's change
    costs: Mapping[str, float]  # euros per episode per cost category (per day for day categories)


@dataclass(frozen=True)
class NumericDemo:
    code: str
    mean: float
    sd: float
    min: float
    max: float
    decimals: int
    step: float | None = None
    distribution: str = "normal"
    severity: float = 0.0
    slopes: Mapping[str, float] = field(default_factory=dict)
    missing: float = 0.0
    effect: float = 0.0
    reference: float = 0.0
    prom_effect: float = 0.0


@dataclass(frozen=True)
class CategoricalDemo:
    code: str
    probabilities: Mapping[str, float]
    severity: Mapping[str, float] = field(default_factory=dict)
    missing: float = 0.0
    effect: Mapping[str, float] = field(default_factory=dict)
    prom_effect: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDemo:
    code: str
    rate: Mapping[str, float]  # per treatment that records it
    day: int
    risk: float  # weight of the patient's case-mix risk on the log-odds
    severity: float = 0.0  # log-odds per unit of the centre's severity
    none_of: tuple[str, ...] = ()  # a composite: only when none of these events happened
    unless: tuple[str, ...] = ()  # not recorded when one of these happened
    effect: float = 0.0  # a case-mix event: its log-odds effect on the later events


@dataclass(frozen=True)
class MeasureDemo:
    code: str
    mean: Mapping[str, float]  # per treatment that records it
    sd: float
    day: int
    risk: float = 0.0
    severity: float = 0.0
    log: bool = False
    decimals: int = 1
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class PromDemo:
    code: str
    mean: float
    sd: float
    change: Mapping[str, float]  # per treatment: the change at the primary follow-up


@dataclass(frozen=True)
class CentreEffect:
    log_odds: float  # a centre's true excess on an event
    months_before_end: int | None = None  # it ends this many months before the end of the history (None: never)


@dataclass(frozen=True)
class ProcessChange:
    centre: str
    treatment: str
    months_before_end: int
    before: float  # mean length of stay before the change
    after: float
    action: Mapping[str, str] = field(default_factory=dict)  # what, who, expected_effect, result


@dataclass(frozen=True)
class Demo:
    pathway: str
    volume: float
    centres: Mapping[str, float]
    waiting_days: float
    mdt_discussed: float | None
    paid_work: float
    paid_work_below: Mapping[str, float]
    review_cycle: bool
    treatments: Mapping[str, TreatmentDemo]
    casemix: Mapping[str, NumericDemo | CategoricalDemo]  # in the order they are drawn
    outcomes: Mapping[str, EventDemo | MeasureDemo]  # in the order they are drawn
    proms: Mapping[str, PromDemo]
    centre_effects: Mapping[str, Mapping[str, CentreEffect]]
    process_change: ProcessChange | None


TOP_KEYS = {
    "volume", "centres", "waiting_days", "mdt_discussed", "paid_work", "review_cycle", "treatments", "casemix",
    "outcomes", "proms", "centre_effects", "process_change",
}  # fmt: skip
NUMERIC_KEYS = {"mean", "sd", "min", "max", "distribution", "severity", "slopes", "missing", "effect", "reference", "prom_effect"}
CATEGORICAL_KEYS = {"probabilities", "severity", "missing", "effect", "prom_effect"}
EVENT_KEYS = {"rate", "day", "risk", "severity", "none_of", "unless", "effect"}
MEASURE_KEYS = {"mean", "sd", "day", "risk", "severity", "log", "decimals"}


def _fail(where: str, message: str) -> OutcomeSetError:
    return OutcomeSetError(f"{where}: {message}")


def _mapping(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(where, "must be a mapping of keys to values")
    return {str(k): v for k, v in value.items()}


def _keys(spec: dict[str, Any], allowed: set[str], where: str) -> None:
    if unknown := set(spec) - allowed:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(allowed))})")


def _number(value: object, where: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, f"must be a number, not {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = (
            f"between {lo:g} and {hi:g}"
            if lo is not None and hi is not None
            else f"at least {lo:g}"
            if lo is not None
            else f"at most {hi:g}"
        )
        raise _fail(where, f"must be {bounds}, not {value!r}")
    return float(value)


def _get(spec: dict[str, Any], key: str, where: str, default: float, lo: float | None = None, hi: float | None = None) -> float:
    return default if spec.get(key) is None else _number(spec[key], f"{where}.{key}", lo, hi)


def _flag(spec: dict[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise _fail(f"{where}.{key}", "must be true or false")
    return value


def _numbers(
    value: object, where: str, allowed: list[str], what: str, lo: float | None = None, hi: float | None = None
) -> dict[str, float]:
    out = {}
    for key, number in _mapping(value, where).items():
        if key not in allowed:
            raise _fail(f"{where}.{key}", f"is not {what} ({', '.join(allowed) or 'none'})")
        out[key] = _number(number, f"{where}.{key}", lo, hi)
    return out


def _per_treatment(
    value: object, where: str, treatments: list[str], lo: float | None = None, hi: float | None = None
) -> dict[str, float]:
    """One number for every treatment, or a mapping for some of them."""
    if isinstance(value, dict):
        return _numbers(value, where, treatments, "a treatment of this outcome set", lo, hi)
    number = _number(value, where, lo, hi)
    return dict.fromkeys(treatments, number)


def _codes(value: object, where: str, allowed: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, "must be a list of codes")
    for code in value:
        if code not in allowed:
            raise _fail(where, f"{code!r} is not an event of this outcome set")
    return tuple(value)


def _decimals(step: float | None) -> int:
    return 1 if step is None else max(0, -math.floor(math.log10(step) + 1e-9))


def _treatments(raw: object, oset: OutcomeSet) -> dict[str, TreatmentDemo]:
    where = "demo.treatments"
    specs = _mapping(raw, where)
    categories = list(common().cost_categories)
    default_category = DEFAULT_COST_CATEGORY if DEFAULT_COST_CATEGORY in categories else categories[0]
    if not specs:
        specs = {code: {} for code in oset.treatments}
    for code in specs:
        if code not in oset.treatments:
            raise _fail(f"{where}.{code}", f"is not a treatment of this outcome set ({', '.join(oset.treatments)})")
    specs = {code: _mapping(spec, f"{where}.{code}") for code, spec in specs.items()}
    given = [code for code, spec in specs.items() if spec.get("share") is not None]
    if given and len(given) != len(specs):
        missing = next(code for code in specs if code not in given)
        raise _fail(f"{where}.{missing}.share", "is required when another treatment has a share")
    out = {}
    for code, spec in specs.items():
        at = f"{where}.{code}"
        _keys(spec, {"share", "length_of_stay", "prom_gain", "costs"}, at)
        costs = _numbers(spec.get("costs"), f"{at}.costs", categories, "a cost category of common.yaml", lo=0)
        out[code] = TreatmentDemo(
            code=code,
            share=_get(spec, "share", at, 1 / len(specs), 0, 1),
            length_of_stay=None
            if spec.get("length_of_stay") is None
            else _number(spec["length_of_stay"], f"{at}.length_of_stay", lo=0.5),
            prom_gain=_get(spec, "prom_gain", at, 1.0, -2, 2),
            costs=costs if spec.get("costs") is not None else {default_category: 1000.0},
        )
    total = sum(t.share for t in out.values())
    if abs(total - 1) > 1e-6:
        raise _fail(where, f"the shares must add up to 1 (they add up to {total:g})")
    return out


def _numeric(var: CasemixVariable, spec: dict[str, Any], where: str) -> NumericDemo:
    _keys(spec, NUMERIC_KEYS, where)
    lo_def, hi_def = float(var.min), float(var.max)  # type: ignore[arg-type]  # generated variables have a range
    lo = _get(spec, "min", where, lo_def, lo_def, hi_def)
    hi = _get(spec, "max", where, hi_def, lo_def, hi_def)
    if lo >= hi:
        raise _fail(f"{where}.min", "must be below max")
    distribution = spec.get("distribution", "normal")
    if distribution not in DISTRIBUTIONS:
        raise _fail(f"{where}.distribution", f"must be one of {', '.join(DISTRIBUTIONS)}")
    mean = _get(spec, "mean", where, (lo + hi) / 2, lo, hi)
    return NumericDemo(
        code=var.code,
        mean=mean,
        sd=_get(spec, "sd", where, (hi - lo) / 6, lo=0),
        min=lo,
        max=hi,
        decimals=_decimals(var.step),
        step=var.step,
        distribution=distribution,
        severity=_get(spec, "severity", where, 0.0),
        slopes={k: _number(v, f"{where}.slopes.{k}") for k, v in _mapping(spec.get("slopes"), f"{where}.slopes").items()},
        missing=_get(spec, "missing", where, 0.0, 0, 0.95),
        effect=_get(spec, "effect", where, 0.0),
        reference=_get(spec, "reference", where, mean),
        prom_effect=_get(spec, "prom_effect", where, 0.0),
    )


def _categorical(var: CasemixVariable, spec: dict[str, Any], where: str) -> CategoricalDemo:
    _keys(spec, CATEGORICAL_KEYS, where)
    choices = list(var.choices)
    what = f"a choice of {var.code}"
    probabilities = _numbers(spec.get("probabilities"), f"{where}.probabilities", choices, what, 0, 1)
    if not probabilities:
        probabilities = dict.fromkeys(choices, 1 / len(choices))
    total = sum(probabilities.values())
    if abs(total - 1) > 1e-6:
        raise _fail(f"{where}.probabilities", f"must add up to 1 (they add up to {total:g})")
    return CategoricalDemo(
        code=var.code,
        probabilities=probabilities,
        severity=_numbers(spec.get("severity"), f"{where}.severity", choices, what),
        missing=_get(spec, "missing", where, 0.0, 0, 0.95),
        effect=_numbers(spec.get("effect"), f"{where}.effect", choices, what),
        prom_effect=_numbers(spec.get("prom_effect"), f"{where}.prom_effect", choices, what),
    )


def _casemix(raw: object, oset: OutcomeSet) -> dict[str, NumericDemo | CategoricalDemo]:
    where = "demo.casemix"
    specs = _mapping(raw, where)
    generated = {v.code: v for v in oset.casemix.values() if v.origin in GENERATED_ORIGINS}
    for code in specs:
        if code not in generated:
            raise _fail(
                f"{where}.{code}",
                "is not a case-mix variable of this outcome set delivered on the episode or as a baseline characteristic"
                " (case-mix outcomes go under demo.outcomes, the baseline score under demo.proms)",
            )
    parsed: dict[str, NumericDemo | CategoricalDemo] = {}
    for code, var in generated.items():
        spec = _mapping(specs.get(code), f"{where}.{code}")
        parsed[code] = (
            _categorical(var, spec, f"{where}.{code}") if var.kind == CATEGORICAL else _numeric(var, spec, f"{where}.{code}")
        )
    for code, demo in parsed.items():
        for other in demo.slopes if isinstance(demo, NumericDemo) else ():
            if not isinstance(parsed.get(other), NumericDemo) or other == code:
                raise _fail(f"{where}.{code}.slopes.{other}", "must name another numeric case-mix variable of this block")
    ordered: dict[str, NumericDemo | CategoricalDemo] = {}
    while len(ordered) < len(parsed):  # a variable after the ones its mean depends on
        ready = [c for c, d in parsed.items() if c not in ordered and all(o in ordered for o in getattr(d, "slopes", {}))]
        if not ready:
            stuck = next(c for c in parsed if c not in ordered)
            raise _fail(f"{where}.{stuck}.slopes", "the slopes depend on each other in a circle")
        ordered.update((c, parsed[c]) for c in ready)
    return ordered


def _outcomes(raw: object, oset: OutcomeSet) -> dict[str, EventDemo | MeasureDemo]:
    where = "demo.outcomes"
    specs = _mapping(raw, where)
    for code in specs:
        if code not in oset.clinical_outcomes:
            raise _fail(f"{where}.{code}", f"is not a clinical outcome of this outcome set ({', '.join(oset.clinical_outcomes)})")
    events = [c for c, o in oset.clinical_outcomes.items() if o.kind == "event"]
    parsed: dict[str, EventDemo | MeasureDemo] = {}
    for code, outcome in oset.clinical_outcomes.items():
        at = f"{where}.{code}"
        spec = _mapping(specs.get(code), at)
        treatments = list(outcome.applies_to or oset.treatments)
        casemix = outcome.role == "casemix"
        day = int(_get(spec, "day", at, 0 if casemix else 14, lo=0, hi=3650))
        if outcome.kind == "event":
            _keys(spec, EVENT_KEYS, at)
            rate = _per_treatment(spec.get("rate", 0.3 if casemix else 0.1), f"{at}.rate", treatments, 0, 1)
            parsed[code] = EventDemo(
                code=code,
                rate=rate,
                day=day,
                risk=_get(spec, "risk", at, 0.0 if casemix else 1.0),
                severity=_get(spec, "severity", at, 0.0),
                none_of=_codes(spec.get("none_of"), f"{at}.none_of", [e for e in events if e != code]),
                unless=_codes(spec.get("unless"), f"{at}.unless", [e for e in events if e != code]),
                effect=_get(spec, "effect", at, 0.0),
            )
            if parsed[code].effect and not casemix:  # type: ignore[union-attr]
                raise _fail(f"{at}.effect", "only a case-mix event (role casemix) affects the other outcomes")
        else:
            _keys(spec, MEASURE_KEYS, at)
            lo, hi = outcome.min, outcome.max
            middle = (lo + hi) / 2 if lo is not None and hi is not None else (lo or 0.0) + 1.0
            spread = (hi - lo) / 6 if lo is not None and hi is not None else 1.0
            parsed[code] = MeasureDemo(
                code=code,
                mean=_per_treatment(spec.get("mean", middle), f"{at}.mean", treatments),
                sd=_get(spec, "sd", at, spread, lo=0),
                day=day,
                risk=_get(spec, "risk", at, 0.0),
                severity=_get(spec, "severity", at, 0.0),
                log=_flag(spec, "log", at),
                decimals=int(_get(spec, "decimals", at, 1, 0, 6)),
                min=lo,
                max=hi,
            )
    ordered: dict[str, EventDemo | MeasureDemo] = {}
    first = [c for c in parsed if oset.clinical_outcomes[c].role == "casemix"]  # case-mix before what it affects
    pending = first + [c for c in parsed if c not in first]
    while pending:
        ready = [
            c
            for c in pending
            if all(d in ordered for d in (*getattr(parsed[c], "none_of", ()), *getattr(parsed[c], "unless", ())))
        ]
        if not ready:
            raise _fail(f"{where}.{pending[0]}", "none_of and unless depend on each other in a circle")
        ordered.update((c, parsed[c]) for c in ready)
        pending = [c for c in pending if c not in ordered]
    return ordered


def _proms(raw: object, oset: OutcomeSet, treatments: dict[str, TreatmentDemo]) -> dict[str, PromDemo]:
    where = "demo.proms"
    specs = _mapping(raw, where)
    for code in specs:
        if code not in oset.instruments:
            raise _fail(f"{where}.{code}", f"is not an instrument of this outcome set ({', '.join(oset.instruments)})")
    out = {}
    for code, inst in oset.instruments.items():
        at = f"{where}.{code}"
        spec = _mapping(specs.get(code), at)
        _keys(spec, {"mean", "sd", "change"}, at)
        span = inst.max - inst.min
        higher = inst.better == "higher"
        mean = _get(spec, "mean", at, inst.min + (0.35 if higher else 0.65) * span, inst.min, inst.max)
        full = inst.mic * 2 if inst.mic else span / 5
        change = spec.get("change", full if higher else -full)
        if isinstance(change, dict):
            per_treatment = _per_treatment(change, f"{at}.change", list(treatments), -span, span)
        else:
            number = _number(change, f"{at}.change", -span, span)
            per_treatment = {t: number * demo.prom_gain for t, demo in treatments.items()}
        out[code] = PromDemo(code, mean, _get(spec, "sd", at, span / 8, lo=0), per_treatment)
    return out


def _paid_work(raw: object, casemix: dict[str, NumericDemo | CategoricalDemo]) -> tuple[float, dict[str, float]]:
    where = "demo.paid_work"
    spec = _mapping(raw, where)
    _keys(spec, {"share", "below"}, where)
    below = _mapping(spec.get("below"), f"{where}.below")
    for code in below:
        if not isinstance(casemix.get(code), NumericDemo):
            raise _fail(f"{where}.below.{code}", "must name a numeric case-mix variable of demo.casemix")
    return _get(spec, "share", where, 0.5, 0, 1), {c: _number(v, f"{where}.below.{c}") for c, v in below.items()}


def _centre_effects(raw: object, oset: OutcomeSet) -> dict[str, dict[str, CentreEffect]]:
    """Per centre and event: log-odds, or ``{log_odds: 1.8, months_before_end: 10}`` for an excess that ends."""
    where = "demo.centre_effects"
    events = [c for c, o in oset.clinical_outcomes.items() if o.kind == "event"]
    out: dict[str, dict[str, CentreEffect]] = {}
    for centre, spec in _mapping(raw, where).items():
        out[centre] = {}
        for code, value in _mapping(spec, f"{where}.{centre}").items():
            at = f"{where}.{centre}.{code}"
            if code not in events:
                raise _fail(at, f"is not an event of this outcome set ({', '.join(events)})")
            if isinstance(value, dict):
                _keys(value, {"log_odds", "months_before_end"}, at)
                if value.get("log_odds") is None:
                    raise _fail(f"{at}.log_odds", "is required")
                ends = value.get("months_before_end")
                out[centre][code] = CentreEffect(
                    _number(value["log_odds"], f"{at}.log_odds", -5, 5),
                    None if ends is None else int(_number(ends, f"{at}.months_before_end", 1, 48)),
                )
            else:
                out[centre][code] = CentreEffect(_number(value, at, -5, 5))
    return out


def _process_change(raw: object, treatments: dict[str, TreatmentDemo]) -> ProcessChange | None:
    where = "demo.process_change"
    if raw is None:
        return None
    spec = _mapping(raw, where)
    _keys(spec, {"centre", "treatment", "months_before_end", "length_of_stay", "action"}, where)
    for key in ("centre", "treatment", "months_before_end", "length_of_stay"):
        if spec.get(key) is None:
            raise _fail(f"{where}.{key}", "is required")
    treatment = spec["treatment"]
    if treatments.get(treatment) is None or treatments[treatment].length_of_stay is None:
        raise _fail(f"{where}.treatment", "must be a treatment of demo.treatments with a length_of_stay")
    stay = _mapping(spec["length_of_stay"], f"{where}.length_of_stay")
    _keys(stay, {"before", "after"}, f"{where}.length_of_stay")
    action = _mapping(spec.get("action"), f"{where}.action")
    _keys(action, {"what", "who", "expected_effect", "result"}, f"{where}.action")
    for key, text in action.items():
        if not isinstance(text, str) or not text.strip():
            raise _fail(f"{where}.action.{key}", "must be a text")
    return ProcessChange(
        centre=str(spec["centre"]),
        treatment=treatment,
        months_before_end=int(_number(spec["months_before_end"], f"{where}.months_before_end", 1, 48)),
        before=_number(stay.get("before"), f"{where}.length_of_stay.before", lo=0.5),
        after=_number(stay.get("after"), f"{where}.length_of_stay.after", lo=0.5),
        action=action,
    )


def parse_demo(oset: OutcomeSet) -> Demo:
    """The typed demo block of one outcome set; an error names the file and the key."""
    try:
        return _parse(oset)
    except OutcomeSetError as exc:
        raise OutcomeSetError(f"{oset.pathway}.yaml: {exc}") from exc


def _parse(oset: OutcomeSet) -> Demo:
    raw = _mapping(oset.demo, "demo")
    _keys(raw, TOP_KEYS, "demo")
    kinds = list(common().centre_kinds)
    centres = (
        _numbers(raw.get("centres"), "demo.centres", kinds, "a centre kind of common.yaml", 0, 1)
        if "centres" in raw
        else {"umc": 1.0}
    )
    treatments = _treatments(raw.get("treatments"), oset)
    casemix = _casemix(raw.get("casemix"), oset)
    paid_work, below = _paid_work(raw.get("paid_work"), casemix)
    return Demo(
        pathway=oset.pathway,
        volume=_get(raw, "volume", "demo", 10.0, 0),
        centres=centres,
        waiting_days=_get(raw, "waiting_days", "demo", 45.0, 1),
        mdt_discussed=None if raw.get("mdt_discussed") is None else _number(raw["mdt_discussed"], "demo.mdt_discussed", 0, 1),
        paid_work=paid_work,
        paid_work_below=below,
        review_cycle=_flag(raw, "review_cycle", "demo"),
        treatments=treatments,
        casemix=casemix,
        outcomes=_outcomes(raw.get("outcomes"), oset),
        proms=_proms(raw.get("proms"), oset, treatments),
        centre_effects=_centre_effects(raw.get("centre_effects"), oset),
        process_change=_process_change(raw.get("process_change"), treatments),
    )


_parsed: tuple[object, dict[str, Demo]] | None = None


def demo_blocks() -> dict[str, Demo]:
    """The demo block of every configured outcome set, by pathway (parsed once per set of outcome sets)."""
    global _parsed
    sets = outcome_sets()
    if _parsed is None or _parsed[0] is not sets:
        _parsed = (sets, {pathway: parse_demo(oset) for pathway, oset in sets.items()})
    return _parsed[1]
