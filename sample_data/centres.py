"""The demo's participating centres and how they differ (all synthetic)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoCentre:
    code: str
    name: str
    kind: str
    pathways: tuple[str, ...]
    volume: float = 1.0  # relative size
    severity: float = 0.0  # case-mix: older, more comorbid patients when positive
    response: float = 0.0  # PROM response compared with the national average
    sdm_rate: float = 0.55  # share of episodes with shared decision making documented
    delivery_lag_months: int = 1  # months between treatment month and delivery
    effects: dict[str, float] = field(default_factory=dict)  # true log-odds effects "pathway/outcome"


ALL = ("knee_oa", "ckd", "pancreatic_cancer", "ibd")

CENTRES: tuple[DemoCentre, ...] = (
    DemoCentre("AUMC", "Amsterdam UMC", "umc", ALL, 1.2, 0.1, 0.02, 0.60),
    # Erasmus MC treats older, sicker patients: crude complication rates look high,
    # adjusted for case-mix they are ordinary.
    DemoCentre("EMC", "Erasmus MC", "umc", ALL, 1.1, 1.6, -0.05, 0.50),
    DemoCentre("LUMC", "LUMC", "umc", ALL, 0.9, 0.0, 0.05, 0.65),
    DemoCentre("MUMC", "Maastricht UMC+", "umc", ALL, 0.8, -0.2, 0.00, 0.45),
    DemoCentre("RUMC", "Radboudumc", "umc", ALL, 1.0, 0.2, 0.08, 0.75),
    # UMCG has a real excess of severe complications after knee replacement.
    DemoCentre("UMCG", "UMCG", "umc", ALL, 1.0, 0.0, -0.02, 0.55, effects={"knee_oa/complication_severe": 1.2}),
    DemoCentre("UMCU", "UMC Utrecht", "umc", ALL, 1.0, -0.1, 0.03, 0.60),
    DemoCentre("ZNK", "Ziekenhuis Noordkust", "general", ("knee_oa", "ibd", "ckd"), 3.0, -0.4, -0.10, 0.40),
    DemoCentre("SZO", "Stadsziekenhuis Oostweide", "general", ("knee_oa", "ibd"), 2.5, -0.3, 0.00, 0.50),
    DemoCentre(
        "ZZP", "Ziekenhuis Zuiderpoort", "general", ("knee_oa", "ibd", "ckd"), 2.0, -0.2, -0.08, 0.35, delivery_lag_months=2
    ),
    DemoCentre("RVW", "Revalidatiecentrum Westduin", "rehabilitation", ()),
)

# UMC Utrecht starts a fast-track knee programme: length of stay drops from this month on.
PROCESS_CHANGE = {"centre": "UMCU", "pathway": "knee_oa", "month_index_from_end": 20, "los_before": 4.0, "los_after": 2.0}
