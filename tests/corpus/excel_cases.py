"""Generate the corpus of exports as people really make them in Excel (issue 11): the
hand-counted world with one realistic change each, grouped by class of problem.

Each case says what `indikator validate` must answer (exit code, a piece of the message naming
file, line and column) and whether the input is *legal*: then every figure must be identical to
the clean version of the same data. tests/test_excel_corpus.py generates and checks them; run
this file as a script to write the cases to a folder:

    python tests/corpus/excel_cases.py OUT
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from world import FULL_WORLD  # noqa: E402

Files = dict[str, bytes]  # file name (with suffix) -> bytes

# Persons added by some cases (valid check digits):
#   Q1 000101-2384 born 2000-01-01 (kvinna): as a number in Excel it loses three zeros -> 1012384
#   Q2 190505-1239 born 1919 or 2019 (man): the century depends on the reference date
Q1, Q1_NUMBER = "000101-2384", "1012384"
Q2 = "190505-1239"
EXTRA_Q1 = f"{Q1};;OS;2017-04-03;;;;;;\n"


@dataclass
class Case:
    name: str
    klass: int  # the class of issue 11 (1 ids … 8 internal errors, 9 cause first)
    build: Callable[[], Files]
    code: int  # exit code of `indikator validate`
    message: str | tuple[str, ...]  # expected in validate's output
    legal: bool = False  # figures identical to ``clean``
    clean: Callable[[], Files] | None = None  # default: the untouched world
    absent: tuple[str, ...] = ()  # must not appear in validate's output
    read: dict[str, int] = field(default_factory=dict)  # file -> rows read
    deep: bool = False  # also run batch and scan its folder


def base(**changes: str) -> Files:
    texts = {**FULL_WORLD, **changes}
    return {f"{k}.csv": v.encode("utf-8") for k, v in texts.items()}


def lines(text: str) -> list[str]:
    return text.strip("\n").split("\n")


def set_cell(export: str, row: int, column: str, value: str, text: str | None = None) -> str:
    """The export's text with ``value`` in ``column`` of data row ``row`` (1 = line 2)."""
    rows = lines(text if text is not None else FULL_WORLD[export])
    header = rows[0].split(";")
    cells = rows[row].split(";")
    cells[header.index(column)] = value
    rows[row] = ";".join(cells)
    return "\n".join(rows) + "\n"


def cell(export: str, row: int, column: str, value: str) -> Callable[[], Files]:
    return lambda: base(**{export: set_cell(export, row, column, value)})


def files(**texts: str | bytes) -> Callable[[], Files]:
    """The world with whole files replaced (name with suffix; None removes)."""

    def build() -> Files:
        out = base()
        for name, data in texts.items():
            name = name.replace("__", ".")
            if data is None:
                out.pop(name, None)
            else:
                out[name] = data if isinstance(data, bytes) else data.encode("utf-8")
        return out

    return build


def renamed(old: str, new: str) -> Callable[[], Files]:
    def build() -> Files:
        out = base()
        out[new] = out.pop(old)
        return out

    return build


def header(export: str, column: str, written: str) -> Callable[[], Files]:
    text = FULL_WORLD[export]
    first, rest = text.split("\n", 1)
    names = first.split(";")
    names[names.index(column)] = written
    return lambda: base(**{export: ";".join(names) + "\n" + rest})


