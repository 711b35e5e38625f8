"""Registration templates: one Excel workbook per export, so that data arrives in the shape the
tool reads. The first sheet has the headers the reader always understands, column widths, date
formats and drop-down lists of the configured codes (Excel data validation); a second sheet is
the one-page instruction; a hidden third holds the lists."""

from __future__ import annotations

import io

from .config import Config
from .schema import COLUMN_TEXT, ESF_COLUMNS, EXPORTS, codebooks

EXPORT_TEXT = {
    "deltagare": "En rad per inskrivning: samma person kan skrivas in igen, i samma eller ett "
    "annat delprojekt. Anonyma deltagare får en pseudonym i stället för personnummer.",
    "aktiviteter": "En rad per tillfälle en deltagare fått en insats. Delprojekt kan lämnas tomt "
    "när personen bara har en inskrivning som täcker datumet.",
    "matningar": "En rad per svar på en fråga i självskattningen (vid start, var tredje månad och "
    "vid avslut).",
    "uppfoljningar": "En rad per uppföljning efter avslut: 90 dagar, 6 eller 12 månader. "
    "Slutdatum anger vilken inskrivning som följs upp (tomt: den senaste avslutade).",
    "remisser": "En rad per remiss till projektet.",
    "organisationsaktiviteter": "En rad per aktivitet och myndighet: ett möte med tre "
    "myndigheter är tre rader med samma aktivitets-id.",
}
ROWS = 1000  # rows prepared with formats and lists
BOOL = ("ja", "nej")


def _choices(kind: str, books, config: Config) -> list[str] | None:
    if kind == "kon":
        return ["K", "M", "X"]
    if kind == "bool":
        return list(BOOL)
    if kind.startswith("code:"):
        name = kind[5:]
        return [_label(config, name, code) for code in books[name].codes]
    return None


def _label(config: Config, book: str, code: str) -> str:
    """What a person picks for a code: its label (the reader takes codes and labels)."""
    lists = {
        "delprojekt": {d.code: d.label for d in config.delprojekt},
        "fraga": {i.code: i.label for i in config.instrument},
        "tidpunkt": {"90D": "90D", "6M": "6M", "12M": "12M"},
        "utfall": {
            "INSKRIVEN": "Inskriven",
            "EJ_INSKRIVEN": "Ej inskriven",
            "PAGAENDE": "Pågående",
        },
    }
    if book in lists:
        return lists[book].get(code, code)
    return config.label(book, code)


def workbook(export: str, config: Config) -> bytes:
    """The registration template of ``export`` as xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    books = codebooks(config)
    columns = EXPORTS[export].columns()
    if config.esf is None:  # the ESF characteristics only where the project reports to ESF
        columns = {c: col for c, col in columns.items() if c not in ESF_COLUMNS}
    wb = Workbook()
    ws = wb.active
    ws.title = "Registrering"
    lists = wb.create_sheet("Instruktion")
    codes = wb.create_sheet("Listor")
    codes.sheet_state = "hidden"
    bold = Font(bold=True)
    ws.append([COLUMN_TEXT[c][0] for c in columns])
    for cell in ws[1]:
        cell.font = bold
    ws.freeze_panes = "A2"
    for j, (name, col) in enumerate(columns.items(), start=1):
        letter = get_column_letter(j)
        header, _ = COLUMN_TEXT[name]
        choices = _choices(col.kind, books, config)
        width = max(len(header), *(len(c) for c in choices or [""])) + 2
        ws.column_dimensions[letter].width = min(max(width, 14), 60)
        where = f"{letter}2:{letter}{ROWS + 1}"
        if col.kind == "date":
            for row in range(2, ROWS + 2):
                ws[f"{letter}{row}"].number_format = "YYYY-MM-DD"
        if col.kind == "id":
            for row in range(2, ROWS + 2):
                ws[f"{letter}{row}"].number_format = "@"  # text: Excel must not make it a number
        if choices:
            codes.cell(row=1, column=j, value=header)
            for i, choice in enumerate(choices, start=2):
                codes.cell(row=i, column=j, value=choice)
            last = len(choices) + 1
            rule = DataValidation(
                type="list",
                formula1=f"=Listor!${letter}$2:${letter}${last}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Okänt värde",
                error="Välj ett värde ur listan.",
            )
            ws.add_data_validation(rule)
            rule.add(where)
    lists.append([f"Så fyller du i {export}"])
    lists["A1"].font = Font(bold=True, size=14)
    lists.append([EXPORT_TEXT[export]])
    lists.append([])
    lists.append(["Kolumn", "Obligatorisk", "Vad som skrivs"])
    for cell in lists[4]:
        cell.font = bold
    for name, col in columns.items():
        header, text = COLUMN_TEXT[name]
        lists.append([header, "ja" if col.required else "nej", text])
    lists.append([])
    lists.append(
        [
            "Spara som .xlsx med bladet Registrering först, eller som CSV (UTF-8). "
            "Kontrollera med `indikator validate`."
        ]
    )
    lists.column_dimensions["A"].width = 26
    lists.column_dimensions["B"].width = 14
    lists.column_dimensions["C"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
