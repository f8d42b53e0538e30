"""The demo's data as a hospital's FHIR R4 Bulk Data export, so that ``import-fhir`` can be tried and tested.

``write_export(tables, folder)`` writes every table of a delivery (``episodes``, ``prom_measurements``,
``clinical_outcomes``, ``baseline_characteristics``, ``prem_responses`` and ``costs``) as one NDJSON
file per resource type (Patient, ServiceRequest, Encounter, Procedure, Condition, Observation,
QuestionnaireResponse for PROMs and PREMs, ChargeItem for costs; optionally gzipped) with the ``$export`` manifest beside them, using the codes, forms and
windows of the mapping files (``data_models/fhir_mappings``), so that importing it gives the
same rows back. ``centre_export(sim, centre, month)`` is what a centre's record system would
export at that month's delivery: everything of the centre delivered up to then (a full export,
not only what changed: responses and observations are linked to the Procedure or Condition in
the same export). ``python -m cli export-fhir`` writes it for the demo simulation.

What FHIR does not carry here is reported, never dropped silently: an outcome set without a mapping file gets its episodes as Procedures
coded in the programme's generic treatment system (``<pathway>/<treatment>``), which the import
quarantines with a Dutch reason, and its other rows are counted as not written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl

from data_models.schemas import TABLES
from sample_data.centres import CENTRES
from sample_data.deliveries import assign, covered_month, delivered_on
from sample_data.generator import BACKFILL_MONTHS, Simulation
from warehouse.fhir import (
    CHARACTERISTICS,
    COST_SYSTEM,
    EPISODE_COLUMNS,
    INVITED_EXTENSION,
    PATHWAY_TREATMENT_SYSTEM,
    SEXES,
    Mapping,
    ObservationRule,
    mappings,
)

LOCAL_PATIENT_SYSTEM = "https://samenleren.nl/fhir/NamingSystem/patient-pseudoniem"
PROGRAMME_CODES = "https://samenleren.nl/fhir/CodeSystem"  # a choice no standard coding is listed for
BASE_URL = "https://demo.samenleren.nl/fhir"  # the demo's server, as the manifest names it
FHIR_SEXES = {v: k for k, v in SEXES.items()}
KINDS = ("Patient", "ServiceRequest", "Encounter", "Procedure", "Condition", "Observation", "QuestionnaireResponse", "ChargeItem")
CARRIED = ("episodes", "prom_measurements", "clinical_outcomes", CHARACTERISTICS, "prem_responses", "costs")  # every table
NOT_CARRIED: tuple[str, ...] = ()  # the data standard's tables an export leaves out: none
MANIFEST = "manifest.json"
ACT_CODES = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


@dataclass
class Export:
    """What ``write_export`` wrote: the files (manifest last), resources per type, and rows it could not write."""

    files: list[Path]
    counts: Counter = field(default_factory=Counter)
    not_written: Counter = field(default_factory=Counter)  # (table, why) → rows

    def summary(self) -> str:
        wrote = ", ".join(f"{k} {self.counts[k]}" for k in KINDS if self.counts[k])
        text = f"FHIR-export: {sum(self.counts.values())} resources ({wrote or 'geen'}) in {len(self.files)} bestanden"
        if self.not_written:
            skipped = "; ".join(f"{table}: {n} rijen {why}" for (table, why), n in sorted(self.not_written.items()))
            text += f"; niet in de export: {skipped}"
        return text


@dataclass(frozen=True)
class _Reverse:
    """The mapping read backwards: how each treatment is opened, which form gives an instrument, which code fills a target."""

    openers: dict[tuple[str, str], tuple[str, str, str]]  # (pathway, treatment) → (resource type, system, code)
    forms: dict[tuple[str, str], tuple[str, str]]  # (pathway, instrument) → (form URL, total item)
    observations: dict[tuple[str, str, str], tuple[str, str, ObservationRule]]  # (pathway, table, column) → code, rule
    prems: dict[str, tuple[str, str]]  # PREM instrument → (form URL, linkId)


def _reverse(mapping: Mapping) -> _Reverse:
    openers: dict[tuple[str, str], tuple[str, str, str]] = {}
    for kind, table in (("Procedure", mapping.procedures), ("Condition", mapping.conditions)):
        for (system, code), targets in table.items():
            for target in targets:
                openers.setdefault(target, (kind, system, code))
    forms: dict[tuple[str, str], tuple[str, str]] = {}
    for url, questionnaires in mapping.questionnaires.items():
        for q in questionnaires:
            if q.total_item:
                forms.setdefault((q.pathway, q.instrument), (url, q.total_item))
    observations: dict[tuple[str, str, str], tuple[str, str, ObservationRule]] = {}
    for (system, code), rules in mapping.observations.items():
        for r in rules:
            observations.setdefault((r.pathway, r.table, r.column), (system, code, r))
    prems: dict[str, tuple[str, str]] = {}
    for url, form in mapping.prem_forms.items():
        for instrument, link in form.items:
            prems.setdefault(instrument, (url, link))
    return _Reverse(openers, forms, observations, prems)


def _value(value: Any, rule: ObservationRule) -> dict:
    """An Observation's value[x] the import reads back as ``value``."""
    if rule.value in ("boolean", "event"):
        return {"valueBoolean": bool(value)}
    if rule.value == "integer":
        return {"valueInteger": int(float(value))}
    if rule.value == "choice":
        codings = dict(rule.choices).get(str(value)) or ()
        system, code = codings[0] if codings else (f"{PROGRAMME_CODES}/{rule.column}", str(value))
        return {"valueCodeableConcept": {"coding": [{"system": system, "code": code}], "text": str(value)}}
    return {"valueQuantity": {"value": float(value)}}


