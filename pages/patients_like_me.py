"""Samen beslissen: for a patient in the consultation room, what happened to similar patients per option."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.prediction import spec_for
from data_models.outcome_sets import OutcomeSet, outcome_sets
from queries.similar import GroupResult, OptionResult
from texts import label, number, t, timepoint_name
from ui.context import current
from ui.data import like_me, pathway_validations
from ui.figures import calibration_figure, icon_array_figure
from ui.guard import entry_only
from ui.safe_text import plain

entry_only()

YES_NO = {None: "unknown", 1.0: "yes", 0.0: "no"}
CHOICES = {
    "asa_class": [None, 1.0, 2.0, 3.0, 4.0, 5.0],
    "tumour_stage": [None, 1.0, 2.0, 3.0, 4.0],
    "diabetes": list(YES_NO),
    "crohns_disease": list(YES_NO),
    "smoking": list(YES_NO),
}
NUMBERS = {"bmi": (10.0, 80.0, 0.1), "charlson_index": (0.0, 37.0, 1.0)}


def _choice_label(variable: str, value: float | None) -> str:
    if variable in ("diabetes", "crohns_disease", "smoking"):
        return t(YES_NO[value])
    return t("unknown") if value is None else number(value, 0)


def patient_form(oset: OutcomeSet) -> dict[str, object] | None:
    """The patient's characteristics; returns the last submitted profile of this pathway."""
    spec = spec_for(oset)
    primary = oset.instruments[oset.primary_instrument]
    key = f"like_me_{oset.pathway}"
    with st.form(f"form_{key}"):
        st.markdown(f"**{t('decide_patient')}**")
        left, right = st.columns(2)
        profile: dict[str, object] = {
            "age": left.number_input(t("input_age"), 18, 110, 65, 1, key=f"{key}_age"),
            "sex": right.selectbox(t("input_sex"), ["F", "M", "X", "U"], format_func=lambda s: t("sex_" + s), key=f"{key}_sex"),
        }
        columns = [left, right]
        for i, variable in enumerate(v for v in spec.numeric if v not in ("age", "baseline_score")):
            column = columns[i % 2]
            if variable in CHOICES:
                profile[variable] = column.selectbox(
                    t("input_" + variable), CHOICES[variable], format_func=lambda v, var=variable: _choice_label(var, v),
                    key=f"{key}_{variable}",
                )  # fmt: skip
            else:
                low, high, step = NUMBERS[variable]
                profile[variable] = column.number_input(t("input_" + variable), low, high, None, step, key=f"{key}_{variable}")
        profile["baseline_score"] = st.number_input(
            t("input_baseline", instrument=primary.label, low=number(primary.min), high=number(primary.max), better=t("better_" + primary.better)),
            primary.min, primary.max, (primary.min + primary.max) / 2, 1.0, key=f"{key}_baseline",
        )  # fmt: skip
        if spec.has_work:
            profile["paid_work"] = st.checkbox(t("input_paid_work"), key=f"{key}_work")
        if st.form_submit_button(t("decide_show"), icon=":material/groups:", type="primary"):
            st.session_state[key] = profile
    return st.session_state.get(key)


def _chance(value: float | None) -> str:
    if value is None:
        return t("option_too_few")
    return t("option_less_than_1") if 0 < value < 0.005 else t("option_of_100", n=round(100 * value))


def _score(group: GroupResult) -> str:
    if group.followup is None:
        return t("option_too_few")
    value, low, high = group.followup
    return t("option_score_value", value=number(value, 0), low=number(low, 0), high=number(high, 0))


def _similar(group: GroupResult) -> str:
    return "< 10" if group.similar_n is None else number(group.similar_n, 0)


