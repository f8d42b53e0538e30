"""What happened to patients like this one: prediction models per treatment option, and how good they are.

For each treatment of a pathway, fitted on the warehouse's patients who had it:

- the follow-up score of the primary PROM (ordinary least squares, statsmodels), with a
  prediction interval for one new patient: the range in which 8 of 10 such patients end up;
- one model per follow-up timepoint, for the expected trajectory of an individual patient;
- the chance of reaching the minimal important change, of the pathway's harm event (a
  severe complication, or the headline event) and, for patients in paid work, of returning
  to work (logistic regression).

Covariates are every case-mix variable of the outcome set, by its kind (numeric ones as numbers,
categorical ones as a dummy per common level), whatever table delivers it; the harm event and the
work outcome are the outcome set's ``prediction`` block. A missing value
gets the median of the patients the model was fitted on (no missing-indicator: for one new
patient whose BMI is unknown, "like the typical patient" is the honest assumption, and an
indicator fitted on a handful of patients can run away). Each model
keeps only its coefficients, never the patients it was fitted on. Before the final fit on
everyone, each model is fitted on three quarters of the patients and tested on the held-out
quarter: calibration by decile (predicted against observed) and discrimination (the
c-statistic for chances, R² and interval coverage for scores). A treatment with more than
20,000 patients (a national programme over five years) is fitted on a stable sample of
20,000 of them: a dozen coefficients hardly gain precision beyond that, and the models are
ready in seconds and in little memory.

The samen-beslissen form is the outcome set's case-mix too (``patient_form``): a number field per
numeric variable (its range, step and unit), a choice per categorical one (its labels), the
baseline score within the primary instrument's range; ``check_profile`` says which answers are
out of range. What leaves for one patient (``options_for``) are predictions and counts of
similar patients, the pooled count only where the other centres together have ten or more.
"""

from __future__ import annotations

import io
import json
import math
import warnings
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import polars as pl
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from analytics.casemix import logistic_params, split_by_kind
from analytics.disclosure import pooled_count
from data_models.outcome_sets import CATEGORICAL, CasemixVariable, Instrument, OutcomeSet

MIN_PATIENTS = 30  # fewer: no model
MIN_EVENTS = 5  # fewer events (or non-events): no chance model
COVERAGE = 0.8  # the prediction interval holds 8 of 10 patients
MIN_LEVEL = 20  # a category with fewer patients (sex X, say) joins the reference: no runaway coefficient
MAX_LOG_ODDS = 10.0  # a coefficient beyond this means (quasi-)separation, not a real effect
TIMEPOINT_COLUMNS = {"3m": "score_3m", "6m": "score_6m", "12m": "score_12m"}
MAX_FIT_PATIENTS = 20_000  # per treatment; more adds no useful precision to a dozen coefficients


def _common_levels(values: pl.Series) -> tuple[str, ...]:
    """The levels with at least ``MIN_LEVEL`` patients, most common first (the reference); rare ones join it."""
    counts = values.cast(pl.String).fill_null("missing").value_counts(sort=True)
    return tuple(level for level, n in counts.iter_rows() if n >= MIN_LEVEL) or ("missing",)


@dataclass(frozen=True)
class Design:
    """How a frame becomes a covariate matrix, fixed at fit time so one new patient gets the same columns."""

    numeric: tuple[str, ...]
    medians: dict[str, float]
    flagged: tuple[str, ...]  # numeric variables with a missing-indicator column
    levels: dict[str, tuple[str, ...]]  # categorical variable → levels (the first is the reference)

    @classmethod
    def fit(cls, frame: pl.DataFrame, numeric: list[str], categorical: list[str]) -> Design:
        usable = [c for c in numeric if frame[c].drop_nulls().n_unique() > 1]
        medians = {c: float(frame[c].cast(pl.Float64).median()) for c in usable}
        flagged: tuple[str, ...] = ()
        levels = {c: _common_levels(frame[c]) for c in categorical}
        return cls(tuple(usable), medians, flagged, levels)

    @property
    def names(self) -> list[str]:
        dummies = [f"{c}={lvl}" for c, lv in self.levels.items() for lvl in lv[1:]]
        return ["const", *self.numeric, *(f"{c}_missing" for c in self.flagged), *dummies]

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        columns = [np.ones(frame.height)]
        columns += [frame[c].cast(pl.Float64).fill_null(self.medians[c]).to_numpy() for c in self.numeric]
        columns += [frame[c].is_null().cast(pl.Float64).to_numpy() for c in self.flagged]
        for c, lv in self.levels.items():
            values = frame[c].cast(pl.String).fill_null("missing")
            columns += [(values == level).cast(pl.Float64).to_numpy() for level in lv[1:]]
        return np.column_stack(columns)


