"""The review's words (issue 17): tile titles whole, 'Choose options' in the page's language, tables in words."""

from __future__ import annotations

import json

from tests.apptest import app


def test_tile_titles_are_not_cut_off(review_warehouse, monkeypatch) -> None:
    """Defect: st.metric cut long labels off with an ellipsis; the title is a line of its own that wraps."""
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    tile = next(m for m in at.metric if m.label == "Gemiddelde kosten per patiënt")
    assert tile.proto.label_visibility.value == tile.proto.label_visibility.COLLAPSED
    assert "**Gemiddelde kosten per patiënt**" in [m.value for m in at.markdown]


def test_choose_options_is_said_in_the_pages_language(review_warehouse, monkeypatch) -> None:
    """Defect: a multiselect said "Choose options" on a Dutch page."""
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    assert at.multiselect(key="patient_flags").placeholder == "Kies een of meer"
    english = app(review_warehouse, monkeypatch, viewer_centre="UMCU", language_choice="English").run()
    assert english.multiselect(key="patient_flags").placeholder == "Choose one or more"


def test_the_patient_table_is_headed_and_filled_in_words(review_warehouse, monkeypatch) -> None:
    """Defect: the patients table showed episode_id, tka, has_complication, true."""
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    table = next(d for d in at.dataframe if "episode_id" in d.value.columns)
    config = json.loads(table.proto.columns)
    entry = config.get("name:treatment") or config.get("treatment") or {}
    assert entry.get("label") == "Behandeling"
    assert set(table.value["treatment"]) == {"Totale knieprothese", "Conservatief"}  # tka, conservative
    assert set(table.value["has_complication"]) <= {"ja", "nee"}
