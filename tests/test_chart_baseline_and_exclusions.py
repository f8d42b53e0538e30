"""A team's control-chart settings: a fixed baseline and excluded months with a reason, kept per
chart beside the improvement actions, validated and audited, drawn on the review page's chart and
listed in the meeting pack, with the limits exactly as analytics computes them."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from pypdf import PdfReader

import queries
from access import audit
from access.roles import AccessDenied
from analytics.indicators import Indicator, control_chart, month_range
from analytics.review import charted
from reports.meeting_pack import build
from tests.apptest import app, texts
from tests.viewers import PROGRAMME, data_manager, lead, team
from texts.sentences import settings_line
from ui.safe_text import plain
from warehouse.actions import (
    ChartSettings,
    ChartSettingsInvalid,
    actions_path,
    chart_settings_of,
    clear_chart_settings,
    save_chart_settings,
)

SEPT = dt.date(2026, 9, 1)
MONTHS = month_range(SEPT, 24)  # the review page's and the pack's chart months
CODE = "outcome:complication_severe"  # the knee pathway's headline: the chart the page opens first
CODES = [CODE, "cost_mean_eur"]
JUL, AUG = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
REASON = "Registratiefout <b>EPD</b> [zie](http://evil.example)"  # typed text, never markup


@pytest.fixture
def audit_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AUDIT_PATH", str(path))
    return path


def settings_of(db: Path, viewer=None) -> dict[str, ChartSettings]:
    return chart_settings_of(queries.run("review_chart_settings", viewer or lead("UMCU"), db=db, pathway="knee_oa"))


def save(db: Path, viewer=None, baseline=AUG, exclude=None, **kw) -> int:
    exclude = {JUL: REASON} if exclude is None else exclude
    return save_chart_settings(db, viewer or lead("UMCU"), "knee_oa", CODE, CODES, MONTHS, baseline, exclude, **kw)


def test_settings_are_kept_per_chart_with_who_and_when_and_every_change_is_audited(own_review_warehouse, audit_file) -> None:
    at = dt.datetime(2026, 10, 2, 9, 30)
    assert save(own_review_warehouse, team("UMCU", "knee_oa"), at=at) == 2  # the baseline and one excluded month
    assert settings_of(own_review_warehouse) == {CODE: ChartSettings(AUG, {JUL: REASON})}
    rows = queries.run("review_chart_settings", lead("UMCU"), db=own_review_warehouse, pathway="knee_oa")
    assert set(rows["set_by"]) == {"team.umcu"} and set(rows["set_at"]) == {at}
    assert save(own_review_warehouse, team("UMCU", "knee_oa")) == 0  # nothing changed: nothing logged
    assert save(own_review_warehouse, baseline=None, exclude={}) == 2
    assert settings_of(own_review_warehouse) == {}
    save(own_review_warehouse)
    assert clear_chart_settings(own_review_warehouse, lead("UMCU"), "knee_oa", CODE) == 2
    assert settings_of(own_review_warehouse) == {}
    trail = audit.read(audit_file)
    assert trail["action"].to_list() == [
        "chart_settings_cleared", "chart_settings_saved", "chart_settings_saved", "chart_settings_saved",
    ]  # fmt: skip
    assert trail["what"][-1] == "chart UMCU/knee_oa/outcome:complication_severe: baseline until 2026-08; excluded 2026-07"
    assert "Registratiefout" not in audit_file.read_text()  # the trail names months, not the team's free text
    assert audit.verify(audit_file).ok


def test_only_the_centres_own_team_writes_and_other_centres_never_see_them(own_review_warehouse, audit_file) -> None:
    save(own_review_warehouse, lead("AUMC"))  # a lead always writes to its own centre's chart
    assert settings_of(own_review_warehouse) == {}
    assert settings_of(own_review_warehouse, lead("AUMC")) == {CODE: ChartSettings(AUG, {JUL: REASON})}
    for viewer in (PROGRAMME, data_manager("UMCU"), team("UMCU", "ckd")):
        with pytest.raises(AccessDenied):
            save(own_review_warehouse, viewer)
        with pytest.raises(AccessDenied):
            clear_chart_settings(own_review_warehouse, viewer, "knee_oa", CODE)
    with pytest.raises(AccessDenied):
        queries.run("review_chart_settings", PROGRAMME, db=own_review_warehouse, centre_code="AUMC", pathway="knee_oa")
    with pytest.raises(AccessDenied):
        queries.run("review_chart_settings", lead("UMCU"), db=own_review_warehouse, centre_code="AUMC", pathway="knee_oa")


@pytest.mark.parametrize(
    ("baseline", "exclude", "errors"),
    [
        (AUG, {JUL: ""}, ["reason_length"]),  # a reason is required
        (AUG, {JUL: "  ok \n"}, ["reason_length"]),  # white space does not count
        (AUG, {JUL: "x" * 301}, ["reason_length"]),
        (AUG, {JUL: "bel\x07"}, ["reason_text"]),
        (AUG, {dt.date(2024, 9, 1): "te vroeg"}, ["exclude_month"]),  # not on the chart
        (dt.date(2026, 10, 1), {}, ["baseline_month"]),
        (MONTHS[1], {MONTHS[0]: "opstartmaand"}, ["too_few_months"]),
    ],
)
def test_settings_are_validated(own_review_warehouse, audit_file, baseline, exclude, errors) -> None:
    with pytest.raises(ChartSettingsInvalid) as err:
        save(own_review_warehouse, baseline=baseline, exclude=exclude)
    assert err.value.errors == errors
    assert settings_of(own_review_warehouse) == {}
    with pytest.raises(ChartSettingsInvalid, match="indicator"):
        save_chart_settings(own_review_warehouse, lead("UMCU"), "knee_oa", "made_up", CODES, MONTHS, AUG, {})


def test_a_reason_is_kept_as_one_line_of_plain_text_within_300_characters(own_review_warehouse, audit_file) -> None:
    save(own_review_warehouse, exclude={JUL: "  twee\n regels  ", AUG: "x" * 300})
    assert settings_of(own_review_warehouse)[CODE].exclude == {JUL: "twee regels", AUG: "x" * 300}


def test_the_limits_are_those_analytics_computes_with_the_same_settings() -> None:
    values = [10.0, 12, 11, 40, 9, 10, 13, 12, 11, 10, 12, 11, 14, 15, 16, 15, 17, 16, 15, 18, 16, 17, 15, 16]
    rows = pl.DataFrame(
        {"indicator_code": "cost_mean_eur", "month_date": MONTHS, "events_n": None, "cases_n": 5, "value": values},
        schema={"indicator_code": pl.String, "month_date": pl.Date, "events_n": pl.Int64, "cases_n": pl.Int64,
                "value": pl.Float64},
    )  # fmt: skip
    ind = Indicator("cost_mean_eur", {"nl": "Kosten", "en": "Cost"}, "xmr", "down", "cost", "eur")
    settings = ChartSettings(MONTHS[11], {MONTHS[3]: "verbouwing OK", dt.date(2020, 1, 1): "valt buiten de kaart"})
    summary = charted(ind, rows, MONTHS, SEPT, settings)
    direct = control_chart(ind, rows, MONTHS, baseline_until=MONTHS[11], exclude={MONTHS[3]: "verbouwing OK"})
    assert summary.chart.equals(direct)
    baseline = [v for i, v in enumerate(values[:12]) if i != 3]
    assert summary.chart["centre_line"][23] == pytest.approx(sum(baseline) / 11)  # fixed on the baseline, month 4 left out
    assert summary.chart["excluded_reason"][3] == "verbouwing OK" and summary.chart["in_limits"][3] is False
    assert not summary.chart.equals(charted(ind, rows, MONTHS, SEPT).chart)
    assert summary.rules  # the later rise stands out against the fixed limits
    assert settings_line(settings, MONTHS) == "Basisperiode t/m september 2025; uitgesloten: januari 2025 — verbouwing OK"


def test_the_page_shows_the_settings_on_the_chart_and_saves_them_with_a_reason(own_review_warehouse, monkeypatch) -> None:
    save(own_review_warehouse)
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception, [e.value for e in at.exception]
    caption = next(c.value for c in at.caption if "Basisperiode" in c.value)
    line = "Basisperiode t/m augustus 2026; uitgesloten: juli 2026 — " + REASON
    assert caption == ":material/push_pin: " + plain(line)  # the reason is escaped: shown as typed, never as markup
    assert "](" not in caption and "<b>" not in caption
    spec = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if str(getattr(c, "key", "")).startswith("chart_spc_")))
    assert any(a.get("text") == "basisperiode t/m augustus 2026" for a in spec["layout"]["annotations"])
    [excluded] = [d for d in spec["data"] if d.get("name") == "excluded"]
    assert excluded["marker"]["symbol"] == "circle-open"
    assert html.escape(REASON, quote=False) in excluded["customdata"]  # the hover shows the reason as text
    assert "uitgesloten" in excluded["hovertemplate"]

    at.multiselect(key=f"chart_exclude_{CODE}").select(dt.date(2026, 6, 1))
    at.button(key=f"chart_save_{CODE}").click().run()  # a newly excluded month without a reason
    assert "Geef bij elke uitgesloten maand een reden van 3 tot 300 tekens." in texts(at)
    assert settings_of(own_review_warehouse)[CODE].exclude == {JUL: REASON}

    at.text_input(key=f"chart_reason_{CODE}").input("Geen operaties: verbouwing")
    at.button(key=f"chart_save_{CODE}").click().run()
    assert not at.exception
    assert settings_of(own_review_warehouse)[CODE] == ChartSettings(
        AUG, {dt.date(2026, 6, 1): "Geen operaties: verbouwing", JUL: REASON}
    )
    assert "De instellingen van de regelkaart zijn opgeslagen." in texts(at)
    assert plain("juni 2026 — Geen operaties: verbouwing") in texts(at)


def test_the_pack_applies_and_lists_the_same_settings(own_review_warehouse, audit_file) -> None:
    save(own_review_warehouse)
    pack = build(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT).decode("utf-8")
    line = "Basisperiode t/m augustus 2026; uitgesloten: juli 2026 — " + REASON
    assert html.escape(line) in pack and REASON not in pack  # listed beside its chart, escaped
    figure = next(f for f in pack.split("<figure>") if "Ernstige complicatie:" in f)
    assert html.escape(line) in figure
    assert pack.count(html.escape(line)) == 1  # only beside its own chart
    pdf = build(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT, "pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "uitgesloten: juli 2026 — Registratiefout <b>EPD</b>" in " ".join(text.split())


def test_a_store_made_before_chart_settings_gets_their_tables(own_review_warehouse) -> None:
    path = actions_path(own_review_warehouse)
    with duckdb.connect(str(path)) as con:  # an action store as an older version made it
        con.execute("create table improvement_actions (action_id bigint)")
    assert settings_of(own_review_warehouse) == {}


def _chart_svg(pack: str, name: str) -> str:
    figure = next(f for f in pack.split("<figure>") if f"{name}:" in f)
    return base64.b64decode(figure.split("data:image/svg+xml;base64,")[1].split('"')[0]).decode("utf-8")


def test_the_packs_chart_draws_the_baseline_and_the_excluded_month(own_review_warehouse, audit_file) -> None:
    save(own_review_warehouse)  # baseline until August 2026, July 2026 excluded
    pack = build(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT).decode("utf-8")
    svg = _chart_svg(pack, "Ernstige complicatie")
    baseline = svg.split('<g id="baseline">')[1].split("</g>")[0]
    assert "stroke-dasharray" in baseline  # the dash-dot line after the baseline
    assert "basisperiode t/m augustus 2026" in svg
    excluded = svg.split('<g id="excluded">')[1].split("</g>")[0]
    assert excluded.count("<path ") == 1 and "fill: none" in excluded  # one hollow marker: July
    other = _chart_svg(pack, "Heropname binnen 30 dagen")  # a chart without settings draws neither
    assert '<g id="baseline">' not in other and '<g id="excluded">' not in other
    english = build(lead("UMCU"), own_review_warehouse, "UMCU", "knee_oa", SEPT, lang="en").decode("utf-8")
    assert "baseline up to August 2026" in _chart_svg(english, "Severe complication")
