"""On the demo (as `make run` builds it): a shared practice with a measured improvement in every pathway, which the
demo care team sees on its review where its chart misses the target, adopts, and the programme view counts."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import queries
from data_models.outcome_sets import outcome_sets
from services import practices
from services.monthly_review import monthly_review
from tests.viewers import PROGRAMME, team


@pytest.fixture(scope="module")
def demo(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo, so measuring and adopting leave the session's demo as it was."""
    folder = tmp_path_factory.mktemp("practices_demo")
    shutil.copytree(small_demo.parent, folder / "demo", symlinks=True)
    return folder / "demo" / small_demo.name


def test_every_pathway_has_a_shared_practice_with_a_measured_improvement(demo: Path) -> None:
    library = practices.library(PROGRAMME, demo, None)
    improved = library.filter(pl.col("effect_verdict") == "improved", pl.col("change_low").is_not_null())
    assert set(improved["pathway"]) == set(outcome_sets())
    assert library["is_named"].to_list().count(False) >= 2  # some are anonymous: no name in the library either
    assert library.filter(~pl.col("is_named"))["centre_name"].null_count() == library.filter(~pl.col("is_named")).height


def test_the_demo_care_team_sees_it_where_its_chart_misses_the_target_adopts_it_and_the_programme_counts_it(
    demo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    viewer = team("UMCU", "knee_oa")  # the demo's care-team account
    month = queries.run("review_months", viewer, db=demo, centre_code="UMCU", pathway="knee_oa")["month_date"].max()
    review = monthly_review(viewer, demo, "UMCU", "knee_oa", month)
    offered = {s.indicator.code for s in review.summaries if practices.should_offer(s)}
    seen = {code: practices.practices_elsewhere(viewer, demo, "knee_oa", code) for code in offered}
    matches = [(code, rows.row(0, named=True)) for code, rows in seen.items() if rows.height]
    assert matches, offered
    code, best = matches[0]
    assert best["effect_verdict"] == "improved"
    action_id = practices.adopt(viewer, demo, "knee_oa", best["practice_id"], dt.date(2026, 11, 1))
    mine = queries.run("review_actions", viewer, db=demo, centre_code="UMCU", pathway="knee_oa")
    assert mine.filter(pl.col("action_id") == action_id)["indicator_code"].to_list() == [code]
    counted = practices.library(PROGRAMME, demo, "knee_oa").filter(pl.col("practice_id") == best["practice_id"])
    assert counted["adoptions_n"].to_list() == [1]
