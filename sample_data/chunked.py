"""National-scale deliveries, simulated one centre·pathway at a time.

The five-year history of the ``large`` scale (~10M episodes) does not fit in memory at once,
and a registry would not send it as one file either. Each part (one pathway of one centre) is
simulated on its own (``simulate(part=…)``: its own random stream and block of ids), cut into
deliveries by the same rules as the demo (``deliveries.assign``) and written as Parquet pieces.
The delivery files are then put together from the pieces, one delivery at a time. The backfill
arrives as one delivery per treatment year, so every file of it holds at most a year; the twelve
monthly deliveries are the demo's, export styles and deliberate mistakes included.

``write_chunked_deliveries(out_dir, scale)`` writes the folders and ``manifest.json``; memory
stays at what one part and one delivery need.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from sample_data.deliveries import (
    Delivery,
    assign,
    covered_month,
    delivered_on,
    write_delivery,
    write_manifest,
)
from sample_data.generator import BACKFILL_MONTHS, DEFAULT_END_MONTH, Simulation, all_parts, part_block, simulate

PIECES = ".pieces"


def _batches(sim: Simulation, tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Each row's delivery as a folder key: the backfill split by its episode's treatment year."""
    year = sim.episodes.select("centre_code", "episode_id", pl.col("treatment_date").dt.year().alias("year"))
    out = {}
    for name, frame in tables.items():
        if name == "centres":
            continue
        with_year = frame.join(year, on=["centre_code", "episode_id"], how="left", maintain_order="left")
        key = pl.when(pl.col("delivery") == 0).then(pl.format("00-{}", pl.col("year")))
        key = key.otherwise(pl.col("delivery").cast(pl.String).str.zfill(2))
        out[name] = with_year.with_columns(key.alias("batch")).drop("year", "delivery")
    return out


def write_pieces(pieces: Path, scale: str | float, seed: int, end_month: str) -> Simulation:
    """Simulate every part and write its rows per delivery batch; returns the last part's simulation."""
    sim = None
    for part in all_parts():
        sim = simulate(seed=seed, scale=scale, end_month=end_month, part=part)
        for name, frame in _batches(sim, assign(sim)).items():
            for (batch,), rows in frame.partition_by("batch", as_dict=True, maintain_order=True).items():
                folder = pieces / str(batch) / name
                folder.mkdir(parents=True, exist_ok=True)
                rows.drop("batch").write_parquet(folder / f"{part_block(part):03d}.parquet")
    if sim is None:
        raise ValueError("no centre has a pathway to simulate")
    return sim


def _frames(batch_folder: Path) -> dict[str, pl.DataFrame]:
    return {table.name: pl.read_parquet(sorted(table.glob("*.parquet"))) for table in sorted(batch_folder.iterdir())}


def write_chunked_deliveries(
    out_dir: Path, scale: str | float, seed: int = 20261123, end_month: str = DEFAULT_END_MONTH
) -> list[Delivery]:
    """The backfill (one delivery per treatment year) and twelve monthly deliveries, part by part."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pieces = out_dir / PIECES
    shutil.rmtree(pieces, ignore_errors=True)
    last = write_pieces(pieces, scale, seed, end_month)
    deliveries = []
    batches = sorted(p.name for p in pieces.iterdir())
    for batch in batches:
        index = int(batch[:2])
        covered = covered_month(last.end_date, index)
        frames = _frames(pieces / batch)
        if batch == batches[0]:  # the programme's list of centres comes with the first delivery
            frames = {"centres": last.centres, **frames}
        name = f"delivery_00_{batch[3:]}" if index == 0 else f"delivery_{index:02d}_{covered:%Y-%m}"
        deliveries.append(write_delivery(frames, out_dir / name, index, delivered_on(covered), allow_excel=False))
    shutil.rmtree(pieces)
    if len(deliveries) < BACKFILL_MONTHS + 1:
        raise ValueError("the history is shorter than a backfill and twelve monthly deliveries")
    write_manifest(deliveries, out_dir)
    return deliveries
