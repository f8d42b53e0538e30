"""Pandera (polars) models of the tables a centre delivers, as in the data standard.

The loader parses every cell into these types first (reporting cells it cannot parse),
then validates the typed frame against the model with ``lazy=True`` so that every broken
rule of every row is collected at once. Rules that depend on the outcome sets (treatment
of the pathway, instrument of the pathway, score within the instrument's range) are
dataframe checks here too; each says in its ``description`` what it asks, for the generated
data standard (``data_models.standard_doc``), and ``DATAFRAME_CHECKS`` says it in Dutch for the
quarantine. Columns whose name starts with ``lookup_`` are not in the delivered file: the loader
adds them from the warehouse before validating, and a table's ``derived`` columns store one of
them beside the delivered ones (``baseline_characteristics.value_number``). Identifiers that
look like a BSN are refused by the rule of ``data_models.identifiers``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from data_models.identifiers import looks_like_bsn
from data_models.outcome_sets import CATEGORICAL, NUMERIC, CasemixVariable, all_instruments, common, outcome_sets

CENTRE_CODE = r"^[A-Za-z0-9]{2,12}$"
BSN_REASON = (
    "lijkt op een BSN (9 cijfers, of 8 die de elfproef halen; punten, spaties, streepjes en 'BSN' tellen niet mee):"
    " lever een pseudoniem"
)


def _treatment_pairs() -> list[str]:
    return [f"{p}/{t}" for p, s in outcome_sets().items() for t in s.treatments]


def _outcome_pairs(kind: str | None = None) -> list[str]:
    return [
        f"{p}/{o.code}" for p, s in outcome_sets().items() for o in s.clinical_outcomes.values() if kind is None or o.kind == kind
    ]


def _instrument_pairs() -> list[str]:
    return [f"{p}/{i}" for p, s in outcome_sets().items() for i in s.instruments]


def _characteristics(kind: str | None = None) -> dict[str, CasemixVariable]:
    """The case-mix variables delivered in ``baseline_characteristics``, by "pathway/variable"."""
    return {
        f"{p}/{v.code}": v for p, s in outcome_sets().items() for v in s.casemix_from("characteristic") if kind in (None, v.kind)
    }


def _bounds(instruments: dict, column: str, attr: str) -> pl.Expr:
    mapping = {code: float(getattr(inst, attr)) for code, inst in instruments.items()}
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.Float64)


def _pair(left: str, right: str) -> pl.Expr:
    return pl.concat_str(pl.col(left), pl.lit("/"), pl.col(right))


class Centres(pa.DataFrameModel):
    """The programme's reference list of participating centres."""

    centre_code: str = pa.Field(str_matches=CENTRE_CODE, description="Short code of the centre (2–12 letters/digits), e.g. UMCU.")
    name: str = pa.Field(str_length={"min_value": 1}, description="Full name of the centre.")
    kind: str = pa.Field(isin=list(common().centre_kinds), description="umc, general or rehabilitation.")


class Episodes(pa.DataFrameModel):
    """One treated episode: a patient's treatment in one care pathway."""

    centre_code: str = pa.Field(str_matches=CENTRE_CODE, description="Delivering centre; must be a known centre.")
    episode_id: str = pa.Field(
        str_length={"min_value": 1}, description="Pseudonym of the episode, unique per centre; never a BSN."
    )
    patient_id: str = pa.Field(
        str_length={"min_value": 1}, description="Pseudonym of the patient made by the centre; never a BSN."
    )
    pathway: str = pa.Field(isin=list(outcome_sets()), description="Care pathway whose outcome set applies.")
    treatment: str = pa.Field(description="Treatment code listed by the pathway's outcome set.")
    referral_date: dt.date = pa.Field(
        nullable=True, description="Date of referral (or of the indication, e.g. eGFR ≤ 20); not after treatment_date."
    )
    treatment_date: dt.date = pa.Field(description="Index date of the treatment; puts the episode in a month.")
    discharge_date: dt.date = pa.Field(nullable=True, description="Date of discharge; not before treatment_date.")
    age: int = pa.Field(ge=0, le=110, description="Age in years at treatment.")
    sex: str = pa.Field(isin=list(common().sexes), description="M, F, X (other) or U (unknown).")
    bmi: float = pa.Field(nullable=True, ge=10, le=80, description="Body-mass index in kg/m².")
    asa_class: int = pa.Field(nullable=True, ge=1, le=5, description="ASA physical status class 1–5.")
    charlson_index: int = pa.Field(nullable=True, ge=0, le=37, description="Charlson comorbidity index.")
    low_health_literacy: bool = pa.Field(nullable=True, description="Limited or insufficient health literacy.")
    paid_work_baseline: bool = pa.Field(nullable=True, description="In paid work before treatment.")
    sdm_documented: bool = pa.Field(nullable=True, description="Shared decision making (samen beslissen) recorded.")
    mdt_discussed: bool = pa.Field(nullable=True, description="Discussed in a multidisciplinary team meeting.")
    lookup_centre_known: bool = pa.Field(description="Loader lookup: the centre is in the centres table.")

    @pa.dataframe_check(name="centre_known", description="a centre of the centres table")
    def centre_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("lookup_centre_known"))

    @pa.dataframe_check(name="treatment_in_outcome_set", description="a treatment that the pathway's outcome set lists")
    def treatment_in_outcome_set(cls, data: pa.PolarsData) -> pl.LazyFrame:
        ok = _pair("pathway", "treatment").is_in(_treatment_pairs()) | ~pl.col("pathway").is_in(list(outcome_sets()))
        return data.lazyframe.select(ok.fill_null(True))

    @pa.dataframe_check(name="referral_after_treatment", description="not after treatment_date")
    def referral_not_after_treatment(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("referral_date") <= pl.col("treatment_date")).fill_null(True))

    @pa.dataframe_check(name="discharge_before_treatment", description="not before treatment_date")
    def discharge_not_before_treatment(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("discharge_date") >= pl.col("treatment_date")).fill_null(True))

    @pa.dataframe_check(name="patient_id_bsn", description="never a BSN")
    def patient_id_not_bsn(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~looks_like_bsn("patient_id"))

    @pa.dataframe_check(name="episode_id_bsn", description="never a BSN")
    def episode_id_not_bsn(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~looks_like_bsn("episode_id"))


