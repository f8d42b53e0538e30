"""Running the app in AppTest against a given warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.viewers import lead

ROOT = Path(__file__).resolve().parent.parent


def app(warehouse: Path, monkeypatch: pytest.MonkeyPatch, **widgets: object) -> AppTest:
    """A fresh app with its sidebar widgets set by key before the first run.

    Under ``st.navigation``, AppTest reruns only the page script, not the entry point
    that draws the sidebar, so sidebar choices are made before the first run.
    """
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("AUDIT_PATH", str(Path(warehouse).with_name("audit.jsonl")))
    monkeypatch.setenv("SAMEN_LEREN_DEMO", "1")  # the demo's accounts and peer key; see test_closed_until_configured
    viewer = widgets.pop("viewer", None)
    centre = widgets.pop("viewer_centre", None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer"] = viewer if viewer is not None or centre is None else lead(centre)
    for key, value in widgets.items():
        at.session_state[key] = value
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [str(m.value) for m in at.metric] + [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [e.value for e in at.success] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def main_text(at: AppTest) -> str:
    """Everything the main area sends to the browser: texts, tables, chart specs, widget options."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        value = getattr(node, "value", None)
        if value is not None and hasattr(value, "to_csv"):
            parts.append(value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return "\n".join(parts)
