"""Compute indicators for a set of periods: one pass over the data serves all of them."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..coding import positions
from ..dataset import Dataset
from ..periods import Period, month_index
from . import activities, flow, followup, instrument, organisation, outcomes, referrals
from .catalog import BY_ID, CATALOG
from .engine import TOTALT, Context, kon_codes
from .tidy import COLUMNS, missing

FAMILIES = {
    "flow": flow,
    "outcomes": outcomes,
    "followup": followup,
    "instrument": instrument,
    "activities": activities,
    "referrals": referrals,
    "organisation": organisation,
}


class UnknownIndicator(ValueError):
    pass


def context(ds: Dataset, periods: list[Period], delprojekt: Iterable[str] | None = None) -> Context:
    groups = [*ds.config.delprojekt_codes, TOTALT]
    chosen = set(delprojekt or groups[:-1])
    show = [i for i, g in enumerate(groups) if g in chosen or g == TOTALT]
    codes = pd.Index(ds.persons["person"].to_numpy(dtype=object), dtype=object)
    kon = kon_codes(ds.persons["kon"])
    return Context(
        groups=groups,
        periods=sorted(periods),
        show=show,
        project_start=month_index(ds.config.project.start),
        person_codes=codes,
        person_kon=kon,
    )


def compute(
    ds: Dataset,
    periods: list[Period],
    indicators: Iterable[str] | None = None,
    delprojekt: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The tidy table of ``indicators`` (default: all) for every period, both scopes."""
    wanted = list(indicators) if indicators else [i.id for i in CATALOG]
    unknown = [i for i in wanted if i not in BY_ID]
    if unknown:
        raise UnknownIndicator(", ".join(unknown))
    ctx = context(ds, periods, delprojekt)
    parts: list[pd.DataFrame] = []
    wanted_set = set(wanted)
    for name, family in FAMILIES.items():
        ids = {i for i in wanted_set if BY_ID[i].family == name}
        if not ids:
            continue
        absent = {i for i in ids if not all(ds.has(e) for e in BY_ID[i].needs)}
        parts += [missing(ctx, i, BY_ID[i].kons) for i in sorted(absent)]
        if ids - absent:
            parts += family.compute(ctx, ds, ids - absent)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return order(out, ds, ctx, wanted)


def order(df: pd.DataFrame, ds: Dataset, ctx: Context, wanted: list[str]) -> pd.DataFrame:
    """Stable, readable row order: period, scope, group, catalog order, dimension, K/M/T."""

    def rank(column: str, codes: list[str]) -> np.ndarray:
        codes = list(dict.fromkeys(codes))
        pos = positions(df[column], codes)
        return np.where(pos < 0, len(codes), pos)  # anything unlisted last

    # np.lexsort: the last key sorts first; the row number (dimension order as produced, the
    # code list's order) breaks every tie
    idx = np.lexsort(
        (
            np.arange(len(df)),
            rank("indikator", [i.id for i in CATALOG]),
            rank("delprojekt", list(ctx.groups)),
            rank("omfang", ["period", "ackumulerat"]),
            rank("period", [p.label for p in ctx.periods]),
        )
    )
    return df.iloc[idx].reset_index(drop=True)


def report(
    ds: Dataset,
    periods: list[Period],
    indicators: Iterable[str] | None = None,
    delprojekt: Iterable[str] | None = None,
    min_cell: int | None = None,
) -> pd.DataFrame:
    """The figures as published: ``compute`` plus small-count control (``min_cell``; default
    from the configuration, 0 = off). Suppression needs the whole delprojekt × kön table, so
    every delprojekt is computed and the selection is applied afterwards."""
    from ..suppression import MEAN_POPULATION, suppress

    threshold = ds.config.project.min_cell if min_cell is None else min_cell
    if threshold <= 0:
        return compute(ds, periods, indicators, delprojekt)
    wanted = list(indicators) if indicators else [i.id for i in CATALOG]
    extra = [
        MEAN_POPULATION[i]
        for i in wanted
        if i in MEAN_POPULATION and MEAN_POPULATION[i] not in wanted
    ]
    tidy = suppress(compute(ds, periods, wanted + extra), threshold, ds.config.delprojekt_codes)
    keep = tidy["indikator"].isin(wanted)
    if delprojekt:
        keep &= tidy["delprojekt"].isin([*delprojekt, TOTALT])
    return tidy[keep].reset_index(drop=True)
