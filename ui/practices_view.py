"""Learning from peers on a page: what worked elsewhere for an indicator (with adopt), and sharing a closed action.

``render_practices_elsewhere(ctx, indicator_code, has_concern)`` goes under an indicator's chart
on the review and the comparison (shown only when ``has_concern``; the review decides it with
``services.practices.should_offer``). ``render_share(ctx, action_id)`` shows a closed action's
measured effect beside the team's own account, and lets the team share or withdraw it.
Everything comes from ``services.practices``; what teams typed is shown as text (``plain``).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from access.roles import AccessDenied, Viewer
from analytics.action_effect import ActionEffect
from analytics.disclosure import MIN_PATIENTS
from analytics.indicators import Indicator, Summary, indicators_for
from analytics.monthly import add_months
from data_models.outcome_sets import outcome_sets
from services import practices
from texts import date_text, month_name, number, percent, t
from ui.context import Context
from ui.data import current_viewer, query
from ui.safe_text import plain
from warehouse.actions import ShareRefused
from warehouse.connection import warehouse_path


def _viewer() -> Viewer:
    viewer = current_viewer()
    if viewer is None:
        raise AccessDenied("nobody is logged in")
    return viewer


def _indicator(pathway: str, code: str) -> Indicator | None:
    return next((i for i in indicators_for(outcome_sets()[pathway]) if i.code == code), None)


def _level(value: float | None, indicator: Indicator | None) -> str:
    if indicator is not None and indicator.unit == "pct":
        return percent(value, 0)
    return number(value, 1)


def _change(value: float | None, indicator: Indicator | None) -> str:
    if value is None:
        return number(None)
    sign = "+" if value > 0 else ""
    if indicator is not None and indicator.unit == "pct":
        return t("practice_points", n=sign + number(100 * value, 0))
    return sign + number(value, 1)


def effect_lines(fields: dict, indicator: Indicator | None) -> list[str]:
    """The measured effect in sentences (a shared practice's row, or an own action's ``ActionEffect`` fields)."""
    if fields.get("withheld_reason") == practices.WITHHELD_SMALL:
        return [t("practice_effect_withheld", n=MIN_PATIENTS)]
    if fields.get("change") is None:
        return [t("practice_claim_only")]
    verdicts = {
        "improved": t("practice_verdict_improved"),
        "no_change": t("practice_verdict_no_change"),
        "worse": t("practice_verdict_worse"),
    }
    methods = {"newcomb": t("practice_effect_method_newcomb"), "welch": t("practice_effect_method_welch")}
    measured = t(
        "practice_effect",
        before=_level(fields["level_before"], indicator), after=_level(fields["level_after"], indicator),
        change=_change(fields["change"], indicator), low=_change(fields["change_low"], indicator),
        high=_change(fields["change_high"], indicator), n_before=number(fields["patients_before"]),
        n_after=number(fields["patients_after"]),
    )  # fmt: skip
    shift = fields.get("shift_from")
    moved = t("practice_effect_shift", month=month_name(shift)) if shift else t("practice_effect_no_shift")
    if fields.get("sustained_shift") and not shift:
        moved = t("practice_effect_shift", month=month_name(fields["start_month_date"]))
    verdict = verdicts.get(str(fields.get("effect_verdict")), "")
    return [f"**{verdict}.** {measured}", moved, methods.get(str(fields.get("effect_method")), "")]


def source_line(row: dict) -> str:
    """Where a practice comes from: the centre by name only when it chose to be named, else its kind."""
    if row.get("is_named") and row.get("centre_name"):
        return t("practice_from_named", centre=plain(row["centre_name"]))
    kinds = {"umc": t("practice_kind_umc"), "general": t("practice_kind_general")}
    return kinds.get(str(row.get("centre_kind")), t("practice_kind_other"))


def _adopt(ctx: Context, practice_id: int) -> None:
    start = add_months(ctx.month, 1) if ctx.month else dt.date.today().replace(day=1)
    practices.adopt(_viewer(), warehouse_path(), str(ctx.pathway), practice_id, start, fetch=query)
    st.session_state["practice_message"] = t("practice_adopted", month=month_name(start))


def _render_practice(ctx: Context, row: dict, adopted: dict[int, int], may_adopt: bool) -> None:
    indicator = _indicator(str(ctx.pathway), row["indicator_code"])
    with st.container(border=True):
        st.markdown(f"**{source_line(row)}** · {t('practice_started', month=month_name(row['start_month_date']))}")
        st.markdown(t("practice_what", what=plain(row["what"])))
        st.caption(t("practice_expected", expected=plain(row["expected_effect"])))
        if row.get("result_note"):
            st.caption(t("practice_result", result=plain(row["result_note"])))
        for line in effect_lines(row, indicator):
            if line:
                st.markdown(line)
        if row.get("is_named") and row.get("who"):
            st.caption(t("practice_ask", who=plain(row["who"]), centre=plain(row["centre_name"])))
        if row["practice_id"] in adopted:
            st.caption(t("practice_adopted_already"))
        elif may_adopt:
            st.button(t("practice_adopt"), key=f"adopt_{row['practice_id']}", icon=":material/add_task:",
                      on_click=_adopt, args=(ctx, row["practice_id"]))  # fmt: skip


def render_practices_elsewhere(ctx: Context, indicator_code: str, has_concern: bool) -> None:
    """Other centres' shared practices for this indicator, best measured effect first, with "adopt"."""
    if not has_concern or ctx.pathway is None:
        return
    viewer = _viewer()
    rows = practices.practices_elsewhere(viewer, None, ctx.pathway, indicator_code, fetch=query)
    st.markdown(f"#### {t('practices_title')}")
    message = st.session_state.pop("practice_message", None)
    if message:
        st.success(message)
    if rows.is_empty():
        st.caption(t("practices_none"))
        return
    st.caption(t("practices_intro"))
    may_adopt = practices.may_share(viewer, ctx.pathway) and not viewer.is_national
    adopted = practices.adopted(viewer, None, ctx.pathway, fetch=query) if may_adopt else {}
    for row in rows.iter_rows(named=True):
        _render_practice(ctx, row, adopted, may_adopt)


