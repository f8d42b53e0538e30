"""Defect (issue 17): the trajectory's expected band ran to ~52 on the 0–48 Oxford scale, and a
missing 3-month score was drawn as a straight line from the start to 6 months.

The band (expected line and its edges) is kept within the instrument's range, and a timepoint
without a score before the last score is an empty point, which the chart leaves as a gap."""

from __future__ import annotations

import polars as pl

import queries
from data_models.outcome_sets import outcome_sets
from services.trajectory import trajectory, with_gaps, within_scale
from tests.viewers import lead
from ui.figures import trajectory_figure
from warehouse.connection import reader

NAMES = {"expected": "Verwacht", "patient": "Patiënt", "months": "Maanden"}


def episode_with_late_score(db) -> str:
    sql = """
        select p.episode_id from prom_measurements as p join episodes as e using (centre_code, episode_id)
        where p.centre_code = 'UMCU' and e.pathway = 'knee_oa' and p.instrument = 'oks' and p.score is not null
        group by p.episode_id
        having count(*) filter (where p.timepoint = 'baseline') > 0
           and count(*) filter (where p.timepoint in ('6m', '12m')) > 0
        order by p.episode_id limit 1
    """
    with reader(db) as con:
        return con.execute(sql).fetchall()[0][0]


def test_the_band_stays_within_the_scale_and_a_missing_score_is_a_gap(demo_warehouse) -> None:
    oks = outcome_sets()["knee_oa"].instruments["oks"]
    viewer = lead("UMCU")
    episode = episode_with_late_score(demo_warehouse)

    def fetch(name: str, **params: object) -> pl.DataFrame:
        rows = queries.run(name, viewer, db=demo_warehouse, **params)
        if name == "trajectory_proms":  # a near-best start, and no 3-month score
            rows = rows.filter(~((pl.col("instrument") == "oks") & (pl.col("timepoint") == "3m")))
            rows = rows.with_columns(
                pl.when((pl.col("instrument") == "oks") & (pl.col("timepoint") == "baseline"))
                .then(pl.lit(oks.max - 1).cast(rows.schema["score"]))
                .otherwise(pl.col("score"))
                .alias("score")
            )
        return rows

    answer = trajectory(viewer, episode, demo_warehouse, fetch=fetch)
    assert answer.found and answer.band.height > 1
    for column in ("expected_score", "lower_score", "upper_score"):
        assert answer.band[column].max() <= oks.max and answer.band[column].min() >= oks.min
    assert "3m" in answer.band["timepoint"].to_list()
    gap = answer.observed.filter(pl.col("timepoint") == "3m")
    assert gap.height == 1 and gap["score"][0] is None and not gap["is_behind"][0]
    fig = trajectory_figure(answer.band, answer.observed, [], str(oks.label), NAMES)
    patient = next(trace for trace in fig.data if trace.name == "Patiënt")
    assert None in patient.y and patient.connectgaps is False
    assert "3m" not in answer.behind


def test_within_scale_and_with_gaps_by_hand() -> None:
    band = pl.DataFrame(
        {"timepoint": ["baseline", "3m", "6m", "12m"], "months": [0, 3, 6, 12], "expected_score": [40.0, 46.0, 50.0, 51.0],
         "lower_score": [40.0, 42.0, 45.0, 47.0], "upper_score": [40.0, 50.0, 55.0, 56.0]}
    )  # fmt: skip
    clipped = within_scale(band, 0, 48)
    assert clipped["upper_score"].to_list() == [40.0, 48.0, 48.0, 48.0]
    assert clipped["expected_score"].to_list() == [40.0, 46.0, 48.0, 48.0]
    observed = (
        clipped.filter(pl.col("timepoint").is_in(["baseline", "6m"]))
        .with_columns(pl.Series("score", [40.0, 44.0]), pl.lit(False).alias("is_behind"))
        .select("timepoint", "months", "score", "expected_score", "lower_score", "upper_score", "is_behind")
    )
    gapped = with_gaps(observed, clipped)
    assert gapped["timepoint"].to_list() == ["baseline", "3m", "6m"]  # 12m is not yet due: no gap after the last score
    assert gapped["score"].to_list() == [40.0, None, 44.0]
