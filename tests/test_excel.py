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
    """Ctrl-C (or SIGTERM) while a workbook is half built: "avbrutet", exit 130, no file and no
    "Exception ignored …" traceback after it. (openpyxl's write-only sheets, closed by the
    garbage collector after their files, printed one in CI; the figure workbooks are now built
    in memory by XlsxWriter, and this holds them to the same.)"""
    import gc
    import sys
    from itertools import count

    from indikator import cli as command
    from indikator.output import excel

    folder = write_dataset(tmp_path / "w", FULL_WORLD)
    real, calls = excel._Sheet.append, count()

    def interrupted(*args, **kwargs):
        if next(calls) == 40:  # well into the delprojekt sheets: several sheets begun
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(excel._Sheet, "append", interrupted)
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
    it is installed, in about three quarters of the time of its pure-Python writer (the
    validation list, Finsam and ESF hour workbooks and the templates; measured in
    docs/prestanda.md). Dropping it from the dependencies would slow them without any test
    noticing but this one."""
    from openpyxl.xml import LXML

    assert LXML


def test_text_stays_text_in_a_figure_workbook():
    """A label that begins with "=" is not a formula, and an address is not a link: the
    figure workbooks are written with XlsxWriter's conversions off (``excel.OPTIONS``)."""
    import io

    import xlsxwriter

    from indikator.output import excel

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, excel.OPTIONS)
    excel._Sheet(wb.add_worksheet("Blad")).append(["=1+1", "https://example.se", 2.5, None])
    wb.close()
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["Blad"]
    assert [(c.value, c.data_type) for c in ws[1][:3]] == [
        ("=1+1", "s"),
        ("https://example.se", "s"),
        (2.5, "n"),
    ]
    assert ws.cell(1, 4).value is None and ws.cell(1, 2).hyperlink is None
