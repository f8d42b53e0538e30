"""The words are complete, used, spoken without Streamlit, and on the charts in the viewer's language.

- Every key has a non-empty Dutch and English text with the same ``{placeholders}``.
- No key is unused. The source is read (not run) for the keys handed to ``t``: a literal key,
  either branch of ``a if c else b``, and keys built from a prefix (``t("role_" + role)``,
  ``t(f"pack_{fmt}")``). Every such prefix must be listed in ``DYNAMIC`` below with where its
  endings come from, and each key it can build must exist. A module that hands ``t`` a key
  held in a variable (``t(title)``) counts every key written in it as used.
- ``reports.meeting_pack`` (the command-line pack) imports without loading Streamlit.
- Figures on a Dutch page show Dutch months, decimal commas and "€ 10.000".
"""

from __future__ import annotations

import ast
import datetime as dt
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from access.roles import Role
from analytics.adoption import MEASURES, headline
from analytics.funnel import position
from analytics.indicators import GRAINS, indicators_for
from analytics.monthly import add_months
from data_models.outcome_sets import outcome_sets
from texts import (
    TEXT,
    date_text,
    label,
    lang,
    language,
    money,
    month_name,
    month_short,
    month_ticks,
    number,
    percent,
    separators,
    t,
    timepoint_name,
    use_default_source,
)
from warehouse.actions import CHART_ERRORS

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {"tests", "test-artifacts", "data", "__pycache__"}
WORD_TABLE = ROOT / "texts" / "words.py"


def _review_equity_groups() -> set[str]:
    sql = "".join((ROOT / f).read_text() for f in ("queries/review_equity.sql", "warehouse/marts/equity_months.sql"))
    return {g for g in ("limited", "adequate", "unknown") if f"'{g}'" in sql}


# Keys built from a prefix, and where the endings come from (each one is a value the code can produce).
DYNAMIC: dict[str, Callable[[], set[str]]] = {
    # a control chart point's variation (analytics.spc) and its assurance against a target
    "variation_": lambda: {"improvement", "concern", "common"},
    "assurance_": lambda: {"pass", "fail", "hit_or_miss"},
    # the bold prefix of a sentence about a special cause: never "common"
    "prefix_": lambda: {"improvement", "concern"},
    # a centre's place in the funnel (analytics.funnel.position against limits 0 < 1 < 2 < 3)
    "position_": lambda: {position(v, 1.0, 2.0, 0.0, 3.0) for v in (-1.0, 0.5, 1.5, 2.5, 4.0)},
    "role_": lambda: {r.value for r in Role},
    # the meeting pack's download buttons (pages/review.py)
    "pack_": lambda: {"html", "pdf"},
    # the equity chart's health-literacy groups (queries/review_equity.sql and the mart it reads)
    "literacy_": _review_equity_groups,
    "headline_": lambda: set(headline(pl.DataFrame({"lags": []}, schema={"lags": pl.List(pl.String)}))),
    "measure_": lambda: {m.code for m in MEASURES},
    # the longer grains a chart can be shown at (the monthly one is the chart above it)
    "grain_": lambda: set(GRAINS) - {"month"},
    "group_": lambda: {i.group for oset in outcome_sets().values() for i in indicators_for(oset)},
    "chart_settings_error_": lambda: set(CHART_ERRORS),
    "better_": lambda: {i.better for oset in outcome_sets().values() for i in oset.instruments.values()},
    # the prediction models' validations (analytics.prediction.validate_models)
    "outcome_": lambda: {"followup", "mic", "event", "work"},
}


def source_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or SKIPPED_DIRS & set(parts) or path == WORD_TABLE or path.name.startswith("words_"):
            continue
        yield path


def _is_t(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "t") or (isinstance(func, ast.Attribute) and func.attr == "t")


