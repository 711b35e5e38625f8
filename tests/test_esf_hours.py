"""ESF participant hours on the hand-counted world (see world.py)."""

import os
import stat

import openpyxl
from conftest import write_dataset
from world import FULL_WORLD


def test_esf_hours_csv(cli, tmp_path):
    folder = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "esf.csv"
    r = cli("esf-hours", "--period", "2017-05", "--data", str(folder), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""  # never to the terminal
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600  # person-level: owner only
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "Personnummer;Startdatum;Anvisande organisation;Delprojekt;Timmar",
        # P4: his OS enrolment ended 30 April, so the BHS one (15 May) is the one active in May
        "19850303-0036;2017-05-15;;BHS;4,0",
        "ANON-1;2017-04-01;;BHS;0,0",  # no hours registered: 0
        "X-77;2017-05-05;;BHS;2,5",
        "19750505-0026;2017-03-01;;OS;0,0",  # her activity was in March
        "19800101-0001;2017-01-15;;OS;3,5",
        "19800202-0017;2017-05-02;;OS;1,0",
    ]


def test_esf_hours_xlsx_and_refusal(cli, tmp_path):
    folder = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "esf.xlsx"
    assert (
        cli("esf-hours", "--period", "2017-05", "--data", str(folder), "--out", str(out)).exit_code
        == 0
    )
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 7 and ws["E2"].value == 4
    assert (
        cli("esf-hours", "--period", "2017-05", "--data", str(folder), "--out", "-").exit_code == 2
    )
    assert cli("esf-hours", "--period", "2017-05", "--data", str(folder)).exit_code == 2
