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


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is a file error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            f"{path.name}: filen är UTF-16; spara den som UTF-8 eller Windows-1252 (CSV)"
        )
    if _BINARY.search(data[:65536]):
        raise FileError(f"{path.name}: filen är inte en textfil (CSV) och går inte att läsa")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError(
            f"{path.name}: okänd teckenkodning (varken UTF-8 eller Windows-1252)"
        ) from None


def sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_rows(path: Path) -> tuple[list[list[str]], list[int]]:
    text = decode(path, path.read_bytes())
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
        rows, lines = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    except OSError as e:
        raise FileError(f"{path.name}: filen går inte att öppna ({e.strerror})") from None
    if not rows:
        raise FileError(f"{path.name}: filen är tom (ingen rubrikrad)")
    header, header_line = rows[0], lines[0]
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
    keep = [i for i, r in enumerate(rows[1:], start=1) if any(c.strip() for c in r)]
    data = [rows[i] for i in keep]
    data_lines = np.asarray([lines[i] for i in keep], dtype="int64")
    width = len(header)
    file = path.name
    # Too many cells: extra non-empty cells beyond the header are a row error.
    extra = [i for i, r in enumerate(data) if len(r) > width and any(c.strip() for c in r[width:])]
    if extra:
        problems.add(
            file, data_lines[extra], None, "", f"raden har fler fält än rubrikraden ({width})"
        )
    padded = [r if len(r) == width else (r + [""] * width)[:width] for r in data]
    cells = list(zip(*padded, strict=True)) if padded else [()] * width
    frame = pd.DataFrame(
        {canon: pd.Series(cells[i], dtype=object).str.strip() for canon, i in position.items()}
    )
    frame["_line"] = data_lines
    frame = _drop_summary(frame, file, problems)
    if frame.empty:
        problems.add(file, [header_line], None, "", "filen innehåller inga datarader", WARNING)
    return RawTable(export, file, frame.reset_index(drop=True), written)


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
