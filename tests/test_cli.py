"""The command line, end to end with click's CliRunner (as sqlite-utils tests its CLI)."""

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, write_dataset
from world import DELTAGARE, WORLD


@pytest.fixture
def world(tmp_path):
    return write_dataset(tmp_path / "world", WORLD)


def test_help_lists_the_commands(cli):
    r = cli("--help")
    assert r.exit_code == 0
    for command in ("monthly", "validate", "sample", "indicators"):
        assert command in r.output


def test_monthly_on_the_bundled_sample(cli):
    r = cli("monthly", "--period", "2017-05", "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "TOTALT – MIA – Mobilisering inför arbete · period 2017-05" in r.stdout
    assert "Aktiva deltagare" in r.stdout and "Kvinnor" in r.stdout
    assert "TOTALT – MIA – Mobilisering inför arbete · ackumulerat från 2016-12-01" in r.stdout
    assert "deltagare.csv: 2748 rader lästa, 2748 godkända, 0 avvisade" in r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 120  # fits a terminal


def test_table_shows_swedish_cells_and_symbols(cli, tmp_path):
    write_dataset(tmp_path, {"deltagare": DELTAGARE})  # no aktiviteter -> saknar data
    r = cli(
        "monthly",
        "--min-cell",
        "0",
        "--period",
        "2017-05",
        "--data",
        str(tmp_path),
        "--format",
        "table",
        "--delprojekt",
        "OS",
        "--indicator",
        "andel_arbete_studier",
        "--indicator",
        "fatt_insats",
        "--indicator",
        "inskrivningstid_medel_dagar",
    )
    assert r.exit_code == 0
    # one block per scope: OS for the period, then OS ackumulerat (the terminal's 120 columns)
    header, period_block, acc_block = r.stdout.split("\n\n")[:3]
    assert header == "Exakta siffror – ej för publicering (--min-cell 0)."
    assert period_block.startswith("OS – Samordningsförbundet Östra Södertörn · period 2017-05")
    assert acc_block.startswith("OS – Samordningsförbundet Östra Södertörn · ackumulerat från")

    def rows(block):
        return {line.split("  ")[0]: line for line in block.splitlines()}

    period, acc = rows(period_block), rows(acc_block)
    share = period["Avslutade till arbete eller studier"].split()
    assert share[:5] == ["Avslutade", "till", "arbete", "eller", "studier"]
    # K 1 av 2 | M none ended | T 1 av 2 | ack: K 1 av 2, M 1 av 1 (P4 STUDIER), T 2 av 3
    assert " ".join(share[5:]) == "50 % (1 av 2) . 50 % (1 av 2)"
    assert " ".join(acc["Avslutade till arbete eller studier"].split()[5:]) == (
        "50 % (1 av 2) 100 % (1 av 1) 67 % (2 av 3)"
    )
    assert period["Deltagare som fått insats"].split()[-3:] == ["-"] * 3
    assert acc["Deltagare som fått insats"].split()[-3:] == ["-"] * 3
    assert period["Genomsnittlig inskrivningstid (dagar)"].split()[-3:] == ["103", ".", "103"]
    assert acc["Genomsnittlig inskrivningstid (dagar)"].split()[-3:] == ["103", "88", "98"]
    assert "BHS" not in r.stdout  # only OS and TOTALT


def test_csv_json_parquet_and_markdown_agree(cli, world, tmp_path):
    args = ("monthly", "--period", "2017-Q2", "--data", str(world), "--min-cell", "0")
    csv = pd.read_csv(io.StringIO(cli(*args, "--format", "csv").stdout), keep_default_na=False)
    assert list(csv.columns) == [
        "period",
        "omfang",
        "delprojekt",
        "indikator",
        "dimension",
        "kon",
        "varde",
        "taljare",
        "namnare",
        "status",
    ]
    js = pd.DataFrame(json.loads(cli(*args, "--format", "json").stdout))
    assert len(js) == len(csv)
    r = cli(*args, "--format", "parquet", "--out", str(tmp_path / "x.parquet"))
    assert r.exit_code == 0 and r.stdout == ""
    pq_df = pq.read_table(tmp_path / "x.parquet").to_pandas()
    assert len(pq_df) == len(csv)
    row = (
        (csv.indikator == "deltagare_aktiva")
        & (csv.delprojekt == "TOTALT")
        & (csv.kon == "T")
        & (csv.omfang == "period")
    )
    # Q2 2017 (April–June): everyone but P7 (ended January); P8 starts 1 June -> 7
    assert csv[row].varde.tolist() == ["7"]
    assert js[row.to_numpy()].varde.tolist() == [7]
    assert pq_df[row.to_numpy()].varde.tolist() == [7.0]
    md = cli(*args, "--format", "markdown").stdout
    assert "| Indikator" in md and "## OS – " in md


def test_out_file_is_written_and_stdout_stays_empty(cli, world, tmp_path):
    out = tmp_path / "res" / "maj.csv"
    r = cli(
        "monthly", "--period", "2017-05", "--data", str(world), "--format", "csv", "--out", str(out)
    )
    assert r.exit_code == 0 and r.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("period,omfang,")
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_indicator_filter(cli, world):
    r = cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(world),
        "--format",
        "csv",
        "--indicator",
        "deltagare_nya",
    )
    df = pd.read_csv(io.StringIO(r.stdout))
    assert set(df.indikator) == {"deltagare_nya"}
    assert len(df) == 6 * 3 * 2  # groups x kön x scopes


