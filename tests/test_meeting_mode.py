"""The review's meeting mode: the agenda first, one screen per item with next and previous, the overview one click away."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from services.actions import record_action
from services.monthly_review import meeting_item, meeting_items, meeting_patients, monthly_review
from tests.apptest import app, texts
from tests.fixtures import AGENDA_HEADLINE, AGENDA_LAST_MONTH
from tests.viewers import lead, team
from warehouse.connection import published

HEADLINE = "outcome:" + AGENDA_HEADLINE["knee_oa"]
SENTENCE = "**Zorgpunt:** Ernstige complicatie is 90,0%, boven de bovengrens van 66,7%. Dit is waarschijnlijk geen toeval."


@pytest.fixture
def own_agenda_warehouse(agenda_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the agenda fixture, for tests that record improvement actions beside it."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published(agenda_warehouse), path)
    return path


def meeting(warehouse: Path, monkeypatch, **widgets):
    at = app(warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa", **widgets).run()
    assert not at.exception, [e.value for e in at.exception]
    at.segmented_control(key="review_mode").set_value("meeting").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_meeting_opens_on_the_agenda_and_steps_through_its_items(agenda_warehouse, monkeypatch) -> None:
    at = meeting(agenda_warehouse, monkeypatch)
    assert "**Agenda · 1 punt**" in texts(at)
    assert f"1. {SENTENCE}" in [m.value for m in at.markdown]
    assert not at.metric  # no tiles: the overview is the other view
    assert at.button(key="meeting_previous").disabled
    at.button(key="meeting_next").click().run()
    assert "**1 van 1**" in texts(at)
    assert [s.value for s in at.subheader] == ["Ernstige complicatie"]
    assert SENTENCE in [m.value for m in at.markdown]
    assert [c.key for c in at.get("plotly_chart")] == [f"meeting_chart_{HEADLINE}"]
    assert at.button(key="meeting_next").disabled  # the last item
    at.button(key="meeting_previous").click().run()
    assert "**Agenda · 1 punt**" in texts(at)
    at.segmented_control(key="review_mode").set_value("overview").run()
    assert len(at.metric) >= 10  # the tiles, one click away


def test_an_item_lists_its_patients_to_discuss(agenda_warehouse, monkeypatch) -> None:
    """The fixture's last month: 9 of 10 knee patients had a severe complication; those 9 are listed."""
    review = monthly_review(lead("UMCU"), agenda_warehouse, "UMCU", "knee_oa", AGENDA_LAST_MONTH)
    item = meeting_item(review, 1)
    assert (item.position, item.total, item.on_agenda, item.flag) == (1, 1, True, "has_complication")
    patients = meeting_patients(lead("UMCU"), agenda_warehouse, review, item)
    assert patients.height == 9
    at = meeting(agenda_warehouse, monkeypatch, meeting_step=1)
    assert "9 patiënten met een complicatie, behandeld in september 2026" in texts(at)
    table = next(d.value for d in at.dataframe if "Complicaties" in d.value.columns)
    assert list(table.columns) == ["Patiënt", "Behandeldatum", "Complicaties", "Behandeling"]
    assert set(table["Behandeling"]) == {"Totale knieprothese"}
    assert table["Behandeldatum"].iloc[0] == "1 sep 2026"
    assert set(table["Complicaties"]) == {"Ernstige complicatie"}


def test_an_indicator_with_running_actions_is_an_item_after_the_agenda(own_agenda_warehouse) -> None:
    viewer = team("UMCU", "knee_oa")
    action = {"pathway": "knee_oa", "indicator_code": "cost_mean_eur", "what": "Minder lab", "who": "Team",
              "start_month": AGENDA_LAST_MONTH, "expected_effect": "Lagere kosten", "status": "do", "result_note": None}  # fmt: skip
    record_action(viewer, own_agenda_warehouse, action)
    review = monthly_review(viewer, own_agenda_warehouse, "UMCU", "knee_oa", AGENDA_LAST_MONTH)
    assert [s.indicator.code for s in meeting_items(review)] == [HEADLINE, "cost_mean_eur"]
    item = meeting_item(review, 2)
    assert (item.on_agenda, item.flag, item.actions["what"].to_list()) == (False, "is_cost_far_above", ["Minder lab"])
    with pytest.raises(IndexError):
        meeting_item(review, 3)


def test_a_new_actions_indicator_defaults_to_the_item_shown(own_agenda_warehouse, monkeypatch) -> None:
    """Defect (issue 17): the new action's indicator was the last chart opened, not the item on screen."""
    at = app(own_agenda_warehouse, monkeypatch, viewer=team("UMCU", "knee_oa"), pathway="knee_oa").run()
    at.button(key="open_cost_mean_eur").click().run()  # a chart opened in the overview first
    at.segmented_control(key="review_mode").set_value("meeting").run()
    at.button(key="meeting_next").click().run()
    assert at.selectbox(key=f"new_action_indicator_{HEADLINE}").value == HEADLINE
    at.text_area(key="new_action_what").input("Checklist voor ontslag")
    at.text_input(key="new_action_who").input("Verpleegkundige")
    at.text_area(key="new_action_effect").input("Minder complicaties")
    at.button[[b.label for b in at.button].index("Opslaan")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("is opgeslagen" in s.value for s in at.success)
    assert any("Checklist voor ontslag" in m.value for m in at.markdown)  # under the item's running actions
    assert "**1 van 1**" in texts(at)  # still on the item


def test_a_month_without_signals_or_actions_says_there_is_nothing_to_discuss(agenda_warehouse, monkeypatch) -> None:
    at = meeting(agenda_warehouse, monkeypatch, month_UMCU_knee_oa=dt.date(2026, 8, 1))
    assert "Geen bijzondere variatie en geen lopende acties" in texts(at)
    assert at.button(key="meeting_next").disabled
