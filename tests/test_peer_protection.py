"""Peer comparison is protected in the data layer: anonymous codes, small numbers, too few peers."""

from __future__ import annotations

import pytest

from access.roles import AccessDenied
from analytics.disclosure import peer_code
from analytics.periods import period_of
from services.peer_comparison import peer_comparison
from tests.fixtures import PEER_CENTRES, PEER_MONTH
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team

PERIOD = period_of(PEER_MONTH)


def compare(db, viewer="AAA", **kwargs):
    return peer_comparison(
        lead(viewer), f"Ziekenhuis {viewer.title()}", "knee_oa", "outcome:complication_severe", PERIOD, db=db, **kwargs
    )


def test_a_centre_under_ten_patients_is_shown_as_suppressed_without_any_figure(peer_warehouse) -> None:
    result = compare(peer_warehouse)
    assert result.is_shown
    suppressed = result.centres.filter(result.centres["is_suppressed"])
    assert suppressed.height == 1  # DDD, 5 patients
    row = suppressed.row(0, named=True)
    assert row["patients_n"] is None and row["crude_value"] is None and row["adjusted_value"] is None
    assert row["crude_upper_998"] is None
    assert row["label"].startswith("Peer ")


def test_no_suppressed_figure_can_be_derived_from_shown_figures(peer_warehouse) -> None:
    result = compare(peer_warehouse)
    shown = result.centres.filter(~result.centres["is_suppressed"])
    assert shown.height == 5
    # the target is the rate of the shown centres alone: it carries nothing of the suppressed one
    assert result.targets["crude"] == pytest.approx(16 / 127)  # AAA, BBB, CCC, EEE and FFF: 16 events in 127 patients


def test_the_viewer_sees_only_its_own_name(peer_warehouse) -> None:
    result = compare(peer_warehouse, viewer="CCC")
    labels = result.centres["label"].to_list()
    assert labels[0] == "Ziekenhuis Ccc"
    assert result.centres["is_own"].to_list() == [True] + [False] * 5
    for code, _, _ in PEER_CENTRES:
        assert all(code not in label for label in labels[1:])
    assert all(label.startswith("Peer ") for label in labels[1:])


def test_peer_codes_reveal_neither_name_nor_alphabetical_order() -> None:
    codes = [f"C{i:02d}" for i in range(12)]
    labels = [peer_code(c, "knee_oa|2025-H2|AAA") for c in codes]
    assert len(set(labels)) == 12
    assert sorted(labels) != [labels[i] for i in range(12)]  # sorting by label does not sort by name
    assert peer_code("C01", "v") == peer_code("C01", "v")  # stable within one view
    assert peer_code("C01", "v", secret=b"another key") != peer_code("C01", "v", secret=b"the demo key")


def test_fewer_than_three_peers_with_enough_patients_shows_nothing(peer_warehouse) -> None:
    result = compare(peer_warehouse, min_peers=5)  # AAA has four peers with 10 or more patients
    assert not result.is_shown
    assert result.centres.is_empty()
    assert result.peers_enough == 4


def test_an_own_centre_below_ten_is_suppressed_too(peer_warehouse) -> None:
    result = compare(peer_warehouse, viewer="DDD")
    own = result.centres.filter(result.centres["is_own"]).row(0, named=True)
    assert result.own_suppressed
    assert own["is_suppressed"] and own["crude_value"] is None


def test_only_aggregates_leave_the_layer(peer_warehouse) -> None:
    result = compare(peer_warehouse)
    assert result.centres.height == len(PEER_CENTRES)
    assert not {"episode_id", "patient_id", "centre_code", "age"} & set(result.centres.columns)


def test_the_programme_lead_sees_every_centre_anonymously(peer_warehouse) -> None:
    result = peer_comparison(PROGRAMME, "", "knee_oa", "outcome:complication_severe", PERIOD, db=peer_warehouse)
    assert result.is_shown
    assert not result.centres["is_own"].any()
    assert all(label.startswith("Peer ") for label in result.centres["label"])


@pytest.mark.parametrize(
    "viewer", [ADMIN, data_manager("AAA"), team("AAA", "ckd")], ids=["admin", "data_manager", "other_pathway"]
)
def test_roles_without_outcome_access_are_refused(peer_warehouse, viewer) -> None:
    with pytest.raises(AccessDenied):
        peer_comparison(viewer, "", "knee_oa", "outcome:complication_severe", PERIOD, db=peer_warehouse)


def test_the_drawn_funnel_surrounds_the_target(peer_warehouse) -> None:
    result = compare(peer_warehouse)
    for mode in ("crude", "adjusted"):
        curve = result.curves[mode]
        target = result.targets[mode]
        assert (curve["upper_998"] >= target).all() and (curve["lower_998"] <= target).all(), mode
        assert curve["upper_998"][0] > curve["upper_998"][-1]  # narrower with more patients
