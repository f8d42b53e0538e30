"""Improvement actions for the demo: some teams run their review cycle, some do not.

The team behind the demo's process change (an outcome set's ``demo.process_change``) records
it and closes it with what it did; most university centres record an action on a lagging
figure every few months, for the pathways whose demo block says ``review_cycle: true``, and
move it through plan, do, study, act; Erasmus MC, LUMC and the general hospitals record none,
so the adoption page has something to show. Timestamps are set in the past months, as if each
was saved after that meeting.

Shared practices: the process change's team shares its closed action by name, and every pathway's
practice team (``sample_data.practices``) records, closes and shares its reminder action, named or
anonymous in turn. They are shared without a measured effect; ``services.practices`` measures each
on the sharing team's own data the first time peers read it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from access.roles import Role, Viewer
from analytics.indicators import PROCESS_SOURCES, PROM_RESPONSE, indicator_code, indicators_for
from analytics.monthly import add_months
from data_models.demo_block import demo_blocks
from data_models.outcome_sets import outcome_sets
from sample_data.centres import CENTRES, process_change
from sample_data.practices import practice_stories
from warehouse.actions import record_action, share_action, update_action

RUNNING = ("AUMC", "MUMC", "RUMC", "UMCG", "UMCU")
TEMPLATES = (
    ("prom_response:12m", "Herinnering per sms en een papieren vragenlijst voor wie na twee weken niet antwoordt",
     "Polikliniekassistent", "PROM-respons op 12 maanden van ruim 40% naar 60%",
     "Respons steeg naar 52%; papieren lijst blijft nodig voor ouderen."),
    ("sdm_documented", "Keuzehulp meegeven bij het eerste consult en het gesprek vastleggen in het EPD",
     "Verpleegkundig specialist", "Samen beslissen vastgelegd bij 85% van de patiënten",
     "Vastlegging steeg van 68% naar 81%."),
    ("prom_response:baseline", "Vragenlijst invullen in de wachtkamer op een tablet",
     "Secretariaat", "Meer patiënten vullen de startmeting in", "Startmeting nu bij 78%."),
)  # fmt: skip
STEPS = (("do", 1), ("study", 3), ("done", 5))  # status reached, months after the start
LENGTH_OF_STAY = PROCESS_SOURCES["treatment_to_discharge"]  # the indicator a process change moves
CHANGE_TEXT = {
    "what": "Nieuwe werkwijze om de opnameduur te verkorten",
    "who": "Zorgteam",
    "expected_effect": "Kortere opnameduur, zonder meer heropnames",
    "result": "Opnameduur daalde vanaf de start; heropnames bleven gelijk.",
}  # fmt: skip


def _at(month: dt.date, day: int = 12) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, 14, 30)


def _viewer(centre: str) -> Viewer:
    return Viewer(f"demo-team-{centre.lower()}", f"Zorgteam {centre}", Role.CARE_TEAM, centre)


def _progress(root: Path, viewer: Viewer, action_id: int, start: dt.date, end: dt.date, result: str, codes: list[str]) -> None:
    for status, after in STEPS:
        when = add_months(start, after)
        if when > add_months(end, 1):
            return
        note = result if status == "done" else None
        update_action(root, viewer, action_id, {"status": status, "result_note": note}, codes, at=_at(when, 20))


def seed_actions(root: Path, end_month: str) -> int:
    """Record the demo's actions beside the warehouse at ``root``; returns how many."""
    end = dt.date.fromisoformat(end_month + "-01")
    n = 0
    offered = {c.code: c.pathways for c in CENTRES}
    cycle = [p for p, demo in demo_blocks().items() if demo.review_cycle]
    for k, centre in enumerate(RUNNING):
        for j, pathway in enumerate(p for p in cycle if p in offered[centre]):
            codes = [i.code for i in indicators_for(outcome_sets()[pathway])]
            for step in range(3):
                code, what, who, effect, result = TEMPLATES[(k + j + step) % len(TEMPLATES)]
                if code not in codes:
                    continue
                start = add_months(end, -10 + 4 * step + (k % 2))
                action = {"pathway": pathway, "indicator_code": code, "what": what, "who": who, "start_month": start,
                          "expected_effect": effect, "status": "plan"}  # fmt: skip
                action_id = record_action(root, _viewer(centre), action, codes, at=_at(add_months(start, -1) if step else start))
                _progress(root, _viewer(centre), action_id, start, end, result, codes)
                n += 1
    n += _seed_process_change(root, end)
    n += _seed_practices(root, end)
    return n


def _seed_process_change(root: Path, end: dt.date) -> int:
    found = process_change()
    if found is None:
        return 0
    pathway, change = found
    start = add_months(end, 1 - change.months_before_end)
    codes = [i.code for i in indicators_for(outcome_sets()[pathway])]
    text = {**CHANGE_TEXT, **change.action}
    action = {
        "pathway": pathway, "indicator_code": LENGTH_OF_STAY if LENGTH_OF_STAY in codes else codes[0],
        "what": text["what"], "who": text["who"], "start_month": start, "expected_effect": text["expected_effect"],
        "status": "plan",
    }  # fmt: skip
    viewer = _viewer(change.centre)
    action_id = record_action(root, viewer, action, codes, at=_at(add_months(start, -1)))
    _progress(root, viewer, action_id, start, end, text["result"], codes)
    _share(root, viewer, action_id, add_months(start, 7), is_named=True)
    return 1


PRACTICE_TEXT = {
    "what": "Herinnering per sms en een papieren vragenlijst voor wie na twee weken niet antwoordt",
    "who": "Verpleegkundig specialist",
    "expected_effect": "PROM-respons op de laatste meting van ruim 45% naar 60% of meer",
    "result": "De respons op de laatste meting steeg en bleef hoger; de papieren lijst blijft nodig voor ouderen.",
}  # fmt: skip


def _share(root: Path, viewer: Viewer, action_id: int, when: dt.date, is_named: bool) -> None:
    """Offer a closed action to the other centres; its effect is measured when first read (``services.practices``)."""
    centre = next(c for c in CENTRES if c.code == viewer.centre_code)
    share_action(root, viewer, action_id, is_named=is_named, centre_kind=centre.kind, centre_name=centre.name,
                 effect={}, at=_at(when, 25))  # fmt: skip


def _seed_practices(root: Path, end: dt.date) -> int:
    """Each pathway's shared practice (``sample_data.practices``): recorded, closed as done and shared."""
    n = 0
    for pathway, story in practice_stories().items():
        start = add_months(end, 1 - story.months_before_end)
        codes = [i.code for i in indicators_for(outcome_sets()[pathway])]
        code = indicator_code(PROM_RESPONSE, story.timepoint)
        if code not in codes:
            continue
        action = {"pathway": pathway, "indicator_code": code, "what": PRACTICE_TEXT["what"], "who": PRACTICE_TEXT["who"],
                  "start_month": start, "expected_effect": PRACTICE_TEXT["expected_effect"], "status": "plan"}  # fmt: skip
        viewer = _viewer(story.centre)
        action_id = record_action(root, viewer, action, codes, at=_at(add_months(start, -1)))
        _progress(root, viewer, action_id, start, end, PRACTICE_TEXT["result"], codes)
        _share(root, viewer, action_id, add_months(start, 18), story.is_named)
        n += 1
    return n
