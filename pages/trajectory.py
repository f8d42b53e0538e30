"""One patient's trajectory: the scores per timepoint against what similar patients reach, with the events."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.prediction import EXPECTED_SCHEMA, compare_trajectory, months_after, spec_for
from data_models.outcome_sets import OutcomeSet, outcome_sets
from texts import label, t, timepoint_name
from ui.context import Context, current
from ui.data import query, trajectory
from ui.figures import trajectory_figure
from ui.guard import entry_only
from ui.patient_table import patient_table

entry_only()


def choose_episode() -> str:
    """The episode opened from the review's patient list, a link (``?episode=``), or typed in."""
    if "open_episode" in st.session_state:
        st.session_state["trajectory_episode"] = st.session_state.pop("open_episode")
    elif "trajectory_episode" not in st.session_state and "episode" in st.query_params:
        st.session_state["trajectory_episode"] = st.query_params["episode"]
    return st.text_input(t("trajectory_episode"), key="trajectory_episode").strip()


def patient_profile(episode: dict, proms: pl.DataFrame, events: pl.DataFrame, oset: OutcomeSet) -> dict[str, object]:
    """The episode as the prediction models read it: case-mix values and the baseline score."""
    recorded = dict(zip(events["outcome"].to_list(), events["value"].to_list(), strict=True))
    primary = proms.filter(pl.col("instrument") == oset.primary_instrument, pl.col("timepoint") == "baseline")
    baseline = primary["score"].drop_nulls()
    profile = {k: episode.get(k) for k in ("treatment", "age", "sex", "bmi", "asa_class", "charlson_index")}
    profile.update({c: recorded.get(c) for c in spec_for(oset).casemix_outcomes})
    profile["baseline_score"] = float(baseline[0]) if baseline.len() else None
    return profile


def adverse_events(episode: dict, events: pl.DataFrame, oset: OutcomeSet) -> list[tuple[float, str]]:
    adverse = {c: o for c, o in oset.clinical_outcomes.items() if o.kind == "event" and o.better == "lower"}
    rows = events.filter(pl.col("outcome").is_in(list(adverse)), pl.col("value") == 1)
    return [
        (months_after(episode["treatment_date"], r["measured_date"]), label(adverse[r["outcome"]].label))
        for r in rows.iter_rows(named=True)
    ]


def render_trajectory(ctx: Context, episode: dict) -> None:
    oset = outcome_sets()[episode["pathway"]]
    primary = oset.instruments[oset.primary_instrument]
    proms = query("trajectory_proms", centre_code=ctx.centre_code, episode_id=episode["episode_id"])
    events = query("trajectory_events", centre_code=ctx.centre_code, episode_id=episode["episode_id"])
    profile = patient_profile(episode, proms, events, oset)
    st.caption(f"{label(oset.label)} · {label(oset.treatments[episode['treatment']])} · {episode['treatment_date']:%d-%m-%Y}")
    has_baseline = profile["baseline_score"] is not None
    expected = trajectory(episode["pathway"], profile) if has_baseline else pl.DataFrame(schema=EXPECTED_SCHEMA)
    scores = proms.filter(pl.col("instrument") == oset.primary_instrument).select("timepoint", "score")
    observed, band = compare_trajectory(scores, expected, profile["baseline_score"], primary.better == "higher")
    behind = observed.filter(pl.col("is_behind"))["timepoint"].to_list()
    if behind:
        st.warning(
            t("trajectory_behind", timepoints=", ".join(timepoint_name(tp) for tp in behind)), icon=":material/trending_down:"
        )
    elif observed.filter(pl.col("timepoint") != "baseline").is_empty():
        st.info(t("trajectory_no_scores"))
    else:
        st.success(t("trajectory_on_track"))
    names = {"expected": t("trajectory_expected"), "patient": t("trajectory_patient"), "months": t("trajectory_months")}
    st.plotly_chart(
        trajectory_figure(band, observed, adverse_events(episode, events, oset), primary.label, names),
        width="stretch",
        key="trajectory_chart",
    )
    st.caption(t("trajectory_caption"))
    st.subheader(t("trajectory_table"))
    patient_table(
        proms,
        key="trajectory_proms",
        file_name="traject.csv",
        what="trajectory_proms",
        patient_ids=[episode["episode_id"]],
    )


st.title(t("trajectory_title"))
ctx = current()
if ctx is not None:
    st.write(t("trajectory_purpose"))
    episode_id = choose_episode()
    if not episode_id:
        st.info(t("trajectory_choose"))
    else:
        rows = query("trajectory_episode", centre_code=ctx.centre_code, episode_id=episode_id)
        if rows.is_empty():
            st.error(t("trajectory_unknown"))
        else:
            render_trajectory(ctx, rows.row(0, named=True))
