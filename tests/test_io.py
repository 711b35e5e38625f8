"""Reading exports the way they arrive; every variant gives the same figures."""

import openpyxl
import pytest
from conftest import run, write_dataset
from world import AKTIVITETER, DELTAGARE, WORLD

from indikator.config import load_config
from indikator.dataset import load_dataset


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return run(write_dataset(tmp_path_factory.mktemp("ref"), WORLD))


def reformat(text: str, sep: str, crlf: bool = False, quote: bool = False) -> str:
    out = []
    for line in text.splitlines():
        cells = line.split(";")
        if quote:
            cells = [f'"{c}"' for c in cells]
        out.append(sep.join(cells))
    return ("\r\n" if crlf else "\n").join(out) + ("\r\n" if crlf else "\n")


@pytest.mark.parametrize(
    "sep, encoding, crlf, quote",
    [
        (";", "cp1252", True, False),
        (",", "utf-8-sig", False, True),  # decimal comma needs quotes with ','
        ("\t", "utf-8", False, False),
        (";", "utf-8-sig", True, True),
    ],
)
def test_delimiters_and_encodings(tmp_path, reference, sep, encoding, crlf, quote):
    files = {k: reformat(v, sep, crlf, quote or sep == ",") for k, v in WORLD.items()}
    folder = write_dataset(tmp_path, files, encoding)
    assert run(folder).equals(reference)


def test_xlsx_with_real_date_cells_and_numbers(tmp_path, reference):
    import datetime as dt

    for name, text in WORLD.items():
        wb = openpyxl.Workbook()
        ws = wb.active
        for i, line in enumerate(text.splitlines()):
            cells = []
            for c in line.split(";"):
                if i and len(c) == 10 and c[4] == "-" and c[:4].isdigit():
                    cells.append(dt.date.fromisoformat(c))  # a real Excel date cell
                elif i and c.replace(",", "").isdigit() and len(c) < 5:
                    cells.append(float(c.replace(",", ".")))  # hours as numbers
                elif i and c.isdigit() and len(c) == 12:
                    cells.append(int(c))  # a personnummer typed as a number
                else:
                    cells.append(c or None)
            ws.append(cells)
        wb.save(tmp_path / f"{name}.xlsx")
    assert run(tmp_path).equals(reference)


def test_sus_headers_case_and_aliases(tmp_path, reference):
    header = "Personnummer ;KÖN;Delprojekt;Startdatum;Slutdatum;Avslutsanledning;Sysselsättning före;Sysselsättning efter;Försörjning före;Försörjning efter;Handläggare\n"
    body = "\n".join(line + ";Kalle" for line in DELTAGARE.splitlines()[1:]) + "\n"
    folder = write_dataset(tmp_path, {"deltagare": header + body, "aktiviteter": AKTIVITETER})
    assert run(folder).equals(reference)


def test_blank_lines_empty_rows_and_summary_row(tmp_path, reference):
    lines = DELTAGARE.splitlines()
    dl = "\n".join([lines[0], lines[1], "", ";;;;;;;;;", *lines[2:], "Summa;;;;;;;;;", ""])
    folder = write_dataset(tmp_path, {"deltagare": dl, "aktiviteter": AKTIVITETER})
    assert run(folder).equals(reference)
    ds = load_dataset(folder, load_config())
    warn = ds.problems[ds.problems.meddelande == "summeringsrad hoppas över"]
    assert list(warn.rad) == [14]  # header 1, rows 2, blank 3, empty 4, data 5..13, summary 14
    assert ds.counts[0].read == 10 and ds.counts[0].rejected == 0


def test_line_numbers_after_a_quoted_field_with_a_newline(tmp_path):
    akt = 'deltagare_id;datum;insatstyp;detalj\n19800101-0001;2017-05-03;PTSD;"KBT\npå två rader"\n19800101-0001;2017-13-01;PTSD;x\n'
    folder = write_dataset(tmp_path, {"deltagare": DELTAGARE, "aktiviteter": akt})
    ds = load_dataset(folder, load_config())
    bad = ds.problems[ds.problems.fil == "aktiviteter.csv"]
    assert list(bad.rad) == [4]  # the record after the two-line field starts on line 4


