"""The rules of organisationsaktiviteter: the rows of one aktivitet_id agree on datum,
delprojekt and typ."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import Rows, reject


def check(rows: Rows):
    """The rows of one aktivitet_id must agree on datum, delprojekt and typ: a later row that
    disagrees with the activity's first row is a row error."""
    df = rows.df
    ok = ~rows.bad
    cand = df[ok]
    first = cand.groupby("aktivitet_id", sort=False)[["datum", "delprojekt", "typ"]].transform(
        "first"
    )
    rejected = np.zeros(len(df), dtype=bool)
    for col in ("datum", "delprojekt", "typ"):
        a, b = cand[col], first[col]
        differs = np.zeros(len(df), dtype=bool)
        differs[np.flatnonzero(ok)] = ~((a == b) | (a.isna() & b.isna())).to_numpy()
        differs &= ~rejected  # one message per row: the first column that disagrees
        reject(
            rows,
            "olika_aktivitetsuppgifter",
            differs,
            col,
            lambda at, col=col: _text(df[col][at]),
            f"{col} skiljer sig från aktivitetens första rad",
        )
        rejected |= differs
    out = df[ok & ~rejected].copy()
    out["antal_handlaggare"] = pd.to_numeric(out["antal_handlaggare"], errors="coerce")
    return out


def _text(values: pd.Series) -> pd.Series:
    """The values of the rows reported, as written in the problem list."""
    return values.dt.strftime("%Y-%m-%d") if values.dtype.kind == "M" else values.astype(str)
