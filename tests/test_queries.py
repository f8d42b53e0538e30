"""The SQL files follow the house style and answer the hand-built fixture exactly."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import queries
from access.roles import AccessDenied
from queries import QUERY_DIR
from tests.viewers import ADMIN, data_manager, lead

SQL_FILES = sorted(QUERY_DIR.glob("*.sql"))


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.stem)
def test_query_files_follow_the_house_style(path) -> None:
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
    assert text.startswith("-- ")
    assert "Grain:" in header and "Parameters:" in header
    assert queries.rule(path.stem).scope in {"own_centre", "all_centres", "internal"}
    assert text.rstrip().endswith("select * from final")
    code = re.sub(r"--[^\n]*|'[^']*'", "", text)
    assert not re.search(r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY)\b", code), "keywords are lower case"
    assert "{" not in code and "%s" not in code, "values are bound as $name parameters"


def test_runner_refuses_missing_or_unknown_parameters(review_warehouse) -> None:
    with pytest.raises(AccessDenied):
        queries.run("data_quarantine", None, db=review_warehouse)
    with pytest.raises(TypeError, match="takes"):
        queries.run("data_quarantine", data_manager("UMCU"), db=review_warehouse, extra=1)
    with pytest.raises(KeyError):
        queries.run("../secrets", ADMIN, db=review_warehouse)


def test_review_monthly_matches_the_hand_worked_fixture(review_warehouse) -> None:
    frame = queries.run(
        "review_monthly",
        lead("UMCU"),
        db=review_warehouse,
        pathway="knee_oa",
        headline_outcome="complication_severe",
        from_month=dt.date(2026, 6, 1),
        to_month=dt.date(2026, 9, 1),
    )
    assert frame["month_date"].to_list() == [dt.date(2026, m, 1) for m in (6, 7, 8, 9)]
    sep = frame.row(3, named=True)
    assert (sep["episodes_n"], sep["outcome_events_n"], sep["outcome_recorded_n"]) == (4, 1, 4)
    assert (sep["prom_invited_n"], sep["prom_completed_n"]) == (3, 2)
    assert sep["costed_n"] == 3
    assert sep["mean_cost_eur"] == pytest.approx(6500 / 3)
    assert sep["median_cost_eur"] == 2000
    june = frame.row(0, named=True)
    assert (june["episodes_n"], june["outcome_pct"], june["mean_cost_eur"]) == (0, None, None)
    assert frame["episodes_n"].to_list() == [0, 3, 2, 4]


def test_last_complete_month_is_the_month_before_the_latest_delivery(review_warehouse) -> None:
    frame = queries.run("review_months", lead("UMCU"), db=review_warehouse, pathway="knee_oa")
    assert frame.filter(frame["is_last_complete"])["month_date"].to_list() == [dt.date(2026, 9, 1)]
    assert frame["month_date"].to_list() == [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)]


def test_quarantine_rows_of_one_centre_only(demo_warehouse) -> None:
    own = queries.run("data_quarantine", data_manager("AUMC"), db=demo_warehouse)
    other = queries.run("data_quarantine", data_manager("UMCU"), db=demo_warehouse)
    assert own.height >= 8 and other.height == 0


def test_completeness_counts_filled_values(review_warehouse) -> None:
    frame = queries.run("data_completeness", data_manager("UMCU"), db=review_warehouse)
    row = {r["column_name"]: r for r in frame.iter_rows(named=True)}
    assert row["referral_date"]["filled_pct"] == 0.0
    assert row["age"]["filled_pct"] == 100.0
    assert row["age"]["episodes_n"] == 9


def test_delivery_delay_in_days(review_warehouse) -> None:
    frame = queries.run("data_delivery_delay", data_manager("UMCU"), db=review_warehouse, from_month=dt.date(2026, 9, 1))
    sep = frame.row(0, named=True)
    # UMCU's September episodes were treated on the 1st, 10th, 20th and 30th and delivered on 10 October
    assert sep["own_median_delay_days"] == (30 + 20) / 2
    assert sep["own_episodes_n"] == 4
