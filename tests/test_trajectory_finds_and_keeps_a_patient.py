"""Issue 17: the trajectory page forgot the opened patient when the viewer went to another page, and a
patient could only be found by typing a pseudonym. Now the month's patients are listed to choose from
(a view of patient rows, audited) and the opened patient is still there on coming back."""

from __future__ import annotations

import json

from tests.apptest import app


def test_a_patient_chosen_from_the_months_list_is_opened(demo_warehouse, monkeypatch, tmp_path) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa")
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at.run()
    at.switch_page("pages/trajectory.py").run()
    pick = at.selectbox(key="trajectory_pick")
    assert pick.label.startswith("Patiënten behandeld in ") and pick.options, pick.label
    first = pick.options[0]
    assert " · " in first and "tka" not in first.split(" · ")[1]  # the treatment in words, not its code
    assert pick.value is None and "Kies een patiënt" in at.info[0].value  # nothing chosen yet
    pick.select_index(0).run()
    assert at.text_input(key="trajectory_episode").value == first.split(" · ")[0]
    assert not at.exception and not at.error and at.get("plotly_chart")
    rows = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert any(r["action"] == "view_patient_rows" and "review_patients" in r["what"] for r in rows)


def test_the_opened_patient_is_kept_after_visiting_another_page(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    at.switch_page("pages/trajectory.py").run()
    at.selectbox(key="trajectory_pick").select_index(0).run()
    opened = at.text_input(key="trajectory_episode").value
    assert opened
    at.switch_page("pages/review.py").run()
    at.switch_page("pages/trajectory.py").run()
    assert at.text_input(key="trajectory_episode").value == opened
    assert at.get("plotly_chart") and not at.error
