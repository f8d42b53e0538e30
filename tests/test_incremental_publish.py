"""A load rebuilds only what it touched: after a further month of one centre and pathway, the published
version's marts and models are exactly those of a whole rebuild of the same data, and a crash in that
incremental step publishes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data_models.schemas import TABLES as DELIVERED
from services.patients_like_me import publish_models
from services.peer_comparison import publish_peer_aggregates
from tests.test_crash_safety import fresh_copy
from tests.test_marts_crash import everything
from warehouse import marts, models
from warehouse.connection import publish_pending_models, published, versions_dir, writer
from warehouse.loader import load_paths

CENTRE, PATHWAY = "UMCU", "knee_oa"
DELIVERED_ON = dt.date(2027, 1, 10)
FIT_TOLERANCE = 1e-9  # as tests/test_models_per_version.py compares a stored model with a fresh fit
# The further month: the centre's last month of the pathway again, one month later, as new episodes with
# their PROMs, outcomes and costs; and corrections of older months (a shared decision, a cost).
SHIFTED = {
    "episodes": "select * replace (episode_id || 'n' as episode_id, (referral_date + interval 1 month)::date as referral_date,"
    " (treatment_date + interval 1 month)::date as treatment_date, (discharge_date + interval 1 month)::date as discharge_date)"
    " from episodes where {own} and date_trunc('month', treatment_date) = $last",
    "prom_measurements": "select p.* replace (p.episode_id || 'n' as episode_id, (p.invited_on + interval 1 month)::date as"
    " invited_on, (p.completed_on + interval 1 month)::date as completed_on) from prom_measurements p join episodes e"
    " using (centre_code, episode_id) where {own} and date_trunc('month', e.treatment_date) = $last and p.timepoint = 'baseline'",
    "clinical_outcomes": "select o.* replace (o.episode_id || 'n' as episode_id, (o.measured_on + interval 1 month)::date as"
    " measured_on) from clinical_outcomes o join episodes e using (centre_code, episode_id)"
    " where {own} and date_trunc('month', e.treatment_date) = $last",
    "costs": "select c.* replace (c.episode_id || 'n' as episode_id) from costs c join episodes e using (centre_code, episode_id)"
    " where {own} and date_trunc('month', e.treatment_date) = $last"
    " union all (select c.* replace (c.amount_eur + 100 as amount_eur) from costs c join episodes e"
    " using (centre_code, episode_id) where {own} and date_trunc('month', e.treatment_date) < $last order by all limit 3)",
}
CORRECTED = (
    "select * replace (not coalesce(sdm_documented, false) as sdm_documented) from episodes"
    " where {own} and date_trunc('month', treatment_date) < $last order by episode_id limit 3"
)


def _further_month(db: Path, folder: Path) -> list[Path]:
    """The delivery files, written from the warehouse's own rows (so every rule of the data standard holds)."""
    folder.mkdir()
    own = f"e.centre_code = '{CENTRE}' and e.pathway = '{PATHWAY}'"
    paths = []
    with duckdb.connect(str(db), read_only=True) as con:
        last = con.execute(
            "select max(date_trunc('month', treatment_date)) from episodes where centre_code = $c and pathway = $p",
            {"c": CENTRE, "p": PATHWAY},
        ).fetchall()[0][0]
        for table, sql in SHIFTED.items():
            columns = ", ".join(DELIVERED[table].columns)
            query = sql.format(own=own if table != "episodes" else own.replace("e.", ""))
            if table == "episodes":
                query += " union all (" + CORRECTED.format(own=own.replace("e.", "")) + ")"
            frame = con.sql(f"select {columns} from ({query})", params={"last": last}).pl()
            if not frame.height:  # the last month may have no outcomes yet
                continue
            path = folder / f"{table}.csv"
            frame.write_csv(path)
            paths.append(path)
    return paths


