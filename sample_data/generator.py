"""Deterministic synthetic deliveries in the data-standard format.

``generate(seed, scale, end_month)`` simulates five years of monthly episodes of the demo
centres (``sample_data.centres``) with PROMs, clinical outcomes, PREMs, costs and baseline
characteristics, with the properties the domain brief asks for: PROM response falling from ~70%
at baseline to ~45% at 12 months, case-mix that differs between centres, one true outlier after
case-mix adjustment and one that only looks like one before, a process change with a detectable
shift and a few extreme cost episodes. Nothing here is real patient data.

Nothing here names a pathway, treatment, outcome or case-mix variable: it loops over the
outcome sets, and every number about a pathway comes from its demo block
(``data_models.demo_block``): volumes, treatment mix, case-mix distributions and how strongly
they move the outcomes, event rates, PROM levels and changes, costs, which centres offer it,
and its stories (a centre's true excess, a team's process change). Each centre's pathway is
drawn from a random stream of its own, so adding a pathway changes no other pathway's data.

``write_deliveries`` cuts the simulated history into the files a programme would have
received: a backfill of the history, then one delivery a month in rotating export
styles (plain CSV, a Dutch Excel-style CSV, an Excel workbook, Parquet), with follow-up
PROMs first delivered unanswered and later corrected, and a few deliberate mistakes in
the last delivery for the quarantine to catch.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_models.demo_block import CategoricalDemo, Demo, EventDemo, NumericDemo, demo_blocks
from data_models.outcome_sets import common, outcome_sets
from data_models.schemas import TABLES
from sample_data.centres import CENTRES, DemoCentre, check_centres
from sample_data.practices import practice_stories

SCALES = {"tiny": 0.08, "small": 1.3, "medium": 26.0, "large": 260.0}
MONTHS = 60
DEFAULT_END_MONTH = "2026-10"
BACKFILL_MONTHS = 12  # the last 12 months arrive as monthly deliveries
PART_IDS = 1_000_000  # episodes one separately simulated part can number

# Share of the change at the primary follow-up reached at each timepoint, and PROM response.
TIMEPOINT_FRACTION = {"baseline": 0.0, "3m": 0.7, "6m": 0.85, "12m": 1.0}
RESPONSE = {"baseline": 0.72, "3m": 0.56, "6m": 0.50, "12m": 0.46}
PER_DAY = {"ward_days", "icu_days"}  # cost categories charged per day admitted
ICU = "icu_days"  # days depend on the complication, not the length of stay
EXTREME_COSTS = 0.003  # share of episodes with extreme costs
LITERACY_MISSING = 0.10
PROM_FACTOR = (0.6, 1.2)  # how far case-mix can scale a patient's PROM change
CHARACTERISTIC = "characteristic:"  # prefix of the episode frame's columns of baseline characteristics


def month_starts(end_month: str, n: int = MONTHS) -> list[dt.date]:
    end = dt.date.fromisoformat(end_month + "-01")
    starts = []
    y, m = end.year, end.month
    for _ in range(n):
        starts.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return starts[::-1]


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


@dataclass
class Simulation:
    centres: pl.DataFrame
    episodes: pl.DataFrame
    prom_measurements: pl.DataFrame
    clinical_outcomes: pl.DataFrame
    prem_responses: pl.DataFrame
    costs: pl.DataFrame
    baseline_characteristics: pl.DataFrame  # centre_code, episode_id, variable, value (text)
    end_date: dt.date  # last day of the simulated history

    def tables(self) -> dict[str, pl.DataFrame]:
        return {
            "centres": self.centres,
            "episodes": self.episodes,
            "prom_measurements": self.prom_measurements,
            "clinical_outcomes": self.clinical_outcomes,
            "prem_responses": self.prem_responses,
            "costs": self.costs,
            "baseline_characteristics": self.baseline_characteristics,
        }


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("datetime64[D]")).cast(pl.Date)


def all_parts() -> list[tuple[DemoCentre, str]]:
    """Every (centre, pathway) the demo simulates, in a fixed order."""
    return [(centre, pathway) for centre in CENTRES for pathway in centre.pathways]


def part_block(part: tuple[DemoCentre, str]) -> int:
    """A part's number: keeps episode and patient ids of separately simulated parts apart."""
    return all_parts().index(part)


