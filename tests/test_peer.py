"""The benchmark's peers (DuckDB in SQL, Polars with lazy scans) must compute the same numbers
as indikator, or the race is not fair. Checked here on a small generated dataset; the benchmark
checks them again at scale."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("duckdb")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from duckdb_peer import CORE, compare, peer  # noqa: E402

from indikator.config import load_config  # noqa: E402
from indikator.dataset import load_dataset  # noqa: E402
from indikator.indicators import exact_figures as compute  # noqa: E402
from indikator.periods import parse_period  # noqa: E402
from indikator.sample import write_sample  # noqa: E402

CONFIG = load_config(None)


def _polars_peer(data, config, period):
    pytest.importorskip("polars")
    from polars_peer import peer as polars

    return polars(data, config, period)


@pytest.mark.parametrize("period", ["2017-05", "2018-Q3", "2019"])
@pytest.mark.parametrize("peer", [peer, _polars_peer], ids=["duckdb", "polars"])
def test_the_peers_agree_with_indikator(tmp_path, period, peer):
    write_sample(tmp_path, CONFIG, size=400, seed=5, activity_interval=6.3)
    p = parse_period(period)
    rows = peer(tmp_path, CONFIG, p)
    tidy = compute(load_dataset(tmp_path, CONFIG), [p], CORE)
    assert compare(rows, tidy) == []
    # every core indicator is present in the peer's answer, with persons counted
    assert set(rows["indikator"]) == set(CORE)
    assert rows.loc[rows["indikator"] == "deltagare_aktiva", "varde"].max() > 0


def test_compare_notices_a_difference(tmp_path):
    write_sample(tmp_path, CONFIG, size=200, seed=6)
    p = parse_period("2017-05")
    rows = peer(tmp_path, CONFIG, p)
    tidy = compute(load_dataset(tmp_path, CONFIG), [p], CORE)
    row = tidy.index[(tidy["indikator"] == "deltagare_aktiva") & (tidy["kon"] == "T")][0]
    tidy.loc[row, "varde"] += 1
    assert len(compare(rows, tidy)) == 1
