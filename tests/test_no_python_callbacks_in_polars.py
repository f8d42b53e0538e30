"""Sessions of one server run side by side in threads: code that serves a page never makes polars call
back into Python (``map_elements``, ``map_batches``, ``apply``), which can deadlock against another
thread's conversion to numpy (pola-rs/polars#26821); 16 simultaneous users stalled the server so."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVING = ("pages", "ui", "services", "texts", "reports", "queries")
CALLBACK = re.compile(r"\.(map_elements|map_batches|map_rows|apply)\(")


def test_no_page_code_calls_back_from_polars() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in SERVING
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CALLBACK.search(line) and not line.lstrip().startswith(("#", '"""'))
    ]
    assert found == [], "\n".join(found)
