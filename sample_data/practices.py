"""The demo's shared practices: per pathway, one team's change that really moved an indicator, shared with peers.

For every pathway with a follow-up PROM, one university centre (a different one per pathway, in
``PRACTICE_CENTRES`` order among those offering it) starts reminding patients of the pathway's
last follow-up questionnaire ``MONTHS_BEFORE_END`` months before the end of the history: from the
patients treated in that month on, its response at that timepoint is ``RESPONSE_GAIN`` higher (the
generator, ``sample_data.generator.simulate_proms``). The team records the action, closes it and
shares it (``sample_data.actions.seed_actions``), named or anonymous in turn. The last follow-up
has the lowest response (about 45% against the programme's 60% target), so the other teams'
reviews show that indicator below target, where "what worked elsewhere" is offered.
Nothing here names a pathway: the timepoints come from the outcome sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_models.demo_block import demo_blocks
from data_models.outcome_sets import outcome_sets
from sample_data.centres import offering

PRACTICE_CENTRES = ("RUMC", "AUMC", "MUMC", "UMCG")  # teams that run their cycle; never UMCU, the demo care team
MONTHS_BEFORE_END = 30  # the first treatment month with the change (as ``process_change.months_before_end``)
RESPONSE_GAIN = 0.25


@dataclass(frozen=True)
class PracticeStory:
    pathway: str
    centre: str
    timepoint: str  # the PROM timepoint whose response rises
    months_before_end: int
    gain: float
    is_named: bool


def _months(timepoint: str) -> int:
    return int(timepoint.removesuffix("m")) if timepoint.removesuffix("m").isdigit() else 0


def practice_stories() -> dict[str, PracticeStory]:
    """The demo's shared practice per pathway (pathways without a follow-up PROM or a practice centre have none)."""
    stories: dict[str, PracticeStory] = {}
    for k, (pathway, demo) in enumerate(demo_blocks().items()):
        followups = [tp for tp in outcome_sets()[pathway].timepoints if _months(tp) > 0]
        centres = [c for c in PRACTICE_CENTRES if c in offering(demo)]
        if not followups or not centres:
            continue
        last = max(followups, key=_months)
        stories[pathway] = PracticeStory(pathway, centres[k % len(centres)], last, MONTHS_BEFORE_END, RESPONSE_GAIN, k % 2 == 0)
    return stories
