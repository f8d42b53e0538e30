"""The meeting pack: the page's numbers, offline HTML and PDF, patient rows only on request, and the CLI."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from access.roles import AccessDenied
from reports.meeting_pack import build
from tests.apptest import app
from tests.viewers import lead
from warehouse.actions import record_action

ROOT = Path(__file__).resolve().parent.parent
SEPT = dt.date(2026, 9, 1)


def tiles_in(page: str) -> dict[str, tuple[str, str]]:
    """Indicator → (this month, change) from the pack's indicator table."""
    rows = re.findall(r"<tr><td>([^<]*)</td><td class=num>([^<]*)</td><td class=num>[^<]*</td><td class=num>([^<]*)</td>", page)
    return {html.unescape(name): (html.unescape(value), html.unescape(change)) for name, value, change in rows}


@pytest.fixture
def with_action(own_review_warehouse: Path) -> Path:
    action = {"pathway": "knee_oa", "indicator_code": "outcome:complication_severe", "what": "Complicaties bespreken",
              "who": "Chirurg", "start_month": dt.date(2026, 8, 1), "expected_effect": "Minder complicaties", "status": "do"}  # fmt: skip
    record_action(own_review_warehouse, lead("UMCU"), action, ["outcome:complication_severe"])
    return own_review_warehouse


def test_the_pack_shows_the_same_numbers_as_the_page(with_action, monkeypatch) -> None:
    at = app(with_action, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception
    page = {m.label: (m.value, m.delta or "–") for m in at.metric if m.label != "Behandelde patiënten"}
    pack = build(lead("UMCU"), with_action, "UMCU", "knee_oa", SEPT).decode("utf-8")
    assert tiles_in(pack) == page
    # hand-worked: 1 of 4 against 1 of 5; the sign in words since tests/test_review_cost_tiles.py (was "+5,0%")
    assert page["Ernstige complicatie"] == ("25,0% van 4", "5,0 procentpunt hoger")  # and its denominator
    agenda = [m.value for m in at.markdown if m.value.startswith("- **")]
    for line in agenda:
        assert re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line[2:]) in html.unescape(pack)
    assert "Behandelde patiënten deze maand: 4 (gemiddeld 2,5 per maand" in pack
    assert "Complicaties bespreken" in pack and "Lopende acties om te bespreken" in pack
    assert pack.count("<figure>") == len(page)  # one control chart per tile


def test_the_html_opens_offline(review_warehouse) -> None:
    pack = build(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT).decode("utf-8")
    assert pack.startswith("<!doctype html>") and "<script" not in pack
    assert not re.search(r"(src|href)=\"(?!data:)", pack)  # nothing is fetched: every image is inline
    assert "http://" not in pack.replace("http://www.w3.org", "") and "https://" not in pack


def test_patient_rows_are_left_out_unless_asked_for(review_warehouse, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    without = build(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT).decode("utf-8")
    assert "geen gegevens van individuele patiënten" in without
    assert not re.search(r">e[1-4]<", without) and "Pe1" not in without
    assert not (tmp_path / "audit.jsonl").exists()
    included = build(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT, with_patients=True).decode("utf-8")
    assert "Vertrouwelijk" in included
    assert all(f">e{i}<" in included for i in range(1, 5))
    assert ">a1<" not in included  # never another centre's patients
    [row] = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert row["action"] == "pack_with_patient_rows" and row["user"] == "lead.umcu"


def test_the_pdf_holds_the_same_numbers(with_action) -> None:
    html_pack = build(lead("UMCU"), with_action, "UMCU", "knee_oa", SEPT).decode("utf-8")
    pdf = build(lead("UMCU"), with_action, "UMCU", "knee_oa", SEPT, file_format="pdf")
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Maandreview UMC Utrecht · Knieartrose · september 2026" in flat
    for value, _ in tiles_in(html_pack).values():
        assert value in flat
    assert "Complicaties bespreken" in flat


def test_the_pack_speaks_english_on_request(review_warehouse) -> None:
    pack = build(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", SEPT, lang="en").decode("utf-8")
    assert "Monthly review UMC Utrecht · Knee osteoarthritis · September 2026" in pack
    assert "25.0%" in pack


def test_another_centres_pack_is_refused(review_warehouse) -> None:
    with pytest.raises(AccessDenied):
        build(lead("AUMC"), review_warehouse, "UMCU", "knee_oa", SEPT)


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_the_command_line_writes_the_pack(review_warehouse, tmp_path, suffix) -> None:
    out = tmp_path / f"pack.{suffix}"
    command = [sys.executable, "-m", "warehouse", "pack", "--db", str(review_warehouse), "--centre", "UMCU",
               "--pathway", "knee_oa", "--month", "2026-09", "--out", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    content = out.read_bytes()
    assert content.startswith(b"%PDF" if suffix == "pdf" else b"<!doctype html>")
    wrong = subprocess.run(
        [*command[:-4], "--month", "september", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert wrong.returncode == 2 and "fout" in wrong.stderr


def test_the_review_page_offers_the_pack_as_html_and_pdf(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU").run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download als HTML" in labels and "Download als PDF" in labels


def test_the_demo_pack_matches_the_page_for_the_process_change(demo_warehouse, monkeypatch) -> None:
    """UMC Utrecht's knee team, with the demo's actions and a month on the agenda."""
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", pathway="knee_oa").run()
    month = at.session_state["context"].month
    page = {m.label: (m.value, m.delta or "–") for m in at.metric if m.label != "Behandelde patiënten"}
    pack = build(lead("UMCU"), demo_warehouse, "UMCU", "knee_oa", month).decode("utf-8")
    assert tiles_in(pack) == page
    assert "Versneld herstelprotocol" in pack  # the demo's closed action, in the log
