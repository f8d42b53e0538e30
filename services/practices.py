"""Learning from peers: a closed action's measured effect, sharing it, what worked elsewhere, adopting it.

- ``action_effect``: what the indicator of one of the team's own actions did after its start month
  (``analytics.action_effect.measured_effect`` on the team's own ``review_indicators`` rows, up to
  the indicator's latest cohort whose follow-up has closed).
- ``share_practice`` / ``withdraw_practice``: a team (``warehouse.actions.WRITERS`` of the action's
  centre and pathway) offers one of its actions closed as done to the other centres, anonymously or
  with its name, by explicit choice, and may withdraw it; the store logs and audits both. What is
  shared is what the team wrote and the measured effect after disclosure control (``disclosed``):
  never patient rows, never a count under ``analytics.disclosure.MIN_PATIENTS``.
- ``practices_elsewhere``: other centres' shared practices for a pathway and indicator, the best
  measured effect first; ``should_offer`` says for which indicators a review offers them.
- ``adopt``: a practice becomes a planned action in the viewer's own log, linked to its origin.
- ``library``: the programme lead's library of every shared practice with its adoptions.

Every read runs through ``fetch`` (by default ``queries.run`` for the viewer on ``db``; the pages pass
their audited runner); ``db`` is the warehouse the action store lies beside, for the writes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import polars as pl

import queries
from access import audit
from access.roles import AccessDenied, Role, Viewer
from analytics.action_effect import BEFORE_MONTHS, ActionEffect, measured_effect
from analytics.disclosure import MIN_PATIENTS, rounded
from analytics.indicators import (
    PROM_CHANGE,
    Indicator,
    Summary,
    code_parts,
    cohort_month,
    indicator_code,
    indicator_params,
    indicators_for,
    month_range,
)
from analytics.monthly import add_months
from data_models.outcome_sets import outcome_sets
from services.actions import indicator_codes, writer_for
from warehouse import actions as store
from warehouse.connection import warehouse_path

__all__ = [
    "ANONYMOUS_KINDS", "Fetch", "action_effect", "adopt", "adopted", "disclosed", "library", "may_share", "measure_pending",
    "own_practices", "practice_indicator", "practices_elsewhere", "share_practice", "should_offer", "withdraw_practice",
]  # fmt: skip

Fetch = Callable[..., pl.DataFrame]  # fetch(query name, **parameters) → the query's rows for the viewer

# An anonymous practice is labelled by its centre's kind only where several centres share that kind;
# any other kind is "a centre" (one rehabilitation centre would be named by its kind).
ANONYMOUS_KINDS = ("umc", "general")
OTHER_KIND = "other"
WITHHELD_SMALL = "small_numbers"  # the patients before or after are fewer than MIN_PATIENTS
WITHHELD_UNMEASURED = "not_measured"  # too few months on either side to measure anything


def _runner(viewer: Viewer | None, db: Path | None, fetch: Fetch | None) -> Fetch:
    if fetch is not None:
        return fetch
    return lambda name, **params: queries.run(name, viewer, db=db, **params)


def may_share(viewer: Viewer | None, pathway: str) -> bool:
    """Whether the viewer may share and withdraw its own centre's practices of ``pathway``."""
    try:
        writer_for(viewer, pathway)
    except AccessDenied:
        return False
    return True


def should_offer(summary: Summary) -> bool:
    """Offer what worked elsewhere for an indicator whose chart shows a concern or that misses its target.

    A concern: a special cause on the bad side this month (never from a month with too few patients).
    Below target: the limits lie wholly on the wrong side (assurance ``fail``), or the month's value
    is on the wrong side of the target.
    """
    if summary.variation == "concern" and summary.is_special and not summary.too_few:
        return True
    target, value = summary.indicator.target, summary.value
    if target is None:
        return False
    if summary.assurance == "fail":
        return True
    if value is None or summary.too_few:
        return False
    return value < target if summary.indicator.improvement == "up" else value > target


def practice_indicator(comparison_code: str) -> str:
    """The review indicator whose practices belong beside a peer comparison's indicator.

    An event (``outcome:<code>``) is the same indicator; the follow-up score of an instrument
    (``prom:<instrument>``, ``analytics.peers``) is its change on the review (``prom_change:<instrument>``).
    """
    family, subject = code_parts(comparison_code)
    return indicator_code(PROM_CHANGE, subject) if family == "prom" else comparison_code


def _indicator(pathway: str, code: str) -> Indicator:
    found = {i.code: i for i in indicators_for(outcome_sets()[pathway])}
    if code not in found:
        raise KeyError(f"no indicator {code!r} in {pathway}")
    return found[code]


