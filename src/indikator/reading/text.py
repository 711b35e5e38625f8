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
from .grid import Grid, encoded, grid_of
from .headers import HEADER_SEARCH

_DELIMITERS = (";", "\t", ",")
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$', re.IGNORECASE)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def decode(path: Path, data: bytes) -> tuple[str, bytes]:
    """The text and the same text as UTF-8 bytes without BOM (``Text`` decodes lazily)."""
    raw, start, text = _decoded(path, data)
    raw = raw[start:]
    return (raw.decode("utf-8") if text is None else text), raw


def _decoded(path: Path, data: bytes) -> tuple[bytes, int, str | None]:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is a file error.

    Returns UTF-8 bytes, where the text starts in them (after a BOM), and the text when it
    had to be decoded anyway (Windows-1252); UTF-8 is checked without building a string of
    the whole file, and the bytes are not copied. A DOS end-of-file mark (Ctrl-Z) after the
    last line is not part of the text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            f"{path.name}: filen är UTF-16; spara den som UTF-8 eller Windows-1252 (CSV)"
        )
    if data.endswith(b"\x1a"):
        data = data.rstrip(b"\x1a")
    if _BINARY.search(data, 0, 65536):
        raise FileError(f"{path.name}: filen är inte en textfil (CSV) och går inte att läsa")
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if _is_utf8(data, start):
        return data, start, None
    try:
        text = data[start:].decode("cp1252")
    except UnicodeDecodeError:
        raise FileError(
            f"{path.name}: okänd teckenkodning (varken UTF-8 eller Windows-1252)"
        ) from None
    return text.encode("utf-8"), 0, text


def _is_utf8(data: bytes, start: int, chunk: int = 1 << 24) -> bool:
    """Whether ``data[start:]`` is UTF-8: piece by piece, plain ASCII pieces at memory speed,
    the others decoded and thrown away."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for at in range(start, len(data), chunk):
            piece = bytes(view[at : at + chunk])
            if not (piece.isascii() and decoder.getstate()[0] == b""):
                decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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


def _csv_fast(raw: bytes, delimiter: str, first_line: int, start: int = 0) -> Grid | None:
    """pyarrow's parser with line numbers from the bytes: a newline ends a record when an even
    number of quotes precedes it. Returns None (use the exact reader) for anything irregular:
    a line break inside quotes, an odd number of quotes, rows of another width than the header
    (pyarrow refuses them), or any disagreement with pyarrow's row count. ``start``: where
    the text begins in ``raw`` (after a BOM or the lines above the header).

    Every column comes dictionary-encoded from the parser (``Cells``): a file of ten million
    rows is never ten million Python strings."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    arr = np.frombuffer(raw, dtype=np.uint8, offset=start)
    end = raw.find(b"\n", start)
    first = raw[start : end if end >= 0 else len(raw)].rstrip(b"\r").decode("utf-8", "replace")
    if not first:
        return None
    try:
        width = len(next(csv.reader([first], delimiter=delimiter), [""]))
    except csv.Error:
        return None
    names = [f"c{i}" for i in range(width)]
    dictionary = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw).slice(start),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=False,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, dictionary),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    records = _record_lines(raw, arr, start, table.num_rows)
    if records is None:
        return None
    lines = records + first_line
    header = [table.column(i)[0].as_py() for i in range(width)]
    body = table.slice(1)
    del table
    columns = [encoded(body.column(i)) for i in range(width)]
    del body
    empty = np.ones(len(lines) - 1, dtype=bool)
    for col in columns:
        empty &= col.empty()
    n = len(empty)
    return Grid(
        header,
        int(lines[0]),
        lines[1:].astype("int64"),
        columns,
        np.zeros(n, dtype=bool),
        empty,
        np.full(n, -1, dtype="int64"),
    )


def _record_lines(raw: bytes, arr: np.ndarray, start: int, n_rows: int) -> np.ndarray | None:
    """The line index (0 = the header) of each of the parser's ``n_rows`` records, or None
    when the bytes disagree with it. A newline ends a record when an even number of quotes
    precedes it; empty lines are no records. Without quotes and lone CRs, as many lines as
    records means there is no empty line: the records are the lines (the common case, decided
    by counting, without a pass over the bytes in numpy)."""
    has_quotes = raw.find(b'"', start) >= 0
    if not has_quotes:
        n_lines = raw.count(b"\n", start) + (len(raw) > start and raw[-1:] != b"\n")
        crs = raw.find(b"\r", start) >= 0
        if n_lines == n_rows and (not crs or raw.count(b"\r", start) == raw.count(b"\r\n", start)):
            return np.arange(n_rows, dtype="int64")
    newline = np.flatnonzero(arr == 10)
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
    return records if len(records) == n_rows else None


class Text:
    """A CSV or text export: decoded, Excel's ``sep=`` line understood, delimiter sniffed."""

    def __init__(self, path: Path):
        self.path = path
        self.raw, self.start, self._text = _decoded(path, path.read_bytes())
        self.skip = 0  # physical lines before the data (a sep= line)
        first = self.raw[self.start : self.start + (1 << 18)].decode("utf-8", "ignore")
        self._head_text = first if self._text is None else self._text[: 1 << 18]
        head = self._head_text[:65536].splitlines()
        m = _SEP_LINE.match(head[0]) if head else None
        if m:
            self.delimiter = m.group(1)
            self.skip = 1
        else:
            self.delimiter = sniff_delimiter([h for h in head[:HEADER_SEARCH] if h.strip()])

    @property
    def text(self) -> str:
        """The whole text, decoded only for the exact reader (irregular files)."""
        if self._text is None:
            self._text = self.raw[self.start :].decode("utf-8")
        return self._text

    def _offset(self, line: int) -> int | None:
        """Where physical line ``line`` starts in the bytes (None when a line above it ends
        in a lone CR, which only the text knows)."""
        at = self.start
        for _ in range(line - 1):
            end = self.raw.find(b"\n", at)
            if end < 0 or self.raw.find(b"\r", at, end) not in (-1, end - 1):
                return None
            at = end + 1
        return at

    def _text_from(self, line: int) -> str:
        if line == 1:
            return self.text
        lines = io.StringIO(self.text, newline="").readlines()
        return "".join(lines[line - 1 :])

    def head(self, n: int) -> list[tuple[int, list[str]]]:
        lines = io.StringIO(self._head_text, newline="").readlines()
        text = "".join(lines[: n * 2 + 5])
        records = _csv_records(text, self.delimiter, 1, None)
        rows = [(line, cells) for line, cells, _ in records if line > self.skip]
        return [(line, cells) for line, cells in rows if any(c.strip() for c in cells)][:n]

    def grid(self, header_line: int) -> Grid | None:
        at = self._offset(header_line)
        if at is not None:
            grid = _csv_fast(self.raw, self.delimiter, header_line, at)
            if grid is not None:
                return grid
        text = self._text_from(header_line)
        first = io.StringIO(text, newline="").readline()
        head = next(csv.reader([first], delimiter=self.delimiter), [])
        records = _csv_records(text, self.delimiter, header_line, len(head))
        return grid_of(records) if records else None
