"""Personal data (issue 14, part 5): BSN-like values refused in any notation and never stored in
clear; user text shown as text, never as Markdown or HTML; CSV exports formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from pathlib import Path

import polars as pl
import pytest
from pypdf import PdfReader

from data_models.identifiers import FINGERPRINT_ENV, fingerprint, is_bsn_like, looks_like_bsn, normalise
from reports.csv_safe import formula_safe
from reports.meeting_pack import build
from tests.apptest import app, main_text
from tests.conftest import fetch
from tests.viewers import data_manager, lead
from texts import language
from ui.figures import control_chart_figure, heatmap_figure, lines_figure
from ui.review_view import csv_bytes
from ui.safe_text import plain, plotly_text
from warehouse.actions import record_action

EPISODE = "centre_code,episode_id,patient_id,pathway,treatment,referral_date,treatment_date,discharge_date,age,sex,bmi,asa_class,sdm_documented\n"
GOOD = "UMCU,E1,P1,knee_oa,tka,2026-01-01,2026-02-01,2026-02-03,70,F,28.5,2,ja\n"
SEPT = dt.date(2026, 9, 1)

# ---------------------------------------------------------------- BSN-like values

NOTATIONS = ["111222333", "111.222.333", "111 222 333", "BSN111222333", "11122233-3", "bsn: 111-222-333", "111_222_333",
             "111/222/333", " 111222333 "]  # fmt: skip
PSEUDONYMS = ["P1", "PT000123", "UMCU-E0000001", "12345678", "1234567820", "P-111222333", "E-2026-02-01", "", "NL-P111222333"]


def without_separators(text: str) -> str:
    return re.sub(r"[\s._/\-:]", "", text).lower().removeprefix("bsn")


@pytest.mark.parametrize("value", NOTATIONS)
def test_a_bsn_loads_as_a_pseudonym_in_other_notations__now_refused(value) -> None:
    assert is_bsn_like(value)
    assert normalise(value) == "111222333"
    assert pl.DataFrame({"v": [value]}).select(looks_like_bsn("v"))["v"][0] is True


MORE_NOTATIONS = ["'111222333", "111222333\u200b", "１１１２２２３３３", "BSN-nr 111222333", "BSN nr. 111222333",
                  "BSN#111222333", "NL111222333", "111,222,333", "0111222333", "\ufeff\u2018111222333\u2019",
                  "burgerservicenummer: 111 222 333", "111222333, 444555666"]  # fmt: skip


@pytest.mark.parametrize("value", MORE_NOTATIONS)
def test_bsn_notations_still_load_as_pseudonyms__now_refused(value) -> None:
    assert normalise(value) == "111222333"
    assert pl.DataFrame({"v": [value]}).select(looks_like_bsn("v"))["v"][0] is True


def test_nine_digits_are_refused_even_when_the_elfproef_fails_and_eight_when_it_passes() -> None:
    assert is_bsn_like("123456789")  # fails the elfproef: still refused (strict, see data_models.identifiers)
    assert is_bsn_like("01112223") and is_bsn_like("1112223") is False  # 8 digits: padded 001112223 passes
    assert not is_bsn_like("12345678")  # 8 digits failing the elfproef: an allowed pseudonym


@pytest.mark.parametrize("value", PSEUDONYMS)
def test_ordinary_pseudonyms_still_load(value) -> None:
    assert not is_bsn_like(value)
    assert pl.DataFrame({"v": [value]}).select(looks_like_bsn("v"))["v"][0] is False


def test_the_column_test_agrees_with_the_rule_on_a_mixed_column() -> None:
    """Notations, pseudonyms and empty cells in one column: only some rows reach the whole test, each answers as
    ``is_bsn_like`` does, in its own place."""
    values = [*PSEUDONYMS, None, *MORE_NOTATIONS, "UMCU-E0000100", "12345678", "x" * 40, "", "01112223", "1112223"]
    got = pl.DataFrame({"v": values}).select(looks_like_bsn("v"))["v"].to_list()
    assert got == [v is not None and is_bsn_like(v) for v in values]
    assert any(got) and not all(got)


def stored_cells(db: Path) -> list[str]:
    """Every text cell of the quarantine and the load log."""
    cells = []
    for table in ("quarantine", "load_log"):
        for row in fetch(db, f"select * from {table}"):
            cells += [str(v) for v in row if v is not None]
    return cells


@pytest.mark.usefixtures("with_centres")
def test_a_refused_bsn_is_stored_verbatim_in_the_quarantine__now_a_fingerprint(write, load, db) -> None:
    lines = [GOOD]
    for i, value in enumerate(NOTATIONS):
        lines.append(f"UMCU,E{i + 10},{value},knee_oa,tka,,2026-02-01,,70,F,,,\n")  # as patient_id
        lines.append(f"UMCU,{value},P{i + 10},knee_oa,tka,,2026-02-01,,70,F,,,\n")  # as episode_id
    [report] = load(write("episodes.csv", EPISODE + "".join(lines)))
    assert (report.rows_loaded, report.rows_quarantined) == (1, 2 * len(NOTATIONS))
    rows = fetch(db, "select column_name, value, reason from quarantine order by row_number, column_name")
    bsn_rows = [r for r in rows if r[0] in ("patient_id", "episode_id")]
    assert len(bsn_rows) == 2 * len(NOTATIONS)
    assert {r[1] for r in bsn_rows} == {fingerprint("111222333")}  # the same mark for every notation
    assert all("lijkt op een BSN" in r[2] and "niet bewaard" in r[2] for r in bsn_rows)
    assert not any("111222333" in without_separators(c) for c in stored_cells(db))
    assert fetch(db, "select patient_id from episodes") == [("P1",)]


@pytest.mark.usefixtures("with_centres")
def test_a_bsn_as_episode_id_of_a_child_table_is_refused_and_not_stored(write, load, db) -> None:
    load(write("episodes.csv", EPISODE + GOOD))
    [report] = load(
        write("costs.csv", "centre_code,episode_id,category,amount_eur\nUMCU,E1,implant,1800\nUMCU,111.222.333,implant,5\n")
    )
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    rows = fetch(db, "select value, reason from quarantine")
    [(value, reason)] = rows
    assert value == fingerprint("111222333") and "lijkt op een BSN" in reason
    assert not any("111222333" in without_separators(c) for c in stored_cells(db))


@pytest.mark.usefixtures("with_centres")
def test_other_cells_of_a_quarantined_row_do_not_carry_the_bsn(write, load, db) -> None:
    shifted = "111222333,E2,P2,knee_oa,tka,,2026-02-01,,111.222.333,F,,,\n"  # a BSN in centre_code and in age
    [report] = load(write("episodes.csv", EPISODE + GOOD + shifted))
    assert report.rows_quarantined == 1
    rows = fetch(db, "select centre_code, column_name, value from quarantine")
    assert {r[1] for r in rows} >= {"centre_code", "age"}
    assert all(r[0] == fingerprint("111222333") for r in rows)
    assert not any("111222333" in without_separators(c) for c in stored_cells(db))


@pytest.mark.usefixtures("with_centres")
def test_a_bad_date_is_still_shown_as_it_was_delivered(write, load, db) -> None:
    [report] = load(write("episodes.csv", EPISODE + GOOD + "UMCU,E2,P2,knee_oa,tka,,2026-02-30,,70,F,,,\n"))
    assert report.rows_quarantined == 1
    assert fetch(db, "select value from quarantine") == [("2026-02-30",)]


@pytest.mark.usefixtures("with_centres")
def test_the_fingerprint_is_keyed_by_the_configured_secret(write, load, db, monkeypatch) -> None:
    secret = "s" * 40
    monkeypatch.setenv(FINGERPRINT_ENV, secret)
    load(write("episodes.csv", EPISODE + GOOD + "UMCU,E2,111 222 333,knee_oa,tka,,2026-02-01,,70,F,,,\n"))
    expected = "hmac:" + hmac.new(secret.encode(), b"111222333", hashlib.sha256).hexdigest()[:32]
    assert fetch(db, "select value from quarantine") == [(expected,)]
    monkeypatch.delenv(FINGERPRINT_ENV)
    assert fingerprint("111222333") != expected  # the demo key gives another mark


@pytest.mark.usefixtures("with_centres")
def test_without_a_secret_outside_demo_mode_the_value_is_dropped(write, load, db, monkeypatch) -> None:
    monkeypatch.delenv("SAMEN_LEREN_DEMO", raising=False)
    monkeypatch.delenv(FINGERPRINT_ENV, raising=False)
    load(write("episodes.csv", EPISODE + GOOD + "UMCU,E2,BSN111222333,knee_oa,tka,,2026-02-01,,70,F,,,\n"))
    [(value, reason)] = fetch(db, "select value, reason from quarantine")
    assert value is None and FINGERPRINT_ENV in reason


def test_the_data_page_shows_a_refused_bsn__now_its_fingerprint(demo_warehouse, monkeypatch) -> None:
    at = app(demo_warehouse, monkeypatch, viewer=data_manager("AUMC")).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    quarantine = at.dataframe[1].value
    bsn = quarantine[quarantine["reason"].astype(str).str.contains("lijkt op een BSN")]
    assert len(bsn) and set(bsn["value"]) == {fingerprint("111222333")}
    assert "111222333" not in main_text(at)


# ---------------------------------------------------------------- user text as text

EVIL = "![x](https://evil.example/x.png) [klik](https://evil.example) <img src=x>"


def unescaped(markdown: str) -> str:
    """The markdown with every backslash-escaped character removed: what is left is live syntax."""
    return re.sub(r"\\.", "", markdown)


def live_markup(markdown: str) -> list[str]:
    live = unescaped(markdown)
    found = [m for m in ("![", "](", "<img", "<a ", "https://", "http://", "www.") if m in live]
    return found + re.findall(r"\w\.\w+\.example", live)


def test_plain_escapes_every_markdown_and_html_character() -> None:
    text = plain(EVIL)
    assert live_markup(text) == []
    assert re.sub(r"\\(.)", r"\1", text) == EVIL  # renders as exactly what was typed
    assert plain("Dr. De Vries, 3 dagen; 'umc's'") == "Dr. De Vries, 3 dagen; 'umc's'"
    assert plain("1. eerst") == "1\\. eerst" and plain("regel\n# kop") == "regel \\# kop"
    assert plain(":material/flag: :red[x] $x$") == "\\:material/flag\\: \\:red\\[x\\] \\$x\\$"
    assert plotly_text('<a href="https://evil.example">k</a> & co') == '&lt;a href="https://evil.example"&gt;k&lt;/a&gt; &amp; co'


@pytest.fixture
def evil_action(own_review_warehouse: Path) -> Path:
    action = {"pathway": "knee_oa", "indicator_code": "outcome:complication_severe", "what": EVIL,
              "who": "<img src=x> Dr. [X](https://evil.example)", "start_month": dt.date(2026, 8, 1),
              "expected_effect": "**vet** :red[rood] https://evil.example", "status": "do"}  # fmt: skip
    record_action(own_review_warehouse, lead("UMCU"), action, ["outcome:complication_severe"])
    return own_review_warehouse


def rendered_markdown(at) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown."""
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error, *at.subheader, *at.title]
    values = [str(e.value) for e in elements]
    values += [str(m.label) for m in at.metric] + [str(e.label) for e in at.expander] + [str(b.label) for b in at.button]
    return values


