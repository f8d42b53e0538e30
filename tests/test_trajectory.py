"""One patient's trajectory: own centre only, audited, behind the expected band flagged."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from access import audit
from analytics.prediction import EXPECTED_SCHEMA, compare_trajectory
from tests.apptest import app, main_text
from warehouse.connection import published


def episode_of(warehouse, centre: str) -> str:
    sql = """
        select e.episode_id from episodes as e
        join prom_measurements as p using (centre_code, episode_id)
        where e.centre_code = $centre and e.pathway = 'knee_oa' and e.treatment = 'tka'
            and p.instrument = 'oks' and p.timepoint = '12m' and p.score is not null
        order by e.episode_id limit 1
    """
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        return con.execute(sql, {"centre": centre}).fetchall()[0][0]


def test_behind_means_outside_the_band_on_the_bad_side() -> None:
    scores = pl.DataFrame({"timepoint": ["baseline", "3m", "12m"], "score": [20.0, 22.0, 40.0]})
    expected = pl.DataFrame(
        {"timepoint": ["3m", "12m"], "expected_score": [30.0, 36.0], "lower_score": [25.0, 30.0], "upper_score": [35.0, 42.0]}
    )
    observed, band = compare_trajectory(scores, expected, 20.0, is_higher_better=True)
    assert observed["is_behind"].to_list() == [False, True, False]  # 22 < 25 at 3 months
    assert band["months"].to_list() == [0, 3, 12] and band["lower_score"][0] == 20.0
    observed, _ = compare_trajectory(scores, expected, 20.0, is_higher_better=False)
    assert observed["is_behind"].to_list() == [False, False, False]


def test_the_trajectory_of_an_own_episode_renders_and_is_audited(demo_warehouse, monkeypatch, tmp_path) -> None:
    episode = episode_of(demo_warehouse, "UMCU")
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", trajectory_episode=episode)
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at.run()
    at.switch_page("pages/trajectory.py").run()
    assert not at.exception
    assert not at.error
    [chart] = at.get("plotly_chart")
    assert '"name":"Verwacht"' in chart.proto.spec and '"name":"Deze pati\\u00ebnt"' in chart.proto.spec
    assert at.success or at.warning  # on track, or behind
    assert "Totale knieprothese" in main_text(at)
    rows = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    fingerprint = "#" + audit.fingerprint(episode)
    viewed = [r["what"] for r in rows if r["action"] == "view_patient_rows" and "trajectory_episode" in r["what"]]
    assert viewed and all(fingerprint in w and episode not in w for w in viewed)


def test_another_centres_episode_is_refused(demo_warehouse, monkeypatch) -> None:
    episode = episode_of(demo_warehouse, "AUMC")
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", trajectory_episode=episode).run()
    at.switch_page("pages/trajectory.py").run()
    assert "bestaat niet in uw centrum" in at.error[0].value
    assert not at.get("plotly_chart")


def test_the_review_page_opens_a_listed_patients_trajectory(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    assert "Klik op een rij om het traject" in main_text(at)
    [patients] = [d.value for d in at.dataframe if "episode_id" in d.value.columns]  # the month's patients
    listed = patients["episode_id"][0]
    at.session_state["open_episode"] = listed
    at.switch_page("pages/trajectory.py").run()
    assert at.text_input(key="trajectory_episode").value == listed
    assert not at.error


@pytest.mark.parametrize("typed", ["", "   "])
def test_without_an_episode_the_page_says_how_to_choose_one(demo_warehouse, monkeypatch, typed) -> None:
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", trajectory_episode=typed).run()
    at.switch_page("pages/trajectory.py").run()
    assert "Kies een patiënt" in at.info[0].value


def test_without_a_baseline_there_is_no_band_and_nobody_is_behind() -> None:
    scores = pl.DataFrame({"timepoint": ["3m"], "score": [22.0]})
    observed, band = compare_trajectory(scores, pl.DataFrame(schema=EXPECTED_SCHEMA), None, is_higher_better=True)
    assert band.is_empty()
    assert observed["is_behind"].to_list() == [False] and observed["months"].to_list() == [3]
