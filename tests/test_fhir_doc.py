"""docs/fhir-mapping.md is generated from the FHIR mapping files: it cannot drift, and it names every rule."""

from __future__ import annotations

import yaml

from data_models.fhir_doc import COMMAND, MAPPING_DIR, render
from data_models.outcome_sets import common, outcome_sets
from tests.conftest import ROOT


def test_the_committed_fhir_mapping_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "fhir-mapping.md").read_text(encoding="utf-8")
    assert committed == render(), f"docs/fhir-mapping.md is out of date: regenerate it with `.venv/bin/{COMMAND}`"


def test_it_describes_every_outcome_sets_codes_forms_and_windows() -> None:
    text = render()
    for pathway, oset in outcome_sets().items():
        raw = yaml.safe_load((MAPPING_DIR / f"{pathway}.yaml").read_text(encoding="utf-8"))
        section = text.split(f"## {pathway} — {oset.label['en']}", 1)[1].split("\n## ", 1)[0]
        for kind in ("procedures", "conditions"):
            for rule in raw["episodes"].get(kind, []):
                assert f"| `{rule['code']}` | `{rule['treatment']}` (" in section
        for timepoint, (lo, hi) in raw["timepoint_windows"].items():
            assert f"| {timepoint} | {lo} to {hi} |" in section
        for instrument in raw["questionnaires"]:
            assert f"| `{instrument}` ({oset.instruments[instrument].label}) |" in section
        for rule in raw.get("observations", []):
            assert f"| `{rule['target']}` | {rule['system']} | `{rule['code']}` |" in section
    assert "| `oks` (Oxford Knee Score) |" in text and "sum of 12 items (0–4 each); up to 2 missing, counted as the mean" in text
    for instrument in common().prem_instruments:
        assert f"| `{instrument}` (" in text
    for category in common().cost_categories:
        assert f"| `{category}` | " in text
    assert "obc-ResponseData | `questionnaire`, `status`, `subject`, `authored`, `item.linkId` |" in text


def test_a_changed_mapping_file_changes_the_document(tmp_path) -> None:
    import shutil

    shutil.copytree(MAPPING_DIR, tmp_path / "m")
    knee = tmp_path / "m" / "knee_oa.yaml"
    knee.write_text(knee.read_text(encoding="utf-8").replace("3m: [42, 135]", "3m: [40, 140]"), encoding="utf-8")
    assert "| 3m | 40 to 140 |" in render(tmp_path / "m") and "| 3m | 40 to 140 |" not in render()
