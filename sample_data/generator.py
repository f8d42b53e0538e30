"""Deterministic synthetic deliveries in the data-standard format.

``generate(seed, scale, end_month)`` simulates five years of monthly episodes of the demo
centres (``sample_data.centres``) with PROMs, clinical outcomes, PREMs and costs, with
the properties the domain brief asks for: PROM response falling from ~70% at baseline to
~45% at 12 months, case-mix that differs between centres, one true outlier after
case-mix adjustment (UMCG, knee complications) and one that only looks like one before
(Erasmus MC), a process change with a detectable shift (UMC Utrecht, knee length of
stay) and a few extreme cost episodes. Nothing here is real patient data.

``write_deliveries`` cuts the simulated history into the files a programme would have
received: a backfill of the history, then one delivery a month in rotating export
styles (plain CSV, a Dutch Excel-style CSV, an Excel workbook, Parquet), with follow-up
PROMs first delivered unanswered and later corrected, and a few deliberate mistakes in
the last delivery for the quarantine to catch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_models.outcome_sets import common, outcome_sets
from sample_data.centres import CENTRES, PROCESS_CHANGE, DemoCentre

SCALES = {"tiny": 0.08, "small": 1.3, "medium": 26.0, "large": 260.0}
MONTHS = 60
DEFAULT_END_MONTH = "2026-10"
BACKFILL_MONTHS = 12  # the last 12 months arrive as monthly deliveries
PART_IDS = 1_000_000  # episodes one separately simulated part can number

# Episodes per month of a centre of relative volume 1, at scale 1.
BASE_VOLUME = {"knee_oa": 14.0, "ckd": 12.0, "pancreatic_cancer": 9.0, "ibd": 17.0}
TREATMENT_MIX = {
    "knee_oa": {"tka": 0.75, "conservative": 0.25},
    "ckd": {"haemodialysis": 0.35, "peritoneal_dialysis": 0.15, "transplant": 0.15, "conservative": 0.35},
    "pancreatic_cancer": {"whipple": 0.45, "palliative_chemo": 0.35, "best_supportive_care": 0.20},
    "ibd": {"biologic": 0.35, "conventional": 0.55, "surgery": 0.10},
}
AGE = {"knee_oa": (68, 9), "ckd": (62, 14), "pancreatic_cancer": (67, 9), "ibd": (40, 15)}
FEMALE = {"knee_oa": 0.62, "ckd": 0.40, "pancreatic_cancer": 0.48, "ibd": 0.52}
WAIT_DAYS = {"knee_oa": 60, "ckd": 75, "pancreatic_cancer": 21, "ibd": 30}
LOS_DAYS = {"tka": 3.0, "whipple": 12.0, "surgery": 6.0, "transplant": 10.0}

# Clinical event rates by treatment; "*" applies to every treatment of the pathway.
EVENT_RATES: dict[str, dict[str, dict[str, float]]] = {
    "knee_oa": {
        "complication_severe": {"tka": 0.04, "conservative": 0.005},
        "readmission_30d": {"tka": 0.05, "conservative": 0.01},
        "reoperation_1y": {"tka": 0.03, "conservative": 0.005},
    },
    "ckd": {
        "unplanned_dialysis_start": {"haemodialysis": 0.25, "peritoneal_dialysis": 0.10, "conservative": 0.08},
        "hospitalisation": {"haemodialysis": 0.35, "peritoneal_dialysis": 0.30, "transplant": 0.25, "conservative": 0.20},
        "mortality_1y": {"haemodialysis": 0.15, "peritoneal_dialysis": 0.10, "transplant": 0.03, "conservative": 0.20},
    },
    "pancreatic_cancer": {
        "mortality_in_hospital": {"whipple": 0.03},
        "complication_severe": {"whipple": 0.30},
        "pancreatic_fistula_bc": {"whipple": 0.15},
        "readmission": {"whipple": 0.16},
    },
    "ibd": {
        "steroid_use": {"biologic": 0.20, "conventional": 0.40, "surgery": 0.15},
        "hospital_admission": {"biologic": 0.10, "conventional": 0.15, "surgery": 0.30},
        "surgery": {"biologic": 0.03, "conventional": 0.05},
    },
}
EVENT_DAY = {"reoperation_1y": 365, "mortality_1y": 365, "readmission_30d": 30, "return_to_work": 182, "adjuvant_chemo": 90}

# PROM baseline mean and sd, and the change at the primary follow-up by treatment.
PROM_BASE = {
    "oks": (20, 7),
    "koos_ps": (45, 14),
    "nrs_pain": (7, 1.5),
    "eq5d_index": (0.55, 0.18),
    "promis10_physical": (40, 7),
    "promis10_mental": (45, 8),
    "sf12_pcs": (38, 9),
    "sf12_mcs": (46, 10),
    "qlq_c30_ghs": (58, 20),
    "ibd_control_8": (8, 3),
}
PROM_GAIN = {
    "tka": 1.0,
    "conservative": 0.2,
    "haemodialysis": -0.1,
    "peritoneal_dialysis": 0.05,
    "transplant": 0.8,
    "whipple": 0.4,
    "palliative_chemo": -0.2,
    "best_supportive_care": -0.8,
    "biologic": 0.9,
    "conventional": 0.5,
    "surgery": 0.7,
}
PROM_FULL_GAIN = {
    "oks": 16,
    "koos_ps": -20,
    "nrs_pain": -4,
    "eq5d_index": 0.2,
    "promis10_physical": 7,
    "promis10_mental": 5,
    "sf12_pcs": 8,
    "sf12_mcs": 5,
    "qlq_c30_ghs": 15,
    "ibd_control_8": 5,
}
TIMEPOINT_MONTHS = {"baseline": 0, "3m": 3, "6m": 6, "12m": 12}
TIMEPOINT_FRACTION = {"baseline": 0.0, "3m": 0.7, "6m": 0.85, "12m": 1.0}
RESPONSE = {"baseline": 0.72, "3m": 0.56, "6m": 0.50, "12m": 0.46}

COSTS: dict[str, dict[str, float]] = {
    "tka": {
        "or_time": 2600,
        "implant": 1900,
        "ward_days": 650,
        "imaging_lab": 300,
        "outpatient": 450,
        "rehabilitation": 800,
        "medication": 120,
        "other": 150,
    },
    "conservative": {"outpatient": 600, "imaging_lab": 250, "rehabilitation": 500, "medication": 400},
    "haemodialysis": {"dialysis": 42000, "outpatient": 2500, "medication": 4000, "imaging_lab": 900, "other": 600},
    "peritoneal_dialysis": {"dialysis": 33000, "outpatient": 2200, "medication": 3500, "imaging_lab": 800},
    "transplant": {"or_time": 9000, "ward_days": 900, "medication": 11000, "imaging_lab": 1500, "outpatient": 3000},
    "whipple": {"or_time": 9500, "ward_days": 750, "icu_days": 2400, "imaging_lab": 1800, "medication": 2500, "outpatient": 1200},
    "palliative_chemo": {"medication": 16000, "outpatient": 3200, "imaging_lab": 1500},
    "best_supportive_care": {"outpatient": 1500, "other": 2200, "medication": 900},
    "biologic": {"medication": 13000, "outpatient": 1400, "imaging_lab": 700},
    "conventional": {"medication": 1600, "outpatient": 1100, "imaging_lab": 500},
    "surgery": {"or_time": 5200, "ward_days": 700, "imaging_lab": 900, "medication": 900, "outpatient": 800},
}
PER_DAY = {"ward_days", "icu_days"}


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
    end_date: dt.date  # last day of the simulated history

    def tables(self) -> dict[str, pl.DataFrame]:
        return {
            "centres": self.centres,
            "episodes": self.episodes,
            "prom_measurements": self.prom_measurements,
            "clinical_outcomes": self.clinical_outcomes,
            "prem_responses": self.prem_responses,
            "costs": self.costs,
        }


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("datetime64[D]")).cast(pl.Date)


def all_parts() -> list[tuple[DemoCentre, str]]:
    """Every (centre, pathway) the demo simulates, in a fixed order."""
    return [(centre, pathway) for centre in CENTRES for pathway in centre.pathways]


def part_block(part: tuple[DemoCentre, str]) -> int:
    """A part's number: keeps episode and patient ids of separately simulated parts apart."""
    return all_parts().index(part)


