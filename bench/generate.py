"""Write a scale's deliveries (CSV and the Parquet backfill) in a process of its own.

python -m bench.generate SCALE FOLDER

Generating holds the whole history in memory; doing it in a separate process gives that
memory back before the measurements start.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from sample_data.deliveries import write_deliveries
from sample_data.generator import simulate


def read_manifest(folder: Path) -> list[tuple[dt.date, list[Path]]]:
    """(delivered on, files) per delivery, in delivery order, from ``manifest.json``."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [(dt.date.fromisoformat(d["delivered_on"]), [folder / d["folder"] / f for f in d["files"]]) for d in manifest]


if __name__ == "__main__":
    write_deliveries(simulate(scale=sys.argv[1]), Path(sys.argv[2]), allow_excel=False)