class _EpisodeChild(pa.DataFrameModel):
    """Columns shared by every table that hangs off an episode."""

    centre_code: str = pa.Field(str_matches=CENTRE_CODE, description="Centre of the episode.")
    episode_id: str = pa.Field(str_length={"min_value": 1}, description="Episode this row belongs to; it must exist.")
    lookup_pathway: str = pa.Field(
        nullable=True, description="Loader lookup: pathway of the episode (empty when the episode is unknown)."
    )

    @pa.dataframe_check(name="episode_known", description="the episode must exist (in this delivery or an earlier one)")
    def episode_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("lookup_pathway").is_not_null())

    @pa.dataframe_check(name="child_episode_id_bsn", description="never a BSN")
    def child_episode_id_bsn(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~looks_like_bsn("episode_id"))


class PromMeasurements(_EpisodeChild):
    """One invitation to a patient-reported outcome questionnaire, answered or not."""

    instrument: str = pa.Field(description="PROM instrument of the pathway's outcome set, e.g. oks.")
    timepoint: str = pa.Field(isin=list(common().timepoints), description="baseline, 3m, 6m or 12m after treatment.")
    invited_on: dt.date = pa.Field(description="Date the patient was invited.")
    completed_on: dt.date = pa.Field(nullable=True, description="Date answered; empty when not (yet) answered.")
    score: float = pa.Field(nullable=True, description="Score on the instrument's own scale; required when answered.")

    @pa.dataframe_check(name="instrument_in_outcome_set", description="an instrument of the episode's pathway")
    def instrument_in_outcome_set(cls, data: pa.PolarsData) -> pl.LazyFrame:
        ok = _pair("lookup_pathway", "instrument").is_in(_instrument_pairs())
        return data.lazyframe.select(ok.fill_null(True))

    @pa.dataframe_check(name="score_required", description="required when completed_on is set")
    def score_when_completed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("completed_on").is_null() | pl.col("score").is_not_null())

    @pa.dataframe_check(name="score_in_range", description="within the instrument's range")
    def score_in_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        inst = all_instruments()
        lo, hi = _bounds(inst, "instrument", "min"), _bounds(inst, "instrument", "max")
        return data.lazyframe.select(pl.col("score").is_between(lo, hi).fill_null(True))


