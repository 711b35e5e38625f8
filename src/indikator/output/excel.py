"""Excel output (XlsxWriter): one sheet per delprojekt and TOTALT laid out like the table, and
the tidy table. Numbers are numbers and shares carry a percent format, so utredare can compute
on them; a figure without value shows the symbol of Swedish official statistics as text.

XlsxWriter rather than openpyxl (which writes the other workbooks): a batch writes four reports
of a hundred thousand cells each, and XlsxWriter writes a cell in about half of openpyxl's
time (``docs/prestanda.md``). Text is always written as text: never a formula (a label that
begins with "="), never a link."""

from __future__ import annotations

import io
from collections import namedtuple

from ..catalog import MEAN, SHARE, SUM
from ..vocabulary import SCOPES, SUPPRESSED
from ..vocabulary import TIDY_COLUMNS as COLUMNS
from .layout import SYMBOL, codes_of, column_header, figure_columns, row_label

FORMAT = {SHARE: "0 %", MEAN: "0.0", SUM: "0.0"}
_Row = namedtuple("_Row", COLUMNS)  # one row of the tidy table, as plain Python values
# in memory: no temporary files, so an interrupted workbook leaves nothing behind
OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


def _sheet_name(code: str, used: set[str]) -> str:
    name = "".join(ch for ch in code if ch not in "[]:*?/\\\\")[:31] or "Blad"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def figures(report) -> bytes:
    """The workbook's bytes."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, OPTIONS)
    _fill(wb, report)
    wb.close()
    return buf.getvalue()


class _Sheet:
    """Rows appended to a worksheet one after the other; a row's cells plain, all in one
    format (``fmt``), or each in its own (a list, None for plain)."""

    def __init__(self, ws) -> None:
        self.ws, self.row = ws, 0

    def append(self, values: list, fmt=None) -> None:
        if fmt is None:
            self.ws.write_row(self.row, 0, values)
        elif isinstance(fmt, list):
            for col, (v, f) in enumerate(zip(values, fmt, strict=True)):
                self.ws.write(self.row, col, v, f)  # None: XlsxWriter's own default, plain
        else:
            self.ws.write_row(self.row, 0, values, fmt)
        self.row += 1


def _fill(wb, report) -> None:
    tidy, config = report.tidy, report.config
    used: set[str] = set()
    columns, codes = figure_columns(tidy), codes_of(tidy, config)
    lead = 3 if codes else 2  # Kod, Indikator, Period
    bold = wb.add_format({"bold": True})
    number = {kind: wb.add_format({"num_format": f}) for kind, f in FORMAT.items()}
    integer = wb.add_format({"num_format": "0"})
    catalog = config.indicators

    about = [x for x in (report.title, report.protection, report.footer) if x]
    if about:  # first: what the report is, and whether its figures are exact or protected
        ws = wb.add_worksheet("Om rapporten")
        used.add("Om rapporten")
        ws.set_column(0, 0, 120)
        sheet = _Sheet(ws)
        sheet.append([about[0]], bold)
        for line in about[1:]:
            sheet.append([line])
    # the table's columns as Python lists, once: Arrow-backed strings taken one value at a time
    # cost more than writing them
    records = [_Row._make(r) for r in zip(*(tidy[c].tolist() for c in COLUMNS), strict=True)]
    groups: dict[str, list[_Row]] = {}
    for r in records:
        groups.setdefault(r.delprojekt, []).append(r)
    for group, block in groups.items():
        ws = wb.add_worksheet(_sheet_name(group, used))
        first = ["Kod", "Indikator", "Period"] if codes else ["Indikator", "Period"]
        rows: list[tuple[list, object]] = [
            ([*first, *(column_header(s, k) for s, k in columns)], bold)
        ]
        index = {(r.period, r.indikator, r.dimension, r.omfang, r.kon): r for r in block}
        seen = dict.fromkeys(
            (r.period, r.indikator, r.dimension)
            for r in block
            if not r.indikator.endswith("_fore_efter")  # shown as matrices below
        )
        for period, ind, dim in seen:
            row = [row_label(config, ind, dim), period]
            if codes:
                row.insert(0, codes.get(ind, ""))
            fmt = number.get(catalog[ind].kind, integer) if ind in catalog else None
            formats = [None] * lead
            for s, k in columns:
                r = index.get((period, ind, dim, s, k))
                if r is None:
                    row.append(None)
                    formats.append(None)
                elif r.status in SYMBOL:
                    row.append(SYMBOL[r.status])
                    formats.append(None)
                else:
                    row.append(float(r.varde))
                    formats.append(fmt)
            rows.append((row, formats))
        for period in dict.fromkeys(r.period for r in block):
            for scope in SCOPES:
                for m in report.matrices.get((period, scope, group), []):
                    rows.extend(_matrix(m, period, scope, bold))
        ws.freeze_panes(1, lead)
        label = [r[lead - 2] if len(r) > lead - 2 else None for r, _ in rows]
        ws.set_column(lead - 2, lead - 2, min(90, max(len(str(v or "")) for v in label) + 2))
        ws.set_column(lead - 1, lead - 1, 10)
        if codes:
            ws.set_column(0, 0, max(8, *(len(c) + 2 for c in codes.values())))
        ws.set_column(lead, lead + len(columns) - 1, 16)
        sheet = _Sheet(ws)
        for cells, fmt in rows:
            sheet.append(cells, fmt)
    ws = wb.add_worksheet("Tidy")
    ws.freeze_panes(1, 0)
    for i, c in enumerate(COLUMNS):
        ws.set_column(i, i, max(12, len(c) + 4))
    sheet = _Sheet(ws)
    sheet.append(list(COLUMNS), bold)
    for r in records:
        sheet.append([None if v != v else v for v in r])  # NaN (no value): an empty cell


def _matrix(m, period: str, scope: str, bold) -> list[tuple[list, object]]:
    """A before/after matrix under the figures: numbers as numbers, ``..`` where suppressed;
    as (values, format) rows."""

    def value(v):
        return SYMBOL[SUPPRESSED] if v is None else v

    title = f"{m.title} · {'perioden' if scope == 'period' else 'ackumulerat'}"
    rows: list[tuple[list, object]] = [
        ([], None),
        ([title, period], [bold, None]),
        (["Före \\ efter", "", *m.columns, "Summa"], bold),
    ]
    for r, row, total in zip(m.rows, m.cells, m.row_sums, strict=True):
        rows.append(([r, "", *map(value, row), value(total)], None))
    rows.append((["Summa", "", *map(value, m.column_sums), value(m.total)], None))
    rows.append(([], None))
    rows.append((["Kategori", "", "Efter − före", "Procentenheter"], bold))
    for c, diff, points in m.changes:
        rows.append(
            ([c, "", value(diff), value(None if points is None else round(points, 1))], None)
        )
    return rows