def part_rng(seed: int, part: tuple[DemoCentre, str]) -> np.random.Generator:
    """The random stream of one centre's pathway: adding a pathway or a centre changes no other part's data."""
    centre, pathway = part
    return np.random.default_rng([seed, *(zlib.crc32(key.encode()) for key in (centre.code, pathway))])


def simulate_part(seed: int, scale: float, end_month: str, part: tuple[DemoCentre, str]) -> dict[str, pl.DataFrame]:
    """One centre's pathway from its own random stream: its episodes (with the case-mix columns and,
    internally, each one's risk) and the rows of the other tables, which point at them by ``row``."""
    centre, pathway = part
    demo = demo_blocks()[pathway]
    rng = part_rng(seed, part)
    start_days = np.array(month_starts(end_month), dtype="datetime64[D]").astype(np.int64)
    month_len = np.diff(np.append(start_days, start_days[-1] + 31))
    month = np.repeat(np.arange(MONTHS), rng.poisson(demo.volume * centre.volume * scale, MONTHS))
    if not month.size:
        return {}
    ep = _episode_attributes(rng, centre, demo, month, start_days, month_len)
    outcomes = simulate_outcomes(rng, ep)
    return {
        "episodes": ep,
        "clinical_outcomes": outcomes,
        "prom_measurements": simulate_proms(rng, ep),
        "prem_responses": simulate_prems(rng, ep),
        "costs": simulate_costs(rng, ep, outcomes),
    }


def _identified(seed: int, episodes: pl.DataFrame, part: tuple[DemoCentre, str] | None) -> pl.DataFrame:
    """Episode and patient ids: a number per centre in treatment order, a shuffled patient number."""
    episodes = _with_columns(episodes).sort("treatment_date", "centre_code", maintain_order=True)
    seq = pl.int_range(1, pl.len() + 1).over("centre_code")
    keys = ("patients",) if part is None else ("patients", part[0].code, part[1])
    patient = np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)]).permutation(episodes.height) + 10_000_000
    if part is not None:  # one pathway of one centre: its own block of ids (a pathway's digit, then 6)
        if episodes.height >= PART_IDS:
            raise ValueError(f"a part holds at most {PART_IDS - 1:,} episodes; use more parts")
        seq = seq + part[0].pathways.index(part[1]) * PART_IDS
        patient = patient + part_block(part) * PART_IDS
    return episodes.with_columns(
        pl.format("{}-E{}", pl.col("centre_code"), seq.cast(pl.String).str.zfill(7)).alias("episode_id"),
        pl.format("PT{}", pl.Series(patient).cast(pl.String)).alias("patient_id"),
    )


def _with_columns(episodes: pl.DataFrame) -> pl.DataFrame:
    """Every column of the data standard's episodes (empty where no pathway fills it), in its types."""
    dtypes = TABLES["episodes"].dtypes
    missing = [pl.lit(None, dtype=dtypes[c]).alias(c) for c in TABLES["episodes"].columns if c not in episodes.columns]
    typed = [pl.col(c).cast(dtypes[c]) for c in episodes.columns if c in dtypes]
    return episodes.with_columns(*missing, *typed)


def _numeric(rng, var: NumericDemo, n: int, severity: float, drawn: dict[str, np.ndarray], refs: dict[str, float]) -> np.ndarray:
    mean = var.mean + var.severity * severity + sum(s * (drawn[o] - refs[o]) for o, s in var.slopes.items())
    if var.distribution == "poisson":
        value = rng.poisson(np.maximum(mean, 0.0) * np.ones(n)).astype(float)
    else:
        value = rng.normal(mean, var.sd, n)
    if var.step:
        value = np.round(value / var.step) * var.step
    return np.round(np.clip(value, var.min, var.max), var.decimals)


def _categorical(rng, var: CategoricalDemo, n: int, severity: float) -> np.ndarray:
    choices = list(var.probabilities)
    weights = np.array([var.probabilities[c] * np.exp(var.severity.get(c, 0.0) * severity) for c in choices])
    return rng.choice(np.array(choices, dtype=object), size=n, p=weights / weights.sum())


