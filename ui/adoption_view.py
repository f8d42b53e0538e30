"""How the adoption page says things: what lags in words, pathway names, the table of all figures, and the
programme's library of shared practices.

The figures themselves come from ``services.adoption`` (through ``ui.review_data.adoption``), the
library from ``services.practices.library``.
"""

from __future__ import annotations

import polars as pl

from access.roles import Role, Viewer
from analytics.indicators import Indicator, indicators_for
from data_models.outcome_sets import outcome_sets
from services import practices
from services.adoption import Adoption
from texts import label, number, t
from ui.data import current_viewer, query


def with_pathway_labels(adoption: Adoption, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``pathway_label``: each pathway's name in the language spoken."""
    names = {p: label(labels) for p, labels in adoption.pathway_labels.items()}
    return frame.with_columns(pl.col("pathway").replace_strict(names, default=pl.col("pathway")).alias("pathway_label"))


def pathway_name(adoption: Adoption, pathway: str) -> str:
    return label(adoption.pathway_labels[pathway]) if pathway in adoption.pathway_labels else pathway


def lag_text(code: str, row: dict, targets: dict[str, float]) -> str:
    """One lag of a centre's pathway in words ("respons 12m 41,0% (doel 60%)")."""
    pct = lambda v: number(v, 1, "%")  # noqa: E731
    goal = lambda key: number(targets[key], 0, "%")  # noqa: E731
    if code.startswith("response:"):
        timepoint = code.split(":", 1)[1]
        return t(
            "lag_response", timepoint=timepoint, value=pct(row[f"response_{timepoint}_pct"]), target=goal("prom_response_pct")
        )
    if code == "sdm":
        return t("lag_sdm", value=pct(row["sdm_documented_pct"]), target=goal("sdm_documented_pct"))
    if code == "casemix":
        return t("lag_casemix", value=pct(row["casemix_complete_pct"]), target=goal("casemix_complete_pct"))
    if code == "delay":
        return t("lag_delay", value=number(row["median_delay_days"], 0), target=number(targets["median_delay_days"], 0))
    if code == "cycle":
        return t("lag_cycle", n=int(targets["cycle_months"]))
    return t("lag_not_live")


def lag_line(adoption: Adoption, row: dict, plain_name: str) -> str:
    """A lagging centre's pathway and everything it lags on, as one Markdown line."""
    items = "; ".join(lag_text(code, row, adoption.targets) for code in row["lags"])
    return "- " + t("adoption_lag_line", centre=plain_name, pathway=pathway_name(adoption, row["pathway"]), items=items)


def summary_table(adoption: Adoption) -> pl.DataFrame:
    """The twelve-month summary; named volumes only for a centre's own viewers (docs/privacy.md: a named
    volume beside the same period's anonymous peer counts would name the peers)."""
    summary = with_pathway_labels(adoption, adoption.summary)
    yes_no = lambda c: pl.when(pl.col(c)).then(pl.lit(t("yes"))).otherwise(pl.lit(t("no")))  # noqa: E731
    volume = [pl.col("episodes_n").alias(t("tile_volume"))] if adoption.with_volume else []
    return summary.select(
        pl.col("centre_name").alias(t("centre")),
        pl.col("pathway_label").alias(t("pathway")),
        yes_no("is_live").alias(t("adoption_live")),
        *volume,
        *[pl.col(f"response_{tp}_pct").round(1).alias(t("adoption_response_tp", timepoint=tp)) for tp in adoption.timepoints],
        pl.col("sdm_documented_pct").round(1).alias(t("measure_sdm")),
        pl.col("casemix_complete_pct").round(1).alias(t("measure_casemix")),
        pl.col("median_delay_days").round(0).alias(t("measure_delay")),
        yes_no("is_cycle_running").alias(t("adoption_cycle")),
    )


def may_see_library(viewer: Viewer | None) -> bool:
    """Only the programme lead sees the library of every shared practice (the practices_library query's rule)."""
    return viewer is not None and viewer.role == Role.PROGRAMME_LEAD


def practice_library() -> pl.DataFrame:
    """Every shared practice of every pathway, by pathway and indicator, with its adoptions (``services.practices.library``)."""
    return practices.library(current_viewer(), None, None, fetch=query)


def _effect_text(row: dict, indicator: Indicator | None) -> str:
    if row["withheld_reason"] == practices.WITHHELD_SMALL:
        return t("library_not_shared")
    if row["change"] is None:
        return t("library_not_measured")
    verdicts = {"improved": t("practice_verdict_improved"), "no_change": t("practice_verdict_no_change"),
                "worse": t("practice_verdict_worse")}  # fmt: skip
    if indicator is not None and indicator.unit == "pct":
        change = t("practice_points", n=number(100 * row["change"], 0))
    else:
        change = number(row["change"], 1)
    return f"{verdicts.get(row['effect_verdict'], '')} ({change})"


def _source(row: dict) -> str:
    if row["is_named"] and row["centre_name"]:
        return str(row["centre_name"])
    kinds = {"umc": t("practice_kind_umc"), "general": t("practice_kind_general")}
    return kinds.get(row["centre_kind"], t("practice_kind_other"))


def library_table(library: pl.DataFrame) -> pl.DataFrame:
    """The library in words: pathway, indicator, source (a name only when the centre chose it), practice, effect, adoptions."""
    rows = []
    for row in library.iter_rows(named=True):
        oset = outcome_sets()[row["pathway"]]
        indicator = next((i for i in indicators_for(oset) if i.code == row["indicator_code"]), None)
        rows.append({
            t("pathway"): label(oset.label),
            t("library_indicator"): label(indicator.label) if indicator else row["indicator_code"],
            t("library_source"): _source(row),
            t("library_what"): row["what"],
            t("library_effect"): _effect_text(row, indicator),
            t("library_adoptions"): row["adoptions_n"],
            t("library_adoptions_done"): row["adoptions_done_n"],
            t("library_adopters_measured"): row["adopters_measured_n"],
            t("library_adopters_improved"): row["adopters_improved_n"],
        })  # fmt: skip
    return pl.DataFrame(rows)
