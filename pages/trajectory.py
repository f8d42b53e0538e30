"""One patient's trajectory: the scores per timepoint against what similar patients reach, with the events."""

from __future__ import annotations

import streamlit as st

from services.trajectory import Trajectory
from texts import date_text, label, month_name, t, timepoint_name
from texts.review import cells_in_words, patients_in_words, prom_codes
from ui.context import Context, current
from ui.data import trajectory
from ui.drawn import drawn
from ui.figures import trajectory_figure
from ui.guard import entry_only
from ui.patient_table import patient_table
from ui.review_data import review_patients
from ui.review_view import column_labels

entry_only()


def picked(episodes: dict[str, str]) -> None:
    """A callback: the patient chosen from the month's list fills the episode field."""
    chosen = st.session_state.get("trajectory_pick")
    if chosen in episodes:
        st.session_state["trajectory_episode"] = episodes[chosen]


def render_month_patients(ctx: Context) -> None:
    """The month's patients to choose from (a view of patient rows, audited), so nobody has to type a pseudonym."""
    if ctx.month is None:
        return
    patients = patients_in_words(review_patients(ctx), ctx.pathway)
    if patients.is_empty():
        return
    episodes = {  # an option shows as plain text: its words → the episode it opens
        f"{row['episode_id']} · {row['treatment']} · {date_text(row['treatment_date'])}": row["episode_id"]
        for row in patients.iter_rows(named=True)
    }
    st.selectbox(
        t("trajectory_pick", month=month_name(ctx.month)), list(episodes), index=None,
        placeholder=t("trajectory_pick_placeholder"), key="trajectory_pick", on_change=picked, args=(episodes,),
    )  # fmt: skip


def choose_episode(ctx: Context) -> str:
    """The episode opened from the review's patient list, a link (``?episode=``), chosen or typed in; the
    page keeps it when the viewer goes to another page and comes back (a widget's own state would not)."""
    if "open_episode" in st.session_state:
        st.session_state["trajectory_episode"] = st.session_state.pop("open_episode")
    elif "trajectory_episode" not in st.session_state and "episode" in st.query_params:
        st.session_state["trajectory_episode"] = st.query_params["episode"]
    elif "trajectory_episode" not in st.session_state and "trajectory_last" in st.session_state:
        st.session_state["trajectory_episode"] = st.session_state["trajectory_last"]
    render_month_patients(ctx)
    episode = st.text_input(t("trajectory_episode"), key="trajectory_episode").strip()
    st.session_state["trajectory_last"] = episode
    return episode


def render_trajectory(answer: Trajectory) -> None:
    st.caption(f"{label(answer.pathway_label)} · {label(answer.treatment_label)} · {answer.treatment_date:%d-%m-%Y}")
    if answer.behind:
        st.warning(
            t("trajectory_behind", timepoints=", ".join(timepoint_name(tp) for tp in answer.behind)),
            icon=":material/trending_down:",
        )
    elif not answer.has_followup:
        st.info(t("trajectory_no_scores"))
    else:
        st.success(t("trajectory_on_track"))
    names = {"expected": t("trajectory_expected"), "patient": t("trajectory_patient"), "months": t("trajectory_months")}
    events = [(months, label(event)) for months, event in answer.events]
    st.plotly_chart(
        drawn(trajectory_figure, answer.band, answer.observed, events, answer.instrument, names),
        width="stretch",
        key="trajectory_chart",
    )
    st.caption(t("trajectory_caption"))
    st.subheader(t("trajectory_table"))
    patient_table(
        cells_in_words(answer.proms, prom_codes(answer.pathway)),
        column_config=column_labels(answer.proms),
        key="trajectory_proms",
        file_name="traject.csv",
        what="trajectory_proms",
        patient_ids=[answer.episode_id],
    )


st.title(t("trajectory_title"))
ctx = current()
if ctx is not None:
    st.write(t("trajectory_purpose"))
    episode_id = choose_episode(ctx)
    if not episode_id:
        st.info(t("trajectory_choose"))
    else:
        answer = trajectory(episode_id)
        if not answer.found:
            st.error(t("trajectory_unknown"))
        else:
            render_trajectory(answer)
