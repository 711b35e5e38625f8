"""Spreadsheet exports: the first sheet of a workbook (python-calamine reads xlsx, xlsm,
xlsb, xls and ods), each cell as the text a CSV export would hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import FileError
from .grid import Grid, grid_of


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


class Sheet:
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
        return grid_of(rows) if rows else None