def simulate_episodes(
    rng: np.random.Generator, scale: float, end_month: str, part: tuple[DemoCentre, str] | None = None
) -> pl.DataFrame:
    starts = month_starts(end_month)
    start_days = np.array(starts, dtype="datetime64[D]").astype(np.int64)
    month_len = np.diff(np.append(start_days, start_days[-1] + 31))
    parts = []
    for centre, pathway in all_parts() if part is None else [part]:
        counts = rng.poisson(BASE_VOLUME[pathway] * centre.volume * scale, MONTHS)
        month = np.repeat(np.arange(MONTHS), counts)
        parts.append((centre, pathway, month))
    frames = [_episode_attributes(rng, c, p, m, start_days, month_len) for c, p, m in parts if m.size]
    episodes = pl.concat(frames).sort("treatment_date", "centre_code")
    seq = pl.int_range(1, pl.len() + 1).over("centre_code")
    patient = rng.permutation(episodes.height) + 10_000_000
    if part is not None:  # one pathway of one centre: its own block of ids (a pathway's digit, then 6)
        if episodes.height >= PART_IDS:
            raise ValueError(f"a part holds at most {PART_IDS - 1:,} episodes; use more parts")
        seq = seq + part[0].pathways.index(part[1]) * PART_IDS
        patient = patient + part_block(part) * PART_IDS
    return episodes.with_columns(
        pl.format("{}-E{}", pl.col("centre_code"), seq.cast(pl.String).str.zfill(7)).alias("episode_id"),
        pl.format("PT{}", pl.Series(patient).cast(pl.String)).alias("patient_id"),
    )


