"""Reading exports the way they arrive: CSV (any of ; , tab; UTF-8 ± BOM or Windows-1252) or
xlsx (first sheet), into a table of trimmed strings with the line number of every row.

Parsing the values is the schema's job; this module only finds rows, cells and headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FileError
from .problems import WARNING, Problems

SUFFIXES = (".csv", ".xlsx")
SUMMARY_WORDS = {"summa", "totalt", "total", "summering"}
_DELIMITERS = (";", "\t", ",")
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class RawTable:
    """The cells of one export under canonical column names, plus ``_line`` per row."""

    export: str
    file: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written


def slug(header: str) -> str:
    """Header normal form: case, accents, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKD", str(header).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def find_export(folder: Path, export: str) -> Path | None:
    """The file whose stem names the export; two candidates is a file error."""
    found = [
        p for p in folder.iterdir() if p.stem.casefold() == export and p.suffix.lower() in SUFFIXES
    ]
    if len(found) > 1:
        names = ", ".join(sorted(p.name for p in found))
        raise FileError(f"{folder}: exporten {export} finns i flera filer ({names}); ta bort en")
    return found[0] if found else None


def decode(path: Path, data: bytes) -> tuple[str, bytes]:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is a file error.
    Returns the text and the same text as UTF-8 bytes without BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            f"{path.name}: filen är UTF-16; spara den som UTF-8 eller Windows-1252 (CSV)"
        )
    if _BINARY.search(data[:65536]):
        raise FileError(f"{path.name}: filen är inte en textfil (CSV) och går inte att läsa")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError(
            f"{path.name}: okänd teckenkodning (varken UTF-8 eller Windows-1252)"
        ) from None
    return text, text.encode("utf-8")


def sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


@dataclass
class Grid:
    """The cells of a file: header, then data rows with their line numbers."""

    header: list[str]
    header_line: int
    lines: np.ndarray  # line number of each data row
    columns: list  # stripped cell strings per header column (pyarrow string arrays)
    too_many: np.ndarray  # row has non-empty cells beyond the header's width
    empty: np.ndarray  # every cell of the row is empty


def _grid(rows: list[list[str]], lines: list[int]) -> Grid:
    import pyarrow as pa

    header, data = rows[0], rows[1:]
    width = len(header)
    padded = [r if len(r) == width else (r + [""] * width)[:width] for r in data]
    cells = list(zip(*padded, strict=True)) if padded else [()] * width
    columns = [_trim(pa.array(c, type=pa.string())) for c in cells]
    too_many = np.array(
        [len(r) > width and any(c.strip() for c in r[width:]) for r in data], dtype=bool
    )
    empty = np.array([not any(c.strip() for c in r) for r in data], dtype=bool)
    return Grid(header, lines[0], np.asarray(lines[1:], dtype="int64"), columns, too_many, empty)


def _trim(column):
    """Cells without surrounding whitespace (as ``str.strip``: NBSP and other Unicode spaces)."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(column)


def _csv_rows(path: Path, text: str) -> tuple[list[list[str]], list[int]]:
    """The exact, slow reader: Python's csv module, which knows every record's line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            if record:
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as e:
        raise FileError(f"{path.name}:{start}: raden går inte att tolka som CSV ({e})") from None
    return rows, lines


