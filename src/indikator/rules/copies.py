"""Exact copies: an accepted row of an event export whose every cell equals an earlier
accepted row's. Worth a warning (the same occasion registered twice, or a file pasted into
itself); each row still counts, as the contract has it (one row per occasion)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..problems import Problems

# deltagare, uppfoljningar and remisser have keys of their own: a repeated key is a row error
WARNED = ("aktiviteter", "matningar", "organisationsaktiviteter")


def exact_copies(df: pd.DataFrame, raw, problems: Problems) -> int:
    """Accepted rows that are exact copies of an earlier accepted row: a warning naming both
    lines. Both count (one row per occasion); the warning says so."""
    whole = df.index.equals(pd.RangeIndex(len(raw.row_key)))  # every row kept, in order
    key = raw.row_key if whole else raw.row_key[df.index.to_numpy()]
    ordered = np.sort(key)  # the usual answer, no copy at all, at the speed of one sort
    if not (ordered[1:] == ordered[:-1]).any():
        return 0
    copy = pd.Series(key).duplicated(keep="first").to_numpy()
    first = pd.Series(df["_line"].to_numpy()).groupby(key).transform("first").to_numpy()
    problems.add(
        "exakt_dubblett",
        raw.file,
        df["_line"].to_numpy()[copy],
        None,
        "",
        [
            f"raden är en exakt kopia av rad {n}; båda räknas (ta bort den ena om samma "
            "tillfälle har registrerats två gånger)"
            for n in first[copy]
        ],
    )
    return int(copy.sum())
