"""Local accounts: argon2 hashes only, the command that adds them, and the identity-to-role mapping."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from access.accounts import DEMO_CONFIG, add_user, authenticate, load_users, viewer_for
from access.roles import Role
from cli import main


def test_an_added_user_can_log_in_and_only_a_hash_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    add_user(path, "J.Jansen@umcutrecht.nl", "correct horse battery", "care_team", "J. Jansen", "UMCU", ["knee_oa"])
    text = path.read_text(encoding="utf-8")
    assert "correct horse battery" not in text
    assert "$argon2id$" in text
    viewer = authenticate("j.jansen@umcutrecht.nl", "correct horse battery", path)
    assert viewer is not None
    assert (viewer.role, viewer.centre_code, viewer.pathways, viewer.is_demo) == (Role.CARE_TEAM, "UMCU", ("knee_oa",), False)
    assert authenticate("j.jansen@umcutrecht.nl", "wrong password!!", path) is None
    assert authenticate("nobody", "correct horse battery", path) is None


def test_bad_accounts_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    with pytest.raises(ValueError, match="12 characters"):
        add_user(path, "a", "short", "admin", "A")
    with pytest.raises(ValueError, match="needs a centre"):
        add_user(path, "b", "long enough password", "data_manager", "B")
    with pytest.raises(ValueError):
        add_user(path, "c", "long enough password", "superuser", "C")


def test_the_command_line_adds_users(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "access.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password 123\n"))
    code = main(
        [
            "user",
            "add",
            "--config",
            str(path),
            "--username",
            "dm.umcu",
            "--role",
            "data_manager",
            "--centre",
            "UMCU",
            "--password-stdin",
        ]
    )
    assert code == 0
    assert "dm.umcu" in capsys.readouterr().out
    assert authenticate("dm.umcu", "a long password 123", path).role == Role.DATA_MANAGER


def test_unknown_identities_get_no_viewer() -> None:
    assert viewer_for("someone@example.org", DEMO_CONFIG) is None
    assert set(load_users(DEMO_CONFIG)) == {
        "zorgteam.umcu",
        "centrumleider.umcg",
        "datamanager.aumc",
        "programmaleider",
        "beheerder",
    }


def test_the_demo_passwords_in_the_readme_work() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for user in load_users(DEMO_CONFIG):
        line = next(line for line in readme.splitlines() if f"`{user}`" in line)
        password = line.split("`")[3]
        assert authenticate(user, password, DEMO_CONFIG) is not None, user