def render_practices_for(ctx: Context, summary: Summary) -> None:
    """What worked elsewhere under a review chart: offered when the indicator shows a concern or misses its target."""
    render_practices_elsewhere(ctx, summary.indicator.code, practices.should_offer(summary))


def _share(ctx: Context, action_id: int, named_key: str) -> None:
    choice = st.session_state.get(named_key)
    refusals = {
        "not_closed": t("practice_share_refused_not_closed"),
        "already_shared": t("practice_share_refused_already_shared"),
    }
    try:
        practices.share_practice(_viewer(), warehouse_path(), str(ctx.pathway), action_id, choice == "named", fetch=query)
    except ShareRefused as err:
        st.session_state["share_message"] = refusals.get(err.reason, str(err.reason))


def _withdraw(ctx: Context, practice_id: int) -> None:
    practices.withdraw_practice(_viewer(), warehouse_path(), str(ctx.pathway), practice_id, fetch=query)
    st.session_state["share_message"] = t("practice_withdrawn")


def _effect_fields(effect: ActionEffect, start: dt.date) -> dict:
    return {**effect.__dict__, "effect_verdict": effect.verdict, "effect_method": effect.method, "start_month_date": start}


def render_share(ctx: Context, action_id: int) -> None:
    """A closed action's measured effect beside the team's own account, and sharing it (or withdrawing it)."""
    if ctx.pathway is None:
        return
    viewer = _viewer()
    own = query("review_actions", centre_code=ctx.centre_code, pathway=ctx.pathway).filter(pl.col("action_id") == action_id)
    if own.is_empty():
        return
    action = own.row(0, named=True)
    effect = practices.action_effect(viewer, None, ctx.pathway, action_id, fetch=query)
    st.markdown(f"#### {t('practice_share_title')}")
    result = action["result_note"] or "—"
    st.caption(t("practice_team_account", expected=plain(action["expected_effect"]), result=plain(result)))
    for line in effect_lines(
        _effect_fields(effect, action["start_month_date"]), _indicator(ctx.pathway, action["indicator_code"])
    ):
        if line:
            st.markdown(line)
    message = st.session_state.pop("share_message", None)
    if message:
        st.info(message)
    if action["status"] != "done":
        st.caption(t("practice_share_only_done"))
        return
    if not practices.may_share(viewer, ctx.pathway):
        return
    _render_share_controls(ctx, action_id)


def _render_share_controls(ctx: Context, action_id: int) -> None:
    shared = practices.own_practices(_viewer(), None, str(ctx.pathway), fetch=query)
    active = shared.filter(pl.col("action_id") == action_id, pl.col("is_active"))
    if active.height:
        row = active.row(0, named=True)
        when = date_text(row["shared_at"].date())
        st.caption(t("practice_shared_named", date=when) if row["is_named"] else t("practice_shared_anonymous", date=when))
        if row["adoptions_n"]:
            st.caption(t("practice_adoptions", n=row["adoptions_n"]))
        st.button(t("practice_withdraw"), key=f"withdraw_{row['practice_id']}", icon=":material/undo:",
                  on_click=_withdraw, args=(ctx, row["practice_id"]))  # fmt: skip
        return
    named_key = f"share_named_{action_id}"
    choices = {"anonymous": t("practice_share_anonymous"), "named": t("practice_share_named")}
    st.radio(t("practice_share_how"), list(choices), index=None, format_func=choices.get, key=named_key)
    st.caption(t("practice_share_what"))
    st.button(t("practice_share_button"), key=f"share_{action_id}", icon=":material/share:",
              disabled=st.session_state.get(named_key) is None, on_click=_share, args=(ctx, action_id, named_key))  # fmt: skip
