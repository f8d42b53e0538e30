"""The trajectory service: an answer for an own episode of the tiny demo, refusals, and a profile from the outcome set's case-mix."""

from __future__ import annotations

import pytest

import queries
from access.roles import AccessDenied
from data_models.outcome_sets import outcome_sets
from services.trajectory import Trajectory, profile_of, trajectory
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team
from warehouse.connection import reader


def episode_of(db, centre: str, pathway: str) -> str:
    """An episode of the centre with a baseline and a later score of its pathway's primary instrument."""
    sql = """
        select p.episode_id from prom_measurements as p join episodes as e using (centre_code, episode_id)
        where p.centre_code = $centre and e.pathway = $pathway and p.instrument = $instrument and p.score is not null
        group by p.episode_id having count(*) filter (where p.timepoint = 'baseline') > 0 and count(*) > 1
        order by p.episode_id limit 1
    """
    instrument = outcome_sets()[pathway].primary_instrument
    with reader(db) as con:
        return con.execute(sql, {"centre": centre, "pathway": pathway, "instrument": instrument}).fetchall()[0][0]


def test_the_service_answers_for_an_own_episode_of_the_tiny_demo(demo_warehouse) -> None:
    episode = episode_of(demo_warehouse, "UMCU", "knee_oa")
    answer = trajectory(lead("UMCU"), episode, demo_warehouse)
    assert isinstance(answer, Trajectory) and answer.found and answer.pathway == "knee_oa"
    assert answer.instrument == outcome_sets()["knee_oa"].instruments["oks"].label
    assert answer.band["timepoint"].to_list()[0] == "baseline" and answer.band.height > 1  # the expected band from baseline on
    assert answer.has_followup and set(answer.behind) <= set(answer.observed["timepoint"])
    assert set(answer.proms["instrument"]) >= {"oks"}


def test_another_centres_episode_is_not_found(demo_warehouse) -> None:
    episode = episode_of(demo_warehouse, "AUMC", "knee_oa")
    assert not trajectory(lead("UMCU"), episode, demo_warehouse).found


@pytest.mark.parametrize(
    "viewer", [None, PROGRAMME, ADMIN, data_manager("UMCU")], ids=["nobody", "programme", "admin", "data-manager"]
)
def test_a_viewer_without_access_is_refused(demo_warehouse, viewer) -> None:
    episode = episode_of(demo_warehouse, "UMCU", "knee_oa")
    with pytest.raises(AccessDenied):
        trajectory(viewer, episode, demo_warehouse)


def test_a_team_of_another_pathway_does_not_find_the_episode(demo_warehouse) -> None:
    episode = episode_of(demo_warehouse, "UMCU", "knee_oa")
    assert not trajectory(team("UMCU", "ckd"), episode, demo_warehouse).found  # the data layer leaves its row out


def test_the_profile_holds_every_case_mix_variable_of_the_outcome_set(demo_warehouse) -> None:
    episode = episode_of(demo_warehouse, "UMCU", "heart_failure")
    viewer = lead("UMCU")
    key = {"centre_code": "UMCU", "episode_id": episode}
    [row] = queries.run("trajectory_episode", viewer, db=demo_warehouse, **key).to_dicts()
    casemix = queries.run("trajectory_casemix", viewer, db=demo_warehouse, **key)
    oset = outcome_sets()["heart_failure"]
    profile = profile_of(row, casemix, oset)
    assert set(profile) == {"treatment", *oset.casemix}
    assert profile["nyha_class"] in {*oset.casemix["nyha_class"].choices, None}
    assert profile["lvef_pct"] is None or 5 <= profile["lvef_pct"] <= 80
    answer = trajectory(viewer, episode, demo_warehouse)
    assert answer.found and answer.pathway == "heart_failure" and not answer.band.is_empty()
