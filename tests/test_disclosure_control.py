"""Disclosure control of the peer layer: the findings of issue 14, each reproduced and now held."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from access.roles import AccessDenied
from access.settings import NotConfigured
from analytics.disclosure import peer_code, peer_labels, pooled_count, rounded, view_key
from analytics.monthly import add_months
from analytics.peers import CentreAggregates, comparison_indicators, protect
from analytics.periods import ReportingPeriod, closed_periods, is_closed, period_of
from data_models.outcome_sets import outcome_sets
from services.peer_comparison import own_trend, peer_comparison
from tests.fixtures import PEER_MONTH
from tests.viewers import PROGRAMME, lead

PERIOD = period_of(PEER_MONTH)
EVENT = "outcome:complication_severe"


def labels_of(result) -> dict[int, str]:
    """Exact size → label, for the shown peers (sizes of the fixture are distinct)."""
    return dict(zip(result.centres["patients_n"], result.centres["label"], strict=True))


def test_a_24_month_figure_minus_a_12_month_figure_can_no_longer_be_asked_for(peer_warehouse) -> None:
    # the old page offered windows ending at the chosen month; the layer now takes only a reporting period
    with pytest.raises(AccessDenied):
        peer_comparison(lead("AAA"), "A", "knee_oa", EVENT, (dt.date(2025, 1, 1), PEER_MONTH), db=peer_warehouse)  # type: ignore[arg-type]


def test_a_period_that_is_still_open_is_refused(peer_warehouse) -> None:
    open_period = period_of(dt.date.today())
    with pytest.raises(AccessDenied):
        peer_comparison(lead("AAA"), "A", "knee_oa", EVENT, open_period, db=peer_warehouse)
    with pytest.raises(AccessDenied):  # closed a month after its end only: deliveries come in the month after
        peer_comparison(lead("AAA"), "A", "knee_oa", EVENT, PERIOD, db=peer_warehouse, as_of=dt.date(2026, 1, 15))
    assert peer_comparison(lead("AAA"), "A", "knee_oa", EVENT, PERIOD, db=peer_warehouse, as_of=dt.date(2026, 2, 1)).is_shown


def test_the_periods_offered_never_overlap_whatever_month_is_chosen() -> None:
    offered: set[ReportingPeriod] = set()
    month = dt.date(2021, 1, 1)
    while month <= dt.date(2027, 12, 1):
        periods = closed_periods(month)
        assert all(is_closed(p, month) for p in periods)
        assert len(periods) == 4 and periods == sorted(periods, reverse=True)
        offered.update(periods)
        month = add_months(month, 1)
    months = [set(p.months()) for p in offered]
    for i, a in enumerate(months):
        for b in months[i + 1 :]:
            assert not a & b  # two offered periods are the same or share no month: nothing to subtract
    assert all(p.start.month in (1, 7) and p.start.day == 1 for p in offered)


def test_a_closed_period_shows_the_same_figures_whichever_later_month_is_chosen(peer_warehouse) -> None:
    early = peer_comparison(PROGRAMME, "", "knee_oa", EVENT, PERIOD, db=peer_warehouse, as_of=dt.date(2026, 3, 1))
    late = peer_comparison(PROGRAMME, "", "knee_oa", EVENT, PERIOD, db=peer_warehouse, as_of=dt.date(2026, 11, 1))
    assert early.centres.equals(late.centres)


def test_the_same_peer_gets_another_code_in_another_viewers_screen(peer_warehouse) -> None:
    seen_by_aaa = labels_of(peer_comparison(lead("AAA"), "A", "knee_oa", EVENT, PERIOD, db=peer_warehouse))
    seen_by_bbb = labels_of(peer_comparison(lead("BBB"), "B", "knee_oa", EVENT, PERIOD, db=peer_warehouse))
    seen_nationally = labels_of(peer_comparison(PROGRAMME, "", "knee_oa", EVENT, PERIOD, db=peer_warehouse))
    fff = rounded(40)
    assert seen_by_aaa[fff] != seen_by_bbb[fff] != seen_nationally[fff] != seen_by_aaa[fff]


def test_codes_are_drawn_afresh_per_pathway_and_period() -> None:
    secret = b"k" * 32
    views = [view_key(p, q, "AAA") for p in ("knee_oa", "ckd") for q in ("2025-H1", "2025-H2")]
    codes = [peer_code("FFF", v, secret=secret) for v in views]
    assert len(set(codes)) == len(views)
    assert peer_code("FFF", views[0], secret=secret) == codes[0]  # stable within one view
    labels = peer_labels(["AAA", "FFF", "CCC"], "AAA", "Ziekenhuis A", views[0])
    assert labels["AAA"] == "Ziekenhuis A" and labels["FFF"] != labels["CCC"]


def test_without_a_peer_code_secret_outside_demo_mode_no_code_is_drawn(monkeypatch) -> None:
    monkeypatch.delenv("SAMEN_LEREN_DEMO", raising=False)
    monkeypatch.delenv("PEER_CODE_SECRET", raising=False)
    with pytest.raises(NotConfigured):
        peer_code("AAA", "knee_oa|2025-H2|national")
    monkeypatch.setenv("PEER_CODE_SECRET", "x" * 40)
    assert peer_code("AAA", "knee_oa|2025-H2|national").startswith("Peer ")


def test_peers_counts_are_rounded_to_fives_and_the_own_count_is_exact(peer_warehouse) -> None:
    result = peer_comparison(lead("EEE"), "E", "knee_oa", EVENT, PERIOD, db=peer_warehouse)
    shown = result.centres.filter(~pl.col("is_suppressed"))
    own = shown.filter(pl.col("is_own"))["patients_n"].to_list()
    peers = sorted(shown.filter(~pl.col("is_own"))["patients_n"].to_list())
    assert own == [12]
    assert peers == [20, 25, 30, 40]  # CCC 20, BBB 25, AAA 30, FFF 40: multiples of five
    assert [rounded(n) for n in (10, 12, 13, 17, 18, 22)] == [10, 10, 15, 15, 20, 20]


def test_protect_rounds_the_peers_counts_but_not_the_own_centres() -> None:
    aggregates = CentreAggregates(
        pl.DataFrame(
            {
                "centre_code": ["A", "B", "C", "D", "E"],
                "patients_n": [12, 23, 31, 47, 58],
                "observed": [1.0, 2.0, 3.0, 4.0, 20.0],
                "expected": [1.2, 2.3, 3.1, 4.7, 5.8],
            }
        ),
        None,
        {},
    )
    indicator = comparison_indicators(outcome_sets()["knee_oa"])[0]
    result = protect(indicator, aggregates, "A", "Ziekenhuis A", "knee_oa|2025-H2|A")
    table = result.centres
    assert table.filter(pl.col("is_own"))["patients_n"].to_list() == [12]
    assert sorted(table.filter(~pl.col("is_own"))["patients_n"].to_list()) == [25, 30, 45, 60]
    # values at the page's precision: 20 of 58 (34.48%) leaves as 34%, the own 1 of 12 exactly
    assert table.filter(pl.col("patients_n") == 60)["crude_value"][0] == 0.34
    assert table.filter(pl.col("is_own"))["crude_value"][0] == pytest.approx(1 / 12)


def test_the_layer_needs_nothing_but_per_centre_aggregates() -> None:
    # the disclosure step runs on sufficient statistics, as a federated setting would deliver them
    aggregates = CentreAggregates(
        pl.DataFrame(
            {
                "centre_code": ["A", "B", "C", "D"],
                "patients_n": [40, 35, 9, 50],
                "observed": [4.0, 3.0, 5.0, 5.0],
                "expected": [4.0, 3.5, 1.0, 5.0],
            }
        ),
        None,
        {},
    )
    indicator = comparison_indicators(outcome_sets()["knee_oa"])[0]
    result = protect(indicator, aggregates, None, "", "knee_oa|2025-H2|national")
    assert result.is_shown
    hidden = result.centres.filter(pl.col("is_suppressed"))
    assert hidden.height == 1 and hidden["patients_n"][0] is None
    assert result.targets["crude"] == pytest.approx(12 / 125)  # the suppressed centre's 5 of 9 are not in it


def test_the_own_trend_shows_nothing_the_period_comparisons_do_not(peer_warehouse) -> None:
    viewer = lead("AAA")
    trend = own_trend(viewer, "A", "knee_oa", EVENT, closed_periods(dt.date(2026, 3, 1)), db=peer_warehouse)
    assert trend["period"].to_list() == ["2025-H2"]  # the only half-year with enough patients
    comparison = peer_comparison(viewer, "A", "knee_oa", EVENT, PERIOD, db=peer_warehouse)
    own = comparison.centres.filter(pl.col("is_own")).row(0, named=True)
    assert trend["adjusted_value"][0] == own["adjusted_value"]
    assert trend["pooled_value"][0] == comparison.targets["adjusted"]


def test_pooled_minus_own_reveals_no_fewer_than_ten_patients_of_others() -> None:
    for pooled in range(0, 60):
        for own in range(0, pooled + 1):
            shown = pooled_count(pooled, own)
            if shown is not None:
                assert pooled - own >= 10 and shown % 5 == 0


class OneMonth(ReportingPeriod):
    @property
    def end(self) -> dt.date:
        return self.start


@pytest.mark.parametrize(
    "period",
    [
        ReportingPeriod(dt.date(2025, 7, 2)),  # one day off: the period minus a day would be one day's patients
        ReportingPeriod(dt.date(2025, 8, 1)),  # a shifted half-year overlaps two on the grid
        OneMonth(dt.date(2025, 7, 1)),  # a subclass whose end is one month
        ReportingPeriod(dt.datetime(2025, 7, 1, 12)),  # type: ignore[arg-type]
    ],
    ids=["day", "month", "subclass", "datetime"],
)
def test_a_period_off_the_half_year_grid_is_refused(peer_warehouse, period) -> None:
    with pytest.raises(AccessDenied):
        peer_comparison(lead("AAA"), "A", "knee_oa", EVENT, period, db=peer_warehouse)


def test_an_as_of_date_in_the_future_does_not_open_a_period(peer_warehouse) -> None:
    with pytest.raises(AccessDenied):
        peer_comparison(
            lead("AAA"), "A", "knee_oa", EVENT, period_of(dt.date.today()), db=peer_warehouse, as_of=dt.date(2100, 1, 1)
        )
