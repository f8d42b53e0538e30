"""The project's data standard is generated from the pandera models and the outcome sets: it cannot drift."""

from __future__ import annotations

from data_models.outcome_sets import outcome_sets
from data_models.schemas import TABLES
from data_models.standard_doc import COMMAND, render
from tests.conftest import ROOT


def test_the_committed_standard_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "data-standard.md").read_text(encoding="utf-8")
    assert committed == render(), f"docs/data-standard.md is out of date: regenerate it with `.venv/bin/{COMMAND}`"


def test_it_names_every_table_column_pathway_and_casemix_variable() -> None:
    text = render()
    for spec in TABLES.values():
        assert f"### {spec.name} — " in text
        assert f"Key: {', '.join(spec.key)}." in text
        for column in spec.columns:
            assert f"| {column} | " in text
        assert not any(f"| {c} |" in text for c in spec.dtypes if c.startswith("lookup_"))
    for oset in outcome_sets().values():
        assert f"### {oset.pathway} — {oset.label['en']}" in text
        for code in [*oset.treatments, *oset.instruments, *oset.clinical_outcomes, *oset.casemix]:
            assert f"`{code}`" in text
    for heading in ("## Files and formats", "## Identity and privacy", "## Tables", "## What a load must do with bad input"):
        assert heading in text
