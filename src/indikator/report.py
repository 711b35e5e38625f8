"""The validation report in Swedish: rows read/accepted/rejected per file, then each problem."""

from __future__ import annotations

import pandas as pd

from .problems import ERROR, WARNING, FileCount, format_problem


def count_lines(counts: list[FileCount]) -> list[str]:
    return [
        f"{c.file}: {c.read} rader lästa, {c.accepted} godkända, {c.rejected} avvisade"
        for c in counts
    ]


def problem_lines(problems: pd.DataFrame, limit: int | None = None) -> list[str]:
    rows = list(problems.itertuples(index=False))
    shown = rows if limit is None else rows[:limit]
    lines = [format_problem(r) for r in shown]
    if limit is not None and len(rows) > limit:
        lines.append(
            f"… och {len(rows) - limit} problem till; kör `indikator validate` för hela listan"
        )
    return lines


def summary(counts: list[FileCount], problems: pd.DataFrame) -> str:
    errors = int((problems["niva"] == ERROR).sum()) if len(problems) else 0
    warnings = int((problems["niva"] == WARNING).sum()) if len(problems) else 0
    rejected = sum(c.rejected for c in counts)
    read = sum(c.read for c in counts)
    return f"{read} rader lästa i {len(counts)} filer: {rejected} avvisade rader ({errors} fel), {warnings} varningar"
