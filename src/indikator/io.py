"""Reading exports the way they arrive: CSV or text (any of ; , tab; UTF-8 ± BOM or
Windows-1252) or a spreadsheet (xlsx, xlsm, xlsb, xls, ods: first sheet), into a table of
trimmed strings with the line number of every row.

Parsing the values is the schema's job; this module finds the files, the header, the rows and
the cells, and says what it could not use. Nothing is lost without a word: a stray quote that
would swallow the following lines is a row error on its own line, and every file in the data
folder is read as an export or reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FileError
from .problems import Problems

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
SUFFIXES = TEXT_SUFFIXES + SHEET_SUFFIXES
SYSTEM_FILES = {"thumbs.db", "desktop.ini"}
SUMMARY_WORDS = {"summa", "totalt", "total", "summering"}
HEADER_SEARCH = 50  # rows in which a header below title rows is found by itself
HINT_SEARCH = 1000  # rows searched to say where the header probably is
_DELIMITERS = (";", "\t", ",")
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$', re.IGNORECASE)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def slug(header: str) -> str:
    """Header normal form: case, accents, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKD", str(header).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# ---------------------------------------------------------------------------------------------
# The data folder: which file is which export, and a word about every other file


@dataclass
class Folder:
    files: dict[str, Path]  # export -> its file
    others: dict[str, str] = field(default_factory=dict)  # file name -> what it resembles


def _resembles(stem: str, exports: tuple[str, ...]) -> str | None:
    """The export a file name is a variant of (``aktiviteter_2018-06-01``, ``deltagare (1)``)."""
    s = slug(stem)
    found = [e for e in exports if e in s]
    return max(found, key=len) if found else None


def scan_folder(folder: Path, exports: tuple[str, ...], problems: Problems) -> Folder:
    """Every file in ``folder``: an export (stem = its name, a readable suffix), ignored
    (hidden, Excel's ``~$`` lock files, system files), or a warning that says why it is not
    read. Two files for one export is a file error: we do not guess which one counts."""
    found: dict[str, list[Path]] = {}
    others: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        name = p.name
        if not p.is_file() or name.startswith((".", "~")) or name.casefold() in SYSTEM_FILES:
            continue
        stem, suffix = p.stem.casefold(), p.suffix.lower()
        if stem in exports and suffix in SUFFIXES:
            found.setdefault(stem, []).append(p)
        elif stem in exports:
            problems.add(
                "okand_fil",
                name,
                [0],
                None,
                "",
                f"formatet {suffix or '(ingen filändelse)'} läses inte; "
                "spara filen som .xlsx eller .csv",
            )
        elif (like := _resembles(p.stem, exports)) is not None:
            others[name] = like
            target = like + (suffix if suffix in SUFFIXES else ".csv")
            problems.add(
                "okand_fil",
                name,
                [0],
                None,
                "",
                f"filen känns inte igen och läses inte; döp om den till {target} om den ska läsas",
            )
        else:
            problems.add(
                "okand_fil", name, [0], None, "", "filen hör inte till någon export och läses inte"
            )
    for export, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise FileError(
                f"{folder}: exporten {export} finns i flera filer ({names}); ta bort en"
            )
    return Folder({e: ps[0] for e, ps in found.items()}, others)


def missing_export(folder: Path, export: str, scanned: Folder) -> FileError:
    like = [name for name, e in scanned.others.items() if e == export]
    hint = f"; döp om {like[0]} till {export}.csv" if like else ""
    return FileError(f"{folder}: exporten {export} ({export}.csv eller {export}.xlsx) saknas{hint}")


# ---------------------------------------------------------------------------------------------
# Headers


