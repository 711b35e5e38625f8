"""The audit of everything published together (a batch generation, a series of monthly
reports): can a protected count be recovered from the figures shown beside it?

Suppression (``recoverable``): every count shown or suppressed is a variable; the relations an
outsider knows are treated as exact — K + M (+ X) = T, Σ delprojekt = TOTALT, a cumulative
figure equals the one of its last month, and for counts that add up over time (events and
first-time counts: ``ADDITIVE``) a longer period is the sum of its months and ackumulerat(m) −
ackumulerat(m − 1) = the period figure of m. A suppressed cell is recoverable when its unit
vector lies in the row space of the relations restricted to the suppressed cells (its column
of the null-space basis is zero), the same test as ``suppress.determined``, over all tables.

The cell-key method (``cellkey_findings``): every published count is a multiple of the
rounding base and the same function of the cell's persons (exact count, sum of record keys)
wherever and whenever it is published; so every sum or difference of published counts is a
multiple of the base too, never a small count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import month_index, parse_period
from ..vocabulary import FIGURE_KEY, NO_DATA, SUPPRESSED, TOTALT
from .suppress import protected_columns

# Families whose counts add up over time: each person or event falls in one month (entries,
# exits and what is known at exit, referrals, organisation activities, ESF entries).
ADDITIVE_FAMILIES = {"outcomes", "followup", "referrals", "organisation", "esf"}
ADDITIVE = {"deltagare_nya", "deltagare_avslutade"}
KEY = FIGURE_KEY


def _variables(tidy: pd.DataFrame, catalog: dict) -> pd.DataFrame:
    """One row per published count (``suppress.protected_columns``): KEY, ``tal`` (varde,
    taljare or namnare), ``hidden``, ``additive``."""
    rows = tidy[(tidy["status"] != NO_DATA).to_numpy()]
    parts = []
    for ind, idx in rows.groupby("indikator", sort=False).indices.items():
        block = rows.iloc[idx]
        for column in protected_columns(ind, catalog):
            part = block[KEY].copy()
            part["tal"] = column
            part["hidden"] = (block["status"] == SUPPRESSED).to_numpy()
            part["additive"] = ind in ADDITIVE or (
                ind in catalog and catalog[ind].family in ADDITIVE_FAMILIES
            )
            parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*KEY, "tal", "hidden", "additive"])
    return pd.concat(parts, ignore_index=True)


def recoverable(tidy: pd.DataFrame, catalog: dict, start, any_: bool = False) -> pd.DataFrame:
    """The suppressed counts of ``tidy`` (a published set, suppressed) that the shown ones
    determine exactly: KEY + ``tal``. ``start``: the project's start (ackumulerat runs from
    it). ``any_``: enough to know whether there is one (the batch's question): the cells
    found by peeling, if there are any, without the slower rest."""
    cells = _variables(tidy, catalog).reset_index(drop=True)
    if not cells["hidden"].any():
        return pd.DataFrame(columns=[*KEY, "tal"])
    rel, var, coef = _relations(cells, month_index(start))
    found = _determined(cells["hidden"].to_numpy(), rel, var, coef, any_)
    return cells.loc[found, [*KEY, "tal"]].reset_index(drop=True)


def _relations(cells: pd.DataFrame, first_month: int):
    """Every relation among the cells, as a sparse matrix in triplets (relation, cell, coef)."""
    c = cells.assign(
        cell=np.arange(len(cells)),
        table=cells.groupby(["indikator", "dimension", "tal"], sort=False).ngroup(),
    )
    p = {label: parse_period(label) for label in c["period"].unique()}
    c["kind"] = c["period"].map(lambda x: p[x].kind)
    c["first"] = c["period"].map(lambda x: p[x].first)
    c["last"] = c["period"].map(lambda x: p[x].last)
    rels = []
    n = 0

    def relation(members: pd.DataFrame, key: list[str], whole: np.ndarray) -> None:
        """Members sharing ``key`` sum to the one ``whole`` among them, when it is there."""
        nonlocal n
        ids = members.groupby(key, sort=False).ngroup().to_numpy()
        has_whole = np.zeros(ids.max() + 1 if len(ids) else 0, dtype=bool)
        has_whole[ids[whole]] = True
        keep = has_whole[ids]
        rels.append(
            (ids[keep] + n, members["cell"].to_numpy()[keep], np.where(whole, -1.0, 1.0)[keep])
        )
        n += len(has_whole)

    base = ["table", "period", "omfang"]
    relation(c, [*base, "delprojekt"], (c["kon"] == "T").to_numpy())  # K + M (+ X) = T
    relation(c, [*base, "kon"], (c["delprojekt"] == TOTALT).to_numpy())  # Σ delprojekt = TOTALT
    who = ["table", "delprojekt", "kon"]
    months = c[c["kind"] == "month"]
    ack_m = months[months["omfang"] == "ackumulerat"][[*who, "first", "cell"]]
    per_m = months[months["omfang"] == "period"][[*who, "first", "cell"]]
    longer = c[c["kind"] != "month"]
    # ackumulerat of a longer period = ackumulerat of its last month (every count)
    pairs = longer[longer["omfang"] == "ackumulerat"].merge(
        ack_m.rename(columns={"first": "last", "cell": "month_cell"}), on=[*who, "last"]
    )
    _pairs(rels, pairs["cell"], [pairs["month_cell"]], n)
    n += len(pairs)
    # a longer period is the sum of its months (counts that add up over time)
    sums = longer[(longer["omfang"] == "period") & longer["additive"]]
    if len(sums):
        length = (sums["last"] - sums["first"] + 1).to_numpy()
        expanded = sums.loc[sums.index.repeat(length), [*who, "cell", "first"]]
        expanded["month"] = expanded["first"].to_numpy() + _ranks(length)
        expanded["rel"] = np.repeat(np.arange(len(sums)), length)
        joined = expanded.merge(
            per_m.rename(columns={"first": "month", "cell": "month_cell"}),
            on=[*who, "month"],
            how="left",
        )
        complete = joined["month_cell"].notna().groupby(joined["rel"]).transform("all")
        complete = complete.to_numpy()
        j = joined[complete]
        wholes = j.drop_duplicates("rel")
        rels.append(
            (wholes["rel"].to_numpy() + n, wholes["cell"].to_numpy(), -np.ones(len(wholes)))
        )
        rels.append(
            (j["rel"].to_numpy() + n, j["month_cell"].to_numpy(dtype="int64"), np.ones(len(j)))
        )
        n += len(sums)
    # ackumulerat(m) = ackumulerat(m − 1) + period(m); the first month: ackumulerat = period
    ack_add = ack_m[c.loc[ack_m["cell"], "additive"].to_numpy()]
    step = ack_add.merge(per_m.rename(columns={"cell": "per_cell"}), on=[*who, "first"])
    before = step.merge(
        ack_m.assign(first=ack_m["first"] + 1).rename(columns={"cell": "prev_cell"}),
        on=[*who, "first"],
        how="left",
    )
    chained = before[before["prev_cell"].notna()]
    _pairs(rels, chained["cell"], [chained["per_cell"], chained["prev_cell"].astype("int64")], n)
    n += len(chained)
    opening = before[before["prev_cell"].isna() & (before["first"] <= first_month)]
    _pairs(rels, opening["cell"], [opening["per_cell"]], n)
    n += len(opening)
    rel = np.concatenate([r[0] for r in rels])
    var = np.concatenate([r[1] for r in rels]).astype("int64")
    coef = np.concatenate([r[2] for r in rels])
    return rel, var, coef


def _pairs(rels: list, whole: pd.Series, members: list[pd.Series], offset: int) -> None:
    """Relations whole = Σ members, one per row."""
    ids = np.arange(len(whole)) + offset
    rels.append((ids, whole.to_numpy(dtype="int64"), -np.ones(len(whole))))
    for m in members:
        rels.append((ids, m.to_numpy(dtype="int64"), np.ones(len(whole))))


def _ranks(length: np.ndarray) -> np.ndarray:
    """0, 1, …, length − 1 for each length, concatenated."""
    starts = np.repeat(np.cumsum(length) - length, length)
    return np.arange(int(length.sum())) - starts


def _determined(hidden, rel, var, coef, any_: bool = False) -> np.ndarray:
    """Hidden cells that the relations determine from the shown ones. First by peeling (a
    relation with one unknown cell gives it: cheap, and most of them), then what is left per
    group of hidden cells linked by relations: a cell is determined when its unit vector lies
    in the row space of the relations restricted to the unknown cells."""
    out = np.zeros(len(hidden), dtype=bool)
    unknown = hidden.copy()
    size = int(rel.max()) + 1 if len(rel) else 0
    while True:
        on = unknown[var]
        single = on & (np.bincount(rel[on], minlength=size)[rel] == 1)
        if not single.any():
            break
        found = np.unique(var[single])
        out[found] = True
        unknown[found] = False
    on = unknown[var]
    rel, var, coef = rel[on], var[on], coef[on]
    if not len(rel) or (any_ and out.any()):
        return out
    cols, col = np.unique(var, return_inverse=True)
    _, row = np.unique(rel, return_inverse=True)
    label = _components(row, col, len(cols))
    order = np.argsort(label[col], kind="stable")
    bounds = np.flatnonzero(np.diff(label[col][order])) + 1
    for entries in np.split(order, bounds):
        r_ids, r = np.unique(row[entries], return_inverse=True)
        c_ids, k = np.unique(col[entries], return_inverse=True)
        a = np.zeros((len(r_ids), len(c_ids)))
        np.add.at(a, (r, k), coef[entries])
        _, sing, vt = np.linalg.svd(a, full_matrices=False)
        rank = int((sing > 1e-9).sum())
        # e_j is in the row space exactly when its projection on it has length 1
        fixed = np.abs((vt[:rank] ** 2).sum(axis=0) - 1.0) < 1e-9
        out[cols[c_ids[fixed]]] = True
    return out


def _components(row: np.ndarray, col: np.ndarray, n_cols: int) -> np.ndarray:
    """A label per hidden cell: cells sharing a relation get the same one (the smallest cell
    of their group), by propagating minima until nothing changes."""
    label = np.arange(n_cols)
    while True:
        by_row = np.full(row.max() + 1, n_cols)
        np.minimum.at(by_row, row, label[col])
        new = label.copy()
        np.minimum.at(new, col, by_row[row])
        new = new[new]  # jump along chains
        if np.array_equal(new, label):
            return label
        label = new


def cellkey_findings(
    published: pd.DataFrame, exact: pd.DataFrame, keyed: pd.DataFrame, base: int, catalog: dict
) -> list[str]:
    """What breaks the cell-key method's promise in a published set (empty: nothing): a
    published count that is not a multiple of ``base`` (a small count shown), or one cell
    (same exact count, same key sum) published with two values."""
    from .cellkey import how_counted

    how = how_counted(catalog, published["indikator"])
    findings = []
    for kind, column in (("count", "varde"), ("share", "taljare"), ("share", "namnare")):
        rows = (how == kind) & published[column].notna().to_numpy()
        values = published.loc[rows, column].to_numpy(dtype="float64")
        off = np.mod(values, base) != 0
        if off.any():
            findings.append(f"{int(off.sum())} publicerade {column} är inte jämna {base}-tal")
        cell = pd.DataFrame(
            {
                "n": exact.loc[rows, column].to_numpy(dtype="float64"),
                "key": np.mod(keyed.loc[rows, column].to_numpy(dtype="float64"), 2**32),
                "shown": values,
            }
        )
        if kind == "count":  # (a share's numerator is capped at its denominator)
            spread = cell.groupby(["n", "key"])["shown"].nunique()
            if (spread > 1).any():
                findings.append(f"{int((spread > 1).sum())} celler har fått olika värden")
    return findings
