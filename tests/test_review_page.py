"""The review page: agenda, tiles with MDC icons, control charts with table and CSV, patients, costs, equity."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.apptest import app, texts
from tests.fixtures import AGENDA_TREATMENT

HEADLINE_LABEL = {
    "knee_oa": "Ernstige complicatie",
    "ckd": "Ziekenhuisopname",
    "pancreatic_cancer": "Ernstige complicatie (Clavien-Dindo ≥ III)",
    "ibd": "Ziekenhuisopname",
}


@pytest.mark.parametrize("pathway", list(AGENDA_TREATMENT))
def test_agenda_lists_the_one_special_cause_of_the_hand_built_fixture(agenda_warehouse, monkeypatch, pathway) -> None:
    at = app(agenda_warehouse, monkeypatch, viewer_centre="UMCU", pathway=pathway).run()
    assert not at.exception, [e.value for e in at.exception]
    items = [m.value for m in at.markdown if m.value.startswith("- **")]
    label = HEADLINE_LABEL[pathway]
    # 9 of 10 against an upper limit of 0.2538 + 3·√(0.2538·0.7462/10) = 66,7%
    assert items == [f"- **Zorgpunt:** {label} is 90,0%, boven de bovengrens van 66,7%. Dit is waarschijnlijk geen toeval."]
    tile = next(m for m in at.metric if m.label == label)
    assert tile.value == "90,0% van 10"  # with its denominator (tests/test_review_denominators.py)
    assert "zorgpunt" in texts(at)


def test_the_last_complete_month_is_the_default_and_a_quiet_month_has_an_empty_agenda(agenda_warehouse, monkeypatch) -> None:
    at = app(agenda_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    assert at.sidebar.selectbox(key="month_UMCU_knee_oa").value == dt.date(2026, 9, 1)
    quiet = app(
        agenda_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa", month_UMCU_knee_oa=dt.date(2026, 8, 1)
    ).run()
    assert "augustus 2026" in texts(quiet)
    assert "Geen bijzondere variatie deze maand" in texts(quiet)


def test_review_shows_the_hand_worked_numbers(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    assert not at.exception
    assert "september 2026" in texts(at)
    values = {m.label: (m.value, m.delta) for m in at.metric}
    assert values["Behandelde patiënten"] == ("4", "1,5")  # 4 against (3 + 2) / 2 = 2,5
    # the change has its sign in words (tests/test_review_cost_tiles.py): "+5,0%" became "5,0 procentpunt hoger"
    assert values["Ernstige complicatie"] == ("25,0% van 4", "5,0 procentpunt hoger")  # 1/4 against 1/5
    assert values["PROM-respons baseline"] == ("66,7% van 3", "13,3 procentpunt lager")  # 2/3 against 4/5
    assert values["Gemiddelde kosten per patiënt"] == ("€ 2.167", "€ 167 hoger")  # 6.500/3 against 4.000/2
    assert "99.999" not in texts(at)  # another centre's cost never shows


def test_the_interface_speaks_english_on_request(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, language_choice="English", viewer_centre="UMCU").run()
    assert at.title[0].value == "Monthly review"
    values = {m.label: m.value for m in at.metric}
    assert values["Severe complication"] == "25.0% of 4"
    assert values["Mean cost per patient"] == "€ 2,167"


@pytest.mark.parametrize("pathway", ["knee_oa", "ckd", "pancreatic_cancer", "ibd"])
def test_every_pathway_renders_on_the_demo(demo_warehouse, monkeypatch, pathway) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway=pathway).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.metric) >= 10
    keys = [str(getattr(c, "key", "")) for c in at.get("plotly_chart")]
    assert "chart_costs" in keys and "chart_equity" in keys
    assert any(k.startswith("chart_spc_") for k in keys)  # the monthly control chart (after a rare event's g-chart)
    downloads = [b.key for b in at.get("download_button")]
    # a CSV per chart, the audited patient list, the meeting pack as HTML and PDF
    assert {"csv_costs", "csv_patients_table", "pack_html", "pack_pdf"} <= set(downloads), downloads
    assert len(downloads) == len(at.get("plotly_chart")) + 3


def test_opening_a_tile_shows_its_control_chart(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    at.button(key="open_cost_mean_eur").click().run()
    assert not at.exception
    assert any(s.value == "Regelkaart: Gemiddelde kosten per patiënt" for s in at.subheader)
    assert "Voorlopige grenzen" in texts(at)  # three months of data


def test_patients_of_the_month_with_flags_and_filter(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    patients = next(d.value for d in at.dataframe if "episode_id" in d.value.columns)
    assert sorted(patients["episode_id"]) == ["e1", "e2", "e3", "e4"]  # only UMC Utrecht's September patients
    assert patients.set_index("episode_id").loc["e1", "has_complication"] == "ja"  # in words (tests/test_no_raw_names.py)
    assert patients.set_index("episode_id").loc["e3", "has_missing_prom"] == "ja"
    assert patients.set_index("episode_id").loc["e2", "has_missing_prom"] == "nee"
    at.multiselect(key="patient_flags").set_value(["has_complication"]).run()
    patients = next(d.value for d in at.dataframe if "episode_id" in d.value.columns)
    assert list(patients["episode_id"]) == ["e1"]