def _episode_attributes(rng, centre, pathway, month, start_days, month_len) -> pl.DataFrame:
    n = month.size
    mix = TREATMENT_MIX[pathway]
    treatment = rng.choice(list(mix), size=n, p=list(mix.values()))
    day = start_days[month] + (rng.random(n) * month_len[month]).astype(np.int64)
    mean_age, sd_age = AGE[pathway]
    age = np.clip(np.round(rng.normal(mean_age + 5 * centre.severity, sd_age, n)), 18, 100).astype(np.int64)
    asa = np.clip(np.round(rng.normal(2.1 + 0.5 * centre.severity + 0.02 * (age - mean_age), 0.7, n)), 1, 5).astype(np.int64)
    bmi = np.round(np.clip(rng.normal(29 if pathway == "knee_oa" else 26, 4.5, n), 15, 60), 1)
    charlson = np.clip(rng.poisson(np.maximum(0.5, 1.5 + centre.severity + 0.04 * (age - 60))), 0, 37)
    wait = np.round(rng.gamma(2.0, WAIT_DAYS[pathway] / 2.0, n)).astype(np.int64)
    los_mean = np.array([LOS_DAYS.get(t, np.nan) for t in treatment])
    if centre.code == PROCESS_CHANGE["centre"] and pathway == PROCESS_CHANGE["pathway"]:
        after = month >= MONTHS - PROCESS_CHANGE["month_index_from_end"]
        factor = np.where(after, PROCESS_CHANGE["los_after"], PROCESS_CHANGE["los_before"]) / LOS_DAYS["tka"]
        los_mean = los_mean * factor
    los = np.where(np.isnan(los_mean), -1, np.maximum(1, np.round(rng.gamma(8.0, np.nan_to_num(los_mean) / 8.0))))
    literacy = rng.random(n) < np.clip(0.30 + 0.08 * centre.severity, 0.05, 0.9)
    work = (age < 67) & (rng.random(n) < 0.62)
    sdm = rng.random(n) < np.clip(centre.sdm_rate + 0.004 * (month - MONTHS / 2), 0.05, 0.98)
    mdt = rng.random(n) < (0.93 if pathway == "pancreatic_cancer" else 0.35)
    missing = rng.random((4, n)) < np.array([[0.06], [0.05], [0.04], [0.10]])
    return pl.DataFrame(
        {
            "centre_code": np.full(n, centre.code),
            "pathway": np.full(n, pathway),
            "treatment": treatment,
            "referral_date": _dates(day - wait),
            "treatment_date": _dates(day),
            "discharge_date": _dates(np.where(los >= 0, day + los, day)),
            "has_discharge": los >= 0,
            "age": age,
            "sex": np.where(rng.random(n) < FEMALE[pathway], "F", np.where(rng.random(n) < 0.995, "M", "X")),
            "bmi": np.where(missing[0], np.nan, bmi),
            "asa_class": asa,
            "asa_missing": missing[1],
            "charlson_index": charlson,
            "low_health_literacy": literacy,
            "literacy_missing": missing[3],
            "paid_work_baseline": work,
            "sdm_documented": sdm,
            "mdt_discussed": mdt,
            "severity": np.full(n, centre.severity),
        }
    ).with_columns(
        pl.when(pl.col("has_discharge")).then(pl.col("discharge_date")).alias("discharge_date"),
        pl.col("bmi").fill_nan(None),
        pl.when(~pl.col("asa_missing")).then(pl.col("asa_class")).alias("asa_class"),
        pl.when(~pl.col("literacy_missing")).then(pl.col("low_health_literacy")).alias("low_health_literacy"),
        pl.when(pl.col("pathway").is_in(["ckd", "pancreatic_cancer"])).then(pl.col("mdt_discussed")).alias("mdt_discussed"),
    )


