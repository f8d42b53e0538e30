"""Anonymous peer comparison, the pure part: per-centre aggregates in, disclosure-controlled figures out.

Two steps, kept apart (the service ``services.peer_comparison`` runs the queries between them):

1. ``aggregate_centres`` takes the patient rows of all centres for one closed reporting
   period (pooled, as indirect standardisation requires), fits the case-mix model and
   reduces them to one row of sufficient statistics per centre: patients, observed events
   or mean score, expected events or mean score. No patient row leaves this step.
2. ``protect`` sees those aggregates only and applies the disclosure rules of
   ``analytics.disclosure`` (thresholds, codes drawn per view, rounded counts, targets from
   shown centres only) before anything is returned, and reads the own centre's place.

The case-mix model adjusts for every case-mix variable of the outcome set that describes the
patient before treatment (delivered on the episode, as a clinical outcome with role casemix, or
as a baseline characteristic), numeric or categorical as the outcome set's ``kind`` says, and
for the treatment; the PROM model adds the baseline score.

Peer figures exist only for fixed, closed half-years (``analytics.periods``): never for a
window that slides with the chosen month, so no two shown figures differ by a hidden one. A free
period of several half-years shows a centre only when it passes the threshold in each of them
(``cell_min_n``, consistent secondary suppression).

A chosen peer group (issue 20: all centres, university centres, or centres of similar volume,
``peer_group``) narrows the aggregates to its members before ``protect``; the group must keep
``MIN_PEERS`` peers above the threshold, as every comparison must, or nothing is shown.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field

import polars as pl

from analytics.casemix import Adjustment, split_by_kind, standardise_events, standardise_scores, wide_casemix
from analytics.disclosure import MIN_PATIENTS, MIN_PEERS, peer_labels, rounded
from analytics.funnel import funnel, funnel_curve, mirrored_interval, position, shrunken_means, shrunken_ratios
from analytics.periods import PERIOD_MONTHS
from data_models.outcome_sets import CasemixVariable, OutcomeSet

PEER_ORIGINS = ("episode", "outcome", "characteristic")  # the baseline score enters the PROM model on its own
MODES = ("crude", "adjusted")
OUTSIDE = frozenset({"above_998", "below_998"})
PEER_GROUPS = ("all", "umc", "volume")
UNIVERSITY = "umc"  # the centres table's kind of a university medical centre (data-standard.md)


@dataclass(frozen=True)
class ComparisonIndicator:
    code: str  # "outcome:<code>" (an event) or "prom:<instrument>" (follow-up score)
    label: dict[str, str]
    kind: str  # "proportion" or "mean"
    improvement: str  # "up" or "down"

    @property
    def source(self) -> tuple[str, str]:
        """("outcome", outcome code) or ("prom", instrument code)."""
        kind, _, code = self.code.partition(":")
        return kind, code


def comparison_indicators(oset: OutcomeSet) -> list[ComparisonIndicator]:
    """What can be compared between centres: event outcomes, and the primary PROM at follow-up."""
    events = [
        ComparisonIndicator(f"outcome:{o.code}", o.label, "proportion", "up" if o.better == "higher" else "down")
        for o in oset.clinical_outcomes.values()
        if o.kind == "event" and o.role == "outcome" and o.better
    ]
    events.sort(key=lambda i: i.code != f"outcome:{oset.headline_outcome}")
    inst = oset.instruments[oset.primary_instrument]
    prom = ComparisonIndicator(
        f"prom:{inst.code}",
        {"nl": f"{inst.label} na {oset.primary_followup}", "en": f"{inst.label} at {oset.primary_followup}"},
        "mean",
        "up" if inst.better == "higher" else "down",
    )
    return [*events, prom]


@dataclass(frozen=True)
class OwnReading:
    """Where the own centre's dot lies in one mode's funnel, and whether that is good news."""

    value: float | None
    position: str  # analytics.funnel.position: within, above_95, below_998, …
    verdict: str | None  # "good", "bad", or None (within the limits)


@dataclass
class PeerComparison:
    """Aggregates per centre, safe to show: anonymous peers, small numbers suppressed."""

    indicator: ComparisonIndicator
    is_shown: bool
    centres: pl.DataFrame  # one row per centre; see _shown for the columns
    curves: dict[str, pl.DataFrame] = field(default_factory=dict)  # "crude" / "adjusted" funnel lines
    targets: dict[str, float] = field(default_factory=dict)
    overdispersion: dict[str, bool] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # case-mix variable → values imputed
    peers_enough: int = 0
    own_suppressed: bool = False
    own: dict[str, OwnReading] = field(default_factory=dict)  # per mode; empty when the own centre is not shown
    casemix_effect: str | None = None  # "explains": adjustment brings the own centre inside; "reveals": outside
    group: str = "all"  # the peer group compared against (PEER_GROUPS)
    ranking: dict[str, pl.DataFrame] = field(default_factory=dict)  # per mode: the ranked view (``ranked``)

    @property
    def has_own(self) -> bool:
        return self.is_shown and bool(self.centres["is_own"].any())


def peer_variables(oset: OutcomeSet) -> list[CasemixVariable]:
    """The case-mix variables the peer layer's models adjust for (the baseline score apart)."""
    return [v for v in oset.casemix.values() if v.origin in PEER_ORIGINS]


