"""A pathway is a file: no code names one (nor its treatments, variables, outcomes or instruments), and a made-up one
is simulated and loaded."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from data_models.outcome_sets import OUTCOME_SET_ENV, outcome_set_dir, outcome_sets
from data_models.schemas import TABLES
from sample_data.generator import simulate
from tests.conftest import ROOT
from tests.fixtures import (
    MADE_UP_CATEGORICAL,
    MADE_UP_INSTRUMENT,
    MADE_UP_NUMERIC,
    write_made_up_outcome_set,
)
from warehouse.connection import published


def string_constants(folder: Path) -> Iterator[tuple[str, int, str]]:
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.lineno, node.value


# The episodes table of the data standard has columns that coincide with case-mix codes (age, sex, ...): code that
# reads or writes that table may name them.
COLUMNS_OF_THE_STANDARD = set(TABLES["episodes"].columns)
APP_FOLDERS = ("warehouse", "queries", "analytics", "services", "texts", "reports", "ui", "pages", "access", "cli")
EVERY_KIND = ("pathway", "treatment", "case-mix variable", "outcome", "instrument")


def sql_literals(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.rglob("*.sql")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for value in re.findall(r"'([^']*)'", line.split("--")[0]):
                yield f"{path.relative_to(ROOT)}:{number}", value


def named_codes(kinds: tuple[str, ...]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for pathway, oset in outcome_sets().items():
        found = {
            "pathway": [pathway],
            "treatment": list(oset.treatments),
            "case-mix variable": list(oset.casemix),
            "outcome": list(oset.clinical_outcomes),
            "instrument": list(oset.instruments),
        }
        for kind in kinds:
            codes.update((code, f"{kind} of {pathway}") for code in found[kind])
    return codes


@pytest.mark.parametrize(
    ("folder", "kinds"),
    [
        ("sample_data", ("pathway", "treatment", "case-mix variable", "outcome", "instrument")),
        ("bench", ("pathway", "treatment", "case-mix variable")),
    ],
)
def test_the_generator_and_the_benchmark_name_no_pathway(folder, kinds) -> None:
    codes = named_codes(kinds)
    named = [
        f"{where}: {value!r} ({codes[value]})"
        for where, _, value in string_constants(ROOT / folder)
        if value in codes and value not in COLUMNS_OF_THE_STANDARD
    ]
    assert not named, "\n".join(named)


@pytest.mark.parametrize("folder", APP_FOLDERS)
def test_no_app_code_or_question_names_a_pathway_or_its_codes(folder) -> None:
    codes = named_codes(EVERY_KIND)
    found = [(where, value) for where, _, value in string_constants(ROOT / folder)] + list(sql_literals(ROOT / folder))
    named = [
        f"{where}: {value!r} ({codes[value]})"
        for where, value in found
        if value in codes and value not in COLUMNS_OF_THE_STANDARD
    ]
    assert not named, "\n".join(named)


def test_the_demo_holds_every_pathway_and_its_baseline_characteristics() -> None:
    sim = simulate(seed=3, scale="tiny")
    assert set(sim.episodes["pathway"]) == set(outcome_sets())
    characteristics = {v.code: v for s in outcome_sets().values() for v in s.casemix_from("characteristic")}
    rows = sim.baseline_characteristics.join(
        sim.episodes.select("centre_code", "episode_id", "pathway"), on=["centre_code", "episode_id"]
    )
    assert set(rows["variable"]) == set(characteristics)
    for (pathway, variable), values in rows.group_by("pathway", "variable"):
        var = outcome_sets()[pathway].casemix[variable]
        assert var.origin == "characteristic"
        if var.is_numeric:
            numbers = values["value"].cast(pl.Float64)
            assert values["value"].str.contains(r"^\d+\.\d+$").all()  # text with a decimal point
            assert numbers.min() >= var.min and numbers.max() <= var.max
        else:
            assert set(values["value"]) <= set(var.choices)
        assert values.height > 0.8 * sim.episodes.filter(pl.col("pathway") == pathway).height  # a few left empty


def test_the_outcome_set_directory_follows_the_environment(tmp_path, monkeypatch) -> None:
    pathway = write_made_up_outcome_set(tmp_path)
    assert pathway not in outcome_sets()
    monkeypatch.setenv(OUTCOME_SET_ENV, str(tmp_path))
    assert outcome_set_dir() == tmp_path
    assert list(outcome_sets()) == [pathway]
    monkeypatch.delenv(OUTCOME_SET_ENV)
    assert pathway not in outcome_sets()


def test_a_made_up_pathway_with_a_minimal_demo_block_is_simulated(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(OUTCOME_SET_ENV, str(tmp_path))
    pathway = write_made_up_outcome_set(tmp_path)
    sim = simulate(seed=5, scale="tiny")
    assert set(sim.episodes["pathway"]) == {pathway}
    assert set(sim.episodes["centre_code"]) == {"AUMC", "EMC", "LUMC", "MUMC", "RUMC", "UMCG", "UMCU"}  # umc's by default
    assert MADE_UP_INSTRUMENT in set(sim.prom_measurements["instrument"])
    assert set(sim.clinical_outcomes["outcome"]) == set(outcome_sets()[pathway].clinical_outcomes)
    assert set(sim.baseline_characteristics["variable"]) == {MADE_UP_NUMERIC, MADE_UP_CATEGORICAL}


def test_a_made_up_pathway_loads_through_the_real_loader(made_up) -> None:
    pathway, db = made_up.pathway, published(made_up.db)
    with duckdb.connect(str(db), read_only=True) as con:
        pathways = con.execute("select distinct pathway from episodes").fetchall()
        instruments = {r[0] for r in con.execute("select distinct instrument from prom_measurements").fetchall()}
        quarantined = con.execute("select count(*) from quarantine where table_name = 'baseline_characteristics'").fetchone()
        counts = dict(
            con.execute(
                "select variable, count(*) from baseline_characteristics join episodes using (centre_code, episode_id)"
                " group by variable"
            ).fetchall()
        )
        numbers = con.execute(
            "select min(value_number), max(value_number) from baseline_characteristics where variable = $v",
            {"v": MADE_UP_NUMERIC},
        ).fetchone()
        choices = {
            r[0]
            for r in con.execute(
                "select distinct value from baseline_characteristics where variable = $v", {"v": MADE_UP_CATEGORICAL}
            ).fetchall()
        }
    assert pathways == [(pathway,)]
    assert MADE_UP_INSTRUMENT in instruments
    assert quarantined == (0,)
    assert set(counts) == {MADE_UP_NUMERIC, MADE_UP_CATEGORICAL} and min(counts.values()) > 100
    assert 0 <= numbers[0] < numbers[1] <= 80
    assert choices == {"left", "right"}