def risk_score(ep: pl.DataFrame) -> np.ndarray:
    """The case-mix part of every event's log-odds: age, ASA, BMI and comorbidity."""
    mean_age = ep["pathway"].replace_strict({p: a[0] for p, a in AGE.items()}).to_numpy()
    asa = ep["asa_class"].fill_null(2).to_numpy()
    bmi = ep["bmi"].fill_null(28).to_numpy()
    return (
        0.045 * (ep["age"].to_numpy() - mean_age)
        + 0.45 * (asa - 2)
        + 0.03 * (bmi - 28)
        + 0.12 * (ep["charlson_index"].to_numpy() - 2)
    )


def simulate_outcomes(rng: np.random.Generator, ep: pl.DataFrame) -> pl.DataFrame:
    sets = outcome_sets()
    score = risk_score(ep)
    pathway = ep["pathway"].to_numpy()
    treatment = ep["treatment"].to_numpy()
    centre = ep["centre_code"].to_numpy()
    base_day = ep["treatment_date"].cast(pl.Int64).to_numpy()
    effects = {c.code: c.effects for c in CENTRES}
    rows: list[pl.DataFrame] = []
    events: dict[str, np.ndarray] = {}

    def add(mask: np.ndarray, outcome: str, value: np.ndarray, day: int | np.ndarray) -> None:
        idx = np.flatnonzero(mask)
        if idx.size:
            days = base_day[idx] + (day[idx] if isinstance(day, np.ndarray) else day)
            rows.append(
                pl.DataFrame(
                    {
                        "row": idx,
                        "outcome": np.full(idx.size, outcome),
                        "value": value[idx].astype(float),
                        "measured_on": _dates(days),
                    }
                )
            )

    for p, outcomes in EVENT_RATES.items():
        in_p = pathway == p
        for outcome, by_treatment in outcomes.items():
            base = np.array([by_treatment.get(t, np.nan) for t in treatment])
            applies = in_p & ~np.isnan(base)
            effect = np.array([effects[c].get(f"{p}/{outcome}", 0.0) for c in centre])
            prob = expit(np.log(np.nan_to_num(base, nan=0.5) / (1 - np.nan_to_num(base, nan=0.5))) + 0.7 * score + effect)
            value = rng.random(len(prob)) < prob
            events[f"{p}/{outcome}"] = value & applies
            add(applies, outcome, value, EVENT_DAY.get(outcome, 14))
    whipple = treatment == "whipple"
    bad = (
        events["pancreatic_cancer/complication_severe"]
        | events["pancreatic_cancer/mortality_in_hospital"]
        | events["pancreatic_cancer/readmission"]
    )
    add(whipple, "textbook_outcome", ~bad & (rng.random(len(bad)) < 0.93), 30)
    alive = ~events["pancreatic_cancer/mortality_in_hospital"]
    add(whipple & alive, "adjuvant_chemo", rng.random(len(bad)) < 0.70, 90)
    add(pathway == "pancreatic_cancer", "tumour_stage", np.clip(np.round(rng.normal(2.4, 0.9, len(bad))), 1, 4), 0)
    work = ep["paid_work_baseline"].to_numpy()
    for p in ("knee_oa", "ibd"):
        add((pathway == p) & work, "return_to_work", rng.random(len(bad)) < expit(1.3 - 0.4 * score), 182)
    ckd = pathway == "ckd"
    decline = np.where(treatment == "transplant", rng.normal(-1.0, 2.0, len(bad)), rng.normal(3.0, 2.0, len(bad)) + 0.5 * score)
    add(ckd, "egfr_decline", np.round(decline, 1), 365)
    add(ckd, "diabetes", rng.random(len(bad)) < 0.35 + 0.05 * ep["severity"].to_numpy(), 0)
    ibd = pathway == "ibd"
    calpro = np.round(np.exp(rng.normal(np.where(treatment == "biologic", 4.4, 5.0), 0.8)))
    add(ibd, "faecal_calprotectin", calpro, 180)
    add(ibd, "crohns_disease", rng.random(len(bad)) < 0.55, 0)
    add(ibd, "smoking", rng.random(len(bad)) < 0.20, 0)
    frame = pl.concat(rows)
    unknown = set(frame["outcome"].unique()) - {o for s in sets.values() for o in s.clinical_outcomes}
    if unknown:
        raise ValueError(f"the generator makes outcomes no outcome set defines: {sorted(unknown)}")
    return _attach(ep, frame)


