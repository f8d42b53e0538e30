"""Importing a hospital's FHIR R4 export as a delivery: map, pseudonymise, load like any file.

A FHIR Bulk Data export (``$export``: NDJSON, one resource per line, one file per resource
type, optionally gzipped) or FHIR Bundles (JSON) are read resource by resource and mapped to
the data standard's tables with the mapping files in ``data_models/fhir_mappings/`` (one per
outcome set; nothing here names a pathway, an instrument or a code). The mapped rows are
written as the standard's CSV files into a temporary folder and loaded through the same
``load_paths`` as any delivery: validation, quarantine, merge, load_log and publish.

Streaming: the export is read twice, line by line, never whole. The first pass keeps, per
patient and per episode, only what the second needs (pseudonym, birth date, sex, treatment
date); the second pass maps Observations and QuestionnaireResponses (the bulk of an export)
and writes their rows straight to the CSV files. A Bundle file (JSON) is parsed one file at a
time, within the file size limit.

Pseudonymisation at the door: the patient pseudonym is ``P-`` + HMAC-SHA256 of the patient's
identifier (the BSN when there is one, else the first identifier, else the resource id) under
the centre's own key ``FHIR_PSEUDONYM_SECRET`` (at least 32 characters; a fixed, public demo
key only in demo mode, ``SAMEN_LEREN_DEMO=1``). Episode ids are keyed hashes of the resource
that opened the episode. No BSN, identifier or resource id is written anywhere: quarantine
rows show a resource id only when it does not look like a BSN (``data_models.identifiers``),
and every BSN-like run of digits in a shown value or reason is removed.

A resource that cannot be mapped (malformed JSON line, unknown questionnaire, a Procedure of
no pathway, a response outside every timepoint window, …) goes to ``quarantine`` with the
export file, line (or Bundle entry) number, resource type, id and the reason in Dutch; the
rest loads. Resource types and Observation codes no mapping uses are counted and skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from data_models.identifiers import RUN, is_bsn_like, normalise
from data_models.outcome_sets import outcome_sets
from data_models.schemas import TABLES
from warehouse.limits import Limits, current, shorten
from warehouse.loader import LoadReport, load_paths, without_bsn, write_log
from warehouse.schema import ensure_schema

MAPPING_DIR = Path(__file__).resolve().parent.parent / "data_models" / "fhir_mappings"
PSEUDONYM_ENV = "FHIR_PSEUDONYM_SECRET"
DEMO_ENV = "SAMEN_LEREN_DEMO"
DEMO_PSEUDONYM_SECRET = "samen-leren-demo-fhir-pseudonym-key-public"  # nosec B105 # the public demo key
MIN_SECRET_LENGTH = 32
BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn"
LOINC = "http://loinc.org"
LOINC_FORM = "http://loinc.org/q/"
SOURCE_SUFFIXES = (".ndjson", ".jsonl", ".json", ".ndjson.gz", ".jsonl.gz", ".json.gz")
INDEX_TYPES = {"Patient", "Procedure", "Condition", "Encounter", "ServiceRequest"}
MAPPED_TYPES = {"Observation", "QuestionnaireResponse"}
COMPLETED = {"completed", "amended"}
NOT_COMPLETED = {"in-progress", "stopped"}
YES_CODES = {"373066001", "Y", "yes", "true", "ja"}
NO_CODES = {"373067005", "N", "no", "false", "nee"}
SEXES = {"male": "M", "female": "F", "other": "X", "unknown": "U"}
EPISODE_COLUMNS = TABLES["episodes"].columns
PROM_COLUMNS = TABLES["prom_measurements"].columns
OUTCOME_COLUMNS = TABLES["clinical_outcomes"].columns
INVITED_EXTENSION = "https://samenleren.nl/fhir/StructureDefinition/invited-on"
_BSN_RUN = re.compile(RUN)


class FhirNotConfigured(RuntimeError):
    """The import cannot run: no pseudonym key outside the demo."""


class MappingError(ValueError):
    """A mapping file disagrees with its outcome set."""


# ---------------------------------------------------------------- the key


def pseudonym_secret() -> bytes:
    """``FHIR_PSEUDONYM_SECRET`` (≥ 32 characters); the public demo key only in demo mode."""
    secret = os.environ.get(PSEUDONYM_ENV, "")
    if len(secret) >= MIN_SECRET_LENGTH:
        return secret.encode()
    if os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}:
        return DEMO_PSEUDONYM_SECRET.encode()
    size = f"te kort ({len(secret)} tekens)" if secret else "niet ingesteld"
    raise FhirNotConfigured(
        f"{PSEUDONYM_ENV} is {size}: de FHIR-import maakt pseudoniemen met de eigen sleutel van het centrum"
        f" (minstens {MIN_SECRET_LENGTH} willekeurige tekens); niets ingelezen"
    )


def _keyed(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def identifier_key(secret: bytes, system: str, value: str) -> str:
    """The keyed hash an identifier is known by during an import (the BSN normalised first)."""
    if system == BSN_SYSTEM:
        value = normalise(value) or value.strip()
    return _keyed(secret, f"ident|{system}|{value}")


def patient_pseudonym(secret: bytes, key: str) -> str:
    """``P-`` + keyed hash of the patient's identifier key (``identifier_key``, or of its resource id)."""
    return "P-" + _keyed(secret, "patient|" + key)


def episode_pseudonym(secret: bytes, centre: str, reference: str) -> str:
    """``E-`` + keyed hash of the centre and the resource that opened the episode (``Procedure/<id>``)."""
    return "E-" + _keyed(secret, f"episode|{centre}|{reference}")


