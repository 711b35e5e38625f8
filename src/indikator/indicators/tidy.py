"""Turn tallies into the tidy output table: one row per figure (indicators.md, "Output")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import MEAN, SHARE
from ..vocabulary import EMPTY_DENOMINATOR, KON, NO_DATA, OK, SCOPES
from ..vocabulary import TIDY_COLUMNS as COLUMNS
from .engine import Context, Tally


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
    kind = ctx.indicators[indicator].kind
    dims = dims or [""]
    k = [value.kons.index(x) for x in kons]
    keys = [(p, scope) for p in ctx.periods for scope in SCOPES]

    num = np.concatenate([value.get(p, scope)[ctx.show][:, :, k].ravel() for p, scope in keys])
    if at_most_one:
        num = np.minimum(num, 1)

    def label_frame() -> pd.DataFrame:
        labels = _labels(ctx, dims, kons)
        n_cells = len(labels["kon"])
        return pd.DataFrame(
            {
                "period": np.repeat([p.label for p, _ in keys], n_cells),
                "omfang": np.repeat([scope for _, scope in keys], n_cells),
                **{c: np.tile(v, len(keys)) for c, v in labels.items()},
            }
        )

    # the label columns are the same for every indicator of the same shape: built once
    shape = f"tidy labels {ctx.show} {dims} {kons}"
    labels = ctx.once(shape, label_frame, across=True)
    if denominator is None:
        return _frame(labels, indicator, num, np.nan, np.nan, OK)
    # a denominator with one dimension is shared by every dimension value
    den = np.concatenate(
        [
            np.broadcast_to(
                denominator.get(p, scope)[ctx.show][:, :, k],
                value.get(p, scope)[ctx.show][:, :, k].shape,
            ).ravel()
            for p, scope in keys
        ]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    return _frame(
        labels,
        indicator,
        np.round(ratio, 6) if kind == MEAN else ratio,
        num if kind == SHARE else np.nan,
        den if kind == SHARE else np.nan,
        np.where(den > 0, OK, EMPTY_DENOMINATOR),
    )


def _frame(labels: pd.DataFrame, indicator: str, varde, taljare, namnare, status) -> pd.DataFrame:
    """The tidy rows of one indicator: the shared label columns as they are, the figures
    beside them, built at once (a frame per indicator and pass: inserting and assigning column
    by column was most of a small run's indicator time)."""
    figures = {
        "indikator": indicator,
        "varde": varde,
        "taljare": taljare,
        "namnare": namnare,
        "status": status,
    }
    columns = {c: labels[c] if c in labels.columns else figures[c] for c in COLUMNS}
    return pd.DataFrame(columns, index=labels.index, copy=False)


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