def test_validate_lists_problems_and_counts(cli, tmp_path):
    dl = DELTAGARE + "19800101-0002;;OS;2017-03-01;;;;;;\n"
    write_dataset(tmp_path, {"deltagare": dl})
    r = cli("validate", "--data", str(tmp_path))
    assert r.exit_code == 3
    assert "deltagare.csv: 11 rader lästa, 10 godkända, 1 avvisade" in r.stdout
    assert (
        "fel: deltagare.csv:12, kolumn deltagare_id, värde '19800101-****': personnumret har fel kontrollsiffra"
        in r.stdout
    )
    assert "varning: deltagare.csv:9, kolumn kon: kön saknas" in r.stdout
    assert cli("validate", "--data", str(tmp_path), "--strict").exit_code == 1


def test_sample_is_seeded_and_xlsx_reads_the_same(cli, tmp_path):
    for name, fmt in (("a", "csv"), ("b", "csv"), ("x", "xlsx")):
        r = cli(
            "sample", "--out", str(tmp_path / name), "--size", "60", "--seed", "7", "--format", fmt
        )
        assert r.exit_code == 0
    assert (tmp_path / "a" / "deltagare.csv").read_bytes() == (
        tmp_path / "b" / "deltagare.csv"
    ).read_bytes()
    outs = []
    for name in ("a", "x"):
        r = cli("monthly", "--period", "2018", "--data", str(tmp_path / name), "--format", "csv")
        assert r.exit_code == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]


def test_indicators_command(cli):
    r = cli("indicators")
    assert r.exit_code == 0 and "deltagare_aktiva" in r.stdout and "deltagartimmar" in r.stdout


def test_unexpected_error_is_one_line_and_exit_1(cli, world, monkeypatch):
    import indikator.indicators

    def boom(*a, **k):
        raise RuntimeError("oväntat för 19800101-0001")

    # both ways to the figures: exact (min-cell 0, suppression) and the cell-key method's
    for name in ("exact_figures", "exact_and_keyed"):
        monkeypatch.setattr(indikator.indicators, name, boom)
    r = cli("monthly", "--period", "2017-05", "--data", str(world))
    assert r.exit_code == 1
    assert "internt fel (RuntimeError: oväntat för 19800101-****)" in r.stderr
    assert "Traceback" not in r.stderr and "19800101-0001" not in r.stderr