def _attach(ep: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    ids = ep.select("centre_code", "episode_id").with_row_index("row")
    return frame.with_columns(pl.col("row").cast(pl.UInt32)).join(ids, on="row").drop("row")


def simulate_proms(rng: np.random.Generator, ep: pl.DataFrame) -> pl.DataFrame:
    sets = outcome_sets()
    response_shift = {c.code: c.response for c in CENTRES}
    parts = []
    base_day = ep["treatment_date"].cast(pl.Int64).to_numpy()
    literacy = ep["low_health_literacy"].fill_null(False).to_numpy()
    shift = ep["centre_code"].replace_strict(response_shift).to_numpy()
    gain = ep["treatment"].replace_strict(PROM_GAIN).to_numpy()
    age_penalty = np.clip(1.0 - 0.01 * (ep["age"].to_numpy() - 65), 0.6, 1.2)
    for pathway, oset in sets.items():
        idx = np.flatnonzero(ep["pathway"].to_numpy() == pathway)
        if not idx.size:
            continue
        latent = rng.normal(0, 1, idx.size)  # a patient's general health, shared by instruments
        for tp in oset.timepoints:
            if tp == "baseline":
                invited = base_day[idx] - rng.integers(7, 35, idx.size)
            else:
                invited = base_day[idx] + int(TIMEPOINT_MONTHS[tp] * 30.4) + rng.integers(0, 14, idx.size)
            answered = rng.random(idx.size) < np.clip(RESPONSE[tp] + shift[idx] - 0.15 * literacy[idx], 0.05, 0.98)
            completed = invited + rng.integers(0, 21, idx.size)
            for code, inst in oset.instruments.items():
                mean, sd = PROM_BASE[code]
                sign = 1 if inst.better == "higher" else -1
                baseline = mean + sd * (0.7 * latent + 0.7 * rng.normal(0, 1, idx.size)) * sign
                change = PROM_FULL_GAIN[code] * gain[idx] * age_penalty[idx] * TIMEPOINT_FRACTION[tp]
                noise = rng.normal(0, 0.6 * sd, idx.size) if tp != "baseline" else 0
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
    return _attach(ep, frame)


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
    return _attach(ep, pl.concat(parts))


def simulate_costs(rng: np.random.Generator, ep: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    n = ep.height
    treatment = ep["treatment"].to_numpy()
    los = (ep["discharge_date"].cast(pl.Int64) - ep["treatment_date"].cast(pl.Int64)).fill_null(0).to_numpy()
    complicated = (
        ep.select("centre_code", "episode_id")
        .join(
            outcomes.filter(pl.col("outcome") == "complication_severe", pl.col("value") == 1)
            .select("centre_code", "episode_id")
            .with_columns(pl.lit(True).alias("c")),
            on=["centre_code", "episode_id"],
            how="left",
        )["c"]
        .fill_null(False)
        .to_numpy()
    )
    extreme = rng.random(n) < 0.003
    parts = []
    for t, categories in COSTS.items():
        idx = np.flatnonzero(treatment == t)
        if not idx.size:
            continue
        for category, amount in categories.items():
            if category == "icu_days":
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
    return _attach(ep, pl.concat(parts))


def simulate(
    seed: int = 20261123,
    scale: str | float = "small",
    end_month: str = DEFAULT_END_MONTH,
    part: tuple[DemoCentre, str] | None = None,
) -> Simulation:
    """The full synthetic history; the same seed, scale and end month give the same data.

    With ``part`` only that centre's pathway is simulated, from a random stream of its own, so
    a national-scale history can be built one part at a time (``sample_data.chunked``).
    """
    factor = SCALES[scale] if isinstance(scale, str) else float(scale)
    rng = np.random.default_rng(seed if part is None else [seed, part_block(part)])
    ep = simulate_episodes(rng, factor, end_month, part)
    outcomes = simulate_outcomes(rng, ep)
    proms = simulate_proms(rng, ep)
    prems = simulate_prems(rng, ep)
    costs = simulate_costs(rng, ep, outcomes)
    last = month_starts(end_month)[-1]
    end_date = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1) - dt.timedelta(days=1)
    centres = pl.DataFrame(
        {"centre_code": [c.code for c in CENTRES], "name": [c.name for c in CENTRES], "kind": [c.kind for c in CENTRES]}
    )
    episode_cols = [c for c in ep.columns if c not in ("has_discharge", "asa_missing", "literacy_missing", "severity")]
    return Simulation(
        centres=centres,
        episodes=ep.select(
            "centre_code",
            "episode_id",
            "patient_id",
            *[c for c in episode_cols if c not in ("centre_code", "episode_id", "patient_id")],
        ),
        prom_measurements=proms.select(
            "centre_code", "episode_id", "instrument", "timepoint", "invited_on", "completed_on", "score"
        ),
        clinical_outcomes=outcomes.select("centre_code", "episode_id", "outcome", "value", "measured_on"),
        prem_responses=prems.select("centre_code", "episode_id", "instrument", "score", "completed_on"),
        costs=costs.select("centre_code", "episode_id", "category", "amount_eur"),
        end_date=end_date,
    )