def with_casemix(patients: pl.DataFrame, casemix: pl.DataFrame, oset: OutcomeSet) -> pl.DataFrame:
    """The patient rows with one column per case-mix variable (from ``episode_casemix``'s long rows)."""
    wide = wide_casemix(casemix, peer_variables(oset))
    return patients.join(wide, on=["centre_code", "episode_id"], how="left")


def adjust(indicator: ComparisonIndicator, oset: OutcomeSet, patients: pl.DataFrame) -> Adjustment:
    """The case-mix model of one indicator, fitted on the pooled patient rows (``with_casemix``)."""
    numeric, categorical = split_by_kind(peer_variables(oset))
    categorical = ["treatment", *categorical]
    if indicator.kind == "proportion":
        return standardise_events(patients, "event", "centre_code", numeric, categorical)
    return standardise_scores(patients, "score_followup", "score_baseline", "centre_code", numeric, categorical)


@dataclass
class CentreAggregates:
    """Sufficient statistics per centre for one indicator and period; everything ``protect`` may see."""

    per_centre: pl.DataFrame  # centre_code, patients_n, observed, expected, crude_mean, adjusted_mean, …
    residual_sd: float | None
    missing: dict[str, int]


def aggregate_centres(
    indicator: ComparisonIndicator, oset: OutcomeSet, patients: pl.DataFrame, cells: list[dt.date] | None = None
) -> CentreAggregates:
    """Step 1: pooled patient rows of one period reduced to one row per centre (the case-mix model fitted on all).

    ``cells``: the first months of the half-years the period covers; each centre then carries
    ``cell_min_n``, its fewest patients in any of them (0 when one holds none).
    """
    if patients.is_empty():
        return CentreAggregates(
            pl.DataFrame({"centre_code": [], "patients_n": []}, schema={"centre_code": pl.String, "patients_n": pl.Int64}),
            None,
            {},
        )
    adjustment = adjust(indicator, oset, patients)
    per_centre = adjustment.per_centre
    if cells and "month_date" in patients.columns:
        per_centre = per_centre.join(cell_minimum(patients, cells), on="centre_code", how="left")
    return CentreAggregates(per_centre, adjustment.residual_sd, {k: v for k, v in adjustment.missing.items() if v})


def cell_minimum(patients: pl.DataFrame, cells: list[dt.date]) -> pl.DataFrame:
    """Per centre, its fewest patients in any of the half-years ``cells`` (first months)."""
    month = pl.col("month_date")
    half = pl.date(month.dt.year(), pl.when(month.dt.month() <= PERIOD_MONTHS).then(1).otherwise(PERIOD_MONTHS + 1), 1)
    counts = patients.group_by("centre_code", half.alias("month_date")).len()
    rows = []
    for centre in patients["centre_code"].unique().to_list():
        mine = counts.filter(pl.col("centre_code") == centre)
        per_cell = dict(zip(mine["month_date"], mine["len"], strict=True))
        rows.append({"centre_code": centre, "cell_min_n": min(int(per_cell.get(c, 0)) for c in cells)})
    return pl.DataFrame(rows, schema={"centre_code": pl.String, "cell_min_n": pl.Int64})


def group_members(volumes: pl.DataFrame, own: str | None, group: str) -> set[str]:
    """The centres of a peer group (the own centre always among them), from ``centre_code, kind, episodes_n``.

    ``all``: every centre. ``umc``: the university medical centres (kind ``umc``). ``volume``: the
    half of the other centres (rounded up) whose number of episodes of the pathway in the period
    lies nearest the own centre's, ties to the smaller difference in code order; without an own
    centre there is no volume to be near, so the group is the whole set.
    """
    codes = set(volumes["centre_code"].to_list())
    if group == "umc":
        return {c for c, k in zip(volumes["centre_code"], volumes["kind"], strict=True) if k == UNIVERSITY} | ({own} - {None})
    if group != "volume" or own not in codes:
        return codes
    n = dict(zip(volumes["centre_code"], volumes["episodes_n"], strict=True))
    others = sorted((c for c in codes if c != own), key=lambda c: (abs(n[c] - n[own]), c))
    return {own, *others[: math.ceil(len(others) / 2)]}