class ClinicalOutcomes(_EpisodeChild):
    """A clinician-reported outcome (an event 0/1 or a measured value) of an episode."""

    outcome: str = pa.Field(description="Outcome code of the pathway's outcome set, e.g. complication_severe.")
    value: float = pa.Field(description="0 or 1 for events; the measured number for measures.")
    measured_on: dt.date = pa.Field(description="Date the outcome was established.")

    @pa.dataframe_check(name="outcome_in_outcome_set", description="an outcome of the episode's pathway")
    def outcome_in_outcome_set(cls, data: pa.PolarsData) -> pl.LazyFrame:
        ok = _pair("lookup_pathway", "outcome").is_in(_outcome_pairs())
        return data.lazyframe.select(ok.fill_null(True))

    @pa.dataframe_check(name="event_is_0_or_1", description="0 or 1 for an event")
    def event_is_binary(cls, data: pa.PolarsData) -> pl.LazyFrame:
        is_event = _pair("lookup_pathway", "outcome").is_in(_outcome_pairs("event"))
        return data.lazyframe.select((~is_event | pl.col("value").is_in([0.0, 1.0])).fill_null(True))

    @pa.dataframe_check(name="measure_in_range", description="within the outcome's range for a measure")
    def measure_in_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        bounds = {
            f"{p}/{o.code}": (o.min, o.max)
            for p, s in outcome_sets().items()
            for o in s.clinical_outcomes.values()
            if o.kind == "measure"
        }
        key = _pair("lookup_pathway", "outcome")
        lo = key.replace_strict({k: b[0] for k, b in bounds.items()}, default=None, return_dtype=pl.Float64)
        hi = key.replace_strict({k: b[1] for k, b in bounds.items()}, default=None, return_dtype=pl.Float64)
        ok = (lo.is_null() | (pl.col("value") >= lo)) & (hi.is_null() | (pl.col("value") <= hi))
        return data.lazyframe.select(ok.fill_null(True))


class PremResponses(_EpisodeChild):
    """A patient-reported experience item: CollaboRATE (shared decision making), rating, NPS."""

    instrument: str = pa.Field(isin=list(common().prem_instruments), description="collaborate_1..3, pem_overall or nps.")
    score: float = pa.Field(description="Answer on the item's scale (0–9 CollaboRATE, 0–10 otherwise).")
    completed_on: dt.date = pa.Field(description="Date answered.")

    @pa.dataframe_check(name="prem_score_in_range", description="within the item's range")
    def score_in_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        inst = common().prem_instruments
        lo, hi = _bounds(inst, "instrument", "min"), _bounds(inst, "instrument", "max")
        return data.lazyframe.select(pl.col("score").is_between(lo, hi).fill_null(True))


class Costs(_EpisodeChild):
    """The cost of an episode in one category, in euros."""

    category: str = pa.Field(isin=list(common().cost_categories), description="Cost category, e.g. or_time or implant.")
    amount_eur: float = pa.Field(ge=0, description="Cost in euros, zero or more.")


def characteristic_number(parsed: pl.Expr) -> pl.Expr:
    """The typed value of a ``baseline_characteristics`` row: ``parsed`` (the number read from ``value``)
    for a numeric variable of the episode's pathway, empty for a categorical one."""
    numeric = _pair("lookup_pathway", "variable").is_in(list(_characteristics(NUMERIC)))
    return pl.when(numeric).then(parsed)


class BaselineCharacteristics(_EpisodeChild):
    """A baseline characteristic of an episode that its outcome set adjusts for (long form: one row per variable)."""

    variable: str = pa.Field(
        str_length={"min_value": 1},
        description="Case-mix variable of the pathway's outcome set that is delivered in this table (see the pathways below).",
    )
    value: str = pa.Field(
        str_length={"min_value": 1},
        description="As text: a number (decimal point or comma) within the variable's range, or the code of one of its choices.",
    )
    lookup_value_number: float = pa.Field(
        nullable=True, description="Loader lookup: value read as a number for a numeric variable, empty for a categorical one."
    )

    @pa.dataframe_check(
        name="characteristic_in_outcome_set",
        description="a case-mix variable of the episode's pathway that its outcome set delivers in this table",
    )
    def characteristic_in_outcome_set(cls, data: pa.PolarsData) -> pl.LazyFrame:
        ok = _pair("lookup_pathway", "variable").is_in(list(_characteristics()))
        return data.lazyframe.select(ok.fill_null(True))

    @pa.dataframe_check(name="characteristic_is_number", description="a numeric variable needs a number")
    def characteristic_is_number(cls, data: pa.PolarsData) -> pl.LazyFrame:
        numeric = _pair("lookup_pathway", "variable").is_in(list(_characteristics(NUMERIC)))
        return data.lazyframe.select((~numeric | pl.col("lookup_value_number").is_not_null()).fill_null(True))

    @pa.dataframe_check(name="characteristic_in_range", description="a number within the variable's min and max")
    def characteristic_in_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        numeric = _characteristics(NUMERIC)
        key = _pair("lookup_pathway", "variable")
        lo = key.replace_strict({k: v.min for k, v in numeric.items()}, default=None, return_dtype=pl.Float64)
        hi = key.replace_strict({k: v.max for k, v in numeric.items()}, default=None, return_dtype=pl.Float64)
        return data.lazyframe.select(pl.col("lookup_value_number").is_between(lo, hi).fill_null(True))

    @pa.dataframe_check(name="characteristic_choice", description="one of the variable's choice codes, exactly as listed")
    def characteristic_choice(cls, data: pa.PolarsData) -> pl.LazyFrame:
        choices = [f"{k}/{code}" for k, v in _characteristics(CATEGORICAL).items() for code in v.choices]
        categorical = _pair("lookup_pathway", "variable").is_in(list(_characteristics(CATEGORICAL)))
        chosen = pl.concat_str(pl.col("lookup_pathway"), pl.lit("/"), pl.col("variable"), pl.lit("/"), pl.col("value"))
        return data.lazyframe.select((~categorical | chosen.is_in(choices)).fill_null(True))