def option_table(result: OptionResult, oset: OutcomeSet) -> pl.DataFrame:
    spec = spec_for(oset)
    rows = [(t("option_score", followup=timepoint_name(oset.primary_followup)), _score(result.own), _score(result.pooled)),
            (t("option_mic"), _chance(result.own.mic), _chance(result.pooled.mic))]  # fmt: skip
    if result.pooled.event is not None or result.own.event is not None:
        event = label(oset.clinical_outcomes[spec.event].label) if spec.event else ""
        rows.append((event, _chance(result.own.event), _chance(result.pooled.event)))
    if result.pooled.work is not None:
        rows.append((t("option_work"), _chance(result.own.work), _chance(result.pooled.work)))
    rows.append((t("option_similar"), _similar(result.own), _similar(result.pooled)))
    return pl.DataFrame(rows, schema=[t("validation_outcome"), t("option_own"), t("option_all")], orient="row")


def render_option(result: OptionResult, oset: OutcomeSet) -> None:
    name = label(oset.treatments[result.treatment])
    with st.container(border=True):
        st.subheader(name)
        best = result.own if result.own.mic is not None and not result.own.is_thin else result.pooled
        if best.mic is not None:
            followup = timepoint_name(oset.primary_followup)
            st.markdown(t("option_sentence", treatment=name, n=round(100 * best.mic), followup=followup))
            st.plotly_chart(icon_array_figure(best.mic, name), width="content", key=f"icons_{result.treatment}")
            st.caption(t("option_icons_caption"))
        st.table(option_table(result, oset), hide_index=True)
        if result.own.is_thin or result.pooled.is_thin:
            thin = result.own if result.own.is_thin else result.pooled
            st.warning(t("warning_thin", n=_similar(thin)), icon=":material/info:")
        for variable, value, low, high in result.outside:
            st.warning(
                t("warning_outside", variable=t("input_" + ("baseline" if variable == "baseline_score" else variable)).split(" (")[0],
                  value=number(value, 1), low=number(low, 1), high=number(high, 1)),
                icon=":material/warning:",
            )  # fmt: skip


def render_options(results: list[OptionResult], oset: OutcomeSet) -> None:
    for column, result in zip(st.columns(len(results)), results, strict=True):
        with column:
            render_option(result, oset)


def render_details(oset: OutcomeSet) -> None:
    details = st.expander(t("decide_details"), icon=":material/analytics:", key="decide_details", on_change="rerun")
    with details:
        if not details.open:  # held-out validation is computed when someone opens the details
            return
        st.write(t("decide_details_text"))
        validations = pathway_validations(oset.pathway)
        table = pl.DataFrame(
            [
                {
                    t("validation_treatment"): label(oset.treatments[v.treatment]), t("validation_outcome"): t("outcome_" + v.outcome),
                    t("validation_test_n"): v.test_n, t("validation_c"): v.c_statistic, t("validation_r2"): v.r_squared,
                    t("validation_coverage"): v.interval_coverage,
                }
                for v in validations
            ]
        )  # fmt: skip
        st.dataframe(table, hide_index=True, width="stretch", key="validation_table")
        if not validations:
            return
        choice = st.selectbox(
            t("validation_calibration"), range(len(validations)), key="validation_choice",
            format_func=lambda i: f"{label(oset.treatments[validations[i].treatment])} · {t('outcome_' + validations[i].outcome)}",
        )  # fmt: skip
        chosen = validations[choice]
        fig = calibration_figure(
            chosen.calibration, t("validation_predicted"), t("validation_observed"), chosen.outcome != "followup"
        )
        st.plotly_chart(fig, width="stretch", key="calibration_chart")


st.title(t("decide_title"))
ctx = current()
if ctx is not None and ctx.pathway is not None:
    oset = outcome_sets()[ctx.pathway]
    st.caption(f"{plain(ctx.centre_name)} · {label(oset.label)}")
    st.write(t("decide_purpose"))
    profile = patient_form(oset)
    if profile is None:
        st.info(t("decide_fill_in"))
    else:
        render_options(like_me(ctx.pathway, profile), oset)
    render_details(oset)
