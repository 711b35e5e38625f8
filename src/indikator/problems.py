"""Row errors and warnings, collected column-wise so millions of them stay cheap.

Every problem carries file, line (1 = header; for xlsx the sheet row), column, the offending
value (always masked) and a short Swedish message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .masking import mask

ERROR = "fel"
WARNING = "varning"
COLUMNS = ["fil", "rad", "kolumn", "varde", "meddelande", "niva"]


@dataclass
class FileCount:
    """Rows read = accepted + rejected, per file."""

    export: str
    file: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0


@dataclass
class Problems:
    chunks: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        file: str,
        lines,
        column: str | None,
        values,
        message,
        level: str = ERROR,
    ) -> None:
        """Add one problem per line; ``values`` and ``message`` may be scalars or arrays."""
        lines = np.atleast_1d(np.asarray(lines, dtype="int64"))
        if len(lines) == 0:
            return
        n = len(lines)
        vals = pd.Series(np.broadcast_to(np.asarray(values, dtype=object), (n,)))
        vals = vals.map(lambda v: "" if v is None or v != v else mask(v))
        self.chunks.append(
            pd.DataFrame(
                {
                    "fil": file,
                    "rad": lines,
                    "kolumn": column or "",
                    "varde": vals.to_numpy(),
                    "meddelande": np.broadcast_to(np.asarray(message, dtype=object), (n,)),
                    "niva": level,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.chunks:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
        df = pd.concat(self.chunks, ignore_index=True)
        df["meddelande"] = df["meddelande"].map(mask)
        return df.sort_values(["fil", "rad", "kolumn"], kind="stable").reset_index(drop=True)

    def rejected_lines(self, file: str) -> np.ndarray:
        lines = [
            c["rad"].to_numpy()
            for c in self.chunks
            if len(c) and c["fil"].iat[0] == file and c["niva"].iat[0] == ERROR
        ]
        return np.unique(np.concatenate(lines)) if lines else np.array([], dtype="int64")


def format_problem(row) -> str:
    where = f"{row.fil}:{row.rad}" if row.rad else row.fil
    col = f", kolumn {row.kolumn}" if row.kolumn else ""
    val = f", värde '{row.varde}'" if row.varde else ""
    return f"{row.niva}: {where}{col}{val}: {row.meddelande}"
