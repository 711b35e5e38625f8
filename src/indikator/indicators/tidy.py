"""Turn tallies into the tidy output table: one row per figure (indicators.md, "Output")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import MEAN, SHARE
from ..vocabulary import EMPTY_DENOMINATOR, KON, NO_DATA, OK, SCOPES
from ..vocabulary import TIDY_COLUMNS as COLUMNS
from .engine import Context, Tally


def texts(values: Sequence[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[codes]`` as the column pandas makes of strings (its ``str`` dtype, Arrow
    storage), by one Arrow take: a national batch's label columns are millions of cells, and
    pandas' conversion of as many Python strings was a tenth of its indicator time."""
    return pd.array(
        pc.take(pa.array(list(values), pa.large_string()), pa.array(codes)), dtype="str"
    )


def take_rows(df: pd.DataFrame, at: np.ndarray) -> pd.DataFrame:
    """``df.iloc[at]`` with a fresh index: the text columns taken by Arrow (pandas' take of an
    Arrow column of many chunks was three times slower: a national batch's two tables of
    735 000 rows, 0.25 s each)."""
    index = pa.array(np.asarray(at, dtype=np.int64))
    columns = {}
    for name, column in df.items():
        values = column.array
        if isinstance(values, pd.arrays.ArrowStringArray):
            taken = pc.take(values.__arrow_array__(), index)
            columns[name] = pd.array(taken, dtype=column.dtype)
        else:
            columns[name] = values.take(at)
    return pd.DataFrame(columns, columns=df.columns, copy=False)


def _label_codes(n_keys: int, n_groups: int, n_dims: int, n_kons: int) -> dict[str, np.ndarray]:
    """The label columns' positions in their lists, for the cells of ``n_keys`` blocks of
    (period, scope) in the order of ``rows``: group, then dimension, then kön within a block,
    the scopes of a period one after the other."""
    n_cells = n_groups * n_dims * n_kons
    n_scopes = len(SCOPES)
    return {
        "period": np.repeat(np.arange(n_keys // n_scopes), n_scopes * n_cells),
        "omfang": np.tile(np.repeat(np.arange(n_scopes), n_cells), n_keys // n_scopes),
        "delprojekt": np.tile(np.repeat(np.arange(n_groups), n_dims * n_kons), n_keys),
        "dimension": np.tile(np.repeat(np.arange(n_dims), n_kons), n_groups * n_keys),
        "kon": np.tile(np.arange(n_kons), n_groups * n_dims * n_keys),
    }


@dataclass(frozen=True)
class Labels:
    """The label columns of one shape (periods, scopes, shown groups, dimensions, kön): each
    column's texts and every row's position in them. Shared by every indicator of the shape."""

    texts: dict[str, Sequence[str]]
    codes: dict[str, np.ndarray]
    n: int


@dataclass(frozen=True)
class Rows:
    """One indicator's tidy rows before they are a table: its labels and the figures beside
    them. ``status``: one for every row, or per row whether the denominator is not empty. The
    table is made once, of every indicator's rows (``table``): a frame per indicator and pass
    was a third of a small run's indicator time."""

    labels: Labels
    indicator: str
    varde: np.ndarray | float
    taljare: np.ndarray | float
    namnare: np.ndarray | float
    status: str | np.ndarray


def _labels(ctx: Context, dims: list[str], kons: tuple[str, ...]) -> Labels:
    """The label columns of every period, scope, shown group, dimension and kön."""
    lists = {
        "period": [p.label for p in ctx.periods],
        "omfang": SCOPES,
        "delprojekt": [ctx.groups[i] for i in ctx.show],
        "dimension": dims,
        "kon": kons,
    }
    n_keys = len(ctx.periods) * len(SCOPES)
    codes = _label_codes(n_keys, len(ctx.show), len(dims), len(kons))
    return Labels(lists, codes, n_keys * len(ctx.show) * len(dims) * len(kons))


def rows(
    ctx: Context,
    indicator: str,
    value: Tally,
    dims: list[str] | None = None,
    denominator: Tally | None = None,
    kons: tuple[str, ...] = KON,
    at_most_one: bool = False,
) -> Rows:
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
    blocks = value.blocks(keys, ctx.show, k)
    num = blocks.ravel()
    if at_most_one:
        num = np.minimum(num, 1)
    # the label columns are the same for every indicator of the same shape: built once
    shape = f"tidy labels {ctx.show} {dims} {kons}"
    labels = ctx.once(shape, lambda: _labels(ctx, dims, kons), across=True)
    if denominator is None:
        return Rows(labels, indicator, num, np.nan, np.nan, OK)
    # a denominator with one dimension is shared by every dimension value
    den = np.broadcast_to(denominator.blocks(keys, ctx.show, k), blocks.shape).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    return Rows(
        labels,
        indicator,
        np.round(ratio, 6) if kind == MEAN else ratio,
        num if kind == SHARE else np.nan,
        den if kind == SHARE else np.nan,
        den > 0,
    )


def table(parts: Sequence[Rows]) -> pd.DataFrame:
    """The tidy table of ``parts`` one after the other: each text column one Arrow take over
    the texts of every part, each figure column one concatenation (numpy's promotion of the
    parts' types is pandas' for ``concat``: all counts stay integers, any float makes floats)."""
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    sizes = [p.labels.n for p in parts]
    columns = {c: _label_column(parts, c) for c in parts[0].labels.texts}
    columns["indikator"] = texts(
        [p.indicator for p in parts], np.repeat(np.arange(len(parts)), sizes)
    )
    statuses = [EMPTY_DENOMINATOR, OK]  # a per-row status: False (0) or True (1)
    statuses += sorted({p.status for p in parts if isinstance(p.status, str)} - set(statuses))
    status_codes = [
        np.full(n, statuses.index(p.status), dtype=np.int8)
        if isinstance(p.status, str)
        else p.status.astype(np.int8)
        for p, n in zip(parts, sizes, strict=True)
    ]
    columns["status"] = texts(statuses, np.concatenate(status_codes))
    for c in ("varde", "taljare", "namnare"):
        columns[c] = np.concatenate(
            [np.broadcast_to(getattr(p, c), (n,)) for p, n in zip(parts, sizes, strict=True)]
        )
    return pd.DataFrame({c: columns[c] for c in COLUMNS}, copy=False)


def _label_column(parts: Sequence[Rows], column: str) -> pd.api.extensions.ExtensionArray:
    """One label column of ``parts``: the texts of each distinct shape once, its codes moved
    past those of the shapes before it."""
    values: list[str] = []
    codes = []
    start: dict[int, int] = {}
    for p in parts:
        if id(p.labels) not in start:
            start[id(p.labels)] = len(values)
            values += p.labels.texts[column]
        codes.append(p.labels.codes[column] + start[id(p.labels)])
    return texts(values, np.concatenate(codes))


def missing(ctx: Context, indicator: str, kons: tuple[str, ...] = KON) -> Rows:
    """An indicator whose export is absent: one row per group and kön, status saknar_data."""
    return Rows(_labels(ctx, [""], kons), indicator, np.nan, np.nan, np.nan, NO_DATA)
