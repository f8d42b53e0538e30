"""The demo's participating centres and how they differ (all synthetic).

Which pathways a centre offers is not written here: each outcome set's demo block names the
share of the centres of each kind that offer it (``demo.centres``), and the broadest centres of
a kind come first. A centre's true excess on an outcome and a team's deliberate process change
are stories of a pathway, so they live in its demo block too (``demo.centre_effects``,
``demo.process_change``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from data_models.demo_block import Demo, ProcessChange, demo_blocks
from data_models.outcome_sets import OutcomeSetError


@dataclass(frozen=True)
class DemoCentre:
    code: str
    name: str
    kind: str
    breadth: float = 1.0  # how broad its services are: the broadest centres of a kind offer a pathway first
    volume: float = 1.0  # relative size
    severity: float = 0.0  # case-mix: older, more comorbid patients when positive
    response: float = 0.0  # PROM response compared with the national average
    sdm_rate: float = 0.55  # share of episodes with shared decision making documented
    delivery_lag_months: int = 1  # months between treatment month and delivery

    @property
    def pathways(self) -> tuple[str, ...]:
        """The pathways it offers, in the order of the outcome sets."""
        return tuple(p for p, demo in demo_blocks().items() if self.code in offering(demo))


CENTRES: tuple[DemoCentre, ...] = (
    DemoCentre("AUMC", "Amsterdam UMC", "umc", 1.0, 1.2, 0.1, 0.02, 0.60),
    # Erasmus MC treats older, sicker patients: crude complication rates look high,
    # adjusted for case-mix they are ordinary.
    DemoCentre("EMC", "Erasmus MC", "umc", 1.0, 1.1, 1.6, -0.05, 0.50),
    DemoCentre("LUMC", "LUMC", "umc", 1.0, 0.9, 0.0, 0.05, 0.65),
    DemoCentre("MUMC", "Maastricht UMC+", "umc", 1.0, 0.8, -0.2, 0.00, 0.45),
    DemoCentre("RUMC", "Radboudumc", "umc", 1.0, 1.0, 0.2, 0.08, 0.75),
    # UMCG has a real excess on one outcome (the demo block's centre_effects).
    DemoCentre("UMCG", "UMCG", "umc", 1.0, 1.0, 0.0, -0.02, 0.55),
    DemoCentre("UMCU", "UMC Utrecht", "umc", 1.0, 1.0, -0.1, 0.03, 0.60),
    DemoCentre("ZNK", "Ziekenhuis Noordkust", "general", 1.0, 3.0, -0.4, -0.10, 0.40),
    DemoCentre("SZO", "Stadsziekenhuis Oostweide", "general", 0.5, 2.5, -0.3, 0.00, 0.50),
    DemoCentre("ZZP", "Ziekenhuis Zuiderpoort", "general", 0.8, 2.0, -0.2, -0.08, 0.35, delivery_lag_months=2),
    DemoCentre("RVW", "Revalidatiecentrum Westduin", "rehabilitation", 1.0, 1.0),
)
CENTRE_CODES = tuple(c.code for c in CENTRES)


def offering(demo: Demo) -> set[str]:
    """The centres offering a pathway: per kind, its share of them, the broadest first."""
    chosen: set[str] = set()
    for kind, share in demo.centres.items():
        of_kind = sorted((c for c in CENTRES if c.kind == kind), key=lambda c: -c.breadth)  # stable: list order on ties
        chosen.update(c.code for c in of_kind[: round(share * len(of_kind) + 1e-9)])
    return chosen


def check_centres(demos: dict[str, Demo]) -> None:
    """The centres a demo block names must be demo centres; the error names the file and key."""
    for pathway, demo in demos.items():
        named = [(f"demo.centre_effects.{c}", c) for c in demo.centre_effects]
        if demo.process_change:
            named.append(("demo.process_change.centre", demo.process_change.centre))
        for key, code in named:
            if code not in CENTRE_CODES:
                raise OutcomeSetError(f"{pathway}.yaml: {key}: {code!r} is not a demo centre ({', '.join(CENTRE_CODES)})")


def process_change() -> tuple[str, ProcessChange] | None:
    """The demo's deliberate process change: the first pathway whose demo block has one."""
    return next(((p, d.process_change) for p, d in demo_blocks().items() if d.process_change), None)


def __getattr__(name: str) -> Any:
    if name == "PROCESS_CHANGE":  # the process change as a dict, read from the outcome sets in use
        found = process_change()
        if found is None:
            return None
        pathway, change = found
        return {
            "centre": change.centre,
            "pathway": pathway,
            "treatment": change.treatment,
            "month_index_from_end": change.months_before_end,
            "los_before": change.before,
            "los_after": change.after,
        }
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