def _csv_fast(raw: bytes, delimiter: str) -> Grid | None:
    """pyarrow's parser with line numbers from the bytes: a newline ends a record when an even
    number of quotes precedes it. Returns None (use the exact reader) for anything irregular:
    rows of another width than the header (pyarrow refuses them), or any disagreement with
    pyarrow's row count."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    arr = np.frombuffer(raw, dtype=np.uint8)
    newline = np.flatnonzero(arr == 10)
    has_quotes = raw.find(b'"') >= 0
    if has_quotes:
        quotes = np.flatnonzero(arr == 34)
        newline_ends = newline[np.searchsorted(quotes, newline) % 2 == 0]
        del quotes
    else:
        newline_ends = newline
    starts = np.concatenate([[0], newline_ends + 1])
    stops = np.concatenate([newline_ends, [len(arr)]])
    length = stops - starts
    length -= (length > 0) & (arr[np.maximum(stops - 1, 0)] == 13)
    records = np.flatnonzero(length > 0)
    if len(records) == 0:
        return None
    first = raw[int(starts[records[0]]) : int(stops[records[0]])].decode("utf-8", "replace")
    try:
        width = len(next(csv.reader([first], delimiter=delimiter), [""]))
    except csv.Error:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=has_quotes,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(records):
        return None
    lines = np.searchsorted(newline, starts[records]) + 1
    header = [table.column(i)[0].as_py() for i in range(width)]
    body = table.slice(1)
    columns = [_trim(body.column(i)) for i in range(width)]
    empty = np.ones(body.num_rows, dtype=bool)
    for col in columns:
        empty &= pc.equal(col, "").to_numpy(zero_copy_only=False)
    return Grid(
        header,
        int(lines[0]),
        lines[1:].astype("int64"),
        columns,
        np.zeros(body.num_rows, dtype=bool),
        empty,
    )


def _csv_grid(path: Path) -> Grid | None:
    text, raw = decode(path, path.read_bytes())
    if not text.strip():
        return None
    grid = _csv_fast(raw, sniff_delimiter(text[:65536]))
    if grid is not None:
        return grid
    rows, lines = _csv_rows(path, text)
    return _grid(rows, lines) if rows else None


def _cell(value: object) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_grid(path: Path) -> Grid | None:
    rows, lines = _xlsx_rows(path)
    return _grid(rows, lines) if rows else None


def _xlsx_rows(path: Path) -> tuple[list[list[str]], list[int]]:
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            values = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises several types for broken files
        raise FileError(f"{path.name}: filen går inte att läsa som Excel (xlsx): {e}") from None
    rows, lines = [], []
    for i, row in enumerate(values, start=1):
        cells = [_cell(v) for v in row]
        if any(c.strip() for c in cells):
            rows.append(cells)
            lines.append(i)
    return rows, lines


def read_table(
    path: Path,
    export: str,
    columns: list[str],
    required: list[str],
    aliases: dict[str, list[str]],
    problems: Problems,
) -> RawTable:
    """Read one export into canonical columns of stripped strings ('' = empty)."""
    try:
        grid = _xlsx_grid(path) if path.suffix.lower() == ".xlsx" else _csv_grid(path)
    except OSError as e:
        raise FileError(f"{path.name}: filen går inte att öppna ({e.strerror})") from None
    if grid is None:
        raise FileError(f"{path.name}: filen är tom (ingen rubrikrad)")
    header, header_line = grid.header, grid.header_line
    names = {slug(c): c for c in columns}
    for canon, alts in aliases.items():
        for alt in alts:
            names.setdefault(slug(alt), canon)
    position: dict[str, int] = {}
    written: dict[str, str] = {}
    for i, h in enumerate(header):
        canon = names.get(slug(h))
        if canon is None:
            continue  # unknown extra columns are ignored
        if canon in position:
            raise FileError(
                f"{path.name}:{header_line}: kolumnen {canon} finns två gånger "
                f"(rubrikerna '{written[canon]}' och '{h.strip()}')"
            )
        position[canon], written[canon] = i, h.strip()
    missing = [c for c in required if c not in position]
    if missing:
        raise FileError(
            f"{path.name}:{header_line}: obligatorisk kolumn saknas: {', '.join(missing)}"
        )
    # Fully empty rows (";;;;") are not data: skipped without a word, like blank lines.
    keep = ~grid.empty
    data_lines = grid.lines[keep]
    width = len(header)
    file = path.name
    # Too many cells: extra non-empty cells beyond the header are a row error.
    extra = grid.too_many[keep]
    if extra.any():
        problems.add(
            file, data_lines[extra], None, "", f"raden har fler fält än rubrikraden ({width})"
        )
    frame = pd.DataFrame({canon: _strings(grid.columns[i], keep) for canon, i in position.items()})
    frame["_line"] = data_lines
    frame = _drop_summary(frame, file, problems)
    if frame.empty:
        problems.add(file, [header_line], None, "", "filen innehåller inga datarader", WARNING)
    return RawTable(export, file, frame.reset_index(drop=True), written)


def _strings(column, keep: np.ndarray) -> pd.Series:
    """An Arrow string column as a pandas Series without copying the strings into Python."""
    import pyarrow as pa

    if not keep.all():
        column = column.filter(pa.array(keep))
    return pd.Series(pd.arrays.ArrowStringArray(column), copy=False)


def _drop_summary(frame: pd.DataFrame, file: str, problems: Problems) -> pd.DataFrame:
    if frame.empty:
        return frame
    last = frame.drop(columns="_line").iloc[-1]
    first_value = next((v for v in last if v), "")
    if first_value.casefold().rstrip(":") in SUMMARY_WORDS:
        line = int(frame["_line"].iat[-1])
        problems.add(file, [line], None, first_value, "summeringsrad hoppas över", WARNING)
        frame = frame.iloc[:-1]
    return frame