def _birth_date(treatment: dt.date, age: int) -> str:
    """A birth date that makes the patient ``age`` on the treatment date."""
    day = treatment - dt.timedelta(days=1)
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year - age).isoformat()


def _open(path: Path, compress: bool, stack: ExitStack) -> IO[str]:
    if not compress:
        return stack.enter_context(path.open("w", encoding="utf-8", newline="\n"))
    raw = stack.enter_context(path.open("wb"))
    packed = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0))  # the same bytes every run
    return stack.enter_context(io.TextIOWrapper(packed, encoding="utf-8", newline="\n"))


def _resources(tables: dict[str, pl.DataFrame], rev: _Reverse, not_written: Counter) -> Iterator[dict]:
    """Every resource of the export, episode by episode, then outcomes, characteristics and responses."""
    opened: dict[tuple[str, str], tuple[str, str, str]] = {}  # (centre, episode) → (reference, pathway, patient id)
    unmapped: set[tuple[str, str]] = set()  # (centre, episode) of a pathway without a mapping
    for ep in tables["episodes"].iter_rows(named=True):
        eid, pid, pathway = ep["episode_id"], ep["patient_id"], ep["pathway"]
        subject = {"reference": f"Patient/{pid}"}
        yield {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [{"system": LOCAL_PATIENT_SYSTEM, "value": pid}],
            "gender": FHIR_SEXES.get(ep["sex"], "unknown"),
            "birthDate": _birth_date(ep["treatment_date"], ep["age"]),
        }
        if (pathway, ep["treatment"]) in rev.openers:
            kind, system, code = rev.openers[(pathway, ep["treatment"])]
        else:  # no mapping file for this pathway: the programme's generic code, which the import quarantines
            kind, system, code = "Procedure", PATHWAY_TREATMENT_SYSTEM, f"{pathway}/{ep['treatment']}"
            unmapped.add((ep["centre_code"], eid))
        opener: dict[str, Any] = {"resourceType": kind, "id": eid, "code": {"coding": [{"system": system, "code": code}]}}
        opener["subject"] = subject
        if ep.get("referral_date"):
            referral = {
                "resourceType": "ServiceRequest",
                "id": f"ref-{eid}",
                "status": "completed",
                "intent": "order",
                "subject": subject,
                "authoredOn": ep["referral_date"].isoformat(),
            }
            if kind == "Procedure":
                opener["basedOn"] = [{"reference": f"ServiceRequest/ref-{eid}"}]
            else:  # R4's Condition has no basedOn: the referral names the condition as its reason
                referral["reasonReference"] = [{"reference": f"Condition/{eid}"}]
            yield referral
        if ep.get("discharge_date"):
            period = {"start": ep["treatment_date"].isoformat(), "end": ep["discharge_date"].isoformat()}
            yield {
                "resourceType": "Encounter",
                "id": f"enc-{eid}",
                "status": "finished",
                "class": {"system": ACT_CODES, "code": "IMP"},  # inpatient encounter
                "subject": subject,
                "period": period,
            }
            opener["encounter"] = {"reference": f"Encounter/enc-{eid}"}
        if kind == "Procedure":
            opener |= {"status": "completed", "performedDateTime": ep["treatment_date"].isoformat()}
        else:
            opener["recordedDate"] = ep["treatment_date"].isoformat()
        yield opener
        opened[(ep["centre_code"], eid)] = (f"{kind}/{eid}", pathway, pid)
        for column in EPISODE_COLUMNS:
            if ep.get(column) is None or (pathway, "episodes", column) not in rev.observations:
                continue
            obs_system, obs_code, rule = rev.observations[(pathway, "episodes", column)]
            yield _observation(
                f"{eid}-{column}", obs_system, obs_code, pid, f"{kind}/{eid}", ep["treatment_date"], ep[column], rule
            )
    dates = {(r["centre_code"], r["episode_id"]): r["treatment_date"] for r in tables["episodes"].iter_rows(named=True)}
    children = (("clinical_outcomes", "outcome", "measured_on"), (CHARACTERISTICS, "variable", None))
    for table, target, date_column in children:
        frame = tables.get(table)
        for row in frame.iter_rows(named=True) if frame is not None else ():
            key = (row["centre_code"], row["episode_id"])
            found = _episode(key, opened, unmapped, table, not_written)
            if found is None:
                continue
            ref, pathway, pid = found
            if (pathway, table, row[target]) not in rev.observations:
                not_written[(table, "zonder Observation-code in de mapping")] += 1
                continue
            system, code, rule = rev.observations[(pathway, table, row[target])]
            when = row[date_column] if date_column else dates[key]
            yield _observation(f"{row['episode_id']}-{row[target]}", system, code, pid, ref, when, row["value"], rule)
    yield from _responses(tables["prom_measurements"], opened, unmapped, rev, not_written)
    if (frame := tables.get("prem_responses")) is not None:
        yield from _experience(frame, opened, unmapped, rev, not_written)
    if (frame := tables.get("costs")) is not None:
        yield from _charges(frame, dates, opened, unmapped, not_written)


