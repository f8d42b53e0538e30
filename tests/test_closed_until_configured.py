"""Closed until configured (issue 14): each finding reproduced, and what now holds instead.

The suite runs in demo mode (tests/conftest.py); the tests here switch it off with monkeypatch.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import tomllib
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from access import accounts, audit, settings
from access.accounts import DEMO_CONFIG, LoginThrottle, add_user, authenticate, config_path, log_in_locally
from access.settings import NotConfigured, is_demo, peer_code_secret, problems
from cli import main
from tests.apptest import ROOT, app, texts
from tests.test_browser import free_port, wait_for_health
from tests.viewers import ADMIN, team

GOOD_SECRET = "k3Jq9vX2mP7wL4tR8yB1nC6hF0dS5aGz"  # 32 characters, for the tests only
ISSUER = "https://login.example-ziekenhuis.nl/realms/zorg"


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Outside demo mode, with nothing configured (and no config/access.toml on this machine)."""
    monkeypatch.delenv("SAMEN_LEREN_DEMO", raising=False)
    monkeypatch.delenv("ACCESS_CONFIG", raising=False)
    monkeypatch.delenv("PEER_CODE_SECRET", raising=False)
    for key in settings.FINGERPRINT_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(settings, "OWN_CONFIG", tmp_path / "no-access.toml")
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    return tmp_path