def _own_action(ask: Fetch, centre_code: str | None, pathway: str, action_id: int) -> dict:
    own = ask("review_actions", centre_code=centre_code, pathway=pathway).filter(pl.col("action_id") == action_id)
    if own.is_empty():
        raise AccessDenied(f"no action {action_id} in {centre_code}/{pathway} for this viewer")
    return own.row(0, named=True)


def action_effect(
    viewer: Viewer | None, db: Path | None, pathway: str, action_id: int, *, fetch: Fetch | None = None
) -> ActionEffect:
    """The measured effect of one of the viewer's own centre's actions (see the module)."""
    ask = _runner(viewer, db, fetch)
    centre = viewer.centre_code if viewer is not None else None
    action = _own_action(ask, centre, pathway, action_id)
    indicator = _indicator(pathway, action["indicator_code"])
    start = action["start_month_date"]
    months = ask("review_months", centre_code=centre, pathway=pathway)["month_date"]
    if months.is_empty():
        return measured_effect(indicator, pl.DataFrame(), start, add_months(start, -1))
    last = cohort_month(indicator, months.max())  # type: ignore[arg-type]
    first = add_months(start, -BEFORE_MONTHS)
    span = max((last.year - first.year) * 12 + last.month - first.month + 1, 1)
    rows = ask("review_indicators", **indicator_params(outcome_sets()[pathway], centre, month_range(last, span)))
    return measured_effect(indicator, rows, start, last)


def _level(value: float | None, method: str) -> float | None:
    """A level as the pages show it: whole percents for proportions (0–1), tenths for measures."""
    if value is None or math.isnan(value):
        return None
    return round(value, 2) if method == "newcomb" else round(value, 1)


def disclosed(effect: ActionEffect) -> dict[str, object]:
    """The measured effect as peers may see it (``warehouse.actions.EFFECT_FIELDS``), after disclosure control.

    Not measured: only that. Fewer than ``MIN_PATIENTS`` patients before or after: no numbers and no
    verdict (both rest on the small count), with the reason. Otherwise the patients rounded to fives
    (``analytics.disclosure.rounded``) and the levels, the change and its interval to the page's
    precision, as every peer figure.
    """
    base: dict[str, object] = {"effect_method": effect.method}
    if not effect.is_measured:
        return {**base, "effect_verdict": "not_measured", "withheld_reason": WITHHELD_UNMEASURED}
    if min(effect.patients_before, effect.patients_after) < MIN_PATIENTS:
        return {**base, "withheld_reason": WITHHELD_SMALL}
    return {
        **base, "effect_verdict": effect.verdict, "patients_before": rounded(effect.patients_before),
        "patients_after": rounded(effect.patients_after), "sustained_shift": effect.sustained_shift,
        **{k: _level(getattr(effect, k), effect.method)
           for k in ("level_before", "level_after", "change", "change_low", "change_high")},
    }  # fmt: skip


def share_practice(
    viewer: Viewer | None,
    db: Path,
    pathway: str,
    action_id: int,
    is_named: bool,
    *,
    fetch: Fetch | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Offer one of the viewer's own centre's closed actions to the other centres; returns the practice's number.

    Raises ``warehouse.actions.ShareRefused`` for an action that is not closed as done or is shared already.
    """
    writer = writer_for(viewer, pathway)
    ask = _runner(writer, db, fetch)
    _own_action(ask, writer.centre_code, pathway, action_id)
    effect = disclosed(action_effect(writer, db, pathway, action_id, fetch=ask))
    centre = ask("viewer_centre", centre_code=writer.centre_code)
    name = centre["centre_name"][0] if centre.height else str(writer.centre_code)
    kind = centre["centre_kind"][0] if centre.height else OTHER_KIND
    kind = kind if kind in ANONYMOUS_KINDS else OTHER_KIND
    return store.share_action(db, writer, action_id, is_named=is_named, centre_kind=kind, centre_name=name, effect=effect, at=at)


def own_practices(viewer: Viewer | None, db: Path | None, pathway: str, *, fetch: Fetch | None = None) -> pl.DataFrame:
    """The viewer's centre's shared practices of ``pathway`` (withdrawn ones too), newest first."""
    ask = _runner(viewer, db, fetch)
    return ask("practices_own", centre_code=viewer.centre_code if viewer else None, pathway=pathway)


def withdraw_practice(viewer: Viewer | None, db: Path, pathway: str, practice_id: int, *, fetch: Fetch | None = None) -> bool:
    """Withdraw a practice the viewer's centre shared: it disappears from every other centre's view."""
    writer = writer_for(viewer, pathway)
    own = own_practices(writer, db, pathway, fetch=_runner(writer, db, fetch))
    if practice_id not in set(own["practice_id"].to_list()):
        raise AccessDenied(f"{writer.user} has no practice {practice_id} in {writer.centre_code}/{pathway}")
    return store.withdraw_practice(db, writer, practice_id)


def _ordered(rows: pl.DataFrame, pathway: str) -> pl.DataFrame:
    """Improved first, then by the change in each indicator's good direction, largest first; unmeasured last."""
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, dtype=pl.Float64).alias("gain"))
    ups = {i.code: i.improvement == "up" for i in indicators_for(outcome_sets()[pathway])}
    sign = pl.col("indicator_code").replace_strict(ups, default=True).cast(pl.Boolean)
    gain = pl.when(sign).then(pl.col("change")).otherwise(-pl.col("change")).alias("gain")
    improved = (pl.col("effect_verdict") == "improved").fill_null(False).alias("_improved")
    ordered = rows.with_columns(gain, improved).sort(
        ["_improved", "gain", "practice_id"], descending=[True, True, False], nulls_last=True
    )
    return ordered.drop("_improved")