def scrub(text: object) -> str | None:
    """A value or reason as it may be stored: every BSN-like run of digits removed."""
    if text is None:
        return None
    value = str(text)
    if is_bsn_like(value):
        return "[BSN verwijderd]"
    return _BSN_RUN.sub(lambda m: "[BSN verwijderd]" if normalise(m.group(0)) else m.group(0), value)


# ---------------------------------------------------------------- the mapping files


@dataclass(frozen=True)
class Questionnaire:
    pathway: str
    instrument: str
    total_item: str | None
    scoring: str  # "sum" or "total_only"
    items: tuple[str, ...] = ()
    item_range: tuple[float, float] | None = None
    max_missing: int = 0
    missing: str | None = None  # "mean": a missing item counts as the mean of the answered ones


@dataclass(frozen=True)
class ObservationRule:
    pathway: str
    table: str  # episodes or clinical_outcomes
    column: str  # the episode column, or the outcome code
    value: str  # quantity, integer, boolean, event
    window: tuple[int, int]


@dataclass
class Mapping:
    procedures: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    conditions: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    questionnaires: dict[str, list[Questionnaire]] = field(default_factory=lambda: defaultdict(list))
    observations: dict[tuple[str, str], list[ObservationRule]] = field(default_factory=lambda: defaultdict(list))
    windows: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)


def _canonical(url: str) -> str:
    return url.split("|")[0].strip().rstrip("/")


def _add_pathway(mapping: Mapping, raw: dict[str, Any], name: str) -> None:
    sets = outcome_sets()
    pathway = raw.get("pathway")
    if pathway not in sets:
        raise MappingError(f"{name}: onbekend zorgpad {pathway!r}")
    oset = sets[pathway]
    windows = {tp: (int(w[0]), int(w[1])) for tp, w in raw.get("timepoint_windows", {}).items()}
    if set(windows) != set(oset.timepoints):
        raise MappingError(f"{name}: timepoint_windows moet precies de meetmomenten {list(oset.timepoints)} geven")
    mapping.windows[pathway] = windows
    for kind in ("procedures", "conditions"):
        for rule in raw.get("episodes", {}).get(kind, []):
            if rule["treatment"] not in oset.treatments:
                raise MappingError(f"{name}: behandeling {rule['treatment']!r} hoort niet bij {pathway}")
            getattr(mapping, kind)[(rule["system"], str(rule["code"]))].append((pathway, rule["treatment"]))
    for instrument, spec in raw.get("questionnaires", {}).items():
        if instrument not in oset.instruments:
            raise MappingError(f"{name}: vragenlijst {instrument!r} hoort niet bij {pathway}")
        if spec.get("scoring") not in ("sum", "total_only"):
            raise MappingError(f"{name}: {instrument}: scoring moet sum of total_only zijn")
        q = Questionnaire(
            pathway,
            instrument,
            spec.get("total_item"),
            spec["scoring"],
            tuple(spec.get("items", ())),
            tuple(spec["item_range"]) if spec.get("item_range") else None,
            int(spec.get("max_missing", 0)),
            spec.get("missing"),
        )
        for url in spec.get("canonical", []):
            mapping.questionnaires[_canonical(url)].append(q)
        for code in spec.get("loinc", []):
            mapping.questionnaires[LOINC_FORM + str(code)].append(q)
    for rule in raw.get("observations", []):
        table, column = rule["target"].split(".", 1)
        if table == "episodes" and column not in EPISODE_COLUMNS:
            raise MappingError(f"{name}: episodes heeft geen kolom {column!r}")
        if table == "clinical_outcomes" and column not in oset.clinical_outcomes:
            raise MappingError(f"{name}: uitkomst {column!r} hoort niet bij {pathway}")
        if table not in ("episodes", "clinical_outcomes"):
            raise MappingError(f"{name}: doel {rule['target']!r} wordt niet ondersteund")
        window = rule.get("window", [-365, 730])
        obs = ObservationRule(pathway, table, column, rule["value"], (int(window[0]), int(window[1])))
        mapping.observations[(rule["system"], str(rule["code"]))].append(obs)


COMMON_MAPPING = "common.yaml"  # rules every pathway shares: the episodes' fixed case-mix columns


