"""The exact figures of every indicator for a set of periods: one pass over the data serves
all of them. (The published figures, with small counts protected, are ``protection.published``.)"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from ..coding import positions
from ..config import Config
from ..dataset import Dataset
from ..errors import SelectionError
from ..masking import mask
from ..memory import release
from ..parallel import in_threads
from ..periods import Period, month_index
from ..timings import stage
from ..vocabulary import KON, TOTALT
from . import activities, esf, flow, followup, instrument, organisation, outcomes, referrals
from .engine import Context, kon_codes
from .tidy import Rows, missing, table, take_rows

# The families in the order the tidy table lists them (and ``order_index`` keeps in a cell).
FAMILIES = {
    "flow": flow,
    "outcomes": outcomes,
    "followup": followup,
    "instrument": instrument,
    "activities": activities,
    "referrals": referrals,
    "organisation": organisation,
    "esf": esf,
}
# The order threads take them in: the longest first, so that two threads end together. A
# national batch, two threads (s): activities 4.0 + 2.8 (its two parts), instrument 2.9,
# followup 1.1, outcomes 0.95, esf 0.64, flow 0.4, referrals 0.13, organisation 0.03; with esf
# before followup and outcomes, one thread ended 0.35 s before the other.
LONGEST_FIRST = [
    "activities",
    "instrument",
    "followup",
    "outcomes",
    "esf",
    "flow",
    "referrals",
    "organisation",
]


# The families over the large exports (ten million activities, three million answers): each
# holds 250-400 MB of temporaries at national scale. With ``small_beside`` they are computed
# one after the other while the small families (hundreds of thousands of enrolments, each under
# 100 MB) are computed beside them: the time of two cores, the peak of one large family. A
# large family's ``LIGHT`` part (one that holds a batch of rows at a time) goes last beside
# them, so that the two threads end together.
LARGE = ("instrument", "activities", "esf")


def check_selection(
    config: Config, indicators: Iterable[str] | None, delprojekt: Iterable[str] | None
) -> None:
    """Unknown delprojekt or indicator ids are a usage error, for library callers too."""
    unknown = [d for d in delprojekt or () if d not in config.delprojekt_codes]
    if unknown:
        known = ", ".join(config.delprojekt_codes)
        raise SelectionError(mask(f"okänt delprojekt: {', '.join(unknown)} (finns: {known})"))
    bad = [i for i in indicators or () if i not in config.indicators]
    if bad:
        raise SelectionError(mask(f"okänd indikator: {', '.join(bad)} (se `indikator indicators`)"))


def context(
    ds: Dataset,
    periods: list[Period],
    delprojekt: Iterable[str] | None = None,
    kons: tuple[str, ...] = KON,
    keyed: bool = False,
) -> Context:
    """What the families share for one computation; ``kons`` is the kön axis (K, M, T, or
    K, M, X, T to keep non-binary persons apart); ``keyed``: count record keys instead of
    persons (the cell keys of the cell-key method)."""
    groups = [*ds.config.delprojekt_codes, TOTALT]
    chosen = set(delprojekt or groups[:-1])
    show = [i for i, g in enumerate(groups) if g in chosen or g == TOTALT]
    periods = sorted(periods)
    memo = ("context", tuple(p.label for p in periods), kons)
    shared = ds.memo.setdefault(memo, {})
    building = ds.memo.setdefault(("building", *memo[1:]), {})  # one lock per work, every pass
    if "person_codes" not in ds.memo:  # one lookup table of persons for every computation
        people = ds.persons["person"].to_numpy(dtype=object)
        ds.memo["person_codes"] = pd.Index(people, dtype=object)
    codes = ds.memo["person_codes"]
    kon = kon_codes(ds.persons["kon"], kons)
    return Context(
        groups=groups,
        periods=periods,
        show=show,
        project_start=month_index(ds.config.project.start),
        person_codes=codes,
        person_kon=kon,
        indicators=ds.config.indicators,
        kons=kons,
        key=ds.persons["nyckel"].to_numpy(dtype="float64") if keyed else None,
        shared=shared,
        _building=building,
    )


def exact_figures(
    ds: Dataset,
    periods: list[Period],
    indicators: Iterable[str] | None = None,
    delprojekt: Iterable[str] | None = None,
    keyed: bool = False,
    threads: int = 1,
    small_beside: bool = False,
) -> pd.DataFrame:
    """The tidy table of ``indicators`` (default: all) for every period, both scopes: the
    exact figures, without small-count protection (not for publication). ``keyed``: the same
    table with every count replaced by the sum of its records' keys (the cell keys).
    ``threads``: families computed side by side (``parallel.in_threads``); ``small_beside``:
    the small families in a second thread beside the large ones (``LARGE``), which stay one
    at a time. The table is the same."""
    with stage("indicators"):
        return _exact(ds, periods, indicators, delprojekt, (keyed,), threads, small_beside)[0]


def exact_and_keyed(
    ds: Dataset,
    periods: list[Period],
    indicators: Iterable[str] | None = None,
    delprojekt: Iterable[str] | None = None,
    threads: int = 1,
    small_beside: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``exact_figures`` and its keyed table at once (the cell-key method): each family's keyed
    pass follows its exact pass, and the work the two share (its runs, pairs, events) is
    dropped when the family is done, instead of every family's being held until a second
    pass over all of them (2 GB over a national batch's periods; the memory held is memory
    the next family must take fresh). The tables are those of the two calls."""
    with stage("indicators"):
        passes = (False, True)
        exact, keyed = _exact(ds, periods, indicators, delprojekt, passes, threads, small_beside)
        return exact, keyed


