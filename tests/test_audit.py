"""The audit trail: patient-level views, exports and loads leave an append-only row; admins read it."""

from __future__ import annotations

import json

from access import audit
from cli import main
from tests.apptest import app, texts
from tests.viewers import ADMIN, lead


def test_viewing_the_patient_list_writes_an_audit_row(review_warehouse, monkeypatch) -> None:
    at = app(review_warehouse, monkeypatch, viewer_centre="UMCU")
    audit_file = review_warehouse.with_name("audit.jsonl")
    before = audit.read(audit_file).height
    at.run()
    rows = audit.read(audit_file)
    new = rows.head(rows.height - before)
    assert "view_patient_rows" in new["action"].to_list()
    row = new.filter(new["action"] == "view_patient_rows").row(0, named=True)
    assert (row["user"], row["role"], row["centre"]) == ("lead.umcu", "centre_lead", "UMCU")
    assert "review_patients" in row["what"] and "pathway=knee_oa" in row["what"]
    assert row["patient_count"] == 4 and len(row["patients"].split()) == 4  # which patients, as fingerprints
    at.run()  # a rerun served from the cache is still a view
    assert audit.read(audit_file).height > rows.height


def test_a_command_line_load_writes_an_audit_row(tmp_path, write, monkeypatch) -> None:
    db = tmp_path / "w.duckdb"
    monkeypatch.delenv("AUDIT_PATH", raising=False)
    main(["load", "--db", str(db), str(write("centres.csv", "centre_code,name,kind\nUMCU,UMC Utrecht,umc\n"))])
    [row] = audit.read(tmp_path / "audit.jsonl").to_dicts()
    assert row["action"] == "load" and row["role"] == "command_line"
    assert "centres.csv: loaded" in row["what"]
    assert str(audit.verify(tmp_path / "audit.jsonl")) == "OK: 1 rows"  # the chain starts with the first row


def test_the_trail_is_only_appended_to(tmp_path) -> None:
    path = tmp_path / "audit.jsonl"
    audit.record("login", "local", lead("UMCU"), path=path)
    first = path.read_bytes()
    audit.record("logout", "", lead("UMCU"), path=path)
    assert path.read_bytes().startswith(first)
    assert [json.loads(line)["action"] for line in path.read_text().splitlines()] == ["login", "logout"]


def test_administrators_read_the_trail(review_warehouse, monkeypatch) -> None:
    audit.record("view_patient_rows", "test row", lead("UMCU"), path=review_warehouse.with_name("audit.jsonl"))
    at = app(review_warehouse, monkeypatch, viewer=ADMIN).run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "test row" in set(table["what"])
    assert "Audittrail" in texts(at)
