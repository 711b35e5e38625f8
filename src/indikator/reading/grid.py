"""The cells of a file from its header on, as dictionary-encoded columns, whoever read them.

A column is ``Cells``: each row's code into the column's distinct cells. An export of ten
million activity rows has a few hundred thousand distinct ids, a few thousand dates and a
handful of codes: trimming, emptiness, validation and comparison are done once per distinct
cell, and the rows are integers from the parser to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def line_type(largest: int) -> str:
    """The type of line numbers up to ``largest``: int32 where they fit (any file under two
    billion lines), else int64. The one rule for the reader, which decides it from a text's
    size before any line is read, and for the typed rows (``schema.narrow_lines``): ten
    million activities' line numbers are 40 MB in int32, 80 MB in int64."""
    return "int32" if largest < np.iinfo(np.int32).max else "int64"


@dataclass
class Cells:
    """One column: ``codes`` (int32, one per row) index ``values`` (distinct stripped cells,
    a pyarrow string array)."""

    codes: np.ndarray
    values: object

    def __len__(self) -> int:
        return len(self.codes)

    def empty(self) -> np.ndarray:
        """Per row: the cell is empty."""
        blank = self._blank()
        return np.append(blank, True)[self.codes] if len(blank) else np.ones(len(self), bool)

    def _blank(self) -> np.ndarray:
        """Per distinct cell: it is empty."""
        import pyarrow.compute as pc

        return pc.equal(self.values, "").to_numpy(zero_copy_only=False)

    def strings(self) -> list[str]:
        """Every row's cell (for tests and small files; never for a large export)."""
        return self.values.take(self.codes).to_pylist() if len(self) else []

    def filter(self, keep: np.ndarray) -> Cells:
        return self if keep.all() else Cells(self.codes[keep], self.values)


@dataclass
class Grid:
    """The cells of a file from its header on: header, then data rows with their line numbers."""

    header: list[str]
    header_line: int
    lines: np.ndarray  # line number of each data row
    columns: list[Cells]  # stripped cells per header column
    too_many: np.ndarray  # row has non-empty cells beyond the header's width
    empty: np.ndarray  # every cell of the row is empty
    unclosed: np.ndarray  # column index where a quote opens and never closes, else -1


