"""The latest month still being delivered (issue 17: the last month's volume is half, so every trend drops).

A month counts once a delivery from after it has arrived; for all centres together, once every
centre has delivered after it (a centre delivering two months late holds the national month back).
Months still being delivered are left out, and the review page states the rule in one sentence.
"""

from __future__ import annotations

import duckdb

import queries
from tests.apptest import app, texts
from tests.viewers import PROGRAMME, lead


def last_complete(frame) -> object:
    return frame.filter(frame["is_last_complete"])["month_date"].to_list()


def test_the_national_month_waits_for_the_centre_that_delivers_last(small_demo) -> None:
    with duckdb.connect(str(small_demo), read_only=True) as con:
        per_centre = con.sql(
            """select e.centre_code, date_trunc('month', max(s.first_delivered_on))::date - interval 1 month,
                   date_trunc('month', max(e.treatment_date))::date
               from episodes as e join store.episodes as s using (centre_code, episode_id)
               where e.pathway = 'knee_oa' group by e.centre_code"""
        ).fetchall()
    complete = {centre: min(delivered.date(), treated) for centre, delivered, treated in per_centre}
    assert len(set(complete.values())) > 1  # the demo has a centre that delivers two months after treatment
    national = queries.run("review_months", PROGRAMME, db=small_demo, centre_code=None, pathway="knee_oa")
    umcu = queries.run("review_months", lead("UMCU"), db=small_demo, centre_code="UMCU", pathway="knee_oa")
    [national_month], [umcu_month] = last_complete(national), last_complete(umcu)
    assert national_month == min(complete.values()) < umcu_month == complete["UMCU"]
    assert national["month_date"].max() == national_month  # months still being delivered are left out


def test_the_review_states_the_rule(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    assert not at.exception
    assert "een maand telt mee zodra er een aanlevering van ná die maand is" in texts(at)
