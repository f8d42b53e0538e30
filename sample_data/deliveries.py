"""Cutting a simulated history into the monthly files a programme receives.

Delivery 0 is the backfill of the history (Parquet, as a registry export would be);
deliveries 1–12 are the last twelve months, one a month, delivered on the 10th of the
next month, in rotating export styles: plain CSV, the Dutch spreadsheet style (``;``,
decimal comma, DD-MM-YYYY, ja/nee, Windows-1252), an Excel workbook and UTF-8 CSV with a
byte-order mark. A centre with a delivery lag sends each month one delivery later.
Answers to follow-up questionnaires arrive after the invitation: the invitation is first
delivered unanswered and corrected by a later delivery. The last delivery carries a few
deliberate mistakes (a BSN, an impossible date, a score out of range, …) and an unknown
column, so the quarantine has something to show. Baseline characteristics (the case-mix
variables an outcome set delivers in the long table) travel with their episode's delivery,
once the data standard has that table.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import xlsxwriter

from data_models.outcome_sets import outcome_sets
from data_models.schemas import TABLES
from sample_data.centres import CENTRES
from sample_data.generator import BACKFILL_MONTHS, Simulation, month_starts

EXCEL_ROW_LIMIT = 1_000_000
STYLES = ("csv_bom", "csv", "csv_dutch", "xlsx")
CHARACTERISTICS = "baseline_characteristics"


@dataclass(frozen=True)
class Delivery:
    index: int
    folder: Path
    delivered_on: dt.date
    style: str
    files: tuple[Path, ...]


def _month_index(col: str, first: dt.date) -> pl.Expr:
    d = pl.col(col)
    return (d.dt.year() - first.year) * 12 + d.dt.month() - first.month


def _delivery_of(col: str, first: dt.date, n_months: int) -> pl.Expr:
    """Delivery number for a date: 0 for the backfill, then one per month, lag included."""
    backfill_end = n_months - BACKFILL_MONTHS
    month = _month_index(col, first)
    base = pl.when(month < backfill_end).then(0).otherwise(month - backfill_end + 1)
    return pl.when(month < n_months).then(base + pl.col("lag") - 1)


def _not_before(col: str, first: dt.date, n_months: int) -> pl.Expr:
    """The delivery of a dated row, never before its episode's; rows dated in the future get none."""
    own = _delivery_of(col, first, n_months)
    return pl.when(own.is_not_null()).then(pl.max_horizontal(own, pl.col("ep_delivery")))


def assign(sim: Simulation) -> dict[str, pl.DataFrame]:
    """Every delivered row with the delivery number it arrives in (rows not yet due are dropped)."""
    months = month_starts(sim.end_date.strftime("%Y-%m"))
    first, n = months[0], len(months)
    lags = pl.DataFrame({"centre_code": [c.code for c in CENTRES], "lag": [c.delivery_lag_months for c in CENTRES]})
    ep = sim.episodes.join(lags, on="centre_code").with_columns(_delivery_of("treatment_date", first, n).alias("delivery"))
    ep_delivery = ep.select("centre_code", "episode_id", pl.col("delivery").alias("ep_delivery"), "lag", "treatment_date")

    def child(frame: pl.DataFrame, date_col: str) -> pl.DataFrame:
        joined = frame.join(ep_delivery, on=["centre_code", "episode_id"])
        due = pl.col("ep_delivery") if date_col == "treatment_date" else _not_before(date_col, first, n)
        return joined.with_columns(due.alias("delivery"))

    proms = child(sim.prom_measurements, "invited_on")
    answered_in = _not_before("completed_on", first, n)
    proms = proms.with_columns(answered_in.alias("answered_in"))
    unanswered_first = proms.filter(
        pl.col("completed_on").is_not_null(), pl.col("answered_in").is_null() | (pl.col("answered_in") > pl.col("delivery"))
    )
    later = unanswered_first.filter(pl.col("answered_in").is_not_null()).with_columns(pl.col("answered_in").alias("delivery"))
    blank = pl.col("answered_in").is_not_null() & (pl.col("answered_in") <= pl.col("delivery"))
    first_pass = proms.with_columns(
        pl.when(blank | pl.col("completed_on").is_null()).then(pl.col("completed_on")).alias("completed_on"),
        pl.when(blank | pl.col("completed_on").is_null()).then(pl.col("score")).alias("score"),
    )
    proms = pl.concat([first_pass, later])
    tables = {
        "centres": sim.centres.with_columns(pl.lit(0).alias("delivery")),
        "episodes": ep,
        "prom_measurements": proms,
        "clinical_outcomes": child(sim.clinical_outcomes, "measured_on"),
        "prem_responses": child(sim.prem_responses, "completed_on"),
        "costs": child(sim.costs, "treatment_date"),
    }
    if CHARACTERISTICS in TABLES:  # the data standard's long table of baseline characteristics, once it has one
        tables[CHARACTERISTICS] = child(sim.baseline_characteristics, "treatment_date")
    columns = {name: getattr(sim, name).columns for name in tables}
    return {
        name: frame.filter(pl.col("delivery").is_not_null() & (pl.col("delivery") <= BACKFILL_MONTHS)).select(
            "delivery", *columns[name]
        )
        for name, frame in tables.items()
    }


