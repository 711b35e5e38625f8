"""The nightly batch: a consistent set, replaced atomically; and diff between two runs."""

import json

from conftest import write_dataset
from world import FULL_WORLD

ARGS = ("--from", "2017-01", "--to", "2017-06", "--min-cell", "0")


def batch(cli, data, out, *extra):
    return cli("batch", "--data", str(data), "--out", str(out), *ARGS, *extra)


def test_batch_writes_a_complete_set_and_is_reproducible(cli, tmp_path):
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "ut"
    r = batch(cli, data, out)
    assert r.exit_code == 0, r.stderr
    # 2017-01..06: six months, Q1 Q2, T1 T2 (T2 has begun), H1 and the year so far
    assert "batch klar: 12 perioder" in r.stderr
    assert (
        r.stdout == "" and "█" not in r.stderr and "[#" not in r.stderr
    )  # no progress bar in a pipe
    first = (out / "senaste").resolve()
    files = sorted(p.name for p in first.iterdir())
    assert files == [
        "indikatorer.csv",
        "indikatorer.parquet",
        "manifest.json",
        "rapport-2017-06.html",  # the latest complete month and tertial (no complete year yet)
        "rapport-2017-06.xlsx",
        "rapport-2017-T1.html",
        "rapport-2017-T1.xlsx",
        "validering.csv",
    ]
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["perioder"] == [
        "2017-01",
        "2017-02",
        "2017-03",
        "2017-04",
        "2017-05",
        "2017-06",
        "2017-Q1",
        "2017-Q2",
        "2017-T1",
        "2017-T2",
        "2017-H1",
        "2017",
    ]
    deltagare = next(i for i in manifest["indata"] if i["export"] == "deltagare")
    assert deltagare["rader_lasta"] == 10 and len(deltagare["sha256"]) == 64
    # a second run on unchanged inputs gives byte-identical figures
    assert batch(cli, data, out).exit_code == 0
    second = (out / "senaste").resolve()
    assert second != first
    for name in ("indikatorer.csv", "indikatorer.parquet", "validering.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_failed_write_leaves_the_previous_run_intact(cli, tmp_path, monkeypatch):
    import indikator.batch

    data = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "ut"
    assert batch(cli, data, out).exit_code == 0
    before = (out / "senaste").resolve()
    snapshot = {p.name: p.read_bytes() for p in before.iterdir()}

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(indikator.batch, "tidy_csv_parts", disk_full)  # parquet is written
    r = batch(cli, data, out)
    assert r.exit_code == 1
    assert f"kunde inte skriva eller läsa {out}: disken är full" in r.stderr
    assert "den förra körningen är orörd" in r.stderr
    assert (out / "senaste").resolve() == before
    assert {p.name: p.read_bytes() for p in before.iterdir()} == snapshot
    assert not list(out.glob(".korning-*"))  # the half-written run is gone


def test_diff_finds_a_late_change(cli, tmp_path):
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    assert batch(cli, data, tmp_path / "a").exit_code == 0
    assert batch(cli, data, tmp_path / "b").exit_code == 0
    same = cli("diff", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "csv")
    assert same.exit_code == 0 and "0 ändrade siffror" in same.stderr
    # a late correction: P1 left for SJUKDOM, not ARBETE
    changed = dict(FULL_WORLD)
    changed["deltagare"] = changed["deltagare"].replace("2017-05-10;ARBETE", "2017-05-10;SJUKDOM")
    write_dataset(tmp_path / "w2", changed)
    assert batch(cli, tmp_path / "w2", tmp_path / "c").exit_code == 0
    r = cli("diff", str(tmp_path / "a"), str(tmp_path / "c"), "--format", "csv")
    assert r.exit_code == 3
    assert "2017-05,period,OS,andel_arbete_studier,,K,0.5,0.0,ok,ok" in r.stdout
    assert "2017-05,period,OS,avslutsorsak,SJUKDOM,K,0.5,1.0,ok,ok" in r.stdout
    # April is untouched by a May exit
    assert "2017-04,period," not in r.stdout
    table = cli("diff", str(tmp_path / "a"), str(tmp_path / "c"), "--format", "table")
    assert table.exit_code == 3 and "Status efter" in table.stdout