def workbook(rows: list[list], title_rows: list[list] | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in (title_rows or []) + rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _typed(value: str):
    """A cell as Excel holds it after typing: dates and numbers become numbers."""
    if len(value) == 10 and value[4] == "-" and value[:4].isdigit():
        return dt.datetime.fromisoformat(value)
    if value.replace(",", "", 1).isdigit():
        return float(value.replace(",", "."))
    return value or None


def as_xlsx(export: str, change: Callable[[list[list]], None] | None = None, typed=True):
    """The export as a workbook with typed cells, then ``change(rows)`` (rows with header)."""

    def build() -> Files:
        out = base()
        text = out.pop(f"{export}.csv").decode("utf-8")
        rows = [r.split(";") for r in lines(text)]
        rows = [rows[0]] + [[_typed(c) if typed else c for c in r] for r in rows[1:]]
        if change:
            change(rows)
        out[f"{export}.xlsx"] = workbook(rows)
        return out

    return build


def as_xls(export: str) -> Callable[[], Files]:
    """The export as a legacy .xls workbook (Excel 97–2003), written with xlwt."""

    def build() -> Files:
        import xlwt

        out = base()
        text = out.pop(f"{export}.csv").decode("utf-8")
        book = xlwt.Workbook()
        sheet = book.add_sheet("Blad1")
        dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for i, r in enumerate(lines(text)):
            for j, c in enumerate(r.split(";")):
                value = _typed(c) if i else c
                if isinstance(value, dt.datetime):
                    sheet.write(i, j, value, dates)
                elif value is not None:
                    sheet.write(i, j, value)
        buf = io.BytesIO()
        book.save(buf)
        out[f"{export}.xls"] = buf.getvalue()
        return out

    return build


def _xlsx_times(rows: list[list]) -> None:
    rows[1][1] = dt.datetime(2017, 5, 3, 9, 0)  # aktiviteter: a date-time cell
    rows[2][1] = dt.datetime(2017, 5, 4, 14, 30, 15)


def _xlsx_ids_as_numbers(rows: list[list]) -> None:
    for r in rows[1:]:
        digits = str(r[0]).replace("-", "")
        if digits.isdigit():
            r[0] = int(digits)  # Excel made the column numbers; 12 and 10 digits survive


def _xlsx_lost_zeros(rows: list[list]) -> None:
    rows.append([int(Q1_NUMBER), None, "OS", dt.datetime(2017, 4, 3)])


def _title_rows(text: str, *titles: str) -> str:
    return "".join(t + "\n" for t in titles) + text


DL, AKT, MAT = FULL_WORLD["deltagare"], FULL_WORLD["aktiviteter"], FULL_WORLD["matningar"]
ORG, UPP, REM = (
    FULL_WORLD["organisationsaktiviteter"],
    FULL_WORLD["uppfoljningar"],
    FULL_WORLD["remisser"],
)
AKT_BODY = AKT.split("\n", 1)[1]

CASES: list[Case] = [
    # --- 1. identifiers damaged by Excel: never accepted as another person -------------------
    Case(
        "pnr-float-notation",
        1,
        cell("deltagare", 1, "deltagare_id", "198001010001.0"),
        3,
        "deltagare.csv:2, kolumn deltagare_id, värde '19800101-****.0': personnumret ser ut att ha blivit ett tal i Excel",
    ),
    Case(
        "pnr-float-comma-in-activities",
        1,
        cell("aktiviteter", 3, "deltagare_id", "198002020017,0"),
        3,
        "aktiviteter.csv:4, kolumn deltagare_id, värde '19800202-****,0': personnumret ser ut att ha blivit ett tal i Excel",
    ),
    Case(
        "pnr-scientific-notation",
        1,
        cell("aktiviteter", 1, "deltagare_id", "1,98E+11"),
        3,
        "aktiviteter.csv:2, kolumn deltagare_id, värde '1,**E+11': personnumret ser ut att ha blivit ett tal i Excel",
    ),
    Case(
        "pnr-scientific-notation-dot",
        1,
        cell("matningar", 2, "deltagare_id", "1.98001E+11"),
        3,
        "matningar.csv:3, kolumn deltagare_id, värde '1.*****E+11': personnumret ser ut att ha blivit ett tal i Excel",
    ),
    Case(
        "pnr-leading-zeros-lost",
        1,
        files(deltagare__csv=DL + f"{Q1_NUMBER};;OS;2017-04-03;;;;;;\n"),
        3,
        "deltagare.csv:12, kolumn deltagare_id, värde '101-****': personnumret har tappat inledande nollor",
    ),
    Case(
        "pnr-leading-zeros-lost-xlsx",
        1,
        as_xlsx("deltagare", _xlsx_lost_zeros),
        3,
        "deltagare.xlsx:12, kolumn deltagare_id, värde '101-****': personnumret har tappat inledande nollor",
    ),
    Case(
        "pnr-nine-digits",
        1,
        cell("aktiviteter", 1, "deltagare_id", "800101000"),
        3,
        "aktiviteter.csv:2, kolumn deltagare_id, värde '80010-****': personnumret har fel antal siffror",
    ),
    Case(
        "pnr-eleven-digits",
        1,
        cell("aktiviteter", 1, "deltagare_id", "19800101001"),
        3,
        "aktiviteter.csv:2, kolumn deltagare_id, värde '1980010-****': personnumret har fel antal siffror",
    ),
    Case(
        "pnr-column-as-numbers-xlsx",
        1,
        as_xlsx("deltagare", _xlsx_ids_as_numbers),
        0,
        "deltagare.xlsx: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "pnr-en-dash",
        1,
        cell("deltagare", 1, "deltagare_id", "19800101\u20130001"),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "pnr-em-dash-and-spaces",
        1,
        cell("deltagare", 2, "deltagare_id", "19800202 \u2014 0017"),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "pnr-minus-sign-and-nbsp",
        1,
        cell("aktiviteter", 1, "deltagare_id", "19800101\u00a0\u22120001"),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "pnr-thin-spaces-ten-digits",
        1,
        cell("deltagare", 9, "deltagare_id", "660606\u20090058"),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    # --- 2. the century of ten-digit personnummer: one bad row cannot move it --------------
    Case(
        "slutdatum-typo-far-future",
        2,
        cell("deltagare", 1, "slutdatum", "2091-05-10"),
        0,
        (
            "deltagare.csv:2, kolumn slutdatum, värde '2091-05-10': datumet ligger i framtiden",
            "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        ),
        absent=("århundradet",),
    ),
    Case(
        "slutdatum-placeholder-2099",
        2,
        lambda: base(
            deltagare=set_cell(
                "deltagare",
                10,
                "avslutsorsak",
                "OVRIGT",
                set_cell("deltagare", 10, "slutdatum", "2099-12-31"),
            )
        ),
        0,
        "deltagare.csv:11, kolumn slutdatum, värde '2099-12-31': datumet ligger i framtiden",
        legal=True,
    ),
    Case(
        "reference-row-changes-a-century",
        2,
        files(
            deltagare__csv=DL
            + f"{Q2};;SDT;2017-03-01;2017-04-01;FLYTT;;;;\n"
            + "ANON-9;K;SDT;2017-05-01;2021-03-01;FLYTT;;;;\n"
        ),
        0,
        "deltagare.csv:13, kolumn slutdatum, värde '2021-03-01': det senaste datumet i deltagare avgör århundradet",
    ),
    # --- 3. masking: every written form, every column ---------------------------------------
    Case(
        "pnr-en-dash-spaces-wrong-check-digit",
        3,
        cell("deltagare", 2, "deltagare_id", "19800202 \u2013 0018"),
        3,
        "deltagare.csv:3, kolumn deltagare_id, värde '19800202-****': personnumret har fel kontrollsiffra",
        deep=True,
    ),
    Case(
        "pnr-nbsp-wrong-check-digit",
        3,
        cell("aktiviteter", 1, "deltagare_id", "800101\u00a00002"),
        3,
        "aktiviteter.csv:2, kolumn deltagare_id, värde '800101-****': personnumret har fel kontrollsiffra",
        deep=True,
    ),
    Case(
        "pnr-in-comment-column",
        3,
        files(
            aktiviteter__csv="deltagare_id;datum;insatstyp;delprojekt;timmar;detalj\n"
            + "\n".join(f"{r};ring 19800202-0017 om {i}" for i, r in enumerate(lines(AKT)[1:]))
            + "\n"
        ),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
        deep=True,
    ),
    Case(
        "pnr-as-remiss-id",
        3,
        cell("remisser", 2, "remiss_id", "19800202-0017"),
        0,
        "remisser.csv: 6 rader lästa, 6 godkända, 0 avvisade",
        legal=True,
        deep=True,
    ),
    Case(
        "pnr-as-aktivitet-id",
        3,
        files(organisationsaktiviteter__csv=ORG.replace("A3;", "19800101-0001;")),
        0,
        "organisationsaktiviteter.csv: 7 rader lästa, 7 godkända, 0 avvisade",
        legal=True,
        deep=True,
    ),
    Case(
        "pnr-in-delprojekt-column",
        3,
        cell("aktiviteter", 1, "delprojekt", "19800101 - 0001"),
        3,
        "aktiviteter.csv:2, kolumn delprojekt, värde '19800101-****': okänd kod för delprojekt",
        deep=True,
    ),
    Case(
        "pnr-in-unknown-column-and-header",
        3,
        files(
            remisser__csv="\n".join(
                f"{r};{'19750505-0026' if i == 0 else '750505 0026'}"
                for i, r in enumerate(lines(REM))
            )
            + "\n"
        ),
        0,
        "remisser.csv: 6 rader lästa, 6 godkända, 0 avvisade",
        legal=True,
        deep=True,
    ),
    Case(
        "pnr-in-file-name",
        3,
        files(**{"19800101-0001 anteckningar__csv": "Anteckning\nring\n"}),
        0,
        "19800101-**** anteckningar.csv: filen hör inte till någon export",
        legal=True,
    ),
    # --- 4. nothing lost ---------------------------------------------------------------------
    Case(
        "stray-quote-swallows-lines",
        4,
        cell("deltagare", 3, "delprojekt", '"OS'),
        3,
        "deltagare.csv:4, kolumn delprojekt: citattecknet i fältet stängs aldrig",
        read={"deltagare.csv": 10},
    ),
    Case(
        "stray-quote-in-activities",
        4,
        cell("aktiviteter", 2, "insatstyp", '"MOTIVERANDE_SAMTAL'),
        3,
        "aktiviteter.csv:3, kolumn insatstyp: citattecknet i fältet stängs aldrig",
        read={"aktiviteter.csv": 9},
    ),
    Case(
        "quoted-line-break-in-comment",
        4,
        files(
            aktiviteter__csv="deltagare_id;datum;insatstyp;delprojekt;timmar;detalj\n"
            + "\n".join(f'{r};"rad ett\nrad två"' for r in lines(AKT)[1:])
            + "\n"
        ),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "mac-line-ends",
        4,
        files(aktiviteter__csv=AKT.replace("\n", "\r")),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "activities-pasted-twice",
        4,
        files(aktiviteter__csv=AKT + AKT_BODY),
        0,
        (
            "aktiviteter.csv:11: raden är en exakt kopia av rad 2; båda räknas",
            "aktiviteter.csv: 18 rader lästa, 18 godkända, 0 avvisade (9 är exakta kopior",
        ),
        read={"aktiviteter.csv": 18},
    ),
    Case(
        "answer-registered-twice",
        4,
        files(matningar__csv=MAT + lines(MAT)[4] + "\n"),
        0,
        "matningar.csv:14: raden är en exakt kopia av rad 5; båda räknas",
    ),
    Case(
        "organisation-row-twice",
        4,
        files(organisationsaktiviteter__csv=ORG + lines(ORG)[1] + "\n"),
        0,
        "organisationsaktiviteter.csv:9: raden är en exakt kopia av rad 2; båda räknas",
    ),
    # --- 5. every file in the folder accounted for -------------------------------------------
    Case(
        "dated-file-name",
        5,
        renamed("aktiviteter.csv", "aktiviteter_2018-06-01.csv"),
        0,
        "aktiviteter_2018-06-01.csv: filen känns inte igen och läses inte; döp om den till aktiviteter.csv",
    ),
    Case(
        "download-copy-name",
        5,
        renamed("deltagare.csv", "deltagare (1).csv"),
        1,
        "döp om deltagare (1).csv till deltagare.csv",
    ),
    Case(
        "legacy-xls",
        5,
        as_xls("aktiviteter"),
        0,
        "aktiviteter.xls: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "excel-lock-file-and-hidden-files",
        5,
        files(**{"~$deltagare__xlsx": b"\x00lock", ".DS_Store": b"\x00\x01", ".~lock__csv#": b""}),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
        absent=("~$deltagare", "DS_Store", "läses inte"),
    ),
    Case(
        "unrelated-document",
        5,
        files(**{"Instruktion__docx": b"PK\x03\x04 word"}),
        0,
        "Instruktion.docx: filen hör inte till någon export och läses inte",
        legal=True,
    ),
    Case(
        "unsupported-format",
        5,
        renamed("remisser.csv", "remisser.numbers"),
        0,
        "remisser.numbers: formatet .numbers läses inte; spara filen som .xlsx eller .csv",
    ),
    Case(
        "upper-case-file-name",
        5,
        renamed("deltagare.csv", "DELTAGARE.CSV"),
        0,
        "DELTAGARE.CSV: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "tab-separated-text-file",
        5,
        files(aktiviteter__csv=None, aktiviteter__txt=AKT.replace(";", "\t")),
        0,
        "aktiviteter.txt: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    # --- 6. headers as people write them -----------------------------------------------------
    Case(
        "header-with-format-hint",
        6,
        header("deltagare", "slutdatum", "Slutdatum (ÅÅÅÅ-MM-DD)"),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
        absent=("känns inte igen",),
    ),
    Case(
        "header-with-unit",
        6,
        header("aktiviteter", "timmar", "Timmar (h)"),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
        absent=("känns inte igen",),
    ),
    Case(
        "header-with-codes-in-brackets",
        6,
        header("deltagare", "kon", "Kön [K/M]"),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
        absent=("känns inte igen",),
    ),
    Case(
        "header-abbreviated",
        6,
        lambda: base(
            deltagare=DL.replace("sysselsattning_fore", "Sysselsättn. före").replace(
                "forsorjning_efter", "Förs. efter"
            )
        ),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
        absent=("känns inte igen",),
    ),
    Case(
        "header-with-unit-after-comma",
        6,
        header("aktiviteter", "timmar", "Timmar, h"),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
        absent=("känns inte igen",),
    ),
    Case(
        "title-rows-above-header",
        6,
        files(deltagare__csv=_title_rows(DL, "Deltagarregister MIA;;;", "Utdrag 2017-06-01", "")),
        0,
        "deltagare.csv:4: rubrikraden är rad 4; raderna ovanför hoppas över",
        legal=True,
    ),
    Case(
        "excel-sep-line",
        6,
        files(deltagare__csv="sep=;\n" + DL, aktiviteter__csv="sep=;\r\n" + AKT),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
        absent=("rubrikraden",),
    ),
    Case(
        "dos-end-of-file-mark",
        6,
        files(deltagare__csv=DL.encode() + b"\x1a"),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "title-rows-xlsx",
        6,
        lambda: {
            **{k: v for k, v in base().items() if k != "aktiviteter.csv"},
            "aktiviteter.xlsx": workbook(
                [[_typed(c) if i else c for c in r.split(";")] for i, r in enumerate(lines(AKT))],
                [["Aktiviteter MIA 2017"], [None], ["Källa: projektets register"]],
            ),
        },
        0,
        "aktiviteter.xlsx:4: rubrikraden är rad 4; raderna ovanför hoppas över",
        legal=True,
    ),
    Case(
        "header-typo-required",
        6,
        header("deltagare", "startdatum", "Startdatm"),
        1,
        "deltagare.csv:1: obligatorisk kolumn saknas: startdatum (närmast bland rubrikerna: 'Startdatm')",
    ),
    Case(
        "header-typo-optional",
        6,
        header("aktiviteter", "timmar", "Timar"),
        0,
        "aktiviteter.csv:1, kolumn Timar: kolumnen känns inte igen och läses inte (menar du timmar?)",
    ),
    Case(
        "header-far-down",
        6,
        files(deltagare__csv=_title_rows(DL, *(f"Anteckning {i};;" for i in range(60)))),
        1,
        "deltagare.csv:1: obligatorisk kolumn saknas: deltagare_id, delprojekt, startdatum "
        "(rubrikraden ser ut att vara rad 61; ta bort raderna ovanför den)",
    ),
    # --- 7. dates: the time of day does not matter --------------------------------------------
    Case(
        "xlsx-date-times",
        7,
        as_xlsx("aktiviteter", _xlsx_times),
        0,
        "aktiviteter.xlsx: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "text-date-times",
        7,
        lambda: base(
            aktiviteter=set_cell(
                "aktiviteter",
                2,
                "datum",
                "2017-05-04T14:30:00",
                set_cell("aktiviteter", 1, "datum", "2017-05-03 09:00"),
            )
        ),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "slash-dates-year-first",
        7,
        lambda: base(deltagare=DL.replace("2017-05-02", "2017/05/02")),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända, 0 avvisade",
        legal=True,
    ),
    Case(
        "day-month-year-dates",
        7,
        cell("aktiviteter", 1, "datum", "03/05/2017"),
        3,
        "aktiviteter.csv:2, kolumn datum, värde '03/05/2017': ogiltigt datum: dag och månad går inte att skilja åt",
    ),
    Case(
        "excel-serial-date-in-csv",
        7,
        cell("aktiviteter", 1, "datum", "42858"),
        3,
        "aktiviteter.csv:2, kolumn datum, värde '42858': ogiltigt datum: ser ut som ett Excel-datumnummer",
    ),
    # --- 8. ordinary situations that once were internal errors --------------------------------
    Case(
        "follow-ups-before-anyone-ended",
        8,
        files(
            deltagare__csv=lines(DL)[0] + "\nA;K;OS;2017-01-01;;;;;;\nB;M;OS;2017-02-01;;;;;;\n",
            uppfoljningar__csv="deltagare_id;tidpunkt;sysselsattning\nA;90D;ARBETE\nC;6M;STUDIER\n",
        ),
        3,
        "uppfoljningar.csv:2, kolumn deltagare_id: deltagaren har ingen avslutad inskrivning",
    ),
    Case(
        "every-enrolment-rejected",
        8,
        files(deltagare__csv=lines(DL)[0] + "\nA;K;OS;nej;;;;;;\nB;M;XX;2017-02-01;;;;;;\n"),
        3,
        "deltagare.csv: 2 rader lästa, 0 godkända, 2 avvisade",
    ),
    Case(
        "header-and-summary-row-only",
        8,
        files(aktiviteter__csv=lines(AKT)[0] + "\nSumma;;;;12\n"),
        0,
        "aktiviteter.csv:1: filen innehåller inga datarader",
    ),
    # --- 9. the cause first -------------------------------------------------------------------
    Case(
        "check-digit-typo-in-deltagare",
        9,
        cell("deltagare", 1, "deltagare_id", "19800101-0002"),
        3,
        "hör till inskrivningen på deltagare.csv:2, som avvisades",
        absent=("saknar inskrivning i deltagare",),
    ),
    Case(
        "bad-start-date-in-deltagare",
        9,
        cell("deltagare", 2, "startdatum", "2017-02-30"),
        3,
        "aktiviteter.csv:4, kolumn deltagare_id: hör till inskrivningen på deltagare.csv:3, som avvisades",
        absent=("saknar inskrivning i deltagare",),
    ),
    Case(
        "covering-enrolment-rejected",
        9,
        cell("deltagare", 4, "avslutsorsak", "SJUK"),
        3,
        "aktiviteter.csv:8, kolumn delprojekt: hör till inskrivningen på deltagare.csv:5, som avvisades",
        absent=("utanför alla deltagarens inskrivningar",),
    ),
    Case(
        "follow-up-of-rejected-exit",
        9,
        cell("deltagare", 9, "slutdatum", "2016-11-30"),
        3,
        "uppfoljningar.csv:2, kolumn deltagare_id: hör till inskrivningen på deltagare.csv:10, som avvisades",
        absent=("ingen avslutad inskrivning",),
    ),
]


def write(files_: Files, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files_.items():
        (folder / name).write_bytes(data)
    return folder


def main(out: str) -> None:
    for case in CASES:
        write(case.build(), Path(out) / case.name)
    print(f"{len(CASES)} fall i {out}")


if __name__ == "__main__":
    main(sys.argv[1])