def _experience(prems: pl.DataFrame, opened: dict, unmapped: set, rev: _Reverse, not_written: Counter) -> Iterator[dict]:
    """One QuestionnaireResponse per PREM form, episode and date answered, an item per PREM instrument."""
    responses: dict[tuple, dict] = {}
    for row in prems.sort("centre_code", "episode_id", "instrument").iter_rows(named=True):
        found = _episode((row["centre_code"], row["episode_id"]), opened, unmapped, "prem_responses", not_written)
        if found is None:
            continue
        if row["instrument"] not in rev.prems:
            not_written[("prem_responses", "zonder vragenlijst in de mapping")] += 1
            continue
        ref, _, pid = found
        url, link = rev.prems[row["instrument"]]
        key = (row["centre_code"], row["episode_id"], url, row["completed_on"])
        if key not in responses:
            responses[key] = {
                "resourceType": "QuestionnaireResponse",
                "id": f"{row['episode_id']}-prem-{len(responses)}",
                "questionnaire": url,
                "status": "completed",
                "subject": {"reference": f"Patient/{pid}"},
                "authored": row["completed_on"].isoformat(),
                "item": [],
            }
            if ref.startswith("Procedure/"):
                responses[key]["partOf"] = [{"reference": ref}]
        responses[key]["item"].append({"linkId": link, "answer": [{"valueDecimal": float(row["score"])}]})
    yield from responses.values()


