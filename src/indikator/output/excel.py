"""Excel output (openpyxl): one sheet per delprojekt and TOTALT laid out like the table, and the
tidy table. Numbers are numbers and shares carry a percent format, so utredare can compute on
them; a figure without value shows the symbol of Swedish official statistics as text."""

from __future__ import annotations

import contextlib
import io

from ..catalog import MEAN, SHARE, SUM
from ..vocabulary import SCOPES, SUPPRESSED
from ..vocabulary import TIDY_COLUMNS as COLUMNS
from .layout import SYMBOL, codes_of, column_header, figure_columns, row_label

FORMAT = {SHARE: "0 %", MEAN: "0.0", SUM: "0.0"}


def _sheet_name(code: str, used: set[str]) -> str:
    name = "".join(ch for ch in code if ch not in "[]:*?/\\\\")[:31] or "Blad"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def figures(report) -> bytes:
    """The workbook, written row by row (openpyxl's write-only mode: a batch's reports hold
    tens of thousands of cells, and a normal workbook keeps an object per cell). Widths and
    frozen panes are set before a sheet's first row: write-only writes them first."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    buf = io.BytesIO()
    try:
        _fill(wb, report)
        wb.save(buf)
    except BaseException:  # Ctrl-C, SIGTERM or an error half-way: close the sheets first
        _abandon(wb)
        raise
    return buf.getvalue()


def _abandon(wb) -> None:
    """Close a half-built write-only workbook's sheets while their temporary files are open.
    Left to the garbage collector, a sheet's row stream could be closed after its file and
    Python would print "Exception ignored … I/O operation on closed file" with a traceback
    under the "avbrutet" message."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            ws.close()


def _fill(wb, report) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    tidy, config = report.tidy, report.config
    used: set[str] = set()
    columns, codes = figure_columns(tidy), codes_of(tidy, config)
    lead = 3 if codes else 2  # Kod, Indikator, Period
    bold = Font(bold=True)
    catalog = config.indicators

    about = [x for x in (report.title, report.protection, report.footer) if x]
    if about:  # first: what the report is, and whether its figures are exact or protected
        sheet = wb.create_sheet("Om rapporten")
        used.add("Om rapporten")
        sheet.column_dimensions["A"].width = 120
        sheet.append(_cells(sheet, [about[0]], bold))
        for line in about[1:]:
            sheet.append([line])
    for group, block in tidy.groupby("delprojekt", sort=False):
        ws = wb.create_sheet(_sheet_name(group, used))
        first = ["Kod", "Indikator", "Period"] if codes else ["Indikator", "Period"]
        rows = [_cells(ws, [*first, *(column_header(s, k) for s, k in columns)], bold)]
        index = {
            (r.period, r.indikator, r.dimension, r.omfang, r.kon): r
            for r in block.itertuples(index=False)
        }
        seen = dict.fromkeys(
            (r.period, r.indikator, r.dimension)
            for r in block.itertuples(index=False)
            if not r.indikator.endswith("_fore_efter")  # shown as matrices below
        )
        for period, ind, dim in seen:
            row = [row_label(config, ind, dim), period]
            if codes:
                row.insert(0, codes.get(ind, ""))
            fmt = FORMAT.get(catalog[ind].kind, "0") if ind in catalog else "General"
            for s, k in columns:
                r = index.get((period, ind, dim, s, k))
                if r is None:
                    row.append(None)
                elif r.status in SYMBOL:
                    row.append(SYMBOL[r.status])
                else:
                    row.append(float(r.varde))
            rows.append(_cells(ws, row, formats=[None] * lead + [fmt] * len(columns)))
        for period in dict.fromkeys(block["period"]):
            for scope in SCOPES:
                for m in report.matrices.get((period, scope, group), []):
                    rows.extend(_matrix(ws, m, period, scope, bold))
        ws.freeze_panes = f"{get_column_letter(lead + 1)}2"
        label = [_value(r[lead - 2]) if len(r) > lead - 2 else None for r in rows]
        ws.column_dimensions[get_column_letter(lead - 1)].width = min(
            90, max(len(str(v or "")) for v in label) + 2
        )
        ws.column_dimensions[get_column_letter(lead)].width = 10
        if codes:
            ws.column_dimensions["A"].width = max(8, *(len(c) + 2 for c in codes.values()))
        for i in range(lead + 1, lead + 1 + len(columns)):
            ws.column_dimensions[get_column_letter(i)].width = 16
        for row in rows:
            ws.append(row)
    ws = wb.create_sheet("Tidy")
    ws.freeze_panes = "A2"
    for i, c in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c) + 4)
    ws.append(_cells(ws, COLUMNS, bold))
    for row in tidy[COLUMNS].itertuples(index=False):
        ws.append([None if isinstance(v, float) and v != v else v for v in row])


def _cells(ws, values, font=None, formats=None) -> list:
    """One row for a write-only sheet: plain values, except cells in ``font`` (every one) or
    floats with a number format (``formats``, one per column or None)."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for i, v in enumerate(values):
        fmt = formats[i] if formats else None
        if font is None and (fmt is None or not isinstance(v, float)):
            out.append(v)
            continue
        cell = WriteOnlyCell(ws, value=v)
        if font is not None:
            cell.font = font
        if fmt is not None:
            cell.number_format = fmt
        out.append(cell)
    return out


def _value(cell):
    return getattr(cell, "value", cell)


def _matrix(ws, m, period: str, scope: str, bold) -> list[list]:
    """A before/after matrix under the figures: numbers as numbers, ``..`` where suppressed."""

    def value(v):
        return SYMBOL[SUPPRESSED] if v is None else v

    title = f"{m.title} · {'perioden' if scope == 'period' else 'ackumulerat'}"
    rows = [
        [],
        [*_cells(ws, [title], bold), period],
        _cells(ws, ["Före \\ efter", "", *m.columns, "Summa"], bold),
    ]
    for r, row, total in zip(m.rows, m.cells, m.row_sums, strict=True):
        rows.append([r, "", *map(value, row), value(total)])
    rows.append(["Summa", "", *map(value, m.column_sums), value(m.total)])
    rows.append([])
    rows.append(_cells(ws, ["Kategori", "", "Efter − före", "Procentenheter"], bold))
    for c, diff, points in m.changes:
        rows.append([c, "", value(diff), value(None if points is None else round(points, 1))])
    return rows