def dutch_style(frame: pl.DataFrame) -> pl.DataFrame:
    """How a Dutch spreadsheet exports: DD-MM-YYYY, decimal comma, ja/nee."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            out.append(col.dt.strftime("%d-%m-%Y"))
        elif dtype == pl.Float64:
            out.append(col.cast(pl.String).str.replace(r"\.0$", "").str.replace(".", ",", literal=True))
        elif dtype == pl.Boolean:
            out.append(pl.when(col).then(pl.lit("ja")).when(~col).then(pl.lit("nee")).alias(name))
        else:
            out.append(col)
    return frame.select(out)


def write_table(frame: pl.DataFrame, folder: Path, name: str, style: str) -> Path:
    if style == "parquet":
        path = folder / f"{name}.parquet"
        frame.write_parquet(path)
    elif style == "csv_dutch":
        path = folder / f"{name}.csv"
        path.write_bytes(dutch_style(frame).write_csv(separator=";").encode("cp1252"))
    else:
        path = folder / f"{name}.csv"
        text = frame.write_csv()
        path.write_bytes(("\ufeff" + text if style == "csv_bom" else text).encode("utf-8"))
    return path


def write_workbook(frames: dict[str, pl.DataFrame], folder: Path, created: dt.date) -> Path:
    path = folder / "levering.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        # a fixed creation time keeps the file byte-identical for the same seed
        wb.set_properties({"created": dt.datetime(created.year, created.month, created.day)})
        for name, frame in frames.items():
            frame.write_excel(wb, worksheet=name, autofit=False, dtype_formats={pl.Date: "yyyy-mm-dd"})
    return path


def with_mistakes(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """A handful of rows a real export gets wrong, plus an unknown column."""
    ep = frames["episodes"]
    if ep.is_empty():
        return frames
    centre = CENTRES[0].code
    template = ep.filter(pl.col("centre_code") == centre).head(1)
    if template.is_empty():
        return frames

    label = outcome_sets()[template["pathway"][0]].treatments[template["treatment"][0]]["nl"]

    def variant(eid: str, **changes: object) -> pl.DataFrame:
        return template.with_columns(pl.lit(eid).alias("episode_id"), *[pl.lit(v).alias(k) for k, v in changes.items()])

    bad_eps = pl.concat(
        [
            variant(f"{centre}-E9999901", patient_id="111222333"),  # a BSN
            variant(f"{centre}-E9999902", treatment=label),  # the treatment's name, not its code
            variant(f"{centre}-E9999903", age=134),
            variant(f"{centre}-E9999904", age=60),  # the same key twice, disagreeing
            variant(f"{centre}-E9999904", age=61),
        ],
        how="vertical_relaxed",
    )
    out = dict(frames)
    out["episodes"] = pl.concat([ep, bad_eps], how="vertical_relaxed").with_columns(pl.lit("").alias("opmerking"))
    costs = frames["costs"].filter(pl.col("centre_code") == centre)
    if not costs.is_empty():
        neg = costs.head(1).with_columns(pl.lit(-250.0).alias("amount_eur"), pl.lit("other").alias("category"))
        out["costs"] = pl.concat(
            [frames["costs"], costs.head(1), neg.with_columns(pl.lit(f"{centre}-E9999901").alias("episode_id"))]
        )
    proms = frames["prom_measurements"].filter(pl.col("centre_code") == centre)
    if not proms.is_empty():
        row = proms.head(1)
        inst = row["instrument"][0]
        out["prom_measurements"] = pl.concat(
            [
                frames["prom_measurements"],
                row.with_columns(
                    pl.lit("12m").alias("timepoint"),
                    pl.lit(row["invited_on"][0]).alias("completed_on"),
                    pl.lit(999.0).alias("score"),
                ),
                row.with_columns(pl.lit(f"{centre}-E0000000").alias("episode_id"), pl.lit(inst).alias("instrument")),
            ]
        )
    return out


def delivered_on(covered: dt.date) -> dt.date:
    """A delivery arrives on the 10th of the month after the month it covers."""
    return dt.date(covered.year + (covered.month == 12), covered.month % 12 + 1, 10)


def write_delivery(frames: dict[str, pl.DataFrame], folder: Path, index: int, on: dt.date, allow_excel: bool = True) -> Delivery:
    """One delivery's files in the export style of its number; the last one carries the mistakes."""
    frames = {n: f for n, f in frames.items() if f.height}
    style = "parquet" if index == 0 else STYLES[index % len(STYLES)]
    too_big = any(f.height > EXCEL_ROW_LIMIT for f in frames.values())
    if style == "xlsx" and (too_big or not allow_excel):
        style = "csv"
    if index == BACKFILL_MONTHS:
        frames = with_mistakes(frames)
    folder.mkdir(parents=True, exist_ok=True)
    if style == "xlsx":
        files = (write_workbook(frames, folder, on),)
    else:
        files = tuple(write_table(f, folder, n, style) for n, f in frames.items())
    return Delivery(index, folder, on, style, files)


def write_manifest(deliveries: list[Delivery], out_dir: Path) -> None:
    manifest = [
        {
            "index": d.index,
            "folder": d.folder.name,
            "delivered_on": d.delivered_on.isoformat(),
            "style": d.style,
            "files": [f.name for f in d.files],
        }
        for d in deliveries
    ]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def covered_month(end_date: dt.date, index: int) -> dt.date:
    """The month delivery ``index`` covers (the backfill: the last month of the history before)."""
    months = month_starts(end_date.strftime("%Y-%m"))
    return months[len(months) - BACKFILL_MONTHS - 1 + index]


def write_deliveries(sim: Simulation, out_dir: Path, allow_excel: bool = True) -> list[Delivery]:
    """Write the backfill and twelve monthly deliveries; also writes ``manifest.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = assign(sim)
    deliveries = []
    for index in range(BACKFILL_MONTHS + 1):
        covered = covered_month(sim.end_date, index)
        frames = {n: f.filter(pl.col("delivery") == index).drop("delivery") for n, f in tables.items()}
        folder = out_dir / f"delivery_{index:02d}_{covered:%Y-%m}"
        deliveries.append(write_delivery(frames, folder, index, delivered_on(covered), allow_excel))
    write_manifest(deliveries, out_dir)
    return deliveries