def encoded(column, stripped: bool = True) -> Cells:
    """Cells from an Arrow column of strings, plain or dictionary-encoded (as the CSV parser
    gives them, one dictionary per chunk): the distinct cells stripped of surrounding
    whitespace (as ``str.strip``: NBSP and other Unicode spaces), equal stripped cells one
    code. ``stripped=False``: the distinct cells as they are, for pieces of a file that are
    stripped once merged (``merged``, then ``strip``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_dictionary(column.type):
            column = column.unify_dictionaries()
            if column.num_chunks == 0:
                return Cells(np.zeros(0, dtype="int32"), pa.array([], pa.string()))
            dictionary = column.chunk(0).dictionary
            parts = [c.indices.to_numpy(zero_copy_only=False) for c in column.chunks]
            indices = np.concatenate(parts).astype("int32", copy=False)
            return _cells(indices, dictionary, stripped)
        column = column.combine_chunks()
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    indices = column.indices.to_numpy(zero_copy_only=False).astype("int32", copy=False)
    return _cells(indices, column.dictionary, stripped)


def _cells(indices: np.ndarray, dictionary, stripped: bool) -> Cells:
    import pyarrow as pa

    if dictionary.type != pa.string():
        dictionary = dictionary.cast(pa.string())
    return strip(Cells(indices, dictionary)) if stripped else Cells(indices, dictionary)


class Growing:
    """An array filled piece by piece to a length known only at the end. The estimate costs
    nothing beyond the rows written (pages never written are never resident), and a larger
    array is the same block grown in place (``realloc``: a large block is remapped, not
    copied)."""

    def __init__(self, capacity: int, dtype: str) -> None:
        self.data = np.empty(max(capacity, 1), dtype=dtype)
        self.n = 0
        self.done = False

    def add(self, values: np.ndarray) -> None:
        if self.done:  # growing in place would leave the array handed out pointing nowhere
            raise RuntimeError("Growing.add after array()")
        end = self.n + len(values)
        if end > len(self.data):
            self.data.resize(max(end, len(self.data) * 3 // 2), refcheck=False)
        self.data[self.n : end] = values
        self.n = end

    def array(self) -> np.ndarray:
        """The rows added (a view: nothing is added after)."""
        self.done = True
        return self.data[: self.n]


class Gathered:
    """One column of a file read piece by piece: each piece's codes copied into one array as
    the piece is parsed (its Arrow buffers freed with the piece), its distinct cells kept;
    ``cells`` renumbers the codes in place, equal cells one code. The pieces' codes and the
    merged ones are never held side by side (a national ``aktiviteter``: 300 MB less)."""

    def __init__(self, capacity: int) -> None:
        self.codes = Growing(capacity, "int32")
        self.values: list = []  # each piece's distinct cells
        self.sizes: list[int] = []  # each piece's rows

    def add(self, piece: Cells) -> None:
        self.codes.add(piece.codes)
        self.values.append(piece.values)
        self.sizes.append(len(piece))

    def cells(self) -> Cells:
        import pyarrow as pa
        import pyarrow.compute as pc

        codes = self.codes.array()
        if len(self.values) <= 1:
            return Cells(codes, self.values[0] if self.values else pa.array([], pa.string()))
        together = pc.dictionary_encode(pa.concat_arrays(self.values))
        remap = together.indices.to_numpy(zero_copy_only=False).astype("int32", copy=False)
        row = offset = 0
        for values, size in zip(self.values, self.sizes, strict=True):
            # each piece's codes (never -1: the parser gives no nulls) renumbered in place
            if len(values):
                piece = codes[row : row + size]
                np.take(remap[offset : offset + len(values)], piece, out=piece, mode="clip")
            row += size
            offset += len(values)
        self.values = []
        return Cells(codes, together.dictionary)


def strip(cells: Cells) -> Cells:
    """The cells stripped of surrounding whitespace, equal stripped cells one code. The
    distinct cells keep their order of first appearance, stripped or not: stripping the
    pieces of a file one by one and then merging them gives the same ``Cells`` as merging
    first and stripping once (which strips each distinct cell once, not once per piece)."""
    import pyarrow.compute as pc

    stripped = pc.dictionary_encode(pc.utf8_trim_whitespace(cells.values))
    if len(stripped.dictionary) == len(cells.values):  # nothing merged: the codes stand
        return Cells(cells.codes, stripped.dictionary)
    remap = stripped.indices.to_numpy(zero_copy_only=False).astype("int32")
    return Cells(remap[cells.codes], stripped.dictionary)


def empty_rows(columns: list[Cells], n: int) -> np.ndarray:
    """Per row: every cell is empty. A column with no empty cell at all (an id column, as a
    rule) answers for every row at once: no row of ten million is gathered."""
    if any(_never_empty(c) for c in columns):
        return np.zeros(n, dtype=bool)
    empty = np.ones(n, dtype=bool)
    for col in columns:
        empty &= col.empty()
    return empty


def _never_empty(cells: Cells) -> bool:
    """No distinct cell is empty and no row lacks one (code -1, a missing cell)."""
    if not len(cells.values) or cells._blank().any():
        return False
    return not len(cells.codes) or int(cells.codes.min()) >= 0


def grid_of(records: list[tuple[int, list[str], int]]) -> Grid:
    """A grid from (line, cells, unclosed column) records, the first being the header."""
    import pyarrow as pa

    (header_line, header, _), data = records[0], records[1:]
    width = len(header)
    padded = [r if len(r) == width else (r + [""] * width)[:width] for _, r, _ in data]
    cells = list(zip(*padded, strict=True)) if padded else [()] * width
    columns = [encoded(pa.array(c, type=pa.string())) for c in cells]
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
