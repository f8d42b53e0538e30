"""Peers at a glance: the scorecard, the ranked view, free periods and chosen peer groups, worked by hand
on the six-centre peer fixture (AAA 3/30, BBB 2/25, CCC 6/20, DDD 4/5, EEE 1/12, FFF 4/40 complications
in the second half of 2025, one more patient per centre in March 2026)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from access.roles import AccessDenied
from analytics.funnel import mirrored_interval
from analytics.peers import cell_minimum, group_members
from analytics.periods import ReportingPeriod, on_grid, period_of, spanning
from services.peer_comparison import comparison_choices, peer_comparison, peer_scorecard, ranked
from tests.fixtures import PEER_MONTH
from tests.viewers import PROGRAMME, lead

H2_2025 = period_of(PEER_MONTH)
H1_2025, H1_2026 = ReportingPeriod(dt.date(2025, 1, 1)), ReportingPeriod(dt.date(2026, 1, 1))
EVENT = "outcome:complication_severe"
AS_OF = dt.date(2026, 9, 1)  # H1 2026 closed


def compare(db, centre="AAA", period=H2_2025, **kwargs):
    return peer_comparison(lead(centre), f"Ziekenhuis {centre.title()}", "knee_oa", EVENT, period, db=db, as_of=AS_OF, **kwargs)


def test_a_free_period_runs_from_a_chosen_half_year_to_another_on_the_grid() -> None:
    span = spanning(H1_2026, H1_2025)
    assert (span.start, span.end, span.halves, span.code) == (dt.date(2025, 1, 1), dt.date(2026, 6, 1), 3, "2025-H1..2026-H1")
    assert [p.code for p in span.parts()] == ["2025-H1", "2025-H2", "2026-H1"]
    assert len(span.months()) == 18 and on_grid(span)
    assert not on_grid(ReportingPeriod(dt.date(2025, 1, 1), 7))  # longer than three years
    assert not on_grid(ReportingPeriod(dt.date(2025, 1, 1), 0))


def test_a_centre_is_shown_in_a_longer_period_only_when_every_half_year_has_ten_patients(peer_warehouse) -> None:
    months = [dt.date(2025, 9, 1)] * 12 + [dt.date(2026, 6, 1)] * 11 + [dt.date(2026, 2, 1)]
    patients = pl.DataFrame({"centre_code": ["A"] * 23 + ["B"], "month_date": months})
    cells = cell_minimum(patients, [dt.date(2025, 7, 1), dt.date(2026, 1, 1)])
    assert dict(cells.iter_rows()) == {"A": 11, "B": 0}  # A: 12 and 11; B: none in 2025
    assert dict(cell_minimum(patients, [dt.date(2025, 7, 1)]).iter_rows()) == {"A": 12, "B": 0}
    # H2 2025 + H1 2026: each centre has one patient in 2026, so none may be shown for the union
    # (the union minus H2 2025 would give that one patient's outcome)
    span = spanning(H2_2025, H1_2026)
    result = compare(peer_warehouse, period=span)
    assert not result.is_shown and result.peers_enough == 0
    card = peer_scorecard(lead("AAA"), "Ziekenhuis Aaa", "knee_oa", span, db=peer_warehouse, as_of=AS_OF)
    assert not card.is_shown and all(r.peer_values == [] for r in card.rows)  # nor does the scorecard
    assert compare(peer_warehouse).is_shown


def test_similar_volume_is_the_nearer_half_of_the_other_centres() -> None:
    volumes = pl.DataFrame(
        {"centre_code": ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"], "kind": ["umc"] * 4 + ["general"] * 2,
         "episodes_n": [30, 25, 20, 5, 12, 40]}
    )  # fmt: skip
    # from AAA (30): BBB 5, CCC 10, FFF 10, EEE 18, DDD 25 apart; half of five rounded up is three
    assert group_members(volumes, "AAA", "volume") == {"AAA", "BBB", "CCC", "FFF"}
    assert group_members(volumes, "EEE", "volume") == {"EEE", "DDD", "CCC", "BBB"}
    assert group_members(volumes, "EEE", "umc") == {"AAA", "BBB", "CCC", "DDD", "EEE"}  # the own centre always in
    assert group_members(volumes, None, "umc") == {"AAA", "BBB", "CCC", "DDD"}
    assert group_members(volumes, "AAA", "all") == set(volumes["centre_code"])


def test_a_peer_group_with_too_few_peers_is_refused(peer_warehouse) -> None:
    near = compare(peer_warehouse, group="volume")
    assert near.is_shown and near.group == "volume"
    shown = near.centres.filter(~pl.col("is_suppressed"))
    assert shown.height == 4  # AAA with BBB, CCC and FFF
    assert near.targets["crude"] == pytest.approx(15 / 115)  # 3+2+6+4 events in 30+25+20+40 patients
    # EEE's nearest half: DDD (5 patients, hidden), CCC and BBB: two peers, fewer than three
    small = compare(peer_warehouse, "EEE", group="volume")
    assert not small.is_shown and small.group == "volume" and small.peers_enough == 2
    with pytest.raises(AccessDenied):
        peer_comparison(PROGRAMME, "", "knee_oa", EVENT, H2_2025, db=peer_warehouse, as_of=AS_OF, group="volume")
    with pytest.raises(AccessDenied):
        compare(peer_warehouse, group="friends")


def test_a_narrower_group_draws_its_own_peer_codes(peer_warehouse) -> None:
    everyone = set(compare(peer_warehouse).centres["label"])
    near = set(compare(peer_warehouse, group="volume").centres["label"])
    assert "Ziekenhuis Aaa" in everyone & near
    assert not (everyone & near) - {"Ziekenhuis Aaa"}


def test_national_viewers_are_not_offered_a_volume_group(peer_warehouse) -> None:
    assert comparison_choices(PROGRAMME, "knee_oa", dt.date(2026, 3, 1)).groups == ["all", "umc"]
    choices = comparison_choices(lead("AAA"), "knee_oa", dt.date(2026, 3, 1))
    assert choices.groups == ["all", "umc", "volume"] and len(choices.halves) == 6


def test_the_scorecard_row_is_the_single_view_worked_by_hand(peer_warehouse) -> None:
    card = peer_scorecard(lead("AAA"), "Ziekenhuis Aaa", "knee_oa", H2_2025, "crude", db=peer_warehouse, as_of=AS_OF)
    rows = {r.indicator.code: r for r in card.rows}
    row = rows[EVENT]
    # AAA 3/30 = 10%; shown peers as drawn: BBB 8%, CCC 30%, EEE 8% (1/12), FFF 10%; DDD hidden
    assert row.is_shown and row.own_value == pytest.approx(0.10) and row.own_n == 30
    assert sorted(row.peer_values) == pytest.approx([0.08, 0.08, 0.10, 0.30])
    assert (row.peer_median, row.peer_low, row.peer_high) == pytest.approx((0.09, 0.08, 0.30))
    assert row.better_than == 1  # fewer complications than CCC only
    assert row.position == "within" and row.verdict is None
    # the fixture has no other outcome and no PROMs: those rows show nothing
    assert all(not r.is_shown and r.own_value is None for code, r in rows.items() if code != EVENT)
    single = compare(peer_warehouse)
    peers_single = single.centres.filter(~pl.col("is_own") & ~pl.col("is_suppressed"))["crude_value"].to_list()
    assert sorted(peers_single) == sorted(row.peer_values)  # nothing beyond what the funnel shows


def test_the_scorecard_hides_the_own_value_where_the_single_view_does(peer_warehouse) -> None:
    card = peer_scorecard(lead("DDD"), "Ziekenhuis Ddd", "knee_oa", H2_2025, db=peer_warehouse, as_of=AS_OF)
    row = next(r for r in card.rows if r.indicator.code == EVENT)
    assert row.is_shown and row.own_value is None and row.own_n is None and row.better_than is None
    assert len(row.peer_values) == 5


def test_the_ranked_interval_leaves_out_the_target_exactly_when_the_funnel_flags_the_dot(peer_warehouse) -> None:
    assert mirrored_interval(0.20, 0.10, 0.05, 0.18) == pytest.approx((0.12, 0.25))  # above the 95% limit
    assert mirrored_interval(0.15, 0.10, 0.05, 0.18) == pytest.approx((0.07, 0.20))  # inside: covers the target
    result = compare(peer_warehouse)
    for mode in ("crude", "adjusted"):
        rows = ranked(result, mode)
        assert rows.height == 5 and rows["rank"].to_list() == [1, 2, 3, 4, 5]
        assert rows["value"].to_list() == sorted(rows["value"].to_list())  # fewer complications ranks first
        target = result.targets[mode]
        for row in rows.iter_rows(named=True):
            covers = row["low"] <= target <= row["high"]
            assert covers == (row["position"] == "within")
