"""Importing a hospital's FHIR R4 export as a delivery: map, pseudonymise, load like any file.

A FHIR Bulk Data export (``$export``: NDJSON, one resource per line, one file per resource
type, optionally gzipped, with or without its manifest; or a zip of those files) or FHIR Bundles
(JSON) are read resource by resource and mapped to every table of the data standard (``episodes``,
``prom_measurements``, ``clinical_outcomes``, ``baseline_characteristics``, ``prem_responses`` from
QuestionnaireResponses of the experience forms, ``costs`` from ChargeItems) with the mapping files
in ``data_models/fhir_mappings/`` (one per outcome set; nothing here names a pathway, an
instrument or a code). The mapped rows are written as the standard's CSV files into a temporary
folder and loaded through the same ``load_paths`` as any delivery: validation, quarantine, merge,
load_log and publish.

Streaming: the export is read twice, line by line, never whole. The first pass keeps, per
patient and per episode, only what the second needs (pseudonym, birth date, sex, treatment
date); the second pass maps Observations and QuestionnaireResponses (the bulk of an export)
and writes their rows straight to the CSV files. A Bundle file (JSON) is parsed one file at a
time, within the file size limit. A zip is unpacked, and a gzipped file inflated, within the
limits of any delivered file (``warehouse.limits``: files, unpacked size, compression ratio);
beyond them the export is refused whole in one line (``ExportRefused``), nothing loaded.

Pseudonymisation at the door: the patient pseudonym is ``P-`` + HMAC-SHA256 of the patient's
identifier (the BSN when there is one, else the first identifier, else the resource id) under
the centre's own key ``FHIR_PSEUDONYM_SECRET`` (at least 32 characters; a fixed, public demo
key only in demo mode, ``SAMEN_LEREN_DEMO=1``). Episode ids are keyed hashes of the resource
that opened the episode. No BSN, identifier or resource id is written anywhere: quarantine
rows show a resource id only when it does not look like a BSN (``data_models.identifiers``),
and every BSN-like run of digits in a shown value or reason is removed.

A resource that cannot be mapped (malformed JSON line, unknown questionnaire, a response outside
every timepoint window, a value that is no choice of its variable, a Procedure of a pathway
without a mapping file, …) goes to ``quarantine`` with the export file, line (or Bundle entry)
number, resource type, id and the reason in Dutch; the rest loads. What is not for the outcome
sets is skipped and counted, never silently: a Procedure whose code opens no pathway (counted per
code in the load log's message), Conditions, Observation codes and resource types no mapping uses.
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
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb
import polars as pl
import yaml

from data_models.identifiers import RUN, is_bsn_like, normalise
from data_models.outcome_sets import common, outcome_set_dir, outcome_sets
from data_models.schemas import TABLES
from warehouse.limits import MB, Limits, current, shorten
from warehouse.loader import LoadReport, load_paths, without_bsn, write_log
from warehouse.reader import checksum_file
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
MAPPED_TYPES = {"Observation", "QuestionnaireResponse", "ChargeItem"}
COMPLETED = {"completed", "amended"}
NOT_COMPLETED = {"in-progress", "stopped"}
YES_CODES = {"373066001", "Y", "yes", "true", "ja"}
NO_CODES = {"373067005", "N", "no", "false", "nee"}
SEXES = {"male": "M", "female": "F", "other": "X", "unknown": "U"}
EPISODE_COLUMNS = TABLES["episodes"].columns
PROM_COLUMNS = TABLES["prom_measurements"].columns
OUTCOME_COLUMNS = TABLES["clinical_outcomes"].columns
CHARACTERISTIC_COLUMNS = TABLES["baseline_characteristics"].columns
PREM_COLUMNS = TABLES["prem_responses"].columns
COST_COLUMNS = TABLES["costs"].columns
COST_SYSTEM = "https://samenleren.nl/fhir/CodeSystem/kostencategorie"  # a cost category's own code always counts
PATHWAY_TREATMENT_SYSTEM = "https://samenleren.nl/fhir/CodeSystem/zorgpad-behandeling"  # code: <pathway>/<treatment>
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
    total_items: tuple[str, ...]  # linkIds that carry the total (the first is the one written by the demo export)
    scoring: str  # "sum" or "total_only"
    items: tuple[str, ...] = ()
    item_range: tuple[float, float] | None = None
    max_missing: int = 0
    missing: str | None = None  # "mean": a missing item counts as the mean of the answered ones

    @property
    def total_item(self) -> str | None:
        return self.total_items[0] if self.total_items else None


CHARACTERISTICS = "baseline_characteristics"
TARGET_TABLES = ("episodes", "clinical_outcomes", CHARACTERISTICS)
VALUE_KINDS = ("quantity", "integer", "boolean", "event", "choice")


@dataclass(frozen=True)
class ObservationRule:
    pathway: str
    table: str  # episodes, clinical_outcomes or baseline_characteristics
    column: str  # the episode column, the outcome code, or the case-mix variable
    value: str  # quantity, integer, boolean, event or choice
    window: tuple[int, int]
    choices: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # choice code -> the codings that mean it

    @property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.choices)

    def choice_of(self, coding: tuple[str, str]) -> str | None:
        """The choice a coding stands for: listed under it, or (any system) its code is the choice's own."""
        for code, codings in self.choices:
            if coding in codings:
                return code
        return coding[1] if coding[1] in self.choice_codes else None


