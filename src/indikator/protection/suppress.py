"""Suppression table by table (``[protection] method = "undertryckning"``).

Each indicator is protected as tables of rows = delprojekt + TOTALT and columns = K, M (X), T,
one table per period, scope and dimension value. The relations K + M (+ X) = T (each row) and
Σ delprojekt = TOTALT (each column) are treated as exact. Primary suppression hides counts
0 < c < n; secondary suppression fills relations with a single hidden cell, and an audit with
linear algebra makes sure no hidden cell is determined by the shown ones.

It does not hold across tables: ackumulerat this month minus last, or a year minus its
months, gives back suppressed counts (``audit.recoverable`` finds them; the batch refuses).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..catalog import COUNT, SHARE
from ..coding import positions
from ..errors import ProtectionError
from ..vocabulary import KON_ALL, SUPPRESSED, TOTALT


@lru_cache(maxsize=64)
def relations(n_groups: int, n_kon: int) -> tuple[tuple[tuple[int, int, bool], ...], ...]:
    """Each relation as cells (row, col, is_total). The last row is TOTALT; with kön columns
    (K, M, and X for ESF+) the last column is T, their sum. (Cached: a batch asks for the
    same few shapes many thousand times.)"""
    rels = []
    if n_kon >= 3:
        for r in range(n_groups + 1):
            rels.append((*((r, c, False) for c in range(n_kon - 1)), (r, n_kon - 1, True)))
    for c in range(n_kon):
        rels.append(tuple((r, c, r == n_groups) for r in range(n_groups)) + ((n_groups, c, True),))
    return tuple(rels)


@lru_cache(maxsize=64)
def _matrix(rels, shape) -> np.ndarray:
    a = np.zeros((len(rels), shape[0] * shape[1]))
    for i, rel in enumerate(rels):
        for r, c, total in rel:
            a[i, r * shape[1] + c] = -1.0 if total else 1.0
    a.setflags(write=False)  # shared between calls
    return a


def determined(values_shape, hidden: np.ndarray, rels) -> np.ndarray:
    """Hidden cells whose value follows exactly from the shown ones: the cells on which every
    solution of the relations (restricted to the hidden cells) agrees, i.e. whose column of
    the null-space basis is zero."""
    idx = np.flatnonzero(hidden.ravel())
    out = np.zeros(hidden.size, dtype=bool)
    if len(idx) == 0:
        return out.reshape(values_shape)
    sub = _matrix(rels, values_shape)[:, idx]
    _, sing, vt = np.linalg.svd(sub)
    null = vt[int((sing > 1e-9).sum()) :]
    out[idx] = np.all(np.abs(null) < 1e-9, axis=0) if len(null) else True
    return out.reshape(values_shape)


@lru_cache(maxsize=65536)
def pattern(values: tuple[tuple[float, ...], ...], threshold: int) -> tuple[tuple[bool, ...], ...]:
    """The suppression pattern of one table (rows in delprojekt-code order, TOTALT last)."""
    v = np.asarray(values, dtype=float)
    shape = v.shape
    rels = relations(shape[0] - 1, shape[1])
    hidden = (v > 0) & (v < threshold)
    if not hidden.any():
        return tuple(map(tuple, hidden))

    def pick(rel):
        shown = [(r, c, total) for r, c, total in rel if not hidden[r, c]]
        # smallest shown cell, inner cells before totals, ties by delprojekt (row) then kön
        return min(shown, key=lambda x: (x[2], v[x[0], x[1]], x[0], x[1])) if shown else None

    while True:
        changed = True
        while changed:
            changed = False
            for rel in rels:
                if sum(hidden[r, c] for r, c, _ in rel) == 1:
                    cell = pick(rel)
                    if cell is not None:
                        hidden[cell[0], cell[1]] = True
                        changed = True
        exposed = determined(shape, hidden, rels)
        if not exposed.any():
            return tuple(map(tuple, hidden))
        r0, c0 = map(int, np.argwhere(exposed)[0])
        candidates = [pick(rel) for rel in rels if any((r, c) == (r0, c0) for r, c, _ in rel)]
        candidates = [x for x in candidates if x is not None]
        if not candidates:
            return tuple(map(tuple, hidden))  # everything in its relations is already hidden
        best = min(candidates, key=lambda x: (x[2], v[x[0], x[1]], x[0], x[1]))
        hidden[best[0], best[1]] = True


# A mean is as revealing as the count of persons behind it.
MEAN_POPULATION = {"inskrivningstid_medel_dagar": "deltagare_avslutade"}


def protected_columns(indicator: str, catalog: dict) -> list[str]:
    """Which value columns of an indicator are counts of persons or events to protect.
    Sums (hours, handläggare) are not counts of persons and are shown as they are."""
    kind = catalog[indicator].kind if indicator in catalog else None
    return {COUNT: ["varde"], SHARE: ["taljare", "namnare"]}.get(kind, [])


def suppress(tidy: pd.DataFrame, threshold: int, groups: list[str], catalog: dict) -> pd.DataFrame:
    """Apply the small-count rule to a full tidy table (every delprojekt and TOTALT).

    Rows of each table are ordered by delprojekt code, so ties break the same way on every
    run. A mean is hidden where the count of its population (``MEAN_POPULATION``) is, which
    must then be in ``tidy`` too.
    """
    if threshold <= 0 or tidy.empty:
        return tidy
    out = tidy.reset_index(drop=True)
    order = sorted(groups) + [TOTALT]
    hide = np.zeros(len(out), dtype=bool)
    for ind, idx in out.groupby("indikator", sort=False).indices.items():
        columns = protected_columns(ind, catalog)
        if not columns:
            continue
        block = out.iloc[idx]
        present = set(block["kon"].unique())
        kons = [k for k in KON_ALL if k in present]
        size = len(order) * len(kons)
        if set(block["delprojekt"].unique()) != set(order) or len(idx) % size:
            raise ProtectionError(
                f"{ind}: röjandekontrollen behöver hela tabellen (alla delprojekt och kön)"
            )
        # consecutive runs of `size` rows form one table: (period, scope, dimension) fixed
        sort = np.lexsort(
            (
                positions(block["kon"], kons),
                positions(block["delprojekt"], order),
                block["dimension"].to_numpy(),
                block["omfang"].to_numpy(),
                block["period"].to_numpy(),
            )
        )
        rows = idx[sort].reshape(-1, len(order), len(kons))
        for column in columns:
            values = np.nan_to_num(out[column].to_numpy(dtype="float64")[rows])
            small = ((values > 0) & (values < threshold)).any(axis=(1, 2))
            for t in np.flatnonzero(small):
                pat = np.asarray(pattern(tuple(map(tuple, values[t])), threshold))
                hide[rows[t][pat]] = True
    for mean, population in MEAN_POPULATION.items():
        key = ["period", "omfang", "delprojekt", "kon"]
        hidden = pd.MultiIndex.from_frame(
            out.loc[hide & (out["indikator"] == population).to_numpy(), key]
        )
        is_mean = (out["indikator"] == mean).to_numpy()
        if is_mean.any():
            hide |= is_mean & pd.MultiIndex.from_frame(out[key]).isin(hidden)
    out.loc[hide, ["varde", "taljare", "namnare"]] = np.nan
    out.loc[hide, "status"] = SUPPRESSED
    return out
