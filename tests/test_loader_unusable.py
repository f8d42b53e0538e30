"""Files that cannot be used at all load nothing and say why in one line; the CLI's exit codes."""

from __future__ import annotations

import pytest

from cli import main
from tests.conftest import fetch

EPISODES = "centre_code,episode_id,patient_id,pathway,treatment,treatment_date,age,sex\nUMCU,E1,P1,knee_oa,tka,2026-02-01,70,F\n"


@pytest.mark.usefixtures("with_centres")
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("patients.csv", EPISODES.encode(), "onbekende tabel 'patients'"),
        (
            "episodes.csv",
            EPISODES.replace("treatment_date,", "").replace("2026-02-01,", "").encode(),
            "verplichte kolom ontbreekt: treatment_date",
        ),
        ("episodes.csv", b"centre_code,episode_id\nUMCU,\x81\x8d\x90\n", "onleesbare tekenset"),
        ("episodes.csv", b"", "leeg bestand"),
        ("episodes.csv", b"\x00\x01\x02binary", "onleesbare tekenset"),
        ("episodes.parquet", b"PAR1 this is not parquet", "geen leesbaar Parquet-bestand"),
        ("episodes.xlsx", b"not a workbook", "geen leesbare Excel-werkmap"),
        ("episodes.json", b"{}", "onbekend bestandstype"),
        ("episodes.csv", b"centre_code,Centre_Code,episode_id\n", "kolom komt twee keer voor"),
    ],
)
def test_unusable_file_loads_nothing_and_says_why(write, load, db, name, content, reason) -> None:
    [report] = load(write(name, content))
    assert report.status == "rejected"
    assert reason in report.message
    assert "\n" not in report.message
    assert fetch(db, "select count(*) from episodes") == [(0,)]
    assert fetch(db, "select status, message from load_log where status = 'rejected'") == [("rejected", report.message)]


@pytest.mark.usefixtures("with_centres")
def test_cli_exit_codes(write, db, capsys) -> None:
    good = write("episodes.csv", EPISODES)
    assert main(["load", "--db", str(db), str(good)]) == 0
    assert "episodes.csv: loaded" in capsys.readouterr().out
    bad_row = write("costs.csv", "centre_code,episode_id,category,amount_eur\nUMCU,E1,implant,-1\n")
    assert main(["load", "--db", str(db), str(bad_row)]) == 1
    unknown = write("patients.csv", EPISODES)
    assert main(["load", "--db", str(db), str(good), str(unknown)]) == 2
    out = capsys.readouterr().out
    assert "patients.csv: rejected - onbekende tabel" in out
    assert main(["load", "--db", str(db), str(db.parent / "missing.csv")]) == 2
    assert main(["load", "--db", str(db)]) == 2  # no files: a usage error
    assert main(["frobnicate"]) == 2


@pytest.mark.usefixtures("with_centres")
def test_cli_status_and_quarantine_show_the_log_and_reasons(write, db, capsys) -> None:
    main(["load", "--db", str(db), str(write("costs.csv", "centre_code,episode_id,category,amount_eur\nUMCU,E9,implant,5\n"))])
    capsys.readouterr()
    assert main(["status", "--db", str(db)]) == 0
    assert "costs.csv" in capsys.readouterr().out
    assert main(["quarantine", "--db", str(db)]) == 0
    assert "episode bestaat niet" in capsys.readouterr().out
    assert main(["status", "--db", str(db.parent / "nothing.duckdb")]) == 2