def _charges(costs: pl.DataFrame, dates: dict, opened: dict, unmapped: set, not_written: Counter) -> Iterator[dict]:
    """A ChargeItem per episode and cost category, dated on the treatment date."""
    for n, row in enumerate(costs.sort("centre_code", "episode_id", "category").iter_rows(named=True)):
        key = (row["centre_code"], row["episode_id"])
        found = _episode(key, opened, unmapped, "costs", not_written)
        if found is None:
            continue
        ref, _, pid = found
        yield {
            "resourceType": "ChargeItem",
            "id": f"{row['episode_id']}-cost-{n}",
            "status": "billed",
            "code": {"coding": [{"system": COST_SYSTEM, "code": row["category"]}]},
            "subject": {"reference": f"Patient/{pid}"},
            "occurrenceDateTime": dates[key].isoformat(),
            "priceOverride": {"value": float(row["amount_eur"]), "currency": "EUR"},
            # the episode by what opened it: a Procedure as the service charged, a Condition as support
            ("service" if ref.startswith("Procedure/") else "supportingInformation"): [{"reference": ref}],
        }


def _episode(key: tuple[str, str], opened: dict, unmapped: set, table: str, not_written: Counter) -> tuple[str, str, str] | None:
    """The opening resource, pathway and patient of a child row's episode; None (counted) when it cannot be written."""
    if key not in opened:
        not_written[(table, "van een episode die niet in de export staat")] += 1
        return None
    if key in unmapped:
        not_written[(table, "zonder FHIR-mapping van hun zorgpad")] += 1
        return None
    return opened[key]


def _observation(
    rid: str, system: str, code: str, pid: str, focus: str, when: dt.date, value: Any, rule: ObservationRule
) -> dict:
    return {
        "resourceType": "Observation",
        "id": rid.replace("_", "-"),  # a FHIR id allows letters, digits, '-' and '.' only
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "focus": [{"reference": focus}],
        "effectiveDateTime": when.isoformat(),
        **_value(value, rule),
    }


def _responses(proms: pl.DataFrame, opened: dict, unmapped: set, rev: _Reverse, not_written: Counter) -> Iterator[dict]:
    """One QuestionnaireResponse per form, episode and timepoint (a form may give several instruments)."""
    responses: dict[tuple, dict] = {}
    for row in proms.sort("centre_code", "episode_id", "timepoint", "instrument").iter_rows(named=True):
        key = (row["centre_code"], row["episode_id"])
        found = _episode(key, opened, unmapped, "prom_measurements", not_written)
        if found is None:
            continue
        _, pathway, pid = found
        if (pathway, row["instrument"]) not in rev.forms:
            not_written[("prom_measurements", "zonder vragenlijst in de mapping")] += 1
            continue
        url, total_item = rev.forms[(pathway, row["instrument"])]
        form = (*key, row["timepoint"], url)
        if form not in responses:
            answered = row["completed_on"] is not None
            responses[form] = {
                "resourceType": "QuestionnaireResponse",
                "id": f"{row['episode_id']}-{row['timepoint']}-{len(responses)}",
                "questionnaire": url,
                "status": "completed" if answered else "in-progress",
                "subject": {"reference": f"Patient/{pid}"},
                "authored": (row["completed_on"] or row["invited_on"]).isoformat(),
                "extension": [{"url": INVITED_EXTENSION, "valueDate": row["invited_on"].isoformat()}],
                "item": [],
            }
        if row["score"] is not None:
            responses[form]["item"].append({"linkId": total_item, "answer": [{"valueDecimal": float(row["score"])}]})
    yield from responses.values()