def _exact(
    ds, periods, indicators, delprojekt, passes, threads, small_beside=False
) -> list[pd.DataFrame]:
    """One table per pass (``passes``: keyed or not), each family's passes back to back."""
    check_selection(ds.config, indicators, delprojekt)
    catalog = ds.config.indicators
    wanted = list(indicators) if indicators else list(catalog)
    contexts = [context(ds, periods, delprojekt, keyed=keyed) for keyed in passes]
    if passes == (False, True):  # the exact pass may take sums for the keyed one
        contexts[0].coming_key = contexts[1].key
    ctx = contexts[0]
    wanted_set = set(wanted)
    parts: dict[str, list[list[Rows]]] = {}
    calls: dict[tuple[str, int], Callable[[], list[list[Rows]]]] = {}
    light: list[tuple[str, int]] = []  # large families' light parts
    for name, family in FAMILIES.items():
        ids = {i for i in wanted_set if catalog[i].family == name}
        absent = {i for i in ids if not _has_data(ds, catalog[i])}
        empty = [missing(ctx, i, catalog[i].kons) for i in sorted(absent)]
        parts[name] = [list(empty) for _ in passes]
        apart = _apart(family, ids - absent, threads, small_beside)
        own = _Own(len(apart)) if len(passes) > 1 else None  # one pass: all of it kept
        for n, some in enumerate(apart):
            calls[(name, n)] = functools.partial(_family, family, contexts, ds, some, own)
            if name in LARGE and some <= getattr(family, "LIGHT", set()):
                light.append((name, n))
    keys = list(calls)  # one thread: the families' order, whose peak memory monthly is held to
    if small_beside and threads <= 1:
        large = [k for k in keys if k[0] in LARGE and k not in light]
        small = [k for k in keys if k[0] not in LARGE]
        # the light parts: taken by whichever lane is done with its own first, so that the two
        # end together however the large and the small families weigh against each other
        left, results = deque(light), {}
        in_threads(
            [functools.partial(_in_turn, calls, ks, left, results) for ks in (large, small)], 2
        )
        keys = large + small + light
        done = [results[k] for k in keys]
    else:
        if threads > 1:
            keys.sort(key=lambda k: (LONGEST_FIRST.index(k[0]), k[1]))
        done = in_threads([calls[k] for k in keys], threads)
    # the families' temporaries (sorts, merges of millions of rows) given back once they are
    # all done, not after each: the next family in a thread reuses what the one before freed
    # instead of taking fresh pages (a national monthly: 0.43 s less system time, parvis 0.983;
    # its peak is the rules', not the indicators')
    release()
    for key, computed in zip(keys, done, strict=True):
        for listed, more in zip(parts[key[0]], computed, strict=True):
            listed += more
    # one table per pass, of every family's rows in the families' order
    tables = [table([r for name in FAMILIES for r in parts[name][p]]) for p in range(len(passes))]
    # every pass has the same rows in the same order (the same families, parts and label
    # shapes), so one sort orders them all (a national batch: 0.2-0.3 s of one core, twice);
    # the cell-key method checks that its two tables name the same figures row by row
    at = order_index(tables[0], ds, ctx, wanted)
    return [take_rows(t, at) for t in tables]