@dataclass(frozen=True)
class TableSpec:
    """How one table of the data standard is delivered, keyed and validated."""

    name: str
    model: type[pa.DataFrameModel]
    key: tuple[str, ...]
    rank: int  # load order: parents before children
    derived: tuple[str, ...] = ()  # stored beside the delivered columns, from the loader's lookup_<name>
    aliases: tuple[str, ...] = ()  # other names a file or sheet of this table may carry

    @property
    def dtypes(self) -> dict[str, pl.DataType]:
        return {n: c.dtype.type for n, c in self.model.to_schema().columns.items()}

    @property
    def columns(self) -> list[str]:
        """The columns of the delivered file, in the standard's order."""
        return [c for c in self.dtypes if not c.startswith("lookup_")]

    @property
    def stored_columns(self) -> list[str]:
        """The delivered columns and the typed ones derived from them, as the warehouse keeps them."""
        return [*self.columns, *self.derived]

    def stored_dtype(self, column: str) -> pl.DataType:
        return self.dtypes[column if column in self.dtypes else "lookup_" + column]

    @property
    def required(self) -> list[str]:
        cols = self.model.to_schema().columns
        return [c for c in self.columns if not cols[c].nullable]


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec("centres", Centres, ("centre_code",), 0),
        TableSpec("episodes", Episodes, ("centre_code", "episode_id"), 1),
        TableSpec("prom_measurements", PromMeasurements, ("centre_code", "episode_id", "instrument", "timepoint"), 2),
        TableSpec("clinical_outcomes", ClinicalOutcomes, ("centre_code", "episode_id", "outcome"), 2),
        TableSpec("prem_responses", PremResponses, ("centre_code", "episode_id", "instrument"), 2),
        TableSpec("costs", Costs, ("centre_code", "episode_id", "category"), 2),
        TableSpec(
            "baseline_characteristics",
            BaselineCharacteristics,
            ("centre_code", "episode_id", "variable"),
            2,
            derived=("value_number",),
            aliases=("casemix_values",),  # the name an earlier draft of the data standard gave it
        ),
    )
}

# Which column a dataframe-level rule is about, and what it means for a data manager.
DATAFRAME_CHECKS: dict[str, tuple[str, str]] = {
    "centre_known": ("centre_code", "onbekend centrum: staat niet in de tabel centres"),
    "treatment_in_outcome_set": ("treatment", "behandeling hoort niet bij de uitkomstenset van dit zorgpad"),
    "referral_after_treatment": ("referral_date", "verwijsdatum ligt na de behandeldatum"),
    "discharge_before_treatment": ("discharge_date", "ontslagdatum ligt vóór de behandeldatum"),
    "patient_id_bsn": ("patient_id", BSN_REASON),
    "episode_id_bsn": ("episode_id", BSN_REASON),
    "child_episode_id_bsn": ("episode_id", BSN_REASON),
    "episode_known": ("episode_id", "episode bestaat niet (niet in deze levering en niet eerder geladen)"),
    "instrument_in_outcome_set": ("instrument", "vragenlijst hoort niet bij de uitkomstenset van het zorgpad van deze episode"),
    "score_required": ("score", "score ontbreekt terwijl completed_on is ingevuld"),
    "score_in_range": ("score", "score valt buiten het bereik van de vragenlijst"),
    "outcome_in_outcome_set": ("outcome", "uitkomst hoort niet bij de uitkomstenset van het zorgpad van deze episode"),
    "event_is_0_or_1": ("value", "een gebeurtenis moet 0 of 1 zijn"),
    "measure_in_range": ("value", "waarde valt buiten het toegestane bereik van deze uitkomst"),
    "prem_score_in_range": ("score", "score valt buiten het bereik van deze ervaringsvraag"),
    "characteristic_in_outcome_set": (
        "variable",
        "variabele is geen casemixvariabele die de uitkomstenset van het zorgpad van deze episode in deze tabel vraagt"
        " (vaste kenmerken zoals bmi horen in episodes)",
    ),
    "characteristic_is_number": ("value", "geen getal: deze variabele is numeriek"),
    "characteristic_in_range": ("value", "waarde valt buiten het bereik van deze variabele in de uitkomstenset"),
    "characteristic_choice": ("value", "geen van de keuzes van deze variabele in de uitkomstenset (let op hoofdletters)"),
}