def own_reading(indicator: ComparisonIndicator, row: dict, mode: str) -> OwnReading:
    """The own centre's value and place in one mode, and whether outside the limits is on the good side."""
    where = row[f"{mode}_position"]
    verdict = None
    if where != "within":
        good_side = "above" if indicator.improvement == "up" else "below"
        verdict = "good" if where.startswith(good_side) else "bad"
    return OwnReading(row[f"{mode}_value"], where, verdict)


def casemix_effect(crude: str, adjusted: str) -> str | None:
    """What the adjustment did to the own centre: brought it inside the limits, or revealed it outside the 99.8% ones."""
    if crude != "within" and adjusted == "within":
        return "explains"
    if crude not in OUTSIDE and adjusted in OUTSIDE:
        return "reveals"
    return None


def protect(
    indicator: ComparisonIndicator,
    aggregates: CentreAggregates,
    own: str | None,
    own_name: str,
    view: str,
    min_patients: int = MIN_PATIENTS,
    min_peers: int = MIN_PEERS,
    members: set[str] | None = None,
    group: str = "all",
) -> PeerComparison:
    """Step 2: the disclosure rules, applied to per-centre aggregates only (of the group's ``members`` when given).

    A centre counts as shown when it has ``min_patients`` patients, in each half-year of a longer
    period when the aggregates carry ``cell_min_n``.
    """
    per_centre = aggregates.per_centre
    if members is not None:
        per_centre = per_centre.filter(pl.col("centre_code").is_in(sorted(members)))
    counted = "cell_min_n" if "cell_min_n" in per_centre.columns else "patients_n"
    enough = per_centre.filter(pl.col(counted).fill_null(0) >= min_patients)["centre_code"].to_list()
    peers_enough = len([c for c in enough if c != own])
    own_suppressed = own not in enough
    if peers_enough < min_peers:
        return PeerComparison(
            indicator, False, pl.DataFrame(), peers_enough=peers_enough, own_suppressed=own_suppressed, group=group
        )
    labels = peer_labels(per_centre["centre_code"].to_list(), own, own_name, view)
    result = _shown(indicator, per_centre, enough, own, labels, aggregates.residual_sd)
    result.missing = aggregates.missing
    result.peers_enough = peers_enough
    result.group = group
    result.ranking = {mode: ranked(result, mode) for mode in MODES}
    result.own_suppressed = own_suppressed
    if own is not None and own in enough:
        row = result.centres.filter(pl.col("is_own")).row(0, named=True)
        result.own = {mode: own_reading(indicator, row, mode) for mode in MODES}
        result.casemix_effect = casemix_effect(row["crude_position"], row["adjusted_position"])
    return result


