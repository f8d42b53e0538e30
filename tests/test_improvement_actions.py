"""Improvement actions (PDSA): recorded, edited with a history, validated, refused outside the team,
shown on the agenda and the chart, and never lost when data is reloaded."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import queries
from access.roles import AccessDenied
from data_models.actions import ActionInvalid
from tests.apptest import app, main_text
from tests.fixtures import CENTRES_CSV, write_files
from tests.viewers import PROGRAMME, lead, team
from warehouse.actions import actions_path, record_action, update_action
from warehouse.connection import published

ROOT = Path(__file__).resolve().parent.parent
CODES = ["outcome:complication_severe", "prom_response:baseline"]
SEPT = dt.date(2026, 9, 1)


def action(**changes: object) -> dict[str, object]:
    base = {
        "pathway": "knee_oa", "indicator_code": "outcome:complication_severe",
        "what": "Elke ernstige complicatie bespreken in de ochtendoverdracht", "who": "Dr. De Vries",
        "start_month": dt.date(2026, 8, 1), "expected_effect": "Minder ernstige complicaties binnen een half jaar",
        "status": "plan",
    }  # fmt: skip
    return {**base, **changes}


def actions_of(db: Path, viewer=None) -> list[dict]:
    return queries.run("review_actions", viewer or lead("UMCU"), db=db, pathway="knee_oa").to_dicts()


def test_an_action_is_recorded_with_who_and_when(own_review_warehouse) -> None:
    action_id = record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    [row] = actions_of(own_review_warehouse)
    assert row["action_id"] == action_id and row["centre_code"] == "UMCU"
    assert row["status"] == "plan" and row["is_open"] is True
    assert row["created_by"] == "lead.umcu" and row["start_month_date"] == dt.date(2026, 8, 1)
    history = queries.run("review_action_changes", lead("UMCU"), db=own_review_warehouse, pathway="knee_oa")
    assert set(history["field_name"]) == {
        "indicator_code",
        "what",
        "who",
        "start_month",
        "expected_effect",
        "status",
        "result_note",
    }
    assert history.filter(history["field_name"] == "status")["new_value"].to_list() == ["plan"]


def test_an_edit_changes_only_what_changed_and_logs_old_and_new(own_review_warehouse) -> None:
    action_id = record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    changed = update_action(
        own_review_warehouse, team("UMCU", "knee_oa"), action_id,
        {"status": "done", "result_note": "Complicaties daalden van 25% naar 10%."}, CODES,
    )  # fmt: skip
    assert changed == 2
    [row] = actions_of(own_review_warehouse)
    assert row["status"] == "done" and row["is_open"] is False and row["updated_by"] == "team.umcu"
    history = queries.run("review_action_changes", lead("UMCU"), db=own_review_warehouse, pathway="knee_oa")
    status = history.filter(history["field_name"] == "status", history["old_value"].is_not_null()).to_dicts()
    assert [(r["old_value"], r["new_value"], r["changed_by"]) for r in status] == [("plan", "done", "team.umcu")]
    assert update_action(own_review_warehouse, lead("UMCU"), action_id, {"status": "done"}, CODES) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what": "   "}, "Beschrijf wat het team gaat doen"),
        ({"who": ""}, "Vul in wie de actie trekt"),
        ({"status": "klaar"}, "Kies een status"),
        ({"start_month": dt.date(2026, 8, 15)}, "eerste dag van een maand"),
        ({"indicator_code": "outcome:onbekend"}, "Kies een indicator van dit zorgpad"),
        ({"status": "done"}, "Een afgeronde of gestopte actie heeft een beschrijving"),
        ({"what": "x" * 501}, "1 tot 500 tekens"),
    ],
    ids=["empty-what", "empty-who", "unknown-status", "mid-month", "unknown-indicator", "done-without-result", "too-long"],
)
def test_invalid_actions_are_refused_with_a_clear_reason_and_nothing_is_stored(own_review_warehouse, changes, message) -> None:
    with pytest.raises(ActionInvalid) as err:
        record_action(own_review_warehouse, lead("UMCU"), action(**changes), CODES)
    assert any(message in e for e in err.value.errors)
    assert actions_of(own_review_warehouse) == []


def test_an_invalid_edit_leaves_the_action_as_it_was(own_review_warehouse) -> None:
    action_id = record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    with pytest.raises(ActionInvalid):
        update_action(own_review_warehouse, lead("UMCU"), action_id, {"status": "stopped", "result_note": ""}, CODES)
    assert actions_of(own_review_warehouse)[0]["status"] == "plan"


def test_only_the_own_team_records_and_edits(own_review_warehouse) -> None:
    with pytest.raises(AccessDenied):
        record_action(own_review_warehouse, PROGRAMME, action(), CODES)
    with pytest.raises(AccessDenied):
        record_action(own_review_warehouse, team("UMCU", "ckd"), action(), CODES)
    action_id = record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    with pytest.raises(AccessDenied):
        update_action(own_review_warehouse, lead("AUMC"), action_id, {"status": "do"}, CODES)
    assert actions_of(own_review_warehouse, lead("AUMC")) == []
    assert actions_of(own_review_warehouse)[0]["status"] == "plan"


def test_actions_survive_reloads_of_the_data(own_review_warehouse, tmp_path) -> None:
    action_id = record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    before = published(own_review_warehouse)
    extra = (
        "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex\nUMCU,e99,Pe99,knee_oa,tka,2026-10-02,66,M\n"
    )
    files = write_files(tmp_path / "october", {"centres.csv": CENTRES_CSV, "episodes.csv": extra})
    for _ in range(2):  # a new delivery, then the same again (an idempotent reload)
        load = [sys.executable, "-m", "warehouse", "load", "--db", str(own_review_warehouse), *map(str, files)]
        done = subprocess.run(load, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
        assert done.returncode == 0, done.stderr
    assert published(own_review_warehouse) != before  # a new version was published
    assert [r["action_id"] for r in actions_of(own_review_warehouse)] == [action_id]
    assert actions_path(published(own_review_warehouse)) == actions_path(own_review_warehouse)


def test_the_review_page_lists_open_actions_and_marks_them_on_the_chart(own_review_warehouse, monkeypatch) -> None:
    record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    record_action(
        own_review_warehouse, lead("UMCU"), action(what="Afgerond voorbeeld", status="done", result_note="Klaar."), CODES
    )
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception
    agenda = [m.value for m in at.markdown if ":material/flag:" in m.value]
    assert len(agenda) == 1 and "Elke ernstige complicatie bespreken" in agenda[0] and "Dr. De Vries" in agenda[0]
    # the open control chart of severe complications (below its g-chart: a rare event in this fixture)
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Actie: Elke ernstige complicatie bespreken" in chart for chart in charts)
    assert "Afgerond voorbeeld" in main_text(at)  # in the log, not on the agenda


def test_a_team_records_an_action_on_the_page_and_sees_it(own_review_warehouse, monkeypatch) -> None:
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    at.text_area(key="new_action_what").input("Wondcontrole na 48 uur door de verpleegkundige")
    at.text_input(key="new_action_who").input("Verpleegkundig specialist")
    at.text_area(key="new_action_effect").input("Minder heropnames door wondinfecties")
    at.button(key="FormSubmitter:new_action-Opslaan").click().run()
    assert not at.exception
    assert "Actie 1 is opgeslagen." in [s.value for s in at.success]
    assert any("Wondcontrole na 48 uur" in m.value for m in at.markdown if ":material/flag:" in m.value)
    at.button(key="FormSubmitter:new_action-Opslaan").click().run()  # the emptied form again
    assert "Beschrijf wat het team gaat doen" in at.error[0].value
    assert len(actions_of(own_review_warehouse)) == 1


def test_the_programme_lead_cannot_read_a_teams_action_log(own_review_warehouse) -> None:
    with pytest.raises(AccessDenied):
        queries.run("review_actions", PROGRAMME, db=own_review_warehouse, centre_code="UMCU", pathway="knee_oa")


def test_a_team_studies_and_closes_an_action_on_the_page(own_review_warehouse, monkeypatch) -> None:
    action_id = record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    form = f"FormSubmitter:edit_action_{action_id}-Opslaan"

    def edit_status():
        return next(s for s in at.selectbox if s.label == "Status" and s.key != "new_action_status")

    edit_status().select("done")
    at.button(key=form).click().run()
    assert "Een afgeronde of gestopte actie heeft een beschrijving" in at.error[0].value
    assert actions_of(own_review_warehouse)[0]["status"] == "plan"
    [result] = [a for a in at.text_area if a.label == "Wat leverde het op?"]
    result.input("Complicaties daalden van 25% naar 10%.")
    edit_status().select("done")
    at.button(key=form).click().run()
    assert f"Actie {action_id} is bijgewerkt (2 velden)." in [s.value for s in at.success]
    [row] = actions_of(own_review_warehouse)
    assert row["status"] == "done" and row["result_note"] == "Complicaties daalden van 25% naar 10%."
    assert not [m.value for m in at.markdown if ":material/flag:" in m.value]  # closed: off the agenda