def measure_pending(db: Path | None, pathway: str | None = None) -> int:
    """Measure the effect of every practice shared before it was measured (the demo seeds them so); returns how many.

    Measured on the sharing team's own rows, as that team (it chose to share its measured effect),
    and stored once after disclosure control (``disclosed``). ``pathway``: only that pathway's (None: all).
    """
    root = db or warehouse_path()
    done = 0
    for row in store.pending_practices(root):
        if pathway is not None and row["pathway"] != pathway:
            continue
        team = Viewer(str(row["shared_by"]), str(row["shared_by"]), Role.CARE_TEAM, str(row["centre_code"]),
                      (str(row["pathway"]),))  # fmt: skip
        effect = action_effect(team, root, str(row["pathway"]), int(row["action_id"]))  # type: ignore[call-overload]
        done += store.record_measured_effect(root, int(row["practice_id"]), disclosed(effect))  # type: ignore[call-overload]
    return done


def practices_elsewhere(
    viewer: Viewer | None, db: Path | None, pathway: str, indicator_code: str | None, *, fetch: Fetch | None = None
) -> pl.DataFrame:
    """Other centres' shared practices for ``pathway`` (and ``indicator_code``; None: all), the best effect first.

    An anonymous practice has no ``centre_code``, ``centre_name`` or ``who``: only its ``centre_kind``.
    """
    ask = _runner(viewer, db, fetch)
    measure_pending(db, pathway)
    centre = None if viewer is None or viewer.is_national else viewer.centre_code
    rows = ask("practices_shared", centre_code=centre, pathway=pathway, indicator_code=indicator_code)
    return _ordered(rows, pathway)


def adopted(viewer: Viewer | None, db: Path | None, pathway: str, *, fetch: Fetch | None = None) -> dict[int, int]:
    """The practices the viewer's centre has adopted in ``pathway``: practice number → its own action's number."""
    ask = _runner(viewer, db, fetch)
    rows = ask("practices_adopted", centre_code=viewer.centre_code if viewer else None, pathway=pathway)
    return dict(zip(rows["origin_practice_id"].to_list(), rows["action_id"].to_list(), strict=True))


def adopt(
    viewer: Viewer | None,
    db: Path,
    pathway: str,
    practice_id: int,
    start_month: dt.date,
    *,
    fetch: Fetch | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Make another centre's shared practice a planned action of the viewer's own team; returns the action's number.

    The action takes the practice's indicator, what it did and the effect it expected, is carried
    by the viewer, and keeps the practice's number (``origin_practice_id``), so adoptions can be
    counted. A practice already adopted returns the action that adopted it.
    """
    writer = writer_for(viewer, pathway)
    ask = _runner(writer, db, fetch)
    already = adopted(writer, db, pathway, fetch=ask)
    if practice_id in already:
        return already[practice_id]
    found = practices_elsewhere(writer, db, pathway, None, fetch=ask).filter(pl.col("practice_id") == practice_id)
    if found.is_empty():
        raise AccessDenied(f"no shared practice {practice_id} in {pathway} for {writer.user}")
    practice = found.row(0, named=True)
    action = {
        "pathway": pathway, "indicator_code": practice["indicator_code"], "what": practice["what"],
        "who": writer.name[:100], "start_month": start_month, "expected_effect": practice["expected_effect"],
        "status": "plan",
    }  # fmt: skip
    action_id = store.record_action(db, writer, action, indicator_codes(pathway), at=at, origin_practice_id=practice_id)
    audit.record("practice_adopted", f"practice {practice_id} -> action {action_id}: {pathway}", writer)
    return action_id


def library(viewer: Viewer | None, db: Path | None, pathway: str | None, *, fetch: Fetch | None = None) -> pl.DataFrame:
    """The programme's library of shared practices (every pathway when None), with their adoptions."""
    ask = _runner(viewer, db, fetch)
    measure_pending(db, pathway)
    return ask("practices_library", pathway=pathway)
