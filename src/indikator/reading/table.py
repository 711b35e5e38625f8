"""One export read into canonical columns of trimmed strings, with the line of every row."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..coding import distinct_categorical
from ..errors import FileError
from ..problems import Problems
from .folder import SHEET_SUFFIXES
from .grid import Cells
from .headers import HEADER_SEARCH, HINT_SEARCH, HeaderMatcher, choose_header
from .sheet import Sheet
from .text import EncodingChanged, Text

SUMMARY_WORDS = {"summa", "totalt", "total", "summering"}


@dataclass
class RawTable:
    """The cells of one export under canonical column names, plus ``_line`` per row."""

    export: str
    file: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    row_key: np.ndarray | None = None  # equal for rows whose every cell is equal
    unread: np.ndarray | None = None  # rows the reader could not split (a stray quote)


def read_table(
    path: Path,
    export: str,
    columns: list[str],
    required: list[str],
    aliases: dict[str, list[str]],
    problems: Problems,
    row_keys: bool = False,
    stop: threading.Event | None = None,
) -> RawTable:
    """Read one export into canonical columns of stripped strings ('' = empty). ``stop``: when
    set, a large CSV file's read ends at its next piece (``parallel.Stopped``)."""
    file = path.name
    matcher = HeaderMatcher(columns, aliases)
    try:
        source = Sheet(path) if path.suffix.lower() in SHEET_SUFFIXES else Text(path, stop)
        try:
            chosen, grid = _located(source, matcher, required, file)
        except EncodingChanged:  # a large file's first bytes read as UTF-8; it is not
            source = Text(path, stop, utf8=False)
            chosen, grid = _located(source, matcher, required, file)
        del source  # the file's bytes: the grid holds its own columns
    except OSError as e:
        raise FileError(f"{file}: filen går inte att öppna ({e.strerror})") from None
    except FileError as e:
        message = str(e)
        raise FileError(message if message.startswith(file) else f"{file}:{message}") from None
    if grid is None:
        raise FileError(f"{file}: filen är tom (ingen rubrikrad)")
    header, header_line = grid.header, grid.header_line
    if chosen > 0:
        problems.add(
            "rubrikrad",
            file,
            [header_line],
            None,
            "",
            f"rubrikraden är rad {header_line}; raderna ovanför hoppas över",
        )
    position: dict[str, int] = {}
    written: dict[str, str] = {}
    for i, h in enumerate(header):
        canon = matcher.match(h)
        if canon is None:
            if str(h).strip():
                near = matcher.closest(h)
                hint = f" (menar du {near}?)" if near else ""
                problems.add(
                    "okand_kolumn",
                    file,
                    [header_line],
                    h.strip(),
                    "",
                    f"kolumnen känns inte igen och läses inte{hint}",
                )
            continue
        if canon in position:
            raise FileError(
                f"{file}:{header_line}: kolumnen {canon} finns två gånger "
                f"(rubrikerna '{written[canon]}' och '{h.strip()}')"
            )
        position[canon], written[canon] = i, h.strip()
    # Fully empty rows (";;;;") are not data: skipped without a word, like blank lines.
    keep = ~grid.empty
    every = bool(keep.all())  # the common case: ten million rows are not copied to filter

    def kept(rows: np.ndarray) -> np.ndarray:
        return rows if every else rows[keep]

    data_lines = kept(grid.lines)
    width = len(header)
    extra = kept(grid.too_many)
    if extra.any():
        problems.add(
            "for_manga_falt",
            file,
            data_lines[extra],
            None,
            "",
            f"raden har fler fält än rubrikraden ({width})",
        )
    unclosed = kept(grid.unclosed)
    if (unclosed >= 0).any():
        at = np.flatnonzero(unclosed >= 0)
        for line, col in zip(data_lines[at].tolist(), unclosed[at].tolist(), strict=True):
            name = header[col].strip() if col < width else None
            problems.add(
                "citattecken",
                file,
                [line],
                name,
                "",
                'citattecknet i fältet stängs aldrig; raden avvisas – ta bort " eller stäng det',
            )
    cells = {canon: _cells(grid.columns[i], keep) for canon, i in position.items()}
    frame = pd.DataFrame({**cells, "_line": data_lines}, copy=False)
    del cells
    key = _row_keys(grid.columns, keep) if row_keys else None
    n = _without_summary(frame, file, problems)
    if n == 0:
        problems.add(
            "inga_datarader", file, [header_line], None, "", "filen innehåller inga datarader"
        )
    return RawTable(
        export,
        file,
        frame if n == len(frame) else frame.iloc[:n].reset_index(drop=True),
        written,
        None if key is None else key[:n],
        unclosed[:n] >= 0,
    )


