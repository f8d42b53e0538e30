"""An improvement action of the PDSA cycle (plan, do, study, act), as a team records it.

The team ties an action to one pathway and one indicator of it, says what it will do,
who carries it, from which month, what effect it expects, and where in the cycle it is.
Later it records what the action did. Edits are validated against this model before
anything is stored; every broken rule comes back as one plain Dutch sentence.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from data_models.outcome_sets import outcome_sets

STATUSES = ("plan", "do", "study", "act", "done", "stopped")
OPEN_STATUSES = ("plan", "do", "study", "act")
STATUS_LABELS = {
    "plan": {"nl": "plan", "en": "plan"},
    "do": {"nl": "uitvoeren", "en": "do"},
    "study": {"nl": "evalueren", "en": "study"},
    "act": {"nl": "borgen of bijstellen", "en": "act"},
    "done": {"nl": "afgerond", "en": "done"},
    "stopped": {"nl": "gestopt", "en": "stopped"},
}
TEXT_MAX = 500
EDITABLE = ("indicator_code", "what", "who", "start_month", "expected_effect", "status", "result_note")

MESSAGES = {
    "what": f"Beschrijf wat het team gaat doen (1 tot {TEXT_MAX} tekens).",
    "who": "Vul in wie de actie trekt (1 tot 100 tekens).",
    "expected_effect": f"Beschrijf welk effect u verwacht (1 tot {TEXT_MAX} tekens).",
    "status": "Kies een status: plan, uitvoeren, evalueren, borgen of bijstellen, afgerond of gestopt.",
    "start_month": "De startmaand moet de eerste dag van een maand zijn, tussen 2000 en 2100.",
    "pathway": "Onbekend zorgpad.",
    "indicator_code": "Kies een indicator van dit zorgpad.",
    "result_note": f"Het resultaat mag hooguit {TEXT_MAX} tekens zijn.",
    "done_needs_result": "Een afgeronde of gestopte actie heeft een beschrijving van wat ze opleverde.",
}


class ActionInvalid(ValueError):
    """An action that breaks one or more rules; ``errors`` holds one sentence per rule."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _text(max_length: int, description: str, nullable: bool = False) -> object:
    minimum = 0 if nullable else 1
    return pa.Field(str_length={"min_value": minimum, "max_value": max_length}, nullable=nullable, description=description)


class ImprovementAction(pa.DataFrameModel):
    """One improvement action of a team, for one pathway and indicator."""

    pathway: str = pa.Field(isin=list(outcome_sets()), description="The care pathway the action belongs to.")
    indicator_code: str = pa.Field(str_length={"min_value": 1}, description="The indicator the action aims to move.")
    what: str = _text(TEXT_MAX, "What the team will change, in its own words.")
    who: str = _text(100, "Who carries the action (a name or a role).")
    start_month: dt.date = pa.Field(
        ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 1), description="First day of the month the change starts."
    )
    expected_effect: str = _text(TEXT_MAX, "The effect the team expects, and on what.")
    status: str = pa.Field(isin=list(STATUSES), description="Where in the PDSA cycle: plan, do, study, act, done or stopped.")
    result_note: str = _text(TEXT_MAX, "What the action did, recorded when it is studied or closed.", nullable=True)

    @pa.dataframe_check
    def start_month_is_first_day(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("start_month").dt.day() == 1)

    @pa.dataframe_check
    def closed_action_says_what_it_did(cls, data: pa.PolarsData) -> pl.LazyFrame:
        closed = pl.col("status").is_in(["done", "stopped"])
        return data.lazyframe.select(~closed | (pl.col("result_note").str.strip_chars().str.len_chars() > 0).fill_null(False))

    class Config:
        strict = "filter"
        coerce = False


CHECK_FIELDS = {"start_month_is_first_day": "start_month", "closed_action_says_what_it_did": "done_needs_result"}


def validate_action(action: dict[str, object], indicator_codes: list[str]) -> dict[str, object]:
    """The action with its texts trimmed; raises ActionInvalid with every broken rule."""
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in action.items()}
    clean["result_note"] = clean.get("result_note") or None
    frame = pl.DataFrame(
        [clean],
        schema={
            "pathway": pl.String, "indicator_code": pl.String, "what": pl.String, "who": pl.String,
            "start_month": pl.Date, "expected_effect": pl.String, "status": pl.String, "result_note": pl.String,
        },
    )  # fmt: skip
    errors: list[str] = []
    try:
        ImprovementAction.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        for column, check in zip(cases["column"].to_list(), cases["check"].to_list(), strict=True):
            key = CHECK_FIELDS.get(str(check).split("(")[0], column)
            if key in MESSAGES and MESSAGES[key] not in errors:
                errors.append(MESSAGES[key])
    if clean.get("indicator_code") not in indicator_codes and MESSAGES["indicator_code"] not in errors:
        errors.append(MESSAGES["indicator_code"])
    if errors:
        raise ActionInvalid(errors)
    return clean