class _Own:
    """A family's own work while its parts and passes run, dropped when the last is done."""

    def __init__(self, parts: int) -> None:
        self.work: dict[str, object] = {}
        self.left = parts
        self.lock = threading.Lock()

    def done(self) -> None:
        with self.lock:
            self.left -= 1
            if self.left == 0:
                self.work.clear()


def _in_turn(calls: dict, keys: list, left: deque, results: dict) -> None:
    """``keys``' calls one after the other, then those ``left`` that no other lane has taken."""
    for k in keys:
        results[k] = calls[k]()
    while True:
        try:
            k = left.popleft()  # atomic: each taken by one lane
        except IndexError:
            return
        results[k] = calls[k]()


def _apart(family, ids: set[str], threads: int, small_beside: bool = False) -> list[set[str]]:
    """The calls a family's ``ids`` are computed in: one, or with more than one thread (or the
    small families beside the large), its ``PARTS`` (and one for the rest)."""
    if not ids:
        return []
    if (threads <= 1 and not small_beside) or not hasattr(family, "PARTS"):
        return [ids]
    out = [ids & part for part in family.PARTS if ids & part]
    rest = ids - set().union(*family.PARTS)
    return out + [rest] if rest else out


def _family(family, contexts: list[Context], ds: Dataset, ids: set[str], own: _Own | None):
    """The family's rows in each pass, one pass after the other."""
    try:
        computed = [
            family.compute(ctx if own is None else ctx.owning(own.work), ds, ids)
            for ctx in contexts
        ]
    finally:
        if own is not None:
            own.done()
    return computed


def _has_data(ds: Dataset, indicator) -> bool:
    """Every export the indicator needs is there, and every optional column it reads has a
    value: otherwise its figures are saknar_data, never 0."""
    return all(ds.has(e) for e in indicator.needs) and all(
        ds.has_column("deltagare", c) for c in indicator.columns
    )


def order_index(df: pd.DataFrame, ds: Dataset, ctx: Context, wanted: list[str]) -> np.ndarray:
    """The rows' stable, readable order: period, scope, group, catalog order, dimension, K/M/T
    (the dimension and kön as the families give them)."""

    def rank(column: str, codes: list[str]) -> np.ndarray:
        codes = list(dict.fromkeys(codes))
        pos = positions(df[column], codes)
        return np.where(pos < 0, len(codes), pos)  # anything unlisted last

    # np.lexsort: the last key sorts first; the row number (dimension order as produced, the
    # code list's order) breaks every tie
    return np.lexsort(
        (
            np.arange(len(df)),
            rank("indikator", list(ds.config.indicators)),
            rank("delprojekt", list(ctx.groups)),
            rank("omfang", ["period", "ackumulerat"]),
            rank("period", [p.label for p in ctx.periods]),
        )
    )
