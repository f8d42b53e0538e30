"""The project's delivery standard as a document, generated so that it cannot drift.

``render()`` writes ``docs/data-standard.md`` from the pandera models of ``data_models.schemas``
(tables, keys, columns with their type, whether required, description and every check) and the
outcome sets (per pathway: treatments, timepoints, PROM instruments, clinical outcomes and
case-mix variables with where a delivery carries them). A test compares the committed file with
``render()``; after changing a model or an outcome set, regenerate it with::

    .venv/bin/python -m data_models.standard_doc > docs/data-standard.md
"""

from __future__ import annotations

import sys
from typing import Any

from data_models.outcome_sets import CasemixVariable, Instrument, OutcomeSet, common, outcome_sets
from data_models.schemas import CENTRE_CODE, DATAFRAME_CHECKS, TABLES, TableSpec

COMMAND = "python -m data_models.standard_doc > docs/data-standard.md"
TYPES = {"String": "text", "Date": "date", "Int64": "integer", "Float64": "decimal", "Boolean": "boolean"}

INTRODUCTION = f"""# Data standard: the files a centre delivers

<!-- Generated from data_models/schemas.py and data_models/outcome_sets/*.yaml: do not edit by hand.
     Regenerate with `{COMMAND}`. -->

This is the exchange format that the project accepts from a hospital's data manager, every
month. It is a contract: tests, demo data and the documentation all speak it. The warehouse's
internal layout is the project's own choice, but after loading, the warehouse exposes each
table below under the same name and column names (a view), so that an analyst can query it
with plain SQL.
"""

FILES_AND_FORMATS = """## Files and formats
- One file per table, named after the table ({names}; a name may carry more, such as
  `UMCU_2026-10_costs.csv`), or one Excel workbook with one sheet per table (sheet name = table name).
- CSV as hospitals export it: UTF-8 (with or without BOM) or Windows-1252; `,` or `;` as
  delimiter; decimal point or decimal comma; dates as `YYYY-MM-DD` or `DD-MM-YYYY`;
  booleans as `true/false`, `1/0`, `ja/nee`, `yes/no`. Empty cell = missing.
- Parquet with the same column names.
- Column names are matched case-insensitively and with surrounding spaces ignored; cells are
  trimmed. Unknown extra columns are reported and ignored, never silently loaded.
"""

IDENTITY_AND_PRIVACY = """## Identity and privacy
- `centre_code` identifies the delivering centre (a short code such as `UMCU`).
- `patient_id` and `episode_id` are pseudonyms made by the centre. Never a BSN
  (Dutch citizen service number) or a name: a value that looks like a BSN (nine digits, or
  eight that pass the elfproef with a leading zero; dots, spaces, dashes and a `BSN` prefix
  do not count) is rejected, and the quarantine keeps only a keyed fingerprint of it.
- Every table has a natural key (listed under it). A row whose key is already in
  the warehouse replaces the stored row (a correction or a later follow-up); it never
  duplicates it. Within one file, exact duplicate rows count once (and are reported);
  rows that share a key but disagree are all quarantined, since the file contradicts itself.
"""

FHIR = """### Deliveries as FHIR
A centre may deliver its FHIR R4 bulk export instead (NDJSON per resource type: Patient,
Procedure, Condition, Encounter, Observation, QuestionnaireResponse per the Nictiz
"Outcome-Based Care" implementation guide on zib 2020). The mapping from codes and
questionnaires to the tables above is data, per outcome set (`data_models/fhir_mappings/`).
Direct identifiers (BSN) are replaced by a keyed pseudonym at import and never stored.
"""

BAD_INPUT = """## What a load must do with bad input
- A row that breaks a rule is not loaded: it goes to a quarantine with the file,
  the row number, the column and the reason (in Dutch), and the load report says how many.
- The good rows of the same file load, unless the file as a whole is unusable
  (unknown table, missing required column, unreadable encoding, beyond a size limit, or more
  broken rows than the quarantine takes): then nothing of it loads and the reason is given in one line.
- A load is all or nothing per file: a crash halfway leaves the warehouse as it was.
- Loading the same file twice changes nothing the second time.
- Every load is written to a load log: file, checksum, time, rows read, loaded, quarantined.
"""

