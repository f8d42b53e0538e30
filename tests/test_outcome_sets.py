"""The outcome sets are data: four pathways, the instruments of the domain brief, new pathways by file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from data_models.outcome_sets import OUTCOME_SET_DIR, OutcomeSetError, common, outcome_sets, parse_outcome_set


def test_the_four_pilot_pathways_are_configured() -> None:
    assert set(outcome_sets()) == {"knee_oa", "ckd", "pancreatic_cancer", "ibd"}


@pytest.mark.parametrize(
    ("pathway", "code", "lo", "hi", "better", "mic"),
    [
        ("knee_oa", "oks", 0, 48, "higher", 5),
        ("knee_oa", "koos_ps", 0, 100, "lower", 10),
        ("knee_oa", "nrs_pain", 0, 10, "lower", 2),
        ("knee_oa", "eq5d_index", -0.446, 1, "higher", 0.08),
        ("ckd", "promis10_physical", 16, 68, "higher", 5),
        ("ckd", "sf12_mcs", 0, 100, "higher", 5),
        ("pancreatic_cancer", "qlq_c30_ghs", 0, 100, "higher", 10),
        ("ibd", "ibd_control_8", 0, 16, "higher", 3),
    ],
)
def test_instruments_carry_range_direction_and_mic(pathway, code, lo, hi, better, mic) -> None:
    inst = outcome_sets()[pathway].instruments[code]
    assert (inst.min, inst.max, inst.better, inst.mic) == (lo, hi, better, mic)


def test_treatments_timepoints_and_outcomes_follow_the_brief() -> None:
    sets = outcome_sets()
    assert set(sets["knee_oa"].treatments) == {"tka", "conservative"}
    assert set(sets["ckd"].treatments) == {"haemodialysis", "peritoneal_dialysis", "transplant", "conservative"}
    assert set(sets["pancreatic_cancer"].treatments) == {"whipple", "palliative_chemo", "best_supportive_care"}
    assert set(sets["ibd"].treatments) == {"biologic", "conventional", "surgery"}
    assert sets["knee_oa"].timepoints == ("baseline", "3m", "12m")
    assert sets["pancreatic_cancer"].timepoints == ("baseline", "3m", "6m", "12m")
    assert sets["pancreatic_cancer"].clinical_outcomes["pancreatic_fistula_bc"].applies_to == ("whipple",)
    assert sets["knee_oa"].clinical_outcomes["complication_severe"].better == "lower"
    assert set(common().cost_categories) >= {"or_time", "implant", "dialysis", "other"}


def test_adding_a_pathway_is_adding_a_file(tmp_path: Path) -> None:
    for path in OUTCOME_SET_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    raw = yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))
    raw["pathway"] = "hip_oa"
    raw["treatments"] = {"tha": {"nl": "Heupprothese", "en": "Hip replacement"}}
    (tmp_path / "hip_oa.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    sets = outcome_sets.__wrapped__(tmp_path)
    assert "hip_oa" in sets
    assert list(sets["hip_oa"].treatments) == ["tha"]


def test_an_inconsistent_outcome_set_is_refused() -> None:
    raw = yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))
    raw["headline_outcome"] = "not_an_outcome"
    with pytest.raises(OutcomeSetError, match="headline_outcome"):
        parse_outcome_set(raw, common())
    raw = yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))
    raw["instruments"]["oks"]["max"] = -1
    with pytest.raises(OutcomeSetError, match="min must be below max"):
        parse_outcome_set(raw, common())