def _shown(
    indicator: ComparisonIndicator,
    per_centre: pl.DataFrame,
    enough: list[str],
    own: str | None,
    labels: dict[str, str],
    residual_sd: float | None,
) -> PeerComparison:
    """The figures of the shown centres; every dot judged exactly where it is drawn.

    x of a dot: the own centre at its exact count; a peer at its count rounded to fives
    (``rounded``), and on the adjusted event funnel at its expected count scaled by the same
    rounding, E × rounded(n)/n = rounded(n) × crude value / adjusted value × (one factor common to
    the view), so it reveals nothing of the exact count. Each dot's limits and position are computed at that drawn x (the
    target, φ and τ² from the exact aggregates), and a peer's value is rounded to the page's
    precision before it is judged (``_coarsened``), so the figure, the table and the sentence agree;
    for a peer the price is judging it at up to two patients and half a step from its exact figures.
    The adjusted event funnel is the O/E funnel (x = E, exact Poisson limits) drawn on the rate
    scale: y = O/E × pooled rate / (ΣO/ΣE of the shown centres).
    """
    shown = per_centre.filter(pl.col("centre_code").is_in(enough))
    n = shown["patients_n"].to_list()
    is_own = [c == own for c in shown["centre_code"]]
    n_drawn = [m if mine else rounded(m) for m, mine in zip(n, is_own, strict=True)]
    if indicator.kind == "proportion":
        observed, expected = shown["observed"].to_list(), shown["expected"].to_list()
        crude = funnel(observed, n, "proportion", at=n_drawn)
        pooled = float(shown["observed"].sum() / shown["patients_n"].sum())
        ratio_target = float(shown["observed"].sum() / shown["expected"].sum())
        e_drawn = [e if mine else round(e * d / m, 1) for e, d, m, mine in zip(expected, n_drawn, n, is_own, strict=True)]
        adjusted = funnel(observed, expected, "ratio", target=ratio_target, at=e_drawn)
        scale = pooled / ratio_target
        adjusted = adjusted.with_columns(
            pl.col(c) * scale for c in ("indicator", "target", "lower_95", "upper_95", "lower_998", "upper_998")
        )
        shrunken = list(shrunken_ratios(observed, expected, at=e_drawn) * scale)
        crude_values = crude["indicator"].to_list()
        curves = {
            "crude": funnel_curve("proportion", pooled, _whole_grid(n_drawn), tau2=crude["tau2"][0]),
            "adjusted": funnel_curve("ratio", ratio_target, _grid(e_drawn), tau2=adjusted["tau2"][0]).with_columns(
                pl.exclude("denominator") * scale
            ),
        }
    else:
        sd = residual_sd or 1.0
        crude_values = shown["crude_mean"].to_list()
        crude = funnel(crude_values, n, "mean", sd=sd, at=n_drawn)
        adjusted = funnel(shown["adjusted_mean"].to_list(), n, "mean", sd=sd, at=n_drawn)
        shrunken = list(shrunken_means(shown["adjusted_mean"].to_list(), n, sd, at=n_drawn))
        curves = {
            "crude": funnel_curve("mean", crude["target"][0], _grid(n_drawn), sd=sd, tau2=crude["tau2"][0]),
            "adjusted": funnel_curve("mean", adjusted["target"][0], _grid(n_drawn), sd=sd, tau2=adjusted["tau2"][0]),
        }
    step = VALUE_STEP[indicator.kind]
    crude, crude_values = _coarsened(crude, crude_values, is_own, step)
    adjusted, _ = _coarsened(adjusted, adjusted["indicator"].to_list(), is_own, step)
    shrunken = [v if mine else _step(v, step) for v, mine in zip(shrunken, is_own, strict=True)]
    table = pl.DataFrame(
        {
            "label": [labels[c] for c in shown["centre_code"]],
            "is_own": is_own,
            "is_suppressed": [False] * shown.height,
            # peers' counts rounded; every dot is drawn and judged at the x below
            "patients_n": n_drawn,
            "crude_x": crude["x"].to_list(),
            "adjusted_x": adjusted["x"].to_list(),
            "crude_value": crude_values,
            "adjusted_value": adjusted["indicator"].to_list(),
            "shrunken_value": shrunken,
            "crude_position": crude["position"],
            "adjusted_position": adjusted["position"],
            "crude_lower_998": crude["lower_998"],
            "crude_upper_998": crude["upper_998"],
            "adjusted_lower_998": adjusted["lower_998"],
            "adjusted_upper_998": adjusted["upper_998"],
            "crude_lower_95": crude["lower_95"],
            "crude_upper_95": crude["upper_95"],
            "adjusted_lower_95": adjusted["lower_95"],
            "adjusted_upper_95": adjusted["upper_95"],
        }
    )
    hidden = per_centre.filter(~pl.col("centre_code").is_in(enough))
    if hidden.height:
        table = pl.concat(
            [
                table,
                pl.DataFrame(
                    {
                        "label": [labels[c] for c in hidden["centre_code"]],
                        "is_own": [c == own for c in hidden["centre_code"]],
                        "is_suppressed": [True] * hidden.height,
                    }
                ),
            ],
            how="diagonal_relaxed",
        )
    table = table.sort("is_own", "label", descending=[True, False])
    return PeerComparison(
        indicator,
        True,
        table,
        curves,
        {"crude": float(crude["target"][0]), "adjusted": float(adjusted["target"][0])},
        {"crude": bool(crude["overdispersion_applied"][0]), "adjusted": bool(adjusted["overdispersion_applied"][0])},
    )


# A peer's value leaves the layer at the precision the page shows, never exactly: an exact rate k/n
# beside a count rounded to fives gives the exact n back (the one n within two that makes k whole).
VALUE_STEP = {"proportion": 0.01, "mean": 0.1}


def _step(value: float | None, step: float) -> float | None:
    return None if value is None else round(round(value / step) * step, 10)


