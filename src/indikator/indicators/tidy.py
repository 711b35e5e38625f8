"""Turn tallies into the tidy output table: one row per figure (indicators.md, "Output")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import BY_ID, MEAN, SHARE
from .engine import KON, Context, Tally

COLUMNS = [
    "period",
    "omfang",
    "delprojekt",
    "indikator",
    "dimension",
    "kon",
    "varde",
    "taljare",
    "namnare",
    "status",
]
SCOPES = ("period", "ackumulerat")
OK, EMPTY_DENOMINATOR, NO_DATA, SUPPRESSED = "ok", "tom_namnare", "saknar_data", "undertryckt"


def _labels(ctx: Context, dims: list[str], kons: tuple[str, ...] = KON) -> dict[str, np.ndarray]:
    """Group, dimension and kön labels for the cells of one (period, scope) block."""
    g = np.asarray([ctx.groups[i] for i in ctx.show], dtype=object)
    d = np.asarray(dims, dtype=object)
    k = np.asarray(kons, dtype=object)
    return {
        "delprojekt": np.repeat(g, len(d) * len(k)),
        "dimension": np.tile(np.repeat(d, len(k)), len(g)),
        "kon": np.tile(k, len(g) * len(d)),
    }


def rows(
    ctx: Context,
    indicator: str,
    value: Tally,
    dims: list[str] | None = None,
    denominator: Tally | None = None,
    kons: tuple[str, ...] = KON,
    at_most_one: bool = False,
) -> pd.DataFrame:
    """Tidy rows for every period, scope, shown group, dimension and kön.

    For a share ``value`` is the numerator; for a mean it is the sum and ``denominator`` the
    count; a denominator with one dimension is shared by every dimension value. ``kons``
    selects the kön columns (organisation figures are T only); ``at_most_one`` turns a count
    into "was there any" (0 or 1).
    """
    kind = BY_ID[indicator].kind
    dims = dims or [""]
    labels = _labels(ctx, dims, kons)
    k = [KON.index(x) for x in kons]
    blocks = []
    for period in ctx.periods:
        for scope in SCOPES:
            v = value.get(period, scope)[ctx.show][:, :, k]
            if at_most_one:
                v = np.minimum(v, 1)
            block = {"period": period.label, "omfang": scope, **labels}
            if denominator is None:
                block |= {"varde": v.ravel(), "taljare": np.nan, "namnare": np.nan, "status": OK}
            else:
                d = denominator.get(period, scope)[ctx.show][:, :, k]
                den = np.broadcast_to(d, v.shape).ravel()
                num = v.ravel()
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(den > 0, num / den, np.nan)
                block |= {
                    "varde": ratio,
                    "taljare": num if kind == SHARE else np.nan,
                    "namnare": den if kind == SHARE else np.nan,
                    "status": np.where(den > 0, OK, EMPTY_DENOMINATOR),
                }
                if kind == MEAN:
                    block["varde"] = np.round(ratio, 6)
            blocks.append(pd.DataFrame(block))
    out = pd.concat(blocks, ignore_index=True)
    out.insert(3, "indikator", indicator)
    return out[COLUMNS]


def missing(ctx: Context, indicator: str, kons: tuple[str, ...] = KON) -> pd.DataFrame:
    """An indicator whose export is absent: one row per group and kön, status saknar_data."""
    labels = _labels(ctx, [""], kons)
    blocks = [
        pd.DataFrame({"period": p.label, "omfang": scope, **labels})
        for p in ctx.periods
        for scope in SCOPES
    ]
    out = pd.concat(blocks, ignore_index=True)
    out["indikator"] = indicator
    out["varde"] = np.nan
    out["taljare"] = np.nan
    out["namnare"] = np.nan
    out["status"] = NO_DATA
    return out[COLUMNS]