def test_an_action_with_an_image_link_renders_as_markdown_on_the_agenda__now_as_text(evil_action, monkeypatch) -> None:
    at = app(evil_action, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception
    agenda = [m.value for m in at.markdown if ":material/flag:" in m.value]
    assert len(agenda) == 1 and "evil" in agenda[0]
    for value in rendered_markdown(at):
        assert live_markup(value) == [], value
    chart = next(c.proto.spec for c in at.get("plotly_chart") if "Actie: " in c.proto.spec)
    assert "Actie: ![x]" in chart and "<img" not in chart and "<a " not in chart  # marked on the chart as text


def test_the_meeting_pack_renders_action_text_as_markup__now_as_text(evil_action) -> None:
    page = build(lead("UMCU"), evil_action, "UMCU", "knee_oa", SEPT).decode("utf-8")
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    assert "<a " not in page and "**vet**" in page  # the team's asterisks are text, not bold
    pdf = build(lead("UMCU"), evil_action, "UMCU", "knee_oa", SEPT, file_format="pdf")
    reader = PdfReader(io.BytesIO(pdf))
    links = [a for page in reader.pages for a in (page.get("/Annots") or [])]
    assert links == []  # no clickable link in the PDF
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "[klik](https://evil.example)" in text


def test_chart_texts_from_users_are_escaped() -> None:
    chart = pl.DataFrame(
        {"month_date": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], "value": [1.0, 2.0], "upper_limit": [3.0, 3.0],
         "lower_limit": [0.0, 0.0], "centre_line": [1.5, 1.5], "variation": ["common", "common"]}
    )  # fmt: skip
    fig = control_chart_figure(chart, "y", False, None, [(dt.date(2026, 2, 1), '<a href="https://evil.example">k</a>')])
    assert fig.layout.annotations[0].text.startswith("&lt;a href")
    frame = pl.DataFrame({"centre_name": ["<b>A&B</b>"], "pathway_label": ["Knie"], "v": [50.0], "month_date": [SEPT]})
    heat = heatmap_figure(frame, "centre_name", "pathway_label", "v", 60.0, True, "%")
    assert list(heat.data[0].y) == ["&lt;b&gt;A&amp;B&lt;/b&gt;"]
    lines = lines_figure(frame, "v", "centre_name", None, "y", "%")
    assert lines.data[0].name == "&lt;b&gt;A&amp;B&lt;/b&gt;" and "<b>" not in lines.data[0].hovertemplate


# ---------------------------------------------------------------- formula-safe CSV

FORMULAS = pl.DataFrame(
    {
        "text": ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "gewoon", None],
        "number": [-1.5, -2.0, 3.0, 0.0, 1.0, 2.0, 4.0, None],
        "count": [-1, 2, 3, 4, 5, 6, 7, 8],
    }
)


def test_csv_exports_are_not_formula_safe__now_they_are() -> None:
    safe = formula_safe(FORMULAS)
    assert safe["text"].to_list() == ['\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "gewoon", None]
    assert safe["number"].to_list() == FORMULAS["number"].to_list()  # negative numbers stay numbers
    assert safe["count"].dtype == pl.Int64 and safe["count"][0] == -1


@pytest.mark.parametrize(("lang", "delimiter", "negative"), [("nl", ";", "-1,5"), ("en", ",", "-1.5")])
def test_the_download_button_csv_is_formula_safe(lang, delimiter, negative) -> None:
    with language(lang):
        data = csv_bytes(FORMULAS).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))
    cells = [r[0] for r in rows[1:]]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert rows[1][1] == negative and rows[1][2] == "-1"  # numbers unquoted, unprefixed
