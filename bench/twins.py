"""The same questions answered by pandas on in-memory frames, as a hand-built dashboard would.

Each twin takes the frames (the whole tables, read into memory once) and the query's
parameters, and returns the query's answer; the benchmark checks that the numbers agree.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

TABLES = {
    "episodes": "select centre_code, episode_id, pathway, treatment_date from episodes",
    "clinical_outcomes": "select centre_code, episode_id, outcome, value from clinical_outcomes",
    "prom_measurements": "select centre_code, episode_id, timepoint, invited_on, completed_on from prom_measurements",
    "costs": "select centre_code, episode_id, category, amount_eur from costs",
}


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


TWINS: dict[str, Callable[[dict[str, pd.DataFrame], dict], pd.DataFrame]] = {
    "review_cost_categories": review_cost_categories,
    "review_monthly": review_monthly,
    "adoption_response": adoption_response,
}
