"""A publish rebuilds the marts: a new load's rows are in the marts of the version it publishes,
and every mart-backed question still answers as the raw tables do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

import queries
from tests.fixtures import EPISODE_HEADER, REVIEW_DELIVERED_ON, episode, write_review_delivery
from tests.test_marts_equal_raw import check_every_question
from tests.viewers import lead
from warehouse.connection import published

SEPTEMBER = dt.date(2026, 9, 1)


def september(db: Path) -> dict[str, object]:
    frame = queries.run(
        "review_monthly", lead("UMCU"), db=db, pathway="knee_oa", headline_outcome="complication_severe",
        from_month=SEPTEMBER, to_month=SEPTEMBER,
    )  # fmt: skip
    return frame.row(0, named=True)


def test_a_load_publishes_a_version_whose_marts_hold_it(tmp_path: Path, load, db: Path, write) -> None:
    load(*write_review_delivery(tmp_path / "delivery"), delivered_on=REVIEW_DELIVERED_ON)
    first = published(db)
    assert september(db)["episodes_n"] == 4  # the hand-worked fixture (tests/test_queries.py)

    later = write("episodes.csv", EPISODE_HEADER + episode("UMCU", "e10", "2026-09-25") + episode("UMCU", "e11", "2026-10-02"))
    load(later, delivered_on=dt.date(2026, 11, 10))
    assert published(db) != first
    assert september(db)["episodes_n"] == 5
    with duckdb.connect(str(published(db)), read_only=True) as con:
        october = con.execute(
            "select episodes_n from marts.adoption_months where centre_code = 'UMCU' and month_date = '2026-10-01'"
        ).fetchone()
        delivered = con.execute(
            "select max(delivered_month_date) from marts.delivered_months where centre_code = 'UMCU'"
        ).fetchone()
    assert october == (1,) and delivered == (dt.date(2026, 11, 1),)
    with duckdb.connect(str(first), read_only=True) as con:  # the version before keeps its own marts
        assert con.execute("select sum(episodes_n) from marts.adoption_months").fetchone() == (11,)
    assert check_every_question(db)["review_monthly"] > 0
