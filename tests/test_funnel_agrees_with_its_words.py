"""What the funnel draws and what the table and sentence say agree, for every centre on the demo.

For every pathway and indicator of one closed half-year, crude and adjusted, and for every
viewer (each centre's lead, who sees its own dot at the exact x, and the programme lead, who
sees every dot at its rounded x), the figure that ``ui.figures.funnel_figure`` builds is read
back as a reader would: each limit line is interpolated at each dot's x, the dot is placed
against those four values, and that must be the position in the table (from which the page's
sentence is made). The page itself is checked for the centre of issue 16 (UMCG, knee, 2025-H2).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from analytics.disclosure import MIN_PATIENTS, MIN_PEERS, view_key
from analytics.peers import VALUE_STEP, comparison_indicators, protect
from analytics.periods import ReportingPeriod
from data_models.outcome_sets import outcome_sets
from services.peer_comparison import centre_aggregates
from tests.apptest import app, texts
from texts import t
from ui.figures import funnel_figure

PERIOD = ReportingPeriod(dt.date(2025, 7, 1))  # closed on the demo; the page test's H2_2025
LINES = ("lower_998", "lower_95", "upper_95", "upper_998")
SENTENCE = {
    "above_998": "ligt boven de 99,8%-grens",
    "above_95": "ligt boven de 95%-grens",
    "within": "ligt binnen de grenzen",
    "below_95": "ligt onder de 95%-grens",
    "below_998": "ligt onder de 99,8%-grens",
}


def drawn_positions(fig: dict) -> dict[str, str]:
    """Label → where the figure shows the dot: its y against the four lines interpolated at its x."""
    lines = {
        tr["name"]: (np.asarray(tr["x"], float), np.asarray(tr["y"], float)) for tr in fig["data"] if tr.get("name") in LINES
    }
    assert set(lines) == set(LINES)
    out: dict[str, str] = {}
    for trace in fig["data"]:
        if trace.get("name") not in ("own", "peers"):
            continue
        for x, y, who in zip(trace["x"], trace["y"], trace["customdata"], strict=True):
            at = {name: float(np.interp(x, *lines[name])) for name in LINES}
            grid = lines["upper_998"][0]
            assert grid.min() <= x <= grid.max(), "a dot beyond the drawn lines"
            if y > at["upper_998"]:
                out[who] = "above_998"
            elif y > at["upper_95"]:
                out[who] = "above_95"
            elif y < at["lower_998"]:
                out[who] = "below_998"
            elif y < at["lower_95"]:
                out[who] = "below_95"
            else:
                out[who] = "within"
    return out


def views(db):
    """Every (pathway, indicator, viewer, comparison) of the period, from one set of aggregates each."""
    for pathway, oset in outcome_sets().items():
        for indicator in comparison_indicators(oset):
            aggregates = centre_aggregates(indicator, oset, PERIOD, db)
            codes = aggregates.per_centre["centre_code"].to_list()
            for own in [None, *codes]:
                name = f"Centrum {own}" if own else ""
                result = protect(indicator, aggregates, own, name, view_key(pathway, PERIOD.code, own), MIN_PATIENTS, MIN_PEERS)
                if result.is_shown:
                    yield pathway, indicator, own, result


@pytest.fixture(scope="module")
def all_views(small_demo):
    return list(views(small_demo))


def test_every_dot_is_drawn_where_the_table_places_it(all_views) -> None:
    checked, outside = 0, 0
    for pathway, indicator, own, result in all_views:
        percent = indicator.kind == "proportion"
        for mode in ("crude", "adjusted"):
            fig = funnel_figure(
                result.centres, result.curves[mode], result.targets[mode], f"{mode}_value", percent, "y", "x", x=f"{mode}_x"
            )
            drawn = drawn_positions(fig.to_plotly_json())
            shown = result.centres.filter(~result.centres["is_suppressed"])
            said = dict(zip(shown["label"], shown[f"{mode}_position"], strict=True))
            assert drawn == said, (pathway, indicator.code, own, mode)
            checked += len(said)
            outside += sum(p != "within" for p in said.values())
    assert checked > 1000 and outside > 50  # the demo has dots on both sides of the lines, not only inside


def test_peers_are_drawn_at_rounded_x_and_the_own_centre_at_its_exact_count(all_views) -> None:
    for _, indicator, own, result in all_views:
        shown = result.centres.filter(~result.centres["is_suppressed"])
        peers = shown.filter(~shown["is_own"])
        assert all(n % 5 == 0 for n in peers["crude_x"]), "a peer's crude x is its rounded count"
        assert (peers["crude_x"] == peers["patients_n"]).all()
        if indicator.kind == "proportion":
            # the adjusted x, E × rounded(n)/n, follows from what is shown: rounded n × crude value / adjusted
            # value, times one factor common to all centres of the view (pooled rate / pooled O/E); peers'
            # values are shown in whole percents, so the factor agrees within that rounding only
            factors = [
                row["adjusted_x"] * row["adjusted_value"] / (row["patients_n"] * row["crude_value"])
                for row in shown.iter_rows(named=True)
                if row["crude_value"] >= 0.05 and row["adjusted_value"] >= 0.05
            ]
            if factors:
                assert max(factors) == pytest.approx(min(factors), rel=0.25)
        else:
            assert (shown["adjusted_x"] == shown["patients_n"]).all()
        if own is not None:
            assert shown.filter(shown["is_own"])["crude_x"].to_list() == shown.filter(shown["is_own"])["patients_n"].to_list()


def test_the_shrunken_estimate_lies_between_the_observed_value_and_the_mean(all_views) -> None:
    for _, indicator, _, result in all_views:
        shown = result.centres.filter(~result.centres["is_suppressed"])
        values, shrunken = shown["adjusted_value"].to_list(), shown["shrunken_value"].to_list()
        slack = VALUE_STEP[indicator.kind] + 1e-9  # peers' values and estimates are each rounded to the page's precision
        if indicator.kind == "proportion":
            # Poisson–gamma: pulled towards the pooled O/E, which is the target on the rate scale
            target = result.targets["adjusted"]
            for value, shrunk in zip(values, shrunken, strict=True):
                assert min(value, target) - slack <= shrunk <= max(value, target) + slack
        else:
            # random effects: pulled towards the random-effects mean, inside the observed range
            assert min(values) - slack <= min(shrunken) and max(shrunken) <= max(values) + slack


@pytest.mark.parametrize("mode", ["adjusted", "crude"])
def test_the_page_draws_what_its_sentence_says(small_demo, monkeypatch, mode) -> None:
    # issue 16: UMCG's knee dot was drawn between the lines while the sentence said "boven de 99,8%-grens"
    at = app(small_demo, monkeypatch, viewer_centre="UMCG", pathway="knee_oa", compare_period=PERIOD, compare_mode=mode).run()
    at.switch_page("pages/comparison.py").run()
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    drawn = drawn_positions(go.Figure(fig).to_plotly_json())
    own = next(tr["customdata"][0] for tr in fig["data"] if tr.get("name") == "own")
    sentence = next(m for m in texts(at).splitlines() if m.startswith("**Uw resultaat"))
    assert SENTENCE[drawn[own]] in sentence, (drawn[own], sentence)
    assert drawn[own] == "above_998"  # the demo's true outlier, through 2025
    table = next(d.value for d in at.dataframe)
    assert t("compare_table_shrunken") in table.columns
    for label, position in zip(table["Centrum"], table["Positie"], strict=True):
        if label in drawn:
            assert re.sub(r":.*", "", position) == t("position_" + drawn[label]).split(":")[0]