@cache
def mappings(directory: Path = MAPPING_DIR) -> Mapping:
    """Every pathway's mapping file (with the shared ``common.yaml``), checked against its outcome set."""
    mapping = Mapping()
    common_file = directory / COMMON_MAPPING
    shared = yaml.safe_load(common_file.read_text(encoding="utf-8")) if common_file.exists() else {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == COMMON_MAPPING:
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if raw.get("pathway") != path.stem:
            raise MappingError(f"{path.name}: pathway moet gelijk zijn aan de bestandsnaam")
        own = {(r["system"], str(r["code"])) for r in raw.get("observations", [])}
        extra = [r for r in shared.get("observations", []) if (r["system"], str(r["code"])) not in own]
        _add_pathway(mapping, raw | {"observations": [*raw.get("observations", []), *extra]}, path.name)
    return mapping


# ---------------------------------------------------------------- reading the export


def source_files(paths: list[Path]) -> list[Path]:
    """The export's files: the given files, and every NDJSON/JSON file (gzipped or not) in a given folder."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SOURCE_SUFFIXES)))
        else:
            found.append(path)
    return found


def _opened(path: Path):
    with path.open("rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else path.open("rb")


def _is_ndjson(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return not name.endswith(".json")


Item = tuple[int, dict | None, str | None]  # position (line or entry), the resource, or why it is unreadable


def _entries(doc: Any, position: int) -> Iterator[Item]:
    if not isinstance(doc, dict):
        yield position, None, "geen JSON-object"
    elif doc.get("resourceType") == "Bundle":
        for n, entry in enumerate(doc.get("entry") or [], start=1):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict):
                yield (position if position else n), resource, None
            else:
                yield (position if position else n), None, "Bundle-entry zonder resource"
    else:
        yield position, doc, None


INDEX_HINT = re.compile(rb'"(?:' + "|".join(sorted(INDEX_TYPES)).encode() + rb')"')


def read_resources(path: Path, limits: Limits, only_index: bool = False) -> Iterator[Item]:
    """Resource by resource: an NDJSON line (its line number), or a Bundle's entry (its number).

    ``only_index``: the first pass, which skips without parsing every line that cannot hold an
    index resource (no quoted Patient, Procedure, … in it) and reports nothing unreadable."""
    with _opened(path) as f:
        if _is_ndjson(path):
            for number, line in enumerate(f, start=1):
                if not line.strip() or (only_index and not INDEX_HINT.search(line)):
                    continue
                if len(line) > limits.cell_bytes:
                    yield number, None, f"regel is langer dan {limits.cell_bytes} bytes"
                    continue
                try:
                    doc = json.loads(line)
                except ValueError:
                    yield number, None, "regel is geen geldige JSON"
                    continue
                yield from _entries(doc, number)
            return
        data = f.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        yield 0, None, f"JSON-bestand groter dan {limits.file_mb} MB; lever een NDJSON-export (Bulk Data)"
        return
    try:
        doc = json.loads(data)
    except ValueError:
        yield 0, None, "bestand is geen geldige JSON"
        return
    yield from _entries(doc, 0)


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while piece := f.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


# ---------------------------------------------------------------- small FHIR helpers


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _birth(value: object) -> dt.date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2})?", value):
        return dt.date(int(value[:4]), int(value[5:7]) if len(value) == 7 else 7, 1)
    return _date(value)


def _codings(concept: object) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [(str(c.get("system", "")), str(c.get("code", ""))) for c in concept.get("coding") or [] if isinstance(c, dict)]


def _reference(ref: object) -> str | None:
    """``Patient/123`` of a reference (absolute URLs and history suffixes stripped)."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    parts = ref["reference"].split("/_history/")[0].rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else None


def _performed(resource: dict) -> dt.date | None:
    if "performedDateTime" in resource:
        return _date(resource["performedDateTime"])
    period = resource.get("performedPeriod")
    return _date(period.get("start")) if isinstance(period, dict) else None


def _effective(resource: dict) -> dt.date | None:
    for key in ("effectiveDateTime", "effectiveInstant", "issued"):
        if key in resource:
            return _date(resource[key])
    period = resource.get("effectivePeriod")
    return _date(period.get("start")) if isinstance(period, dict) else None


def _number(answer: dict) -> float | None:
    """The numeric value of an answer (or an Observation): integer, decimal, an ordinal coding."""
    for key in ("valueInteger", "valueDecimal"):
        if isinstance(answer.get(key), int | float) and not isinstance(answer.get(key), bool):
            return float(answer[key])
    if isinstance(answer.get("valueQuantity"), dict):
        v = answer["valueQuantity"].get("value")
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
    coding = answer.get("valueCoding")
    if isinstance(coding, dict):
        for ext in coding.get("extension") or []:
            if isinstance(ext, dict) and str(ext.get("url", "")).endswith(("ordinalValue", "itemWeight")):
                v = ext.get("valueDecimal", ext.get("valueInteger"))
                if isinstance(v, int | float):
                    return float(v)
        try:
            return float(str(coding.get("code")))
        except ValueError:
            return None
    if isinstance(answer.get("valueString"), str):
        try:
            return float(answer["valueString"].replace(",", "."))
        except ValueError:
            return None
    return None


def _answers(items: object, out: dict[str, float | None]) -> dict[str, float | None]:
    """linkId → the first answer's number, through nested groups."""
    if not isinstance(items, list):
        return out
    for item in items:
        if not isinstance(item, dict):
            continue
        answers = item.get("answer")
        if isinstance(answers, list) and answers:
            answers = [a for a in answers if isinstance(a, dict)]
            if answers and isinstance(item.get("linkId"), str):
                out[item["linkId"]] = _number(answers[0])
            for a in answers:
                if "item" in a:
                    _answers(a["item"], out)
        if "item" in item:
            _answers(item["item"], out)
    return out


class Unmappable(Exception):
    """A resource that goes to quarantine: the element at fault and the reason in Dutch."""

    def __init__(self, element: str, reason: str) -> None:
        super().__init__(reason)
        self.element = element
        self.reason = reason


def score(q: Questionnaire, answers: dict[str, float | None]) -> float:
    """The instrument's score: the delivered total, else the items by the instrument's own rule."""
    if q.total_item and answers.get(q.total_item) is not None:
        return float(answers[q.total_item])
    if q.scoring == "total_only":
        raise Unmappable("item", f"totaalscore ({q.total_item}) ontbreekt; {q.instrument} wordt niet uit losse items berekend")
    given = {link: answers.get(link) for link in q.items}
    answered = [v for v in given.values() if v is not None]
    if q.item_range:
        lo, hi = q.item_range
        wrong = [link for link, v in given.items() if v is not None and not lo <= v <= hi]
        if wrong:
            raise Unmappable("item", f"antwoord buiten het bereik {lo:g}-{hi:g} bij item {', '.join(wrong)}")
    missing = len(q.items) - len(answered)
    if not answered or missing > q.max_missing:
        raise Unmappable(
            "item",
            f"{missing} van {len(q.items)} items van {q.instrument} onbeantwoord; de vragenlijst staat er hoogstens"
            f" {q.max_missing} toe, geen score",
        )
    total = sum(answered)
    if missing and q.missing == "mean":
        total += missing * total / len(answered)
    return round(total, 2)


def timepoint(windows: dict[str, tuple[int, int]], days: int) -> str | None:
    for tp, (lo, hi) in windows.items():
        if lo <= days <= hi:
            return tp
    return None


def _windows_text(windows: dict[str, tuple[int, int]]) -> str:
    return ", ".join(f"{tp} {lo}..{hi}" for tp, (lo, hi) in windows.items())


# ---------------------------------------------------------------- the conversion


@dataclass
class Episode:
    episode_id: str
    patient: str  # the patient's key in this export
    pathway: str
    treatment: str
    treatment_date: dt.date
    opened_by: str  # Procedure or Condition
    encounter: str | None = None
    referral: str | None = None  # ServiceRequest/id the treatment was based on
    columns: dict[str, tuple[int, Any]] = field(default_factory=dict)  # column → (distance in days, value)


@dataclass
class Opening:
    """What pass 1 keeps of a resource that opens an episode (never the whole resource)."""

    kind: str
    resource_id: str
    subject: dict
    encounter: str | None
    pathway: str
    treatment: str
    when: dt.date
    referral: str | None = None
    source: Any = None  # the SourceResult it came from
    position: int = 0


@dataclass
class Quarantined:
    source: str
    position: int
    resource_type: str | None
    element: str | None
    resource_id: str | None
    reason: str


@dataclass
class SourceResult:
    path: Path
    checksum: str
    read: Counter = field(default_factory=Counter)
    mapped: int = 0
    ignored: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    quarantined_count: int = 0


@dataclass
class Conversion:
    sources: list[SourceResult]
    files: list[Path]
    resources: int = 0


class Converter:
    """Maps one export to the standard's CSV files in ``folder``."""

    def __init__(self, centre: str, secret: bytes, mapping: Mapping, limits: Limits) -> None:
        self.centre, self.secret, self.mapping, self.limits = centre, secret, mapping, limits
        self.patients: dict[str, str] = {}  # patient key (keyed hash of id or identifier) → pseudonym
        self.demographics: dict[str, tuple[dt.date | None, str | None]] = {}  # pseudonym → (birth date, sex)
        self.encounters: dict[str, dt.date | None] = {}  # Encounter/id → end of its period
        self.resolved: dict[str, str] = {}  # Patient/id as referenced → pseudonym, once found
        self.referrals: dict[str, dt.date | None] = {}  # ServiceRequest/id → authoredOn (the referral)
        self.episodes: dict[str, Episode] = {}
        self.by_patient: dict[str, list[Episode]] = defaultdict(list)
        self.outcomes: dict[tuple[str, str], tuple[float, dt.date]] = {}
        self.pending: list[Opening] = []  # episodes opened in pass 1, attached to their patient after it

    # identifiers ------------------------------------------------------------------------
    def _key(self, text: str) -> str:
        return _keyed(self.secret, text)

    def _identifier_key(self, ident: object) -> str | None:
        if not isinstance(ident, dict) or not ident.get("value"):
            return None
        return identifier_key(self.secret, str(ident.get("system", "")), str(ident["value"]))

    def _patient_of(self, resource: dict) -> str | None:
        """The pseudonym of the resource's subject (by reference or by identifier), if it is known."""
        subject = resource.get("subject") or resource.get("patient")
        if not isinstance(subject, dict):
            return None
        ref = _reference(subject)
        if ref is not None and ref in self.resolved:
            return self.resolved[ref]
        keys = []
        if ref is not None:
            keys.append(self._key("ref|" + ref))
        if ident := self._identifier_key(subject.get("identifier")):
            keys.append(ident)
        found = next((self.patients[k] for k in keys if k in self.patients), None)
        if ref is not None and found is not None and "identifier" not in subject:
            self.resolved[ref] = found  # the next resource of this patient skips the hashing
        return found

    def add_patient(self, resource: dict) -> None:
        idents = [i for i in resource.get("identifier") or [] if isinstance(i, dict) and i.get("value")]
        idents.sort(key=lambda i: i.get("system") != BSN_SYSTEM)  # the BSN first: the same person in every export
        keys = [k for k in (self._identifier_key(i) for i in idents) if k]
        ref = self._key(f"ref|Patient/{resource.get('id')}") if resource.get("id") else None
        if not keys and not ref:
            raise Unmappable("identifier", "patiënt zonder id en zonder identificatie")
        pseudonym = patient_pseudonym(self.secret, keys[0] if keys else ref)
        for k in [*keys, ref]:
            if k:
                self.patients[k] = pseudonym
        sex = SEXES.get(str(resource.get("gender", "unknown")), "U")
        self.demographics[pseudonym] = (_birth(resource.get("birthDate")), sex)

    # pass 1 -----------------------------------------------------------------------------
    def index(self, resource: dict) -> bool:
        """Patients, encounters and the resources that open episodes; False: not an index resource."""
        kind = resource.get("resourceType")
        if kind == "Patient":
            self.add_patient(resource)
        elif kind == "ServiceRequest":
            self.referrals[f"ServiceRequest/{resource.get('id')}"] = _date(resource.get("authoredOn"))
        elif kind == "Encounter":
            period = resource.get("period") if isinstance(resource.get("period"), dict) else {}
            self.encounters[f"Encounter/{resource.get('id')}"] = _date(period.get("end"))
        elif kind in ("Procedure", "Condition"):
            self.open_episode(resource)
        else:
            return False
        return True

    def open_episode(self, resource: dict) -> None:
        kind = resource["resourceType"]
        table = self.mapping.procedures if kind == "Procedure" else self.mapping.conditions
        hits = [pt for c in _codings(resource.get("code")) for pt in table.get(c, [])]
        if not hits:
            codes = ", ".join(f"{c}" for _, c in _codings(resource.get("code"))) or "geen code"
            if kind == "Condition":
                raise Unmappable("ignored", "")
            raise Unmappable("code", f"verrichting ({codes}) hoort bij geen zorgpad van de uitkomstensets")
        if kind == "Procedure" and resource.get("status") not in (None, "completed"):
            raise Unmappable("status", f"verrichting met status {resource.get('status')!r}: alleen 'completed' opent een episode")
        when = (
            _performed(resource) if kind == "Procedure" else _date(resource.get("recordedDate") or resource.get("onsetDateTime"))
        )
        if when is None:
            raise Unmappable("performed" if kind == "Procedure" else "recordedDate", "datum van de behandeling ontbreekt")
        pathway, treatment = hits[0]
        subject = resource.get("subject") if isinstance(resource.get("subject"), dict) else {}
        self.pending.append(
            Opening(
                kind,
                str(resource.get("id")),
                {"subject": subject},
                _reference(resource.get("encounter")),
                pathway,
                treatment,
                when,
                next((r for r in map(_reference, resource.get("basedOn") or []) if r and r.startswith("ServiceRequest/")), None),
            )
        )

    def resolve_episodes(self) -> Iterator[tuple[Opening, str]]:
        """After pass 1: attach every opened episode to its patient (conditions only without a procedure).

        Yields the openings whose patient is not in the export, with the reason."""
        for opening in sorted(self.pending, key=lambda o: o.kind != "Procedure"):
            patient = self._patient_of(opening.subject)
            if patient is None:
                yield opening, "patiënt niet gevonden in de export"
                continue
            if opening.kind == "Condition" and any(e.pathway == opening.pathway for e in self.by_patient[patient]):
                continue  # the diagnosis of a treated patient: the procedure's episode covers it
            ref = f"{opening.kind}/{opening.resource_id}"
            episode_id = episode_pseudonym(self.secret, self.centre, ref)
            episode = Episode(
                episode_id,
                patient,
                opening.pathway,
                opening.treatment,
                opening.when,
                opening.kind,
                opening.encounter,
                opening.referral,
            )
            self.episodes[ref] = episode
            self.by_patient[patient].append(episode)
        self.pending = []

    # pass 2 -----------------------------------------------------------------------------
    def _candidates(self, resource: dict, pathways: set[str]) -> list[Episode]:
        for key in ("partOf", "basedOn", "focus"):
            for ref in resource.get(key) or []:
                if (episode := self.episodes.get(_reference(ref) or "")) is not None:
                    return [episode]
        patient = self._patient_of(resource)
        if patient is None:
            raise Unmappable("subject", "patiënt niet gevonden in de export")
        found = [e for e in self.by_patient.get(patient, []) if e.pathway in pathways]
        if not found:
            raise Unmappable("subject", f"geen episode van {', '.join(sorted(pathways))} voor deze patiënt")
        return found

    def questionnaire_response(self, resource: dict, prom: csv.writer) -> None:
        url = resource.get("questionnaire")
        questionnaires = self.mapping.questionnaires.get(_canonical(url)) if isinstance(url, str) else None
        if not questionnaires:
            raise Unmappable("questionnaire", f"onbekende vragenlijst {shorten(str(url), 120)}")
        status = resource.get("status")
        if status not in COMPLETED | NOT_COMPLETED:
            raise Unmappable("status", f"status {status!r} wordt niet ingelezen")
        authored = _date(resource.get("authored"))
        invited = next(
            (
                _date(e.get("valueDateTime") or e.get("valueDate"))
                for e in resource.get("extension") or []
                if isinstance(e, dict) and e.get("url") == INVITED_EXTENSION
            ),
            None,
        )
        when = authored or invited
        if when is None:
            raise Unmappable("authored", "datum van invullen (authored) ontbreekt")
        by_pathway: dict[str, list[Questionnaire]] = defaultdict(list)  # one form may give several scores (PROMIS-10, SF-12)
        for q in questionnaires:
            by_pathway[q.pathway].append(q)
        options = []
        for episode in self._candidates(resource, set(by_pathway)):
            days = (when - episode.treatment_date).days
            if (tp := timepoint(self.mapping.windows[episode.pathway], days)) is not None:
                options.append((abs(days), episode, tp))
        if not options:
            episode = min(self._candidates(resource, set(by_pathway)), key=lambda e: abs((when - e.treatment_date).days))
            days = (when - episode.treatment_date).days
            raise Unmappable(
                "authored",
                f"ingevuld {days} dagen na de behandeldatum: valt in geen meetmoment van {episode.pathway}"
                f" ({_windows_text(self.mapping.windows[episode.pathway])} dagen)",
            )
        _, episode, tp = min(options, key=lambda o: o[0])
        completed = status in COMPLETED
        answers = _answers(resource.get("item"), {}) if completed else {}
        rows = []
        for q in by_pathway[episode.pathway]:  # every score first: a response maps whole or goes to quarantine whole
            value = score(q, answers) if completed else None
            invited_on, completed_on = (invited or when).isoformat(), when.isoformat() if completed else ""
            rows.append(
                [
                    self.centre,
                    episode.episode_id,
                    q.instrument,
                    tp,
                    invited_on,
                    completed_on,
                    "" if value is None else repr(value),
                ]
            )
        prom.writerows(rows)

    def observation(self, resource: dict) -> bool:
        rules = [r for c in _codings(resource.get("code")) for r in self.mapping.observations.get(c, [])]
        if not rules:
            return False  # an observation no outcome set uses: skipped
        if resource.get("status") in ("entered-in-error", "cancelled"):
            return False
        when = _effective(resource)
        if when is None:
            raise Unmappable("effective", "datum van de observatie ontbreekt")
        by_pathway = {r.pathway: r for r in rules}
        options = []
        for episode in self._candidates(resource, set(by_pathway)):
            rule = by_pathway[episode.pathway]
            days = (when - episode.treatment_date).days
            if rule.window[0] <= days <= rule.window[1]:
                options.append((abs(days), episode, rule))
        if not options:
            raise Unmappable("effective", "observatie valt buiten de periode van elke episode van deze patiënt")
        distance, episode, rule = min(options, key=lambda o: o[0])
        value = self._observation_value(resource, rule)
        if rule.table == "episodes":
            if rule.column not in episode.columns or distance < episode.columns[rule.column][0]:
                episode.columns[rule.column] = (distance, value)
        else:
            key = (episode.episode_id, rule.column)
            if key not in self.outcomes or when < self.outcomes[key][1]:
                self.outcomes[key] = (float(value), when)
        return True

    @staticmethod
    def _observation_value(resource: dict, rule: ObservationRule) -> Any:
        if rule.value in ("boolean", "event"):
            if isinstance(resource.get("valueBoolean"), bool):
                flag = resource["valueBoolean"]
            elif codes := _codings(resource.get("valueCodeableConcept")):
                flag = next((c in YES_CODES for _, c in codes if c in YES_CODES | NO_CODES), None)
                if flag is None:
                    raise Unmappable("value", "ja/nee-waarde niet herkend")
            elif rule.value == "event":
                flag = True  # the event was recorded
            else:
                raise Unmappable("value", "ja/nee-waarde ontbreekt")
            return (1 if flag else 0) if rule.value == "event" else ("ja" if flag else "nee")
        number = _number(resource)
        if number is None and (codes := _codings(resource.get("valueCodeableConcept"))):
            digits = re.findall(r"\d+", codes[0][1])
            number = float(digits[0]) if digits else None
        if number is None:
            raise Unmappable("value", "numerieke waarde ontbreekt")
        if rule.value == "integer":
            if number != int(number):
                raise Unmappable("value", f"geen geheel getal: {number:g}")
            return int(number)
        return number

    # the episodes file -------------------------------------------------------------------
    def episode_rows(self) -> Iterator[list[str]]:
        for episode in self.episodes.values():
            birth, sex = self.demographics.get(episode.patient, (None, None))
            age = None
            if birth is not None:
                t = episode.treatment_date
                age = t.year - birth.year - ((t.month, t.day) < (birth.month, birth.day))
            values: dict[str, Any] = {
                "centre_code": self.centre,
                "episode_id": episode.episode_id,
                "patient_id": episode.patient,
                "pathway": episode.pathway,
                "treatment": episode.treatment,
                "treatment_date": episode.treatment_date.isoformat(),
                "referral_date": self.referrals.get(episode.referral or "") or None,
                "discharge_date": self.encounters.get(episode.encounter or "") or None,
                "age": age,
                "sex": sex,
            }
            values.update({c: v for c, (_, v) in episode.columns.items()})
            yield ["" if values.get(c) is None else str(values[c]) for c in EPISODE_COLUMNS]


def convert(paths: list[Path], centre: str, folder: Path, secret: bytes, mapping: Mapping, limits: Limits) -> Conversion:
    """Read the export twice, write episodes.csv, prom_measurements.csv and clinical_outcomes.csv into ``folder``."""
    converter = Converter(centre, secret, mapping, limits)
    results = [SourceResult(p, file_checksum(p)) for p in source_files(paths)]

    def quarantine(result: SourceResult, position: int, resource: dict | None, element: str | None, reason: str) -> None:
        result.quarantined_count += 1
        if len(result.quarantined) < limits.quarantine_rows:
            kind = resource.get("resourceType") if resource else None
            rid = resource.get("id") if resource else None
            result.quarantined.append(Quarantined(result.path.name, position, kind, element, rid, reason))

    for result in results:  # pass 1: patients, encounters, referrals, the resources that open episodes
        for position, resource, _ in read_resources(result.path, limits, only_index=True):
            if resource is None or resource.get("resourceType") not in INDEX_TYPES:
                continue  # unreadable lines are reported by the second pass
            try:
                opened = len(converter.pending)
                converter.index(resource)
                if len(converter.pending) > opened:
                    converter.pending[-1].source, converter.pending[-1].position = result, position
                result.mapped += 1
            except Unmappable as err:
                if err.element == "ignored":
                    result.ignored += 1
                else:
                    quarantine(result, position, resource, err.element, err.reason)
    for opening, reason in list(converter.resolve_episodes()):
        opening.source.mapped -= 1
        stub = {"resourceType": opening.kind, "id": opening.resource_id}
        quarantine(opening.source, opening.position, stub, "subject", reason)
    total = 0
    files = {name: folder / f"{centre}_fhir_{name}.csv" for name in ("episodes", "prom_measurements", "clinical_outcomes")}
    with files["prom_measurements"].open("w", newline="", encoding="utf-8") as prom_file:
        prom = csv.writer(prom_file)
        prom.writerow(PROM_COLUMNS)
        for result in results:  # pass 2: every line counted; observations and questionnaire responses mapped
            for position, resource, error in read_resources(result.path, limits):
                total += 1
                if resource is None:
                    quarantine(result, position, None, None, error or "onleesbaar")
                    continue
                kind = resource.get("resourceType")
                if not isinstance(kind, str):
                    quarantine(result, position, resource, "resourceType", "geen FHIR-resource: resourceType ontbreekt")
                    continue
                result.read[kind] += 1
                if kind in INDEX_TYPES:
                    continue
                if kind not in MAPPED_TYPES:
                    result.ignored += 1
                    continue
                try:
                    if kind == "QuestionnaireResponse":
                        converter.questionnaire_response(resource, prom)
                        result.mapped += 1
                    elif converter.observation(resource):
                        result.mapped += 1
                    else:
                        result.ignored += 1
                except Unmappable as err:
                    quarantine(result, position, resource, err.element, err.reason)
    with files["episodes"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(EPISODE_COLUMNS)
        out.writerows(converter.episode_rows())
    with files["clinical_outcomes"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(OUTCOME_COLUMNS)
        for (episode_id, outcome), (value, when) in converter.outcomes.items():
            out.writerow([centre, episode_id, outcome, repr(value), when.isoformat()])
    return Conversion(results, list(files.values()), total)


# ---------------------------------------------------------------- loading


def _shown_id(resource_id: object) -> str | None:
    """A resource id as the quarantine may show it: never when it looks like (or holds) a BSN."""
    if resource_id is None:
        return None
    text = str(resource_id)
    return "[BSN verwijderd]" if is_bsn_like(text) else scrub(text)


def log_sources(con: duckdb.DuckDBPyConnection, conversion: Conversion, centre: str, delivered_on: dt.date) -> list[LoadReport]:
    """One load_log row per export file; its unmappable resources into ``quarantine`` (one transaction)."""
    reports = []
    con.begin()
    try:
        for result in conversion.sources:
            load_id = con.execute("select nextval('load_id_seq')").fetchone()[0]
            read = ", ".join(f"{k} {v}" for k, v in sorted(result.read.items()))
            report = LoadReport(
                result.path.name,
                "fhir",
                "loaded_with_quarantine" if result.quarantined_count else "loaded",
                rows_read=sum(result.read.values()) + sum(1 for q in result.quarantined if q.resource_type is None),
                rows_quarantined=result.quarantined_count,
                load_id=load_id,
                centre_codes=[centre],
                message=f"FHIR: omgezet {result.mapped}, overgeslagen {result.ignored}; gelezen: {read or 'niets'}",
            )
            write_log(con, report, result.checksum, delivered_on)
            _write_quarantine(con, result, centre, load_id)
            reports.append(report)
        con.commit()
    except Exception:
        con.rollback()
        raise
    return reports


def _write_quarantine(con: duckdb.DuckDBPyConnection, result: SourceResult, centre: str, load_id: int) -> None:
    con.execute("delete from quarantine where checksum_sha256 = $c and table_name like 'fhir%'", {"c": result.checksum})
    if not result.quarantined:
        return
    rows = pl.DataFrame(
        [
            (
                load_id,
                q.source,
                "fhir" + (f" {q.resource_type}" if q.resource_type else ""),
                result.checksum,
                centre,
                q.position,
                scrub(f"{q.resource_type}.{q.element}" if q.resource_type and q.element else q.resource_type),
                _shown_id(q.resource_id),
                scrub(q.reason),
            )
            for q in result.quarantined
        ],
        schema={
            "load_id": pl.Int64,
            "file_name": pl.String,
            "table_name": pl.String,
            "checksum_sha256": pl.String,
            "centre_code": pl.String,
            "row_number": pl.Int64,
            "column_name": pl.String,
            "value": pl.String,
            "reason": pl.String,
        },
        orient="row",
    )
    rows = without_bsn(rows)
    con.register("fhir_quarantine", rows)
    con.execute("insert into quarantine select * from fhir_quarantine")
    con.unregister("fhir_quarantine")


def import_paths(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    centre: str,
    delivered_on: dt.date | None = None,
    limits: Limits | None = None,
) -> list[LoadReport]:
    """Map an export and load it through ``load_paths`` (for ``centre`` only); the export's own log rows last."""
    secret = pseudonym_secret()  # refuses before anything is read
    mapping = mappings()
    limits = limits or current()
    delivered_on = delivered_on or dt.date.today()
    ensure_schema(con)
    with tempfile.TemporaryDirectory(prefix="fhir-import-") as tmp:
        conversion = convert(paths, centre, Path(tmp), secret, mapping, limits)
        reports = load_paths(con, conversion.files, delivered_on, allowed_centre=centre, limits=limits)
    return reports + log_sources(con, conversion, centre, delivered_on)


# ---------------------------------------------------------------- writing an export (demo and round trip)

LOCAL_PATIENT_SYSTEM = "https://samenleren.nl/fhir/NamingSystem/patient-pseudoniem"
FHIR_SEXES = {v: k for k, v in SEXES.items()}


def _reverse(mapping: Mapping) -> tuple[dict, dict, dict]:
    """(pathway, treatment) → how it is opened; (pathway, instrument) → form URL and total item;
    (pathway, table, column) → the Observation code and value type that fill it."""
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
    observations: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for (system, code), rules in mapping.observations.items():
        for r in rules:
            observations.setdefault((r.pathway, r.table, r.column), (system, code, r.value))
    return openers, forms, observations


def _observation_value(value: Any, kind: str) -> dict:
    if kind in ("boolean", "event"):
        return {"valueBoolean": bool(value)}
    if kind == "integer":
        return {"valueInteger": int(value)}
    return {"valueQuantity": {"value": float(value)}}


def _birth_date(treatment: dt.date, age: int) -> str:
    """A birth date that makes the patient ``age`` on the treatment date."""
    day = treatment - dt.timedelta(days=1)
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year - age).isoformat()


def write_export(tables: dict[str, pl.DataFrame], folder: Path, mapping: Mapping | None = None) -> list[Path]:
    """A delivery's ``episodes``, ``prom_measurements`` and ``clinical_outcomes`` as a Bulk Data export
    (one NDJSON file per resource type) that ``import-fhir`` maps back to the same rows.

    The resource that opens an episode has the episode id as its id; the patient's identifier is
    its pseudonym (``LOCAL_PATIENT_SYSTEM``). Codes, forms and windows come from the mapping files.
    """
    mapping = mapping or mappings()
    openers, forms, observation_codes = _reverse(mapping)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = ("Patient", "ServiceRequest", "Encounter", "Procedure", "Condition", "Observation", "QuestionnaireResponse")
    paths = {k: folder / f"{k}.ndjson" for k in kinds}
    out = {k: p.open("w", encoding="utf-8") for k, p in paths.items()}
    opened: dict[tuple[str, str], tuple[str, str, str]] = {}  # (centre, episode) → (reference, pathway, patient id)

    def emit(resource: dict) -> None:
        out[resource["resourceType"]].write(json.dumps(resource, separators=(",", ":")) + "\n")

    try:
        for ep in tables["episodes"].iter_rows(named=True):
            eid, pid, pathway = ep["episode_id"], ep["patient_id"], ep["pathway"]
            subject = {"reference": f"Patient/{pid}"}
            emit(
                {
                    "resourceType": "Patient",
                    "id": pid,
                    "identifier": [{"system": LOCAL_PATIENT_SYSTEM, "value": pid}],
                    "gender": FHIR_SEXES.get(ep["sex"], "unknown"),
                    "birthDate": _birth_date(ep["treatment_date"], ep["age"]),
                }
            )
            kind, system, code = openers[(pathway, ep["treatment"])]
            opener: dict[str, Any] = {"resourceType": kind, "id": eid, "code": {"coding": [{"system": system, "code": code}]}}
            opener["subject"] = subject
            if ep.get("referral_date"):
                emit(
                    {
                        "resourceType": "ServiceRequest",
                        "id": f"ref-{eid}",
                        "status": "completed",
                        "intent": "order",
                        "subject": subject,
                        "authoredOn": ep["referral_date"].isoformat(),
                    }
                )
                opener["basedOn"] = [{"reference": f"ServiceRequest/ref-{eid}"}]
            if ep.get("discharge_date"):
                period = {"start": ep["treatment_date"].isoformat(), "end": ep["discharge_date"].isoformat()}
                emit(
                    {"resourceType": "Encounter", "id": f"enc-{eid}", "status": "finished", "subject": subject, "period": period}
                )
                opener["encounter"] = {"reference": f"Encounter/enc-{eid}"}
            if kind == "Procedure":
                opener |= {"status": "completed", "performedDateTime": ep["treatment_date"].isoformat()}
            else:
                opener["recordedDate"] = ep["treatment_date"].isoformat()
            emit(opener)
            for column in EPISODE_COLUMNS:
                if ep.get(column) is None or (pathway, "episodes", column) not in observation_codes:
                    continue
                system, code, value_kind = observation_codes[(pathway, "episodes", column)]
                emit(
                    {
                        "resourceType": "Observation",
                        "id": f"{eid}-{column}",
                        "status": "final",
                        "code": {"coding": [{"system": system, "code": code}]},
                        "subject": subject,
                        "focus": [{"reference": f"{kind}/{eid}"}],
                        "effectiveDateTime": ep["treatment_date"].isoformat(),
                        **_observation_value(ep[column], value_kind),
                    }
                )
            opened[(ep["centre_code"], eid)] = (f"{kind}/{eid}", pathway, pid)
        for row in tables["clinical_outcomes"].iter_rows(named=True):
            ref, pathway, pid = opened[(row["centre_code"], row["episode_id"])]
            system, code, value_kind = observation_codes[(pathway, "clinical_outcomes", row["outcome"])]
            emit(
                {
                    "resourceType": "Observation",
                    "id": f"{row['episode_id']}-{row['outcome']}",
                    "status": "final",
                    "code": {"coding": [{"system": system, "code": code}]},
                    "subject": {"reference": f"Patient/{pid}"},
                    "focus": [{"reference": ref}],
                    "effectiveDateTime": row["measured_on"].isoformat(),
                    **_observation_value(row["value"], value_kind),
                }
            )
        responses: dict[tuple, dict] = {}
        for row in tables["prom_measurements"].sort("centre_code", "episode_id", "timepoint").iter_rows(named=True):
            ref, pathway, pid = opened[(row["centre_code"], row["episode_id"])]
            url, total_item = forms[(pathway, row["instrument"])]
            key = (row["centre_code"], row["episode_id"], row["timepoint"], url)
            if key not in responses:
                answered = row["completed_on"] is not None
                responses[key] = {
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
                responses[key]["item"].append({"linkId": total_item, "answer": [{"valueDecimal": float(row["score"])}]})
        for resource in responses.values():
            emit(resource)
    finally:
        for f in out.values():
            f.close()
    return list(paths.values())
