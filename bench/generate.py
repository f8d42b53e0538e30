"""Write a scale's deliveries in a process of its own.

python -m bench.generate SCALE FOLDER

Every scale is built part by part (``sample_data.chunked``), so the large scale fits in memory;
a separate process gives what generating used back before the measurements start.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from sample_data.chunked import write_chunked_deliveries


def read_manifest(folder: Path) -> list[tuple[dt.date, list[Path]]]:
    """(delivered on, files) per delivery, in delivery order, from ``manifest.json``."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [(dt.date.fromisoformat(d["delivered_on"]), [folder / d["folder"] / f for f in d["files"]]) for d in manifest]


if __name__ == "__main__":
    write_chunked_deliveries(Path(sys.argv[2]), sys.argv[1])
