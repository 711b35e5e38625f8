"""Ordinary situations get a plain Swedish message and the right exit code, never "internt
fel": periods outside the project and the data, folders that are missing or not writable, a
full disk, a log that cannot be created, data that is legal but unusual. A sweep runs every
command that writes a file into each such fault."""

import errno
import os

import pytest
from conftest import write_dataset
from world import DELTAGARE, FULL_WORLD


@pytest.fixture
def world(tmp_path):
    return write_dataset(tmp_path / "data", FULL_WORLD)


def plain(result) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internt fel" not in out, out
    return out


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, message",
    [
        ("0218-05", "året måste ligga mellan 1900 och 2099"),
        ("0000", "året måste ligga mellan 1900 och 2099"),
        (
            "2015-01",
            "perioden 2015-01 ligger före projektets start (2016-12-01); projektet pågår 2016-12-01 – 2020-08-31",
        ),
        ("2016", None),  # December 2016 is inside the project: a legal period
        (
            "2031-01",
            "perioden 2031-01 ligger efter projektets slut (2020-08-31) och efter det senaste datumet i data (2017-06-10)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["monthly", "targets", "esf-hours"])
def test_periods_outside_the_project_and_the_data(cli, world, tmp_path, period, message, command):
    extra = ["--out", str(tmp_path / "esf.csv")] if command == "esf-hours" else []
    r = cli(command, "--period", period, "--data", str(world), *extra)
    out = plain(r)
    if message is None:
        assert r.exit_code == 0, out
    else:
        assert r.exit_code == 2, out
        assert message in out


def test_a_period_after_the_data_but_inside_the_project_warns(cli, world):
    # The world's latest date is 2017-06-10; the project runs to 2020-08-31.
    r = cli("monthly", "--period", "2018-03", "--data", str(world), "--format", "csv")
    assert r.exit_code == 0
    assert (
        "varning: inga registreringar efter 2017-06-10: siffrorna för 2018-03 är troligen ofullständiga"
        in r.stderr
    )
    quiet = cli("monthly", "--period", "2017-05", "--data", str(world), "--format", "csv")
    assert "ofullständiga" not in quiet.stderr


def test_batch_range_outside_the_project(cli, world, tmp_path):
    r = cli(
        "batch",
        "--out",
        str(tmp_path / "b"),
        "--from",
        "2010-01",
        "--to",
        "2012-12",
        "--data",
        str(world),
    )
    assert r.exit_code == 2, plain(r)
    assert "ligger före projektets start" in r.stderr


# --- data that is legal but unusual -------------------------------------------------------------


def test_follow_ups_before_anyone_has_ended(cli, tmp_path):
    """Everybody still enrolled, and follow-up rows anyway: row errors, never a crash."""
    dl = DELTAGARE.splitlines()[0] + "\nA;K;OS;2017-01-01;;;;;;\nB;M;OS;2017-02-01;;;;;;\n"
    fu = "deltagare_id;tidpunkt;sysselsattning\nA;90D;ARBETE\nC;6M;STUDIER\n"
    folder = write_dataset(tmp_path, {"deltagare": dl, "uppfoljningar": fu})
    r = cli("monthly", "--period", "2017-05", "--data", str(folder), "--format", "csv")
    plain(r)
    assert r.exit_code == 3
    assert (
        "uppfoljningar.csv:2, kolumn deltagare_id: deltagaren har ingen avslutad inskrivning"
        in r.stderr
    )
    v = cli("validate", "--data", str(folder))
    assert (
        "uppfoljningar.csv:3, kolumn deltagare_id: deltagaren saknar inskrivning i deltagare"
        in v.stdout
    )


# --- files that cannot be written ---------------------------------------------------------------

WRITERS = [
    ("monthly", "--period", "2017-05", "--format", "csv", "--out", "{out}/m.csv"),
    ("monthly", "--period", "2017-05", "--format", "xlsx", "--out", "{out}/m.xlsx"),
    ("monthly", "--period", "2017-05", "--format", "html", "--out", "{out}/m.html"),
    ("monthly", "--period", "2017-05", "--format", "parquet", "--out", "{out}/m.parquet"),
    ("targets", "--period", "2017", "--format", "csv", "--out", "{out}/t.csv"),
    ("esf-hours", "--period", "2017-05", "--out", "{out}/esf.csv"),
    ("esf-hours", "--period", "2017-05", "--out", "{out}/esf.xlsx"),
    ("batch", "--to", "2017-06", "--out", "{out}/batch"),
    ("sample", "--size", "20", "--out", "{out}/sample"),
]


def _args(command, out, data):
    args = [a.format(out=out) for a in command]
    return args if args[0] == "sample" else [*args, "--data", str(data)]


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:4]))
def test_an_output_folder_that_is_a_file(cli, world, tmp_path, command):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    r = cli(*_args(command, blocker, world))
    out = plain(r)
    assert r.exit_code == 1, out
    assert "not-a-folder" in out and (
        "en del av sökvägen är en fil" in out or "finns redan" in out
    ), out


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:4]))
@pytest.mark.parametrize(
    "fault, words",
    [(errno.ENOSPC, "disken är full"), (errno.EACCES, "du saknar behörighet")],
)
def test_a_full_disk_or_a_folder_without_permission(
    cli, world, tmp_path, monkeypatch, command, fault, words
):
    """Every write goes through a rename into place (atomic); make that fail as the system
    would. Nothing is left half-written."""
    real = os.replace

    def failing(src, dst, *a, **k):
        if "cache" in str(dst) or str(dst).endswith("hashes.json"):
            return real(src, dst, *a, **k)
        raise OSError(fault, os.strerror(fault), str(dst))

    monkeypatch.setattr(os, "replace", failing)
    monkeypatch.setattr(os, "rename", failing)
    out = tmp_path / "out"
    r = cli(*_args(command, out, world))
    text = plain(r)
    assert r.exit_code == 1, text
    assert words in text and "försök igen" in text
    leftovers = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".indikator")]
    assert leftovers == []


def test_a_log_that_cannot_be_created(cli, world, tmp_path):
    r = cli("--log", str(tmp_path / "saknas" / "indikator.log"), "validate", "--data", str(world))
    out = plain(r)
    assert r.exit_code == 1
    assert "fel: loggen: kunde inte skriva eller läsa" in out and "saknas" in out


def test_a_configuration_folder_that_does_not_exist(cli, world, tmp_path):
    r = cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(world),
        "--config",
        str(tmp_path / "x" / "y.toml"),
    )
    assert r.exit_code == 1
    assert "konfigurationsfilen finns inte" in plain(r)


def test_unknown_selection_never_echoes_a_personnummer(cli, world):
    r = cli("monthly", "--period", "2017-05", "--data", str(world), "--delprojekt", "19800101-0001")
    assert r.exit_code == 2
    assert "19800101-****" in r.stderr and "0001" not in r.stderr.replace("19800101-****", "")
    r = cli("monthly", "--period", "19800101-0001", "--data", str(world))
    assert r.exit_code == 2 and "19800101-0001" not in r.stderr
