"""Case-mix adjustment by indirect standardisation, fitted on the pooled data of all centres.

Events: a logistic regression (statsmodels GLM, binomial) of the event on the case-mix
variables; a centre's expected count E is the sum of its patients' predicted risks,
O/E its observed over expected, and its adjusted rate O/E × the pooled rate.
PROMs: a linear regression (OLS) of the follow-up score on the baseline score plus
case-mix; E is the sum of predicted scores, and the adjusted mean is the pooled mean plus
the centre's mean difference between observed and predicted.

Missing case-mix values are handled explicitly and reported: a numeric variable's empty
cells get the pooled median plus a 0/1 "missing" indicator; a categorical variable's
empty cells become the category "missing". Nothing is dropped silently.

Which variables there are, and of which kind, the outcome set says (``casemix``); their values
come in long form from the warehouse view ``episode_casemix`` and ``wide_casemix`` turns them
into one column per variable: numbers for numeric variables, choice codes for categorical ones.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from data_models.outcome_sets import CasemixVariable

MISSING = "missing"
KEYS = ["centre_code", "episode_id"]


def split_by_kind(variables: list[CasemixVariable]) -> tuple[list[str], list[str]]:
    """The codes of the numeric and of the categorical variables, in the outcome set's order."""
    return [v.code for v in variables if v.is_numeric], [v.code for v in variables if not v.is_numeric]


def wide_casemix(long: pl.DataFrame, variables: list[CasemixVariable]) -> pl.DataFrame:
    """One row per episode and one column per variable, from ``episode_casemix``'s long rows.

    ``long``: centre_code, episode_id, variable, value_number, value_text (other variables are
    ignored). A numeric variable's column is Float64 (its ``value_number``), a categorical one's
    String (the choice code in ``value_text``); a value not delivered stays empty.
    """
    episodes = long.select(KEYS).unique()
    out = episodes
    for kind_numeric, source, dtype in ((True, "value_number", pl.Float64), (False, "value_text", pl.String)):
        codes = [v.code for v in variables if v.is_numeric == kind_numeric]
        rows = long.filter(pl.col("variable").is_in(codes)).select(*KEYS, "variable", pl.col(source).cast(dtype))
        if rows.height:
            wide = rows.pivot(on="variable", index=KEYS, values=source, aggregate_function="first")
            out = out.join(wide, on=KEYS, how="left")
        out = out.with_columns((pl.col(c).cast(dtype) if c in out.columns else pl.lit(None, dtype=dtype)).alias(c) for c in codes)
    return out.select(*KEYS, *(v.code for v in variables))


@dataclass
class Adjustment:
    """Per-centre observed, expected and adjusted values, with how the model was built."""

    per_centre: pl.DataFrame
    pooled: float  # pooled event rate (0–1) or pooled mean score
    covariates: list[str]
    missing: dict[str, int] = field(default_factory=dict)  # case-mix variable → cells imputed
    residual_sd: float | None = None  # PROM models: the residual standard deviation


def design_matrix(
    frame: pl.DataFrame, numeric: list[str], categorical: list[str]
) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """Covariates with a constant; missing values imputed and flagged, and counted per variable."""
    columns: list[np.ndarray] = [np.ones(frame.height)]
    names = ["const"]
    missing: dict[str, int] = {}
    for col in numeric:
        values = frame[col].cast(pl.Float64)
        n_missing = values.null_count()
        missing[col] = n_missing
        if n_missing == frame.height:
            continue  # nothing known about this variable: it cannot adjust anything
        filled = values.fill_null(values.median()).to_numpy()
        if np.ptp(filled) > 0:
            columns.append(filled)
            names.append(col)
        if n_missing > 0:
            columns.append(values.is_null().cast(pl.Float64).to_numpy())
            names.append(f"{col}_missing")
    for col in categorical:
        values = frame[col].cast(pl.String)
        missing[col] = values.null_count()
        values = values.fill_null(MISSING)
        levels = sorted(values.unique().to_list())
        for level in levels[1:]:
            columns.append((values == level).cast(pl.Float64).to_numpy())
            names.append(f"{col}={level}")
    return np.column_stack(columns), names, missing


