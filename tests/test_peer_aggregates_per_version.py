"""Issue 18: the comparison page fits no model. Every pathway's per-centre aggregates of every comparison
indicator and closed half-year are fitted when a version is published and stored with it; the page reads
them, numbers identical to a fresh fit, with the disclosure rules applied when it asks, as before."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import analytics.peers as peers
import services.peer_comparison as service
from analytics.peers import aggregate_centres, comparison_indicators
from analytics.periods import ReportingPeriod, is_closed, period_of, spanning
from data_models.outcome_sets import outcome_sets
from tests.viewers import PROGRAMME, lead
from warehouse import models
from warehouse.connection import published, reader, writer

PATHWAY = "knee_oa"
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def version(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo copied and published again with the peer aggregates of one pathway fitted (the fitter
    as the command line and the server run it, for one pathway as an incremental publish asks)."""
    root = tmp_path_factory.mktemp("peer_aggregates") / "warehouse.duckdb"
    shutil.copyfile(published(demo_warehouse), root)
    saved = list(models._FITTERS)
    models._FITTERS[:] = [lambda con, pathways=None: service.publish_peer_aggregates(con, [PATHWAY])]
    try:
        with writer(root):
            pass
    finally:
        models._FITTERS[:] = saved
    return published(root)


def _stored_halves(version: Path, indicator: str) -> list[dt.date]:
    with reader(version) as con:
        found = con.execute(
            "select distinct period_start from peer_aggregates where pathway = $p and indicator = $i order by 1",
            {"p": PATHWAY, "i": indicator},
        ).fetchall()
    return [start for (start,) in found]


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def test_stored_aggregates_are_a_fresh_fit_for_every_indicator_and_closed_half_year(version: Path) -> None:
    oset = outcome_sets()[PATHWAY]
    compared = 0
    for indicator in comparison_indicators(oset):
        halves = _stored_halves(version, indicator.code)
        assert halves and all(h.month in (1, 7) for h in halves), indicator.code
        for start in {halves[0], halves[-1]}:  # the first and the latest stored half-year
            period = ReportingPeriod(start)
            stored = service.stored_aggregates(indicator, oset, period, version)
            fresh = aggregate_centres(indicator, oset, service.pooled_patients(indicator, oset, period, version), [start])
            assert_frame_equal(stored.per_centre, fresh.per_centre, check_exact=False, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
            assert _same_number(stored.residual_sd, fresh.residual_sd) and stored.missing == fresh.missing
            compared += stored.per_centre.height
    assert compared > 20  # every indicator, several centres in two half-years each


def test_every_closed_half_year_with_patients_is_stored_and_no_open_one(version: Path) -> None:
    indicator = comparison_indicators(outcome_sets()[PATHWAY])[0]
    with reader(version) as con:
        months = con.execute("select distinct treatment_date from episodes where pathway = $p", {"p": PATHWAY}).fetchall()
    halves = {period_of(m) for (m,) in months}
    closed = {p.start for p in halves if is_closed(p, dt.date.today())}
    assert set(_stored_halves(version, indicator.code)) == closed and len(closed) < len(halves)


def test_the_comparison_reads_them_and_fits_nothing_with_the_same_protected_result(
    version: Path, demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = max(ReportingPeriod(s) for s in _stored_halves(version, "prom:oks"))
    fresh = {
        code: service.peer_comparison(lead("UMCU"), "UMC Utrecht", PATHWAY, code, period, db=demo_warehouse)
        for code in ("prom:oks", comparison_indicators(outcome_sets()[PATHWAY])[0].code)
    }

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page fitted the case-mix model")

    monkeypatch.setattr(peers, "adjust", no_fit)  # the case-mix model
    monkeypatch.setattr(service, "run_internal", no_fit)  # and no pooled patient rows either
    for code, want in fresh.items():
        got = service.peer_comparison(lead("UMCU"), "UMC Utrecht", PATHWAY, code, period, db=version)
        assert got.is_shown == want.is_shown and got.peers_enough == want.peers_enough
        assert_frame_equal(got.centres, want.centres, check_exact=False, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
        assert got.targets == pytest.approx(want.targets, rel=TOLERANCE) and got.own == want.own
    assert any(r.is_shown for r in fresh.values())  # the tiny demo shows something to compare


def test_a_longer_period_or_a_version_without_them_is_fitted_when_asked(
    version: Path, demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitted: list[int] = []
    real = service.aggregate_centres

    def counting(*args: object, **kwargs: object):
        fitted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "aggregate_centres", counting)
    indicator = comparison_indicators(outcome_sets()[PATHWAY])[0]
    halves = [ReportingPeriod(s) for s in _stored_halves(version, indicator.code)]
    service.peer_comparison(PROGRAMME, "", PATHWAY, indicator.code, halves[-1], db=version)
    assert fitted == []  # a stored half-year
    service.peer_comparison(PROGRAMME, "", PATHWAY, indicator.code, spanning(halves[-2], halves[-1]), db=version)
    assert fitted == [1]  # two half-years: fitted on their pooled rows
    assert (
        service.stored_aggregates(indicator, outcome_sets()[PATHWAY], halves[-1], demo_warehouse) is None
    )  # published without the fitter
    service.peer_comparison(PROGRAMME, "", PATHWAY, indicator.code, halves[-1], db=demo_warehouse)
    assert fitted == [1, 1]


def test_the_command_line_and_the_server_store_them_with_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    import cli
    import services.patients_like_me as patients_like_me
    from ui import data

    called: list[tuple[str, object]] = []
    monkeypatch.setattr(patients_like_me, "publish_models", lambda con, pathways=None: called.append(("models", con)))
    monkeypatch.setattr(service, "publish_peer_aggregates", lambda con, pathways=None: called.append(("peers", con)))
    cli._publish_models("cli")
    data._publish_models("server")
    assert called == [("models", "cli"), ("peers", "cli"), ("models", "server"), ("peers", "server")]


def test_an_indicator_without_patients_in_a_half_year_is_stored_as_nothing_to_compare(
    version: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    oset = outcome_sets()[PATHWAY]
    with reader(version) as con:
        empty = con.execute(
            "select indicator, period_start from peer_aggregates where pathway = $p and centre_code is null", {"p": PATHWAY}
        ).fetchall()
    assert empty  # one-year outcomes of the latest closed half-year are not known yet
    indicators = {i.code: i for i in comparison_indicators(oset)}
    fresh = {
        (code, start): service.pooled_patients(indicators[code], oset, ReportingPeriod(start), version).height
        for code, start in empty
    }
    assert set(fresh.values()) == {0}
    monkeypatch.setattr(service, "run_internal", lambda *a, **k: pytest.fail("a page asked for pooled patient rows"))
    for code, start in empty:
        result = service.peer_comparison(PROGRAMME, "", PATHWAY, code, ReportingPeriod(start), db=version)
        assert not result.is_shown and result.peers_enough == 0


def test_a_version_stores_one_row_per_centre_and_nothing_about_a_patient(version: Path) -> None:
    with reader(version) as con:
        rows = pl.from_arrow(con.sql("select * from peer_aggregates").to_arrow_table())
    assert rows.height and "episode_id" not in rows.columns
    assert rows.group_by("pathway", "indicator", "period_start", "centre_code").len()["len"].max() == 1


def test_a_load_refits_only_the_half_years_it_changed_or_that_closed_since() -> None:
    today = dt.date(2026, 11, 29)  # 2026 H1 closed on 1 August; H2 is open until February
    stored = {dt.date(2025, 1, 1), dt.date(2025, 7, 1)}
    touched = {dt.date(2025, 3, 1), dt.date(2026, 10, 1)}  # a correction of 2025 H1, and the open month
    assert service.halves_to_refit(stored, touched, today) == [
        ReportingPeriod(dt.date(2025, 1, 1)),
        ReportingPeriod(dt.date(2026, 1, 1)),
    ]
    assert service.halves_to_refit(stored | {dt.date(2026, 1, 1)}, {dt.date(2026, 10, 1)}, today) == []
    assert service.halves_to_refit(set(), touched, today) is None  # nothing stored yet: every half-year
    assert service.halves_to_refit(stored, None, today) is None  # the changes are unknown: every half-year
