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


def test_an_interrupted_workbook_leaves_no_noise(cli, tmp_path, monkeypatch):
    """Ctrl-C (or SIGTERM) while a write-only workbook is half built: its sheets' row streams
    are closed while their files are still open. Left to the garbage collector they were closed
    after their files, and Python printed "Exception ignored … ValueError: I/O operation on
    closed file" with a traceback under "avbrutet" (seen in CI on the nightly-run test)."""
    import gc
    import sys
    from itertools import count

    from indikator import cli as command
    from indikator.output import excel

    folder = write_dataset(tmp_path / "w", FULL_WORLD)
    real, calls = excel._cells, count()

    def interrupted(*args, **kwargs):
        if next(calls) == 40:  # well into the delprojekt sheets: several row streams open
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(excel, "_cells", interrupted)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    monkeypatch.setattr(command, "_after_interrupt", unraisable.append)  # not hidden in the log
    out = tmp_path / "rapport.xlsx"
    args = ("monthly", "--period", "2017-05", "--data", str(folder), "--format", "xlsx")
    r = cli(*args, "--out", str(out), "--no-cache")
    assert r.exit_code == 130 and "avbrutet" in r.stderr
    assert next(calls) > 40  # the interrupt did happen inside the workbook
    del r
    gc.collect()
    assert [repr(u.exc_value) for u in unraisable] == []
    assert not out.exists()


def test_workbooks_are_written_through_lxml():
    """lxml is a dependency for one reason: openpyxl writes a workbook's XML through it when
    it is installed, in about three quarters of the time of its pure-Python writer (a
    national batch's four workbooks, measured in docs/prestanda.md). Dropping it from the
    dependencies would slow the batch without any test noticing but this one."""
    from openpyxl.xml import LXML

    assert LXML