@pytest.fixture
def configured(production: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Outside demo mode with its own access configuration and a peer-code secret."""
    config = production / "access.toml"
    add_user(config, "zorgteam.umcu", "a long password 123", "care_team", "Zorgteam UMCU", "UMCU", ["knee_oa"])
    add_user(config, "datamanager.umcu", "another long password", "data_manager", "Datamanager UMCU", "UMCU")
    monkeypatch.setenv("ACCESS_CONFIG", str(config))
    monkeypatch.setenv("PEER_CODE_SECRET", GOOD_SECRET)
    for key in settings.FINGERPRINT_KEYS:
        monkeypatch.setenv(key, GOOD_SECRET[::-1] + key)
    return config


def run_app(warehouse: Path, monkeypatch: pytest.MonkeyPatch, auth: dict | None = None, user: dict | None = None) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if auth is not None:
        at.secrets["auth"] = auth
    if user is not None:
        at.user = user
    return at.run()


def example_auth() -> dict:
    with (ROOT / ".streamlit" / "secrets.toml.example").open("rb") as f:
        return tomllib.load(f)["auth"]


# --- 1. Open when misconfigured ----------------------------------------------------------


def test_demo_mode_is_explicit(monkeypatch) -> None:
    monkeypatch.delenv("SAMEN_LEREN_DEMO", raising=False)
    assert not is_demo()
    for off in ("0", "", "no"):
        monkeypatch.setenv("SAMEN_LEREN_DEMO", off)
        assert not is_demo()
    monkeypatch.setenv("SAMEN_LEREN_DEMO", "1")
    assert is_demo()


def test_without_configuration_the_app_refuses_to_start_with_one_line_naming_what_is_missing(
    production, review_warehouse, monkeypatch
) -> None:
    at = run_app(review_warehouse, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1
    line = at.error[0].value
    assert "\n" not in line
    assert "access configuration" in line and "PEER_CODE_SECRET" in line
    assert "AUDIT_FINGERPRINT_SECRET" in line and "QUARANTINE_FINGERPRINT_SECRET" in line
    # nothing else: no login form, no demo accounts, no sidebar, no viewer
    assert not at.title and not at.text_input and not at.button and not at.sidebar.children
    assert "viewer" not in at.session_state or at.session_state["viewer"] is None


def test_without_config_access_toml_the_demo_accounts_are_not_live(production) -> None:
    assert config_path() != DEMO_CONFIG
    assert authenticate("beheerder", "demo-beheerder-2026") is None  # the README's public password
    assert any("no access configuration" in p for p in problems(auth=None))


def test_the_demo_access_configuration_does_not_count_outside_demo_mode(production, monkeypatch) -> None:
    monkeypatch.setenv("ACCESS_CONFIG", str(DEMO_CONFIG))
    monkeypatch.setenv("PEER_CODE_SECRET", GOOD_SECRET)
    for key in settings.FINGERPRINT_KEYS:
        monkeypatch.setenv(key, GOOD_SECRET)
    assert config_path() != DEMO_CONFIG
    assert authenticate("beheerder", "demo-beheerder-2026") is None
    assert problems(auth=None) == [
        f"ACCESS_CONFIG points at the demo's accounts ({DEMO_CONFIG}); give the app its own access configuration"
    ]
    monkeypatch.setenv("SAMEN_LEREN_DEMO", "1")
    assert config_path() == DEMO_CONFIG and authenticate("beheerder", "demo-beheerder-2026") is not None


def test_without_peer_code_secret_the_public_demo_key_is_not_used_silently(production, monkeypatch) -> None:
    with pytest.raises(NotConfigured, match="PEER_CODE_SECRET is not set"):
        peer_code_secret()
    monkeypatch.setenv("PEER_CODE_SECRET", "short")
    with pytest.raises(NotConfigured, match="too short"):
        peer_code_secret()
    monkeypatch.setenv("PEER_CODE_SECRET", GOOD_SECRET)
    assert peer_code_secret() == GOOD_SECRET.encode()
    monkeypatch.delenv("PEER_CODE_SECRET")
    monkeypatch.setenv("SAMEN_LEREN_DEMO", "1")
    assert peer_code_secret() == b"samen-leren-demo-only"


def test_the_example_cookie_secret_is_refused(configured, review_warehouse, monkeypatch) -> None:
    assert problems(auth=example_auth()) == ["[auth] cookie_secret is the example's placeholder; generate one (see README)"]
    assert "too short" in problems(auth={**example_auth(), "cookie_secret": "x" * 31})[0]
    assert problems(auth={**example_auth(), "cookie_secret": "0f" * 32}) == []
    # what the finding did: copy the example as the README said, and start
    at = run_app(review_warehouse, monkeypatch, auth=example_auth(), user={"is_logged_in": False})
    assert len(at.error) == 1 and "cookie_secret" in at.error[0].value
    assert not at.button  # no login button


def test_a_configured_install_starts_without_demo_accounts(configured, review_warehouse, monkeypatch) -> None:
    at = run_app(review_warehouse, monkeypatch)
    assert not at.exception and not at.error
    assert at.title[0].value == "Inloggen"
    assert not [b for b in at.button if str(b.key or "").startswith("demo_")]
    at.text_input[0].input("zorgteam.umcu")
    at.text_input[1].input("a long password 123")
    at.button[0].click().run()
    viewer = at.session_state["viewer"]
    assert (viewer.user, viewer.is_demo) == ("zorgteam.umcu", False)


def test_cli_commands_that_serve_data_refuse_outside_demo_mode(production, review_warehouse, capsys, tmp_path) -> None:
    out = tmp_path / "pack.html"
    code = main(["pack", "--db", str(review_warehouse), "--centre", "UMCU", "--pathway", "knee_oa", "--month", "2026-01",
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and "PEER_CODE_SECRET" in err and "access configuration" in err
    assert main(["quarantine", "--db", str(review_warehouse)]) == 2
    assert "SAMEN_LEREN_DEMO=1" in capsys.readouterr().err


def test_the_server_outside_demo_mode_exits_with_one_line(tmp_path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SAMEN_LEREN_DEMO", "ACCESS_CONFIG", "PEER_CODE_SECRET", *settings.FINGERPRINT_KEYS}
    }
    env |= {"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"), "ACCESS_CONFIG": str(tmp_path / "missing.toml")}
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
           "--server.port", str(free_port()), "--server.address", "127.0.0.1"]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Samen Leren is not configured") and "PEER_CODE_SECRET" in last


# --- 2. Identities from a stable claim ---------------------------------------------------


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0f" * 32, "client_id": "x",
        "client_secret": "y", "server_metadata_url": "http://localhost:9999/.well-known/openid-configuration"}  # fmt: skip


@pytest.fixture
def oidc_config(configured: Path) -> Path:
    with configured.open("a", encoding="utf-8") as f:
        f.write(f'\n[users."{ISSUER}|8f2c1a4e-sub"]\nname = "J. Jansen"\nrole = "centre_lead"\ncentre = "UMCG"\n')
        f.write('\n[users."j.jansen@umcg.nl"]\nname = "old e-mail entry"\nrole = "admin"\n')
    return configured


def test_oidc_identity_comes_from_issuer_and_subject_not_the_mutable_email(oidc_config, review_warehouse, monkeypatch) -> None:
    # the e-mail claim of someone else's account (or a re-used address) names nobody
    at = run_app(
        review_warehouse, monkeypatch, AUTH, {"is_logged_in": True, "iss": ISSUER, "sub": "other", "email": "j.jansen@umcg.nl"}
    )
    assert "viewer" not in at.session_state or at.session_state["viewer"] is None
    assert any(e.value for e in at.error)
    # the stable pair names the user, whatever the e-mail claim says
    at = run_app(
        review_warehouse, monkeypatch, AUTH, {"is_logged_in": True, "iss": ISSUER, "sub": "8f2c1a4e-sub", "email": "new@x.nl"}
    )
    viewer = at.session_state["viewer"]
    assert (viewer.user, viewer.role.value, viewer.centre_code) == (f"{ISSUER}|8f2c1a4e-sub", "centre_lead", "UMCG")


def test_the_same_subject_from_another_issuer_is_someone_else(oidc_config) -> None:
    assert accounts.viewer_for_oidc(ISSUER, "8f2c1a4e-sub") is not None
    assert accounts.viewer_for_oidc("https://evil.example.org", "8f2c1a4e-sub") is None
    assert accounts.viewer_for_oidc(ISSUER, "8F2C1A4E-SUB") is None  # subjects are compared exactly
    assert accounts.viewer_for_oidc("", "") is None


# --- 3. Login throttling and lockout -------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_local_login_locks_after_five_failures_and_audits_every_attempt(configured) -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(4):
        result = log_in_locally("zorgteam.umcu", "wrong password 1", throttle=throttle)
        assert result.viewer is None and not result.locked
    assert log_in_locally("ZorgTeam.UMCU", "wrong password 1", throttle=throttle).locked  # the fifth locks the name
    assert log_in_locally("zorgteam.umcu", "a long password 123", throttle=throttle).locked  # the right one too
    assert log_in_locally("datamanager.umcu", "another long password", throttle=throttle).viewer is not None  # per name
    clock.now += 15 * 60 + 1
    assert log_in_locally("zorgteam.umcu", "a long password 123", throttle=throttle).viewer is not None
    rows = audit.read()
    actions = rows["action"].to_list()
    assert actions.count("login_failed") == 5 and actions.count("login_locked") == 1
    assert set(rows.filter(rows["action"].is_in(["login_failed", "login_locked"]))["user"]) == {"zorgteam.umcu"}
    raw = audit.audit_path().read_text(encoding="utf-8")
    assert "wrong password" not in raw and "a long password" not in raw


def test_failures_older_than_the_window_do_not_count(configured) -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(4):
        throttle.failed("a")
    clock.now += 15 * 60 + 1
    assert not throttle.failed("a") and not throttle.locked("a")


def test_the_throttle_is_thread_safe() -> None:
    throttle = LoginThrottle(max_failures=400, window=3600)
    locks: list[bool] = []
    guard = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            locked = throttle.failed("same.user")
            with guard:
                locks.append(locked)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(locks) == 400 and locks.count(True) == 1 and throttle.locked("same.user")


def test_the_login_page_refuses_a_locked_name(configured, review_warehouse, monkeypatch) -> None:
    at = run_app(review_warehouse, monkeypatch)
    at.text_input[0].input("zorgteam.umcu")
    for _ in range(5):
        at.text_input[1].input("wrong password 1")
        at.button[0].click().run()
    assert "Te veel mislukte pogingen" in texts(at)
    at.text_input[1].input("a long password 123")
    at.button[0].click().run()
    assert "viewer" not in at.session_state or at.session_state["viewer"] is None
    assert "Te veel mislukte pogingen" in texts(at)


# --- 4. Frame protection and allowedOrigins --------------------------------------------------


def test_responses_carry_frame_protection_and_no_host_origins_are_allowed(tmp_path) -> None:
    port = free_port()
    env = {**os.environ, "SAMEN_LEREN_DEMO": "1", "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
           "AUDIT_PATH": str(tmp_path / "audit.jsonl")}  # fmt: skip
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
        for path in ("/_stcore/health", "/", "/audit"):
            with urllib.request.urlopen(url + path, timeout=10) as response:
                assert response.headers["X-Frame-Options"] == "DENY", path
                assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'", path
                assert response.headers["X-Content-Type-Options"] == "nosniff", path
        with urllib.request.urlopen(url + "/_stcore/host-config", timeout=10) as response:
            assert json.load(response)["allowedOrigins"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- 5. Pages cannot run outside the entry point -------------------------------------------


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_a_page_run_on_its_own_shows_nothing_but_the_refusal(page, review_warehouse, monkeypatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", str(review_warehouse))
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    at.session_state["viewer"] = ADMIN
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Deze pagina opent alleen via de startpagina van Samen Leren."]
    assert not at.main.children.get(1) and not at.sidebar.children and not at.dataframe and not at.title


def first_request_to(url_path: str, viewer, warehouse, monkeypatch) -> AppTest:
    """A request for /<url_path> as a fresh server gets it: AppTest, like a fresh server, starts every
    run with Streamlit's automatic ``pages/`` navigation on, which resolves the page by its URL."""
    at = app(warehouse, monkeypatch, viewer=viewer)
    at._page_hash = calc_hash(url_path)  # what the browser's /audit asks for; AppTest has no public way
    return at.run()


def test_a_first_request_to_audit_runs_app_py_not_the_page(review_warehouse, monkeypatch) -> None:
    care_team = team("UMCU", "knee_oa")
    at = first_request_to("audit", care_team, review_warehouse, monkeypatch)
    assert not at.exception
    assert "Audittrail" not in [t.value for t in at.title]  # a care team never gets the audit page
    assert at.sidebar.children  # app.py ran: the sidebar is there
    admin = first_request_to("audit", ADMIN, review_warehouse, monkeypatch)
    assert not admin.exception and admin.title[0].value == "Audittrail"  # through app.py the page still works
    # the finding, with the guard switched off: the old navigation runs pages/audit.py for anyone
    monkeypatch.setattr("ui.guard.entry_only", lambda: None)
    unguarded = first_request_to("audit", care_team, review_warehouse, monkeypatch)
    assert "Audittrail" in [t.value for t in unguarded.title] and not unguarded.sidebar.children


def test_the_guard_flag_is_cleared_however_the_page_ends() -> None:
    from ui.guard import entry_point, inside_entry_point

    with pytest.raises(RuntimeError), entry_point():
        assert inside_entry_point()
        raise RuntimeError
    assert not inside_entry_point()
    seen: list[bool] = []
    with entry_point():
        th = threading.Thread(target=lambda: seen.append(inside_entry_point()))
        th.start()
        th.join()
    assert seen == [False]  # another session's thread never sees this one's flag


# --- 6. Pinned transitive dependencies --------------------------------------------------------


def normalised(name: str) -> str:
    """A package's name as PyPI compares it (PEP 503): fhir.resources is fhir-resources."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_pinned_with_hashes_in_the_lock_files() -> None:
    for lock, human in (("requirements.lock", "requirements.txt"), ("requirements-dev.lock", "requirements-dev.txt")):
        text = (ROOT / lock).read_text(encoding="utf-8")
        pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}", text, flags=re.M))
        assert len(pins) == len(re.findall(r"^\S+==", text, flags=re.M))  # every pin carries hashes
        pins = {normalised(name): version for name, version in pins.items()}
        assert {"starlette", "uvicorn", "authlib", "itsdangerous", "streamlit"} <= set(pins)  # the auth and HTTP stack
        for line in (ROOT / human).read_text(encoding="utf-8").splitlines():
            if "==" in line and not line.startswith("#"):
                name, version = line.split("==")
                assert pins[normalised(name.split("[")[0])] == version.strip(), (lock, name)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-r requirements.lock" in makefile and "-r requirements-dev.lock" in makefile and "--require-hashes" in makefile
    assert "SAMEN_LEREN_DEMO=1 $(BIN)/streamlit run serve.py" in makefile  # make run keeps its demo


def test_a_load_that_cannot_be_audited_does_not_start(production, tmp_path, capsys) -> None:
    delivery = tmp_path / "centres.csv"
    delivery.write_text("centre_code,name,kind\nAAA,Ziekenhuis A,umc\n", encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    assert main(["load", "--db", str(db), str(delivery)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "AUDIT_FINGERPRINT_SECRET" in err
    assert not db.exists()  # nothing was loaded without its audit row