def _casemix(rng, centre: DemoCentre, demo: Demo, n: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The pathway's case-mix values (missing ones as None/NaN), the risk score and the PROM gain factor."""
    drawn: dict[str, np.ndarray] = {}
    refs = {c: v.reference for c, v in demo.casemix.items() if isinstance(v, NumericDemo)}
    risk, prom = np.zeros(n), np.ones(n)
    values: dict[str, np.ndarray] = {}
    for code, var in demo.casemix.items():
        if isinstance(var, NumericDemo):
            value = _numeric(rng, var, n, centre.severity, drawn, refs)
            risk += var.effect * (value - var.reference)
            prom += var.prom_effect * (value - var.reference)
            shown = np.where(rng.random(n) < var.missing, np.nan, value) if var.missing else value
        else:
            value = _categorical(rng, var, n, centre.severity)
            risk += np.array([var.effect.get(v, 0.0) for v in value])
            prom += np.array([var.prom_effect.get(v, 0.0) for v in value])
            shown = np.where(rng.random(n) < var.missing, None, value) if var.missing else value
        drawn[code] = value
        values[code] = shown
    return values, risk, np.clip(prom, *PROM_FACTOR)


def _episode_attributes(rng, centre: DemoCentre, demo: Demo, month, start_days, month_len) -> pl.DataFrame:
    oset = outcome_sets()[demo.pathway]
    n = month.size
    mix = {code: t.share for code, t in demo.treatments.items() if t.share > 0}
    treatment = rng.choice(list(mix), size=n, p=np.array(list(mix.values())) / sum(mix.values()))
    day = start_days[month] + (rng.random(n) * month_len[month]).astype(np.int64)
    values, risk, prom_factor = _casemix(rng, centre, demo, n)
    wait = np.round(rng.gamma(2.0, demo.waiting_days / 2.0, n)).astype(np.int64)
    los_mean = np.array([demo.treatments[t].length_of_stay or np.nan for t in treatment])
    change = demo.process_change
    if change and change.centre == centre.code:
        after = month >= MONTHS - change.months_before_end
        changed = np.where(after, change.after, change.before)
        los_mean = np.where(treatment == change.treatment, changed, los_mean)
    los = np.where(np.isnan(los_mean), -1, np.maximum(1, np.round(rng.gamma(8.0, np.nan_to_num(los_mean) / 8.0))))
    literacy = rng.random(n) < np.clip(0.30 + 0.08 * centre.severity, 0.05, 0.9)
    work = rng.random(n) < demo.paid_work
    for code, limit in demo.paid_work_below.items():
        work &= values[code] < limit
    sdm = rng.random(n) < np.clip(centre.sdm_rate + 0.004 * (month - MONTHS / 2), 0.05, 0.98)
    mdt = rng.random(n) < demo.mdt_discussed if demo.mdt_discussed is not None else np.full(n, None)
    literacy_missing = rng.random(n) < LITERACY_MISSING
    columns = {}
    for code, value in values.items():
        var = oset.casemix[code]
        if var.origin == "episode":
            columns[var.column] = value
        elif var.is_numeric:
            columns[CHARACTERISTIC + code] = value.astype(float)
        else:
            columns[CHARACTERISTIC + code] = pl.Series(value.tolist(), dtype=pl.String)
    return pl.DataFrame(
        {
            "centre_code": np.full(n, centre.code),
            "pathway": np.full(n, demo.pathway),
            "treatment": treatment,
            "referral_date": _dates(day - wait),
            "treatment_date": _dates(day),
            "discharge_date": _dates(np.where(los >= 0, day + los, day)),
            "_has_discharge": los >= 0,
            **{
                c: (pl.Series(v.tolist(), dtype=pl.String) if v.dtype == object else v)
                for c, v in columns.items()
                if not c.startswith(CHARACTERISTIC)
            },
            "low_health_literacy": pl.Series(np.where(literacy_missing, None, literacy).tolist(), dtype=pl.Boolean),
            "paid_work_baseline": work,
            "sdm_documented": sdm,
            "mdt_discussed": pl.Series(mdt.tolist(), dtype=pl.Boolean),
            **{c: v for c, v in columns.items() if c.startswith(CHARACTERISTIC)},
            "_risk": risk,
            "_prom_factor": prom_factor,
            "_severity": np.full(n, centre.severity),
            "_month": month,
        }
    ).with_columns(
        pl.when(pl.col("_has_discharge")).then(pl.col("discharge_date")).alias("discharge_date"),
        pl.col(pl.Float64).fill_nan(None),
    )


def baseline_characteristics(ep: pl.DataFrame) -> pl.DataFrame:
    """The long table of case-mix variables of origin characteristic: one row per episode and variable."""
    columns = [c for c in ep.columns if c.startswith(CHARACTERISTIC)]
    schema = {"centre_code": pl.String, "episode_id": pl.String, "variable": pl.String, "value": pl.String}
    if not columns:
        return pl.DataFrame(schema=schema)
    as_text = [pl.col(c).cast(pl.String).alias(c.removeprefix(CHARACTERISTIC)) for c in columns]
    return (
        ep.select("centre_code", "episode_id", *as_text)
        .unpivot(index=["centre_code", "episode_id"], variable_name="variable", value_name="value")
        .filter(pl.col("value").is_not_null())
        .select(list(schema))
    )


def simulate_outcomes(rng: np.random.Generator, ep: pl.DataFrame) -> pl.DataFrame:
    """Every clinical outcome of every pathway, from its demo block: events and measures."""
    sets, demos = outcome_sets(), demo_blocks()
    pathway = ep["pathway"].to_numpy()
    treatment = ep["treatment"].to_numpy()
    centre = ep["centre_code"].to_numpy()
    base_day = ep["treatment_date"].cast(pl.Int64).to_numpy()
    work = ep["paid_work_baseline"].fill_null(False).to_numpy()
    month = ep["_month"].to_numpy()
    rows: list[pl.DataFrame] = []

    def add(idx: np.ndarray, outcome: str, value: np.ndarray, day: int) -> None:
        if idx.size:
            rows.append(
                pl.DataFrame(
                    {
                        "row": idx,
                        "outcome": np.full(idx.size, outcome),
                        "value": value.astype(float),
                        "measured_on": _dates(base_day[idx] + day),
                    }
                )
            )

    for p, demo in demos.items():
        idx = np.flatnonzero(pathway == p)
        if not idx.size:
            continue
        oset = sets[p]
        t, c = treatment[idx], centre[idx]
        score = ep["_risk"].to_numpy()[idx].copy()
        severity = ep["_severity"].to_numpy()[idx]
        happened: dict[str, np.ndarray] = {}
        for code, out in demo.outcomes.items():
            if isinstance(out, EventDemo):
                base = np.clip(np.array([out.rate.get(x, np.nan) for x in t]), 1e-6, 1 - 1e-6)
                applies = ~np.isnan(base)
                if code == oset.prediction.work_outcome:
                    applies &= work[idx]  # return to work: only who worked before
                for other in out.unless:
                    applies &= ~happened[other]
                effect = np.zeros(idx.size)
                for centre_code, effects in demo.centre_effects.items():
                    if code in effects:
                        excess = effects[code]
                        lasts = MONTHS - (excess.months_before_end or 0)
                        effect += np.where((c == centre_code) & (month[idx] < lasts), excess.log_odds, 0.0)
                logodds = np.log(np.nan_to_num(base, nan=0.5) / (1 - np.nan_to_num(base, nan=0.5)))
                value = rng.random(idx.size) < expit(logodds + out.risk * score + out.severity * severity + effect)
                for other in out.none_of:
                    value &= ~happened[other]
                happened[code] = value & applies
                score += out.effect * happened[code]
                add(idx[applies], code, value[applies], out.day)
            else:
                mean = np.array([out.mean.get(x, np.nan) for x in t])
                applies = ~np.isnan(mean)
                value = rng.normal(np.nan_to_num(mean), out.sd, idx.size) + out.risk * score + out.severity * severity
                value = np.exp(value) if out.log else value
                value = np.round(
                    np.clip(value, out.min if out.min is not None else -np.inf, out.max if out.max is not None else np.inf),
                    out.decimals,
                )
                add(idx[applies], code, value[applies], out.day)
    frame = pl.concat(rows)
    unknown = set(frame["outcome"].unique()) - {o for s in sets.values() for o in s.clinical_outcomes}
    if unknown:
        raise ValueError(f"the generator makes outcomes no outcome set defines: {sorted(unknown)}")
    return frame


def timepoint_months(timepoint: str) -> int:
    """Months after treatment of a timepoint of the data standard ("baseline" 0, "3m" 3, …)."""
    found = re.fullmatch(r"(\d+)m", timepoint)
    return int(found.group(1)) if found else 0


def _practice_gain(ep: pl.DataFrame, idx: np.ndarray, pathway: str, timepoint: str) -> np.ndarray | float:
    """The response gain of the demo's shared practice (``sample_data.practices``): its centre, from its start month."""
    story = practice_stories().get(pathway)
    if story is None or story.timepoint != timepoint:
        return 0.0
    centre, month = ep["centre_code"].to_numpy()[idx], ep["_month"].to_numpy()[idx]
    return np.where((centre == story.centre) & (month >= MONTHS - story.months_before_end), story.gain, 0.0)


def simulate_proms(rng: np.random.Generator, ep: pl.DataFrame) -> pl.DataFrame:
    sets, demos = outcome_sets(), demo_blocks()
    response_shift = {c.code: c.response for c in CENTRES}
    parts = []
    base_day = ep["treatment_date"].cast(pl.Int64).to_numpy()
    literacy = ep["low_health_literacy"].fill_null(False).to_numpy()
    shift = ep["centre_code"].replace_strict(response_shift).to_numpy()
    treatment = ep["treatment"].to_numpy()
    factor = ep["_prom_factor"].to_numpy()
    for pathway, oset in sets.items():
        idx = np.flatnonzero(ep["pathway"].to_numpy() == pathway)
        if not idx.size:
            continue
        demo = demos[pathway]
        latent = rng.normal(0, 1, idx.size)  # a patient's general health, shared by instruments
        for tp in oset.timepoints:
            if timepoint_months(tp) == 0:
                invited = base_day[idx] - rng.integers(7, 35, idx.size)
            else:
                invited = base_day[idx] + int(timepoint_months(tp) * 30.4) + rng.integers(0, 14, idx.size)
            response = RESPONSE.get(tp, min(RESPONSE.values())) + _practice_gain(ep, idx, pathway, tp)
            answered = rng.random(idx.size) < np.clip(response + shift[idx] - 0.15 * literacy[idx], 0.05, 0.98)
            completed = invited + rng.integers(0, 21, idx.size)
            for code, inst in oset.instruments.items():
                prom = demo.proms[code]
                sign = 1 if inst.better == "higher" else -1
                baseline = prom.mean + prom.sd * (0.7 * latent + 0.7 * rng.normal(0, 1, idx.size)) * sign
                full = np.array([prom.change.get(t, 0.0) for t in treatment[idx]])
                change = full * factor[idx] * TIMEPOINT_FRACTION.get(tp, 1.0)
                noise = rng.normal(0, 0.6 * prom.sd, idx.size) if timepoint_months(tp) else 0
                score = np.clip(baseline + change + noise, inst.min, inst.max)
                score = np.round(score, 3 if inst.max <= 1 else 0)
                parts.append(
                    pl.DataFrame(
                        {
                            "row": idx,
                            "instrument": np.full(idx.size, code),
                            "timepoint": np.full(idx.size, tp),
                            "invited_on": _dates(invited),
                            "completed_on": _dates(completed),
                            "answered": answered,
                            "score": score,
                        }
                    )
                )
    frame = (
        pl.concat(parts)
        .with_columns(
            pl.when(pl.col("answered")).then(pl.col("completed_on")).alias("completed_on"),
            pl.when(pl.col("answered")).then(pl.col("score")).alias("score"),
        )
        .drop("answered")
    )
    return frame


def simulate_prems(rng: np.random.Generator, ep: pl.DataFrame) -> pl.DataFrame:
    n = ep.height
    answered = rng.random(n) < 0.45
    sdm = ep["sdm_documented"].to_numpy()
    base_day = ep["treatment_date"].cast(pl.Int64).to_numpy() + rng.integers(14, 60, n)
    tendency = rng.normal(np.where(sdm, 8.6, 7.6), 1.0, n)
    parts = []
    for code, inst in common().prem_instruments.items():
        spread = 1.2 if code.startswith("collaborate") else 1.4
        score = np.clip(
            np.round(tendency + rng.normal(0, spread * 0.5, n) + (0.6 if code == "pem_overall" else 0)), inst.min, inst.max
        )
        idx = np.flatnonzero(answered)
        parts.append(
            pl.DataFrame(
                {
                    "row": idx,
                    "instrument": np.full(idx.size, code),
                    "score": score[idx].astype(float),
                    "completed_on": _dates(base_day[idx]),
                }
            )
        )
    return pl.concat(parts)


def simulate_costs(rng: np.random.Generator, ep: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Costs per treatment and category from the demo blocks; the pathway's harm event makes admissions dearer."""
    sets, demos = outcome_sets(), demo_blocks()
    n = ep.height
    pathway = ep["pathway"].to_numpy()
    treatment = ep["treatment"].to_numpy()
    los = (ep["discharge_date"].cast(pl.Int64) - ep["treatment_date"].cast(pl.Int64)).fill_null(0).to_numpy()
    harm = {p: s.prediction.harm_event for p, s in sets.items() if s.prediction.harm_event}
    complicated = np.zeros(n, dtype=bool)
    harmed = outcomes.filter(pl.col("value") == 1)["row", "outcome"]
    if harmed.height:
        rows = harmed["row"].to_numpy()
        complicated[rows[harmed["outcome"].to_numpy() == np.array([harm.get(p) for p in pathway[rows]], dtype=object)]] = True
    extreme = rng.random(n) < EXTREME_COSTS
    parts = []
    for p, demo in demos.items():
        for t, spec in demo.treatments.items():
            idx = np.flatnonzero((pathway == p) & (treatment == t))
            if not idx.size:
                continue
            for category, amount in spec.costs.items():
                if category == ICU:
                    days = np.where(complicated[idx], rng.integers(2, 8, idx.size), rng.integers(0, 2, idx.size))
                    base = amount * days
                elif category in PER_DAY:
                    base = amount * np.maximum(los[idx], 1)
                else:
                    base = amount * np.ones(idx.size)
                factor = rng.lognormal(0, 0.25, idx.size) * np.where(complicated[idx] & (category in PER_DAY), 2.5, 1.0)
                factor = factor * np.where(
                    extreme[idx] & (category in PER_DAY or category == "other"), rng.uniform(6, 15, idx.size), 1.0
                )
                parts.append(
                    pl.DataFrame({"row": idx, "category": np.full(idx.size, category), "amount_eur": np.round(base * factor, 2)})
                )
    return pl.concat(parts)


def simulate(
    seed: int = 20261123,
    scale: str | float = "small",
    end_month: str = DEFAULT_END_MONTH,
    part: tuple[DemoCentre, str] | None = None,
) -> Simulation:
    """The full synthetic history; the same seed, scale and end month give the same data.

    Each centre's pathway is simulated from a random stream of its own (``part_rng``), so adding
    a pathway leaves the others' data as they were. With ``part`` only that centre's pathway is
    simulated, with ids of its own, so a national-scale history can be built one part at a time
    (``sample_data.chunked``).
    """
    factor = SCALES[scale] if isinstance(scale, str) else float(scale)
    check_centres(demo_blocks())
    pieces = [simulate_part(seed, factor, end_month, p) for p in (all_parts() if part is None else [part])]
    pieces = [p for p in pieces if p]
    if not pieces:
        raise ValueError("the demo centres offer no pathway: nothing to simulate")

    def joined(name: str) -> pl.DataFrame:
        return pl.concat(
            [p[name].with_columns(pl.lit(k).alias("_part"), pl.col("row").cast(pl.Int64)) for k, p in enumerate(pieces)],
            how="diagonal_relaxed",
        )

    stacked = [
        p["episodes"].with_columns(pl.lit(k).alias("_part"), pl.int_range(pl.len(), dtype=pl.Int64).alias("row"))
        for k, p in enumerate(pieces)
    ]
    ep = _identified(seed, pl.concat(stacked, how="diagonal_relaxed"), part)
    ids = ep.select("_part", "row", "centre_code", "episode_id")

    def attached(name: str) -> pl.DataFrame:
        return joined(name).join(ids, on=["_part", "row"], maintain_order="left").drop("_part", "row")

    outcomes, proms, prems, costs = (attached(n) for n in ("clinical_outcomes", "prom_measurements", "prem_responses", "costs"))
    last = month_starts(end_month)[-1]
    end_date = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1) - dt.timedelta(days=1)
    centres = pl.DataFrame(
        {"centre_code": [c.code for c in CENTRES], "name": [c.name for c in CENTRES], "kind": [c.kind for c in CENTRES]}
    )
    return Simulation(
        centres=centres,
        episodes=ep.select(TABLES["episodes"].columns),
        prom_measurements=proms.select(
            "centre_code", "episode_id", "instrument", "timepoint", "invited_on", "completed_on", "score"
        ),
        clinical_outcomes=outcomes.select("centre_code", "episode_id", "outcome", "value", "measured_on"),
        prem_responses=prems.select("centre_code", "episode_id", "instrument", "score", "completed_on"),
        costs=costs.select("centre_code", "episode_id", "category", "amount_eur"),
        baseline_characteristics=baseline_characteristics(ep),
        end_date=end_date,
    )
