"""Codes as positions: the one lookup from values (codes, persons) to integer positions that
every table and indicator uses, fast for the categoricals the schema produces."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def positions(values: pd.Series, codes: Sequence[str] | pd.Index, dtype=np.int64) -> np.ndarray:
    """Value -> its position in ``codes``; -1 for missing or unlisted values. For a
    categorical column only the categories are looked up (a few, not millions of rows), and
    the rows get ``dtype`` at once."""
    index = codes if isinstance(codes, pd.Index) else pd.Index(list(codes), dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = index.get_indexer(values.cat.categories.astype(object))
        return np.append(lookup, -1).astype(dtype)[values.cat.codes.to_numpy()]
    if _arrow_strings(values) and index.is_unique and all(isinstance(c, str) for c in index):
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.index_in(pa.array(values), value_set=pa.array(list(index), pa.string()))
        return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=dtype)
    return index.get_indexer(pd.Index(values, dtype=object)).astype(dtype)


# A (key, day) pair packed into one int64: key * DAY_SPAN + day + DAY_SPAN // 2. The dates of a
# dataset are 1900..2262, far fewer days than DAY_SPAN // 2 either side of 1970.
DAY_SPAN = 1 << 20


def person_days(who: np.ndarray, dates: pd.Series) -> np.ndarray:
    """One int64 per row for the pair (person position ``who``, day of ``dates``), packed
    as ``DAY_SPAN`` says; -1 where the person is unknown (-1) or the date missing. Pairs
    looked up as numbers instead of a merge or MultiIndex of strings and dates."""
    d = dates.to_numpy(dtype="datetime64[s]")
    day = d.astype("datetime64[D]").astype("int64")
    ok = (who >= 0) & ~np.isnat(d) & (np.abs(day) < DAY_SPAN // 2)
    return np.where(ok, who.astype("int64") * DAY_SPAN + (day + DAY_SPAN // 2), -1)


BATCH = 1 << 20  # rows at a time where ten million rows' temporaries should never be held


def batches(n: int, size: int = BATCH) -> list[slice]:
    """The rows ``0..n`` in consecutive slices of ``size``: work over a large table a batch at
    a time, its temporaries bounded by the batch."""
    return [slice(at, at + size) for at in range(0, n, size)]


def _arrow_strings(values: pd.Series) -> bool:
    """pandas 3's default string columns are Arrow arrays: looked up in Arrow, 10× faster."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"
