"""CSV and text exports: decoding, Excel's ``sep=`` line, the delimiter, and the rows with
their line numbers (pyarrow's parser where the file is regular, Python's csv module where it
is not). A quote that is opened and never closed would swallow the following lines: it is
caught here and becomes a row error on its own line."""

from __future__ import annotations

import csv
import functools
import io
import re
import sys
import threading
from pathlib import Path

import numpy as np

from ..errors import FileError
from ..parallel import Stopped, cores, in_threads
from .grid import (
    Cells,
    Gathered,
    Grid,
    Growing,
    empty_rows,
    encoded,
    grid_of,
    line_type,
    strip,
)
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
    if data.endswith(b"\x1a"):
        data = data.rstrip(b"\x1a")
    start = _opening(path, data)
    if is_utf8(memoryview(data)[start:]):
        return data, start, None
    text = _cp1252(path, data[start:])
    return text.encode("utf-8"), 0, text


HEAD = 1 << 18  # a file's first bytes (characters, once decoded): its header is looked for in them


def _opening(path: Path, head: bytes) -> int:
    """Where the text starts (after a UTF-8 BOM); a file error for UTF-16 and binary files."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            f"{path.name}: filen är UTF-16; spara den som UTF-8 eller Windows-1252 (CSV)"
        )
    if _BINARY.search(head, 0, 65536):
        raise FileError(f"{path.name}: filen är inte en textfil (CSV) och går inte att läsa")
    return 3 if head.startswith(b"\xef\xbb\xbf") else 0


def _cp1252(path: Path, data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError(
            f"{path.name}: okänd teckenkodning (varken UTF-8 eller Windows-1252)"
        ) from None


def is_utf8(data) -> bool:
    """Whether the bytes (any buffer, not copied) are UTF-8, as Python's decoder says: Arrow's
    vectorised check, about 1 ms per 16 MB. Python's decoder took 30 ms per 16 MB that was
    not all ASCII, holding the GIL all the while: a national aktiviteter read beside the
    other exports held up every Python step of theirs."""
    import pyarrow as pa

    text = pa.py_buffer(data)
    offsets = pa.py_buffer(np.array([0, text.size], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, text]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _starts_utf8(head: bytes) -> bool:
    """Whether a file's first bytes are UTF-8 as far as they go (they may stop inside a
    character)."""
    import codecs

    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _reused(buf: bytearray, n: int) -> bytearray:
    """``buf`` resized to ``n`` bytes, for the next piece of a file to be read into: its pages
    are resident already. A fresh buffer of 16 MB is 4 096 pages to fault in, and on a
    virtual machine whose host takes freed memory back each fault costs the host's too. A new
    buffer when something still refers to the old one's memory (an Arrow buffer or a numpy
    array over it: Python then refuses to resize it), so a piece in use is never overwritten."""
    if not buf:
        return bytearray(n)
    try:
        if len(buf) > n:
            del buf[n:]
        elif len(buf) < n:
            buf.extend(bytes(n - len(buf)))
        else:  # resizing is refused while the memory is referred to: that is the check
            buf.append(0)
            del buf[n:]
    except BufferError:
        return bytearray(n)
    return buf


class NotUtf8(Exception):
    """A piece of a large file read as UTF-8 is not UTF-8 (``Text._pieces``)."""


class EncodingChanged(Exception):
    """A large file whose first bytes (not ASCII) were read as UTF-8 to find its header is
    Windows-1252 after all: its read starts over with ``Text(..., utf8=False)``."""


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
    return _csv_pieces([(raw, start)], delimiter, first_line)


def _csv_pieces(pieces, delimiter: str, first_line: int, size: int = 0) -> Grid | None:
    """``_csv_fast`` over the text given in pieces, ``(bytes, where the text starts in
    them)``, each ending at a line break, the header's line first: each piece parsed and
    encoded on its own, its line numbers counted from the line breaks of the pieces before
    it, so that a large export is never held whole, as bytes or as an Arrow table. Each
    piece's codes go into the columns' arrays as it is parsed (``Gathered``); ``size``, the
    text's bytes, tells how many rows to expect."""
    import pyarrow as pa

    header: list[str] | None = None
    columns: list[Gathered] = []
    lines: Growing | None = None
    line = 0  # lines before the piece, counted from the header's
    for raw, start in pieces:
        if header is None:
            found = _header(raw, start, delimiter)
            if found is None:
                return None
            header, start = found
            header_line, line = first_line, 1  # the data's lines follow the header's
            if start >= len(raw):  # the piece held the header only
                continue
        parsed = _parsed(raw, start, delimiter, len(header))
        if parsed is None:
            return None
        table, records, newlines = parsed
        del parsed  # the piece's table is gone before the next piece is read into its buffer
        if lines is None:
            # rows expected from the first rows' bytes (a little more: rows are not all alike)
            rows = int(len(records) * max(size / max(len(raw) - start, 1), 1) * 1.1) + 1024
            columns = [Gathered(rows) for _ in header]
            lines = Growing(rows, line_type(first_line + max(size, len(raw))))
        lines.add(records + (line + first_line))
        line += newlines
        try:
            for i, column in enumerate(columns):
                column.add(encoded(table.column(i), stripped=False))
        except pa.ArrowInvalid:  # a cell that is not UTF-8 after all: the exact reader says where
            return None
        del table
    if header is None:
        return None
    if lines is None:  # a header and no rows
        columns, lines = [Gathered(0) for _ in header], Growing(0, "int32")

    # Renumbering is numpy takes over millions of rows: two columns at a time on two cores.
    threads = min(MERGE_THREADS, cores()) if lines.n > THREADED_MERGE else 1
    cells = in_threads([functools.partial(_whole, c) for c in columns], threads)
    del columns
    n = lines.n
    empty = empty_rows(cells, n)
    return Grid(
        header,
        header_line,
        lines.array(),
        cells,
        np.zeros(n, dtype=bool),
        empty,
        np.full(n, -1, dtype="int8"),  # no quote left open: pyarrow refuses such files
    )


