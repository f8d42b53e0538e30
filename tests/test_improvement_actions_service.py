"""Improvement actions and chart settings through ``services.actions``: the pathway's own indicators,
the team's own centre and pathway, and an audit row for every change."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from access.roles import AccessDenied
from analytics.indicators import indicators_for
from data_models.actions import ActionInvalid
from data_models.outcome_sets import outcome_sets
from services import actions
from services.monthly_review import monthly_review
from tests.viewers import PROGRAMME, data_manager, lead, team
from warehouse.actions import ChartSettingsInvalid

SEPT = dt.date(2026, 9, 1)


def action(**changes: object) -> dict[str, object]:
    base = {
        "pathway": "knee_oa", "indicator_code": "outcome:complication_severe", "what": "Elke complicatie bespreken",
        "who": "Dr. De Vries", "start_month": dt.date(2026, 8, 1), "expected_effect": "Minder complicaties",
        "status": "plan",
    }  # fmt: skip
    return {**base, **changes}


def audit_rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_an_action_is_recorded_and_updated_with_an_audit_row(own_review_warehouse, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    action_id = actions.record_action(lead("UMCU"), own_review_warehouse, action())
    assert actions.update_action(lead("UMCU"), own_review_warehouse, "knee_oa", action_id, {"status": "do"}) == 1
    assert actions.update_action(lead("UMCU"), own_review_warehouse, "knee_oa", action_id, {"status": "do"}) == 0
    done = [r["action"] for r in audit_rows(tmp_path / "audit.jsonl")]
    assert done == ["action_recorded", "action_updated"]
    review = monthly_review(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT)
    assert review.actions["status"].to_list() == ["do"] and review.open_actions.height == 1
    history = actions.action_history(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa")
    assert history.filter(history["field_name"] == "status")["new_value"].to_list() == ["do", "plan"]


def test_an_action_aims_at_an_indicator_of_its_own_pathway(own_review_warehouse) -> None:
    assert actions.indicator_codes("knee_oa") == [i.code for i in indicators_for(outcome_sets()["knee_oa"])]
    ckd_only = next(c for c in actions.indicator_codes("ckd") if c not in actions.indicator_codes("knee_oa"))
    with pytest.raises(ActionInvalid):
        actions.record_action(lead("UMCU"), own_review_warehouse, action(indicator_code=ckd_only))
    with pytest.raises(AccessDenied):
        actions.record_action(lead("UMCU"), own_review_warehouse, action(pathway="no_such_pathway"))


@pytest.mark.parametrize(
    "viewer",
    [team("UMCU", "ckd"), data_manager("UMCU"), PROGRAMME, None],
    ids=["other-pathway", "data-manager", "programme", "nobody"],
)
def test_writes_outside_the_team_are_refused(own_review_warehouse, viewer) -> None:
    action_id = actions.record_action(lead("UMCU"), own_review_warehouse, action())
    with pytest.raises(AccessDenied):
        actions.record_action(viewer, own_review_warehouse, action())
    with pytest.raises(AccessDenied):
        actions.update_action(viewer, own_review_warehouse, "knee_oa", action_id, {"status": "do"})
    with pytest.raises(AccessDenied):
        actions.save_chart_settings(viewer, own_review_warehouse, "knee_oa", "cost_mean_eur", [SEPT], SEPT, {})


def test_another_centre_records_only_its_own_and_never_changes_ours(own_review_warehouse) -> None:
    ours = actions.record_action(lead("UMCU"), own_review_warehouse, action())
    theirs = actions.record_action(lead("AUMC"), own_review_warehouse, action())
    with pytest.raises(AccessDenied):
        actions.update_action(lead("AUMC"), own_review_warehouse, "knee_oa", ours, {"status": "do"})
    review = monthly_review(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT)
    assert review.actions["action_id"].to_list() == [ours] and theirs != ours


def test_an_action_is_changed_only_through_its_own_pathway(own_review_warehouse) -> None:
    action_id = actions.record_action(lead("UMCU"), own_review_warehouse, action())
    with pytest.raises(AccessDenied):
        actions.update_action(lead("UMCU"), own_review_warehouse, "ckd", action_id, {"status": "do"})
    with pytest.raises(AccessDenied):
        actions.update_action(lead("UMCU"), own_review_warehouse, "knee_oa", action_id + 100, {"status": "do"})


def test_chart_settings_through_the_service(own_review_warehouse) -> None:
    months = [dt.date(2026, m, 1) for m in (6, 7, 8, 9)]
    with pytest.raises(ChartSettingsInvalid):
        actions.save_chart_settings(lead("UMCU"), own_review_warehouse, "knee_oa", "outcome:not_an_outcome", months, None, {})
    assert actions.save_chart_settings(lead("UMCU"), own_review_warehouse, "knee_oa", "cost_mean_eur", months, months[2], {}) == 1
    review = monthly_review(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT)
    assert review.settings_for("cost_mean_eur").baseline_until == months[2]
    assert actions.clear_chart_settings(lead("UMCU"), own_review_warehouse, "knee_oa", "cost_mean_eur") == 1
