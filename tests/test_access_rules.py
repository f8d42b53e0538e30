"""The data layer decides what a viewer may see: roles, own centre, own pathways, internal queries."""

from __future__ import annotations

import datetime as dt

import pytest

import queries
from access.roles import AccessDenied, Role, Viewer
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team

SEPT = dt.date(2026, 9, 1)


def test_a_centre_role_always_gets_its_own_centre(review_warehouse) -> None:
    rows = queries.run("review_months", lead("UMCU"), db=review_warehouse, pathway="knee_oa")
    assert rows.height == 3
    with pytest.raises(AccessDenied, match="only see centre UMCU"):
        queries.run("review_months", lead("UMCU"), db=review_warehouse, centre_code="AUMC", pathway="knee_oa")


def test_a_care_team_sees_only_its_pathways(review_warehouse) -> None:
    knee_team = team("UMCU", "knee_oa")
    assert queries.run("review_months", knee_team, db=review_warehouse, pathway="knee_oa").height == 3
    ckd_team = team("UMCU", "ckd")
    with pytest.raises(AccessDenied, match="pathway knee_oa"):
        queries.run("review_months", ckd_team, db=review_warehouse, pathway="knee_oa")
    # a query over all pathways leaves out the rows of other pathways
    window = {"from_month": dt.date(2026, 6, 1), "to_month": SEPT}
    assert queries.run("adoption_response", ckd_team, db=review_warehouse, **window).is_empty()
    assert set(queries.run("adoption_response", knee_team, db=review_warehouse, **window)["pathway"]) == {"knee_oa"}


@pytest.mark.parametrize(
    ("viewer", "query", "params"),
    [
        (PROGRAMME, "review_patients", {"centre_code": "UMCU"}),
        (ADMIN, "review_indicators", {"centre_code": "UMCU"}),
        (data_manager("UMCU"), "review_monthly", {}),
        (lead("UMCU"), "data_quarantine", {}),
        (data_manager("UMCU"), "adoption_response", {}),
        (lead("UMCU"), "peer_event_patients", {}),
        (None, "viewer_pathways", {}),
    ],
    ids=["programme-patients", "admin-outcomes", "dm-review", "lead-quarantine", "dm-adoption", "internal", "nobody"],
)
def test_queries_outside_a_role_are_refused_before_reading(review_warehouse, viewer, query, params) -> None:
    with pytest.raises(AccessDenied):
        queries.run(query, viewer, db=review_warehouse, **params)


def test_national_roles_choose_a_centre_or_all(review_warehouse) -> None:
    one = queries.run("data_quarantine", ADMIN, db=review_warehouse, centre_code="UMCU")
    everything = queries.run(
        "adoption_monthly", PROGRAMME, db=review_warehouse, from_month=SEPT, to_month=SEPT,
        casemix_pathways=["knee_oa"], casemix_fields=["bmi"],
    )  # fmt: skip
    assert one.is_empty()
    assert set(everything["centre_code"]) == {"UMCU", "AUMC"}


def test_internal_queries_only_run_internally(review_warehouse) -> None:
    with pytest.raises(AccessDenied, match="not an internal query"):
        queries.run_internal("review_patients", db=review_warehouse)


def test_a_centre_role_needs_a_centre() -> None:
    with pytest.raises(ValueError, match="needs a centre"):
        Viewer("x", "x", Role.CARE_TEAM)


def test_every_query_declares_who_may_run_it() -> None:
    for path in queries.QUERY_DIR.glob("*.sql"):
        access = queries.rule(path.stem)
        assert access.scope == "internal" or access.roles, path.stem
        if access.patient_rows and access.scope != "internal":
            assert access.scope == "own_centre", path.stem
