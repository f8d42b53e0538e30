"""The monthly meeting pack: the review of one pathway and month as one self-contained file.

``collect`` asks ``services.monthly_review.monthly_review``, the function the review page asks,
through the same access rules, so the pack shows the page's numbers (its table is the page's
tiles, in the words of ``texts.review.tile_text``). ``to_html`` writes one HTML file with its
styles and charts (SVG) inside, which opens offline in any browser; ``to_pdf`` writes the same
content as a PDF. Patient rows are only included when asked for, and then the pack says so on its
first line and the audit trail records it.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import polars as pl
from fpdf import FPDF

from access import audit
from access.roles import Viewer
from analytics.indicators import Summary
from analytics.monthly import Comparison
from reports.charts import control_chart_image
from services.monthly_review import MonthlyReview, monthly_review, review_patients
from texts import date_text, label, lang, language, month_name, t
from texts.review import change_text, count_text, tile_text, tile_value
from texts.sentences import action_line, baseline_marker, fmt, on_chart, sentence, settings_line, variation_words
from warehouse.actions import ChartSettings


@dataclass(frozen=True)
class Pack:
    """The review as the service gave it, the patient rows when asked for, and when the pack was made."""

    review: MonthlyReview
    patients: pl.DataFrame | None
    made_at: dt.datetime

    @property
    def centre_name(self) -> str:
        return self.review.centre_name

    @property
    def pathway_label(self) -> str:
        return label(self.review.pathway_label)

    @property
    def month(self) -> dt.date:
        return self.review.month

    @property
    def months(self) -> list[dt.date]:
        return self.review.months

    @property
    def volume(self) -> Comparison:
        return self.review.volume

    @property
    def summaries(self) -> list[Summary]:
        return self.review.summaries

    @property
    def actions(self) -> pl.DataFrame:
        return self.review.actions

    @property
    def open_actions(self) -> pl.DataFrame:
        return self.review.open_actions

    @property
    def chart_settings(self) -> dict[str, ChartSettings]:
        return self.review.chart_settings

    @property
    def agenda(self) -> list[Summary]:
        return self.review.agenda

    @property
    def names(self) -> dict[str, str]:
        return {code: label(labels) for code, labels in self.review.labels.items()}


def collect(viewer: Viewer, db: Path, centre_code: str | None, pathway: str, month: dt.date, with_patients: bool = False) -> Pack:
    """Everything the pack shows, read as ``viewer`` (refused outside the viewer's scope)."""
    review = monthly_review(viewer, db, centre_code, pathway, month)
    patients = None
    if with_patients:
        patients = review_patients(viewer, db, centre_code, pathway, month)
        audit.record(
            "pack_with_patient_rows", f"{centre_code} {pathway} {month:%Y-%m}", viewer,
            patients=[audit.fingerprint(k) for k in audit.patient_keys(patients)],
        )  # fmt: skip
    return Pack(review=review, patients=patients, made_at=dt.datetime.now().replace(microsecond=0))


def _markdown_bold(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text))


USER_FIELDS = ("what", "who", "expected_effect", "result_note")
_USER_MARK = re.compile("\x00([0-9])\x00")


def action_lines(pack: Pack, frame: pl.DataFrame, user: Callable[[str], str], template: Callable[[str], str]) -> list[str]:
    """Each action in words: our sentence through ``template``, the team's own text through ``user``.

    The team's text is put in after the sentence's markup is made, in one pass, so that it is
    never read as markup: not as the sentence's bold, not as HTML, not as a link in the PDF.
    """
    marks = {f: f"\x00{i}\x00" for i, f in enumerate(USER_FIELDS)}
    lines = []
    for row in frame.iter_rows(named=True):
        texts = ["" if row.get(f) is None else str(row[f]) for f in USER_FIELDS]
        line = template(action_line({**row, **marks}, pack.names))
        lines.append(_USER_MARK.sub(lambda m, texts=texts: user(texts[int(m.group(1))]), line))
    return lines


def html_action_lines(pack: Pack, frame: pl.DataFrame) -> list[str]:
    return action_lines(pack, frame, html.escape, _markdown_bold)


def pdf_action_lines(pack: Pack, frame: pl.DataFrame) -> list[str]:
    """Plain text for ``_pdf_text(..., markdown=False)``: fpdf2's markdown cannot escape a link."""
    return action_lines(pack, frame, str, lambda line: line.replace("**", ""))


