"""The targets report: target, result, n av N, met — and agreement with monthly."""

import io

import pandas as pd
import pytest
from conftest import fig, run, write_dataset
from world import FULL_WORLD

from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.periods import parse_period
from indikator.targets import evaluate, expand


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("world"), FULL_WORLD)


def test_expand_the_mia_targets(config):
    t = expand(config)
    nya = t[t.indikator == "deltagare_nya"].set_index(["delprojekt", "kon"]).mal
    assert (
        nya[("TOTALT", "T")] == 2500
        and nya[("TOTALT", "K")] == 1500
        and nya[("TOTALT", "M")] == 1000
    )
    assert nya[("OS", "T")] == 726 and nya[("SR", "T")] == 205
    share = t[t.indikator == "andel_arbete_studier"]
    assert len(share) == 6 * 3 * 2  # TOTALT and five delprojekt, K/M/T, both scopes
    assert set(share.mal) == {0.30}


def test_results_and_met(folder):
    ds = load_dataset(folder, load_config())
    df = evaluate(ds, parse_period("2017-05"), compare_previous=True)

    def row(i, g, k, o):
        return df[
            (df.indikator == i) & (df.delprojekt == g) & (df.kon == k) & (df.omfang == o)
        ].iloc[0]

    # OS May: P1 ARBETE of {P1, P3} -> 50 % >= 30 %: met
    r = row("andel_arbete_studier", "OS", "K", "period")
    assert (r.varde, r.taljare, r.namnare, r.uppfyllt) == (0.5, 1, 2, True)
    # previous period (April): P4 left OS on 30 April with STUDIER: 1 av 1
    assert (
        r.foregaende_period,
        row("andel_arbete_studier", "OS", "M", "period").foregaende_taljare,
    ) == ("2017-04", 1)
    # no man ended in OS in May: cannot be judged
    assert row("andel_arbete_studier", "OS", "M", "period").uppfyllt is None
    # TOTALT: 7 of 2 500 new participants so far: not met
    r = row("deltagare_nya", "TOTALT", "T", "ackumulerat")
    assert (r.varde, r.mal, r.uppfyllt) == (7, 2500, False)


def test_targets_command_agrees_with_monthly(cli, folder):
    t = cli(
        "targets",
        "--period",
        "2017-05",
        "--data",
        str(folder),
        "--format",
        "csv",
        "--min-cell",
        "0",
    )
    assert t.exit_code == 0, t.stderr
    targets = pd.read_csv(io.StringIO(t.stdout))
    monthly = run(folder)
    for r in targets.itertuples():
        v, num, den, status = fig(monthly, r.indikator, r.delprojekt, r.kon, r.omfang)
        assert r.status == status
        if status == "ok":
            assert r.varde == pytest.approx(v)


def test_targets_table(cli, folder):
    r = cli(
        "targets",
        "--min-cell",
        "0",
        "--period",
        "2017-05",
        "--data",
        str(folder),
        "--format",
        "table",
        "--compare-previous",
    )
    assert r.exit_code == 0
    lines = [" ".join(line.split()) for line in r.stdout.splitlines()]
    assert (
        "OS Avslutade till arbete eller studier Kvinnor period ≥ 30 % 50 % 1 av 2 ja . ." in lines
    )
    assert "TOTALT Nya deltagare Totalt ackumulerat ≥ 2500 7 7 av 2500 nej 5 5 av 2500" in lines


def test_targets_refuses_formats_it_cannot_write(cli, folder, tmp_path):
    r = cli(
        "targets",
        "--period",
        "2017-05",
        "--data",
        str(folder),
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "t.xlsx"),
    )
    assert r.exit_code == 2 and not (tmp_path / "t.xlsx").exists()