@dataclass(frozen=True)
class PremForm:
    """A patient-experience form: which linkId carries which PREM instrument (``prem_responses``)."""

    name: str
    items: tuple[tuple[str, str], ...]  # (instrument, linkId)


@dataclass
class Mapping:
    procedures: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    conditions: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    questionnaires: dict[str, list[Questionnaire]] = field(default_factory=lambda: defaultdict(list))
    observations: dict[tuple[str, str], list[ObservationRule]] = field(default_factory=lambda: defaultdict(list))
    windows: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    prem_forms: dict[str, PremForm] = field(default_factory=dict)  # canonical URL → form
    prem_window: tuple[int, int] = (-180, 365)
    cost_codes: dict[tuple[str, str], str] = field(default_factory=dict)  # (system, code) → cost category
    cost_window: tuple[int, int] = (-365, 730)
    currency: str = "EUR"
    profiles: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # type → profile URL → required elements


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
        totals = spec.get("total_item")
        q = Questionnaire(
            pathway,
            instrument,
            tuple(str(t) for t in (totals if isinstance(totals, list) else [totals] if totals else [])),
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
        if table not in TARGET_TABLES:
            raise MappingError(f"{name}: doel {rule['target']!r} wordt niet ondersteund ({', '.join(TARGET_TABLES)})")
        if rule.get("value") not in VALUE_KINDS:
            raise MappingError(f"{name}: {rule['target']}: value moet {', '.join(VALUE_KINDS)} zijn")
        if table == "episodes" and column not in EPISODE_COLUMNS:
            raise MappingError(f"{name}: episodes heeft geen kolom {column!r}")
        if table == "clinical_outcomes" and column not in oset.clinical_outcomes:
            raise MappingError(f"{name}: uitkomst {column!r} hoort niet bij {pathway}")
        choices = _characteristic_choices(oset, column, rule, name) if table == CHARACTERISTICS else ()
        if table != CHARACTERISTICS and rule["value"] == "choice":
            raise MappingError(f"{name}: {rule['target']}: value choice is alleen voor {CHARACTERISTICS}")
        window = rule.get("window", [-365, 730])
        obs = ObservationRule(pathway, table, column, rule["value"], (int(window[0]), int(window[1])), choices)
        mapping.observations[(rule["system"], str(rule["code"]))].append(obs)


def _characteristic_choices(oset: Any, variable: str, rule: dict[str, Any], name: str) -> tuple:
    """A ``baseline_characteristics`` target: a case-mix variable of origin characteristic, with a fitting value.

    Numeric variables take ``quantity`` or ``integer``; categorical ones ``choice``, with ``choices``
    listing per choice code the codings (``system|code``) that mean it."""
    var = oset.casemix.get(variable)
    if var is None or var.origin != "characteristic":
        raise MappingError(f"{name}: {variable!r} is geen kenmerk van {oset.pathway} dat in {CHARACTERISTICS} wordt geleverd")
    if var.is_numeric:
        if rule["value"] not in ("quantity", "integer") or rule.get("choices"):
            raise MappingError(f"{name}: {variable} is numeriek: value moet quantity of integer zijn, zonder choices")
        return ()
    if rule["value"] != "choice":
        raise MappingError(f"{name}: {variable} is categorisch: value moet choice zijn")
    listed = rule.get("choices") or {}
    if unknown := set(map(str, listed)) - set(var.choices):
        raise MappingError(
            f"{name}: {variable}: onbekende keuze(s) {', '.join(sorted(unknown))} (de uitkomstenset kent {', '.join(var.choices)})"
        )
    out = []
    for code in var.choices:  # every choice of the outcome set, in its order; its code itself always counts
        codings = []
        for text in listed.get(code, []) or []:
            system, sep, value = str(text).rpartition("|")
            if not sep or not system or not value:
                raise MappingError(f"{name}: {variable}.{code}: schrijf een codering als systeem|code, niet {text!r}")
            codings.append((system, value))
        out.append((code, tuple(codings)))
    return tuple(out)


COMMON_MAPPING = "common.yaml"  # rules every pathway shares: the episodes' fixed case-mix columns, PREMs, costs


def _window(raw: object, name: str) -> tuple[int, int]:
    if not isinstance(raw, list) or len(raw) != 2 or int(raw[0]) > int(raw[1]):
        raise MappingError(f"{name}: window moet [van, tot] in dagen zijn, van ≤ tot")
    return int(raw[0]), int(raw[1])


def _add_prems(mapping: Mapping, raw: dict[str, Any], name: str) -> None:
    """``prems``: per form its canonical URLs and which linkId carries which PREM instrument."""
    known = common().prem_instruments
    mapping.prem_window = _window(raw.get("window", list(mapping.prem_window)), f"{name}: prems")
    for form, spec in (raw.get("questionnaires") or {}).items():
        items = tuple((str(i), str(link)) for i, link in (spec.get("items") or {}).items())
        if not items or (unknown := {i for i, _ in items} - set(known)):
            shown = ", ".join(sorted(unknown)) if items else "geen items"
            raise MappingError(f"{name}: prems.{form}: {shown} (PREM-vragen zijn {', '.join(known)})")
        for url in spec.get("canonical", []):
            if _canonical(url) in mapping.questionnaires or _canonical(url) in mapping.prem_forms:
                raise MappingError(f"{name}: prems.{form}: {url} is al een andere vragenlijst")
            mapping.prem_forms[_canonical(url)] = PremForm(str(form), items)


def _add_costs(mapping: Mapping, raw: dict[str, Any], name: str) -> None:
    """``costs``: per cost category the ChargeItem codings (``system|code``) that mean it, besides its own code."""
    known = common().cost_categories
    mapping.cost_window = _window(raw.get("window", list(mapping.cost_window)), f"{name}: costs")
    mapping.currency = str(raw.get("currency", mapping.currency))
    listed = raw.get("categories") or {}
    if unknown := set(map(str, listed)) - set(known):
        raise MappingError(f"{name}: costs: onbekende categorie(ën) {', '.join(sorted(unknown))} ({', '.join(known)})")
    for category in known:
        mapping.cost_codes[(COST_SYSTEM, category)] = category
        for text in listed.get(category) or []:
            system, sep, code = str(text).rpartition("|")
            if not sep or not system or not code:
                raise MappingError(f"{name}: costs.{category}: schrijf een codering als systeem|code, niet {text!r}")
            mapping.cost_codes[(system, code)] = category


def mappings(directory: Path = MAPPING_DIR) -> Mapping:
    """Every configured pathway's mapping file (with the shared ``common.yaml``), checked against its outcome set.

    A file for a pathway the install has no outcome set for is not read; an outcome set without a
    file has no mapping (its resources are not recognised: see ``Conversion.unmapped_pathways``)."""
    return _mappings(Path(directory), outcome_set_dir())


@cache
def _mappings(directory: Path, _outcome_sets: Path) -> Mapping:  # read once per directory and outcome sets in use
    mapping = Mapping()
    common_file = directory / COMMON_MAPPING
    shared = yaml.safe_load(common_file.read_text(encoding="utf-8")) if common_file.exists() else {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == COMMON_MAPPING:
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if raw.get("pathway") != path.stem:
            raise MappingError(f"{path.name}: pathway moet gelijk zijn aan de bestandsnaam")
        if path.stem not in outcome_sets():
            continue  # not a pathway of this install
        own = {(r["system"], str(r["code"])) for r in raw.get("observations", [])}
        extra = [r for r in shared.get("observations", []) if (r["system"], str(r["code"])) not in own]
        _add_pathway(mapping, raw | {"observations": [*raw.get("observations", []), *extra]}, path.name)
    if "prems" in shared:
        _add_prems(mapping, shared["prems"], COMMON_MAPPING)
    if "costs" in shared:
        _add_costs(mapping, shared["costs"], COMMON_MAPPING)
    for kind, profiles in (shared.get("profiles") or {}).items():
        mapping.profiles[str(kind)] = {_canonical(url): tuple(map(str, elements)) for url, elements in profiles.items()}
    return mapping


# ---------------------------------------------------------------- reading the export


class ExportRefused(ValueError):
    """The export is refused whole, in one line (a zip bomb, too many files, a file its manifest names is missing)."""


MANIFEST_BYTES = MB  # a Bulk Data manifest is small; a larger JSON file is read as a Bundle
ZIP_MAGIC = b"PK\x03\x04"
SOURCE_TEXT = ".ndjson, .jsonl of .json, ook gezipt als .gz"


@dataclass(frozen=True)
class Source:
    """One file of the export, and what its ``$export`` manifest says it holds (when there is one)."""

    path: Path
    expected: int | None = None


def _manifest(path: Path) -> dict | None:
    """The Bulk Data ``$export`` manifest in ``path`` (``transactionTime``, ``output``), or None."""
    if path.stat().st_size > MANIFEST_BYTES or path.name.lower().endswith(".gz"):
        return None
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, RecursionError):  # not a manifest: read (and reported) as a Bundle
        return None
    if isinstance(doc, dict) and "resourceType" not in doc and isinstance(doc.get("output"), list):
        return doc
    return None


def _manifest_counts(manifest: dict, folder: Path, name: str) -> dict[str, int | None]:
    """File name → the count the manifest gives; every file it names must be in ``folder``."""
    counts: dict[str, int | None] = {}
    for entry in manifest["output"]:
        url = str(entry.get("url", "")) if isinstance(entry, dict) else ""
        file_name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if not file_name:
            continue
        if not (folder / file_name).is_file():
            raise ExportRefused(f"{name}: het manifest noemt {shorten(file_name, 80)}, maar dat bestand ontbreekt in de export")
        count = entry.get("count")
        counts[file_name] = count if isinstance(count, int) and not isinstance(count, bool) else None
    return counts


def source_files(paths: list[Path]) -> list[Source]:
    """The export's files: the given files, and every NDJSON/JSON file (gzipped or not) in a given folder.

    A Bulk Data manifest (the ``$export`` status response: ``transactionTime`` and ``output``, saved
    as a JSON file beside the NDJSON files) is not a source: each file it names must be present, and
    its ``count`` is checked against the lines read."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SOURCE_SUFFIXES)))
        else:
            found.append(path)
    counts: dict[Path, int | None] = {}
    sources = []
    for path in found:
        if path.name.lower().endswith(".json") and (manifest := _manifest(path)) is not None:
            counts |= {path.parent / n: c for n, c in _manifest_counts(manifest, path.parent, path.name).items()}
        else:
            sources.append(path)
    return [Source(p, counts.get(p)) for p in sources]


def unpack_zip(path: Path, folder: Path, limits: Limits) -> Path:
    """A zip of an export's NDJSON/JSON files, unpacked into ``folder`` within the limits of any delivered file.

    Refused whole, in one line, before or while unpacking: a zip larger than ``file_mb``, more files than
    ``zip_members``, more than ``unpacked_mb`` unpacked (counted while inflating, not trusting the sizes the
    zip declares), a file inflating more than ``compression_ratio`` times (a zip bomb), a file that is not
    NDJSON or JSON, a name twice, an encrypted or damaged file. Only each file's own name is used."""
    name = path.name
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise ExportRefused(f"{name}: bestand is {size / MB:.1f} MB; de grens is {limits.file_mb} MB")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise ExportRefused(f"{name}: geen leesbaar zip-bestand ({type(err).__name__})") from err
    folder.mkdir(parents=True, exist_ok=True)
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > limits.zip_members:
            raise ExportRefused(f"{name}: de zip bevat {len(members)} bestanden; de grens is {limits.zip_members}")
        declared = sum(m.file_size for m in members)
        if declared > limits.unpacked_bytes:
            raise ExportRefused(f"{name}: pakt uit tot {declared / MB:.0f} MB; de grens is {limits.unpacked_mb} MB")
        seen: set[str] = set()
        for m in members:
            base = PurePosixPath(m.filename).name
            if not base.lower().endswith(SOURCE_SUFFIXES):
                raise ExportRefused(f"{name}: {shorten(base, 60)!r} is geen FHIR-exportbestand ({SOURCE_TEXT})")
            if base.lower() in seen:
                raise ExportRefused(f"{name}: {shorten(base, 60)!r} komt twee keer voor in de zip")
            if m.flag_bits & 0x1:
                raise ExportRefused(f"{name}: {shorten(base, 60)!r} is versleuteld")
            seen.add(base.lower())
            _ratio(name, m.file_size, m.compress_size, limits)
        unpacked = 0
        for m in members:
            base = PurePosixPath(m.filename).name
            written = 0
            try:
                with archive.open(m) as src, (folder / base).open("wb") as dst:
                    while piece := src.read(MB):
                        written += len(piece)
                        unpacked += len(piece)
                        if unpacked > limits.unpacked_bytes:
                            raise ExportRefused(
                                f"{name}: pakt uit tot meer dan {limits.unpacked_mb} MB; de grens is {limits.unpacked_mb} MB"
                            )
                        _ratio(name, written, m.compress_size, limits)
                        dst.write(piece)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError) as err:
                raise ExportRefused(f"{name}: beschadigd zip-bestand ({type(err).__name__})") from err
    return folder


