"""Codes as positions: the one lookup from values (codes, persons) to integer positions that
every table and indicator uses, fast for the categoricals the schema produces."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .memory import release


def category_codes(values: pd.Series) -> np.ndarray:
    """A categorical column's codes (-1: missing), read-only and not copied: pandas 3's
    ``.cat.codes`` copies them into a new Series (ten million rows: fresh pages to fault in,
    for every column asked)."""
    return values.array.codes


def positions(
    values: pd.Series, codes: Sequence[str] | pd.Index, dtype=np.int64, distinct: bool = False
) -> np.ndarray:
    """Value -> its position in ``codes``; -1 for missing or unlisted values. For a
    categorical column only the categories are looked up (a few, not millions of rows), and
    the rows get ``dtype`` at once. ``distinct``: the caller knows ``codes`` hold no repeat
    and no missing value (a list built so), which is then not checked again by hashing."""
    index = codes if isinstance(codes, pd.Index) else pd.Index(list(codes), dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = _category_lookup(values.cat.categories, index, distinct)
        return lookup.astype(dtype)[category_codes(values)]
    found = _arrow_lookup(values, index, distinct)
    if found is not None:
        return found.astype(dtype, copy=False)
    return index.get_indexer(pd.Index(values, dtype=object)).astype(dtype)


def distinct_codes(values: pd.Series) -> tuple[np.ndarray, Any]:
    """(each row's code, -1 where missing; the distinct values), as ``pd.factorize``. A
    categorical column (as the reader gives every column) has both already: its codes and
    categories, with no hash pass over ten million rows (0.1 s for a national aktiviteter's
    ids). A category no row uses (the cell of a skipped summary row, an emptied one) comes
    too, harmlessly: no row points to it, so checking it rejects nothing."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = category_codes(values)
        return codes, (values.cat.categories if (codes >= 0).any() else [])
    return pd.factorize(values, use_na_sentinel=True)


def used_codes(codes: np.ndarray, categories) -> tuple[np.ndarray, Any]:
    """``distinct_codes`` without the categories no row uses (a reader's id column holds its
    header cell, ``Personnummer``, as one): renumbered in one pass over the codes where some
    are unused. For ids, whose categories become the persons': an unused person would make
    pandas recode every groupby over them (a national deltagare's rule: 0.4 → 1.3 s)."""
    used = np.zeros(len(categories) + 1, dtype=bool)
    used[codes] = True  # -1, the missing code, marks the extra last place
    if used[:-1].all():
        return codes, categories
    return kept_codes(codes, categories, used[:-1])


def kept_codes(codes: np.ndarray, categories, kept: np.ndarray) -> tuple[np.ndarray, Any]:
    """The codes renumbered to the categories ``kept`` (a mask) alone, in one pass over the
    rows; a row of a category not kept becomes missing (-1)."""
    renumber = np.where(kept, np.cumsum(kept, dtype=np.int64) - 1, -1)
    return np.append(renumber, -1).astype(codes.dtype)[codes], categories[np.flatnonzero(kept)]


def unlisted(values: pd.Series, codes: pd.Index, distinct: bool = False) -> np.ndarray:
    """Per row: a value is there but not in ``codes``. A categorical column is asked per
    category: when every category is listed (the usual case) no row is looked at, else one
    boolean per row instead of ten million int64 positions. ``distinct``: as ``positions``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = _category_lookup(values.cat.categories, codes, distinct)  # -1 last: missing
        out_cat = lookup < 0
        out_cat[-1] = False
        if not out_cat.any():
            return np.zeros(len(values), dtype=bool)
        return out_cat[category_codes(values)]
    return values.notna().to_numpy() & (positions(values, codes, distinct=distinct) < 0)


def distinct_categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A categorical over ``categories`` that are distinct by construction (an Arrow
    dictionary, ``pd.factorize``'s uniques), its ``codes`` in range (or -1). pandas would check
    the categories for repeats once more by hashing every one of them: up to a second per
    national export (250 000 persons as Python strings). The check is skipped through
    pandas' own fast path where it exists; elsewhere ``from_codes`` checks as always."""
    dtype = _unchecked_dtype(categories)
    if dtype is None:
        return pd.Categorical.from_codes(codes, categories, validate=False)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _unchecked_dtype(categories: pd.Index) -> pd.CategoricalDtype | None:
    """The dtype without the check for repeats, or None where pandas has no such path (an
    internal name: a pandas that drops it still gets correct categoricals, only slower)."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    return None if fast is None else fast(categories, False)


# A (key, day) pair packed into one int64: key * DAY_SPAN + day + DAY_SPAN // 2. The dates of a
# dataset are 1900..2262, far fewer days than DAY_SPAN // 2 either side of 1970.
DAY_SPAN = 1 << 20


def pack_day(key: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The pairs (``key``, ``day`` number since 1970) as one int64 each, as ``DAY_SPAN``
    says: sorted as the pairs are, so that a pair is found by a binary search."""
    return key.astype("int64") * DAY_SPAN + (day + DAY_SPAN // 2)


def unpack_day(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pack_day`` undone: (key, day)."""
    key = packed // DAY_SPAN
    return key, packed - key * DAY_SPAN - DAY_SPAN // 2


def person_days(who: np.ndarray, dates: pd.Series) -> np.ndarray:
    """One int64 per row for the pair (person position ``who``, day of ``dates``), packed
    by ``pack_day``; -1 where the person is unknown (-1) or the date missing. Pairs
    looked up as numbers instead of a merge or MultiIndex of strings and dates."""
    day = days(dates)
    ok = (who >= 0) & (day != NAT) & (np.abs(day) < DAY_SPAN // 2)
    return np.where(ok, pack_day(who, day), -1)


def latest_per_code(codes: np.ndarray, dates: np.ndarray, n: int) -> np.ndarray:
    """Per code 0..n-1 the latest of its dates (datetime64[s]), NaT for a code without one,
    and one NaT after them, so that a position of -1 (``positions``: not found) lands on NaT.
    A group maximum, no sort: NaT is the least int64, so a missing date never wins; rows
    without a code (-1) count nowhere."""
    d = np.asarray(dates, dtype="datetime64[s]").view("int64")
    out = np.full(n + 1, np.iinfo("int64").min, dtype="int64")
    known = codes >= 0
    np.maximum.at(out, codes[known], d[known])
    return out.view("datetime64[s]")


BATCH = 1 << 20  # rows at a time where ten million rows' temporaries should never be held


def batches(n: int, size: int = BATCH) -> list[slice]:
    """The rows ``0..n`` in consecutive slices of ``size``: work over a large table a batch at
    a time, its temporaries bounded by the batch."""
    return [slice(at, at + size) for at in range(0, n, size)]


NAT = np.iinfo(np.int64).min  # numpy's missing date, as an integer
DAY = 86_400  # seconds


def days(dates: pd.Series | np.ndarray, dtype=np.int64) -> np.ndarray:
    """Day number since 1970 of each date, as numpy's ``datetime64[D]`` (NaT stays NaT's
    integer; ``dtype``'s smallest in a narrower type): one integer division of the seconds,
    floored as numpy's unit conversion is, 2-3 times faster than that conversion over ten
    million activities. A batch at a time into the narrow type asked for: no int64 array of
    every row beside it (80 MB of new pages). The one day number of the rules and the
    indicators (``months``, ``person_days``)."""
    seconds = np.asarray(dates, dtype="datetime64[s]").view("int64")
    out = np.empty(len(seconds), dtype=dtype)
    missing = np.iinfo(dtype).min
    for part in batches(len(seconds)):
        day = np.floor_divide(seconds[part], DAY)
        day[seconds[part] == NAT] = missing
        out[part] = day
    return out


def lex_order(keys: Sequence[np.ndarray]) -> np.ndarray:
    """``np.lexsort(keys)`` (the last key sorts first; equal rows keep their order) by one
    stable argsort of the keys packed into an int64, where their ranges fit: a third of the
    time of sorting key by key. A key's step (dates in seconds are whole days: 86 400) is
    divided out first, so that two dates, a person and a group still fit."""
    if not len(keys) or len(keys[0]) < 2:
        return np.lexsort(keys) if len(keys) else np.arange(0)
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    span = 1
    for key in keys:  # least significant first
        key = np.asarray(key)
        if key.dtype.kind not in "iub":
            return np.lexsort(keys)
        lo, hi = int(key.min()), int(key.max())
        if hi - lo >= 1 << 62:  # NaT's integer among dates: far too wide
            return np.lexsort(keys)
        at = key.astype(np.int64) - lo
        step = int(np.gcd.reduce(at)) or 1
        width = (hi - lo) // step + 1
        if span * width >= 1 << 62:
            return np.lexsort(keys)
        packed += (at // step if step > 1 else at) * span
        span *= width
    return np.argsort(packed, kind="stable")


# (categories, codes) -> lookup, for large category lists only: the person column of every
# table is looked up in the same person codes many times over, and each lookup would turn
# 250 000 Arrow strings into Python strings again. Keyed by identity and holding the two
# Indexes weakly: an entry lives no longer than its objects (a reused id finds a dead
# reference, never another Index's lookup), and the lookup keeps no table's categories alive.
_LOOKUPS: dict[tuple[int, int], tuple[weakref.ref, weakref.ref, np.ndarray]] = {}
_LARGE = 4096

# Large lists of Arrow strings, by content: the person list reaches the lookups as several
# Index objects with the same content (deltagare's, the enrolments', the indicators'), and
# exports often list their persons in the same order. A large list is compared with the ones
# seen (Arrow compares the buffers, no string is hashed) and stands for the first equal one
# still alive: one lookup per distinct pair of contents, not per pair of objects (at national
# scale about a dozen lookups of 250 000 persons became a handful).
_SEEN: list[weakref.ref] = []
_SEEN_LOCK = threading.Lock()


_TWINS: dict[int, tuple[weakref.ref, pd.Index]] = {}


def _canonical(values: pd.Index) -> pd.Index:
    """The first seen large list of Arrow strings equal to ``values`` (an Index of Python
    strings counts as its Arrow twin), else ``values``."""
    if len(values) < _LARGE:
        return values
    values = _arrow_twin(values)
    if not arrow_strings(values):
        return values
    import pyarrow as pa

    with _SEEN_LOCK:
        _SEEN[:] = [ref for ref in _SEEN if ref() is not None]
        mine = None
        for ref in _SEEN:
            seen = ref()
            if seen is values:
                return values
            if seen is not None and len(seen) == len(values):
                mine = pa.array(values.array) if mine is None else mine
                if pa.array(seen.array).equals(mine):
                    return seen
        _SEEN.append(weakref.ref(values))
        return values


def _arrow_twin(index: pd.Index) -> pd.Index:
    """An Index of Python strings as Arrow strings, made once while the Index lives (the
    indicators' person list is Python strings: each lookup converted 250 000 of them).
    The same positions: ``_arrow_lookup`` converts such an Index the same way."""
    if index.dtype != object:
        return index
    with _SEEN_LOCK:
        hit = _TWINS.get(id(index))
        if hit is not None and hit[0]() is index:
            return hit[1]
    objects = index.to_numpy(dtype=object)
    if not all(isinstance(c, str) for c in objects):
        return index
    twin = pd.Index(objects, dtype="str")
    with _SEEN_LOCK:
        for k, (ref, _) in list(_TWINS.items()):
            if ref() is None:
                _TWINS.pop(k, None)
        _TWINS[id(index)] = (weakref.ref(index), twin)
    return twin


def _category_lookup(categories: pd.Index, index: pd.Index, distinct: bool = False) -> np.ndarray:
    """Position in ``index`` of each category, and -1 last (for the missing code -1).
    ``distinct``: ``index`` has no repeat and no missing value (another column's categories):
    not hashed once more to check it (273 000 persons, once per export)."""
    if len(categories) >= _LARGE:
        categories, index = _canonical(categories), _canonical(index)
    key = (id(categories), id(index))
    hit = _LOOKUPS.get(key)
    if hit is not None and hit[0]() is categories and hit[1]() is index:
        return hit[2]
    found = None
    if len(categories) >= _LARGE:
        # the same list (categories are distinct): every category at its own position
        same = categories is index
        found = (
            np.arange(len(index), dtype=np.int64)
            if same
            else _arrow_lookup(categories, index, distinct)
        )
    if found is None:
        found = index.get_indexer(categories.astype(object))
    lookup = np.append(found, -1)
    if len(categories) >= _LARGE:
        for k, (a, b, _) in list(_LOOKUPS.items()):  # one copy: other threads may add
            if a() is None or b() is None:
                _LOOKUPS.pop(k, None)
        _LOOKUPS[key] = (weakref.ref(categories), weakref.ref(index), lookup)
    return lookup


def _arrow_lookup(
    values: pd.Series | pd.Index, index: pd.Index, distinct: bool = False
) -> np.ndarray | None:
    """Positions of pandas 3's Arrow strings in ``index``, looked up in Arrow: no Python
    string per value (250 000 persons each time were the largest part of the lookups).
    None where pandas' rules must decide: values not Arrow strings, an index that is not
    all strings or has repeats (``get_indexer`` refuses those). After a large lookup Arrow's
    allocator is asked to give back what it used: it otherwise keeps it past the run's peak."""
    if not arrow_strings(values):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    if arrow_strings(index):
        keys = pa.array(index.array)
    else:
        objects = index.to_numpy(dtype=object)
        if not all(isinstance(c, str) for c in objects):
            return None
        keys = pa.array(objects, pa.string())
    # repeats or a missing key: pandas decides (``unique`` is the cheapest Arrow hash pass;
    # ``count_distinct`` took 0.1-0.9 s for 273 000 persons on the measuring machine)
    if not distinct and (keys.null_count or len(pc.unique(keys)) != len(keys)):
        return None
    found = pc.index_in(pa.array(values.array), value_set=keys).fill_null(-1)
    out = np.asarray(found, dtype=np.int64)
    del keys, found
    if len(values) >= _LARGE:  # Arrow's allocator keeps a large lookup's hash tables (≈50 MB)
        release()
    return out


def arrow_strings(values: pd.Series | pd.Index) -> bool:
    """pandas 3's default string columns are Arrow arrays: looked up in Arrow, 10× faster."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"
