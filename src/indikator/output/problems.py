"""The validation report for people, in Swedish: rows read/accepted/rejected per file, then
the problems; and for machines, as CSV (the batch's ``validering.csv``).

``validate`` lists every problem, with each consequence under the row that caused it; report
commands (``monthly``, ``targets``, ``batch``) print a short summary instead: per kind of
problem its count and first example, causes before consequences before warnings.
"""

from __future__ import annotations

import pandas as pd

from ..problems import ERROR, WARNING, FileCount, format_problem
from ..validation import ValidationReport

SUMMARY_KINDS = 12  # kinds of problem shown in a report command's summary


def count_lines(counts: list[FileCount]) -> list[str]:
    out = []
    for c in counts:
        line = f"{c.file}: {c.read} rader lästa, {c.accepted} godkända, {c.rejected} avvisade"
        if c.duplicates:
            line += f" ({c.duplicates} är exakta kopior av tidigare rader; alla räknas)"
        out.append(line)
    return out


def problem_lines(problems: pd.DataFrame) -> list[str]:
    """Every problem in file and line order; a consequence right under its cause."""
    if problems.empty:
        return []
    consequence = (problems["kod"] == "foljdfel").to_numpy()
    under: dict[str, list] = {}
    for row in problems[consequence].itertuples(index=False):
        under.setdefault(row.orsak, []).append(row)
    lines: list[str] = []
    rows = list(problems[~consequence].itertuples(index=False))
    for i, row in enumerate(rows):
        lines.append(format_problem(row))
        here = f"{row.fil}:{row.rad}"
        last_of_line = i + 1 == len(rows) or f"{rows[i + 1].fil}:{rows[i + 1].rad}" != here
        if last_of_line:
            lines += ["  " + format_problem(r) for r in under.pop(here, [])]
    for orphans in under.values():  # a cause that is not itself listed (never expected)
        lines += [format_problem(r) for r in orphans]
    return lines


def summary_lines(report: ValidationReport) -> list[str]:
    """The short account for a report command's stderr."""
    problems = report.problems
    lines = count_lines(report.counts)
    if problems.empty:
        return lines
    rank = problems["niva"].map({ERROR: 0, WARNING: 2}) + (problems["kod"] == "foljdfel")
    ordered = problems.assign(_rank=rank.to_numpy()).sort_values("_rank", kind="stable")
    kinds = ordered.groupby("kod", sort=False)
    shown = 0
    for _, group in kinds:
        if shown == SUMMARY_KINDS:
            break
        more = len(group) - 1
        tail = f" (och {more} till)" if more else ""
        lines.append(format_problem(next(group.itertuples(index=False))) + tail)
        shown += 1
    if kinds.ngroups > shown:
        lines.append(f"… och {kinds.ngroups - shown} slag av problem till")
    lines.append("Kör `indikator validate` för hela listan.")
    return lines


def total_line(report: ValidationReport) -> str:
    return (
        f"{report.read} rader lästa i {len(report.counts)} filer: {report.rejected} avvisade "
        f"rader ({report.errors} fel), {report.warnings} varningar"
    )


def report_lines(report: ValidationReport) -> list[str]:
    """Everything ``validate`` prints: the counts, every problem, the total."""
    return [*count_lines(report.counts), *problem_lines(report.problems), total_line(report)]


def problems_csv(problems: pd.DataFrame) -> str:
    """Every problem, one row each, the columns of ``problems.COLUMNS``."""
    return problems.to_csv(index=False, lineterminator="\n")


SHEET_COLUMNS = {  # the problem list as the person who registers reads it
    "fil": "Fil",
    "rad": "Rad",
    "kolumn": "Kolumn",
    "varde": "Värde",
    "niva": "Nivå",
    "kod": "Kod",
    "meddelande": "Meddelande",
    "orsak": "Orsak",
}


def _sorted(problems: pd.DataFrame) -> pd.DataFrame:
    return problems.sort_values(["fil", "rad", "kolumn"], kind="stable")[list(SHEET_COLUMNS)]


def kinds(report: ValidationReport) -> pd.DataFrame:
    """One row per kind of problem: code, level, title, count, the first example."""
    from ..problems import KINDS

    rows = []
    for code, group in report.problems.groupby("kod", sort=False):
        first = group.iloc[0]
        rows.append(
            {
                "Kod": code,
                "Nivå": KINDS[code].level if code in KINDS else first["niva"],
                "Vad": KINDS[code].title if code in KINDS else "",
                "Antal": len(group),
                "Första": format_problem(first),
            }
        )
    return pd.DataFrame(rows, columns=["Kod", "Nivå", "Vad", "Antal", "Första"])


def sheet_csv(report: ValidationReport) -> bytes:
    """The problem list for Swedish Excel: ``;``, UTF-8 with BOM, sorted by file and line."""
    df = _sorted(report.problems).rename(columns=SHEET_COLUMNS)
    return df.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")


def sheet_xlsx(report: ValidationReport) -> bytes:
    """The problem list to fix from: every problem sorted by file and line, with an autofilter
    and a frozen header; a summary sheet per kind of problem; the rows per file."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(ws, df: pd.DataFrame, widths: dict[str, int]) -> None:
        ws.append(list(df.columns))
        for cell in ws[1]:
            cell.font = bold
        for row in df.itertuples(index=False):
            ws.append([None if v == "" else v for v in row])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, c in enumerate(df.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = widths.get(c, 14)

    problems = wb.active
    problems.title = "Problem"
    sheet(
        problems,
        _sorted(report.problems).rename(columns=SHEET_COLUMNS),
        {"Fil": 24, "Kolumn": 18, "Värde": 20, "Kod": 24, "Meddelande": 80, "Orsak": 18},
    )
    sheet(wb.create_sheet("Sammanfattning"), kinds(report), {"Kod": 26, "Vad": 50, "Första": 100})
    files = pd.DataFrame(
        [(c.file, c.read, c.accepted, c.rejected) for c in report.counts],
        columns=["Fil", "Rader lästa", "Godkända", "Avvisade"],
    )
    sheet(wb.create_sheet("Filer"), files, {"Fil": 30})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
