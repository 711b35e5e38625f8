"""A förbund of its own: `indikator init` makes a project folder whose templates validate as
they are, and a filled-in template gives figures; validate --out gives a problem list to fix
from; the bundled sample looks like a real register (a handful of warnings)."""

import datetime as dt
import os

import openpyxl
import pytest

from indikator.schema import COLUMN_TEXT


@pytest.fixture
def project(cli, tmp_path):
    folder = tmp_path / "förbundet"
    r = cli("init", str(folder), "--name", "Testförbundet")
    assert r.exit_code == 0, r.stderr
    return folder


def test_init_writes_a_configuration_and_a_template_per_export(project):
    assert (project / "indikator.toml").read_text(encoding="utf-8").startswith("# Konfiguration")
    names = sorted(p.name for p in (project / "data").iterdir())
    assert names == sorted(
        f"{e}.xlsx"
        for e in (
            "deltagare",
            "aktiviteter",
            "matningar",
            "uppfoljningar",
            "remisser",
            "organisationsaktiviteter",
        )
    )
    wb = openpyxl.load_workbook(project / "data" / "deltagare.xlsx")
    assert wb.sheetnames == ["Registrering", "Instruktion", "Listor"]
    ws = wb["Registrering"]
    assert [c.value for c in ws[1]][:5] == [
        "Personnummer",
        "Kön",
        "Födelseår",
        "Delprojekt",
        "Startdatum",
    ]
    assert ws.freeze_panes == "A2"
    assert ws["E2"].number_format == "YYYY-MM-DD" and ws["A2"].number_format == "@"
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert lists["D2:D1001"] == "=Listor!$D$2:$D$3"  # the two delprojekt of the template
    assert [wb["Listor"]["D2"].value, wb["Listor"]["D3"].value] == ["Delprojekt A", "Delprojekt B"]
    assert wb["Listor"].sheet_state == "hidden"
    instruction = [r[0] for r in wb["Instruktion"].iter_rows(values_only=True)]
    assert "Personnummer" in instruction and "Avslutsorsak" in instruction


def test_untouched_templates_validate(cli, project, monkeypatch):
    monkeypatch.chdir(project)  # standing in the project, its configuration and data are used
    r = cli("validate")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "deltagare.xlsx: 0 rader lästa, 0 godkända, 0 avvisade" in r.stdout


def test_a_filled_template_gives_figures(cli, project, monkeypatch):
    """Three enrolments typed into the template, as a utredare would (real dates, labels
    from the lists): May 2025 has 2 active (1 K, 1 M), 1 new, 1 ended."""
    path = project / "data" / "deltagare.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Registrering"]
    header = [c.value for c in ws[1]]
    rows = [
        {
            "Personnummer": "19800101-0001",
            "Delprojekt": "Delprojekt A",
            "Startdatum": dt.date(2025, 3, 1),
        },
        {
            "Personnummer": "19800202-0017",
            "Delprojekt": "Delprojekt B",
            "Startdatum": dt.date(2025, 5, 2),
            "Slutdatum": dt.date(2025, 5, 30),
            "Avslutsorsak": "Arbete",
        },
        {
            "Personnummer": "ANON-7",
            "Kön": "K",
            "Delprojekt": "A",
            "Startdatum": dt.date(2025, 6, 1),
        },
    ]
    for i, row in enumerate(rows, start=2):
        for column, value in row.items():
            ws.cell(row=i, column=header.index(column) + 1, value=value)
    wb.save(path)
    config = project / "indikator.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("start = 20", "start = 2025-01-01 #", 1).replace(
            "end = 20", "end = 2027-12-31 #", 1
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(project)
    r = cli("monthly", "--period", "2025-05", "--format", "csv", "--min-cell", "0")
    assert r.exit_code == 0, r.stderr
    assert "deltagare.xlsx: 3 rader lästa, 3 godkända, 0 avvisade" in r.stderr
    lines = set(r.stdout.splitlines())
    assert "2025-05,period,TOTALT,deltagare_aktiva,,K,1,,,ok" in lines
    assert "2025-05,period,TOTALT,deltagare_aktiva,,M,1,,,ok" in lines
    assert "2025-05,period,TOTALT,deltagare_nya,,T,1,,,ok" in lines
    assert "2025-05,period,B,andel_arbete_studier,,T,1,1,1,ok" in lines


def test_init_never_overwrites(cli, project):
    r = cli("init", str(project))
    assert r.exit_code == 2 and "finns redan och är inte tom" in r.stderr


def test_validate_out_writes_a_problem_list_to_fix_from(cli, tmp_path):
    from conftest import write_dataset
    from world import FULL_WORLD

    files = dict(FULL_WORLD)
    files["deltagare"] = files["deltagare"].replace("19800101-0001;;OS", "19800101-0009;;OS")
    files["aktiviteter"] += "19800202-0017;2017-02-30;KARTLAGGNING;OS;1\n"  # line 11
    folder = write_dataset(tmp_path / "data", files)
    out = tmp_path / "problem.xlsx"
    r = cli("validate", "--data", str(folder), "--out", str(out))
    assert r.exit_code == 3
    assert f"skrev {out}: 8 problem" in r.stderr
    wb = openpyxl.load_workbook(out)
    ws = wb["Problem"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Fil", "Rad", "Kolumn", "Värde", "Nivå", "Kod", "Meddelande", "Orsak")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:H{len(rows)}"
    body = rows[1:]
    assert [(r[0], r[1]) for r in body] == sorted((r[0], r[1]) for r in body)  # by file and line
    assert (
        "aktiviteter.csv",
        11,
        "datum",
        "2017-02-30",
        "fel",
        "ogiltigt_datum",
        "datumet finns inte",
        None,
    ) in body
    assert (
        "deltagare.csv",
        2,
        "deltagare_id",
        "19800101-****",
        "fel",
        "fel_kontrollsiffra",
        "personnumret har fel kontrollsiffra",
        None,
    ) in body
    consequences = [r for r in body if r[5] == "foljdfel"]
    assert len(consequences) == 5 and {r[7] for r in consequences} == {"deltagare.csv:2"}
    summary = {r[0]: r[3] for r in wb["Sammanfattning"].iter_rows(min_row=2, values_only=True)}
    assert summary == {"fel_kontrollsiffra": 1, "ogiltigt_datum": 1, "foljdfel": 5, "kon_saknas": 1}
    csv = tmp_path / "problem.csv"
    cli("validate", "--data", str(folder), "--out", str(csv))
    text = csv.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "Fil;Rad;Kolumn;Värde;Nivå;Kod;Meddelande;Orsak"
    assert len(text.splitlines()) == 9


def test_the_bundled_sample_has_a_handful_of_warnings(cli):
    r = cli("validate")
    assert r.exit_code == 0
    warnings = [line for line in r.stdout.splitlines() if line.startswith("varning")]
    assert 1 <= len(warnings) <= 5, warnings
    assert "exakt kopia" not in r.stdout  # no occasion registered twice


def test_every_column_has_a_header_and_an_instruction():
    from indikator.schema import EXPORTS

    for model in EXPORTS.values():
        for column in model.columns():
            header, text = COLUMN_TEXT[column]
            assert header and text


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_the_top_level_folders_are_the_bundled_ones():
    from conftest import ROOT

    from indikator.locations import bundled

    assert (ROOT / "configs").resolve() == (bundled() / "configs").resolve()
    assert (ROOT / "data" / "samples").resolve() == (bundled() / "samples").resolve()
