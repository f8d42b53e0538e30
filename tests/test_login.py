"""Logging in with a local account, the demo's one-click accounts, and the shared cache per viewer."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest import ROOT, app, texts
from tests.viewers import data_manager


def fresh(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("AUDIT_PATH", str(warehouse.with_name("audit.jsonl")))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def test_a_local_account_logs_in_with_the_right_password_only(review_warehouse, monkeypatch) -> None:
    at = fresh(review_warehouse, monkeypatch)
    at.text_input[0].input("zorgteam.umcu")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert "klopt niet" in texts(at)
    assert "viewer" not in at.session_state or at.session_state["viewer"] is None
    at.text_input[1].input("demo-zorgteam-umcu")
    at.button[0].click().run()
    viewer = at.session_state["viewer"]
    assert (viewer.user, viewer.centre_code, viewer.pathways) == ("zorgteam.umcu", "UMCU", ("knee_oa",))


def test_demo_accounts_log_in_with_one_click(review_warehouse, monkeypatch) -> None:
    at = fresh(review_warehouse, monkeypatch)
    at.button(key="demo_beheerder").click().run()
    assert at.session_state["viewer"].role.value == "admin"


def test_two_centres_hitting_the_same_cached_query_get_their_own_rows(demo_warehouse, monkeypatch) -> None:
    first = app(demo_warehouse, monkeypatch, viewer=data_manager("AUMC")).run()
    first.switch_page("pages/data.py").run()
    second = app(demo_warehouse, monkeypatch, viewer=data_manager("UMCU")).run()
    second.switch_page("pages/data.py").run()
    aumc = first.dataframe[1].value
    assert not aumc.empty and "lijkt op een BSN" in " ".join(aumc["reason"])  # AUMC's own quarantine
    assert "Geen afgewezen rijen" in texts(second)  # UMCU has none: AUMC's cached rows never reach it


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0123456789abcdef" * 4, "client_id": "x",
        "client_secret": "y", "server_metadata_url": "http://localhost:9999/.well-known/openid-configuration"}  # fmt: skip
ISSUER = "https://login.example-ziekenhuis.nl/realms/zorg"
OIDC_USERS = f"""
[users."{ISSUER}|8f2c1a4e-0b7d-4c55-9a1e-3f6d2b8c7e01"]
name = "Centrumleider UMCG"
role = "centre_lead"
centre = "UMCG"
"""


def oidc_app(warehouse, monkeypatch, tmp_path, **claims: str) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    config = tmp_path / "access.toml"
    config.write_text(OIDC_USERS, encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(config))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **claims}
    return at.run()


def test_an_oidc_identity_is_mapped_through_the_access_configuration(review_warehouse, monkeypatch, tmp_path) -> None:
    at = oidc_app(review_warehouse, monkeypatch, tmp_path, iss=ISSUER, sub="8f2c1a4e-0b7d-4c55-9a1e-3f6d2b8c7e01")
    assert not at.exception
    viewer = at.session_state["viewer"]
    assert (viewer.role.value, viewer.centre_code) == ("centre_lead", "UMCG")


def test_an_unknown_oidc_identity_sees_no_data(review_warehouse, monkeypatch, tmp_path) -> None:
    at = oidc_app(review_warehouse, monkeypatch, tmp_path, iss=ISSUER, sub="someone-else", email="stranger@example.org")
    assert "viewer" not in at.session_state or at.session_state["viewer"] is None
    assert at.title[0].value == "Inloggen"
    assert "geen toegang" in texts(at)
    assert f"{ISSUER}|someone-else" in [c.value for c in at.code]  # the key to give the administrator
