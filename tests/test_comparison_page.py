"""The comparison page: the demo's outliers read correctly, and nothing of another centre leaks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from analytics.periods import ReportingPeriod
from sample_data.centres import CENTRES
from tests.apptest import app, main_text, texts

DEMO_CENTRES = [c for c in CENTRES if c.pathways]
H1_2026, H2_2025 = ReportingPeriod(dt.date(2026, 1, 1)), ReportingPeriod(dt.date(2025, 7, 1))
PATIENT_ID = re.compile(r"PT\d{6,}|[A-Z]{2,5}-E\d{7}")


def render(warehouse, monkeypatch, centre: str, pathway: str = "knee_oa", **state) -> AppTest:
    at = app(warehouse, monkeypatch, viewer_centre=centre, pathway=pathway, **state).run()
    at.switch_page("pages/comparison.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("centre", [c.code for c in DEMO_CENTRES])
def test_no_other_centre_and_no_patient_appears_for_any_viewer(demo_warehouse, monkeypatch, centre) -> None:
    at = render(demo_warehouse, monkeypatch, centre)
    content = main_text(at)
    for other in DEMO_CENTRES:
        if other.code == centre:
            continue
        assert not re.search(rf"\b{re.escape(other.code)}\b", content), other.code
        assert other.name not in content, other.name
    assert not PATIENT_ID.search(content)


def test_the_true_outlier_stays_outside_the_998_limit_after_adjustment(small_demo, monkeypatch) -> None:
    # UMCG's complications were high through 2025 (its improvement action took effect in 2026)
    at = render(small_demo, monkeypatch, "UMCG", compare_period=H2_2025)
    assert (
        "gecorrigeerd voor patiëntkenmerken) ligt boven de 99,8%-grens: dit is waarschijnlijk geen toeval. Dit is ongunstig."
        in texts(at)
    )
    crude = render(small_demo, monkeypatch, "UMCG", compare_mode="crude", compare_period=H2_2025)
    assert "ruw: niet gecorrigeerd) ligt boven de 99,8%-grens" in texts(crude)


def test_the_centre_that_only_looks_like_an_outlier_moves_inside(small_demo, monkeypatch) -> None:
    crude = render(small_demo, monkeypatch, "EMC", compare_mode="crude")
    assert "ruw: niet gecorrigeerd) ligt boven de 95%-grens" in texts(crude)
    at = render(small_demo, monkeypatch, "EMC")
    assert "gecorrigeerd voor patiëntkenmerken) ligt binnen de grenzen" in texts(at)
    assert "Het verschil komt door uw patiëntenmix" in texts(at)


def test_small_centres_and_few_peers_in_the_page(peer_warehouse, monkeypatch) -> None:
    at = render(peer_warehouse, monkeypatch, "AAA")
    content = main_text(at)
    assert "< 10" in content
    table = next(d.value for d in at.dataframe)
    assert list(table["Patiënten"]).count("< 10") == 1
    assert "Ziekenhuis Aaa" in content
    for other in ("BBB", "CCC", "DDD", "EEE", "FFF"):
        assert other not in content and f"Ziekenhuis {other.title()}" not in content


def test_an_own_centre_below_ten_patients_is_told_so(peer_warehouse, monkeypatch) -> None:
    at = render(peer_warehouse, monkeypatch, "DDD")
    assert "Uw centrum heeft minder dan 10 patiënten" in texts(at)
