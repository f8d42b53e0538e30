"""One definition of the review's indicator codes (issue 15).

``analytics.indicators.indicator_code`` builds every code; ``review_indicators.sql`` builds none: it
computes families per subject and answers under the codes it is given. These tests hold the two
together: for every pathway the codes the query returns are exactly the codes the review expects,
and the families the SQL computes are exactly the families the review charts (so nothing is
computed that is shown nowhere).
"""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest

import queries
from analytics.indicators import code_parts, indicator_code, indicator_params, indicators_for, month_range
from data_models.outcome_sets import common, outcome_sets
from tests.viewers import lead
from warehouse.connection import published


def centre_and_last_month(db, pathway: str) -> tuple[str, object]:
    """The centre with the most patients on the pathway, and its last treated month."""
    with duckdb.connect(str(published(db)), read_only=True) as con:
        centre, last = con.execute(
            "select centre_code, max(date_trunc('month', treatment_date))::date from episodes where pathway = $p"
            " group by centre_code order by count(*) desc, centre_code limit 1",
            {"p": pathway},
        ).fetchone()
    return centre, last


@pytest.mark.parametrize("pathway", list(outcome_sets()))
def test_the_codes_the_query_returns_are_the_codes_the_review_expects(demo_warehouse, pathway) -> None:
    oset = outcome_sets()[pathway]
    centre, last = centre_and_last_month(demo_warehouse, pathway)
    rows = queries.run(
        "review_indicators", lead(centre), db=demo_warehouse, **indicator_params(oset, centre, month_range(last, 60))
    )
    expected = {i.code for i in indicators_for(oset)}
    assert set(rows["indicator_code"]) == expected
    assert rows.filter(pl.col("cases_n") > 0).height == rows.height


def test_the_sql_computes_exactly_the_families_the_review_charts() -> None:
    sql = re.sub(r"--[^\n]*", "", queries.sql_text("review_indicators"))
    computed = set(re.findall(r"select '([a-z_]+)'", sql))
    charted = {code_parts(i.code)[0] for oset in outcome_sets().values() for i in indicators_for(oset)}
    assert computed == charted
    assert "indicator_code" not in re.sub(r"w\.indicator_code|as indicator_code|\$indicator_codes", "", sql)


def test_a_code_is_built_and_read_in_one_place() -> None:
    assert indicator_code("outcome", "complication_severe") == "outcome:complication_severe"
    assert indicator_code("nps") == "nps"
    assert code_parts("waiting_time_days:tka") == ("waiting_time_days", "tka")
    assert code_parts("collaborate_top") == ("collaborate_top", None)
    for bad in (("", None), ("a:b", None), ("outcome", ""), ("outcome", "x:y")):
        with pytest.raises(ValueError):
            indicator_code(*bad)
    for oset in outcome_sets().values():
        for ind in indicators_for(oset):
            assert indicator_code(*code_parts(ind.code)) == ind.code


def test_the_prom_response_target_lives_in_common_yaml_only() -> None:
    target = common().adoption_targets["prom_response_pct"] / 100
    for oset in outcome_sets().values():
        response = [i for i in indicators_for(oset) if code_parts(i.code)[0] == "prom_response"]
        assert response and all(i.target == target for i in response)
        assert all(m.target is None for m in oset.process_measures.values() if m.source == "prom_response"), oset.pathway


def test_the_patient_experience_rating_is_on_the_review() -> None:
    for oset in outcome_sets().values():
        experience = {i.code: i for i in indicators_for(oset) if i.group == "experience"}
        assert set(experience) == {"collaborate_top", "nps", "pem_overall"}
        assert experience["pem_overall"].unit == "value" and experience["pem_overall"].improvement == "up"
