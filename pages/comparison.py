"""Compare: the viewer's centre beside all centres together (crude; funnel plots follow)."""

from __future__ import annotations

import streamlit as st

from analytics.monthly import add_months
from data_models.outcome_sets import outcome_sets
from ui.context import Context, current
from ui.data import query
from ui.text import label, month_name, number, t

SMALL_NUMBER = 10
MIN_CENTRES = 3


def render_headline(ctx: Context) -> None:
    oset = outcome_sets()[ctx.pathway]
    outcome = oset.clinical_outcomes[oset.headline_outcome]
    row = query(
        "comparison_headline",
        centre_code=ctx.centre_code,
        pathway=ctx.pathway,
        outcome=oset.headline_outcome,
        from_month=add_months(ctx.month, -11),
        to_month=ctx.month,
    ).row(0, named=True)
    if row["centres_n"] < MIN_CENTRES:
        st.info(t("compare_few_centres"))
        return
    own_small = row["own_recorded_n"] < SMALL_NUMBER
    own = "< 10" if own_small else number(100 * row["own_events_n"] / row["own_recorded_n"], 1, "%")
    pooled = number(100 * row["all_events_n"] / row["all_recorded_n"], 1, "%")
    left, right = st.columns(2)
    left.metric(f"{t('compare_own')} · {label(outcome.label)}", own)
    right.metric(f"{t('compare_all')} · {label(outcome.label)}", pooled)
    if own_small:
        st.info(t("compare_small"))
    else:
        st.write(t("compare_sentence", label=label(outcome.label), own=own, all=pooled, centres=row["centres_n"]))
    st.caption(t("compare_crude"))


ctx = current()
st.title(t("compare_title"))
if ctx is None:
    st.warning(t("no_warehouse"))
elif ctx.pathway is None or ctx.month is None:
    st.info(t("no_pathways"))
else:
    st.caption(f"{ctx.centre_name} · {label(outcome_sets()[ctx.pathway].label)}")
    st.write(t("compare_purpose", month=month_name(ctx.month)))
    render_headline(ctx)
