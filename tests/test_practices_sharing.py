"""Sharing a closed action as a practice: by choice, disclosure-controlled, revocable, adopted by another centre."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import queries
from access.roles import AccessDenied
from analytics.action_effect import ActionEffect
from analytics.disclosure import MIN_PATIENTS
from services import practices
from tests.viewers import PROGRAMME, data_manager, lead, team
from warehouse.actions import ShareRefused

STAY = "length_of_stay_days"


@pytest.fixture
def store_copy(demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo (its action store too), so sharing and adopting leave the session's demo as it was."""
    shutil.copytree(demo_warehouse.parent, tmp_path / "demo", symlinks=True)
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    return tmp_path / "demo" / demo_warehouse.name


def _change_action(db: Path, pathway: str) -> tuple[str, int]:
    """The demo's process change, closed as done and shared by name; its share withdrawn here, to share it anew."""
    for centre in ("UMCU", "UMCG", "AUMC", "RUMC", "MUMC"):
        rows = queries.run("review_actions", lead(centre), db=db, centre_code=centre, pathway=pathway)
        done = rows.filter(pl.col("indicator_code") == STAY, pl.col("status") == "done")
        if done.height:
            for practice_id in practices.own_practices(lead(centre), db, pathway).filter("is_active")["practice_id"]:
                practices.withdraw_practice(lead(centre), db, pathway, practice_id)
            return centre, int(done["action_id"][0])
    raise AssertionError("the demo has no closed length-of-stay action")


def _ids(frame: pl.DataFrame) -> list[int]:
    return frame["practice_id"].to_list()


def test_a_shared_anonymous_practice_reaches_other_centres_without_its_centre_and_withdrawal_removes_it(store_copy) -> None:
    centre, action_id = _change_action(store_copy, "knee_oa")
    practice_id = practices.share_practice(lead(centre), store_copy, "knee_oa", action_id, is_named=False)
    seen = practices.practices_elsewhere(lead("UMCG"), store_copy, "knee_oa", STAY)
    assert seen["practice_id"].to_list() == [practice_id]
    row = seen.row(0, named=True)
    assert row["centre_code"] is None and row["centre_name"] is None and row["who"] is None
    assert row["centre_kind"] == "umc" and row["effect_verdict"] == "improved" and row["sustained_shift"]
    assert row["patients_before"] % 5 == 0 and row["patients_before"] >= MIN_PATIENTS  # rounded to fives
    assert centre not in str(seen.to_dicts()) and "Utrecht" not in str(seen.to_dicts())
    assert practices.practices_elsewhere(lead(centre), store_copy, "knee_oa", STAY).is_empty()  # never its own
    assert practice_id in _ids(practices.library(PROGRAMME, store_copy, None))

    assert practices.withdraw_practice(lead(centre), store_copy, "knee_oa", practice_id)
    assert practices.practices_elsewhere(lead("UMCG"), store_copy, "knee_oa", STAY).is_empty()
    assert practice_id not in _ids(practices.library(PROGRAMME, store_copy, None))
    own = practices.own_practices(lead(centre), store_copy, "knee_oa")
    assert not own.filter(pl.col("practice_id") == practice_id, pl.col("is_active")).height
    assert lead(centre).user in own["withdrawn_by"].to_list()


def test_a_named_practice_says_who_to_ask_and_an_adoption_is_a_planned_action_counted_for_the_programme(store_copy) -> None:
    centre, action_id = _change_action(store_copy, "knee_oa")
    practice_id = practices.share_practice(lead(centre), store_copy, "knee_oa", action_id, is_named=True)
    row = practices.practices_elsewhere(team("UMCG", "knee_oa"), store_copy, "knee_oa", STAY).row(0, named=True)
    assert row["centre_code"] == centre and row["centre_name"] and row["who"]

    new_id = practices.adopt(team("UMCG", "knee_oa"), store_copy, "knee_oa", practice_id, dt.date(2026, 11, 1))
    own = queries.run("review_actions", lead("UMCG"), db=store_copy, centre_code="UMCG", pathway="knee_oa")
    adopted = own.filter(pl.col("action_id") == new_id).row(0, named=True)
    assert (adopted["status"], adopted["indicator_code"], adopted["what"]) == ("plan", STAY, row["what"])
    assert practices.adopted(lead("UMCG"), store_copy, "knee_oa") == {practice_id: new_id}
    assert practices.adopt(team("UMCG", "knee_oa"), store_copy, "knee_oa", practice_id, dt.date(2026, 11, 1)) == new_id
    library = practices.library(PROGRAMME, store_copy, "knee_oa").filter(pl.col("practice_id") == practice_id)
    assert library["adoptions_n"].to_list() == [1]


