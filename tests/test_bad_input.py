"""Bad input gets a clear Swedish error with file, line and column, and loses nothing."""

import pytest
from conftest import write_dataset
from world import AKTIVITETER, DELTAGARE

HEADER = DELTAGARE.splitlines()[0]


def deltagare_with(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def monthly(cli, folder, *extra):
    return cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(folder),
        "--format",
        "csv",
        "--min-cell",
        "0",
        *extra,
    )


def assert_no_traceback(result):
    assert "Traceback" not in result.output + result.stderr


def test_missing_required_column(cli, tmp_path):
    write_dataset(tmp_path, {"deltagare": "deltagare_id;delprojekt;slutdatum\nA;OS;\n"})
    r = monthly(cli, tmp_path)
    assert r.exit_code == 1
    assert "deltagare.csv:1: obligatorisk kolumn saknas: startdatum" in r.stderr
    assert r.stdout == ""
    assert_no_traceback(r)


def test_binary_file(cli, tmp_path):
    (tmp_path / "deltagare.csv").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    )
    r = monthly(cli, tmp_path)
    assert r.exit_code == 1
    assert "deltagare.csv: filen är inte en textfil" in r.stderr
    assert_no_traceback(r)


def test_broken_xlsx(cli, tmp_path):
    (tmp_path / "deltagare.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    r = monthly(cli, tmp_path)
    assert r.exit_code == 1
    assert "deltagare.xlsx: filen går inte att läsa som Excel" in r.stderr
    assert_no_traceback(r)


def test_unknown_encoding(cli, tmp_path):
    # 0x81 is undefined in Windows-1252 and invalid in UTF-8.
    (tmp_path / "deltagare.csv").write_bytes(HEADER.encode() + b"\nA\x81;;OS;2017-01-01;;;;;;\n")
    r = monthly(cli, tmp_path)
    assert r.exit_code == 1
    assert "okänd teckenkodning" in r.stderr and "deltagare.csv" in r.stderr


@pytest.mark.parametrize(
    "row, line_msg",
    [
        # line 3 (1 = header, 2 = the good row)
        (
            "B;K;OS;2017-13-01;;;;;;",
            "deltagare.csv:3, kolumn startdatum, värde '2017-13-01': datumet finns inte",
        ),
        ("B;K;OS;1 maj;;;;;;", "deltagare.csv:3, kolumn startdatum, värde '1 maj': ogiltigt datum"),
        (
            "B;K;OS;2017-03-01;2017-02-01;ARBETE;;;;",
            "deltagare.csv:3, kolumn slutdatum, värde '2017-02-01': slutdatum ligger före startdatum",
        ),
        (
            "B;K;OS;2017-03-01;;ARBETE;;;;",
            "deltagare.csv:3, kolumn avslutsorsak, värde 'ARBETE': avslutsorsak är angiven men slutdatum saknas",
        ),
        (
            "B;K;XYZ;2017-03-01;;;;;;",
            "deltagare.csv:3, kolumn delprojekt, värde 'XYZ': okänd kod för delprojekt",
        ),
        (
            "B;K;OS;2017-03-01;2017-04-01;PENSION;;;;",
            "deltagare.csv:3, kolumn avslutsorsak, värde 'PENSION': okänd kod för avslutsorsak",
        ),
        # wrong check digit: the message shows it masked
        (
            "19800101-0002;;OS;2017-03-01;;;;;;",
            "deltagare.csv:3, kolumn deltagare_id, värde '19800101-****': personnumret har fel kontrollsiffra",
        ),
        (
            "19801301-0002;;OS;2017-03-01;;;;;;",
            "deltagare.csv:3, kolumn deltagare_id, värde '19801301-****': personnumret har ett omöjligt datum",
        ),
        (
            "A;K;OS;2017-01-01;;;;;;",
            "deltagare.csv:3, kolumn startdatum, värde '2017-01-01': dubblett: samma deltagare, delprojekt och startdatum som rad 2",
        ),
        (
            "A;K;OS;2017-02-01;;;;;;",
            "deltagare.csv:3, kolumn startdatum, värde '2017-02-01': överlappar en tidigare inskrivning",
        ),
        ("B;K;;2017-03-01;;;;;;", "deltagare.csv:3, kolumn delprojekt: värde saknas"),
    ],
)
def test_row_errors(cli, tmp_path, row, line_msg):
    write_dataset(tmp_path, {"deltagare": deltagare_with("A;K;OS;2017-01-01;;;;;;", row)})
    r = monthly(cli, tmp_path)
    assert r.exit_code == 3, r.stderr
    assert line_msg in r.stderr
    assert "deltagare.csv: 2 rader lästa, 1 godkända, 1 avvisade" in r.stderr
    assert "19800101-0002" not in r.stderr + r.stdout
    assert r.stdout.startswith("period,omfang,delprojekt")  # the other rows are still used
    assert_no_traceback(r)


def test_strict_fails_on_rejected_rows(cli, tmp_path):
    write_dataset(
        tmp_path, {"deltagare": deltagare_with("A;K;OS;2017-01-01;;;;;;", "B;K;OS;nej;;;;;;")}
    )
    r = monthly(cli, tmp_path, "--strict")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "--strict" in r.stderr


def test_activity_outside_every_enrolment(cli, tmp_path):
    akt = AKTIVITETER + "19800101-0001;2018-01-01;KARTLAGGNING;;1\n"  # line 11
    akt += "19800101-0001;2017-05-05;KARTLAGGNING;BHS;1\n"  # line 12: P1 is in OS, not BHS
    akt += "NOBODY;2017-05-05;KARTLAGGNING;;1\n"  # line 13
    write_dataset(tmp_path, {"deltagare": DELTAGARE, "aktiviteter": akt})
    r = monthly(cli, tmp_path)
    assert r.exit_code == 3
    assert (
        "aktiviteter.csv:11, kolumn datum, värde '2018-01-01': aktiviteten ligger utanför alla deltagarens inskrivningar"
        in r.stderr
    )
    assert (
        "aktiviteter.csv:12, kolumn delprojekt, värde 'BHS': aktiviteten ligger utanför deltagarens inskrivningar i delprojektet"
        in r.stderr
    )
    assert (
        "aktiviteter.csv:13, kolumn deltagare_id: deltagaren saknar inskrivning i deltagare"
        in r.stderr
    )
    assert "aktiviteter.csv: 12 rader lästa, 9 godkända, 3 avvisade" in r.stderr


def test_activity_covered_by_two_enrolments_needs_delprojekt(cli, tmp_path):
    dl = deltagare_with("A;K;OS;2017-01-01;;;;;;", "A;K;BHS;2017-02-01;;;;;;")
    akt = "deltagare_id;datum;insatstyp\nA;2017-01-15;PTSD\nA;2017-03-01;PTSD\n"
    write_dataset(tmp_path, {"deltagare": dl, "aktiviteter": akt})
    r = monthly(cli, tmp_path)
    assert r.exit_code == 3
    assert (
        "aktiviteter.csv:3, kolumn delprojekt: flera inskrivningar täcker datumet; ange delprojekt"
        in r.stderr
    )
    # and the person in two delprojekt at once is a warning, not an error
    assert (
        "varning: deltagare.csv:3, kolumn delprojekt, värde 'BHS': deltagaren är inskriven i två delprojekt samtidigt"
        in r.stderr
    )


def test_header_only_file(cli, tmp_path):
    write_dataset(
        tmp_path, {"deltagare": DELTAGARE, "aktiviteter": "deltagare_id;datum;insatstyp\n"}
    )
    r = monthly(cli, tmp_path)
    assert r.exit_code == 0
    assert "varning: aktiviteter.csv:1: filen innehåller inga datarader" in r.stderr
    assert "aktiviteter.csv: 0 rader lästa, 0 godkända, 0 avvisade" in r.stderr
    assert ",fatt_insats,,T,0,,,ok" in r.stdout  # computed as zero, the export is present


def test_empty_file(cli, tmp_path):
    (tmp_path / "deltagare.csv").write_bytes(b"")
    r = monthly(cli, tmp_path)
    assert r.exit_code == 1
    assert "deltagare.csv: filen är tom" in r.stderr


def test_missing_deltagare_and_missing_folder(cli, tmp_path):
    r = monthly(cli, tmp_path)
    assert r.exit_code == 1 and "exporten deltagare" in r.stderr
    r = monthly(cli, tmp_path / "nope")
    assert r.exit_code == 1 and "datamappen finns inte" in r.stderr


def monthly_with_config_edit(cli, tmp_path, old: str, new: str):
    """Run monthly on the world with the bundled configuration edited (old -> new)."""
    from conftest import ROOT

    text = (ROOT / "configs" / "mia.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "bad.toml").write_text(text.replace(old, new), encoding="utf-8")
    write_dataset(tmp_path / "d", {"deltagare": DELTAGARE})
    return monthly(cli, tmp_path / "d", "--config", str(tmp_path / "bad.toml"))


def test_invalid_configuration_names_the_key(cli, tmp_path):
    r = monthly_with_config_edit(cli, tmp_path, "planned = 726", 'planned = "många"')
    assert r.exit_code == 1
    assert "ogiltig konfiguration, nyckel delprojekt.0.planned" in r.stderr


@pytest.mark.parametrize(
    "old, new, expected",
    [
        # pydantic's own messages were English ("Input should be a valid integer …")
        ("min_cell = 5", 'min_cell = "tre"', "project.min_cell: ska vara ett heltal (står 'tre')"),
        ("min_cell = 5", "min_cell = -1", "project.min_cell: ska vara minst 0 (står -1)"),
        ("start = 2016-12-01", 'start = "igår"', "project.start: ska vara ett datum (ÅÅÅÅ-MM-DD)"),
        ('code = "OS"', "code = 5", "delprojekt.0.code: ska vara text inom citattecken (står 5)"),
        ("planned = 726", "planned = 1.5", "delprojekt.0.planned: ska vara ett heltal (står 1.5)"),
        ('name = "MIA', 'namn = "MIA', "nyckel project.name: värde saknas"),
        ("min_cell = 5", "min_cell = 5\nmincell = 3", "project.mincell: okänd nyckel (stavfel"),
        # ours stay as written
        ("start = 2016-12-01", "start = 2030-12-01", "nyckel project: end ligger före start"),
        # tomllib's: where, in Swedish
        ("min_cell = 5", "min_cell 5", "fel i TOML på rad 9, kolumn 10 (Expected '=' after"),
    ],
)
def test_configuration_errors_are_swedish(cli, tmp_path, old, new, expected):
    r = monthly_with_config_edit(cli, tmp_path, old, new)
    assert r.exit_code == 1
    assert expected in r.stderr
    assert "Input should" not in r.stderr and "Field required" not in r.stderr
    assert "Extra inputs" not in r.stderr and "(at line" not in r.stderr


def test_group_member_not_in_code_list(cli, tmp_path):
    r = monthly_with_config_edit(
        cli,
        tmp_path,
        'arbete_studier = ["ARBETE", "STUDIER"]',
        'arbete_studier = ["ARBETE", "JOBB"]',
    )
    assert r.exit_code == 1
    assert "groups.arbete_studier: JOBB finns inte i codes.avslutsorsak" in r.stderr


def test_configuration_that_is_not_toml(cli, tmp_path):
    r = monthly_with_config_edit(cli, tmp_path, "[project]", "[project")
    assert r.exit_code == 1
    assert "konfigurationen går inte att läsa" in r.stderr


def test_usage_errors_exit_2(cli, tmp_path):
    assert cli("monthly", "--period", "2017-13").exit_code == 2
    assert cli("monthly", "--period", "maj").exit_code == 2
    assert cli("monthly", "--period", "2017-05", "--nope").exit_code == 2
    assert cli("monthly", "--period", "2017-05", "--delprojekt", "XYZ").exit_code == 2
    assert cli("monthly", "--period", "2017-05", "--indicator", "nope").exit_code == 2
    assert (
        cli("monthly", "--period", "2017-05", "--format", "parquet").exit_code == 2
    )  # needs --out


@pytest.mark.parametrize(
    "export, extra_row, message",
    [
        # P2 is still enrolled: no ended enrolment to follow up (line 6 after 4 good rows)
        (
            "uppfoljningar",
            "19800202-0017;90D;ARBETE;;",
            "uppfoljningar.csv:6, kolumn deltagare_id: deltagaren har ingen avslutad inskrivning",
        ),
        (
            "uppfoljningar",
            "660606-0058;90D;ARBETE;;2017-02-15",
            "uppfoljningar.csv:6, kolumn slutdatum, värde '2017-02-15': ingen inskrivning för deltagaren slutar detta datum",
        ),
        (
            "uppfoljningar",
            "660606-0058;90D;STUDIER;;2017-01-31",
            "uppfoljningar.csv:6, kolumn tidpunkt, värde '90D': dubblett: samma inskrivning har redan en uppföljning vid denna tidpunkt på rad 2",
        ),
        (
            "matningar",
            "19800101-0001;2017-02-01;STEG;9",
            "matningar.csv:14, kolumn varde, värde '9': värdet ligger utanför frågans skala 1–7",
        ),
        (
            "matningar",
            "19800101-0001;2017-02-01;FOO;3",
            "matningar.csv:14, kolumn fraga, värde 'FOO': okänd kod för fråga",
        ),
        (
            "remisser",
            "R2;2017-05-09;OS;AF;;;",
            "remisser.csv:8, kolumn remiss_id, värde 'R2': remiss_id förekommer redan tidigare i filen",
        ),
        (
            "organisationsaktiviteter",
            "A1;2017-05-05;OS;INFO_MUNTLIG;REGION;1",
            "organisationsaktiviteter.csv:9, kolumn datum, värde '2017-05-05': datum skiljer sig från aktivitetens första rad",
        ),
    ],
)
def test_row_errors_in_the_other_exports(cli, tmp_path, export, extra_row, message):
    from world import FULL_WORLD

    files = dict(FULL_WORLD)
    files[export] = files[export] + extra_row + "\n"
    write_dataset(tmp_path, files)
    r = monthly(cli, tmp_path)
    assert r.exit_code == 3, r.stderr
    assert message in r.stderr
    assert_no_traceback(r)


def test_every_export_header_only(cli, tmp_path):
    """Found by hypothesis: header-only follow-ups crashed when nobody had ended."""
    from world import FULL_WORLD

    files = {name: text.splitlines()[0] + "\n" for name, text in FULL_WORLD.items()}
    files["deltagare"] = deltagare_with("A;K;OS;2017-01-01;;;;;;")
    write_dataset(tmp_path, files)
    r = monthly(cli, tmp_path)
    assert r.exit_code == 0, r.stderr
    assert ",deltagare_aktiva,,T,1,,,ok" in r.stdout
    assert ",remisser,AF,T,0,,,ok" in r.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("monthly", "--period", "2017-05"),
        ("esf", "--period", "2017"),
        ("finsam", "--year", "2017"),
        ("targets", "--period", "2017"),
        ("validate",),
        ("batch", "--out", "{out}"),
    ],
)
def test_every_enrolment_rejected(cli, tmp_path, command):
    """Found by running the ESF report on a sample without its configuration: when every
    enrolment is rejected (here an unknown delprojekt), the ESF participants were an empty
    table and the report stopped with an internal error. Every report says what was rejected
    and exits 3 instead."""
    from world import FULL_WORLD

    files = dict(FULL_WORLD)
    files["deltagare"] = deltagare_with("A;K;XX;2017-01-01;;;;;;", "B;M;XX;2017-02-01;;;;;;")
    write_dataset(tmp_path / "data", files)
    args = [a.format(out=tmp_path / "out") for a in command]
    r = cli(*args, "--data", str(tmp_path / "data"))
    assert r.exit_code == 3, r.stderr
    assert "internt fel" not in r.stderr
    assert "okänd kod för delprojekt" in r.stdout + r.stderr
    assert_no_traceback(r)


def test_every_translated_pydantic_error_type_exists():
    """A type pydantic no longer has would never be used: the table would look complete
    while the message came out in English."""
    import typing

    from pydantic_core.core_schema import ErrorType

    from indikator.config import PYDANTIC_SV

    assert set(PYDANTIC_SV) - set(typing.get_args(ErrorType)) == set()
