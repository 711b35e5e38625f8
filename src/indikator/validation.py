"""One validation report: what became of every row of every file (read = accepted + rejected),
and every problem with its stable code, level, file, line, column, masked value and Swedish
message, the dataset-wide warnings included. ``validate``, the report commands' summaries and
the batch's ``validering.csv`` are all rendered from it (``output.problems``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .problems import ERROR, WARNING, FileCount


@dataclass
class ValidationReport:
    counts: list[FileCount]
    problems: pd.DataFrame  # problems.COLUMNS
    kind = "validation"

    @classmethod
    def of(cls, ds) -> ValidationReport:
        return cls(ds.counts, ds.problems)

    @property
    def read(self) -> int:
        return sum(c.read for c in self.counts)

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts)

    @property
    def errors(self) -> int:
        return int((self.problems["niva"] == ERROR).sum()) if len(self.problems) else 0

    @property
    def warnings(self) -> int:
        return int((self.problems["niva"] == WARNING).sum()) if len(self.problems) else 0
