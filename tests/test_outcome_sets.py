"""The outcome sets are data: the pilot pathways, the instruments of the domain brief, new pathways by file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from data_models.outcome_sets import OUTCOME_SET_DIR, OutcomeSetError, common, outcome_sets, parse_outcome_set


def test_the_pilot_pathways_are_configured() -> None:
    assert {"knee_oa", "ckd", "pancreatic_cancer", "ibd"} <= set(outcome_sets())


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


def test_casemix_variables_are_typed_with_labels_ranges_and_choices() -> None:
    for oset in outcome_sets().values():
        for var in oset.casemix.values():
            assert var.label["nl"] and var.label["en"]
            if var.is_numeric and var.origin != "prom":
                assert var.min is not None and var.max is not None and var.min < var.max
            if not var.is_numeric:
                assert var.choices and all(label["nl"] and label["en"] for label in var.choices.values())
    knee = outcome_sets()["knee_oa"].casemix
    assert (knee["bmi"].kind, knee["bmi"].origin, knee["bmi"].column, knee["bmi"].min) == ("numeric", "episode", "bmi", 10.0)
    assert set(knee["sex"].choices) == set(common().sexes)


def _knee() -> dict:
    return yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["casemix"].update(kl_grade={"kind": "ordinal", "nl": "KL", "en": "KL"}), r"casemix\.kl_grade\.kind"),
        (lambda r: r["casemix"].update(kl_grade={"kind": "categorical", "nl": "KL", "en": "KL"}), r"casemix\.kl_grade\.choices"),
        (
            lambda r: r["casemix"].update(egfr={"kind": "numeric", "nl": "eGFR", "en": "eGFR", "min": 90, "max": 5}),
            r"casemix\.egfr",
        ),
        (
            lambda r: r["casemix"].update(egfr={"kind": "numeric", "nl": "eGFR", "min": 0, "max": 90}),
            r"casemix\.egfr: needs a label",
        ),
        (lambda r: r["casemix"].update(bmi={"mni": 3}), r"casemix\.bmi: unknown key"),
        (lambda r: r.update(prediction={"harm_event": "oks"}), r"prediction\.harm_event"),
        (lambda r: r.update(treatmnets={}), r"outcome set: unknown key\(s\) treatmnets"),
        (lambda r: r["clinical_outcomes"]["readmission_30d"].update(kind="count"), r"clinical_outcomes\.readmission_30d\.kind"),
    ],
)
def test_a_mistake_is_refused_naming_file_and_key(tmp_path: Path, change, message) -> None:
    raw = _knee()
    change(raw)
    (tmp_path / "knee_oa.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OutcomeSetError, match=r"^knee_oa\.yaml: " + message):
        outcome_sets.__wrapped__(tmp_path)


def test_a_new_casemix_variable_is_delivered_as_a_baseline_characteristic() -> None:
    raw = _knee()
    raw["casemix"]["kl_grade"] = {
        "kind": "categorical",
        "nl": "KL-graad",
        "en": "KL grade",
        "choices": {"3": {"nl": "3", "en": "3"}},
    }
    var = parse_outcome_set(raw, common()).casemix["kl_grade"]
    assert (var.origin, var.source, list(var.choices)) == ("characteristic", "baseline_characteristics", ["3"])


def test_a_wrong_outcome_set_stops_the_app_with_one_line_naming_file_and_key(tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from data_models.outcome_sets import OUTCOME_SET_ENV

    raw = _knee()
    raw["casemix"]["kl_grade"] = {"kind": "ordinal", "nl": "KL", "en": "KL"}
    (tmp_path / "knee_oa.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(OUTCOME_SET_ENV, str(tmp_path))
    outcome_sets.cache_clear()
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60).run()
    finally:
        monkeypatch.delenv(OUTCOME_SET_ENV)
        outcome_sets.cache_clear()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "Samen Leren will not start: an outcome set is wrong: knee_oa.yaml: casemix.kl_grade.kind: must be numeric or categorical"
    ]
