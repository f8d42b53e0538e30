"""Samen beslissen: for a patient in the consultation room, what happened to similar patients per option.

The form is the outcome set's case-mix (``services.patients_like_me``): a number field per numeric
variable (its unit in the label, empty = unknown), a choice per categorical one (its labels in the
viewer's language), the baseline score within the primary instrument's range.
"""

from __future__ import annotations

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data_models.outcome_sets import CATEGORICAL, outcome_sets
from services.patients_like_me import (
    YES_NO,
    FormField,
    GroupResult,
    InputProblem,
    OptionResult,
    PatientForm,
    PatientsLikeMe,
)
from texts import label, number, t, timepoint_name
from ui.context import current
from ui.data import like_me, pathway_validations
from ui.drawn import drawn
from ui.figures import calibration_figure, icon_array_figure
from ui.guard import entry_only
from ui.safe_text import plain

entry_only()


def field_label(field: FormField, form: PatientForm) -> str:
    if field.is_baseline:
        inst = form.instrument
        return t(
            "input_baseline",
            instrument=inst.label,
            low=number(inst.min),
            high=number(inst.max),
            better=t("better_" + inst.better),
        )
    unit = label(field.unit) if field.unit else ""
    return f"{label(field.label)} ({unit})" if unit else label(field.label)


def field_input(column: DeltaGenerator, field: FormField, form: PatientForm, key: str) -> object:
    """One question: a number (empty = unknown), a choice among the variable's labels, or yes / no."""
    name = field_label(field, form)
    if field.kind == CATEGORICAL:
        return column.selectbox(
            name, list(field.choices), index=None, placeholder=t("unknown"),
            format_func=lambda c, f=field: label(f.choices[c]), key=key,
        )  # fmt: skip
    if field.kind == YES_NO:
        return column.selectbox(
            name, [None, 1.0, 0.0], format_func=lambda v: t("unknown") if v is None else t("yes" if v else "no"), key=key
        )
    shown = f"%.{field.decimals}f"
    help_text = t("input_range", low=number(field.low, field.decimals), high=number(field.high, field.decimals))
    return column.number_input(name, value=None, step=field.step, format=shown, help=help_text, key=key)


def patient_form(form: PatientForm) -> dict[str, object] | None:
    """The patient's characteristics; returns the last submitted profile of this pathway."""
    key = f"like_me_{form.pathway}"
    with st.form(f"form_{key}"):
        st.markdown(f"**{t('decide_patient')}**")
        columns = st.columns(2)
        profile: dict[str, object] = {}
        asked = [f for f in form.fields if not f.is_baseline]
        for i, field in enumerate(asked):
            profile[field.code] = field_input(columns[i % 2], field, form, f"{key}_{field.code}")
        for field in (f for f in form.fields if f.is_baseline):
            profile[field.code] = field_input(st, field, form, f"{key}_{field.code}")
        if form.asks_paid_work:
            profile["paid_work"] = st.checkbox(t("input_paid_work"), key=f"{key}_work")
        if st.form_submit_button(t("decide_show"), icon=":material/groups:", type="primary"):
            st.session_state[key] = profile
    return st.session_state.get(key)


def problem_sentence(problem: InputProblem) -> str:
    field = problem.field
    if field.kind == CATEGORICAL or not isinstance(problem.value, int | float):
        return t("input_not_a_choice", variable=label(field.label))
    return t(
        "input_out_of_range", variable=label(field.label), value=number(float(problem.value), field.decimals),
        low=number(field.low, field.decimals), high=number(field.high, field.decimals),
    )  # fmt: skip


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


def option_table(result: OptionResult, answer: PatientsLikeMe) -> pl.DataFrame:
    rows = [(t("option_score", followup=timepoint_name(answer.followup)), _score(result.own), _score(result.pooled)),
            (t("option_mic"), _chance(result.own.mic), _chance(result.pooled.mic))]  # fmt: skip
    if result.pooled.event is not None or result.own.event is not None:
        rows.append((label(answer.event_label or {}), _chance(result.own.event), _chance(result.pooled.event)))
    if result.pooled.work is not None:
        rows.append((t("option_work"), _chance(result.own.work), _chance(result.pooled.work)))
    rows.append((t("option_similar"), _similar(result.own), _similar(result.pooled)))
    return pl.DataFrame(rows, schema=[t("validation_outcome"), t("option_own"), t("option_all")], orient="row")


def render_option(result: OptionResult, answer: PatientsLikeMe) -> None:
    name = label(answer.treatments[result.treatment])
    with st.container(border=True):
        st.subheader(name)
        best = result.best
        if answer.has_too_few(result.treatment):  # no headline as if it were evidence
            st.info(t("option_too_few_similar", treatment=name), icon=":material/info:")
        elif best.mic is not None:
            followup = timepoint_name(answer.followup)
            st.markdown(t("option_sentence", treatment=name, n=round(100 * best.mic), followup=followup))
            st.plotly_chart(drawn(icon_array_figure, best.mic, name), width="content", key=f"icons_{result.treatment}")
            st.caption(t("option_icons_caption"))
        st.table(option_table(result, answer), hide_index=True)
        if result.thin is not None:
            st.warning(t("warning_thin", n=_similar(result.thin)), icon=":material/info:")
        for variable, value, low, high in result.outside:
            field = answer.form.field(variable)
            st.warning(
                t("warning_outside", variable=label(field.label) if field else variable, value=number(value, 1),
                  low=number(low, 1), high=number(high, 1)),
                icon=":material/warning:",
            )  # fmt: skip


def render_answer(answer: PatientsLikeMe) -> None:
    if answer.problems:  # nothing of an earlier patient stays on screen
        st.error(" ".join(problem_sentence(p) for p in answer.problems), icon=":material/error:")
        return
    for column, result in zip(st.columns(len(answer.options)), answer.options, strict=True):
        with column:
            render_option(result, answer)


def render_details(treatments: dict[str, dict[str, str]], pathway: str) -> None:
    details = st.expander(t("decide_details"), icon=":material/analytics:", key="decide_details", on_change="rerun")
    with details:
        if not details.open:  # held-out validation is computed when someone opens the details
            return
        st.write(t("decide_details_text"))
        validations = pathway_validations(pathway)
        table = pl.DataFrame(
            [
                {
                    t("validation_treatment"): label(treatments[v.treatment]), t("validation_outcome"): t("outcome_" + v.outcome),
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
            format_func=lambda i: f"{label(treatments[validations[i].treatment])} · {t('outcome_' + validations[i].outcome)}",
        )  # fmt: skip
        chosen = validations[choice]
        fig = drawn(
            calibration_figure,
            chosen.calibration,
            t("validation_predicted"),
            t("validation_observed"),
            chosen.outcome != "followup",
        )
        st.plotly_chart(fig, width="stretch", key="calibration_chart")


st.title(t("decide_title"))
ctx = current()
if ctx is not None and ctx.pathway is not None:
    oset = outcome_sets()[ctx.pathway]
    st.caption(f"{plain(ctx.centre_name)} · {label(oset.label)}")
    st.write(t("decide_purpose"))
    blank = like_me(ctx.pathway)
    profile = patient_form(blank.form)
    if profile is None:
        st.info(t("decide_fill_in"))
    else:
        render_answer(like_me(ctx.pathway, profile))
    render_details(blank.treatments, ctx.pathway)
