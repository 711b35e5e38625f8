"""The rules of matningar: an answer belongs to an enrolled person and lies on its item's
scale."""

from __future__ import annotations

import numpy as np

from ..coding import positions
from .common import Rows, require_person, taken


def check(rows: Rows):
    df, config, file, problems = rows.df, rows.config, rows.file, rows.problems
    ok = require_person(df, ~rows.bad, rows.deltagare, rows.rejected, file, problems)
    item = positions(df["fraga"], [i.code for i in config.instrument])
    lo = np.append([i.min for i in config.instrument], np.nan)[item]
    hi = np.append([i.max for i in config.instrument], np.nan)[item]
    v = df["varde"].to_numpy(dtype="float64")
    outside = ok & (item >= 0) & ((v < lo) | (v > hi))
    if outside.any():
        msgs = [
            f"värdet ligger utanför frågans skala {int(a)}–{int(b)}"
            for a, b in zip(lo[outside], hi[outside], strict=True)
        ]
        problems.add(
            "utanfor_skala",
            file,
            df["_line"].to_numpy()[outside],
            "varde",
            [str(int(x)) for x in v[outside]],
            msgs,
        )
    ok &= ~outside
    del item, lo, hi, v, outside  # freed before the accepted rows are copied
    out = taken(df, ok)  # ``df`` is given up for it
    out["varde"] = out["varde"].astype("int64")
    return out