class Spy:
    """Which marts were built whole or in part, and which pathways were fitted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.whole: list[str] = []
        self.parts: list[tuple[str, list]] = []
        self.fitted: list[list[str] | None] = []
        create, refresh = marts._create, marts._refresh

        def spied_create(con, name, sql):
            self.whole.append(name)
            create(con, name, sql)

        def spied_refresh(con, name, sql, parts):
            self.parts.append((name, [p for _, p in parts]))
            refresh(con, name, sql, parts)

        monkeypatch.setattr(marts, "_create", spied_create)
        monkeypatch.setattr(marts, "_refresh", spied_refresh)

    def fitter(self, con, pathways=None) -> None:
        self.fitted.append(pathways)
        publish_models(con, pathways)
        publish_peer_aggregates(con, pathways)


@pytest.fixture(scope="module")
def base(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo published once with its models fitted: the version a monthly load starts from."""
    db = fresh_copy(demo_warehouse, tmp_path_factory.mktemp("incremental") / "base")
    with models.fitting_on_publish(publish_models), models.fitting_on_publish(publish_peer_aggregates), writer(db):
        pass
    return db


def _months(db: Path) -> list[dt.date]:
    """The treatment months of the centre's pathway in the published version."""
    with duckdb.connect(str(published(db)), read_only=True) as con:
        found = con.execute(
            "select distinct date_trunc('month', treatment_date)::date from episodes where centre_code = $c and pathway = $p"
            " order by 1",
            {"c": CENTRE, "p": PATHWAY},
        ).fetchall()
    return [month for (month,) in found]


def _marts(db: Path) -> dict[str, pl.DataFrame]:
    """Every mart of the published version, its rows sorted."""
    with duckdb.connect(str(published(db)), read_only=True) as con:
        found = {name: con.table(f"marts.{name}").pl() for name in marts.ORDER}
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in found.items()}


def _models(db: Path) -> dict[str, list[tuple]]:
    """Every model table's rows in their stored order per pathway (training patients, stored in the order they
    are read, sorted)."""
    order = {table: "pathway, row_order" for table in models.TABLES} | {
        "model_similarity": "all",
        "peer_aggregates": "pathway, indicator, period_start, centre_code",  # a load replaces its changed half-years
    }
    with duckdb.connect(str(published(db)), read_only=True) as con:
        return {
            table: con.execute(f"select * exclude (row_order) from {table} order by {order[table]}").fetchall()
            for table in models.TABLES
        }


def _numbers(value: object) -> list[object]:
    """A cell as a flat list: JSON text (a design, a covariance) parsed, so its numbers can be compared as numbers."""
    if isinstance(value, str) and value[:1] in "[{":
        value = json.loads(value)
    if isinstance(value, dict):
        return [x for key in sorted(value) for x in [key, *_numbers(value[key])]]
    if isinstance(value, list | tuple):
        return [x for item in value for x in _numbers(item)]
    return [value]


def _assert_same_models(got: list[tuple], want: list[tuple], table: str) -> None:
    """Equal but for the last bits of a fit (a refit of the same rows read in another order differs by ~1e-11)."""
    assert len(got) == len(want), table
    for row, expected in zip(got, want, strict=True):
        for a, b in zip(_numbers(row), _numbers(expected), strict=True):
            if isinstance(a, float) and isinstance(b, float):
                assert a == pytest.approx(b, rel=FIT_TOLERANCE, abs=FIT_TOLERANCE, nan_ok=True), (table, row[:4])
            else:
                assert a == b, (table, row[:4])


