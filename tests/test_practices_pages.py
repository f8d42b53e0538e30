"""On a page: a team shares its closed action anonymously, another centre sees it without the centre, adopts it,
and after withdrawal it is gone; an effect the team claims without a measured one says so."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import queries
from reports.meeting_pack import build
from services import practices
from tests.apptest import app, main_text
from tests.viewers import PROGRAMME, lead, team
from texts import t

STAY = "length_of_stay_days"


def share_page() -> None:
    import datetime as dt

    import streamlit as st

    from ui.context import Context
    from ui.practices_view import render_share

    s = st.session_state
    ctx = Context(s["viewer"], s["viewer"].centre_code, "-", "knee_oa", dt.date(2026, 9, 1), ())
    render_share(ctx, s["action_under_test"])


def elsewhere_page() -> None:
    import datetime as dt

    import streamlit as st

    from ui.context import Context
    from ui.practices_view import render_practices_elsewhere

    s = st.session_state
    ctx = Context(s["viewer"], s["viewer"].centre_code, "-", "knee_oa", dt.date(2026, 9, 1), ())
    render_practices_elsewhere(ctx, s["indicator_under_test"], s.get("has_concern", True))


@pytest.fixture
def demo_copy(demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(demo_warehouse.parent, tmp_path / "demo", symlinks=True)
    path = tmp_path / "demo" / demo_warehouse.name
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("AUDIT_PATH", str(tmp_path / "audit.jsonl"))
    return path


def _page(script, viewer, **state) -> AppTest:
    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["viewer"] = viewer
    at.session_state["indicator_under_test"] = STAY
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _done_actions(db: Path) -> pl.DataFrame:
    rows = queries.run("review_actions", lead("UMCU"), db=db, centre_code="UMCU", pathway="knee_oa")
    return rows.filter(pl.col("status") == "done")


def test_shared_anonymously_seen_elsewhere_without_the_centre_adopted_then_withdrawn(demo_copy: Path, monkeypatch) -> None:
    action_id = int(_done_actions(demo_copy).filter(pl.col("indicator_code") == STAY)["action_id"][0])
    at = _page(share_page, lead("UMCU"), action_under_test=action_id)
    assert t("practice_shared_named", date="X").split("X")[0] in main_text(at)  # the demo shares it by name
    at.button(key=next(b.key for b in at.button if b.key.startswith("withdraw_"))).click().run()
    assert t("practice_withdrawn") in main_text(at)
    assert t("practice_verdict_improved") in main_text(at)  # the measured effect beside the team's account
    assert at.button(key=f"share_{action_id}").disabled  # no choice made: nothing is shared by default
    at.radio(key=f"share_named_{action_id}").set_value("anonymous").run()
    at.button(key=f"share_{action_id}").click().run()
    assert not at.exception and t("practice_withdraw") in [b.label for b in at.button]

    other = _page(elsewhere_page, team("UMCG", "knee_oa"))
    shown = main_text(other)
    assert t("practice_kind_umc") in shown and "Versneld herstelprotocol" in shown
    assert "UMCU" not in shown and "Utrecht" not in shown and "Orthopedisch chirurg" not in shown  # no centre, no lead
    [practice_id] = practices.practices_elsewhere(lead("UMCG"), demo_copy, "knee_oa", STAY)["practice_id"].to_list()
    other.button(key=f"adopt_{practice_id}").click().run()
    assert not other.exception and t("practice_adopted_already") in main_text(other)
    programme = app(demo_copy, monkeypatch, viewer=PROGRAMME).run()  # the adoption page: the library at its end
    assert not programme.exception
    [library] = [d.value for d in programme.dataframe if "Overgenomen" in d.value.columns]
    [row] = [r for _, r in library.iterrows() if r["Overgenomen"] == 1]
    assert (row["Bron"], row["Overgenomen"], row["Waarvan afgerond"]) == (t("practice_kind_umc"), 1, 0)
    assert "Versneld herstelprotocol" in row["Aanpak"] and row["Gemeten effect"].startswith("Verbeterd")

    pack = build(lead("UMCG"), demo_copy, "UMCG", "knee_oa", dt.date(2026, 9, 1)).decode("utf-8")
    assert "Versneld herstelprotocol" in pack  # the adopted practice is in the adopter's own log and pack ...
    assert "UMCU" not in pack and "Utrecht" not in pack and "Orthopedisch chirurg" not in pack  # ... without its source
    export = practices.practices_elsewhere(lead("UMCG"), demo_copy, "knee_oa", STAY)
    assert not any("UMCU" in str(v) or "Utrecht" in str(v) for row in export.iter_rows() for v in row)  # nor in the data

    at.button(key=f"withdraw_{practice_id}").click().run()
    assert not at.exception
    gone = _page(elsewhere_page, team("UMCG", "knee_oa"))
    assert t("practices_none") in main_text(gone) and "Versneld herstelprotocol" not in main_text(gone)


def test_nothing_is_offered_without_a_concern_and_a_claim_without_a_measured_effect_says_so(demo_copy: Path) -> None:
    quiet = _page(elsewhere_page, team("UMCG", "knee_oa"), has_concern=False)
    assert t("practices_title") not in main_text(quiet)
    unmeasured = [
        int(a) for a in _done_actions(demo_copy)["action_id"]
        if not practices.action_effect(lead("UMCU"), demo_copy, "knee_oa", int(a)).is_measured
    ]  # fmt: skip
    at = _page(share_page, lead("UMCU"), action_under_test=unmeasured[0])
    assert t("practice_claim_only") in main_text(at)


def test_an_open_action_cannot_be_shared(demo_copy: Path) -> None:
    rows = queries.run("review_actions", lead("UMCU"), db=demo_copy, centre_code="UMCU", pathway="knee_oa")
    open_id = int(rows.filter(pl.col("is_open"))["action_id"][0])
    at = _page(share_page, lead("UMCU"), action_under_test=open_id)
    assert t("practice_share_only_done") in main_text(at) and not [b for b in at.button if b.key.startswith("share_")]
