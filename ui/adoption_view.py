"""How the adoption page says things: what lags in words, pathway names, and the table of all figures.

The figures themselves come from ``services.adoption`` (through ``ui.review_data.adoption``).
"""

from __future__ import annotations

import polars as pl

from services.adoption import Adoption
from texts import label, number, t


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
