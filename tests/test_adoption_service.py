"""Adoption as a service (issue 15): case-mix completeness counts every case-mix variable, whatever its origin.

A variable delivered as a baseline characteristic (hip osteoarthritis' Charnley class, heart
failure's NYHA class and LVEF, a made-up pathway's grip strength and dominant hand) counts as
present when it is delivered, so a new variable is never reported as 0% complete, and nothing in
the code or the SQL names a case-mix variable or a pathway. The expected percentages here are
counted from the delivered tables themselves, not from the ``episode_casemix`` view the query reads.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

import queries
from access.roles import AccessDenied
from analytics.adoption import always_delivered, casemix_requirements
from analytics.monthly import add_months
from data_models.outcome_sets import OUTCOME_SET_ENV, OutcomeSet, common, outcome_sets
from services.adoption import adoption
from tests.fixtures import MADE_UP_CATEGORICAL, MADE_UP_NUMERIC, write_made_up_outcome_set
from tests.viewers import PROGRAMME, data_manager, lead
from warehouse.connection import published

ROOT = Path(__file__).resolve().parent.parent


def counted(oset: OutcomeSet) -> list[str]:
    _, variables = casemix_requirements({oset.pathway: oset})
    return variables


def expected_completeness(db: Path, oset: OutcomeSet, centre: str, first: dt.date, last: dt.date) -> dict[dt.date, float]:
    """Per treatment month, the share of the counted variables delivered, counted from the delivered tables."""
    window = {"c": centre, "p": oset.pathway, "first": first, "last": last}
    with duckdb.connect(str(published(db)), read_only=True) as con:
        episodes = con.sql(
            "select *, date_trunc('month', treatment_date)::date as month_date from episodes"
            " where centre_code = $c and pathway = $p and treatment_date >= $first"
            " and treatment_date < $last::date + interval 1 month",
            params=window,
        ).pl()
        characteristics = con.sql(
            "select episode_id, variable from baseline_characteristics where centre_code = $c and value is not null",
            params={"c": centre},
        ).pl()
        outcomes = con.sql(
            "select episode_id, outcome from clinical_outcomes where centre_code = $c and value is not null", params={"c": centre}
        ).pl()
        baseline = con.sql(
            "select episode_id from prom_measurements where centre_code = $c and timepoint = 'baseline'"
            " and instrument = $i and score is not null",
            params={"c": centre, "i": oset.primary_instrument},
        ).pl()
    present = {
        "characteristic": {(r["episode_id"], r["variable"]) for r in characteristics.iter_rows(named=True)},
        "outcome": {(r["episode_id"], r["outcome"]) for r in outcomes.iter_rows(named=True)},
    }
    with_score = set(baseline["episode_id"])
    found: dict[dt.date, list[bool]] = {}
    for row in episodes.iter_rows(named=True):
        for code in counted(oset):
            var = oset.casemix[code]
            if var.origin == "episode":
                ok = row[var.column] is not None
            elif var.origin == "prom":
                ok = row["episode_id"] in with_score
            elif var.origin == "outcome":
                ok = (row["episode_id"], var.column) in present["outcome"]
            else:
                ok = (row["episode_id"], code) in present["characteristic"]
            found.setdefault(row["month_date"], []).append(ok)
    return {month: 100.0 * sum(flags) / len(flags) for month, flags in found.items()}


def busiest_centre(db: Path, pathway: str) -> tuple[str, dt.date]:
    with duckdb.connect(str(published(db)), read_only=True) as con:
        centre, last = con.execute(
            "select centre_code, max(date_trunc('month', treatment_date))::date from episodes where pathway = $p"
            " group by centre_code order by count(*) desc, centre_code limit 1",
            {"p": pathway},
        ).fetchone()
    return centre, add_months(last, -1)


def test_every_case_mix_variable_counts_by_its_origin_except_a_required_column() -> None:
    for oset in outcome_sets().values():
        wanted = {code for code, var in oset.casemix.items() if not always_delivered(var)}
        assert set(counted(oset)) == wanted
        assert {v.code for v in oset.casemix_from("characteristic")} <= wanted
        assert {v.code for v in oset.casemix_from("prom")} <= wanted
        assert all(v.origin == "episode" for v in oset.casemix.values() if v.code not in wanted)


def test_a_made_up_pathway_s_new_variables_count(tmp_path) -> None:
    pathway = write_made_up_outcome_set(tmp_path)
    oset = outcome_sets(tmp_path)[pathway]
    assert {MADE_UP_NUMERIC, MADE_UP_CATEGORICAL} <= set(counted(oset))


def test_the_code_and_the_sql_name_no_case_mix_variable_and_no_pathway() -> None:
    names = {code for oset in outcome_sets().values() for code in oset.casemix} | set(outcome_sets())
    for path in [
        ROOT / "queries" / "adoption_monthly.sql",
        ROOT / "analytics" / "adoption.py",
        ROOT / "services" / "adoption.py",
    ]:
        code = re.sub(r"--[^\n]*|#[^\n]*", "", path.read_text(encoding="utf-8"))
        named = {n for n in names if re.search(rf"['\"]{n}['\"]", code)}
        assert not named, f"{path.name} names {sorted(named)}"


@pytest.mark.parametrize("pathway", ["hip_oa", "heart_failure"])
def test_baseline_characteristics_count_as_present_on_the_demo(demo_warehouse, pathway) -> None:
    oset = outcome_sets()[pathway]
    assert oset.casemix_from("characteristic"), "the demo pathway has a case-mix variable delivered as a characteristic"
    centre, month = busiest_centre(demo_warehouse, pathway)
    found = adoption(lead(centre), demo_warehouse, month, centre_code=centre)
    mine = found.months.filter(pl.col("pathway") == pathway, pl.col("casemix_complete_pct").is_not_null())
    expected = expected_completeness(demo_warehouse, oset, centre, add_months(month, -11), month)
    assert mine.height > 0 and set(mine["month_date"]) == set(expected)
    for row in mine.iter_rows(named=True):
        assert row["casemix_complete_pct"] == pytest.approx(expected[row["month_date"]])
    [summary] = found.summary.filter(pl.col("pathway") == pathway).to_dicts()
    assert summary["casemix_complete_pct"] > 75  # a characteristic counted as missing would cost at least a fifth


def test_the_targets_and_the_national_view(demo_warehouse) -> None:
    centre, month = busiest_centre(demo_warehouse, "knee_oa")
    own = adoption(lead(centre), demo_warehouse, month, centre_code=centre)
    assert own.targets == common().adoption_targets and own.with_volume and not own.across_centres
    assert set(own.summary["centre_code"]) == {centre}
    national = adoption(PROGRAMME, demo_warehouse, month)
    assert national.across_centres and not national.with_volume
    pct = national.summary["casemix_complete_pct"].drop_nulls()
    assert ((pct / 5).round(0) * 5 == pct).all()  # named centres, coarse percentages
    assert national.headline["live"][1] == national.summary.height
    assert set(national.trend("knee_oa")["pathway"]) == {"knee_oa"}


def test_adoption_is_refused_outside_the_viewer_s_scope(review_warehouse) -> None:
    with pytest.raises(AccessDenied):
        adoption(data_manager("UMCU"), review_warehouse, dt.date(2026, 9, 1))
    with pytest.raises(AccessDenied):
        adoption(lead("AUMC"), review_warehouse, dt.date(2026, 9, 1), centre_code="UMCU")
    with pytest.raises(AccessDenied):
        adoption(None, review_warehouse, dt.date(2026, 9, 1))


def test_a_made_up_pathway_s_completeness_counts_its_new_variables(made_up, monkeypatch) -> None:
    _, sets, db = made_up
    monkeypatch.setenv(OUTCOME_SET_ENV, str(sets))
    [oset] = outcome_sets().values()
    centre, month = busiest_centre(db, oset.pathway)
    found = adoption(lead(centre), db, month, centre_code=centre)
    expected = expected_completeness(db, oset, centre, add_months(month, -11), month)
    mine = found.months.filter(pl.col("casemix_complete_pct").is_not_null())
    assert mine.height > 0
    for row in mine.iter_rows(named=True):
        assert row["casemix_complete_pct"] == pytest.approx(expected[row["month_date"]])
    with duckdb.connect(str(published(db)), read_only=True) as con:
        delivered = con.execute(
            "select count(distinct variable) from baseline_characteristics where variable in ($a, $b)",
            {"a": MADE_UP_NUMERIC, "b": MADE_UP_CATEGORICAL},
        ).fetchone()[0]
    assert delivered == 2
    assert found.summary["casemix_complete_pct"][0] > 80


def test_the_query_takes_the_counted_variables(review_warehouse) -> None:
    """Only the variables asked for count: asking for none leaves completeness empty."""
    rows = queries.run(
        "adoption_monthly", lead("UMCU"), db=review_warehouse, from_month=dt.date(2026, 9, 1), to_month=dt.date(2026, 9, 1),
        casemix_pathways=[], casemix_fields=[],
    )  # fmt: skip
    assert rows["casemix_complete_pct"].is_null().all()