class HeaderMatcher:
    """Header text -> canonical column, as people write headers: case, accents and
    punctuation do not matter; the configuration's aliases; a format hint or unit in
    brackets (``Slutdatum (ÅÅÅÅ-MM-DD)``, ``Timmar (h)``, ``Kön [K/M]``) or after a comma
    (``Timmar, h``); words run together or apart; abbreviations (``Anvisande org.``,
    ``Sysselsättn. före``) when they fit one column only."""

    def __init__(self, columns: list[str], aliases: dict[str, list[str]]):
        self.names: dict[str, str] = {slug(c): c for c in columns}
        for canon, alts in aliases.items():
            for alt in alts:
                self.names.setdefault(slug(alt), canon)
        self._memo: dict[str, str | None] = {}
        self.compact: dict[str, set[str]] = {}
        for s, canon in self.names.items():
            self.compact.setdefault(s.replace("_", ""), set()).add(canon)

    def match(self, header: str) -> str | None:
        text = str(header)
        if text not in self._memo:
            self._memo[text] = self._match(text) if len(text) <= 100 else None
        return self._memo[text]

    def _match(self, text: str) -> str | None:
        forms = [slug(text), slug(_BRACKETS.sub(" ", text)), slug(re.split(r"[,:;]", text)[0])]
        for s in forms:
            if s in self.names:
                return self.names[s]
        for s in forms:
            hit = self.compact.get(s.replace("_", ""), set())
            if len(hit) == 1:
                return next(iter(hit))
        return self._abbreviation(forms[1])

    def _abbreviation(self, s: str) -> str | None:
        words = s.split("_")
        if not s or any(len(w) < 3 for w in words):
            return None
        hits = {
            canon
            for name, canon in self.names.items()
            if len(name.split("_")) == len(words)
            and all(n.startswith(w) for n, w in zip(name.split("_"), words, strict=True))
        }
        return next(iter(hits)) if len(hits) == 1 else None

    def closest(self, header: str, among: list[str] | None = None) -> str | None:
        """The known column a header most resembles, for a message (None: nothing close)."""
        names = {s: c for s, c in self.names.items() if among is None or c in among}
        best = difflib.get_close_matches(slug(header), list(names), n=1, cutoff=0.75)
        return names[best[0]] if best else None


def choose_header(
    head: list[tuple[int, list[str]]], matcher: HeaderMatcher, required: list[str], file: str
) -> int:
    """The index in ``head`` of the header row: the first row that names every required
    column, if it lies within the first ``HEADER_SEARCH`` rows (title rows above it name no
    columns). Otherwise a file error that says which columns are missing and where the header
    probably is: the row that names the most known columns."""
    names = [set() for _ in head]
    for i, (_, cells) in enumerate(head):
        names[i] = {matcher.match(x) for x in cells if x.strip()} - {None}
        if all(c in names[i] for c in required):
            if i < HEADER_SEARCH:
                return i
            break
    scores = [len(n) for n in names]
    best = int(np.argmax(scores)) if scores else 0
    first = head[0][0] if head else 1
    missing = [c for c in required if c not in (names[0] if head else set())]
    if scores and scores[best] > scores[0]:
        where = f" (rubrikraden ser ut att vara rad {head[best][0]}; ta bort raderna ovanför den)"
    else:
        header = head[0][1] if head else []
        unmatched = [h for h in header if h.strip() and matcher.match(h) is None]
        near = [h for h in unmatched if matcher.closest(h, missing)]
        where = f" (närmast bland rubrikerna: '{near[0].strip()}')" if near else ""
        if scores and scores[0] == 0 and not near:
            where = " (ingen rad ser ut som en rubrikrad med exportens kolumner)"
    raise FileError(f"{file}:{first}: obligatorisk kolumn saknas: {', '.join(missing)}{where}")


# ---------------------------------------------------------------------------------------------
# The cells of a file


@dataclass
class Grid:
    """The cells of a file from its header on: header, then data rows with their line numbers."""

    header: list[str]
    header_line: int
    lines: np.ndarray  # line number of each data row
    columns: list  # stripped cell strings per header column (pyarrow string arrays)
    too_many: np.ndarray  # row has non-empty cells beyond the header's width
    empty: np.ndarray  # every cell of the row is empty
    unclosed: np.ndarray  # column index where a quote opens and never closes, else -1


