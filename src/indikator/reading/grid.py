"""The cells of a file from its header on, as Arrow string columns, whoever read them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def trim(column):
    """Cells without surrounding whitespace (as ``str.strip``: NBSP and other Unicode spaces)."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(column)


def grid_of(records: list[tuple[int, list[str], int]]) -> Grid:
    """A grid from (line, cells, unclosed column) records, the first being the header."""
    import pyarrow as pa

    (header_line, header, _), data = records[0], records[1:]
    width = len(header)
    padded = [r if len(r) == width else (r + [""] * width)[:width] for _, r, _ in data]
    cells = list(zip(*padded, strict=True)) if padded else [()] * width
    columns = [trim(pa.array(c, type=pa.string())) for c in cells]
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
