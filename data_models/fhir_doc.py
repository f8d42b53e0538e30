"""The FHIR mapping per outcome set as a document, generated from the mapping files so that it cannot drift.

``render()`` writes ``docs/fhir-mapping.md`` from ``data_models/fhir_mappings/*.yaml`` (what every
outcome set shares: episode columns, patient experience, costs, Nictiz profiles; then per outcome
set: which Procedure or Condition codes open an episode, the timepoint windows, the questionnaires
and how they score, the Observations) with the outcome sets' labels. A test compares the committed
file with ``render()``; after changing a mapping file, regenerate it with::

    .venv/bin/python -m data_models.fhir_doc > docs/fhir-mapping.md

The importer (``warehouse/fhir.py``) reads and checks the same files; this module only describes them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from data_models.outcome_sets import OutcomeSet, common, outcome_sets

COMMAND = "python -m data_models.fhir_doc > docs/fhir-mapping.md"
MAPPING_DIR = Path(__file__).resolve().parent / "fhir_mappings"
COMMON = "common.yaml"

INTRODUCTION = f"""# FHIR mapping per outcome set

<!-- Generated from data_models/fhir_mappings/*.yaml: do not edit by hand.
     Regenerate with `{COMMAND}`. -->

How `python -m warehouse import-fhir` turns a hospital's FHIR R4 export (Bulk Data NDJSON or
Bundles) into the tables of the data standard (docs/data-standard.md). Everything below is read
from the mapping files in `data_models/fhir_mappings/`: one per outcome set, and `{COMMON}` for
what every outcome set shares. A centre whose record system codes differently adds its codes
there. How the import reads, pseudonymises and quarantines is in docs/fhir.md.

| resource | becomes |
|---|---|
| Patient | the patient pseudonym (a keyed hash; no identifier is stored), `age` and `sex` of its episodes |
| Procedure, Condition | an episode of `episodes` (a Condition only when the patient has no Procedure of that pathway) |
| Encounter, ServiceRequest | `discharge_date` (the period's end) and `referral_date` (authoredOn) of the episode |
| QuestionnaireResponse | `prom_measurements` (a PROM form), or `prem_responses` (a patient-experience form) |
| Observation | a column of `episodes`, a row of `clinical_outcomes` or of `baseline_characteristics` |
| ChargeItem | `costs` (added up per episode and category) |
"""


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _window(window: object) -> str:
    lo, hi = window if isinstance(window, list) else (-365, 730)
    return f"{lo} to {hi}"


def _observations(rules: list[dict[str, Any]]) -> list[str]:
    rows = []
    for r in rules:
        choices = r.get("choices") or {}
        listed = "; ".join(f"{c} ← {', '.join(map(str, codes))}" for c, codes in choices.items() if codes)
        value = f"{r['value']} ({listed})" if listed else r["value"]
        rows.append([f"`{r['target']}`", r["system"], f"`{r['code']}`", value, _window(r.get("window"))])
    return _table(["target", "code system", "code", "value", "days from the treatment date"], rows)


def _common(raw: dict[str, Any]) -> list[str]:
    out = ["## Shared by every outcome set (`common.yaml`)", "", "### Episode columns from Observations", ""]
    out += _observations(raw.get("observations", []))
    prems = raw.get("prems") or {}
    instruments = common().prem_instruments
    out += [
        "### Patient experience (`prem_responses`)",
        "",
        f"A completed QuestionnaireResponse of one of these forms gives a row per item answered; it belongs to the"
        " episode its `partOf` names, else the patient's episode whose treatment date lies"
        f" {_window(prems.get('window'))} days before `authored` (the nearest). An unanswered item gives no row,"
        " a response with none answered goes to quarantine, and the latest answer counts.",
        "",
    ]
    rows = [
        [form, "<br>".join(spec.get("canonical", [])), f"`{instrument}` ({instruments[instrument].label})", f"`{link}`"]
        for form, spec in (prems.get("questionnaires") or {}).items()
        for instrument, link in (spec.get("items") or {}).items()
    ]
    out += _table(["form", "canonical URL", "instrument", "linkId"], rows)
    costs = raw.get("costs") or {}
    out += [
        "### Costs (`costs`)",
        "",
        f"A ChargeItem's `priceOverride` (currency {costs.get('currency', 'EUR')}) is added to its episode's category:"
        " the episode of the Procedure or Condition named in `service` or `supportingInformation`, else the"
        f" patient's episode whose treatment date lies {_window(costs.get('window'))} days before its occurrence"
        " date (the nearest)."
        " A category's own code in https://samenleren.nl/fhir/CodeSystem/kostencategorie always counts.",
        "",
    ]
    categories = common().cost_categories
    rows = [
        [f"`{c}`", categories[c]["en"], ", ".join(map(str, codes or [])) or "its own code only"]
        for c, codes in (costs.get("categories") or {}).items()
    ]
    out += _table(["category", "label", "other codings (system\\|code)"], rows)
    out += [
        "### Nictiz profiles checked",
        "",
        "A resource that claims one of these profiles in `meta.profile` must carry the elements listed, or it goes"
        " to quarantine naming the profile; a resource without a claim is read as plain FHIR R4.",
        "",
    ]
    rows = [
        [kind, url, ", ".join(f"`{e}`" for e in elements)]
        for kind, profiles in (raw.get("profiles") or {}).items()
        for url, elements in profiles.items()
    ]
    return out + _table(["resource", "profile", "required elements"], rows)


def _questionnaire(oset: OutcomeSet, instrument: str, spec: dict[str, Any]) -> list[object]:
    forms = [*spec.get("canonical", []), *(f"LOINC {c}" for c in spec.get("loinc", []))]
    totals = spec.get("total_item")
    totals = ", ".join(f"`{t}`" for t in (totals if isinstance(totals, list) else [totals] if totals else []))
    if spec.get("scoring") == "sum":
        lo, hi = spec.get("item_range", ["?", "?"])
        rule = f"sum of {len(spec.get('items', []))} items ({lo}–{hi} each)"
        if spec.get("max_missing"):
            rule += f"; up to {spec['max_missing']} missing"
            rule += ", counted as the mean of the answered items" if spec.get("missing") == "mean" else ""
        else:
            rule += "; none may be missing"
    else:
        rule = "the total only"
    label = oset.instruments[instrument].label if instrument in oset.instruments else instrument
    return [f"`{instrument}` ({label})", "<br>".join(forms), totals or "—", rule]


def _pathway(oset: OutcomeSet, raw: dict[str, Any]) -> list[str]:
    out = [f"## {oset.pathway} — {oset.label['en']} (`{oset.pathway}.yaml`)", "", "### Episodes", ""]
    rows = [
        [
            kind.capitalize().removesuffix("s"),
            r["system"],
            f"`{r['code']}`",
            f"`{r['treatment']}` ({oset.treatments[r['treatment']]['en']})",
        ]
        for kind in ("procedures", "conditions")
        for r in (raw.get("episodes") or {}).get(kind, [])
    ]
    out += _table(["opened by", "code system", "code", "treatment"], rows)
    out += ["### Timepoints (days from the treatment date to `authored`)", ""]
    out += _table(["timepoint", "days"], [[tp, _window(w)] for tp, w in (raw.get("timepoint_windows") or {}).items()])
    out += ["### Questionnaires (`prom_measurements`)", ""]
    rows = [_questionnaire(oset, i, spec) for i, spec in (raw.get("questionnaires") or {}).items()]
    out += _table(["instrument", "form", "total item", "score when the total is missing"], rows)
    out += ["### Observations", ""]
    return out + _observations(raw.get("observations", []))


def render(directory: Path = MAPPING_DIR) -> str:
    files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.yaml"))}
    out = [INTRODUCTION, *_common(files.get(COMMON.removesuffix(".yaml"), {}))]
    sets = outcome_sets()
    for pathway, oset in sets.items():
        if pathway in files:
            out += _pathway(oset, files[pathway])
    if missing := [p for p in sets if p not in files]:
        out += ["## Outcome sets without a mapping", "", ", ".join(missing) + ": their resources are quarantined.", ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
