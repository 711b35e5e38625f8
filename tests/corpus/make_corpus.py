"""Generate the bad-input corpus: each case is the hand-counted world with one export made
hostile or messy in one way. Run as a script to write the cases to a folder:

    python tests/corpus/make_corpus.py OUT

``CASES`` holds, per case, what ``indikator validate`` must answer: the exit code and a piece
of the message naming file, line and column. tests/test_corpus.py generates and checks them.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from world import FULL_WORLD  # noqa: E402

Files = dict[str, bytes]


@dataclass
class Case:
    name: str
    build: Callable[[], Files]
    code: int  # expected exit code of `indikator validate`
    message: str  # expected in the output (stdout or stderr)


def base() -> Files:
    return {k: v.encode("utf-8") for k, v in FULL_WORLD.items()}


def edit(export: str, change: Callable[[str], str | bytes]) -> Callable[[], Files]:
    def build() -> Files:
        files = base()
        new = change(files[export].decode("utf-8"))
        files[export] = new if isinstance(new, bytes) else new.encode("utf-8")
        return files

    return build


def lines(text: str) -> list[str]:
    return text.strip("\n").split("\n")


def replace_cell(export: str, row: int, column: int, value: str) -> Callable[[], Files]:
    """Row ``row`` (1 = first data row, at line row + 1) gets ``value`` in ``column``."""

    def change(text: str) -> str:
        rows = lines(text)
        cells = rows[row].split(";")
        cells[column] = value
        rows[row] = ";".join(cells)
        return "\n".join(rows) + "\n"

    return edit(export, change)


def xlsx(export: str, fill: Callable) -> Callable[[], Files]:
    """The export as an xlsx workbook, rows written by openpyxl, then ``fill(workbook)``."""

    def build() -> Files:
        from openpyxl import Workbook

        files = base()
        wb = Workbook()
        ws = wb.active
        for r in lines(files.pop(export).decode("utf-8")):
            ws.append(r.split(";"))
        fill(wb)
        buf = io.BytesIO()
        wb.save(buf)
        files[f"{export}.xlsx"] = buf.getvalue()
        return files

    return build


def _formula(wb):
    wb.active["F3"] = "=A1+1"  # aktiviteter: timmar as a formula without a cached value
    wb.active["B4"] = "#N/A"


def _merged(wb):
    wb.active.merge_cells("B2:C2")


def _sheets(wb):
    other = wb.create_sheet("Anteckningar", 0)  # an extra sheet in front
    other["A1"] = "inte data"


def _serial_date(wb):
    wb.active["B2"] = 42856  # 2017-05-01 as an Excel serial number, no date format
    wb.active["B2"].number_format = "General"


def _real_date(wb):
    import datetime as dt

    wb.active["B2"] = dt.datetime(2017, 5, 2)


CASES: list[Case] = [
    # --- whole-file problems: nothing computed (exit 1) ---
    Case(
        "utf16",
        edit("deltagare", lambda t: t.encode("utf-16")),
        1,
        "deltagare.csv: filen är UTF-16",
    ),
    Case(
        "utf16-be",
        edit("aktiviteter", lambda t: t.encode("utf-16-be").join([b"\xfe\xff", b""])),
        1,
        "aktiviteter.csv: filen är UTF-16",
    ),
    Case(
        "latin1-not-cp1252",
        edit("deltagare", lambda t: t.encode("cp1252") + b"\x81\x8d\n"),
        1,
        "deltagare.csv: okänd teckenkodning",
    ),
    Case(
        "binary",
        edit("deltagare", lambda t: b"\x00\x01\x02PK" + t.encode()),
        1,
        "deltagare.csv: filen är inte en textfil",
    ),
    Case("empty-file", edit("deltagare", lambda t: ""), 1, "deltagare.csv: filen är tom"),
    Case(
        "only-blank-lines",
        edit("deltagare", lambda t: "\n\n  \n"),
        1,
        "deltagare.csv: filen är tom",
    ),
    Case(
        "duplicate-header",
        edit("deltagare", lambda t: t.replace("kon;", "kon;kon;", 1).replace("\n", ";\n")),
        1,
        "kolumnen kon finns två gånger",
    ),
    Case(
        "alias-maps-twice",
        edit("deltagare", lambda t: t.replace("deltagare_id", "deltagare_id;Personnummer", 1)),
        1,
        "kolumnen deltagare_id finns två gånger",
    ),
    Case(
        "missing-required-column",
        edit("deltagare", lambda t: t.replace("startdatum", "start_dag", 1)),
        1,
        "obligatorisk kolumn saknas: startdatum",
    ),
    Case(
        "no-deltagare",
        lambda: {k: v for k, v in base().items() if k != "deltagare"},
        1,
        "exporten deltagare",
    ),
    Case(
        "two-files-one-export", lambda: {**base(), "deltagare.xlsx": b"x"}, 1, "finns i flera filer"
    ),
    Case(
        "broken-xlsx",
        lambda: {
            **{k: v for k, v in base().items() if k != "remisser"},
            "remisser.xlsx": b"PK\x03\x04 not a zip",
        },
        1,
        "remisser.xlsx: filen går inte att läsa som Excel",
    ),
    # --- row problems: computed, rows listed (exit 3) ---
    Case("truncated", edit("deltagare", lambda t: t.rstrip("\n")[:-12]), 3, "deltagare.csv:11"),
    Case(
        "header-repeated-mid-file",
        edit("aktiviteter", lambda t: t + lines(t)[0] + "\n"),
        3,
        "aktiviteter.csv:11, kolumn datum",
    ),
    Case(
        "quote-never-closes",
        edit("deltagare", lambda t: t.replace("\n19800202-0017;", '\n"19800202-0017;', 1)),
        3,
        "deltagare.csv:",
    ),
    Case(
        "huge-field-id",
        replace_cell("deltagare", 1, 0, "X" * 10_000_000),
        3,
        "deltagare_id är längre än 64 tecken",
    ),
    Case(
        "huge-field-text",
        replace_cell("remisser", 2, 0, "R" * 10_000_000),
        0,
        "remisser.csv: 6 rader lästa, 6 godkända",
    ),
    Case(
        "two-hundred-columns",
        edit(
            "aktiviteter",
            lambda t: (
                "\n".join(
                    r + ";" + ";".join(f"x{i}" if n == 0 else "" for i in range(200))
                    for n, r in enumerate(lines(t))
                )
                + "\n"
            ),
        ),
        0,
        "aktiviteter.csv: 9 rader lästa, 9 godkända",
    ),
    Case(
        "date-serial-number-csv",
        replace_cell("aktiviteter", 1, 1, "42856"),
        3,
        "aktiviteter.csv:2, kolumn datum, värde '42856': ogiltigt datum",
    ),
    Case(
        "date-before-1900",
        replace_cell("deltagare", 1, 3, "1899-12-31"),
        3,
        "deltagare.csv:2, kolumn startdatum, värde '1899-12-31': datumet ligger utanför 1900–2099",
    ),
    Case(
        "date-after-2100",
        replace_cell("aktiviteter", 2, 1, "2101-01-01"),
        3,
        "aktiviteter.csv:3, kolumn datum, värde '2101-01-01': datumet ligger utanför",
    ),
    Case(
        "date-impossible",
        replace_cell("aktiviteter", 2, 1, "2017-02-30"),
        3,
        "aktiviteter.csv:3, kolumn datum, värde '2017-02-30': datumet finns inte",
    ),
    Case(
        "negative-hours",
        replace_cell("aktiviteter", 1, 4, "-2"),
        3,
        "aktiviteter.csv:2, kolumn timmar, värde '-2': talet får inte vara negativt",
    ),
    Case(
        "hours-not-a-number",
        replace_cell("aktiviteter", 1, 4, "två"),
        3,
        "kolumn timmar, värde 'två': ogiltigt tal",
    ),
    Case(
        "hours-infinite",
        replace_cell("aktiviteter", 1, 4, "inf"),
        3,
        "kolumn timmar, värde 'inf': ogiltigt tal",
    ),
    Case(
        "whitespace-only-id",
        replace_cell("aktiviteter", 1, 0, "   "),
        3,
        "aktiviteter.csv:2, kolumn deltagare_id",
    ),
    Case(
        "zero-width-space-in-id",
        replace_cell("aktiviteter", 1, 0, "P\u200b1"),
        3,
        "innehåller blanksteg eller osynliga tecken",
    ),
    Case(
        "nbsp-in-pseudonym",
        replace_cell("aktiviteter", 1, 0, "P\u00a01"),
        3,
        "innehåller blanksteg eller osynliga tecken",
    ),
    Case(
        "pnr-wrong-check-digit",
        replace_cell("deltagare", 1, 0, "19800101-0002"),
        3,
        "personnumret har fel kontrollsiffra",
    ),
    Case(
        "pnr-impossible-date",
        replace_cell("deltagare", 1, 0, "19801301-0002"),
        3,
        "personnumret har ett omöjligt datum",
    ),
    Case(
        "unknown-code",
        replace_cell("aktiviteter", 1, 2, "YOGA"),
        3,
        "kolumn insatstyp, värde 'YOGA': okänd kod för insatstyp",
    ),
    Case(
        "unknown-delprojekt",
        replace_cell("deltagare", 1, 2, "XYZ"),
        3,
        "kolumn delprojekt, värde 'XYZ': okänd kod för delprojekt",
    ),
    Case(
        "unknown-kon",
        replace_cell("deltagare", 1, 1, "Q"),  # X is icke-binär, a kön of its own
        3,
        "kolumn kon, värde 'Q': ogiltigt kön",
    ),
    Case(
        "end-before-start",
        replace_cell("deltagare", 1, 4, "2000-01-01"),
        3,
        "slutdatum ligger före startdatum",
    ),
    Case(
        "value-outside-scale",
        edit("matningar", lambda t: t + "19800101-0001;2017-05-02;STEG;99\n"),
        3,
        "värdet ligger utanför frågans skala",
    ),
    Case(
        "activity-unknown-person",
        edit("aktiviteter", lambda t: t + "OKAND;2017-05-02;PRAKTIK_AG;OS;1\n"),
        3,
        "deltagaren saknar inskrivning i deltagare",
    ),
    Case(
        "too-many-cells",
        edit("aktiviteter", lambda t: t + "19800101-0001;2017-05-02;PRAKTIK_AG;OS;1;extra;mer\n"),
        3,
        "raden har fler fält än rubrikraden",
    ),
    Case(
        "mixed-encodings",
        edit(
            "deltagare",
            lambda t: (
                t.encode("utf-8")
                + "P9;K;OS;2017-05-01;;;;;;\n".encode("cp1252")
                + "Pö;K;OS;2017-05-01;;;;;;\n".encode("cp1252")
            ),
        ),
        0,
        "deltagare.csv:",
    ),
    Case(
        "cp1252-labels",
        edit("deltagare", lambda t: t.encode("cp1252")),
        0,
        "deltagare.csv: 10 rader lästa",
    ),
    Case(
        "crlf-and-bom",
        edit("deltagare", lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode()),
        0,
        "deltagare.csv: 10 rader lästa",
    ),
    Case(
        "summary-row",
        edit("aktiviteter", lambda t: t + "Summa;;;;24\n"),
        0,
        "summeringsrad hoppas över",
    ),
    Case(
        "pnr-with-spaces",
        replace_cell("deltagare", 1, 0, " 19800101 0001 "),
        0,
        "deltagare.csv: 10 rader lästa, 10 godkända",
    ),
    Case(
        "xlsx-formula-and-error",
        xlsx("aktiviteter", _formula),
        3,
        "aktiviteter.xlsx:4, kolumn datum",
    ),
    Case("xlsx-merged-cells", xlsx("aktiviteter", _merged), 3, "aktiviteter.xlsx:2"),
    Case("xlsx-several-sheets", xlsx("aktiviteter", _sheets), 1, "aktiviteter.xlsx"),
    Case(
        "xlsx-serial-date",
        xlsx("aktiviteter", _serial_date),
        3,
        "aktiviteter.xlsx:2, kolumn datum, värde '42856'",
    ),
    Case(
        "xlsx-real-date",
        xlsx("aktiviteter", _real_date),
        0,
        "aktiviteter.xlsx: 9 rader lästa, 9 godkända",
    ),
]


def write(case: Case, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.build().items():
        (folder / (name if "." in name else f"{name}.csv")).write_bytes(data)
    return folder


def main(out: str) -> None:
    for case in CASES:
        write(case, Path(out) / case.name)
    print(f"{len(CASES)} fall i {out}")


if __name__ == "__main__":
    main(sys.argv[1])
