"""The synthetic data: deterministic from a seed, and with the properties the domain brief asks for."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from sample_data.centres import PROCESS_CHANGE
from sample_data.deliveries import write_deliveries
from sample_data.generator import MONTHS, Simulation, month_starts, simulate


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    write_deliveries(simulate(seed=3, scale="tiny"), tmp_path / "a")
    write_deliveries(simulate(seed=3, scale="tiny"), tmp_path / "b")
    write_deliveries(simulate(seed=4, scale="tiny"), tmp_path / "c")
    a, b, c = digests(tmp_path / "a"), digests(tmp_path / "b"), digests(tmp_path / "c")
    assert len(a) > 30
    assert a == b
    assert a != c


def test_deliveries_cover_every_export_style(tmp_path: Path) -> None:
    deliveries = write_deliveries(simulate(seed=3, scale="tiny"), tmp_path)
    assert {d.style for d in deliveries} == {"parquet", "csv", "csv_bom", "csv_dutch", "xlsx"}
    dutch = next(d for d in deliveries if d.style == "csv_dutch")
    text = (dutch.folder / "episodes.csv").read_bytes().decode("cp1252")
    assert (";" in text.splitlines()[0] and ";ja;" in text) or ";nee;" in text
    assert sorted(d.delivered_on for d in deliveries) == [d.delivered_on for d in deliveries]


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(seed=11, scale="small")


def test_small_scale_is_about_sixty_thousand_episodes_over_five_years(sim: Simulation) -> None:
    assert 50_000 <= sim.episodes.height <= 75_000  # six pathways (about 50,000 with the first four)
    months = sim.episodes.select(pl.col("treatment_date").dt.truncate("1mo")).n_unique()
    assert months == MONTHS
    assert set(sim.centres["kind"]) == {"umc", "general", "rehabilitation"}
    assert sim.centres.filter(pl.col("kind") == "umc").height == 7


def test_prom_response_falls_from_about_70_to_about_45_percent(sim: Simulation) -> None:
    due = sim.prom_measurements.filter(pl.col("invited_on") <= sim.end_date)
    rates = dict(
        due.group_by("timepoint")
        .agg(pl.col("completed_on").is_not_null().mean())
        .iter_rows()
    )  # fmt: skip
    assert 0.62 <= rates["baseline"] <= 0.78
    assert 0.38 <= rates["12m"] <= 0.52
    assert rates["baseline"] > rates["3m"] > rates["12m"]


def test_case_mix_differs_between_centres(sim: Simulation) -> None:
    knee = sim.episodes.filter(pl.col("pathway") == "knee_oa")
    ages = dict(knee.group_by("centre_code").agg(pl.col("age").mean()).iter_rows())
    assert ages["EMC"] - ages["MUMC"] > 4


def _complication_rates(sim: Simulation) -> dict[str, float]:
    events = sim.clinical_outcomes.filter(pl.col("outcome") == "complication_severe")
    knee = sim.episodes.filter(pl.col("pathway") == "knee_oa", pl.col("treatment") == "tka")
    joined = knee.join(events, on=["centre_code", "episode_id"])
    return dict(joined.group_by("centre_code").agg(pl.col("value").mean()).iter_rows())


def test_one_true_outlier_and_one_that_is_only_case_mix(sim: Simulation) -> None:
    rates = _complication_rates(sim)
    typical = sorted(rates.values())[len(rates) // 2]
    assert rates["UMCG"] > 2 * typical  # a real excess
    assert rates["EMC"] > 1.3 * typical  # looks high before adjustment: older, sicker patients
    assert max(rates, key=rates.get) == "UMCG"


def test_a_process_change_shifts_length_of_stay(sim: Simulation) -> None:
    change = month_starts(sim.end_date.strftime("%Y-%m"))[MONTHS - PROCESS_CHANGE["month_index_from_end"]]
    knee = sim.episodes.filter(
        pl.col("centre_code") == PROCESS_CHANGE["centre"],
        pl.col("pathway") == PROCESS_CHANGE["pathway"],
        pl.col("treatment") == PROCESS_CHANGE["treatment"],
    ).with_columns((pl.col("discharge_date") - pl.col("treatment_date")).dt.total_days().alias("los"))
    before = knee.filter(pl.col("treatment_date") < change)["los"].mean()
    after = knee.filter(pl.col("treatment_date") >= change)["los"].mean()
    assert before - after > 1.0


def test_costs_have_a_few_extreme_episodes(sim: Simulation) -> None:
    totals = sim.costs.group_by("centre_code", "episode_id").agg(pl.col("amount_eur").sum())
    totals = totals.join(sim.episodes.select("centre_code", "episode_id", "treatment"), on=["centre_code", "episode_id"])
    tka = totals.filter(pl.col("treatment") == "tka")["amount_eur"]
    extreme = (tka > 4 * tka.median()).sum()
    assert 0 < extreme < 0.02 * tka.len()


def test_no_identifier_looks_like_a_bsn(sim: Simulation) -> None:
    ids = pl.concat([sim.episodes["patient_id"], sim.episodes["episode_id"]])
    assert not ids.str.contains(r"^\d{9}$").any()
