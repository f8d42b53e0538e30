"""Building the demo warehouse: simulate, write the deliveries, load them with the real loader."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sample_data.actions import seed_actions
from sample_data.chunked import write_chunked_deliveries
from sample_data.deliveries import Delivery, write_deliveries
from sample_data.generator import DEFAULT_END_MONTH, simulate
from warehouse.actions import actions_path
from warehouse.connection import writer
from warehouse.loader import LoadReport, load_paths


@dataclass
class DemoSummary:
    path: Path
    seconds: float
    reports: list[LoadReport]

    @property
    def rows_read(self) -> int:
        return sum(r.rows_read for r in self.reports)

    def __str__(self) -> str:
        loaded = sum(r.rows_loaded for r in self.reports)
        quarantined = sum(r.rows_quarantined for r in self.reports)
        return (
            f"demo-warehouse {self.path}: {len(self.reports)} tabellen uit {self.rows_read} rijen, "
            f"{loaded} geladen, {quarantined} in quarantaine, in {self.seconds:.1f} s"
        )


PART_BY_PART = {"medium", "large"}  # too big to simulate at once: one centre·pathway at a time


def _deliveries(out: Path, scale: str | float, seed: int, end_month: str) -> list[Delivery]:
    if scale in PART_BY_PART:
        return write_chunked_deliveries(out, scale, seed=seed, end_month=end_month)
    return write_deliveries(simulate(seed=seed, scale=scale, end_month=end_month), out)


def build_demo(
    db: Path,
    scale: str | float = "small",
    seed: int = 20261123,
    end_month: str = DEFAULT_END_MONTH,
    delivery_dir: Path | None = None,
) -> DemoSummary:
    """Build a fresh demo warehouse at ``db`` through the same loader a hospital uses."""
    start = time.perf_counter()
    for stale in (db, db.with_name(db.name + ".wal"), actions_path(db)):
        stale.unlink(missing_ok=True)  # a fresh demo starts from nothing (older versions are pruned)
    with tempfile.TemporaryDirectory() as tmp:
        deliveries = _deliveries(delivery_dir or Path(tmp), scale, seed, end_month)
        reports: list[LoadReport] = []
        with writer(db) as con:
            for d in deliveries:
                reports.extend(load_paths(con, list(d.files), delivered_on=d.delivered_on))
    broken = [r for r in reports if not r.usable]
    if broken:
        raise RuntimeError(f"demo delivery did not load: {broken[0].file_name}: {broken[0].message}")
    seed_actions(db, end_month)
    return DemoSummary(db, time.perf_counter() - start, reports)
