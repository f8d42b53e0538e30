"""The demo block of an outcome set is typed and checked: every number the generator uses, every mistake named by its key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from data_models.demo_block import CategoricalDemo, EventDemo, MeasureDemo, NumericDemo, parse_demo
from data_models.outcome_sets import OUTCOME_SET_DIR, OutcomeSetError, common, outcome_sets, parse_outcome_set


def knee(change: Callable[[dict[str, Any]], None] | None = None):
    raw = yaml.safe_load((OUTCOME_SET_DIR / "knee_oa.yaml").read_text(encoding="utf-8"))
    if change:
        change(raw)
    return parse_outcome_set(raw, common())


def test_every_outcome_set_has_a_demo_block_that_parses() -> None:
    for pathway, oset in outcome_sets().items():
        demo = parse_demo(oset)
        assert oset.demo, pathway  # the shipped sets say how they are simulated, not only the defaults
        assert set(demo.treatments) <= set(oset.treatments)
        assert abs(sum(t.share for t in demo.treatments.values()) - 1) < 1e-9
        assert set(demo.outcomes) == set(oset.clinical_outcomes)
        assert set(demo.proms) == set(oset.instruments)
        generated = {v.code for v in oset.casemix.values() if v.origin in ("episode", "characteristic")}
        assert set(demo.casemix) == generated


def test_the_knee_block_holds_the_numbers_the_generator_had() -> None:
    demo = parse_demo(outcome_sets()["knee_oa"])
    assert demo.volume == 14 and demo.waiting_days == 60 and demo.centres == {"umc": 1.0, "general": 1.0}
    assert demo.treatments["tka"].share == 0.75 and demo.treatments["tka"].length_of_stay == 3
    assert demo.treatments["tka"].costs["implant"] == 1900
    age = demo.casemix["age"]
    assert isinstance(age, NumericDemo) and (age.mean, age.sd, age.min, age.max, age.severity) == (68, 9, 18, 100, 5)
    assert list(demo.casemix).index("asa_class") > list(demo.casemix).index("age")  # drawn after what it depends on
    sex = demo.casemix["sex"]
    assert isinstance(sex, CategoricalDemo) and sex.probabilities["F"] == 0.62
    event = demo.outcomes["complication_severe"]
    assert isinstance(event, EventDemo) and event.rate == {"tka": 0.04, "conservative": 0.005}
    assert demo.proms["oks"].change == {"tka": 16.0, "conservative": pytest.approx(3.2)}  # change × prom_gain
    excess = demo.centre_effects["UMCG"]["complication_severe"]
    assert excess.log_odds > 1 and excess.months_before_end  # a true excess that ends with the team's improvement
    assert demo.process_change and (demo.process_change.centre, demo.process_change.before) == ("UMCU", 4.0)


def test_the_pancreatic_composite_comes_after_its_parts() -> None:
    demo = parse_demo(outcome_sets()["pancreatic_cancer"])
    order = list(demo.outcomes)
    textbook = demo.outcomes["textbook_outcome"]
    assert isinstance(textbook, EventDemo)
    assert all(order.index(part) < order.index("textbook_outcome") for part in textbook.none_of)
    assert order[0] == "tumour_stage"  # case-mix outcomes first
    assert isinstance(demo.outcomes["tumour_stage"], MeasureDemo)


def test_the_new_pathways_bring_case_mix_no_other_pathway_has() -> None:
    sets = outcome_sets()
    for pathway in ("hip_oa", "heart_failure"):
        own = {v.code for v in sets[pathway].casemix_from("characteristic")}
        others = {v.code for p, s in sets.items() if p != pathway for v in s.casemix.values()}
        assert own and not own & others, pathway
    hf = sets["heart_failure"]
    assert hf.casemix["lvef_pct"].is_numeric and list(hf.casemix["nyha_class"].choices) == ["I", "II", "III", "IV"]
    assert (hf.instruments["kccq12_summary"].min, hf.instruments["kccq12_summary"].max) == (0, 100)
    ohs = sets["hip_oa"].instruments["ohs"]
    assert (ohs.min, ohs.max, ohs.better, ohs.mic) == (0, 48, "higher", 5)


def test_a_minimal_block_takes_the_defaults() -> None:
    def minimal(raw: dict[str, Any]) -> None:
        raw["demo"] = {}

    demo = parse_demo(knee(minimal))
    assert demo.volume == 10 and demo.centres == {"umc": 1.0} and demo.process_change is None
    assert {t.share for t in demo.treatments.values()} == {0.5}
    bmi = demo.casemix["bmi"]
    assert isinstance(bmi, NumericDemo) and (bmi.min, bmi.max, bmi.mean) == (10, 80, 45)
    sex = demo.casemix["sex"]
    assert isinstance(sex, CategoricalDemo) and set(sex.probabilities) == {"F", "M", "X", "U"}
    assert demo.proms["oks"].change["tka"] == 10  # twice the MIC, in the better direction
    assert demo.proms["koos_ps"].change["tka"] == -20


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for key in parents:
            node = node[key]
        del node[last]

    return change


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (_set("demo.volumes", 3), "demo: unknown key(s) volumes"),
        (_set("demo.volume", "many"), "demo.volume: must be a number"),
        (_set("demo.centres.hospice", 1), "demo.centres.hospice: is not a centre kind"),
        (_set("demo.treatments.tka.share", 1.5), "demo.treatments.tka.share: must be between 0 and 1"),
        (_set("demo.treatments.tka.share", 0.5), "demo.treatments: the shares must add up to 1"),
        (_set("demo.treatments.hip.share", 0.1), "demo.treatments.hip: is not a treatment"),
        (_set("demo.treatments.tka.costs.caviar", 10), "demo.treatments.tka.costs.caviar: is not a cost category"),
        (_set("demo.casemix.bmi.sd", "wide"), "demo.casemix.bmi.sd: must be a number"),
        (_set("demo.casemix.bmi.min", 5), "demo.casemix.bmi.min: must be between 10 and 80"),
        (_set("demo.casemix.shoe_size", {"mean": 42}), "demo.casemix.shoe_size: is not a case-mix variable"),
        (_set("demo.casemix.baseline_score", {"mean": 20}), "demo.casemix.baseline_score: is not a case-mix variable"),
        (_set("demo.casemix.sex.probabilities", {"F": 0.5, "Q": 0.5}), "demo.casemix.sex.probabilities.Q: is not a choice"),
        (_set("demo.casemix.sex.probabilities", {"F": 0.5, "M": 0.3}), "demo.casemix.sex.probabilities: must add up to 1"),
        (_set("demo.casemix.asa_class.slopes", {"shoe_size": 1}), "demo.casemix.asa_class.slopes.shoe_size"),
        (_set("demo.casemix.asa_class.shape", "round"), "demo.casemix.asa_class: unknown key(s) shape"),
        (_set("demo.casemix.age.distribution", "cauchy"), "demo.casemix.age.distribution: must be one of"),
        (_set("demo.outcomes.complication_severe.rate.hip", 0.1), "demo.outcomes.complication_severe.rate.hip"),
        (_set("demo.outcomes.complication_severe.rate", 2), "demo.outcomes.complication_severe.rate: must be between 0 and 1"),
        (_set("demo.outcomes.complication_severe.none_of", ["nothing"]), "demo.outcomes.complication_severe.none_of"),
        (_set("demo.outcomes.headache", {"rate": 0.1}), "demo.outcomes.headache: is not a clinical outcome"),
        (_set("demo.proms.oks.change", "lots"), "demo.proms.oks.change: must be a number"),
        (_set("demo.proms.oks.mean", 60), "demo.proms.oks.mean: must be between 0 and 48"),
        (_set("demo.proms.sf36", {"mean": 50}), "demo.proms.sf36: is not an instrument"),
        (_set("demo.paid_work.below", {"bmi": 30, "shoe_size": 40}), "demo.paid_work.below.shoe_size"),
        (_set("demo.centre_effects.UMCG.readmission_90d", 1), "demo.centre_effects.UMCG.readmission_90d"),
        (_set("demo.centre_effects.UMCG.complication_severe", {"odds": 2}), "demo.centre_effects.UMCG.complication_severe"),
        (_set("demo.centre_effects.UMCG.complication_severe", {"log_odds": 1, "months_before_end": 0}), "months_before_end"),
        (_drop("demo.process_change.length_of_stay"), "demo.process_change.length_of_stay: is required"),
        (_set("demo.process_change.treatment", "conservative"), "demo.process_change.treatment"),
        (_set("demo.review_cycle", "yes"), "demo.review_cycle: must be true or false"),
    ],
)
def test_a_mistake_in_the_demo_block_names_the_file_and_the_key(change, key) -> None:
    oset = knee(change)  # the outcome set itself is fine: only the demo block is wrong
    with pytest.raises(OutcomeSetError) as caught:
        parse_demo(oset)
    assert str(caught.value).startswith("knee_oa.yaml: demo"), caught.value
    assert key in str(caught.value), caught.value


def test_a_demo_centre_that_does_not_exist_is_named() -> None:
    from sample_data.centres import check_centres

    demo = parse_demo(knee(_set("demo.centre_effects", {"XYZ": {"complication_severe": 1.0}})))
    with pytest.raises(OutcomeSetError, match=r"knee_oa.yaml: demo.centre_effects.XYZ: 'XYZ' is not a demo centre"):
        check_centres({"knee_oa": demo})