def _coarsened(frame: pl.DataFrame, values: list, is_own: list[bool], step: float) -> tuple[pl.DataFrame, list]:
    """Peers' values rounded to ``step`` and their positions judged on the rounded value, as drawn."""
    shown = [v if mine else _step(v, step) for v, mine in zip(values, is_own, strict=True)]
    rows = frame.to_dicts()
    positions = [
        row["position"] if mine else position(v, row["lower_95"], row["upper_95"], row["lower_998"], row["upper_998"])
        for row, v, mine in zip(rows, shown, is_own, strict=True)
    ]
    return frame.with_columns(
        pl.Series("indicator", shown, dtype=pl.Float64), pl.Series("position", positions, dtype=pl.String)
    ), shown


def _grid(x: list[float]) -> list[float]:
    """Where the limit lines are drawn: 200 steps up to 1.1 × the largest x, and every dot's own x."""
    top = max(x) * 1.1
    return sorted({top * k / 200 for k in range(1, 201)} | {float(v) for v in x})


def _whole_grid(n: list[int]) -> list[float]:
    """Whole numbers of patients (exact binomial limits exist only there), the dots' counts included."""
    top = int(max(n) * 1.1) + 1
    step = max(1, top // 400)
    return sorted({float(k) for k in range(1, top + 1, step)} | {float(v) for v in n})


@dataclass(frozen=True)
class ScorecardRow:
    """One indicator on the scorecard: the own centre against the shown peers of that indicator's funnel."""

    indicator: ComparisonIndicator
    is_shown: bool  # False: too few peers (the single view shows nothing either)
    own_value: float | None  # None: the own centre is not shown (fewer than the threshold, or no own centre)
    own_n: int | None
    peer_values: list[float]  # the shown peers' values exactly as their dots are drawn
    peer_median: float | None
    peer_low: float | None
    peer_high: float | None
    position: str | None
    verdict: str | None
    better_than: int | None  # how many shown peers the own value beats in the indicator's better direction


def scorecard_row(result: PeerComparison, mode: str) -> ScorecardRow:
    """The scorecard's row for one indicator, from that indicator's protected comparison only.

    Median and range are of the shown peers' values as drawn (coarsened), so the row shows
    nothing the single view does not: the range ends are two shown dots, the median one shown dot
    or the mean of two.
    """
    ind = result.indicator
    if not result.is_shown:
        return ScorecardRow(ind, False, None, None, [], None, None, None, None, None, None)
    shown = result.centres.filter(~pl.col("is_suppressed"))
    peers = [float(v) for v in shown.filter(~pl.col("is_own"))[f"{mode}_value"].to_list() if v is not None]
    reading = result.own.get(mode)
    own_value = reading.value if reading else None
    own_n = int(shown.filter(pl.col("is_own"))["patients_n"][0]) if reading else None
    better = None
    if own_value is not None:
        better = sum(1 for v in peers if (own_value > v if ind.improvement == "up" else own_value < v))
    return ScorecardRow(
        ind, True, own_value, own_n, peers, statistics.median(peers), min(peers), max(peers),
        reading.position if reading else None, reading.verdict if reading else None, better,
    )  # fmt: skip


def ranked(result: PeerComparison, mode: str) -> pl.DataFrame:
    """The caterpillar view: shown centres ranked by their value in ``mode`` with 95% intervals.

    The interval is the funnel's 95% band at the centre's drawn x, mirrored around its value
    (``analytics.funnel.mirrored_interval``): it leaves out the target exactly when the dot lies
    outside the 95% limits, so the ranking and the funnel say the same. Best first.
    """
    shown = result.centres.filter(~pl.col("is_suppressed"))
    rows = []
    for row in shown.iter_rows(named=True):
        low, high = mirrored_interval(
            row[f"{mode}_value"], result.targets[mode], row[f"{mode}_lower_95"], row[f"{mode}_upper_95"]
        )
        if result.indicator.kind == "proportion":
            low, high = max(0.0, low), min(1.0, high)
        rows.append({"label": row["label"], "is_own": row["is_own"], "value": row[f"{mode}_value"], "low": low,
                     "high": high, "position": row[f"{mode}_position"]})  # fmt: skip
    frame = pl.DataFrame(
        rows,
        schema={"label": pl.String, "is_own": pl.Boolean, "value": pl.Float64, "low": pl.Float64, "high": pl.Float64,
                "position": pl.String},
    )  # fmt: skip
    descending = result.indicator.improvement == "up"
    return frame.sort(["value", "label"], descending=[descending, False]).with_row_index("rank", offset=1)
