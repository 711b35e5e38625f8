"""Excel output (openpyxl): one sheet per delprojekt and TOTALT laid out like the table, and the
tidy table. Numbers are numbers and shares carry a percent format, so utredare can compute on
them; a figure without value shows the symbol of Swedish official statistics as text."""

from __future__ import annotations

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
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    tidy, config = report.tidy, report.config
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    columns, codes = figure_columns(tidy), codes_of(tidy, config)
    lead = 3 if codes else 2  # Kod, Indikator, Period
    bold = Font(bold=True)
    for group, block in tidy.groupby("delprojekt", sort=False):
        ws = wb.create_sheet(_sheet_name(group, used))
        first = ["Kod", "Indikator", "Period"] if codes else ["Indikator", "Period"]
        ws.append([*first, *(column_header(s, k) for s, k in columns)])
        for cell in ws[1]:
            cell.font = bold
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
            formats = []
            for s, k in columns:
                r = index.get((period, ind, dim, s, k))
                if r is None:
                    row.append(None)
                elif r.status in SYMBOL:
                    row.append(SYMBOL[r.status])
                else:
                    row.append(float(r.varde))
                catalog = config.indicators
                formats.append(FORMAT.get(catalog[ind].kind, "0") if ind in catalog else "General")
            ws.append(row)
            for cell, fmt in zip(ws[ws.max_row][lead:], formats, strict=True):
                if isinstance(cell.value, float):
                    cell.number_format = fmt
        for period in dict.fromkeys(block["period"]):
            for scope in SCOPES:
                for m in report.matrices.get((period, scope, group), []):
                    _matrix(ws, m, period, scope, bold)
        ws.freeze_panes = f"{get_column_letter(lead + 1)}2"
        label = get_column_letter(lead - 1)
        ws.column_dimensions[label].width = min(
            90, max(len(str(c.value or "")) for c in ws[label]) + 2
        )
        ws.column_dimensions[get_column_letter(lead)].width = 10
        if codes:
            ws.column_dimensions["A"].width = max(8, *(len(c) + 2 for c in codes.values()))
        for i in range(lead + 1, lead + 1 + len(columns)):
            ws.column_dimensions[get_column_letter(i)].width = 16
    about = [x for x in (report.title, report.protection, report.footer) if x]
    if about:  # first: what the report is, and whether its figures are exact or protected
        sheet = wb.create_sheet("Om rapporten", 0)
        for line in about:
            sheet.append([line])
        sheet["A1"].font = bold
        sheet.column_dimensions["A"].width = 120
    ws = wb.create_sheet("Tidy")
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = bold
    for row in tidy[COLUMNS].itertuples(index=False):
        ws.append([None if isinstance(v, float) and v != v else v for v in row])
    ws.freeze_panes = "A2"
    for i, c in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c) + 4)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _matrix(ws, m, period: str, scope: str, bold) -> None:
    """A before/after matrix under the figures: numbers as numbers, ``..`` where suppressed."""

    def value(v):
        return SYMBOL[SUPPRESSED] if v is None else v

    ws.append([])
    ws.append([f"{m.title} · {'perioden' if scope == 'period' else 'ackumulerat'}", period])
    ws[ws.max_row][0].font = bold
    ws.append(["Före \\ efter", "", *m.columns, "Summa"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for r, row, total in zip(m.rows, m.cells, m.row_sums, strict=True):
        ws.append([r, "", *map(value, row), value(total)])
    ws.append(["Summa", "", *map(value, m.column_sums), value(m.total)])
    ws.append([])
    ws.append(["Kategori", "", "Efter − före", "Procentenheter"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for c, diff, points in m.changes:
        ws.append([c, "", value(diff), value(None if points is None else round(points, 1))])
