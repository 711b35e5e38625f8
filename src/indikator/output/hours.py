"""The ESF participant report (person-level: written to an owner-only file, never shown):
CSV for Swedish Excel (``;``, decimal comma, UTF-8 with BOM), or an xlsx workbook."""

from __future__ import annotations

import io

import pandas as pd


def csv(table: pd.DataFrame) -> bytes:
    text = table.to_csv(sep=";", index=False, decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def xlsx(table: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Deltagartimmar"
    ws.append(list(table.columns))
    for row in table.itertuples(index=False):
        ws.append(list(row))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