def tile_rows(pack: Pack) -> list[tuple[str, str, str, str, str]]:
    """(indicator, value, previous 12 months, change, variation): the page's tiles (``texts.review.tile_text``)."""
    rows = []
    for summary in pack.summaries:
        tile = tile_text(summary)
        cohort = t("tile_cohort", month=month_name(summary.month)) if summary.month is not None else ""
        variation = f"{tile.variation} ({cohort})" if cohort else tile.variation
        rows.append((tile.label, tile_value(summary), tile.previous, change_text(summary) or "–", variation))
    return rows


def chart_for(pack: Pack, summary: Summary, image_format: str) -> bytes:
    ind = summary.indicator
    marks = [(start, text.replace("$", r"\$")) for start, text in on_chart(pack.actions, ind.code)]  # no mathtext
    months = pack.review.months_for(ind.code)  # the indicator's chart, ending at its cohort
    baseline = baseline_marker(pack.chart_settings.get(ind.code), months)  # in the pack's language
    return control_chart_image(
        summary.chart, label(ind.label), ind.unit == "pct", pack.review.cohort_for(ind.code), marks, image_format, baseline=baseline,
        money=ind.unit == "eur",
    )  # fmt: skip


def chart_settings_line(pack: Pack, summary: Summary) -> str | None:
    """The chart's fixed baseline and excluded months in raw text (the reasons are the team's: escape them)."""
    code = summary.indicator.code
    return settings_line(pack.chart_settings.get(code), pack.review.months_for(code))


def title(pack: Pack) -> str:
    return t("pack_title", centre=pack.centre_name, pathway=pack.pathway_label, month=month_name(pack.month))


def notice(pack: Pack) -> str:
    return t("pack_with_patients") if pack.patients is not None else t("pack_without_patients")


def made_line(pack: Pack) -> str:
    """When the pack was made: "Gemaakt op 6 okt 2026 14:05 met Samen Leren."."""
    return t("pack_made", at=f"{date_text(pack.made_at)} {pack.made_at:%H:%M}")


def volume_line(pack: Pack) -> str:
    return t("pack_volume", value=count_text(pack.volume.value), previous=count_text(pack.volume.previous))


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 60rem;
       color: #1d2125; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem;
     border-bottom: 1px solid #d0d4d8; padding-bottom: .2rem; }
