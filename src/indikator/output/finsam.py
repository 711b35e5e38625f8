"""The Uppföljning Finsam report as a person types from it: a terminal table, CSV for
Swedish Excel (``;``, UTF-8 with BOM) and an xlsx workbook. Every format opens with the line
that says the counts are exact and not for publication."""

from __future__ import annotations

import io

from ..finsam import HEADER, MEASURES
from .layout import SYMBOL, group_title

HEADERS = ["Insats", "Mått", "Kvinnor", "Män", "Icke-binära", "Kön okänt", "Totalt"]
VALUES = ["kvinnor", "man", "icke_binara", "kon_okant", "totalt"]


def _rows(report) -> list[list]:
    """[insats, mått, values …] with numbers as numbers, an empty cell where a measure has
    no kön split, and the symbol of saknar_data where there is no export."""
    out = []
    for r in report.table.itertuples(index=False):
        values = [getattr(r, c) for c in VALUES]
        if r.status != "ok":
            values = [None] * (len(VALUES) - 1) + [SYMBOL[r.status]]
        else:
            values = [None if v != v else int(v) for v in values]
        out.append([group_title(report.config, r.delprojekt), MEASURES[r.matt], *values])
    return out


def title(report) -> str:
    return f"Uppföljning Finsam {report.year.label} – {report.config.project.name}. {HEADER}"


def text(report) -> str:
    """One block per insats, as the web form asks for them one at a time."""
    from tabulate import tabulate

    out = [title(report), ""]
    blocks: dict[str, list] = {}
    for insats, *rest in _rows(report):
        blocks.setdefault(insats, []).append(["" if v is None else str(v) for v in rest])
    for insats, body in blocks.items():
        table = tabulate(body, headers=HEADERS[1:], tablefmt="simple", disable_numparse=True)
        out += [insats, table, ""]
    return "\n".join(out)


def csv(report) -> str:
    """With a byte order mark, also on stdout: ``indikator finsam … > fil.csv`` opens in
    Swedish Excel with å, ä and ö intact."""
    import csv as csvlib

    buf = io.StringIO("\ufeff")
    buf.seek(1)
    w = csvlib.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([title(report)])
    w.writerow(["År", *HEADERS])
    for row in _rows(report):
        w.writerow([report.year.label, *("" if v is None else v for v in row)])
    return buf.getvalue()


def xlsx(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"Finsam {report.year.label}"
    ws.append([title(report)])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        ws.append(row)
    ws.freeze_panes = "C4"
    ws.column_dimensions["A"].width = (
        max(len(r[0]) for r in _rows(report)) + 2 if len(report.table) else 20
    )
    ws.column_dimensions["B"].width = max(len(m) for m in MEASURES.values()) + 2
    for letter in "CDEFG":
        ws.column_dimensions[letter].width = 13
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