def _located(source: Sheet | Text, matcher: HeaderMatcher, required: list[str], file: str):
    """(which of the first rows is the header, the grid of cells from it on)."""
    head = source.head(HEADER_SEARCH)
    if not head:
        raise FileError(f"{file}: filen är tom (ingen rubrikrad)")
    try:
        chosen = choose_header(head, matcher, required, file)
    except FileError:
        found = _other_delimiter(source, matcher, required, file)
        if found is None:  # look further down, to say where the header probably is
            choose_header(source.head(HINT_SEARCH), matcher, required, file)
            raise
        head, chosen = found
    return chosen, source.grid(head[chosen][0])


def _other_delimiter(source, matcher: HeaderMatcher, required: list[str], file: str):
    """The sniffed delimiter is the one used most on some early line, and a data row with
    more commas (``1,5;1,5;1,5``, free text) than the header has semicolons outvotes the
    header. The header decides: the delimiter under which a row names every required column
    is the file's. ``(head, chosen)`` under that delimiter, or None."""
    for delimiter in source.other_delimiters() if isinstance(source, Text) else []:
        head = source.head(HEADER_SEARCH, delimiter)
        try:
            chosen = choose_header(head, matcher, required, file)
        except FileError:
            continue
        source.delimiter = delimiter
        return head, chosen
    return None


def _cells(cells: Cells, keep: np.ndarray) -> pd.Series:
    """A column as a pandas categorical over its distinct cells: the rows stay integer codes,
    the strings are stored once (and never copied into Python objects)."""
    cells = cells.filter(keep)
    categories = pd.Index(pd.arrays.ArrowStringArray(cells.values), copy=False)
    return pd.Series(distinct_categorical(cells.codes, categories), copy=False)


def _row_keys(columns: list[Cells], keep: np.ndarray) -> np.ndarray:
    """One integer per row, equal exactly when every cell of the rows is equal (every column
    of the file, also those the tool does not read): the columns' codes combined."""
    if not columns:
        return np.zeros(int(keep.sum()), dtype="int64")
    # the first column's codes are the keys so far: no array of zeros multiplied and added to
    key = columns[0].filter(keep).codes.astype("int64")
    bound = max(len(columns[0].values), 1)  # every key is below it: the widths' product so far
    for col in columns[1:]:
        codes = col.filter(keep).codes
        width = max(len(col.values), 1)
        if bound > (2**62) // width:
            key, distinct = pd.factorize(key)
            key, bound = key.astype("int64"), max(len(distinct), 1)
        key *= width
        key += codes
        bound *= width
    return key


def _without_summary(frame: pd.DataFrame, file: str, problems: Problems) -> int:
    """The number of rows that are data: a trailing summary row (``Summa``, ``Totalt``) is
    not, and is skipped with a warning."""
    if frame.empty:
        return 0
    # the last row cell by cell: a row of a frame of categoricals would hash every category
    last = (frame[c].iat[-1] for c in frame.columns if c != "_line")
    first_value = next((v for v in last if v), "")
    if first_value.casefold().rstrip(":") in SUMMARY_WORDS:
        line = int(frame["_line"].iat[-1])
        problems.add("summeringsrad", file, [line], None, first_value, "summeringsrad hoppas över")
        return len(frame) - 1
    return len(frame)