def test_a_further_month_of_one_centre_rebuilds_its_part_only_and_equals_a_whole_rebuild(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = fresh_copy(base, tmp_path / "monthly")
    files = _further_month(db, tmp_path / "delivery")
    spy = Spy(monkeypatch)
    with models.fitting_on_publish(spy.fitter), writer(db) as con:
        reports = load_paths(con, files, delivered_on=DELIVERED_ON)
    assert [r.status for r in reports] == ["loaded"] * len(files) and len(files) >= 3
    assert sum(r.rows_updated for r in reports) == 6  # three episodes and three costs corrected
    per_pair = [n for n in marts.ORDER if marts.rebuild_kind(marts.mart_sql(n)) == marts.PER_CENTRE_AND_PATHWAY]
    per_month = [n for n in marts.ORDER if marts.rebuild_kind(marts.mart_sql(n)) == marts.PER_PATHWAY_AND_MONTH]
    assert {name for name, _ in spy.parts} == set(per_pair) | set(per_month) and per_pair and per_month
    parts = dict(spy.parts)
    assert all(parts[name] == [{"centre": CENTRE, "pathways": [PATHWAY]}] for name in per_pair)
    new_month = _months(db)[-1]  # the further month, and the corrected older months, each in a run of months
    runs = [(p["first"], p["after"]) for p in parts[per_month[0]]]
    assert all(parts[name] == parts[per_month[0]] for name in per_month)
    assert all(p["pathways"] == [PATHWAY] for p in parts[per_month[0]]) and len(runs) >= 2
    assert runs[-1][0] <= new_month < runs[-1][1] and runs == sorted(runs)
    assert not set(spy.whole) & (set(per_pair) | set(per_month))
    assert spy.fitted == [[PATHWAY]]

    rebuilt = fresh_copy(db, tmp_path / "rebuilt")
    with models.fitting_on_publish(spy.fitter), writer(rebuilt):
        pass  # no load: everything built again from the same rows
    assert set(per_pair) <= set(spy.whole) and spy.fitted[-1] is None
    incremental, whole = _marts(db), _marts(rebuilt)
    for name, frame in whole.items():
        try:
            assert_frame_equal(incremental[name], frame, check_exact=True)
        except AssertionError as err:
            raise AssertionError(f"{name} differs from a whole rebuild: {err}") from err
    refitted, fitted = _models(db), _models(rebuilt)
    for table, rows in fitted.items():
        _assert_same_models(refitted[table], rows, table)
    month = incremental["adoption_months"].filter(pl.col("centre_code") == CENTRE, pl.col("pathway") == PATHWAY)
    assert month["month_date"].max() > dt.date(2026, 1, 1) and fitted["model_coefficients"] and fitted["peer_aggregates"]


def test_a_crash_in_the_incremental_step_publishes_nothing(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = fresh_copy(base, tmp_path / "crash")
    files = _further_month(db, tmp_path / "delivery")
    before, version = everything(db), published(db)
    refresh = marts._refresh

    def failing(con, name, sql, parts):
        if name == marts.ORDER[len(marts.ORDER) // 2]:
            raise RuntimeError("disk full halfway through the incremental marts")
        refresh(con, name, sql, parts)

    monkeypatch.setattr(marts, "_refresh", failing)
    with pytest.raises(RuntimeError, match="disk full"), writer(db) as con:
        load_paths(con, files, delivered_on=DELIVERED_ON)
    assert published(db) == version and everything(db) == before
    assert list(versions_dir(db).glob("*.duckdb")) == [version]

    def failing_fit(con, pathways=None) -> None:
        raise RuntimeError("out of memory while refitting")

    monkeypatch.setattr(marts, "_refresh", refresh)
    with pytest.raises(RuntimeError, match="out of memory"), models.fitting_on_publish(failing_fit), writer(db) as con:
        load_paths(con, files, delivered_on=DELIVERED_ON)
    assert published(db) == version and everything(db) == before


def _scans(plan: str) -> list[tuple[str, str]]:
    """(table, box text) of every table scan in an EXPLAIN tree."""
    lines, found = plan.splitlines(), []
    for i, line in enumerate(lines):
        for hit in re.finditer(r"(Seq|Table) Scan", line):
            box = []
            for below in lines[i + 1 : i + 40]:
                if "╰" in below[max(hit.start() - 3, 0) : hit.start() + 2]:
                    break
                box.append(below[max(hit.start() - 3, 0) : hit.start() + 120])
            text = "\n".join(box)
            table = re.search(r"Table: (\S+)", text)
            found.append((table.group(1) if table else "?", text))
    return found


def test_the_filter_of_a_part_reaches_the_episodes_and_the_marts_it_reads(base: Path) -> None:
    with duckdb.connect(str(published(base)), read_only=True) as con:
        for name in marts.ORDER:
            sql = marts.mart_sql(name)
            kind = marts.rebuild_kind(sql)
            if kind == marts.PER_PATHWAY_AND_MONTH:
                column = marts.month_column(sql)
                touched = marts.Touched(frozenset({(CENTRE, PATHWAY)}), frozenset({dt.date(2025, 9, 1)}))
                [(where, params)] = marts._parts(kind, touched, column)
                wanted = ("treatment_date", "month_date")  # each scan of the episodes or of a mart filters on its month
            elif kind == marts.PER_CENTRE_AND_PATHWAY:
                where, params = (
                    "centre_code = $centre and list_contains($pathways, pathway)",
                    {"centre": CENTRE, "pathways": [PATHWAY, "ibd"]},
                )
                wanted = (f"centre_code = '{CENTRE}'",)
            else:
                continue
            plan = con.execute(f"explain select * from ({sql}\n) where {where}", params).fetchall()[0][1]
            scans = [(table, text) for table, text in _scans(plan) if table.endswith(".store.episodes") or ".marts." in table]
            assert scans, name
            filtered = [any(w in text for w in wanted) for _, text in scans]
            # the case-mix view is computed whole (a filter on the month cannot reach inside it): the mart's
            # own scan of the episodes is filtered; every other mart's scans all are
            assert all(filtered) or ("episode_casemix" in sql and any(filtered)), f"{name}: {scans} scanned whole"


def test_touched_months_close_together_share_a_run_and_a_year_end_is_crossed() -> None:
    months = frozenset({dt.date(2025, 8, 1), dt.date(2025, 9, 1), dt.date(2025, 11, 1), dt.date(2026, 6, 1)})
    assert marts.month_runs(months) == [(dt.date(2025, 8, 1), dt.date(2025, 12, 1)), (dt.date(2026, 6, 1), dt.date(2026, 7, 1))]
    assert marts.month_runs(frozenset({dt.date(2025, 12, 1)})) == [(dt.date(2025, 12, 1), dt.date(2026, 1, 1))]
    assert marts.month_runs(frozenset()) == []
    with pytest.raises(ValueError, match="unknown rebuild"):
        marts.rebuild_kind("-- Rebuild: per pathway and treatment month\nselect 1")  # the column is missing


def test_a_load_serves_its_month_first_and_its_models_follow_in_the_next_version(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = fresh_copy(base, tmp_path / "staged")
    files = _further_month(db, tmp_path / "delivery")
    months, copied = _months(db), _models(db)
    spy = Spy(monkeypatch)
    with models.fitting_on_publish(spy.fitter):
        with writer(db, models_later=True) as con:
            load_paths(con, files, delivered_on=DELIVERED_ON)
        served = published(db)
        assert _months(db)[-1] > months[-1] and spy.fitted == []  # the month is served with the models it copied
        for table, rows in copied.items():
            _assert_same_models(_models(db)[table], rows, table)
        with duckdb.connect(str(served), read_only=True) as con:
            assert models.pending(con)

        def failing_fit(con, pathways=None) -> None:
            raise RuntimeError("out of memory while fitting the follow-up")

        with models.fitting_on_publish(failing_fit), pytest.raises(RuntimeError, match="out of memory"):
            publish_pending_models(db)
        assert published(db) == served  # a failed follow-up leaves the served version and what it still owes

        assert publish_pending_models(db) and published(db) != served
        assert spy.fitted[-1] == [PATHWAY] and not publish_pending_models(db)
        rebuilt = fresh_copy(db, tmp_path / "rebuilt")
        with writer(rebuilt):
            pass  # every model fitted again on the same rows
    with duckdb.connect(str(published(db)), read_only=True) as con:
        assert not models.pending(con)
    refitted, fitted = _models(db), _models(rebuilt)
    for table, rows in fitted.items():
        _assert_same_models(refitted[table], rows, table)