def write_export(
    tables: dict[str, pl.DataFrame],
    folder: Path,
    mapping: Mapping | None = None,
    compress: bool = False,
    transaction_time: dt.datetime | None = None,
    request: str = f"{BASE_URL}/$export",
) -> Export:
    """``tables`` (a delivery's frames) as a Bulk Data export in ``folder``: ``<Type>.ndjson`` (``.ndjson.gz``
    with ``compress``) per resource type, and ``manifest.json``, the ``$export`` manifest naming them.

    The resource that opens an episode has the episode id as its id; the patient's identifier is its
    pseudonym (``LOCAL_PATIENT_SYSTEM``). Codes, forms, windows and the Nictiz profiles each resource
    claims (``meta.profile``) come from the mapping files."""
    rev = _reverse(mapping or mappings())
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".ndjson.gz" if compress else ".ndjson"
    paths = {k: folder / f"{k}{suffix}" for k in KINDS}
    export = Export([])
    for name in NOT_CARRIED:
        if name in tables and tables[name].height:
            export.not_written[(name, "niet in FHIR gemapt")] += tables[name].height
    claims = {kind: [next(iter(urls))] for kind, urls in (mapping or mappings()).profiles.items() if urls}
    with ExitStack() as stack:
        out = {k: _open(p, compress, stack) for k, p in paths.items()}
        for resource in _resources(tables, rev, export.not_written):
            if resource["resourceType"] in claims:  # the Nictiz profile it conforms to, as a record system states it
                resource = {
                    "resourceType": resource["resourceType"],
                    "meta": {"profile": claims[resource["resourceType"]]},
                } | resource
            out[resource["resourceType"]].write(json.dumps(resource, separators=(",", ":")) + "\n")
            export.counts[resource["resourceType"]] += 1
    when = transaction_time or dt.datetime.now(dt.UTC).replace(microsecond=0)
    manifest = {
        "transactionTime": when.isoformat().replace("+00:00", "Z"),
        "request": request,
        "requiresAccessToken": False,
        "output": [{"type": k, "url": f"{BASE_URL}/bulk/{paths[k].name}", "count": export.counts[k]} for k in KINDS],
        "error": [],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    export.files = [*paths.values(), folder / MANIFEST]
    return export


def zipped(export: Export, path: Path) -> Path:
    """The export's files as one zip (what the upload page takes), beside or instead of the folder."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in export.files:
            info = zipfile.ZipInfo(file.name, date_time=(2026, 1, 1, 0, 0, 0))  # the same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())
    return path


class MonthNotInDemo(ValueError):
    """The month asked for is not one the demo delivers."""


def delivery_index(sim: Simulation, month: str) -> int:
    """The delivery (0 the backfill, then one a month) that covers ``month`` (YYYY-MM)."""
    months = [covered_month(sim.end_date, i).strftime("%Y-%m") for i in range(BACKFILL_MONTHS + 1)]
    if month not in months:
        raise MonthNotInDemo(f"maand {month} hoort niet bij de demo: kies {months[0]} tot en met {months[-1]}")
    return months.index(month)


def centre_export(sim: Simulation, centre: str, month: str) -> tuple[dict[str, pl.DataFrame], dt.date]:
    """The centre's rows a full export at the delivery of ``month`` holds (each row as last delivered), and that date.

    A centre that delivers a month late has its rows of the month one delivery later, as in the CSV deliveries."""
    if centre not in {c.code for c in CENTRES}:
        raise MonthNotInDemo(f"centrum {centre} hoort niet bij de demo: kies uit {', '.join(c.code for c in CENTRES)}")
    index = delivery_index(sim, month)
    tables = {}
    for name, frame in assign(sim).items():
        if name == "centres":
            continue
        rows = frame.filter((pl.col("centre_code") == centre) & (pl.col("delivery") <= index)).sort("delivery")
        tables[name] = rows.unique(subset=list(TABLES[name].key), keep="last", maintain_order=True).drop("delivery")
    return tables, delivered_on(covered_month(sim.end_date, index))
