"""The delivery delay's medians, taken from the delay mart's counts, are the exact medians of the episodes:
the middle delay, or the mean of the two middle ones when a month holds an even number of episodes."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

import queries
from warehouse.marts import mart_sql

SEP, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
# (centre, pathway, treatment date, days until first delivered)
EPISODES = [
    # September, own centre: 4 episodes (even), delays 1, 2, 5, 9 over two pathways -> (2 + 5) / 2
    ("OWN", "a", dt.date(2026, 9, 1), 9),
    ("OWN", "a", dt.date(2026, 9, 3), 1),
    ("OWN", "b", dt.date(2026, 9, 5), 5),
    ("OWN", "b", dt.date(2026, 9, 30), 2),
    # September, other centre: 3 episodes, delays 3, 3, 20; nationally 1 2 3 3 5 9 20 -> 3
    ("OTHER", "a", dt.date(2026, 9, 2), 3),
    ("OTHER", "a", dt.date(2026, 9, 12), 3),
    ("OTHER", "b", dt.date(2026, 9, 22), 20),
    # October, own: 3, 3, 3, 7 (even, both middle values the same delay) -> 3; other: 4 -> nationally 3
    ("OWN", "a", dt.date(2026, 10, 1), 3),
    ("OWN", "a", dt.date(2026, 10, 2), 3),
    ("OWN", "a", dt.date(2026, 10, 3), 3),
    ("OWN", "a", dt.date(2026, 10, 4), 7),
    ("OTHER", "a", dt.date(2026, 10, 4), 4),
    # November: only the other centre, 10 and 15 (even) -> nationally 12.5, nothing of the own centre
    ("OTHER", "a", dt.date(2026, 11, 6), 10),
    ("OTHER", "b", dt.date(2026, 11, 7), 15),
]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema store")
    con.execute(
        "create table store.episodes (centre_code varchar, pathway varchar, treatment_date date, first_delivered_on date)"
    )
    con.executemany(
        "insert into store.episodes values (?, ?, ?, ?)", [(c, p, d, d + dt.timedelta(days=n)) for c, p, d, n in EPISODES]
    )
    con.execute("create schema marts")
    con.execute("create table marts.delivery_delays as " + mart_sql("delivery_delays"))
    return con


def delays(con: duckdb.DuckDBPyConnection, centre: str, from_month: dt.date) -> list[tuple]:
    params = {"centre_code": centre, "from_month": from_month}
    return con.execute(queries.sql_text("data_delivery_delay"), params).fetchall()


def test_even_months_take_the_mean_of_the_two_middle_delays(con: duckdb.DuckDBPyConnection) -> None:
    assert delays(con, "OWN", SEP) == [(SEP, 3.5, 3.0, 4), (OCT, 3.0, 3.0, 4), (NOV, None, 12.5, 0)]


def test_another_centre_sees_its_own_medians_and_the_same_national_ones(con: duckdb.DuckDBPyConnection) -> None:
    assert delays(con, "OTHER", SEP) == [(SEP, 3.0, 3.0, 3), (OCT, 4.0, 3.0, 1), (NOV, 12.5, 12.5, 2)]


def test_months_before_the_first_asked_are_left_out(con: duckdb.DuckDBPyConnection) -> None:
    assert delays(con, "OWN", OCT) == [(OCT, 3.0, 3.0, 4), (NOV, None, 12.5, 0)]
    assert delays(con, "OWN", dt.date(2026, 12, 1)) == []


def test_the_mart_counts_episodes_per_delay(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "select delay_days, episodes_n from marts.delivery_delays where centre_code = 'OWN' and month_date = $m order by 1",
        {"m": OCT},
    ).fetchall()
    assert rows == [(3, 3), (7, 1)]
