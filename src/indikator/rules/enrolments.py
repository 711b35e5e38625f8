"""Which enrolment of a person covers a date: a sorted index, looked up per person and
delprojekt (or searched by binary search when there are very many)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..coding import BATCH as ROWS
from ..coding import batches, category_codes, days, pack_day, positions
from .common import OPEN_END


class Enrolments:
    """Which enrolment of a person in a delprojekt covers a date.

    Within one (person, delprojekt) accepted enrolments never overlap, so the candidate is the
    last one starting on or before the date; it covers the date unless it ended before."""

    def __init__(self, dl: pd.DataFrame):
        self.persons = dl["person"].cat.categories  # as they are: looked up in Arrow
        self.n_dp = len(dl["delprojekt"].cat.categories)
        key = self._key(category_codes(dl["person"]), category_codes(dl["delprojekt"]))
        packed = pack_day(key, days(dl["start"]))
        order = np.argsort(packed, kind="stable")
        self.key, self.packed = key[order], packed[order]
        self.end = days(dl["slut"].fillna(OPEN_END))[order]
        self.start = days(dl["start"])[order]
        # Per key (person × delprojekt): where its enrolments begin and end in the sorted
        # order, so that a date is looked up directly (``_covers``) instead of searched for.
        n_keys = len(self.persons) * self.n_dp
        self.direct = 0 < n_keys <= self.DIRECT and (self.key >= 0).all()
        if self.direct:
            head = np.flatnonzero(np.diff(self.key, prepend=-1) != 0)
            self.first = np.full(n_keys, -1, dtype=np.int32)
            self.last = np.full(n_keys, -1, dtype=np.int32)
            self.first[self.key[head]] = head
            self.last[self.key[head]] = np.append(head[1:], len(self.key)) - 1

    DIRECT = 1 << 25  # the most keys looked up directly (two int32 each: 256 MB)

    def _key(self, person: np.ndarray, dp: np.ndarray) -> np.ndarray:
        return person.astype("int64") * self.n_dp + dp

    def person_codes(self, person: pd.Series, dtype=np.int64) -> np.ndarray:
        """Codes of ``person`` (a categorical of another file) among the enrolled persons."""
        return positions(person, self.persons, dtype, distinct=True)  # categories

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
        if not self.direct:
            return self._searched(person, dp, day)
        # The key's last enrolment, then one back while it starts after the date: a person
        # has a few enrolments in a delprojekt, so a few steps over ever fewer rows.
        ok = (person >= 0) & (dp >= 0)
        key = np.where(ok, self._key(person, dp), 0)
        j = np.where(ok, self.last[key], -1)
        lo = self.first[key]
        late = np.flatnonzero((j >= 0) & (self.start[j] > day))
        while len(late):
            j[late] -= 1
            gone = j[late] < lo[late]
            j[late[gone]] = -1
            late = late[~gone]
            late = late[self.start[j[late]] > day[late]]
        return (j >= 0) & (self.end[j] >= day)

    def covering(self, person: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For dates given without a delprojekt: in how many delprojekt an enrolment of
        ``person`` covers ``day`` (int16), and the first such delprojekt (-1: none). A
        person's enrolments are adjacent in the sorted order, delprojekt ascending, and most
        persons have one: a pass per enrolment of a person over ever fewer rows, where asking
        ``covers`` once per delprojekt was a pass over every row per delprojekt (a national
        aktiviteter: 2.5 million rows without delprojekt, five delprojekt)."""
        count = np.zeros(len(person), dtype=np.int16)
        first = np.full(len(person), -1, dtype=np.int16)
        if len(self.key) == 0:
            return count, first
        for part in batches(len(person), self.BATCH):
            count[part], first[part] = self._covering(person[part], day[part])
        return count, first

    def _covering(self, person: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Within one (person, delprojekt) enrolments never overlap, so the enrolments that
        # cover a date are one per delprojekt: counting them counts the delprojekt.
        known = (person >= 0) & (person < len(self.persons))
        p = np.where(known, person, 0).astype(np.int64)
        lo = self._bounds[p]
        n = np.where(known, self._bounds[p + 1] - lo, 0)
        count = np.zeros(len(person), dtype=np.int16)
        first = np.full(len(person), -1, dtype=np.int16)
        rows, k = np.flatnonzero(n > 0), 0
        while len(rows):
            j, d = lo[rows] + k, day[rows]
            hit = (self.start[j] <= d) & (self.end[j] >= d)
            at = rows[hit]
            count[at] += 1
            fresh = first[at] < 0  # delprojekt ascending: the first hit is the first delprojekt
            first[at[fresh]] = (self.key[j[hit]] - p[at] * self.n_dp)[fresh]
            k += 1
            rows = rows[n[rows] > k]
        return count, first

    @functools.cached_property
    def _bounds(self) -> np.ndarray:
        """Where each person's enrolments begin in the sorted order (and the last one ends)."""
        persons = np.arange(len(self.persons) + 1, dtype=np.int64)
        return np.searchsorted(self.key, persons * self.n_dp)

    def _searched(self, person: np.ndarray, dp: np.ndarray, day: np.ndarray) -> np.ndarray:
        """``_covers`` by binary search over the sorted (key, start) pairs: for more keys
        than ``DIRECT``, and the test's oracle."""
        key = self._key(person, dp)
        j = np.searchsorted(self.packed, pack_day(key, day), side="right") - 1
        ok = (person >= 0) & (dp >= 0) & (j >= 0)
        j = np.where(ok, j, 0)
        return ok & (self.key[j] == key) & (self.end[j] >= day)