.notice { background: #f3f5f7; padding: .5rem .8rem; border-left: 4px solid #1f5fa8; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #e6e8eb; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
figure { margin: 1rem 0; page-break-inside: avoid; } figcaption { font-size: .85rem; color: #4a5057; }
img { max-width: 100%; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
"""


def _table(headers: list[str], rows: list[tuple], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{html.escape(str(v))}</td>" for i, v in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _list(items: list[str], is_html: bool = False) -> str:
    return "<ul>" + "".join(f"<li>{i if is_html else _markdown_bold(i)}</li>" for i in items) + "</ul>"


def _patients_table(patients: pl.DataFrame) -> str:
    shown = patients.with_columns(pl.col(pl.Float64).round(1))
    return _table(shown.columns, [tuple("" if v is None else v for v in r) for r in shown.iter_rows()])


def to_html(pack: Pack) -> str:
    """One self-contained HTML file: styles and charts inside, no scripts, nothing fetched."""
    parts = [f"<h1>{html.escape(title(pack))}</h1>", f'<p class="notice">{html.escape(notice(pack))}</p>']
    parts.append(f"<p>{html.escape(volume_line(pack))}</p>")
    parts.append(f"<h2>{html.escape(t('agenda'))}</h2>")
    parts.append(_list([sentence(s) for s in pack.agenda]) if pack.agenda else f"<p>{html.escape(t('agenda_empty'))}</p>")
    parts.append(f"<h2>{html.escape(t('actions_to_review'))}</h2>")
    lines = html_action_lines(pack, pack.open_actions)
    parts.append(_list(lines, is_html=True) if lines else f"<p>{html.escape(t('pack_no_open_actions'))}</p>")
    parts.append(f"<h2>{html.escape(t('indicators'))}</h2>")
    headers = [t("pack_indicator"), t("pack_value"), t("pack_previous"), t("pack_change"), t("pack_variation")]
    parts.append(_table(headers, tile_rows(pack), numeric={1, 2, 3}))
    parts.append(f"<h2>{html.escape(t('pack_charts'))}</h2><p>{html.escape(t('chart_caption'))}</p>")
    for s in pack.summaries:
        svg = base64.b64encode(chart_for(pack, s, "svg")).decode("ascii")
        caption = html.escape(f"{label(s.indicator.label)}: {fmt(s.indicator, s.value)} · {variation_words(s)}")
        line = chart_settings_line(pack, s)
        settings = f'<br><span class="settings">{html.escape(line)}</span>' if line else ""
        parts.append(
            f'<figure><img alt="{caption}" src="data:image/svg+xml;base64,{svg}">'
            f"<figcaption>{caption}{settings}</figcaption></figure>"
        )
    parts.append(f"<h2>{html.escape(t('actions_table'))}</h2>")
    all_actions = html_action_lines(pack, pack.actions)
    parts.append(_list(all_actions, is_html=True) if all_actions else f"<p>{html.escape(t('actions_none'))}</p>")
    if pack.patients is not None:
        parts.append(f"<h2>{html.escape(t('patients'))}</h2>" + _patients_table(pack.patients))
    parts.append(f"<p><small>{html.escape(made_line(pack))}</small></p>")
    return (
        f'<!doctype html><html lang="{lang()}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title(pack))}</title><style>{STYLE}</style></head><body>" + "\n".join(parts) + "</body></html>"
    )


class _PackPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("pack", size=7)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def _font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _pdf_text(pdf: FPDF, text: str, size: float = 9.5, bold: bool = False, markdown: bool = True) -> None:
    """A paragraph; ``markdown=False`` for anything holding user text (fpdf2 would render its links)."""
    pdf.set_font("pack", style="B" if bold else "", size=size)
    pdf.multi_cell(0, size * 0.5, text, markdown=markdown, new_x="LMARGIN", new_y="NEXT")


def _pdf_heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    _pdf_text(pdf, text, size=12.5, bold=True)
    pdf.ln(1)


def _pdf_table(pdf: FPDF, headers: list[str], rows: list[tuple]) -> None:
    pdf.set_font("pack", size=7.5)
    with pdf.table(col_widths=(34, 12, 12, 12, 30), text_align="LEFT", line_height=4) as table:
        table.row(headers)
        for row in rows:
            table.row([str(v) for v in row])


def to_pdf(pack: Pack) -> bytes:
    """The pack as a PDF (A4), with the same text, table and charts as the HTML."""
    pdf = _PackPdf(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("pack", "", str(_font_dir() / "DejaVuSans.ttf"))
    pdf.add_font("pack", "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title(pack))
    pdf.set_creation_date(pack.made_at)
    pdf.add_page()
    _pdf_text(pdf, title(pack), size=15, bold=True, markdown=False)  # the centre's name is delivered text
    _pdf_text(pdf, notice(pack))
    _pdf_text(pdf, volume_line(pack))
    _pdf_heading(pdf, t("agenda"))
    for s in pack.agenda or []:
        _pdf_text(pdf, "• " + sentence(s))
    if not pack.agenda:
        _pdf_text(pdf, t("agenda_empty"))
    _pdf_heading(pdf, t("actions_to_review"))
    for line in pdf_action_lines(pack, pack.open_actions) or [t("pack_no_open_actions")]:
        _pdf_text(pdf, "• " + line, markdown=False)
    _pdf_heading(pdf, t("indicators"))
    _pdf_table(
        pdf, [t("pack_indicator"), t("pack_value"), t("pack_previous"), t("pack_change"), t("pack_variation")], tile_rows(pack)
    )
    _pdf_heading(pdf, t("pack_charts"))
    for s in pack.summaries:
        _pdf_text(pdf, f"**{label(s.indicator.label)}**: {fmt(s.indicator, s.value)} · {variation_words(s)}", size=8.5)
        if line := chart_settings_line(pack, s):
            _pdf_text(pdf, line, size=8, markdown=False)  # the reasons are the team's own text
        pdf.image(io.BytesIO(chart_for(pack, s, "png")), w=175)
    _pdf_heading(pdf, t("actions_table"))
    for line in pdf_action_lines(pack, pack.actions) or [t("actions_none")]:
        _pdf_text(pdf, "• " + line, markdown=False)
    if pack.patients is not None:
        _pdf_heading(pdf, t("patients"))
        shown = pack.patients.with_columns(pl.col(pl.Float64).round(1))
        pdf.set_font("pack", size=6)
        with pdf.table(text_align="LEFT", line_height=3) as table:
            table.row(shown.columns)
            for row in shown.iter_rows():
                table.row(["" if v is None else str(v) for v in row])
    _pdf_text(pdf, made_line(pack), size=7)
    return bytes(pdf.output())


def build(
    viewer: Viewer,
    db: Path,
    centre_code: str | None,
    pathway: str,
    month: dt.date,
    file_format: str = "html",
    with_patients: bool = False,
    lang: str = "nl",
) -> bytes:
    """The pack as bytes: ``file_format`` html or pdf, in Dutch or English."""
    with language(lang):
        pack = collect(viewer, db, centre_code, pathway, month, with_patients)
        return to_pdf(pack) if file_format == "pdf" else to_html(pack).encode("utf-8")