def logistic_params(x: np.ndarray, y: np.ndarray, ridge: float = 1e-3, max_log_odds: float | None = None) -> np.ndarray:
    """Logistic regression coefficients; with (quasi-)perfect separation in small data, a lightly ridged fit.

    Separation shows as a statsmodels warning or, with ``max_log_odds``, as a coefficient beyond it.
    """
    model = sm.GLM(y, x, family=sm.families.Binomial())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = model.fit()
    separated = any(issubclass(w.category, (PerfectSeparationWarning, ConvergenceWarning)) for w in caught)
    runaway = max_log_odds is not None and np.abs(np.asarray(fitted.params)[1:]).max(initial=0) > max_log_odds
    if separated or runaway:
        fitted = model.fit_regularized(alpha=ridge, L1_wt=0.0)
    return np.asarray(fitted.params)


def _logistic_predictions(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Predicted risks of the case-mix model."""
    return 1.0 / (1.0 + np.exp(-(x @ logistic_params(x, y))))


def _aggregate(frame: pl.DataFrame, centre: str, observed: str, expected: np.ndarray) -> pl.DataFrame:
    return (
        frame.select(pl.col(centre).alias("centre_code"), pl.col(observed).cast(pl.Float64).alias("observed_value"))
        .with_columns(pl.Series("expected_value", expected))
        .group_by("centre_code")
        .agg(
            pl.len().alias("patients_n"),
            pl.col("observed_value").sum().alias("observed"),
            pl.col("expected_value").sum().alias("expected"),
        )
        .sort("centre_code")
    )


def standardise_events(frame: pl.DataFrame, event: str, centre: str, numeric: list[str], categorical: list[str]) -> Adjustment:
    """Indirectly standardised event rates per centre (``event`` holds 0/1)."""
    if frame.is_empty():
        raise ValueError("no patients to fit the case-mix model on")
    x, names, missing = design_matrix(frame, numeric, categorical)
    y = frame[event].cast(pl.Float64).to_numpy()
    pooled = float(y.mean())
    # when nobody or everybody had the event there is nothing to adjust
    predicted = _logistic_predictions(x, y) if 0 < pooled < 1 else np.full(len(y), pooled)
    per_centre = _aggregate(frame, centre, event, predicted).with_columns(
        (pl.col("observed") / pl.col("patients_n")).alias("crude_rate"),
        (pl.col("observed") / pl.col("expected")).alias("oe_ratio"),
    )
    per_centre = per_centre.with_columns((pl.col("oe_ratio") * pooled).alias("adjusted_rate"))
    return Adjustment(per_centre, pooled, names[1:], missing)


def standardise_scores(
    frame: pl.DataFrame, followup: str, baseline: str, centre: str, numeric: list[str], categorical: list[str]
) -> Adjustment:
    """Indirectly standardised mean follow-up scores per centre, adjusted for baseline and case-mix."""
    if frame.height < 3:
        raise ValueError("too few patients to fit the case-mix model on")
    x, names, missing = design_matrix(frame, [baseline, *numeric], categorical)
    y = frame[followup].cast(pl.Float64).to_numpy()
    model = sm.OLS(y, x).fit()
    predicted = model.predict(x)
    pooled = float(y.mean())
    per_centre = _aggregate(frame, centre, followup, predicted).with_columns(
        (pl.col("observed") / pl.col("patients_n")).alias("crude_mean"),
        (pl.col("expected") / pl.col("patients_n")).alias("expected_mean"),
    )
    per_centre = per_centre.with_columns((pooled + pl.col("crude_mean") - pl.col("expected_mean")).alias("adjusted_mean"))
    return Adjustment(per_centre, pooled, names[1:], missing, float(np.sqrt(model.mse_resid)))
