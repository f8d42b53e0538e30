"""The same questions answered by pandas on in-memory frames, as a hand-built dashboard would.

Each twin takes the frames (the whole tables, read into memory once) and the query's
parameters, and returns the query's answer; the benchmark checks that the numbers agree.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable

import duckdb
import pandas as pd

from bench.stats import spread
from data_models.outcome_sets import EPISODE_SOURCE, common

TABLES = {
    "episodes": "select * from episodes",
    "deliveries": "select centre_code, episode_id, first_delivered_on from store.episodes",
    "clinical_outcomes": "select centre_code, episode_id, outcome, value, measured_on from clinical_outcomes",
    "prom_measurements": "select * from prom_measurements",
    "costs": "select centre_code, episode_id, category, amount_eur from costs",
}
KEYS = ["centre_code", "episode_id"]
# The episodes table's fixed case-mix columns (the shared variables common.yaml delivers on the episode).
EPISODE_CASEMIX = [
    str(spec["source"]).removeprefix(EPISODE_SOURCE)
    for spec in common().casemix_variables.values()
    if str(spec.get("source", "")).startswith(EPISODE_SOURCE)
]
FOLLOWUPS = ("3m", "6m", "12m")  # the data standard's follow-up timepoints, one column each


def load_frames(db: str) -> dict[str, pd.DataFrame]:
    """The columns the twins use, read into memory once (as a hand-built dashboard keeps them)."""
    with duckdb.connect(db, read_only=True) as con:
        return {name: con.sql(sql).df() for name, sql in TABLES.items()}


def _own(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    ep = frames["episodes"]
    start = pd.Timestamp(p["from_month"])
    end = pd.Timestamp(p["to_month"]) + pd.DateOffset(months=1)
    treated = pd.to_datetime(ep["treatment_date"])
    own = ep[(ep["centre_code"] == p["centre_code"]) & (ep["pathway"] == p["pathway"]) & (treated >= start) & (treated < end)]
    return own.assign(month_date=pd.to_datetime(own["treatment_date"]).dt.to_period("M").dt.to_timestamp())


def review_cost_categories(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    own = _own(frames, p)[["centre_code", "episode_id", "month_date"]]
    costs = own.merge(frames["costs"], on=["centre_code", "episode_id"])
    costed = costs.groupby("month_date")["episode_id"].nunique().rename("costed_n")
    by_category = costs.groupby(["month_date", "category"])["amount_eur"].sum().reset_index()
    out = by_category.merge(costed.reset_index(), on="month_date")
    out["mean_cost_eur"] = out["amount_eur"] / out["costed_n"]
    return out[["month_date", "category", "mean_cost_eur", "costed_n"]].sort_values(["month_date", "category"])


def review_monthly(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    own = _own(frames, p)[["centre_code", "episode_id", "month_date"]]
    keys = ["centre_code", "episode_id"]
    volume = own.groupby("month_date").size().rename("episodes_n")
    outcomes = frames["clinical_outcomes"]
    headline = own.merge(outcomes[outcomes["outcome"] == p["headline_outcome"]], on=keys)
    recorded = headline.groupby("month_date")["value"].agg(outcome_recorded_n="count", outcome_events_n=lambda v: (v == 1).sum())
    proms = frames["prom_measurements"]
    base = own.merge(proms[proms["timepoint"] == "baseline"], on=keys)
    invited = base.groupby("month_date")["episode_id"].nunique().rename("prom_invited_n")
    completed = base[base["completed_on"].notna()].groupby("month_date")["episode_id"].nunique().rename("prom_completed_n")
    per_episode = own.merge(frames["costs"], on=keys).groupby(["month_date", "episode_id"])["amount_eur"].sum()
    cost = per_episode.groupby("month_date").agg(costed_n="count", mean_cost_eur="mean", median_cost_eur="median")
    calendar = pd.DataFrame(
        index=pd.date_range(pd.Timestamp(p["from_month"]), pd.Timestamp(p["to_month"]), freq="MS", name="month_date")
    )
    out = calendar.join([volume, recorded, invited, completed, cost]).reset_index()
    counts = ["episodes_n", "outcome_recorded_n", "outcome_events_n", "prom_invited_n", "prom_completed_n", "costed_n"]
    out[counts] = out[counts].fillna(0)
    out["outcome_pct"] = 100 * out["outcome_events_n"] / out["outcome_recorded_n"].where(out["outcome_recorded_n"] > 0)
    out["prom_response_pct"] = 100 * out["prom_completed_n"] / out["prom_invited_n"].where(out["prom_invited_n"] > 0)
    return out


def adoption_response(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    proms = frames["prom_measurements"]
    invited = pd.to_datetime(proms["invited_on"])
    start = pd.Timestamp(p["from_month"])
    end = pd.Timestamp(p["to_month"]) + pd.DateOffset(months=1)
    sent = proms[(invited >= start) & (invited < end)]
    if p.get("centre_code") is not None:
        sent = sent[sent["centre_code"] == p["centre_code"]]
    sent = sent.merge(frames["episodes"][["centre_code", "episode_id", "pathway"]], on=["centre_code", "episode_id"])
    sent = sent.assign(
        month_date=pd.to_datetime(sent["invited_on"]).dt.to_period("M").dt.to_timestamp(), answered=sent["completed_on"].notna()
    )
    per_episode = sent.groupby(["centre_code", "pathway", "month_date", "timepoint", "episode_id"])["answered"].any()
    out = (
        per_episode.groupby(["centre_code", "pathway", "month_date", "timepoint"])
        .agg(invited_n="size", answered_n="sum")
        .reset_index()
    )
    out["response_pct"] = 100 * out["answered_n"] / out["invited_n"]
    return out


def _month(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.to_period("M").dt.to_timestamp()


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    return 100 * part / whole.where(whole > 0)


def review_months(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    ep = frames["episodes"]
    own = ep[(ep["pathway"] == p["pathway"]) & ((ep["centre_code"] == p["centre_code"]) if p["centre_code"] else True)]
    own = own.merge(frames["deliveries"], on=KEYS)
    treated = _month(own["treatment_date"])
    last = min(_month(own["first_delivered_on"]).max() - pd.DateOffset(months=1), treated.max())
    months = pd.Series(sorted(treated[treated <= last].unique()), name="month_date")
    return pd.DataFrame({"month_date": months, "is_last_complete": months == last})


def review_equity(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    ep = frames["episodes"]
    end = pd.Timestamp(p["to_month"])
    treated = pd.to_datetime(ep["treatment_date"])
    own = ep[
        (ep["centre_code"] == p["centre_code"]) & (ep["pathway"] == p["pathway"])
        & (treated >= end - pd.DateOffset(months=11)) & (treated < end + pd.DateOffset(months=1))
    ]  # fmt: skip
    literacy = own["low_health_literacy"].map({True: "limited", False: "adequate"}).fillna("unknown")
    own = own[[*KEYS, "paid_work_baseline"]].assign(literacy_group=literacy.astype(object))
    outcomes = own.merge(frames["clinical_outcomes"], on=KEYS)
    headline = outcomes[outcomes["outcome"] == p["headline_outcome"]].groupby("literacy_group")["value"]
    work = outcomes[(outcomes["outcome"] == p["work_outcome"]) & outcomes["paid_work_baseline"].fillna(False).astype(bool)]
    work = work.groupby("literacy_group")["value"]
    proms = own.merge(frames["prom_measurements"], on=KEYS)
    base = proms[proms["timepoint"] == "baseline"]
    out = pd.DataFrame({"episodes_n": own.groupby("literacy_group").size()})
    out["outcome_recorded_n"] = headline.size()
    out["outcome_pct"] = _pct(headline.apply(lambda v: (v == 1).sum()), out["outcome_recorded_n"])
    out["prom_invited_n"] = base.groupby("literacy_group")["episode_id"].nunique()
    completed = base[base["completed_on"].notna()].groupby("literacy_group")["episode_id"].nunique()
    out["prom_response_pct"] = _pct(completed.reindex(out.index).fillna(0), out["prom_invited_n"])
    out["work_recorded_n"] = work.size()
    out["work_outcome_pct"] = _pct(work.apply(lambda v: (v == 1).sum()), out["work_recorded_n"])
    counts = ["outcome_recorded_n", "prom_invited_n", "work_recorded_n"]
    out[counts] = out[counts].fillna(0)
    order = {"limited": 1, "adequate": 2, "unknown": 3}
    return out.reset_index().sort_values("literacy_group", key=lambda g: g.map(order)).reset_index(drop=True)


def review_patients(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    ep = frames["episodes"]
    month = pd.Timestamp(p["month"])
    mine = ep[(ep["centre_code"] == p["centre_code"]) & (ep["pathway"] == p["pathway"])]
    treated = pd.to_datetime(mine["treatment_date"])
    own = mine[(treated >= month) & (treated < month + pd.DateOffset(months=1))]
    outcomes = own[KEYS].merge(frames["clinical_outcomes"], on=KEYS)
    bad = outcomes[(outcomes["value"] == 1) & outcomes["outcome"].isin(p["adverse_outcomes"])]
    events = bad.sort_values("outcome").groupby("episode_id")["outcome"].agg(", ".join).rename("adverse_events")
    proms = own[KEYS].merge(frames["prom_measurements"], on=KEYS)
    missing = proms["completed_on"].isna().groupby(proms["episode_id"]).sum().rename("proms_missing_n")
    primary = proms[proms["instrument"] == p["primary_instrument"]]
    baseline = primary[primary["timepoint"] == "baseline"].groupby("episode_id")["score"].max()
    followups = primary[(primary["timepoint"] != "baseline") & primary["score"].notna()]
    latest = followups.sort_values("invited_on").groupby("episode_id")["score"].last()
    cost = own[KEYS].merge(frames["costs"], on=KEYS).groupby("episode_id")["amount_eur"].sum().rename("cost_eur")
    before = mine[(treated >= month - pd.DateOffset(months=12)) & (treated < month)]
    usual = before[KEYS].merge(frames["costs"], on=KEYS).groupby("episode_id")["amount_eur"].sum().quantile(0.9)
    out = own[["episode_id", "patient_id", "treatment", "treatment_date", *EPISODE_CASEMIX]].set_index("episode_id")
    out = out.join([events, missing, cost])
    out["has_complication"] = out["adverse_events"].notna()
    out["proms_missing_n"] = out["proms_missing_n"].fillna(0)
    out["has_missing_prom"] = out["proms_missing_n"] > 0
    out["prom_change"] = latest.reindex(out.index) - baseline.reindex(out.index)
    gain = out["prom_change"] if p["is_higher_better"] else -out["prom_change"]
    out["is_below_mic"] = (gain < p["mic"]).where(gain.notna())
    out["is_cost_far_above"] = (out["cost_eur"] > 2 * usual).where(out["cost_eur"].notna())
    columns = ["episode_id", "patient_id", "treatment", "treatment_date", *EPISODE_CASEMIX, "adverse_events",
               "has_complication", "proms_missing_n", "has_missing_prom", "prom_change", "is_below_mic", "cost_eur",
               "is_cost_far_above"]  # fmt: skip
    return out.reset_index().sort_values(["treatment_date", "episode_id"])[columns]


def prediction_patients(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    proms = frames["prom_measurements"]
    proms = proms[proms["instrument"] == p["instrument"]]
    scores = proms.pivot_table(index=KEYS, columns="timepoint", values="score", aggfunc="max")
    scores = scores.reindex(columns=["baseline", *FOLLOWUPS])
    scores.columns = [f"score_{tp}" for tp in ("baseline", *FOLLOWUPS)]
    outcomes = frames["clinical_outcomes"]
    event = outcomes[outcomes["outcome"] == p["event"]].groupby(KEYS)["value"].max().rename("has_event")
    work = outcomes[outcomes["outcome"] == p["work"]].groupby(KEYS)["value"].max().rename("has_returned_to_work")
    ep = frames["episodes"]
    columns = ["centre_code", "episode_id", "treatment", "paid_work_baseline"]
    out = ep.loc[ep["pathway"] == p["pathway"], columns].set_index(KEYS).join(scores, how="inner").join([event, work])
    return out[out["score_baseline"].notna()].reset_index()


def peer_event_patients(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    ep = frames["episodes"]
    treated = pd.to_datetime(ep["treatment_date"])
    start, end = pd.Timestamp(p["from_month"]), pd.Timestamp(p["to_month"]) + pd.DateOffset(months=1)
    own = ep[(ep["pathway"] == p["pathway"]) & (treated >= start) & (treated < end)]
    outcomes = frames["clinical_outcomes"]
    events = outcomes[(outcomes["outcome"] == p["outcome"]) & outcomes["value"].isin([0, 1])][[*KEYS, "value"]]
    columns = ["centre_code", "episode_id", "treatment"]
    out = own[[*columns, "treatment_date"]].merge(events, on=KEYS)
    return out.assign(month_date=_month(out.pop("treatment_date"))).rename(columns={"value": "event"})


def _episode_rows(frame: pd.DataFrame, p: dict) -> pd.DataFrame:
    return frame[(frame["centre_code"] == p["centre_code"]) & (frame["episode_id"] == p["episode_id"])]


def trajectory_proms(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    rows = _episode_rows(frames["prom_measurements"], p).sort_values(["instrument", "invited_on"])
    renamed = rows.rename(columns={"invited_on": "invited_date", "completed_on": "completed_date"})
    return renamed[["instrument", "timepoint", "invited_date", "completed_date", "score"]]


def trajectory_events(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    rows = _episode_rows(frames["clinical_outcomes"], p).sort_values(["measured_on", "outcome"])
    return rows.rename(columns={"measured_on": "measured_date"})[["outcome", "value", "measured_date"]]


def trajectory_episode(frames: dict[str, pd.DataFrame], p: dict) -> pd.DataFrame:
    columns = ["centre_code", "episode_id", "patient_id", "pathway", "treatment", "treatment_date", "discharge_date"]
    return _episode_rows(frames["episodes"], p)[columns]


TWINS: dict[str, Callable[[dict[str, pd.DataFrame], dict], pd.DataFrame]] = {
    "review_cost_categories": review_cost_categories,
    "review_monthly": review_monthly,
    "adoption_response": adoption_response,
    "review_months": review_months,
    "review_equity": review_equity,
    "review_patients": review_patients,
    "prediction_patients": prediction_patients,
    "peer_event_patients": peer_event_patients,
    "trajectory_proms": trajectory_proms,
    "trajectory_events": trajectory_events,
    "trajectory_episode": trajectory_episode,
}


def main() -> None:
    """Time each twin: ``python -m bench.twins --db PATH --runs N --memory-mb M`` with {query: params} on stdin."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-mb", type=int, required=True)
    args = parser.parse_args()
    limit = args.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    asked = json.loads(sys.stdin.read())
    frames = load_frames(args.db)
    out = {}
    for name, params in asked.items():
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            TWINS[name](frames, params)
            times.append(time.perf_counter() - start)
        out[name] = spread(times)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
