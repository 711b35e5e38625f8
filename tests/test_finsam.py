"""Uppföljning Finsam (reporting.md §2): the yearly figures per insats and TOTALT, counted by
hand; the same persons as monthly's year figures; and the command in every format."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from conftest import write_dataset

from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.finsam import figures
from indikator.indicators import exact_figures
from indikator.locations import default_data_path
from indikator.periods import parse_period

DELTAGARE = """\
deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak
A1;K;OS;2017-06-01;2018-02-28;ARBETE
A2;M;OS;2018-03-01;;
A3;X;OS;2018-05-01;2018-09-30;STUDIER
A4;;OS;2018-07-01;;
A5;K;BHS;2016-12-01;2017-12-31;AVHOPP
A6;M;BHS;2018-12-31;;
A6;M;OS;2018-01-01;2018-06-30;ARBETE
A7;K;BHS;2019-01-01;;
"""
# 2018: active = enrolment overlapping the year; new = starts in 2018; ended = ends in 2018.
# OS:  A1 (K, ended), A2 (M, new), A3 (X, new and ended), A4 (kön unknown, new),
#      A6 (M, new and ended)                    -> active K1 M2 X1 ?1 T5, new M2 X1 ?1 T4,
#                                                  ended K1 M1 X1 T3
# BHS: A6 (M, new on 2018-12-31); A5 ended in 2017, A7 starts in 2019 -> active M1, new M1
# TOTALT: A1 A2 A3 A4 A6                         -> active K1 M2 X1 ?1 T5, new M2 X1 ?1 T4
#                                                  (A6 new in both), ended K1 M1 X1 T3
ORG = """\
aktivitet_id;datum;delprojekt;typ;myndighet;antal_handlaggare
M1;2018-02-01;OS;SAMVERKANSMOTE;AF;3
M1;2018-02-01;OS;SAMVERKANSMOTE;FK;2
M2;2018-05-01;;INFO_MUNTLIG;KOMMUN;10
M3;2018-06-01;BHS;WORKSHOP;AF;
M4;2017-12-31;OS;WORKSHOP;AF;7
M5;2018-12-31;BHS;METODDAG;REGION;4
"""
# handläggare 2018: OS 3 + 2 = 5; BHS 4 (M3 has none given, M4 is 2017); the project-wide M2
# counts in TOTALT only: 5 + 4 + 10 = 19
HEADERS = ["Insats", "Mått", "Kvinnor", "Män", "Icke-binära", "Kön okänt", "Totalt"]


@pytest.fixture
def ds(tmp_path):
    folder = write_dataset(
        tmp_path / "d", {"deltagare": DELTAGARE, "organisationsaktiviteter": ORG}
    )
    return load_dataset(folder, load_config(), dt.date(2020, 1, 1))


def _by(table):
    return {
        (r.delprojekt, r.matt): (r.kvinnor, r.man, r.icke_binara, r.kon_okant, r.totalt)
        for r in table.fillna(-1).itertuples()
    }


def test_finsam_counted_by_hand(ds):
    got = _by(figures(ds, parse_period("2018")))
    assert got[("OS", "deltagare_aktiva")] == (1, 2, 1, 1, 5)
    assert got[("OS", "deltagare_nya")] == (0, 2, 1, 1, 4)
    assert got[("OS", "deltagare_avslutade")] == (1, 1, 1, 0, 3)
    assert got[("BHS", "deltagare_aktiva")] == (0, 1, 0, 0, 1)
    assert got[("BHS", "deltagare_nya")] == (0, 1, 0, 0, 1)
    assert got[("BHS", "deltagare_avslutade")] == (0, 0, 0, 0, 0)
    assert got[("TOTALT", "deltagare_aktiva")] == (1, 2, 1, 1, 5)
    assert got[("TOTALT", "deltagare_nya")] == (0, 2, 1, 1, 4)
    assert got[("TOTALT", "deltagare_avslutade")] == (1, 1, 1, 0, 3)
    assert got[("OS", "handlaggare")][-1] == 5
    assert got[("BHS", "handlaggare")][-1] == 4
    assert got[("TOTALT", "handlaggare")][-1] == 19
    assert got[("SR", "deltagare_aktiva")] == (0, 0, 0, 0, 0)


def test_without_organisationsaktiviteter_handlaggare_has_no_data(tmp_path):
    folder = write_dataset(tmp_path / "d", {"deltagare": DELTAGARE})
    table = figures(load_dataset(folder, load_config()), parse_period("2018"))
    assert set(table.loc[table.matt == "handlaggare", "status"]) == {"saknar_data"}


def test_finsam_agrees_with_monthly_year_figures_on_the_sample():
    config = load_config()
    ds = load_dataset(default_data_path(), config)
    for year in ("2017", "2018", "2019"):
        period = parse_period(year)
        table = figures(ds, period)
        tidy = exact_figures(
            ds, [period], ["deltagare_aktiva", "deltagare_nya", "deltagare_avslutade"]
        )
        tidy = tidy[tidy.omfang == "period"].set_index(["delprojekt", "indikator", "kon"])["varde"]
        for r in table[table.matt != "handlaggare"].itertuples():
            assert r.kvinnor == tidy[(r.delprojekt, r.matt, "K")], (year, r)
            assert r.man == tidy[(r.delprojekt, r.matt, "M")], (year, r)
            assert r.totalt == tidy[(r.delprojekt, r.matt, "T")], (year, r)
            assert r.kvinnor + r.man + r.icke_binara + r.kon_okant == r.totalt


def test_finsam_command_in_every_format(cli, tmp_path):
    r = cli("finsam", "--year", "2018", "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "Exakta antal – inte för publicering" in r.stdout.splitlines()[0]
    assert "TOTALT – MIA – Mobilisering inför arbete" in r.stdout
    assert "Handläggare i strukturinriktade insatser" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()[2:]) <= 120
    r = cli("finsam", "--year", "2018", "--format", "csv")
    assert r.exit_code == 0
    text = r.stdout.lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert "Exakta antal" in lines[0][0]
    assert lines[1] == ["År", *HEADERS]
    totalt = [x for x in lines[2:] if x[1].startswith("TOTALT") and x[2] == "Deltagare under året"]
    ds = load_dataset(default_data_path(), load_config())
    expected = figures(ds, parse_period("2018"))
    row = expected[(expected.delprojekt == "TOTALT") & (expected.matt == "deltagare_aktiva")]
    assert int(totalt[0][7]) == int(row.totalt.iloc[0])
    out = tmp_path / "finsam.xlsx"
    r = cli("finsam", "--year", "2018", "--out", str(out))
    assert r.exit_code == 0 and out.exists()
    ws = openpyxl.load_workbook(out).active
    assert "Exakta antal" in ws["A1"].value
    assert [c.value for c in ws[3]] == HEADERS
    assert isinstance(ws["G4"].value, int)


def test_finsam_year_outside_the_project_is_a_usage_error(cli):
    r = cli("finsam", "--year", "2030")
    assert r.exit_code == 2
    assert "2030" in r.stderr