@pytest.mark.parametrize(
    "sep, note",
    [
        (";", "ring, mejla, sms, brev, besök, video och chatt"),  # 6 commas, + '1,5' = 7 > 5 ';'
        (",", "se; även; rad; 4; och; 5; och; 6"),  # 7 ';' in a quoted cell > 5 ','
    ],
)
def test_a_row_with_more_of_another_delimiter_than_the_header(tmp_path, reference, sep, note):
    """The delimiter is sniffed by counting characters, and one free-text cell with more
    commas than the header has semicolons (or the reverse) outvoted the header: the file
    was 'missing' every required column. The delimiter under which the header names the
    required columns is the file's, and the figures are those of the plain file."""
    lines = AKTIVITETER.splitlines()
    rows = [lines[0] + ";detalj", lines[1] + ";NOTE", *(x + ";" for x in lines[2:])]
    akt = reformat("\n".join(rows), sep, quote=sep == ",").replace("NOTE", note)
    other = "," if sep == ";" else ";"
    header, row = akt.splitlines()[:2]
    assert header.count(sep) == 5 and row.count(other) > 5  # the row outvotes the header
    folder = write_dataset(tmp_path, {"deltagare": DELTAGARE, "aktiviteter": akt})
    assert run(folder).equals(reference)


def test_two_files_for_one_export_is_an_error(tmp_path):
    from indikator.errors import FileError

    write_dataset(tmp_path, {"deltagare": DELTAGARE})
    (tmp_path / "deltagare.xlsx").write_bytes(b"")
    with pytest.raises(FileError, match="flera filer"):
        load_dataset(tmp_path, load_config())


def test_duplicate_column_through_alias(tmp_path):
    from indikator.errors import FileError

    write_dataset(
        tmp_path,
        {"deltagare": "deltagare_id;Personnummer;delprojekt;startdatum\nA;A;OS;2017-01-01\n"},
    )
    with pytest.raises(FileError, match="kolumnen deltagare_id finns två gånger"):
        load_dataset(tmp_path, load_config())


@pytest.mark.parametrize("value", ["2017-03-01", "20170301", "2017-03-01 00:00:00", "2017-3-1"])
def test_date_forms(tmp_path, value):
    write_dataset(tmp_path, {"deltagare": f"deltagare_id;delprojekt;startdatum\nA;OS;{value}\n"})
    ds = load_dataset(tmp_path, load_config())
    assert str(ds.tables["deltagare"]["start"].iloc[0].date()) == "2017-03-01"


def _same(a, b):
    import numpy as np

    assert a.header == b.header and a.header_line == b.header_line
    assert np.array_equal(a.lines, b.lines)
    assert np.array_equal(a.empty, b.empty) and np.array_equal(a.too_many, b.too_many)
    assert all(x.strings() == y.strings() for x, y in zip(a.columns, b.columns, strict=True))


@pytest.mark.parametrize(
    "text",
    [
        DELTAGARE,
        DELTAGARE.replace("\n", "\r\n"),
        "a;b;c\r\n\r\n1;2;3\r\n;;\r\n 4 ; 5;\u00a06\u00a0\r\n",  # blank line, empty row, spaces, NBSP
        'a;b\n"x;y";2\n"he said ""hi""";3\n\n4;"5;6"',  # quoted delimiter, doubled quotes, no final newline
    ],
)
def test_fast_reader_agrees_with_the_exact_reader(tmp_path, text):
    from indikator.reading.grid import grid_of as _grid
    from indikator.reading.text import _csv_fast, _csv_records, decode, sniff_delimiter

    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("utf-8"))
    decoded, raw = decode(path, path.read_bytes())
    delimiter = sniff_delimiter(decoded.splitlines())
    fast = _csv_fast(raw, delimiter, 1)
    assert fast is not None  # regular files take the fast path
    width = len(decoded.splitlines()[0].split(delimiter))
    _same(fast, _grid(_csv_records(decoded, delimiter, 1, width)))


def test_fast_reader_declines_irregular_rows():
    from indikator.reading.text import _csv_fast

    assert _csv_fast(b"a;b;c\n1;2\n3;4;5;6\n", ";", 1) is None  # the exact reader takes over
    assert _csv_fast(b'a;b\n"x\ny";2\n', ";", 1) is None  # a line break inside quotes
    assert _csv_fast(b'a;b\n"x;2\n3;4\n', ";", 1) is None  # a quote that never closes


def test_the_bundled_sample_takes_the_fast_path():
    from conftest import ROOT

    from indikator.reading.text import _csv_fast, decode, sniff_delimiter

    for path in sorted((ROOT / "data" / "samples" / "mia").glob("*.csv")):
        text, raw = decode(path, path.read_bytes())
        assert _csv_fast(raw, sniff_delimiter(text.splitlines()[:50]), 1) is not None, path.name
