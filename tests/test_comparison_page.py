"""The comparison page: own centre beside all centres pooled, small numbers never shown."""

from __future__ import annotations

from tests.apptest import app, texts


def test_a_small_own_count_is_shown_as_less_than_ten_and_few_centres_block_it(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    at.switch_page("pages/comparison.py").run()
    assert not at.exception
    # the fixture has only two centres: no comparison at all
    assert "Te weinig centra" in texts(at)
    assert not at.metric


def test_the_demo_shows_own_and_pooled_rates(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="ZNK", pathway="knee_oa").run()
    at.switch_page("pages/comparison.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["Uw centrum · Ernstige complicatie", "Alle centra samen · Ernstige complicatie"]
    assert all(m.value.endswith("%") or m.value == "< 10" for m in at.metric)
    assert "ruwe percentages" in texts(at)
