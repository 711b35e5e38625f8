"""The cell-key method (``[protection] method = "cellnyckel"``, the default): protection that
holds for everything published together.

Every person, referral and organisation activity has a fixed record key (``secret.py``). A
published cell's key is the sum of its records' keys modulo 2^32: the same persons give the
same key in every table, period, scope and run. The perturbation table is unbiased random
rounding to a multiple of the threshold b (``min_cell``): a count n = q·b + r is published as
(q + 1)·b when the cell key, as a fraction of 2^32, is below r / b, else as q·b. So

- the expected published value is the exact one (zero mean), the deviation is at most b − 1
  and its variance r·(b − r)/b (at most b²/4);
- zeros stay zeros, and no count 1 … b − 1 (in particular no 1 or 2) is ever published;
- every published count is a multiple of b, so every sum or difference of published counts
  is one too: no linear combination of published figures (this month's ackumulerat minus last
  month's, a year minus its months, K + M against T …) gives back a count 1 … b − 1;
- the same cell always gets the same value, so repeating a table reveals nothing new.

A share is computed from its rounded numerator and denominator (the numerator capped at the
denominator); a mean is shown only where its population is published as at least 2b (so has
more than b persons), and to a tenth (its exact decimals would tell how many persons it is
over). Every status follows from published figures alone: a denominator published as 0 is
empty (.), whatever it was, so nothing tells a rounded-down small count from a true 0. Sums that are
not counts of persons (deltagartimmar, handläggare) and yes/no figures are shown as they are.
Published tables need not add up; every human format says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import COUNT, MEAN, SHARE
from ..errors import ProtectionError
from ..secret import KEY_SPACE
from ..vocabulary import EMPTY_DENOMINATOR, FIGURE_KEY, SUPPRESSED
from .suppress import MEAN_POPULATION

FLAGS = {"skriftlig_info"}  # 1 = yes: not a count of anyone


def rounded(n: np.ndarray, key_sum: np.ndarray, base: int) -> np.ndarray:
    """The published counts: each exact count ``n`` rounded to a multiple of ``base``, up when
    its cell key (``key_sum`` modulo 2^32, as a fraction) is below the remainder's share."""
    n = np.asarray(n, dtype="float64")
    q, r = np.divmod(n, base)
    u = np.mod(np.asarray(key_sum, dtype="float64"), KEY_SPACE) / KEY_SPACE
    out = (q + (u < r / base)) * base
    return np.where(np.isnan(n), np.nan, out)


def counted(catalog: dict, indicator: str) -> str | None:
    """How an indicator's figures are perturbed: "count", "share", "mean", or None (shown
    as it is)."""
    kind = catalog[indicator].kind if indicator in catalog else None
    if kind == COUNT and indicator not in FLAGS:
        return "count"
    return {SHARE: "share", MEAN: "mean"}.get(kind)


def how_counted(catalog: dict, indicators: pd.Series) -> np.ndarray:
    """``counted`` for every row of the column ``indicators``, decided once per distinct
    indicator (a batch's table has 735 000 rows and a hundred indicators)."""
    codes, distinct = pd.factorize(indicators)
    how = np.array([counted(catalog, i) for i in distinct] + [None], dtype=object)
    return how[codes]  # a missing indicator (code -1) takes the last: None


def perturb(exact: pd.DataFrame, keyed: pd.DataFrame, base: int, catalog: dict) -> pd.DataFrame:
    """The published table: ``exact`` with every count rounded by its cell key from
    ``keyed`` (the same table with counts replaced by sums of record keys)."""
    if len(exact) != len(keyed) or not exact[FIGURE_KEY].equals(keyed[FIGURE_KEY]):
        raise ProtectionError("cellnyckelmetoden: de två beräkningarna stämmer inte överens")
    out = exact.copy()
    how = how_counted(catalog, out["indikator"])
    ok = (out["status"] == "ok").to_numpy()
    count = (how == "count") & ok
    out.loc[count, "varde"] = rounded(
        exact.loc[count, "varde"].to_numpy(), keyed.loc[count, "varde"].to_numpy(), base
    )
    share = how == "share"
    has = share & exact["namnare"].notna().to_numpy()
    t = rounded(exact.loc[has, "taljare"].to_numpy(), keyed.loc[has, "taljare"].to_numpy(), base)
    n = rounded(exact.loc[has, "namnare"].to_numpy(), keyed.loc[has, "namnare"].to_numpy(), base)
    t = np.minimum(t, n)  # a share stays within 0–100 %
    out.loc[has, "taljare"], out.loc[has, "namnare"] = t, n
    with np.errstate(divide="ignore", invalid="ignore"):
        out.loc[has, "varde"] = np.where(n > 0, t / n, np.nan)
    # every status follows from the published figures alone, never from the exact ones: a
    # denominator published as 0 is an empty denominator, whatever it was
    empty = np.zeros(len(out), dtype=bool)
    empty[np.flatnonzero(has)[n == 0]] = True
    mean = (how == "mean") & ok
    population = _published_population(out, mean)
    empty |= mean & (population == 0)
    out.loc[empty, ["varde", "taljare", "namnare"]] = np.nan
    out.loc[empty & share, ["taljare", "namnare"]] = 0.0
    out.loc[empty, "status"] = EMPTY_DENOMINATOR
    # a mean is shown over a published population of at least 2b (so over more than b
    # persons), to a tenth: its exact decimals would give away how many persons it is over
    withheld = mean & (population > 0) & ~(population >= 2 * base)
    out.loc[withheld, "varde"] = np.nan
    out.loc[withheld, "status"] = SUPPRESSED
    shown = mean & ~empty & ~withheld
    out.loc[shown, "varde"] = exact.loc[shown, "varde"].to_numpy(dtype="float64").round(1)
    return out


def _published_population(out: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """For the rows of a mean, the published count of its population (``MEAN_POPULATION``),
    NaN where it is not in the table."""
    key = ["period", "omfang", "delprojekt", "kon"]
    found = np.full(len(out), np.nan)
    for mean, population in MEAN_POPULATION.items():
        these = rows & (out["indikator"] == mean).to_numpy()
        if these.any():
            pop = out[out["indikator"] == population].set_index(key)["varde"]
            where = pd.MultiIndex.from_frame(out.loc[these, key])
            found[these] = pop.reindex(where).to_numpy(dtype="float64")
    return found