CASEMIX_VIEW = """## After loading: every case-mix variable in one shape
Besides the tables above, the warehouse has the view `episode_casemix` (centre_code,
episode_id, pathway, variable, kind, origin, value_number, value_text): one row per episode
and case-mix variable of its pathway's outcome set, whatever the variable's origin, also when
the value is missing. `value_number` holds a numeric variable, `value_text` the choice code of
a categorical one; both empty means not delivered.
"""

ORIGINS = {
    "episode": "episodes.{column}",
    "outcome": "clinical_outcomes, outcome `{column}`",
    "prom": "prom_measurements: baseline score of `{instrument}`",
    "characteristic": "baseline_characteristics, variable `{code}`",
}


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace("-", "−")


def _range(lo: float | None, hi: float | None) -> str:
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f"≥ {_number(lo)}"
    if lo is None:
        return f"≤ {_number(hi)}"
    return f"{_number(lo)}–{_number(hi)}"


def _codes(values: list[Any]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _column_checks(checks: list[Any], required: bool) -> list[str]:
    """What the column's own checks ask, in words."""
    out, lo, hi = [], None, None
    for check in checks:
        stats = check.statistics or {}
        if check.name == "greater_than_or_equal_to":
            lo = stats["min_value"]
        elif check.name == "less_than_or_equal_to":
            hi = stats["max_value"]
        elif check.name == "isin":
            out.append("one of " + _codes(stats["allowed_values"]))
        elif check.name == "str_matches":
            out.append("2–12 letters or digits" if stats["pattern"] == CENTRE_CODE else f"matches `{stats['pattern']}`")
        elif check.name == "str_length":
            if not (required and stats.get("min_value") == 1 and stats.get("max_value") is None):
                out.append(f"length {_range(stats.get('min_value'), stats.get('max_value'))}")
        else:
            out.append(check.name)
    if lo is not None or hi is not None:
        out.insert(0, _range(lo, hi))
    return out


def table_section(spec: TableSpec) -> str:
    schema = spec.model.to_schema()
    doc = " ".join((spec.model.__doc__ or "").split())
    lines = [f"### {spec.name} — {doc[0].lower() + doc[1:].rstrip('.') if doc else ''}", f"Key: {', '.join(spec.key)}."]
    if spec.aliases:
        lines.append(f"A file or sheet may also be named {_codes(list(spec.aliases))}.")
    lines += ["", "| column | type | rule |", "|---|---|---|"]
    by_column: dict[str, list[str]] = {}
    for check in schema.checks:
        column = DATAFRAME_CHECKS[check.name][0]
        by_column.setdefault(column, []).append(check.description or check.name)
    for name in spec.columns:
        column = schema.columns[name]
        required = not column.nullable
        rules = ["required" if required else "optional", *_column_checks(column.checks, required)]
        rules += by_column.get(name, [])
        text = "; ".join(dict.fromkeys(rules))
        lines.append(f"| {name} | {TYPES[str(column.dtype)]} | {_cell(text)}. {_cell(column.description or '')} |")
    for name in spec.derived:
        column = schema.columns["lookup_" + name]
        description = (column.description or "").split(": ", 1)[-1]
        lines.append("")
        lines.append(
            f"The warehouse keeps `{name}` ({TYPES[str(column.dtype)]}) beside it: {description[0].lower()}{description[1:]}"
        )
    return "\n".join(lines) + "\n"


def _instrument_rows(instruments: dict[str, Instrument]) -> list[str]:
    rows = ["| instrument | name | range | better | MIC |", "|---|---|---|---|---|"]
    for code, inst in instruments.items():
        rows.append(f"| `{code}` | {_cell(inst.label)} | {_range(inst.min, inst.max)} | {inst.better} | {_number(inst.mic)} |")
    return rows


def _delivered_in(oset: OutcomeSet, var: CasemixVariable) -> str:
    return ORIGINS[var.origin].format(column=var.column, instrument=oset.primary_instrument, code=var.code)


def _casemix_values(var: CasemixVariable, oset: OutcomeSet) -> str:
    if not var.is_numeric:
        return "; ".join(f"`{code}` {label['en']} ({label['nl']})" for code, label in var.choices.items())
    if var.origin == "prom":
        inst = oset.instruments[oset.primary_instrument]
        return f"{_range(inst.min, inst.max)} (the instrument's range)"
    unit = f" {var.unit['en']}" if var.unit else ""
    step = f", step {_number(var.step)}" if var.step else ""
    return f"{_range(var.min, var.max)}{unit}{step}"


def pathway_section(oset: OutcomeSet) -> str:
    lines = [f"### {oset.pathway} — {oset.label['en']} ({oset.label['nl']})", "", "Treatments:"]
    lines += [f"- `{code}`: {label['en']} ({label['nl']})" for code, label in oset.treatments.items()]
    lines += [
        "",
        f"Timepoints: {_codes(list(oset.timepoints))}; primary follow-up `{oset.primary_followup}`.",
        "",
        f"PROM instruments (primary: `{oset.primary_instrument}`):",
        "",
        *_instrument_rows(oset.instruments),
        "",
        f"Clinical outcomes (headline: `{oset.headline_outcome}`):",
        "",
        "| outcome | label | kind | value | role | treatments |",
        "|---|---|---|---|---|---|",
    ]
    for code, out in oset.clinical_outcomes.items():
        value = "0 or 1" if out.kind == "event" else " ".join(x for x in (_range(out.min, out.max), out.unit or "") if x)
        applies = _codes(list(out.applies_to)) if out.applies_to else "all"
        lines.append(
            f"| `{code}` | {_cell(out.label['en'])} ({_cell(out.label['nl'])}) | {out.kind} | {_cell(value)} | {out.role} | {applies} |"
        )
    lines += [
        "",
        "Case-mix variables:",
        "",
        "| variable | label | kind | range, unit or choices | delivered in |",
        "|---|---|---|---|---|",
    ]
    for code, var in oset.casemix.items():
        label = f"{_cell(var.label['en'])} ({_cell(var.label['nl'])})"
        lines.append(f"| `{code}` | {label} | {var.kind} | {_cell(_casemix_values(var, oset))} | {_delivered_in(oset, var)} |")
    return "\n".join(lines) + "\n"


def shared_section() -> str:
    shared = common()
    lines = [
        "### Shared by every pathway",
        "",
        "PREM items (`prem_responses.instrument`):",
        "",
        *_instrument_rows(shared.prem_instruments),
        "",
        "Cost categories (`costs.category`):",
    ]
    lines += [f"- `{code}`: {label['en']} ({label['nl']})" for code, label in shared.cost_categories.items()]
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole data standard as Markdown (what ``docs/data-standard.md`` must hold)."""
    tables = sorted(TABLES.values(), key=lambda t: t.rank)
    parts = [
        INTRODUCTION,
        FILES_AND_FORMATS.format(names=", ".join(f"`{t.name}.csv`" for t in tables)),
        IDENTITY_AND_PRIVACY,
        "## Tables\n",
        *(table_section(t) for t in tables),
        FHIR,
        "## Pathways: what each outcome set asks\n"
        "Every code that the tables above check against a pathway's outcome set, per pathway "
        "(from `data_models/outcome_sets/`). A case-mix variable that no fixed column carries is "
        "delivered as a row of `baseline_characteristics`, so a new outcome set needs no new column.\n",
        *(pathway_section(s) for s in outcome_sets().values()),
        shared_section(),
        CASEMIX_VIEW,
        BAD_INPUT,
    ]
    return "\n".join(parts)


def main() -> None:
    sys.stdout.buffer.write(render().encode("utf-8"))


if __name__ == "__main__":
    main()