def _whole(column: Gathered) -> Cells:
    return strip(column.cells())


def _header(raw: bytes, start: int, delimiter: str) -> tuple[list[str], int] | None:
    """The header's cells (the first line from ``start``) and where the data begins, or None
    when the exact reader must say. The header is parsed on its own: parsed with the rows, its
    cells would be one more distinct value in every column, which no row has but every check
    of the column must treat as a value of its own (a date column's "Datum" is no date: each
    column's ten million rows were looked up for it)."""
    width = _width(raw, start, delimiter)
    if width is None:
        return None
    cut = raw.find(b"\n", start) + 1 or len(raw)
    parsed = _parsed(bytes(raw[start:cut]), 0, delimiter, width)
    if parsed is None or parsed[0].num_rows != 1:
        return None
    table = parsed[0]
    try:  # bytes, as every cell: not UTF-8 after all, the exact reader says where
        return [table.column(i)[0].as_py().decode("utf-8") for i in range(width)], cut
    except UnicodeDecodeError:
        return None


def _width(raw: bytes, start: int, delimiter: str) -> int | None:
    """The number of fields of the header (the first line); None when it is empty or not CSV."""
    end = raw.find(b"\n", start)
    first = raw[start : end if end >= 0 else len(raw)].rstrip(b"\r").decode("utf-8", "replace")
    if not first:
        return None
    try:
        return len(next(csv.reader([first], delimiter=delimiter), [""]))
    except csv.Error:
        return None