def _small_world(cli, world, *extra):
    r = cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(world),
        "--format",
        "csv",
        "--indicator",
        "deltagare_aktiva",
        "--indicator",
        "andel_arbete_studier",
        "--indicator",
        "inskrivningstid_medel_dagar",
        *extra,
    )
    return pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)


def test_small_counts_are_never_published_by_default(cli, world):
    """The MIA configuration's min_cell is 5 and its method the cell key: every count is
    rounded to 0, 5, 10 …, so the world's small counts (1–4) never appear."""
    df = _small_world(cli, world)
    aktiva = df[(df.indikator == "deltagare_aktiva") & (df.omfang == "period")]
    # OS K=2 M=1 T=3, BHS K=1 M=1 T=3, TOTALT K=3 M=2 T=6: each becomes 0 or 5 (6: 5 or 10)
    assert set(aktiva.varde.astype(float)) <= {0.0, 5.0, 10.0}
    assert (aktiva.status == "ok").all()
    shares = df[df.indikator == "andel_arbete_studier"]
    for column in ("taljare", "namnare"):
        assert set(shares[column].replace("", "0").astype(float)) <= {0.0, 5.0, 10.0}
    # a mean over fewer than 10 published persons is not shown
    means = df[(df.indikator == "inskrivningstid_medel_dagar") & (df.omfang == "period")]
    assert set(means.status) <= {"undertryckt", "tom_namnare"}


def test_small_counts_are_suppressed_with_undertryckning(cli, world, tmp_path):
    """The other method: suppression table by table, '..' for the small counts."""
    config = tmp_path / "undertryck.toml"
    config.write_text(
        (ROOT / "src/indikator/bundled/configs/mia.toml").read_text(encoding="utf-8")
        + '\n[protection]\nmethod = "undertryckning"\n',
        encoding="utf-8",
    )
    df = _small_world(cli, world, "--config", str(config))
    aktiva = df[(df.indikator == "deltagare_aktiva") & (df.omfang == "period")]
    # OS K=2 M=1 T=3, BHS K=1 M=1 T=3, TOTALT K=3 M=2 T=6: all small but zeros and TOTALT-T 6
    shown = aktiva[aktiva.status == "ok"]
    assert set(shown.varde.astype(float)) <= {0.0, 6.0}
    assert (aktiva.status == "undertryckt").sum() >= 6
    hidden = df[df.status == "undertryckt"]
    assert (hidden[["varde", "taljare", "namnare"]] == "").all().all()
    # a share with a hidden part is hidden; a mean is hidden with its population
    means = df[
        (df.indikator == "inskrivningstid_medel_dagar")
        & (df.omfang == "period")
        & (df.delprojekt == "OS")
    ]
    assert set(means.status) <= {"undertryckt", "tom_namnare"}
    t = cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(world),
        "--config",
        str(config),
        "--format",
        "table",
        "--indicator",
        "deltagare_aktiva",
    )
    assert "Aktiva deltagare" in t.stdout and ".." in t.stdout
    assert "Skydd: antal 1–4 är undertryckta" in t.stdout


@pytest.mark.parametrize(
    "name, options",
    [
        ("mia", []),  # `indikator sample` with its defaults
        ("vagknuten", ["--config", "vagknuten", "--size", "110", "--seed", "2"]),
        ("esfplus", ["--config", "esfplus", "--size", "500", "--seed", "3"]),
    ],
)
def test_bundled_sample_is_what_the_generator_writes(cli, tmp_path, name, options):
    # each bundled sample is `indikator sample` with the options its docs give; a change to the
    # generator (or to the library it writes with) that alters a single byte shows up here
    r = cli("sample", "--out", str(tmp_path), *options)
    assert r.exit_code == 0, r.stderr
    bundled = Path(__file__).parents[1] / "data" / "samples" / name
    written = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert written == sorted(p.name for p in bundled.glob("*.csv"))
    for path in sorted(bundled.glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