def _trim(column):
    """Cells without surrounding whitespace (as ``str.strip``: NBSP and other Unicode spaces)."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(column)


def _grid(records: list[tuple[int, list[str], int]]) -> Grid:
    """A grid from (line, cells, unclosed column) records, the first being the header."""
    import pyarrow as pa

    (header_line, header, _), data = records[0], records[1:]
    width = len(header)
    padded = [r if len(r) == width else (r + [""] * width)[:width] for _, r, _ in data]
    cells = list(zip(*padded, strict=True)) if padded else [()] * width
    columns = [_trim(pa.array(c, type=pa.string())) for c in cells]
    too_many = np.array(
        [len(r) > width and any(c.strip() for c in r[width:]) for _, r, _ in data], dtype=bool
    )
    empty = np.array([not any(c.strip() for c in r) for _, r, _ in data], dtype=bool)
    return Grid(
        header,
        header_line,
        np.asarray([line for line, _, _ in data], dtype="int64"),
        columns,
        too_many,
        empty,
        np.asarray([u for _, _, u in data], dtype="int64"),
    )


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
    columns = [_trim(body.column(i)) for i in range(width)]
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


class _Text:
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
        return _grid(records) if records else None


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
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


class _Sheet:
    """The first sheet of a workbook (python-calamine: xlsx, xlsm, xlsb, xls, ods)."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook

        try:
            with CalamineWorkbook.from_path(str(path)) as wb:
                values = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as e:  # calamine raises several types for broken files
            kind = path.suffix.lstrip(".") or "Excel"
            raise FileError(
                f"{path.name}: filen går inte att läsa som Excel ({kind}): {e}"
            ) from None
        self.rows = []
        for i, row in enumerate(values, start=1):
            cells = [_cell(v) for v in row]
            if any(c.strip() for c in cells):
                self.rows.append((i, cells, -1))

    def head(self, n: int) -> list[tuple[int, list[str]]]:
        return [(line, cells) for line, cells, _ in self.rows[:n]]

    def grid(self, header_line: int) -> Grid | None:
        rows = [r for r in self.rows if r[0] >= header_line]
        return _grid(rows) if rows else None


# ---------------------------------------------------------------------------------------------
# One export


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
) -> RawTable:
    """Read one export into canonical columns of stripped strings ('' = empty)."""
    file = path.name
    try:
        source = _Sheet(path) if path.suffix.lower() in SHEET_SUFFIXES else _Text(path)
        head = source.head(HEADER_SEARCH)
        if not head:
            raise FileError(f"{file}: filen är tom (ingen rubrikrad)")
        matcher = HeaderMatcher(columns, aliases)
        try:
            chosen = choose_header(head, matcher, required, file)
        except FileError:  # look further down, to say where the header probably is
            choose_header(source.head(HINT_SEARCH), matcher, required, file)
            raise
        grid = source.grid(head[chosen][0])
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
    data_lines = grid.lines[keep]
    width = len(header)
    extra = grid.too_many[keep]
    if extra.any():
        problems.add(
            "for_manga_falt",
            file,
            data_lines[extra],
            None,
            "",
            f"raden har fler fält än rubrikraden ({width})",
        )
    unclosed = grid.unclosed[keep]
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
    frame = pd.DataFrame({canon: _strings(grid.columns[i], keep) for canon, i in position.items()})
    frame["_line"] = data_lines
    key = _row_keys(grid.columns, keep) if row_keys else None
    n = _without_summary(frame, file, problems)
    if n == 0:
        problems.add(
            "inga_datarader", file, [header_line], None, "", "filen innehåller inga datarader"
        )
    return RawTable(
        export,
        file,
        frame.iloc[:n].reset_index(drop=True),
        written,
        None if key is None else key[:n],
        unclosed[:n] >= 0,
    )


def _strings(column, keep: np.ndarray) -> pd.Series:
    """An Arrow string column as a pandas Series without copying the strings into Python."""
    import pyarrow as pa

    if not keep.all():
        column = column.filter(pa.array(keep))
    return pd.Series(pd.arrays.ArrowStringArray(column), copy=False)


def _row_keys(columns: list, keep: np.ndarray) -> np.ndarray:
    """One integer per row, equal exactly when every cell of the rows is equal (every column
    of the file, also those the tool does not read)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = int(keep.sum())
    key = np.zeros(n, dtype="int64")
    mask = pa.array(keep)
    for col in columns:
        col = col.filter(mask)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        codes = pc.dictionary_encode(col).indices.to_numpy(zero_copy_only=False)
        width = int(codes.max()) + 1 if len(codes) else 1
        if int(key.max(initial=0)) >= (2**62) // width:
            key = pd.factorize(key)[0].astype("int64")
        key = key * width + codes.astype("int64")
    return key


def _without_summary(frame: pd.DataFrame, file: str, problems: Problems) -> int:
    """The number of rows that are data: a trailing summary row (``Summa``, ``Totalt``) is
    not, and is skipped with a warning."""
    if frame.empty:
        return 0
    last = frame.drop(columns="_line").iloc[-1]
    first_value = next((v for v in last if v), "")
    if first_value.casefold().rstrip(":") in SUMMARY_WORDS:
        line = int(frame["_line"].iat[-1])
        problems.add("summeringsrad", file, [line], None, first_value, "summeringsrad hoppas över")
        return len(frame) - 1
    return len(frame)
