"""The xlsx output read back: sheets, numbers as numbers, percent format, frozen header."""

import openpyxl
from conftest import write_dataset
from world import FULL_WORLD


def test_xlsx(cli, tmp_path):
    folder = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "rapport.xlsx"
    r = cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(folder),
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--min-cell",
        "0",
    )
    assert r.exit_code == 0 and r.stdout == ""
    wb = openpyxl.load_workbook(out)
    # first what the figures are (here: exact, not for publishing), then the tables
    assert wb.sheetnames == ["Om rapporten", "OS", "BHS", "SDT", "VARNA", "SR", "TOTALT", "Tidy"]
    assert "Exakta siffror" in wb["Om rapporten"]["A1"].value
    ws = wb["OS"]
    assert [c.value for c in ws[1]] == [
        "Indikator",
        "Period",
        "Kvinnor",
        "Män",
        "Totalt",
        "Kvinnor (ack.)",
        "Män (ack.)",
        "Totalt (ack.)",
    ]
    assert ws.freeze_panes == "C2"
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    aktiva = rows["Aktiva deltagare"]
    assert [c.value for c in aktiva[2:]] == [2, 1, 3, 2, 2, 4]  # hand-counted in test_flow
    share = rows["Avslutade till arbete eller studier"]
    assert share[2].value == 0.5 and share[2].number_format == "0 %"
    assert share[3].value == "."  # no man ended in OS in May: ej tillämplig
    assert rows["Genomsnittlig inskrivningstid (dagar)"][2].value == 103
    tidy = wb["Tidy"]
    assert [c.value for c in tidy[1]][:3] == ["period", "omfang", "delprojekt"]
    assert tidy.max_row > 100


def test_xlsx_needs_out(cli, tmp_path):
    assert cli("monthly", "--period", "2017-05", "--format", "xlsx").exit_code == 2