def _ratio(name: str, unpacked: int, packed: int, limits: Limits) -> None:
    if unpacked > MB and unpacked > limits.compression_ratio * max(packed, 1):
        raise ExportRefused(
            f"{name}: een bestand pakt {unpacked // max(packed, 1)} keer zo groot uit; de grens is {limits.compression_ratio} (zip-bom?)"
        )


def is_zip(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as f:
        return f.read(4) == ZIP_MAGIC


def staged(paths: list[Path], folder: Path, limits: Limits) -> list[Path]:
    """The export as files and folders to read: every zip among ``paths`` unpacked into ``folder``."""
    return [
        unpack_zip(p, folder / f"zip-{n}", limits) if is_zip(p) or (p.is_file() and p.suffix.lower() == ".zip") else p
        for n, p in enumerate(map(Path, paths))
    ]


def _opened(path: Path):
    with path.open("rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else path.open("rb")


def _lines(f, path: Path, limits: Limits) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines, none longer than ``cell_bytes`` kept (an overlong one: None); a gzipped file is
    held to ``unpacked_mb`` and ``compression_ratio`` while it is inflated."""
    packed = path.stat().st_size
    number = unpacked = 0
    while line := f.readline(limits.cell_bytes + 1):
        number += 1
        unpacked += len(line)
        too_long = len(line) > limits.cell_bytes
        while too_long and not line.endswith(b"\n") and (line := f.readline(MB)):
            unpacked += len(line)  # the rest of an overlong line, skipped piece by piece
            _inflated(path, unpacked, packed, limits)
        _inflated(path, unpacked, packed, limits)
        yield number, None if too_long else line


def _inflated(path: Path, unpacked: int, packed: int, limits: Limits) -> None:
    if unpacked > packed and unpacked > limits.unpacked_bytes:
        raise ExportRefused(f"{path.name}: pakt uit tot meer dan {limits.unpacked_mb} MB; de grens is {limits.unpacked_mb} MB")
    if unpacked > packed:
        _ratio(path.name, unpacked, packed, limits)


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
            for number, line in _lines(f, path, limits):
                if line is None:
                    if not only_index:
                        yield number, None, f"regel is langer dan {limits.cell_bytes} bytes"
                    continue
                if not line.strip() or (only_index and not INDEX_HINT.search(line)):
                    continue
                try:
                    doc = json.loads(line)
                except ValueError:
                    yield number, None, "regel is geen geldige JSON"
                    continue
                except RecursionError:  # the parser's own depth bound, far below any stack limit
                    yield number, None, "regel is te diep genest om als JSON te lezen"
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
    except RecursionError:
        yield 0, None, "bestand is te diep genest om als JSON te lezen"
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


MAX_ITEM_DEPTH = 32  # nested groups of a questionnaire response; real forms use two or three


def _answers(items: object, out: dict[str, float | None], depth: int = 0) -> dict[str, float | None]:
    """linkId → the first answer's number, through nested groups (at most ``MAX_ITEM_DEPTH`` deep)."""
    if not isinstance(items, list):
        return out
    if depth >= MAX_ITEM_DEPTH:
        raise Unmappable("item", f"vragen dieper genest dan {MAX_ITEM_DEPTH} niveaus")
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
                    _answers(a["item"], out, depth + 1)
        if "item" in item:
            _answers(item["item"], out, depth + 1)
    return out


class Unmappable(Exception):
    """A resource that goes to quarantine: the element at fault and the reason in Dutch."""

    def __init__(self, element: str, reason: str) -> None:
        super().__init__(reason)
        self.element = element
        self.reason = reason


class NoPathway(Exception):
    """A Procedure whose code opens no episode of any outcome set: skipped, and counted per code."""

    def __init__(self, codes: str) -> None:
        super().__init__(codes)
        self.codes = codes


def score(q: Questionnaire, answers: dict[str, float | None]) -> float:
    """The instrument's score: the delivered total, else the items by the instrument's own rule."""
    for total in q.total_items:
        if answers.get(total) is not None:
            return float(answers[total])
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


def _choice(resource: dict, rule: ObservationRule) -> str:
    """A categorical characteristic: a coding of ``valueCodeableConcept`` the mapping lists (or whose code is
    the choice's own), else ``valueString`` (or the concept's text) equal to a choice code (case ignored)."""
    concept = resource.get("valueCodeableConcept")
    for coding in _codings(concept):
        if (found := rule.choice_of(coding)) is not None:
            return found
    texts = [resource.get("valueString"), concept.get("text") if isinstance(concept, dict) else None]
    by_upper = {c.upper(): c for c in rule.choice_codes}
    for text in texts:
        if isinstance(text, str) and text.strip().upper() in by_upper:
            return by_upper[text.strip().upper()]
    given = [c for _, c in _codings(concept)] + [t for t in texts if isinstance(t, str)]
    if not given:
        raise Unmappable("value", f"waarde van {rule.column} ontbreekt (valueCodeableConcept of valueString)")
    shown = shorten(", ".join(given), 60)
    raise Unmappable("value", f"{shown} is geen keuze van {rule.column} ({', '.join(rule.choice_codes)})")


def _present(resource: dict, element: str) -> bool:
    """Whether ``element`` is there and not empty: ``name[x]`` any of the choice's types, ``a.b`` in every ``a`` there is."""
    head, _, rest = element.partition(".")
    if head.endswith("[x]"):
        return any(k.startswith(head[:-3]) and v not in (None, "", [], {}) for k, v in resource.items())
    value = resource.get(head)
    if value in (None, "", [], {}):
        return bool(rest)  # ``a.b`` asks only of every ``a`` there is
    if not rest:
        return True
    parts = value if isinstance(value, list) else [value]
    return all(isinstance(part, dict) and _present(part, rest) for part in parts)


def _profile_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def check_profiles(resource: dict, profiles: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """The Nictiz profiles a resource claims (``meta.profile``), held to the elements the mapping relies on.

    Raises ``Unmappable`` (element ``meta.profile`` or the missing element, reason in Dutch) when
    ``meta.profile`` is no list of URLs, names a known profile of another resource type, or names a
    known profile whose required elements are missing. Unknown profiles are not judged."""
    meta = resource.get("meta")
    claimed = meta.get("profile") if isinstance(meta, dict) else None
    if claimed is None:
        return
    if not isinstance(claimed, list) or not all(isinstance(u, str) for u in claimed):
        raise Unmappable("meta.profile", "meta.profile is geen lijst van canonieke URL's")
    kind = resource.get("resourceType")
    own = profiles.get(kind, {})
    for url in map(_canonical, claimed):
        if url in own:
            missing = [e for e in own[url] if not _present(resource, e)]
            if missing:
                raise Unmappable(
                    missing[0],
                    f"voldoet niet aan profiel {_profile_name(url)}: {', '.join(missing)} ontbreekt (verplicht in het profiel)",
                )
            continue
        other = next((k for k, urls in profiles.items() if url in urls), None)
        if other is not None:
            raise Unmappable("meta.profile", f"profiel {_profile_name(url)} hoort bij {other}, niet bij {kind}")


# ---------------------------------------------------------------- the conversion


@dataclass(slots=True)  # one per episode: kept small
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
    characteristics: dict[str, tuple[int, str]] = field(default_factory=dict)  # variable → (distance in days, value)


@dataclass(slots=True)  # one per episode: kept small
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
    skipped_procedures: Counter = field(default_factory=Counter)  # code → Procedures of no pathway, skipped and counted
    expected: int | None = None  # the count the export's manifest gives for this file
    items: int = 0  # resources (and unreadable lines) read in the second pass
    quarantined: list[Quarantined] = field(default_factory=list)
    quarantined_count: int = 0


@dataclass
class Conversion:
    sources: list[SourceResult]
    files: list[Path]
    resources: int = 0
    unmapped_pathways: tuple[str, ...] = ()  # configured outcome sets without a mapping file


class Converter:
    """Maps one export to the standard's CSV files in ``folder``."""

    def __init__(self, centre: str, secret: bytes, mapping: Mapping, limits: Limits) -> None:
        self.centre, self.secret, self.mapping, self.limits = centre, secret, mapping, limits
        self.patients: dict[str, str] = {}  # patient key (keyed hash of id or identifier) → pseudonym
        self.demographics: dict[str, tuple[dt.date | None, str | None]] = {}  # pseudonym → (birth date, sex)
        self.encounters: dict[str, dt.date | None] = {}  # Encounter/id → end of its period
        self.resolved: dict[str, str] = {}  # Patient/id as referenced → pseudonym, once found
        self.referrals: dict[str, dt.date | None] = {}  # ServiceRequest/id → authoredOn (the referral)
        # Condition/id → ServiceRequest/id: R4's Condition has no basedOn, so a referral names its reason instead
        self.referred_for: dict[str, str] = {}
        self.episodes: dict[str, Episode] = {}
        self.by_patient: dict[str, list[Episode]] = defaultdict(list)
        self.outcomes: dict[tuple[str, str], tuple[float, dt.date]] = {}
        self.prems: dict[tuple[str, str], tuple[float, dt.date]] = {}  # (episode, instrument) → (score, answered on)
        self.costs: dict[tuple[str, str], float] = {}  # (episode, category) → euros
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
        check_profiles(resource, self.mapping.profiles)
        if kind == "Patient":
            self.add_patient(resource)
        elif kind == "ServiceRequest":
            ref = f"ServiceRequest/{resource.get('id')}"
            self.referrals[ref] = _date(resource.get("authoredOn"))
            for reason in map(_reference, resource.get("reasonReference") or []):
                if reason and reason.startswith("Condition/"):
                    self.referred_for.setdefault(reason, ref)
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
        codings = _codings(resource.get("code"))
        hits = [pt for c in codings for pt in table.get(c, [])]
        if not hits:
            if unmapped := self._unmapped_pathway(codings):
                raise Unmappable(
                    "code",
                    f"zorgpad {unmapped} heeft geen FHIR-mapping (data_models/fhir_mappings/{unmapped}.yaml ontbreekt):"
                    f" deze {'verrichting' if kind == 'Procedure' else 'diagnose'} opent geen episode",
                )
            if kind == "Condition":
                raise Unmappable("ignored", "")
            raise NoPathway(", ".join(c for _, c in codings) or "geen code")
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
                opening.referral or self.referred_for.get(ref),
            )
            self.episodes[ref] = episode
            self.by_patient[patient].append(episode)
        self.pending = []

    def _unmapped_pathway(self, codings: list[tuple[str, str]]) -> str | None:
        """A configured pathway without a mapping file, named by the programme's generic treatment code."""
        for system, code in codings:
            pathway = code.split("/", 1)[0]
            if system == PATHWAY_TREATMENT_SYSTEM and pathway in outcome_sets() and pathway not in self.mapping.windows:
                return pathway
        return None

    # pass 2 -----------------------------------------------------------------------------
    def _candidates(self, resource: dict, pathways: set[str]) -> list[Episode]:
        for key in ("partOf", "basedOn", "focus", "service", "supportingInformation"):
            refs = resource.get(key) or []
            for ref in refs if isinstance(refs, list) else []:
                if (episode := self.episodes.get(_reference(ref) or "")) is not None:
                    return [episode]
        patient = self._patient_of(resource)
        if patient is None:
            raise Unmappable("subject", "patiënt niet gevonden in de export")
        found = [e for e in self.by_patient.get(patient, []) if e.pathway in pathways]
        if not found:
            raise Unmappable("subject", f"geen episode van {', '.join(sorted(pathways))} voor deze patiënt")
        return found

    def _nearest(self, resource: dict, when: dt.date, window: tuple[int, int], element: str) -> Episode:
        """The episode (of any pathway) a PREM or a cost belongs to: named by reference, else the patient's
        episode with the nearest treatment date ``window`` days around ``when``."""
        options = []
        for episode in self._candidates(resource, set(self.mapping.windows)):
            days = (when - episode.treatment_date).days
            if window[0] <= days <= window[1]:
                options.append((abs(days), episode))
        if not options:
            raise Unmappable(
                element,
                f"valt buiten de periode van elke episode van deze patiënt ({window[0]}..{window[1]} dagen na de behandeldatum)",
            )
        return min(options, key=lambda o: o[0])[1]

    def prem_response(self, resource: dict, form: PremForm) -> bool:
        """A patient-experience response: a ``prem_responses`` row per PREM item answered; False: not answered (yet)."""
        status = resource.get("status")
        if status in NOT_COMPLETED:
            return False  # an invitation not answered: the standard has no row for it
        if status not in COMPLETED:
            raise Unmappable("status", f"status {status!r} wordt niet ingelezen")
        when = _date(resource.get("authored"))
        if when is None:
            raise Unmappable("authored", "datum van invullen (authored) ontbreekt")
        episode = self._nearest(resource, when, self.mapping.prem_window, "authored")
        answers = _answers(resource.get("item"), {})
        answered = [(instrument, answers[link]) for instrument, link in form.items if answers.get(link) is not None]
        if not answered:
            raise Unmappable(
                "item", f"geen enkele vraag van {form.name} beantwoord ({', '.join(link for _, link in form.items)})"
            )
        for instrument, value in answered:
            key = (episode.episode_id, instrument)
            if key not in self.prems or when >= self.prems[key][1]:  # answered twice: the latest counts
                self.prems[key] = (float(value), when)
        return True

    def charge_item(self, resource: dict) -> bool:
        """A cost: the ChargeItem's amount added to its episode's category; False: no cost category, or voided."""
        categories = [self.mapping.cost_codes[c] for c in _codings(resource.get("code")) if c in self.mapping.cost_codes]
        if not categories or resource.get("status") in ("entered-in-error", "aborted", "not-billable"):
            return False
        price = resource.get("priceOverride")
        amount = _number({"valueQuantity": price}) if isinstance(price, dict) else None
        if amount is None:
            raise Unmappable("priceOverride", "bedrag (priceOverride.value) ontbreekt")
        currency = price.get("currency", self.mapping.currency)
        if currency != self.mapping.currency:
            raise Unmappable(
                "priceOverride", f"valuta {shorten(str(currency), 12)!r}; alleen {self.mapping.currency} wordt ingelezen"
            )
        period = resource.get("occurrencePeriod") if isinstance(resource.get("occurrencePeriod"), dict) else {}
        when = _date(resource.get("occurrenceDateTime") or period.get("start") or resource.get("enteredDate"))
        if when is None:
            raise Unmappable("occurrence", "datum van de kosten (occurrenceDateTime) ontbreekt")
        key = (self._nearest(resource, when, self.mapping.cost_window, "occurrence").episode_id, categories[0])
        self.costs[key] = round(self.costs.get(key, 0.0) + amount, 2)
        return True

    def questionnaire_response(self, resource: dict, prom: csv.writer) -> bool:
        url = resource.get("questionnaire")
        if isinstance(url, str) and (form := self.mapping.prem_forms.get(_canonical(url))) is not None:
            return self.prem_response(resource, form)
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
        return True

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
        elif rule.table == CHARACTERISTICS:
            text = value if rule.value == "choice" else repr(float(value))
            if rule.column not in episode.characteristics or distance < episode.characteristics[rule.column][0]:
                episode.characteristics[rule.column] = (distance, text)
        else:
            key = (episode.episode_id, rule.column)
            if key not in self.outcomes or when < self.outcomes[key][1]:
                self.outcomes[key] = (float(value), when)
        return True

    @staticmethod
    def _observation_value(resource: dict, rule: ObservationRule) -> Any:
        if rule.value == "choice":
            return _choice(resource, rule)
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
    """Read the export twice, write one CSV file per table of the standard (but centres) into ``folder``."""
    converter = Converter(centre, secret, mapping, limits)
    results = [SourceResult(src.path, file_checksum(src.path), expected=src.expected) for src in source_files(paths)]

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
            except NoPathway as err:
                result.ignored += 1
                result.skipped_procedures[err.codes] += 1
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
    tables = ("episodes", "prom_measurements", "clinical_outcomes", CHARACTERISTICS, "prem_responses", "costs")
    files = {name: folder / f"{centre}_fhir_{name}.csv" for name in tables}
    with files["prom_measurements"].open("w", newline="", encoding="utf-8") as prom_file:
        prom = csv.writer(prom_file)
        prom.writerow(PROM_COLUMNS)
        for result in results:  # pass 2: every line counted; observations and questionnaire responses mapped
            for position, resource, error in read_resources(result.path, limits):
                total += 1
                result.items += 1
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
                    check_profiles(resource, mapping.profiles)
                    if kind == "QuestionnaireResponse":
                        mapped = converter.questionnaire_response(resource, prom)
                    elif kind == "ChargeItem":
                        mapped = converter.charge_item(resource)
                    else:
                        mapped = converter.observation(resource)
                    if mapped:
                        result.mapped += 1
                    else:
                        result.ignored += 1
                except Unmappable as err:
                    quarantine(result, position, resource, err.element, err.reason)
    for result in results:
        if result.expected is not None and result.expected != result.items:
            quarantine(
                result, 0, None, None,
                f"het manifest van de export noemt {result.expected} resources, het bestand heeft er {result.items}: onvolledig?",
            )  # fmt: skip
    with files["episodes"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(EPISODE_COLUMNS)
        out.writerows(converter.episode_rows())
    with files["clinical_outcomes"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(OUTCOME_COLUMNS)
        for (episode_id, outcome), (value, when) in converter.outcomes.items():
            out.writerow([centre, episode_id, outcome, repr(value), when.isoformat()])
    with files[CHARACTERISTICS].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(CHARACTERISTIC_COLUMNS)
        for episode in converter.episodes.values():
            out.writerows([centre, episode.episode_id, var, text] for var, (_, text) in episode.characteristics.items())
    with files["prem_responses"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(PREM_COLUMNS)
        out.writerows(
            [centre, e, instrument, repr(v), when.isoformat()] for (e, instrument), (v, when) in converter.prems.items()
        )
    with files["costs"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COST_COLUMNS)
        out.writerows([centre, e, category, repr(amount)] for (e, category), amount in converter.costs.items())
    unmapped = tuple(p for p in outcome_sets() if p not in mapping.windows)
    return Conversion(results, list(files.values()), total, unmapped)


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
            report = LoadReport(
                result.path.name,
                "fhir",
                "loaded_with_quarantine" if result.quarantined_count else "loaded",
                rows_read=sum(result.read.values()) + sum(1 for q in result.quarantined if q.resource_type is None),
                rows_quarantined=result.quarantined_count,
                load_id=load_id,
                centre_codes=[centre],
                message=scrub(source_message(result, conversion.unmapped_pathways)) or "",
            )
            write_log(con, report, result.checksum, delivered_on)
            _write_quarantine(con, result, centre, load_id)
            reports.append(report)
        con.commit()
    except Exception:
        con.rollback()
        raise
    return reports


SHOWN_CODES = 5  # skipped procedure codes named in the load log, most frequent first


def source_message(result: SourceResult, unmapped_pathways: tuple[str, ...] = ()) -> str:
    """The load log's message for one export file: mapped, skipped (procedures of no pathway by code), read."""
    read = ", ".join(f"{k} {v}" for k, v in sorted(result.read.items()))
    text = f"FHIR: omgezet {result.mapped}, overgeslagen {result.ignored}"
    if procedures := result.skipped_procedures:
        common = ", ".join(f"{code} ×{n}" for code, n in procedures.most_common(SHOWN_CODES))
        more = f", en {len(procedures) - SHOWN_CODES} andere codes" if len(procedures) > SHOWN_CODES else ""
        text += f" (waarvan {procedures.total()} verrichtingen zonder zorgpad: {common}{more})"
    if unmapped_pathways:
        text += f"; zorgpaden zonder FHIR-mapping: {', '.join(unmapped_pathways)}"
    return f"{text}; gelezen: {read or 'niets'}"


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
    mapping: Mapping | None = None,
) -> list[LoadReport]:
    """Map an export (files, folders or zips) and load it through ``load_paths`` (for ``centre`` only); the
    export's own log rows last. An export refused whole (``ExportRefused``) gives one rejected report."""
    secret = pseudonym_secret()  # refuses before anything is read
    mapping = mapping or mappings()
    limits = limits or current()
    delivered_on = delivered_on or dt.date.today()
    ensure_schema(con)
    with tempfile.TemporaryDirectory(prefix="fhir-import-") as tmp:
        try:
            conversion = convert(staged(paths, Path(tmp) / "export", limits), centre, Path(tmp), secret, mapping, limits)
        except ExportRefused as err:  # nothing is loaded: one line in the load log
            return [refused(con, paths, str(err), delivered_on, limits)]
        reports = load_paths(con, conversion.files, delivered_on, allowed_centre=centre, limits=limits)
    return reports + log_sources(con, conversion, centre, delivered_on)


def refused(con: duckdb.DuckDBPyConnection, paths: list[Path], reason: str, delivered_on: dt.date, limits: Limits) -> LoadReport:
    """The load-log row of an export refused whole (named by its first file, with that file's checksum)."""
    first = Path(paths[0]) if paths else Path("fhir-export")
    load_id = con.execute("select nextval('load_id_seq')").fetchone()[0]
    report = LoadReport(first.name, "fhir", "rejected", message=scrub(reason) or "", load_id=load_id)
    write_log(con, report, checksum_file(first, limits) if first.is_file() else None, delivered_on)
    return report