def _parsed(raw: bytes, start: int, delimiter: str, width: int):
    """``raw[start:]`` by pyarrow, every column dictionary-encoded, and the line (0 = the
    first) of each record; None when pyarrow refuses it or the bytes disagree with it.

    The cells are parsed as bytes, not text: the bytes are UTF-8 already (checked piece by
    piece, or decoded from Windows-1252), and the parser's own check of every cell took a
    seventh of its time. Each distinct cell is checked when ``encoded`` makes it text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    dictionary = pa.dictionary(pa.int32(), pa.binary())
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw).slice(start),
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK),
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
    arr = np.frombuffer(raw, dtype=np.uint8, offset=start)
    newlines = _newlines(arr)
    records = _record_lines(raw, arr, start, table.num_rows, newlines)
    return None if records is None else (table, records, newlines)


def _record_lines(
    raw: bytes, arr: np.ndarray, start: int, n_rows: int, newlines: int
) -> np.ndarray | None:
    """The line index (0 = the header) of each of the parser's ``n_rows`` records, or None
    when the bytes disagree with it. A newline ends a record when an even number of quotes
    precedes it; empty lines are no records. Without quotes and lone CRs, as many lines as
    records means there is no empty line: the records are the lines (the common case, decided
    by counting, without a pass over the bytes in numpy)."""
    has_quotes = raw.find(b'"', start) >= 0
    if not has_quotes:
        n_lines = newlines + (len(raw) > start and raw[-1:] != b"\n")
        if n_lines == n_rows and (raw.find(b"\r", start) < 0 or _only_crlf(arr)):
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


MERGE_THREADS = 2  # columns of a large file renumbered at a time (``_csv_pieces``)
THREADED_MERGE = 100_000  # rows from which that is worth a thread
STREAMED = 1 << 25  # bytes: a larger file is parsed piece by piece, never held whole
PIECE = 1 << 24  # bytes read and parsed at a time
# bytes pyarrow parses as one block (its default: 1 MiB): each block of a piece is parsed on a
# core of its own, and each has its own distinct cells, which ``encoded`` unifies per piece.
# A national monthly, paired: 2 MiB 0.977 of the time of 1 MiB (6/6), 4 MiB 0.985 (5/6),
# 8 MiB 1.03 of the time of 4 MiB (docs/prestanda.md, omgång 26)
BLOCK = 1 << 21


_SCAN = 1 << 18  # bytes compared at a time: the temporaries stay in the cache, never paged in


def _newlines(arr: np.ndarray) -> int:
    """The LFs (numpy: bytes.count is 10 × slower), counted a cache-sized stretch at a time
    into one reused mask instead of a new mask the size of the piece."""
    mask = np.empty(min(len(arr), _SCAN), dtype=bool)
    n = 0
    for at in range(0, len(arr), _SCAN):
        part = arr[at : at + _SCAN]
        n += int(np.count_nonzero(np.equal(part, 10, out=mask[: len(part)])))
    return n


def _only_crlf(arr: np.ndarray) -> bool:
    """Every CR is followed by a LF (Excel's line breaks, no lone CR): as many CRs as CR LF
    pairs, counted a stretch at a time (a pair may straddle two stretches)."""
    cr = np.empty(min(len(arr), _SCAN), dtype=bool)
    lf = np.empty_like(cr)
    lone = 0
    for at in range(0, len(arr), _SCAN):
        part = arr[at : at + _SCAN]
        after = arr[at + 1 : at + _SCAN + 1]
        c = np.equal(part, 13, out=cr[: len(part)])
        f = np.equal(after, 10, out=lf[: len(after)])
        pairs = int(np.count_nonzero(c[: len(after)] & f))
        lone += int(np.count_nonzero(c)) - pairs
    return lone == 0


class Text:
    """A CSV or text export: decoded, Excel's ``sep=`` line understood, delimiter sniffed.

    A file up to ``STREAMED`` bytes is read at once; a larger one (a national aktiviteter
    export) is checked for its encoding and parsed in pieces of ``PIECE`` bytes, and only
    read whole when the exact reader is needed (an irregular file)."""

    def __init__(self, path: Path, stop: threading.Event | None = None, utf8: bool | None = None):
        self.path = path
        self.stop = stop  # set: the read of a large file ends at its next piece (``Stopped``)
        self.skip = 0  # physical lines before the data (a sep= line)
        self.size = path.stat().st_size
        if self.size > STREAMED:
            self.raw, self.start, self._text = self._opened(utf8)
            first = self.raw[self.start :].decode("utf-8", "ignore")
        else:
            self.raw, self.start, self._text = _decoded(path, path.read_bytes())
            first = self.raw[self.start : self.start + HEAD].decode("utf-8", "ignore")
        self._head_text = first if self._text is None else self._text[:HEAD]
        head = self._head_text[:65536].splitlines()
        m = _SEP_LINE.match(head[0]) if head else None
        if m:
            self.delimiter = m.group(1)
            self.skip = 1
        else:
            self.delimiter = sniff_delimiter([h for h in head[:HEADER_SEARCH] if h.strip()])

    def _opened(self, utf8: bool | None) -> tuple[bytes, int, None]:
        """A large file's first bytes, as UTF-8, and its end (``self.end``; ``self.original``
        and ``self.opening``: the first bytes as in the file and where the text starts in
        them). Its encoding (``self.utf8``) is decided by the first bytes when they are not
        UTF-8, else provisionally: every piece is checked as it is read for parsing
        (``_pieces``), so the file is read once, not once to check and once to parse.
        ``utf8=False``: Windows-1252 without a look (``EncodingChanged``)."""
        with open(self.path, "rb") as fh:
            head = fh.read(HEAD)
            fh.seek(max(self.size - 4096, 0))
            tail = fh.read()
        self.end = self.size - (len(tail) - len(tail.rstrip(b"\x1a")))
        self.original = head = head[: self.end]
        self.opening = start = _opening(self.path, head)
        # UTF-8 so far: every piece is still checked as it is read (``_pieces``)
        whole = len(head) == self.end
        self.utf8 = utf8 is not False and (is_utf8 if whole else _starts_utf8)(head[start:])
        if not self.utf8:
            head = _cp1252(self.path, head[start:]).encode("utf-8")
            start = 0
        return head, start, None

    def _not_utf8(self) -> None:
        """A piece after the first bytes is not UTF-8: the file is read as Windows-1252 from
        its start. First bytes that decode the same either way (ASCII) stand; other first
        bytes were read as UTF-8 to find the header, and the whole read starts over
        (``EncodingChanged``)."""
        self.utf8 = False
        if not self.original[self.opening :].isascii():
            raise EncodingChanged

    def _pieces(self, at: int):
        """The large file's bytes from ``at`` as UTF-8 in pieces of about ``PIECE`` bytes
        (read when called: tests cut a small file into many pieces), each ending after a
        line break, ``(buffer, 0)`` each; read into a buffer cut in place, never copied, and
        each into the previous piece's buffer (``_reused``): the caller is done with a piece
        when it asks for the next. While the encoding is provisional, each piece is checked:
        a piece that ends after a line break ends after a whole character, so pieces are
        checked on their own (``NotUtf8`` at the first that is not UTF-8)."""
        size = PIECE
        buf = bytearray()
        with open(self.path, "rb") as fh:
            while at < self.end:
                if self.stop is not None and self.stop.is_set():
                    raise Stopped
                fh.seek(at)
                buf = _reused(buf, min(size, self.end - at))
                del buf[fh.readinto(buf) :]
                if not buf:
                    break
                if at + len(buf) < self.end:
                    cut = buf.rfind(b"\n") + 1
                    if cut == 0:  # a line longer than a piece: read more at once
                        size *= 2
                        continue
                    del buf[cut:]
                at += len(buf)
                if not self.utf8:
                    yield _cp1252(self.path, bytes(buf)).encode("utf-8"), 0
                    continue
                if not (buf.isascii() or is_utf8(buf)):
                    raise NotUtf8
                yield buf, 0

    @property
    def streamed(self) -> bool:
        return self.size > STREAMED

    @property
    def text(self) -> str:
        """The whole text, decoded only for the exact reader (irregular files)."""
        if self._text is None:
            if self.streamed:
                self.raw, self.start, self._text = _decoded(self.path, self.path.read_bytes())
                if self._text is not None and self.utf8:  # its first bytes were read as UTF-8
                    self._not_utf8()
            if self._text is None:
                self._text = self.raw[self.start :].decode("utf-8")
        return self._text

    def _offset(self, line: int, raw: bytes | None = None, at: int | None = None) -> int | None:
        """Where physical line ``line`` starts in the bytes (None when a line above it ends
        in a lone CR, which only the text knows)."""
        raw = self.raw if raw is None else raw
        at = self.start if at is None else at
        for _ in range(line - 1):
            end = raw.find(b"\n", at)
            if end < 0 or raw.find(b"\r", at, end) not in (-1, end - 1):
                return None
            at = end + 1
        return at

    def _text_from(self, line: int) -> str:
        if line == 1:
            return self.text
        lines = io.StringIO(self.text, newline="").readlines()
        return "".join(lines[line - 1 :])

    def other_delimiters(self) -> list[str]:
        """The delimiters to try when the sniffed one finds no header: none after Excel's
        ``sep=`` line, which says the delimiter outright."""
        return [] if self.skip else [d for d in _DELIMITERS if d != self.delimiter]

    def head(self, n: int, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
        lines = io.StringIO(self._head_text, newline="").readlines()
        text = "".join(lines[: n * 2 + 5])
        records = _csv_records(text, delimiter or self.delimiter, 1, None)
        rows = [(line, cells) for line, cells, _ in records if line > self.skip]
        return [(line, cells) for line, cells in rows if any(c.strip() for c in cells)][:n]

    def grid(self, header_line: int) -> Grid | None:
        if self.streamed:
            grid = self._streamed_grid(header_line)
        else:
            at = self._offset(header_line)
            grid = None if at is None else _csv_fast(self.raw, self.delimiter, header_line, at)
        if grid is not None:
            return grid
        text = self._text_from(header_line)
        first = io.StringIO(text, newline="").readline()
        head = next(csv.reader([first], delimiter=self.delimiter), [])
        records = _csv_records(text, self.delimiter, header_line, len(head))
        return grid_of(records) if records else None

    def _streamed_grid(self, header_line: int) -> Grid | None:
        """A large file's grid by pieces; None when it needs the exact reader."""
        at = self._offset(header_line, self.original, self.opening)
        if at is None or at >= len(self.original):
            return None
        try:
            return _csv_pieces(self._pieces(at), self.delimiter, header_line, self.end - at)
        except NotUtf8:
            self._not_utf8()
        return _csv_pieces(self._pieces(at), self.delimiter, header_line, self.end - at)
