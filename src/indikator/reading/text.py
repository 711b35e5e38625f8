"""CSV and text exports: decoding, Excel's ``sep=`` line, the delimiter, and the rows with
their line numbers (pyarrow's parser where the file is regular, Python's csv module where it
is not). A quote that is opened and never closed would swallow the following lines: it is
caught here and becomes a row error on its own line."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import numpy as np

from ..errors import FileError
from .grid import Grid, grid_of, trim
from .headers import HEADER_SEARCH

_DELIMITERS = (";", "\t", ",")
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$', re.IGNORECASE)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def decode(path: Path, data: bytes) -> tuple[str, bytes]:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is a file error.
    Returns the text and the same text as UTF-8 bytes without BOM. A DOS end-of-file mark
    (Ctrl-Z) after the last line is not part of the text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            f"{path.name}: filen är UTF-16; spara den som UTF-8 eller Windows-1252 (CSV)"
        )
    data = data.rstrip(b"\x1a")
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


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter used most on any of the first lines (title rows above the header have
    few): the header and the data rows decide."""
    counts = {d: max((line.count(d) for line in lines), default=0) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _unclosed(line: str, delimiter: str) -> int:
    """The index of the field of one physical line whose opening quote never closes (-1)."""
    try:
        next(csv.reader([line], delimiter=delimiter, strict=True), None)
        return -1
    except csv.Error:
        return len(next(csv.reader([line], delimiter=delimiter), [""])) - 1


def _csv_records(text: str, delimiter: str, first_line: int, width: int | None):
    """The exact, slow reader: Python's csv module, which knows every record's lines.

    A record that spans several lines is a quoted line break (an Alt+Enter in a cell) unless
    its later lines look like rows of their own (``width`` known): then a quote opened and
    never closed swallowed them, and every line is read on its own instead, the one with the
    stray quote marked (``unclosed``)."""
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(physical), delimiter=delimiter)
    out: list[tuple[int, list[str], int]] = []
    start = 0
    threshold = max(2, -(-(width or 0) // 2))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise FileError(
                f"{first_line + start}: raden går inte att tolka som CSV ({e})"
            ) from None
        end = reader.line_num
        span = physical[start:end]
        rows_of_their_own = width is not None and any(
            len(next(csv.reader([s], delimiter=delimiter), [])) >= threshold for s in span[1:]
        )
        if rows_of_their_own or (end == len(physical) and _unclosed(span[-1], delimiter) >= 0):
            for i, s in enumerate(span):
                cells = next(csv.reader([s], delimiter=delimiter), [])
                if cells:
                    out.append((first_line + start + i, cells, _unclosed(s, delimiter)))
        elif record:
            out.append((first_line + start, record, -1))
        start = end
    return out


def _csv_fast(raw: bytes, delimiter: str, first_line: int) -> Grid | None:
    """pyarrow's parser with line numbers from the bytes: a newline ends a record when an even
    number of quotes precedes it. Returns None (use the exact reader) for anything irregular:
    a line break inside quotes, an odd number of quotes, rows of another width than the header
    (pyarrow refuses them), or any disagreement with pyarrow's row count."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    arr = np.frombuffer(raw, dtype=np.uint8)
    newline = np.flatnonzero(arr == 10)
    has_quotes = raw.find(b'"') >= 0
    if has_quotes:
        quotes = np.flatnonzero(arr == 34)
        if len(quotes) % 2 or (np.searchsorted(quotes, newline) % 2).any():
            return None
        del quotes
    starts = np.concatenate([[0], newline + 1])
    stops = np.concatenate([newline, [len(arr)]])
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
                newlines_in_values=False,
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
    lines = records + first_line
    header = [table.column(i)[0].as_py() for i in range(width)]
    body = table.slice(1)
    columns = [trim(body.column(i)) for i in range(width)]
    empty = np.ones(body.num_rows, dtype=bool)
    for col in columns:
        empty &= pc.equal(col, "").to_numpy(zero_copy_only=False)
    n = body.num_rows
    return Grid(
        header,
        int(lines[0]),
        lines[1:].astype("int64"),
        columns,
        np.zeros(n, dtype=bool),
        empty,
        np.full(n, -1, dtype="int64"),
    )


class Text:
    """A CSV or text export: decoded, Excel's ``sep=`` line understood, delimiter sniffed."""

    def __init__(self, path: Path):
        self.path = path
        self.text, self.raw = decode(path, path.read_bytes())
        self.skip = 0  # physical lines before the data (a sep= line)
        head = self.text[:65536].splitlines()
        m = _SEP_LINE.match(head[0]) if head else None
        if m:
            self.delimiter = m.group(1)
            self.skip = 1
        else:
            self.delimiter = sniff_delimiter([h for h in head[:HEADER_SEARCH] if h.strip()])

    def _from(self, line: int) -> tuple[str, bytes | None]:
        """The text (and bytes, when lines end in \\n) from physical line ``line`` on."""
        if line == 1:
            return self.text, self.raw
        lines = io.StringIO(self.text, newline="").readlines()
        rest = "".join(lines[line - 1 :])
        use_bytes = all(s.endswith("\n") for s in lines[: line - 1])
        return rest, rest.encode("utf-8") if use_bytes else None

    def head(self, n: int) -> list[tuple[int, list[str]]]:
        text = "".join(io.StringIO(self.text[: 1 << 18], newline="").readlines()[: n * 2 + 5])
        records = _csv_records(text, self.delimiter, 1, None)
        rows = [(line, cells) for line, cells, _ in records if line > self.skip]
        return [(line, cells) for line, cells in rows if any(c.strip() for c in cells)][:n]

    def grid(self, header_line: int) -> Grid | None:
        text, raw = self._from(header_line)
        if raw is not None:
            grid = _csv_fast(raw, self.delimiter, header_line)
            if grid is not None:
                return grid
        first = io.StringIO(text, newline="").readline()
        head = next(csv.reader([first], delimiter=self.delimiter), [])
        records = _csv_records(text, self.delimiter, header_line, len(head))
        return grid_of(records) if records else None