def test_only_the_centre_s_own_writers_share_and_withdraw_and_only_closed_actions(store_copy) -> None:
    centre, action_id = _change_action(store_copy, "knee_oa")
    for outsider in (lead("UMCG"), data_manager(centre), team(centre, "ibd"), PROGRAMME):
        with pytest.raises(AccessDenied):
            practices.share_practice(outsider, store_copy, "knee_oa", action_id, is_named=True)
    practice_id = practices.share_practice(team(centre, "knee_oa"), store_copy, "knee_oa", action_id, is_named=False)
    with pytest.raises(ShareRefused, match="already_shared"):
        practices.share_practice(lead(centre), store_copy, "knee_oa", action_id, is_named=True)
    with pytest.raises(AccessDenied):
        practices.withdraw_practice(lead("UMCG"), store_copy, "knee_oa", practice_id)
    rows = queries.run("review_actions", lead(centre), db=store_copy, centre_code=centre, pathway="knee_oa")
    open_id = int(rows.filter(pl.col("is_open"))["action_id"][0])
    with pytest.raises(ShareRefused, match="not_closed"):
        practices.share_practice(lead(centre), store_copy, "knee_oa", open_id, is_named=False)
    with pytest.raises(AccessDenied):  # someone else's practice cannot be adopted by its own centre
        practices.adopt(lead(centre), store_copy, "knee_oa", practice_id, dt.date(2026, 11, 1))


def _effect(before: int, after: int, change: float | None = -1.234) -> ActionEffect:
    return ActionEffect(STAY, dt.date(2025, 1, 1), dt.date(2025, 12, 1), "welch", 12, 12, before, after,
                        4.56, 3.33, change, -1.9, -0.55, True, dt.date(2025, 1, 1), "down")  # fmt: skip


def test_a_practice_on_too_few_patients_is_shared_without_its_numbers_saying_why() -> None:
    small = practices.disclosed(_effect(MIN_PATIENTS - 1, 40))
    assert small["withheld_reason"] == "small_numbers" and small.get("effect_verdict") is None
    assert all(small.get(k) is None for k in ("patients_before", "patients_after", "change", "change_low"))
    shown = practices.disclosed(_effect(12, 43))
    assert (shown["patients_before"], shown["patients_after"]) == (10, 45)
    assert (shown["change"], shown["change_low"], shown["level_before"]) == (-1.2, -1.9, 4.6)
    assert shown["effect_verdict"] == "improved" and shown.get("withheld_reason") is None
    unmeasured = practices.disclosed(_effect(12, 43, change=None))
    assert unmeasured["withheld_reason"] == "not_measured" and unmeasured["effect_verdict"] == "not_measured"


def test_practices_elsewhere_come_improved_first_then_by_the_change_in_the_indicator_s_good_direction(tmp_path) -> None:
    def row(practice_id: int, verdict: str | None, change: float | None) -> dict:
        return {"practice_id": practice_id, "indicator_code": STAY, "effect_verdict": verdict, "change": change}

    shared = pl.DataFrame(
        [row(1, "no_change", -0.2), row(2, "improved", -0.5), row(3, None, None), row(4, "improved", -1.5), row(5, "worse", 0.4)]
    )

    def fetch(name: str, **params: object) -> pl.DataFrame:
        assert name == "practices_shared" and params == {"centre_code": "UMCG", "pathway": "knee_oa", "indicator_code": STAY}
        return shared

    # shorter stays are better: the largest fall first; a practice without numbers last
    ordered = practices.practices_elsewhere(lead("UMCG"), tmp_path / "w.duckdb", "knee_oa", STAY, fetch=fetch)
    assert ordered["practice_id"].to_list() == [4, 2, 1, 5, 3]


def test_a_peer_comparison_s_indicator_finds_the_review_indicator_its_practices_are_shared_under() -> None:
    assert practices.practice_indicator("outcome:complication_severe") == "outcome:complication_severe"
    assert practices.practice_indicator("prom:oks") == "prom_change:oks"


def test_practices_are_offered_for_a_concern_or_a_missed_target_never_for_a_month_with_too_few_patients() -> None:
    from analytics.indicators import Indicator, Summary

    response = Indicator("prom_response:12m", {"nl": "r", "en": "r"}, "p", "up", "prom", "pct", target=0.6)
    stay = Indicator(STAY, {"nl": "o", "en": "s"}, "xmr", "down", "process", "days")

    def summary(ind: Indicator, value: float, cases: int = 20, variation: str = "common", assurance: str | None = None):
        rules = ("shift",) if variation != "common" else ()
        return Summary(ind, pl.DataFrame(), value, value, cases, variation, None, assurance, rules, 7 if rules else 0, False)

    assert practices.should_offer(summary(response, 0.45))  # below the 60% target
    assert not practices.should_offer(summary(response, 0.65))
    assert not practices.should_offer(summary(response, 0.45, cases=4))  # too few to judge this month
    assert practices.should_offer(summary(response, 0.65, cases=4, assurance="fail"))  # the limits miss the target
    assert practices.should_offer(summary(stay, 5.0, variation="concern"))
    assert not practices.should_offer(summary(stay, 5.0, cases=4, variation="concern"))
    assert not practices.should_offer(summary(stay, 2.0, variation="improvement"))