def _key_parts(node: ast.expr) -> Iterator[tuple[str, str | None]]:
    """("literal", key), ("prefix", prefix) or ("indirect", None) for one argument of ``t``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield "literal", node.value
    elif isinstance(node, ast.IfExp):
        yield from _key_parts(node.body)
        yield from _key_parts(node.orelse)
    elif isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        yield "prefix", node.left.value
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        yield "prefix", node.values[0].value
    else:
        yield "indirect", None


def scan() -> tuple[set[str], dict[str, set[str]]]:
    """The keys the source uses, and each prefix with the files that build keys from it."""
    used: set[str] = set()
    prefixes: dict[str, set[str]] = {}
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_t(n) and n.args]
        parts = [p for call in calls for p in _key_parts(call.args[0])]
        used |= {value for kind, value in parts if kind == "literal"}
        for kind, value in parts:
            if kind == "prefix":
                prefixes.setdefault(value, set()).add(str(path.relative_to(ROOT)))
        if any(kind == "indirect" for kind, _ in parts):
            constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            used |= constants & TEXT.keys()
    return used, prefixes


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


# --- the word table --------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_key_is_in_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = TEXT[key]
    assert set(entry) == {"nl", "en"}, key
    assert entry["nl"].strip() and entry["en"].strip(), key
    assert placeholders(entry["nl"]) == placeholders(entry["en"]), key


def test_every_prefix_that_builds_keys_is_listed_and_still_used() -> None:
    _, prefixes = scan()
    assert set(prefixes) <= set(DYNAMIC), f"list these prefixes in DYNAMIC: {sorted(set(prefixes) - set(DYNAMIC))}"
    assert set(DYNAMIC) <= set(prefixes), f"no code builds keys from {sorted(set(DYNAMIC) - set(prefixes))}"


@pytest.mark.parametrize("prefix", sorted(DYNAMIC))
def test_every_key_a_prefix_can_build_exists(prefix: str) -> None:
    missing = sorted(prefix + ending for ending in DYNAMIC[prefix]() if prefix + ending not in TEXT)
    assert not missing


def test_no_key_is_unused() -> None:
    used, _ = scan()
    built = {prefix + ending for prefix, endings in DYNAMIC.items() for ending in endings()}
    assert not sorted(TEXT.keys() - used - built)


def test_the_scan_sees_literal_conditional_built_and_indirect_keys() -> None:
    used, prefixes = scan()
    assert {"review_title", "compare_good", "compare_bad", "grain_rule_quarter", "yes"} <= used
    assert "pages/comparison.py" in prefixes["position_"] and "pages/review.py" in prefixes["pack_"]


# --- the language ----------------------------------------------------------------------------


def test_the_language_is_dutch_unless_asked_and_a_block_wins_over_the_default_source() -> None:
    assert lang() == "nl" and t("yes") == "ja"
    with language("en"):
        assert lang() == "en" and t("yes") == "yes" and label({"nl": "knie", "en": "knee"}) == "knee"
        with language("nl"):
            assert t("headline_of", n=2, total=3) == "2 van 3"
        assert lang() == "en"
    previous = sys.modules["texts.language"]._default_source  # ui.text's session source, if ui was imported: put it back
    use_default_source(lambda: "en")
    try:
        assert lang() == "en"
        with language("nl"):
            assert lang() == "nl"
    finally:
        use_default_source(previous)
    assert lang() == "nl"
    with pytest.raises(ValueError, match="unknown language"), language("de"):
        pass


def test_a_label_without_english_falls_back_to_dutch() -> None:
    with language("en"):
        assert label({"nl": "heup"}) == "heup"


def test_the_command_line_pack_does_not_load_streamlit() -> None:
    code = "import sys, reports.meeting_pack; print(sorted(m for m in sys.modules if m.split('.')[0] in {'streamlit', 'ui'}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_texts_imports_nothing_above_it() -> None:
    for path in (ROOT / "texts").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not {m.split(".")[0] for m in names} & {"streamlit", "ui", "reports", "pages", "services"}, path


# --- formatting, worked by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nl", ("1.234,5", "-1.234.568", "12,3%", "€ 1.234", "€ 1.234,50", "–")),
        ("en", ("1,234.5", "-1,234,568", "12.3%", "€ 1,234", "€ 1,234.50", "–")),
    ],
)
def test_numbers_percentages_and_money(code: str, expected: tuple[str, ...]) -> None:
    with language(code):
        got = (number(1234.5, 1), number(-1234567.8), percent(0.123), money(1234.4), money(1234.5, 2), money(None))
    assert got == expected


def test_number_units_and_rounding() -> None:
    with language("nl"):
        assert number(7.26, 1, " dagen") == "7,3 dagen"
        assert number(0.5) == "0" and number(2.5) == "2"  # Python rounds halves to even
        assert number(None) == "–" and percent(None) == "–"
        assert number(12, 0, "%") == "12%"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nl", ("6 okt 2026", "oktober 2026", "okt 2026", "mrt 2024", "mei 2025", "12 maanden", "de start")),
        ("en", ("6 Oct 2026", "October 2026", "Oct 2026", "Mar 2024", "May 2025", "12 months", "baseline")),
    ],
)
def test_dates_months_and_timepoints(code: str, expected: tuple[str, ...]) -> None:
    with language(code):
        got = (
            date_text(dt.date(2026, 10, 6)), month_name(dt.date(2026, 10, 1)), month_short(dt.date(2026, 10, 1)),
            month_short(dt.date(2024, 3, 1)), month_short(dt.date(2025, 5, 1)), timepoint_name("12m"),
            timepoint_name("baseline"),
        )  # fmt: skip
    assert got == expected
    with language(code):
        assert date_text(dt.datetime(2026, 10, 6, 14, 5)) == expected[0]


def test_plotly_separators_per_language() -> None:
    with language("nl"):
        assert separators() == ",."
    with language("en"):
        assert separators() == ".,"


def test_month_ticks_fall_on_quarters_for_two_years_and_on_every_half_year() -> None:
    months = [add_months(dt.date(2023, 1, 1), i) for i in range(24)]
    with language("nl"):
        ticks = month_ticks(months)
        halves = month_ticks([dt.date(2023, 1, 1), dt.date(2023, 7, 1), dt.date(2024, 1, 1)])
    assert [text for _, text in ticks] == [
        "jan 2023", "apr 2023", "jul 2023", "okt 2023", "jan 2024", "apr 2024", "jul 2024", "okt 2024",
    ]  # fmt: skip
    assert [text for _, text in halves] == ["jan 2023", "jul 2023", "jan 2024"]
    assert month_ticks([]) == []
    five_years = month_ticks([add_months(dt.date(2020, 2, 1), i) for i in range(60)])
    assert 2 <= len(five_years) <= 8


# --- figures in the viewer's language --------------------------------------------------------

MONTHS = [add_months(dt.date(2023, 1, 1), i) for i in range(24)]


def _chart(values: list[float]) -> pl.DataFrame:
    n = len(values)
    centre = sum(values) / n
    return pl.DataFrame(
        {
            "month_date": MONTHS[:n], "value": values, "centre_line": [centre] * n, "upper_limit": [centre * 1.3] * n,
            "lower_limit": [centre * 0.7] * n, "variation": ["common"] * n,
        }
    )  # fmt: skip


def test_the_comparison_pages_half_year_chart_names_its_months_in_dutch() -> None:
    from ui.figures import own_trend_figure

    trend = pl.DataFrame(
        {
            "period_start": [dt.date(2024, 1, 1), dt.date(2024, 7, 1), dt.date(2025, 1, 1)],
            "adjusted_value": [0.101, 0.125, 0.118], "pooled_value": [0.11, 0.11, 0.12],
        }
    )  # fmt: skip
    with language("nl"):
        fig = own_trend_figure(trend, "UMCU", t("compare_pooled"), True, "Heropname")
    assert fig.layout.separators == ",."
    assert list(fig.layout.xaxis.ticktext) == ["jan 2024", "jul 2024", "jan 2025"]
    assert "%b" not in "".join(d.hovertemplate for d in fig.data)
    assert list(fig.data[1].text) == ["jan 2024", "jul 2024", "jan 2025"]
    with language("en"):
        english = own_trend_figure(trend, "UMCU", t("compare_pooled"), True, "Readmission")
    assert english.layout.separators == ".," and list(english.layout.xaxis.ticktext)[1] == "Jul 2024"


def test_the_review_pages_control_chart_speaks_dutch_and_counts_euros_in_full() -> None:
    from ui.figures import control_chart_figure

    with language("nl"):
        fig = control_chart_figure(_chart([9800.0 + 100 * i for i in range(24)]), "Kosten", False, MONTHS[-1], money=True)
    assert fig.layout.separators == ",."
    assert "okt 2023" in fig.layout.xaxis.ticktext and "Oct 2023" not in fig.layout.xaxis.ticktext
    assert "€ 10.000" in fig.layout.yaxis.ticktext and not any("k" in text for text in fig.layout.yaxis.ticktext)
    assert {d.name for d in fig.data} >= {"bovengrens", "ondergrens", "gemiddelde"}
    with language("en"):
        english = control_chart_figure(_chart([0.12] * 24), "Readmission", True, MONTHS[-1])
    assert "Oct 2023" in english.layout.xaxis.ticktext and english.layout.separators == ".,"
    assert english.layout.yaxis.ticksuffix == "%" and {d.name for d in english.data} >= {"upper limit", "average"}


def test_the_cost_chart_labels_euros_the_dutch_way() -> None:
    from ui.figures import stacked_cost_figure

    costs = pl.DataFrame(
        {"month_date": MONTHS[:3] * 2, "category": ["ok"] * 3 + ["ward"] * 3, "mean_cost_eur": [6000.0] * 3 + [5500.0] * 3}
    )
    with language("nl"):
        fig = stacked_cost_figure(costs, {"ok": "OK", "ward": "Verpleegafdeling"}, "Kosten")
    assert list(fig.layout.yaxis.ticktext)[:3] == ["€ 0", "€ 2.500", "€ 5.000"] and "€ 12.500" in fig.layout.yaxis.ticktext
    assert list(fig.layout.xaxis.ticktext) == ["jan 2023", "feb 2023", "mrt 2023"]
    assert fig.layout.separators == ",." and fig.data[0].customdata[2] == "mrt 2023"


def test_the_meeting_packs_chart_image_speaks_the_packs_language() -> None:
    from reports.charts import control_chart_image

    chart = _chart([9800.0 + 100 * i for i in range(24)])
    with language("nl"):
        dutch = control_chart_image(chart, "Kosten", False, MONTHS[-1], [], "svg", money=True).decode()
    with language("en"):
        english = control_chart_image(chart, "Cost", False, MONTHS[-1], [], "svg", money=True).decode()
    assert "okt 2023" in dutch and "€ 10.000" in dutch and "Oct 2023" not in dutch
    assert "Oct 2023" in english and "€ 10,000" in english
