"""The national-scale generator: built one centre·pathway at a time, yet one consistent set of deliveries."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from bench.generate import read_manifest
from sample_data.chunked import write_chunked_deliveries
from sample_data.generator import all_parts, simulate
from warehouse.connection import published, writer
from warehouse.loader import load_paths


@pytest.fixture(scope="module")
def chunked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("chunked")
    write_chunked_deliveries(folder, "tiny", seed=5)
    return folder


@pytest.fixture(scope="module")
def loaded(chunked: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    db = tmp_path_factory.mktemp("chunked_db") / "warehouse.duckdb"
    reports = []
    with writer(db) as con:
        for delivered_on, paths in read_manifest(chunked):
            reports.extend(load_paths(con, paths, delivered_on=delivered_on))
    return published(db), reports


def test_a_part_is_one_pathway_of_one_centre_with_its_own_block_of_ids() -> None:
    centre, pathway = all_parts()[5]
    part = simulate(seed=5, scale="tiny", part=(centre, pathway)).episodes
    assert set(part["centre_code"]) == {centre.code} and set(part["pathway"]) == {pathway}
    block = centre.pathways.index(pathway)
    assert part["episode_id"].str.starts_with(f"{centre.code}-E{block}").all()
    assert part["patient_id"].str.slice(2).cast(pl.Int64).min() >= 10_000_000 + 5 * 1_000_000


def test_the_backfill_comes_per_treatment_year_then_twelve_monthly_deliveries(chunked: Path) -> None:
    folders = [paths[0].parent.name for _, paths in read_manifest(chunked)]
    backfill = [f for f in folders if f.startswith("delivery_00_")]
    assert backfill == ["delivery_00_2021", "delivery_00_2022", "delivery_00_2023", "delivery_00_2024", "delivery_00_2025"]
    assert len(folders) == len(backfill) + 12
    assert not (chunked / ".pieces").exists()


def test_every_part_loads_and_only_the_deliberate_mistakes_are_quarantined(loaded: tuple[Path, list]) -> None:
    db, reports = loaded
    assert all(r.usable for r in reports)
    quarantined = {r.file_name: r.rows_quarantined for r in reports if r.rows_quarantined}
    assert set(quarantined) == {"episodes.csv", "costs.csv", "prom_measurements.csv"}
    with duckdb.connect(str(db), read_only=True) as con:
        episodes, unique_ids, centres = con.execute(
            "select count(*), count(distinct episode_id), count(distinct centre_code) from episodes"
        ).fetchone()
        orphans = con.execute(
            "select count(*) from prom_measurements p anti join episodes e using (centre_code, episode_id)"
        ).fetchone()[0]
    assert episodes == unique_ids > 3_000
    assert centres == 10 and orphans == 0


def test_the_same_seed_gives_the_same_files(chunked: Path, tmp_path: Path) -> None:
    write_chunked_deliveries(tmp_path, "tiny", seed=5)

    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
        return h.hexdigest()

    assert digest(tmp_path) == digest(chunked)
