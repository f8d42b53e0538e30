"""The comparison page's peers at a glance (issue 17) and chosen peer group (issue 20), on the six-centre peer
fixture (AAA 3/30, BBB 2/25, CCC 6/20, DDD 4/5, EEE 1/12, FFF 4/40 complications in the second half of 2025)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics.periods import ReportingPeriod
from tests.apptest import app, main_text, texts
from tests.viewers import ADMIN, PROGRAMME, data_manager
from ui.figures_peers import funnel_range, peer_funnel_figure

H1_2025, H2_2025 = ReportingPeriod(dt.date(2025, 1, 1)), ReportingPeriod(dt.date(2025, 7, 1))


def render(warehouse, monkeypatch, centre: str | None = "AAA", **state) -> AppTest:
    who = {"viewer_centre": centre} if centre else {"viewer": PROGRAMME}
    at = app(warehouse, monkeypatch, pathway="knee_oa", compare_mode="crude", **who, **state).run()
    at.switch_page("pages/comparison.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str) -> pl.DataFrame:
    return pl.from_pandas(next(d.value for d in at.dataframe if column in d.value.columns))


def test_the_scorecard_row_reads_as_worked_by_hand(peer_warehouse, monkeypatch) -> None:
    at = render(peer_warehouse, monkeypatch)
    card = table_with(at, "Mediaan andere centra")
    row = card.filter(pl.col("Uw resultaat") != "–").row(0, named=True)
    # AAA 10%; the shown peers as drawn: 8%, 30%, 8% (EEE 1/12) and 10%; DDD (5 patients) is left out
    assert (row["Uw resultaat"], row["Uw patiënten"], row["Mediaan andere centra"]) == ("10,0%", "30", "9,0%")
    assert (row["Spreiding andere centra"], row["Beter dan"]) == ("8,0% tot 30,0%", "1 van 4 centra")
    assert row["Oordeel (trechter)"] == "ligt binnen de grenzen"
    assert set(card.filter(pl.col("Uw resultaat") == "–")["Oordeel (trechter)"]) == {"niet getoond: te weinig centra"}
    strip = next(c for c in at.get("plotly_chart") if '"slechter"' in c.proto.spec)
    assert "Ziekenhuis Aaa" in strip.proto.spec


def test_the_ranked_view_lists_the_shown_centres_best_first_with_intervals(peer_warehouse, monkeypatch) -> None:
    at = render(peer_warehouse, monkeypatch)
    ranked = table_with(at, "Rang")
    assert ranked["Rang"].to_list() == [1, 2, 3, 4, 5]  # DDD is not ranked
    assert ranked["Ruw"].to_list() == ["8,0%", "8,0%", "10,0%", "10,0%", "30,0%"]
    own = ranked.filter(pl.col("Centrum") == "Ziekenhuis Aaa").row(0, named=True)
    low, high = (float(own[c].rstrip("%").replace(",", ".")) for c in ("95%-interval van", "95%-interval tot"))
    assert low < 16 / 127 * 100 < high  # AAA lies within the limits: its interval covers the target
    for other in ("BBB", "CCC", "DDD", "EEE", "FFF"):
        assert other not in main_text(at)


def test_a_peer_group_too_small_is_refused_with_a_sentence(peer_warehouse, monkeypatch) -> None:
    # EEE's nearest half by volume: DDD (5 patients), CCC and BBB: two peers above the threshold
    at = render(peer_warehouse, monkeypatch, "EEE", compare_group="volume")
    assert "Deze groep is te klein om mee te vergelijken" in texts(at)
    assert "het dichtst bij dat van uw centrum ligt" in texts(at)
    assert not table_with_rank(at)
    near = render(peer_warehouse, monkeypatch, "AAA", compare_group="volume")
    assert table_with(near, "Rang").height == 4  # AAA with BBB, CCC and FFF


def table_with_rank(at: AppTest) -> bool:
    return any("Rang" in d.value.columns for d in at.dataframe)


def test_a_free_period_is_named_and_keeps_every_half_year_above_ten(peer_warehouse, monkeypatch) -> None:
    at = render(peer_warehouse, monkeypatch, compare_period=(H1_2025, H2_2025))
    assert "Periode: januari 2025 tot en met december 2025 (12 maanden)." in texts(at)
    # nobody treated anyone in the first half of 2025, so no centre has ten patients in each half-year
    assert "Deze vergelijking wordt niet getoond" in texts(at)
    one = render(peer_warehouse, monkeypatch, compare_period=(H2_2025, H2_2025))
    assert "Periode: juli 2025 tot en met december 2025 (6 maanden)." in texts(one)
    assert table_with_rank(one)


def test_a_national_viewer_has_no_centre_selector_on_the_comparison(peer_warehouse, monkeypatch) -> None:
    at = render(peer_warehouse, monkeypatch, None)
    assert "chosen_centre" not in [s.key for s in at.sidebar.selectbox]
    assert "de centrumkeuze geldt hier niet" in texts(at)
    assert [r.value for r in at.radio if r.key == "compare_group"] == ["all"]
    assert at.radio(key="compare_group").options == ["alle centra", "alleen umc's"]
    assert "Ziekenhuis" not in main_text(at)


def test_the_funnel_axis_is_not_stretched_by_its_tip() -> None:
    centres = pl.DataFrame(
        {"label": ["A", "B", "C"], "is_own": [True, False, False], "is_suppressed": [False] * 3,
         "patients_n": [20, 30, 40], "crude_value": [0.10, 0.20, 0.15]}
    )  # fmt: skip
    # the limits fan out to 0.9 at one patient; from the median dot (x = 30) on they stay within 0.05–0.30
    curve = pl.DataFrame(
        {"denominator": [1.0, 10.0, 20.0, 30.0, 40.0], "lower_95": [0.0, 0.0, 0.05, 0.07, 0.08],
         "upper_95": [0.8, 0.4, 0.25, 0.23, 0.22], "lower_998": [0.0, 0.0, 0.0, 0.05, 0.06],
         "upper_998": [0.9, 0.5, 0.35, 0.30, 0.28]}
    )  # fmt: skip
    low, high = funnel_range(centres, curve, 0.15, "crude_value", "patients_n")
    assert (low, high) == pytest.approx((0.05 - 0.06 * 0.25, 0.30 + 0.06 * 0.25))
    fig = go.Figure(peer_funnel_figure(centres, curve, 0.15, "crude_value", True, "y", "x", "patients_n"))
    assert fig.layout.yaxis.range == pytest.approx((100 * (0.05 - 0.015), 100 * 0.315))


def test_a_hidden_centre_selector_keeps_its_choice_for_the_pages_that_use_it(peer_warehouse, monkeypatch) -> None:
    at = app(peer_warehouse, monkeypatch, viewer=PROGRAMME, pathway="knee_oa").run()
    assert "chosen_centre" in [s.key for s in at.sidebar.selectbox]  # the programme lead's first page uses it
    at.sidebar.selectbox(key="chosen_centre").select("CCC").run()
    at.switch_page("pages/comparison.py").run()
    assert "chosen_centre" not in [s.key for s in at.sidebar.selectbox]
    at.switch_page("pages/adoption.py").run()
    assert at.sidebar.selectbox(key="chosen_centre").value == "CCC"


@pytest.mark.parametrize(("viewer", "page", "shown"), [(data_manager("AAA"), "upload", []), (ADMIN, "audit", [])])
def test_pages_that_ignore_the_pathway_and_month_do_not_offer_them(peer_warehouse, monkeypatch, viewer, page, shown) -> None:
    at = app(peer_warehouse, monkeypatch, viewer=viewer).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert [s.key for s in at.sidebar.selectbox if s.key != "chosen_centre"] == shown