@dataclass(frozen=True)
class LinearModel:
    design: Design
    params: np.ndarray
    cov: np.ndarray
    scale: float  # residual variance
    df_resid: float

    def predict(self, frame: pl.DataFrame, coverage: float = COVERAGE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expected score and the interval in which ``coverage`` of such patients end up."""
        x = self.design.matrix(frame)
        mean = x @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, self.cov, x) + self.scale)
        half = stats.t.ppf(0.5 + coverage / 2, self.df_resid) * se
        return mean, mean - half, mean + half


@dataclass(frozen=True)
class LogisticModel:
    design: Design
    params: np.ndarray

    def predict(self, frame: pl.DataFrame) -> np.ndarray:
        return expit(self.design.matrix(frame) @ self.params)


def fit_linear(frame: pl.DataFrame, target: str, numeric: list[str], categorical: list[str]) -> LinearModel | None:
    """OLS on the rows with the target; the design is fitted on those same rows, so no column is empty."""
    rows = frame.filter(pl.col(target).is_not_null())
    if rows.height < MIN_PATIENTS:
        return None
    design = Design.fit(rows, numeric, categorical)
    with warnings.catch_warnings():
        # a dummy that is all zero in this subset (a level only other rows have): the pseudo-inverse gives it 0
        warnings.simplefilter("ignore", SingularMatrixWarning)
        fitted = sm.OLS(rows[target].cast(pl.Float64).to_numpy(), design.matrix(rows)).fit()
    return LinearModel(
        design, np.asarray(fitted.params), np.asarray(fitted.cov_params()), float(fitted.scale), float(fitted.df_resid)
    )


def fit_logistic(frame: pl.DataFrame, target: str, numeric: list[str], categorical: list[str]) -> LogisticModel | None:
    rows = frame.filter(pl.col(target).is_not_null())
    y = rows[target].cast(pl.Float64).to_numpy()
    if rows.height < MIN_PATIENTS or min(y.sum(), len(y) - y.sum()) < MIN_EVENTS:
        return None
    design = Design.fit(rows, numeric, categorical)
    return LogisticModel(design, logistic_params(design.matrix(rows), y, ridge=1e-2, max_log_odds=MAX_LOG_ODDS))


@dataclass(frozen=True)
class Validation:
    """How a model did on held-out patients it was not fitted on."""

    outcome: str  # followup | mic | event | work
    treatment: str
    train_n: int
    test_n: int
    calibration: pl.DataFrame  # decile, patients_n, predicted_mean, observed_mean
    c_statistic: float | None = None  # chances: area under the ROC curve
    brier: float | None = None
    r_squared: float | None = None  # scores
    interval_coverage: float | None = None  # scores: share of held-out patients inside the 80% interval


def calibration_by_decile(predicted: np.ndarray, observed: np.ndarray) -> pl.DataFrame:
    """Mean predicted against mean observed per tenth of the predictions (ties kept together).

    A patient's decile follows from the number of patients with a strictly lower prediction
    (``rank("min")``), so equal predictions always share a decile, whatever the row order;
    a decile may then hold more or fewer than a tenth of the patients, or none.
    """
    frame = pl.DataFrame({"predicted": predicted, "observed": observed})
    ranks = frame["predicted"].rank("min").to_numpy() - 1
    decile = np.minimum((ranks * 10) // max(len(ranks), 1), 9).astype(int) + 1
    return (
        frame.with_columns(pl.Series("decile", decile))
        .group_by("decile")
        .agg(
            pl.len().alias("patients_n"),
            pl.col("predicted").mean().alias("predicted_mean"),
            pl.col("observed").mean().alias("observed_mean"),
        )
        .sort("decile")
    )


def c_statistic(predicted: np.ndarray, observed: np.ndarray) -> float | None:
    """The chance that a random patient with the outcome got a higher prediction than one without."""
    positives, negatives = predicted[observed == 1], predicted[observed == 0]
    if len(positives) == 0 or len(negatives) == 0:
        return None
    u = stats.mannwhitneyu(positives, negatives, alternative="two-sided").statistic
    return float(u / (len(positives) * len(negatives)))


def held_out(frame: pl.DataFrame) -> pl.Series:
    """A stable quarter of the episodes, by a checksum of their id (the same split on every refit)."""
    return pl.Series([zlib.crc32(e.encode()) % 4 == 0 for e in frame["episode_id"].to_list()], dtype=pl.Boolean)


def validate(frame: pl.DataFrame, target: str, kind: str, spec: Spec, outcome: str, treatment: str) -> Validation | None:
    rows = frame.filter(pl.col(target).is_not_null())
    test_mask = held_out(rows)
    train, test = rows.filter(~test_mask), rows.filter(test_mask)
    model = (fit_linear if kind == "linear" else fit_logistic)(train, target, spec.numeric, spec.categorical)
    if model is None or test.height < 10:
        return None
    observed = test[target].cast(pl.Float64).to_numpy()
    if kind == "linear":
        mean, lower, upper = model.predict(test)
        r2 = 1 - float(np.sum((observed - mean) ** 2) / np.sum((observed - observed.mean()) ** 2))
        inside = float(np.mean((observed >= lower) & (observed <= upper)))
        return Validation(outcome, treatment, train.height, test.height, calibration_by_decile(mean, observed), r_squared=r2,
                          interval_coverage=inside)  # fmt: skip
    chance = model.predict(test)
    return Validation(outcome, treatment, train.height, test.height, calibration_by_decile(chance, observed),
                      c_statistic=c_statistic(chance, observed), brier=float(np.mean((chance - observed) ** 2)))  # fmt: skip


@dataclass(frozen=True)
class OptionModels:
    """The models of one treatment option."""

    treatment: str
    patients_n: int
    followup: LinearModel | None
    timepoints: dict[str, LinearModel]
    mic: LogisticModel | None
    event: LogisticModel | None
    work: LogisticModel | None
    ranges: dict[str, tuple[float, float]]  # numeric input → (1st, 99th percentile) of the patients fitted on


@dataclass(frozen=True)
class Spec:
    """What the models of a pathway use and predict, from its outcome set."""

    numeric: list[str]
    categorical: list[str]
    followup: str  # column of the primary follow-up score
    mic: float
    is_higher_better: bool
    event: str | None  # outcome code of the harm event
    event_treatments: tuple[str, ...]  # the treatments the event applies to (empty: all)
    work: str | None = None  # outcome code of being back at paid work (None: not predicted)
    baseline: str | None = None  # the case-mix variable that is the primary instrument's baseline score

    @property
    def has_work(self) -> bool:
        return self.work is not None


def spec_for(oset: OutcomeSet) -> Spec:
    """Every case-mix variable by its kind; the harm event and work outcome as the outcome set names them."""
    primary = oset.instruments[oset.primary_instrument]
    numeric, categorical = split_by_kind(list(oset.casemix.values()))
    event = oset.prediction.harm_event
    outcome = oset.clinical_outcomes.get(event) if event else None
    baseline = next((v.code for v in oset.casemix.values() if v.origin == "prom"), None)
    return Spec(
        numeric=numeric, categorical=categorical, followup=TIMEPOINT_COLUMNS[oset.primary_followup], mic=primary.mic or 0.0,
        is_higher_better=primary.better == "higher", event=event if outcome and outcome.kind == "event" else None,
        event_treatments=outcome.applies_to if outcome else (), work=oset.prediction.work_outcome, baseline=baseline,
    )  # fmt: skip


def with_targets(frame: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """Adds the 0/1 targets: reached the minimal important change; returned to work (paid work at baseline only).

    ``frame``: the patients with ``score_baseline`` and the follow-up score columns, ``paid_work_baseline``
    and ``has_returned_to_work`` (the prediction query's columns).
    """
    change = pl.col(spec.followup) - pl.col("score_baseline")
    reached = (change if spec.is_higher_better else -change) >= spec.mic
    work = pl.when(pl.col("paid_work_baseline").fill_null(False)).then(pl.col("has_returned_to_work"))
    return frame.with_columns(reached.cast(pl.Float64).alias("reached_mic"), work.alias("returned_to_work"))


def _ranges(frame: pl.DataFrame, numeric: list[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for c in numeric:
        values = frame[c].drop_nulls().cast(pl.Float64)
        if values.len():
            out[c] = (float(values.quantile(0.01)), float(values.quantile(0.99)))
    return out


def patients_of(frame: pl.DataFrame, treatment: str, cap: int = MAX_FIT_PATIENTS) -> pl.DataFrame:
    """The patients who had the treatment; above ``cap``, a stable sample of ``cap`` of them."""
    rows = frame.filter(pl.col("treatment") == treatment)
    if rows.height <= cap:
        return rows
    rank = pl.Series([zlib.crc32(b"fit:" + e.encode()) for e in rows["episode_id"].to_list()], dtype=pl.UInt32)
    return rows.with_columns(rank.alias("__rank")).sort("__rank", "episode_id").head(cap).drop("__rank")


def fit_option(frame: pl.DataFrame, treatment: str, spec: Spec) -> OptionModels:
    """Every model of one treatment, on the patients who had it (``frame`` from ``with_targets``)."""
    rows = patients_of(frame, treatment)
    x = (spec.numeric, spec.categorical)
    present = {tp: col for tp, col in TIMEPOINT_COLUMNS.items() if col in rows.columns}
    timepoints = {tp: m for tp, col in present.items() if (m := fit_linear(rows, col, *x)) is not None}
    has_event = spec.event is not None and (not spec.event_treatments or treatment in spec.event_treatments)
    return OptionModels(
        treatment, rows.height, fit_linear(rows, spec.followup, *x), timepoints, fit_logistic(rows, "reached_mic", *x),
        fit_logistic(rows, "has_event", *x) if has_event else None,
        fit_logistic(rows, "returned_to_work", *x) if spec.has_work else None, _ranges(rows, spec.numeric),
    )  # fmt: skip


def validate_option(frame: pl.DataFrame, treatment: str, spec: Spec) -> list[Validation]:
    rows = patients_of(frame, treatment)
    checks = [("followup", spec.followup, "linear"), ("mic", "reached_mic", "logistic")]
    if spec.event is not None and (not spec.event_treatments or treatment in spec.event_treatments):
        checks.append(("event", "has_event", "logistic"))
    if spec.has_work:
        checks.append(("work", "returned_to_work", "logistic"))
    found = [validate(rows, target, kind, spec, outcome, treatment) for outcome, target, kind in checks]
    return [v for v in found if v is not None]


TIMEPOINT_MONTHS = {"baseline": 0, "3m": 3, "6m": 6, "12m": 12}
EXPECTED_SCHEMA = {"timepoint": pl.String, "expected_score": pl.Float64, "lower_score": pl.Float64, "upper_score": pl.Float64}


def compare_trajectory(
    scores: pl.DataFrame, expected: pl.DataFrame, baseline: float | None, is_higher_better: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The patient's scores per timepoint flagged when behind the 80% band, and the band from baseline on.

    ``scores``: timepoint, score (the primary instrument); ``expected``: timepoint, expected_score,
    lower_score, upper_score. Behind means below the band's lower edge when higher is better
    (above its upper edge when lower is better).
    """
    band = expected
    if baseline is not None:
        start = pl.DataFrame(
            {"timepoint": ["baseline"], "expected_score": [baseline], "lower_score": [baseline], "upper_score": [baseline]}
        )
        band = pl.concat([start, expected], how="vertical_relaxed")
    months = pl.col("timepoint").replace_strict(TIMEPOINT_MONTHS, default=None, return_dtype=pl.Int64).alias("months")
    band = band.with_columns(months).sort("months")
    observed = scores.filter(pl.col("score").is_not_null()).join(band, on="timepoint", how="left").with_columns(months)
    edge = pl.col("score") < pl.col("lower_score") if is_higher_better else pl.col("score") > pl.col("upper_score")
    observed = observed.with_columns((edge & (pl.col("timepoint") != "baseline")).fill_null(False).alias("is_behind")).sort(
        "months"
    )
    return observed.select("timepoint", "months", "score", "expected_score", "lower_score", "upper_score", "is_behind"), band


def months_after(treatment_date: object, measured: object) -> float:
    """Months between treatment and a later date (30.44 days a month)."""
    return (measured - treatment_date).days / 30.44  # type: ignore[operator]


# --- one patient: the options, from fitted models ------------------------------------------------

THIN = 20  # fewer similar patients than this: the evidence is thin
BASELINE_BAND_SD = 0.5  # similar: the baseline score within half a standard deviation
OTHER_BAND_SD = 1.0  # and every other number given within one (age: about ten years)


@dataclass(frozen=True)
class PathwayModels:
    spec: Spec
    pooled: dict[str, OptionModels]
    similarity: pl.DataFrame  # internal: centre, treatment and numeric case-mix of every patient (counts only)


@dataclass(frozen=True)
class GroupResult:
    """One option's figures for one group of patients (the own centre, or all centres)."""

    similar_n: int | None  # None: fewer than ten (suppressed)
    followup: tuple[float, float, float] | None  # expected, lower, upper (80%)
    mic: float | None
    event: float | None
    work: float | None

    @property
    def is_thin(self) -> bool:
        return self.similar_n is None or self.similar_n < THIN


@dataclass(frozen=True)
class OptionResult:
    treatment: str
    own: GroupResult
    pooled: GroupResult
    outside: list[tuple[str, float, float, float]]  # variable, value, low, high of the data

    @property
    def best(self) -> GroupResult:
        """The figures to say in words: the own centre's when it has a model and enough patients, else all centres'."""
        return self.own if self.own.mic is not None and not self.own.is_thin else self.pooled

    @property
    def thin(self) -> GroupResult | None:
        """The group whose figures rest on few similar patients (the own centre first), if any."""
        return self.own if self.own.is_thin else self.pooled if self.pooled.is_thin else None


def similarity_frame(frame: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """What counting similar patients needs of the training patients: centre, treatment and the numbers."""
    return frame.select("centre_code", "treatment", *(c for c in spec.numeric if c in frame.columns))


def similar_count(models: PathwayModels, treatment: str, profile: Mapping[str, object], centre: str | None) -> int:
    """Patients with the treatment near this one: the baseline score within half a standard deviation and
    every other number the profile gives within one (a patient whose value is missing is not counted)."""
    rows = models.similarity.filter(pl.col("treatment") == treatment)
    conditions = []
    for column in (c for c in rows.columns if c not in ("centre_code", "treatment")):
        value = _number_or_none(profile.get(column))
        known = rows[column].drop_nulls()
        if value is None or known.len() < 2:
            continue
        band = (BASELINE_BAND_SD if column == models.spec.baseline else OTHER_BAND_SD) * float(known.std() or 0.0)
        conditions.append((pl.col(column) - value).abs() <= band)
    near = rows.filter(*conditions) if conditions else rows
    return near.filter(pl.col("centre_code") == centre).height if centre else near.height


def _number_or_none(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def profile_frame(profile: Mapping[str, object], spec: Spec) -> pl.DataFrame:
    """One row with the model's columns; unknown values stay empty (the model fills them in)."""
    data: dict[str, list] = {c: [_number_or_none(profile.get(c))] for c in spec.numeric}
    data |= {c: [None if profile.get(c) is None else str(profile[c])] for c in spec.categorical}
    schema = {**{c: pl.Float64 for c in spec.numeric}, **{c: pl.String for c in spec.categorical}}
    return pl.DataFrame(data, schema=schema)


def outside_data(option: OptionModels, profile: Mapping[str, object]) -> list[tuple[str, float, float, float]]:
    out = []
    for var, (low, high) in option.ranges.items():
        value = _number_or_none(profile.get(var))
        if value is not None and not low <= value <= high:
            out.append((var, value, low, high))
    return out


def _group(option: OptionModels | None, patient: pl.DataFrame, similar_n: int | None, is_working: bool) -> GroupResult:
    if option is None:
        return GroupResult(similar_n, None, None, None, None)
    followup = None
    if option.followup is not None:
        mean, lower, upper = option.followup.predict(patient)
        followup = (float(mean[0]), float(lower[0]), float(upper[0]))
    chance = lambda m: None if m is None else float(m.predict(patient)[0])  # noqa: E731
    return GroupResult(similar_n, followup, chance(option.mic), chance(option.event), chance(option.work) if is_working else None)


def options_for(
    models: PathwayModels, own: Mapping[str, OptionModels], profile: Mapping[str, object], centre: str | None
) -> list[OptionResult]:
    """Per treatment option: the own centre's and the pooled figures for this patient.

    The pooled count of similar patients is shown only when the other centres together have ten or
    more of them (``pooled_count``): pooled minus own would reveal them otherwise.
    """
    patient = profile_frame(profile, models.spec)
    is_working = bool(profile.get("paid_work"))
    results = []
    for treatment, pooled in models.pooled.items():
        pooled_n = similar_count(models, treatment, profile, None)
        own_n = similar_count(models, treatment, profile, centre)
        results.append(
            OptionResult(
                treatment,
                _group(own.get(treatment), patient, own_n, is_working),
                _group(pooled, patient, pooled_count(pooled_n, own_n), is_working),
                outside_data(pooled, profile),
            )
        )
    return results


def expected_band(models: PathwayModels, profile: Mapping[str, object]) -> pl.DataFrame:
    """Expected score with its 80% interval per follow-up timepoint for a patient like this (``profile["treatment"]``)."""
    option = models.pooled.get(str(profile.get("treatment")))
    patient = profile_frame(profile, models.spec)
    rows = []
    for timepoint, model in option.timepoints.items() if option else []:
        mean, lower, upper = model.predict(patient)
        rows.append(
            {
                "timepoint": timepoint,
                "expected_score": float(mean[0]),
                "lower_score": float(lower[0]),
                "upper_score": float(upper[0]),
            }
        )
    return pl.DataFrame(rows, schema=EXPECTED_SCHEMA)


# --- the form: what to ask about the patient ----------------------------------------------------

YES_NO = "yes_no"  # a case-mix variable that is a clinical event (0/1): asked as yes / no


@dataclass(frozen=True)
class FormField:
    """One question about the patient, as its case-mix variable defines it."""

    code: str
    kind: str  # NUMERIC, CATEGORICAL or YES_NO
    label: dict[str, str]
    unit: dict[str, str]
    low: float | None
    high: float | None
    step: float
    decimals: int  # the step's decimals: how the number is shown
    choices: dict[str, dict[str, str]]  # categorical: code → label per language
    is_baseline: bool = False  # the primary instrument's baseline score


@dataclass(frozen=True)
class PatientForm:
    pathway: str
    fields: tuple[FormField, ...]
    instrument: Instrument  # the primary instrument (the baseline score's range and direction)
    asks_paid_work: bool  # the models predict being back at work, for patients in paid work

    def field(self, code: str) -> FormField | None:
        return next((f for f in self.fields if f.code == code), None)


def _default_step(low: float | None, high: float | None) -> float:
    return 1.0 if low is None or high is None or high - low >= 5 else 0.01


def _decimals(step: float) -> int:
    return max(0, -int(Decimal(str(step)).normalize().as_tuple().exponent))


def _form_field(var: CasemixVariable, oset: OutcomeSet) -> FormField:
    low, high = var.min, var.max
    kind = var.kind
    if var.origin == "prom":
        primary = oset.instruments[oset.primary_instrument]
        low, high = primary.min, primary.max
    elif var.origin == "outcome" and oset.clinical_outcomes[var.column].kind == "event":
        kind = YES_NO
    step = var.step or _default_step(low, high)
    return FormField(
        var.code, kind, var.label, var.unit, low, high, step, _decimals(step), var.choices, is_baseline=var.origin == "prom"
    )


def patient_form(oset: OutcomeSet) -> PatientForm:
    """The samen-beslissen form of a pathway: one field per case-mix variable, the baseline score last."""
    fields = sorted((_form_field(v, oset) for v in oset.casemix.values()), key=lambda f: f.is_baseline)
    return PatientForm(
        oset.pathway, tuple(fields), oset.instruments[oset.primary_instrument], oset.prediction.work_outcome is not None
    )


@dataclass(frozen=True)
class InputProblem:
    """An answer the form cannot take: a number outside the variable's range, or an unknown choice."""

    field: FormField
    value: object


def check_profile(form: PatientForm, profile: Mapping[str, object]) -> list[InputProblem]:
    """The answers outside what each case-mix variable allows (empty is allowed: unknown)."""
    problems = []
    for f in form.fields:
        value = profile.get(f.code)
        if value is None:
            continue
        if f.kind == CATEGORICAL:
            if str(value) not in f.choices:
                problems.append(InputProblem(f, value))
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(InputProblem(f, value))
            continue
        allowed = (0.0, 1.0) if f.kind == YES_NO else None
        too_low = f.low is not None and number < f.low
        too_high = f.high is not None and number > f.high
        if math.isnan(number) or too_low or too_high or (allowed is not None and number not in allowed):
            problems.append(InputProblem(f, value))
    return problems


# --- stored with the data version: models as rows and back -----------------------------------------
# A publish fits every model once and stores it in the version (warehouse/models.py); a page reads it back.
# Floats go through JSON as ``repr`` does, which round-trips a float exactly: the models read back
# predict to the last bit what the fitted ones do.

FIT_SCHEMA = {
    "centre_code": pl.String, "treatment": pl.String, "model": pl.String, "kind": pl.String, "design": pl.String,
    "covariance": pl.String, "scale": pl.Float64, "df_resid": pl.Float64,
}  # fmt: skip
COEFFICIENT_SCHEMA = {
    "centre_code": pl.String, "treatment": pl.String, "model": pl.String, "position": pl.Int32, "term": pl.String,
    "estimate": pl.Float64,
}  # fmt: skip
OPTION_SCHEMA = {"centre_code": pl.String, "treatment": pl.String, "patients_n": pl.Int64, "ranges": pl.String}
CALIBRATION_SCHEMA = {"decile": pl.Int64, "patients_n": pl.UInt32, "predicted_mean": pl.Float64, "observed_mean": pl.Float64}
VALIDATION_SCHEMA = {
    "treatment": pl.String, "outcome": pl.String, "train_n": pl.Int64, "test_n": pl.Int64, "c_statistic": pl.Float64,
    "brier": pl.Float64, "r_squared": pl.Float64, "interval_coverage": pl.Float64, "calibration": pl.String,
}  # fmt: skip


@dataclass(frozen=True)
class ModelRows:
    """The models of one pathway as rows (``centre_code`` None: pooled over all centres); no patient in them."""

    options: pl.DataFrame  # centre_code, treatment, patients_n, ranges (JSON)
    fits: pl.DataFrame  # one row per model: its design, covariance, scale and residual degrees of freedom
    coefficients: pl.DataFrame  # one row per model and term: the estimate


def _design_json(design: Design) -> str:
    return json.dumps({"numeric": design.numeric, "medians": design.medians, "flagged": design.flagged,
                       "levels": design.levels})  # fmt: skip


def _design_from(text: str) -> Design:
    d = json.loads(text)
    levels = {k: tuple(v) for k, v in d["levels"].items()}
    return Design(tuple(d["numeric"]), {k: float(v) for k, v in d["medians"].items()}, tuple(d["flagged"]), levels)


def _named_models(option: OptionModels) -> dict[str, LinearModel | LogisticModel | None]:
    named: dict[str, LinearModel | LogisticModel | None] = {"followup": option.followup, "mic": option.mic,
                                                            "event": option.event, "work": option.work}  # fmt: skip
    return named | {f"timepoint:{tp}": m for tp, m in option.timepoints.items()}


def model_rows(options: Mapping[str | None, Mapping[str, OptionModels]]) -> ModelRows:
    """Every model of a pathway as rows: ``options`` maps a centre (None: all centres) to its models per treatment."""
    option_rows, fit_rows, coefficient_rows = [], [], []
    for centre, per_treatment in options.items():
        for treatment, option in per_treatment.items():
            option_rows.append({"centre_code": centre, "treatment": treatment, "patients_n": option.patients_n,
                                "ranges": json.dumps({k: list(v) for k, v in option.ranges.items()})})  # fmt: skip
            for name, model in _named_models(option).items():
                if model is None:
                    continue
                linear = isinstance(model, LinearModel)
                fit_rows.append({
                    "centre_code": centre, "treatment": treatment, "model": name, "kind": "linear" if linear else "logistic",
                    "design": _design_json(model.design), "covariance": json.dumps(model.cov.tolist()) if linear else None,
                    "scale": model.scale if linear else None, "df_resid": model.df_resid if linear else None,
                })  # fmt: skip
                coefficient_rows += [
                    {"centre_code": centre, "treatment": treatment, "model": name, "position": i, "term": term,
                     "estimate": float(value)}
                    for i, (term, value) in enumerate(zip(model.design.names, model.params, strict=True))
                ]  # fmt: skip
    return ModelRows(
        pl.DataFrame(option_rows, schema=OPTION_SCHEMA),
        pl.DataFrame(fit_rows, schema=FIT_SCHEMA),
        pl.DataFrame(coefficient_rows, schema=COEFFICIENT_SCHEMA),
    )


def _model_from(fit: dict, estimates: np.ndarray) -> LinearModel | LogisticModel:
    design = _design_from(fit["design"])
    if fit["kind"] == "linear":
        return LinearModel(
            design, estimates, np.asarray(json.loads(fit["covariance"]), dtype=float), fit["scale"], fit["df_resid"]
        )
    return LogisticModel(design, estimates)


def models_from_rows(rows: ModelRows) -> dict[str | None, dict[str, OptionModels]]:
    """``model_rows`` read back: per centre (None: all centres) the models per treatment."""
    estimates: dict[tuple, list[tuple[int, float]]] = {}
    for r in rows.coefficients.iter_rows(named=True):
        estimates.setdefault((r["centre_code"], r["treatment"], r["model"]), []).append((r["position"], r["estimate"]))
    per_option: dict[tuple, dict[str, LinearModel | LogisticModel]] = {}
    for fit in rows.fits.iter_rows(named=True):
        key = (fit["centre_code"], fit["treatment"], fit["model"])
        estimated = np.array([e for _, e in sorted(estimates[key])], dtype=float)
        per_option.setdefault(key[:2], {})[fit["model"]] = _model_from(fit, estimated)
    found: dict[str | None, dict[str, OptionModels]] = {}
    for o in rows.options.iter_rows(named=True):
        models = per_option.get((o["centre_code"], o["treatment"]), {})
        timepoints = {m.split(":", 1)[1]: model for m, model in models.items() if m.startswith("timepoint:")}
        ranges = {k: (float(v[0]), float(v[1])) for k, v in json.loads(o["ranges"]).items()}
        found.setdefault(o["centre_code"], {})[o["treatment"]] = OptionModels(
            o["treatment"], o["patients_n"], models.get("followup"),  # type: ignore[arg-type]
            dict(sorted(timepoints.items(), key=_timepoint_order)),  # type: ignore[arg-type]
            models.get("mic"), models.get("event"), models.get("work"), ranges,  # type: ignore[arg-type]
        )  # fmt: skip
    return found


def _timepoint_order(item: tuple[str, object]) -> int:
    return list(TIMEPOINT_COLUMNS).index(item[0]) if item[0] in TIMEPOINT_COLUMNS else len(TIMEPOINT_COLUMNS)


def validation_rows(validations: list[Validation]) -> pl.DataFrame:
    """Held-out validation figures as rows (the calibration per decile as JSON)."""
    return pl.DataFrame(
        [{"treatment": v.treatment, "outcome": v.outcome, "train_n": v.train_n, "test_n": v.test_n,
          "c_statistic": v.c_statistic, "brier": v.brier, "r_squared": v.r_squared, "interval_coverage": v.interval_coverage,
          "calibration": v.calibration.write_json()} for v in validations],
        schema=VALIDATION_SCHEMA,
    )  # fmt: skip


def validations_from_rows(rows: pl.DataFrame) -> list[Validation]:
    return [
        Validation(r["outcome"], r["treatment"], r["train_n"], r["test_n"],
                   pl.read_json(io.StringIO(r["calibration"]), schema=CALIBRATION_SCHEMA),
                   r["c_statistic"], r["brier"], r["r_squared"], r["interval_coverage"])
        for r in rows.iter_rows(named=True)
    ]  # fmt: skip
