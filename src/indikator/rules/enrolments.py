"""Which enrolment of a person covers a date: a sorted index, searched by binary search."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import BATCH as ROWS
from ..coding import batches, positions
from .common import OPEN_END, days


class Enrolments:
    """Which enrolment of a person in a delprojekt covers a date, by binary search.

    Within one (person, delprojekt) accepted enrolments never overlap, so the candidate is the
    last one starting on or before the date; it covers the date unless it ended before."""

    SPAN = 1 << 20  # more days than 1900–2099 holds: (key, day) packs into one int64

    def __init__(self, dl: pd.DataFrame):
        self.persons = pd.Index(dl["person"].cat.categories.astype(object), dtype=object)
        self.n_dp = len(dl["delprojekt"].cat.categories)
        key = self._key(dl["person"].cat.codes.to_numpy(), dl["delprojekt"].cat.codes.to_numpy())
        packed = key * self.SPAN + days(dl["start"]) + self.SPAN // 2
        order = np.argsort(packed, kind="stable")
        self.key, self.packed = key[order], packed[order]
        self.end = days(dl["slut"].fillna(OPEN_END))[order]

    def _key(self, person: np.ndarray, dp: np.ndarray) -> np.ndarray:
        return person.astype("int64") * self.n_dp + dp

    def person_codes(self, person: pd.Series, dtype=np.int64) -> np.ndarray:
        """Codes of ``person`` (a categorical of another file) among the enrolled persons."""
        return positions(person, self.persons, dtype)

    BATCH = ROWS  # rows searched at a time (a test makes it small)

    def covers(self, person: np.ndarray, dp: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether an enrolment of ``person`` in ``dp`` covers ``day`` (codes; -1 = none)."""
        out = np.zeros(len(person), dtype=bool)
        if len(self.key) == 0:
            return out
        for part in batches(len(person), self.BATCH):
            out[part] = self._covers(person[part], dp[part], day[part])
        return out

    def _covers(self, person: np.ndarray, dp: np.ndarray, day: np.ndarray) -> np.ndarray:
        key = self._key(person, dp)
        j = np.searchsorted(self.packed, key * self.SPAN + day + self.SPAN // 2, side="right") - 1
        ok = (person >= 0) & (dp >= 0) & (j >= 0)
        j = np.where(ok, j, 0)
        return ok & (self.key[j] == key) & (self.end[j] >= day)
