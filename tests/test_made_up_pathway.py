"""A made-up pathway, added as one YAML file, works on every page for every role.

The outcome set is a copy of one with a new pathway code, a new instrument and two case-mix
variables no other pathway has (grip strength, numeric; dominant hand, categorical). Its demo
warehouse is built by the real generator and loader (the command line, in its own process);
the app then sees only that outcome set, as an install configured with it would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from access.roles import Viewer
from data_models.outcome_sets import OUTCOME_SET_ENV, outcome_sets
from services.adoption import adoption
from services.patients_like_me import fit_pathway
from tests.apptest import app, main_text
from tests.fixtures import MADE_UP_CATEGORICAL, MADE_UP_NUMERIC
from tests.viewers import ADMIN, PROGRAMME, data_manager, lead, team
from ui.navigation import PAGE_FILES
from warehouse.connection import published


@pytest.fixture
def only_made_up(made_up, monkeypatch) -> Iterator[tuple[Path, str]]:
    pathway, folder, db = made_up
    monkeypatch.setenv(OUTCOME_SET_ENV, str(folder))
    outcome_sets.cache_clear()
    yield db, pathway
    monkeypatch.delenv(OUTCOME_SET_ENV)
    outcome_sets.cache_clear()


def _centre(db: Path, pathway: str) -> str:
    with duckdb.connect(str(published(db)), read_only=True) as con:
        row = con.execute(
            "select centre_code from episodes where pathway = $p group by 1 order by count(*) desc limit 1", {"p": pathway}
        ).fetchone()
    assert row is not None
    return row[0]


def _viewers(centre: str, pathway: str) -> list[Viewer]:
    return [team(centre, pathway), lead(centre), data_manager(centre), PROGRAMME, ADMIN]


def test_every_page_renders_for_every_role(only_made_up, monkeypatch) -> None:
    db, pathway = only_made_up
    centre = _centre(db, pathway)
    opened = 0
    for viewer in _viewers(centre, pathway):
        for page, (path, *_rest) in PAGE_FILES.items():
            if not viewer.may_open(page):
                continue
            at = app(db, monkeypatch, viewer=viewer).run()
            at.switch_page(path).run()
            assert not at.exception, (viewer.role, page, [e.value for e in at.exception])
            assert at.title, (viewer.role, page)
            opened += 1
    assert opened >= 15


def test_the_new_variables_are_asked_with_their_labels(only_made_up, monkeypatch) -> None:
    db, pathway = only_made_up
    oset = outcome_sets()[pathway]
    at = app(db, monkeypatch, viewer=lead(_centre(db, pathway))).run()
    at.switch_page(PAGE_FILES["decide"][0]).run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [w.label for w in at.number_input] + [w.label for w in at.selectbox]
    numeric, categorical = oset.casemix[MADE_UP_NUMERIC], oset.casemix[MADE_UP_CATEGORICAL]
    assert any(numeric.label["nl"] in label for label in labels), labels
    assert any(categorical.label["nl"] in label for label in labels), labels
    choice = next(w for w in at.selectbox if categorical.label["nl"] in w.label)
    assert {c["nl"] for c in categorical.choices.values()} <= set(choice.options)  # shown by their labels
    shown = re.sub(r'\bid: "[^"]*"', "", main_text(at))  # widget ids are keys, never shown
    leaks = [
        shown[max(0, i - 80) : i + 40] for code in (MADE_UP_NUMERIC, MADE_UP_CATEGORICAL) for i in [shown.find(code)] if i >= 0
    ]
    assert not leaks, leaks


def test_the_new_variables_enter_the_prediction_models(only_made_up) -> None:
    db, pathway = only_made_up
    models = fit_pathway(pathway, published(db))
    names = {n for option in models.pooled.values() if option.followup for n in option.followup.design.names}
    assert MADE_UP_NUMERIC in names, names
    assert any(n.startswith(f"{MADE_UP_CATEGORICAL}=") for n in names), names


def test_the_new_variables_count_in_adoption_completeness(only_made_up) -> None:
    db, pathway = only_made_up
    centre = _centre(db, pathway)
    with duckdb.connect(str(published(db)), read_only=True) as con:
        month, present = con.execute(
            "select max(date_trunc('month', e.treatment_date))::date, "
            "count(*) filter (where c.variable = $v and (c.value_text is not null or c.value_number is not null)) "
            "from episodes e join episode_casemix c using (centre_code, episode_id) where e.pathway = $p and e.centre_code = $c",
            {"p": pathway, "c": centre, "v": MADE_UP_CATEGORICAL},
        ).fetchone()
    assert present > 0  # the categorical variable arrived as baseline characteristics
    result = adoption(lead(centre), published(db), month, centre_code=centre)
    row = result.summary.filter(pl.col("pathway") == pathway).row(0, named=True)
    assert 50 < row["casemix_complete_pct"] <= 100  # not reported as 0% because a variable is new
