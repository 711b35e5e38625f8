"""The arithmetic every indicator shares: one pass per period family, never a loop over months.

Every indicator reduces to *records that hold over a range of positions* — an enrolment over
the months it covers, an exit over the months until the person's next exit, an activity at its
month — and a figure is the sum of the records' weights that hold at a position. Positions are
period numbers of one family (``month // L``) for the scope ``period``, and months for the scope
``ackumulerat``. A difference array per (group, dimension, kön) turns all records into all
periods at once: cost grows with rows + periods, not rows × periods.

Distinct persons: a person's records are merged per (group, dimension) first, so a person is
counted once per position however many enrolments or activities they have.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..coding import NAT, batches, days, lex_order, positions
from ..periods import KINDS, Period, month_index
from ..vocabulary import KON


@dataclass
class Context:
    """What every indicator needs: the groups, the periods, and each person's kön."""

    groups: list[str]  # delprojekt codes in configuration order, then TOTALT
    periods: list[Period]
    show: list[int]  # group positions to report (a --delprojekt selection, always with TOTALT)
    project_start: int  # month index
    person_codes: pd.Index  # normalised id -> position
    person_kon: np.ndarray  # per person position: its place on the kön axis ``kons``
    indicators: dict = field(default_factory=dict)  # id -> catalog.Indicator, of the config
    by_kind: dict[str, list[Period]] = field(default_factory=dict)
    # Work that does not depend on the record keys (encodings, sorted runs, the records that
    # count), shared by the exact pass and the keyed pass of the cell-key method over the same
    # dataset and periods: the keyed pass only sums other weights over the same records.
    shared: dict[str, object] = field(default_factory=dict)
    kons: tuple[str, ...] = KON  # the kön axis of every tally: K, M (X), then T
    # Per person position: the record key (cell-key method). When set, every count becomes
    # the sum of its persons' keys (events: of their own keys): the cell keys of the figures.
    key: np.ndarray | None = None
    # In an exact pass that a keyed pass follows (``exact_and_keyed``): that pass's key, for
    # sums both passes take over the same records, taken once (``MonthPairs``)
    coming_key: np.ndarray | None = None
    # The work of the one family being computed (``owning``), when its passes run back to
    # back and it is dropped after them; None: everything goes to ``shared``.
    own: dict[str, object] | None = None
    _building: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for p in self.periods:
            self.by_kind.setdefault(p.kind, []).append(p)

    def once(self, name: str, build, across: bool = False):
        """``build()``, done once for every pass over the same dataset and periods: only for
        work that does not depend on ``key``. Families in other threads that need the same
        work wait for it (a build may use another name's work, never its own, never in a
        circle). ``across``: work other families use too (the enrolment runs, the exits),
        kept for all of them; the rest is the family's own (``own``) when it has one."""
        store = self.shared if across or self.own is None else self.own
        with self._building.setdefault(name, threading.Lock()):
            if name not in store:
                store[name] = build()
        return store[name]

    def owning(self, work: dict[str, object]) -> Context:
        """This context for one family whose own work is kept in ``work`` (shared by its
        passes and its parts, and dropped when they are done)."""
        out = copy.copy(self)
        out.own = work
        return out

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @property
    def totalt(self) -> int:
        return len(self.groups) - 1

    def needed_months(self) -> tuple[int, int]:
        """The first and last month any requested period (or the cumulative scope) looks at:
        records of one month outside them change no figure."""
        lo, hi = _acc_bounds(self)
        for kind in self.by_kind:
            a, b = _family_bounds(self, kind)
            lo, hi = min(lo, a * KINDS[kind]), max(hi, (b + 1) * KINDS[kind] - 1)
        return lo, hi

    @property
    def last_month(self) -> int:
        return max(p.last for p in self.periods)

    def group_index(self, codes: pd.Series, dtype=np.int64) -> np.ndarray:
        """Delprojekt code -> group position (-1 for none, e.g. a project-wide activity)."""
        return positions(codes, self.groups[:-1], dtype)

    def persons(self, ids: pd.Series, dtype=np.int64) -> np.ndarray:
        return positions(ids, self.person_codes, dtype)


def months(dates: pd.Series, dtype=np.int64) -> np.ndarray:
    """Month index of each date (year * 12 + month - 1); missing dates give a far-future
    month (an open end). A million dates at a time: ten million activities never need
    their temporaries at once."""
    d = np.asarray(dates, dtype="datetime64[s]")
    out = np.empty(len(d), dtype=dtype)
    for part in batches(len(d)):
        out[part] = _month_index(d[part])
    return out


DAY_TABLE = 1 << 16  # days: dates within this span get their months from a table


def _month_index(d: np.ndarray) -> np.ndarray:
    """``months`` of a batch. numpy's calendar conversion to months costs twice the division
    to days: a register's dates span a few thousand days, so each day's month is converted once
    (a table from the earliest to the latest day) and the rows take it from there. The days
    are ``days``' (one integer division, a third of numpy's conversion to days)."""
    day = days(d)
    nat = day == NAT
    lo, hi = np.where(nat, np.iinfo(np.int64).max, day).min(initial=0), day.max(initial=0)
    if nat.all() or hi - lo > DAY_TABLE:
        month = d.astype("datetime64[M]").astype("int64") + 1970 * 12
    else:
        span = np.arange(lo, hi + 1).astype("datetime64[D]")
        table = span.astype("datetime64[M]").astype("int64") + 1970 * 12
        month = table[np.clip(day - lo, 0, hi - lo)]
    return np.where(nat, 10**7, month)


def add_months(dates: pd.Series, n: int) -> pd.Series:
    """Each date plus n calendar months, clamped to the target month's last day."""
    d = pd.DatetimeIndex(dates)
    m = d.year * 12 + d.month - 1 + n
    first = pd.to_datetime(pd.DataFrame({"year": m // 12, "month": m % 12 + 1, "day": 1}))
    last_day = first.dt.days_in_month.to_numpy()
    day = np.minimum(d.day.to_numpy(), last_day)
    out = first + pd.to_timedelta(day - 1, unit="D")
    out.index = dates.index
    return out.astype("datetime64[s]")


def kon_codes(kon: pd.Series, kons: tuple[str, ...] = KON) -> np.ndarray:
    """Each kön's position on a tally's kön axis ``kons`` (the kön shown apart, then T): K -> 0,
    M -> 1, …; a kön not shown apart (unknown, or X outside ESF+) -> the last, T only."""
    codes = positions(kon, list(kons[:-1]), np.int8)  # int8: taken per run, tens of millions
    return np.where(codes < 0, len(kons) - 1, codes).astype(np.int8)


def with_totalt(ctx: Context, grp: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Duplicate every record into TOTALT; records without a delprojekt go to TOTALT only."""
    has = grp >= 0
    out_grp = np.concatenate([grp[has], np.full(len(grp), ctx.totalt)])
    return (out_grp, *(np.concatenate([a[has], a]) for a in arrays))


def rows_where(mask: np.ndarray | None, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of ``arrays`` where ``mask`` holds (the arrays themselves, not copies, when
    it holds everywhere or is None: callers only read them). One index serves every array: boolean
    indexing reads the mask again per array, and where kept and dropped rows alternate
    without a pattern it is 3–4 times slower than taking by an index (numpy 2.4)."""
    if mask is None or mask.all():
        return arrays
    at = np.flatnonzero(mask)
    return tuple(a[at] for a in arrays)


def _position(period: Period, scope: str) -> tuple[str, int]:
    """Where a tally holds (period, scope): its period kind's arrays at the period's number,
    or the cumulative arrays at its last month."""
    if scope == "ackumulerat":
        return "ackumulerat", period.last
    return period.kind, period.number


class Tally:
    """Figures per (group, dimension, kön) at every requested period and scope.

    The kön axis is ``kons``: the kön shown apart (K, M, and X for ESF+), then T, where the
    records of anyone else (unknown kön) are added and every shown kön is summed in.
    """

    def __init__(self, n_groups: int, n_dim: int, kons: tuple[str, ...] = KON):
        self.n_groups, self.n_dim, self.kons = n_groups, n_dim, kons
        self.arrays: dict[str, tuple[int, np.ndarray]] = {}

    def get(self, period: Period, scope: str) -> np.ndarray:
        """The figures at one (period, scope), as (group, dimension, kön)."""
        kind, number = _position(period, scope)
        lo, arr = self.arrays[kind]
        return arr[:, :, :, number - lo]

    def blocks(
        self, keys: list[tuple[Period, str]], groups: list[int], kons: list[int]
    ) -> np.ndarray:
        """The figures of ``groups`` and ``kons`` at every (period, scope) of ``keys``, as
        (key, group, dimension, kön): taken a period kind at a time (a batch: 174 keys per
        figure, dozens of figures per pass)."""
        at: dict[str, tuple[list[int], list[int]]] = {}
        for i, (period, scope) in enumerate(keys):
            kind, number = _position(period, scope)
            where = at.setdefault(kind, ([], []))
            where[0].append(i)
            where[1].append(number)
        out = np.empty((len(keys), len(groups), self.n_dim, len(kons)))  # _store: float64
        for kind, (rows, numbers) in at.items():
            lo, arr = self.arrays[kind]
            out[rows] = np.moveaxis(
                arr[groups][:, :, kons][:, :, :, np.asarray(numbers) - lo], -1, 0
            )
        return out

    def minus_from(self, part: Tally) -> Tally:
        """self − part per dimension of ``part`` (self has one dimension, shared by all)."""
        out = Tally(self.n_groups, part.n_dim, self.kons)
        out.arrays = {k: (lo, arr - part.arrays[k][1]) for k, (lo, arr) in self.arrays.items()}
        return out

    def select(self, dim: int) -> Tally:
        """One dimension value as a tally of its own."""
        out = Tally(self.n_groups, 1, self.kons)
        out.arrays = {k: (lo, arr[:, dim : dim + 1]) for k, (lo, arr) in self.arrays.items()}
        return out

    def add(self, kind, lo, hi, grp, dim, kon, weight, first, last) -> None:
        """Records hold from position ``first`` to ``last`` (inclusive) with ``weight``;
        records without a group or dimension (-1) count nowhere. (To add the same records
        with other weights too, ``place`` them once.)"""
        self.place(kind, lo, hi, grp, dim, kon, first, last).add(self, weight)

    def place(self, kind, lo, hi, grp, dim, kon, first, last) -> Placement:
        """Where the records of ``add`` fall, for adding them with any weight later."""
        keep = (dim >= 0) & (grp >= 0)
        if keep.all():
            keep = None
        else:
            point = first is last  # kept: one position each
            grp, dim, kon, first = rows_where(keep, grp, dim, kon, first)
            last = first if point else rows_where(keep, last)[0]
        cell = grp.astype("int64") * self.n_dim + dim
        return Placement(self, kind, lo, hi, cell, kon, first, last, keep)

    def _store(self, kind: str, lo: int, arr: np.ndarray) -> None:
        arr[:, :, -1] += arr[:, :, :-1].sum(axis=2)  # T = every kön shown apart + unknown
        if kind in self.arrays:
            arr = arr + self.arrays[kind][1]
        self.arrays[kind] = (lo, np.round(arr, 9))


class Placement:
    """Where records fall in the arrays of tallies of one shape (``Tally.place``), worked out
    once and added with any number of weights: ``Latest``'s count and every share of it, which
    take the same records period after period (a batch: 87 periods, tens of tallies per family
    and pass), and runs and pairs counted in both passes of the cell-key method
    (``PlacedRuns``)."""

    def __init__(self, like: Tally, kind, lo, hi, cell, kon, first, last, kept=None) -> None:
        self.kind, self.lo, self.point = kind, lo, first is last
        n_kon = len(like.kons)
        if self.point:  # each record at one position (an event, an activity's period)
            keep = _within(first, lo, hi)
            cell, kon, at = rows_where(keep, cell, kon, first)
            width = hi - lo + 1
            size = like.n_groups * like.n_dim * n_kon * width
            # a batch's tallies are millions of records: int32 where the cells fit, half the bytes
            where = _cells(cell, kon, n_kon, width, _position_type(size))
            where += at
            where -= lo
            self.starts: tuple[np.ndarray, ...] = (where,)
        else:  # from first to last: +w at the first position, -w after the last, summed up
            first = np.maximum(first, lo)
            last = np.minimum(last, hi)
            keep = first <= last
            cell, kon, first, last = rows_where(keep, cell, kon, first, last)
            width = hi - lo + 2
            size = like.n_groups * like.n_dim * n_kon * width
            # int32 where every position, and a cell's start before ``lo`` is taken off, fits
            # (a batch's self-assessment pairs: 19 million, half the bytes)
            dtype = _position_type(size + abs(lo) + abs(hi) + 2)
            base = _cells(cell, kon, n_kon, width, dtype)
            start = np.add(base, first, dtype=dtype)
            start -= lo
            np.add(base, last, out=base)
            base -= lo - 1  # the position after each record's last
            self.starts = (start, base)
        self.keep = _then(kept, keep)  # the records given that are placed
        self.n, self.size = len(cell), size
        # of the arrays of every tally like it
        self.shape = (like.n_groups, like.n_dim, n_kon, width)

    def add(self, tally: Tally, weight, of: np.ndarray | None = None) -> None:
        """Add the records with ``weight`` (None: 1 each); ``of``: each record's position in
        ``weight`` (a person's key, taken a batch at a time as it is added: a national batch's
        activity runs would need 576 MB of keys at once)."""
        tally._store(self.kind, self.lo, self.sums(weight, of))

    def sums(self, weight, of: np.ndarray | None = None) -> np.ndarray:
        """What ``add`` stores: the records' weights summed at every position of the kind."""
        if of is not None:
            w, of = weight, rows_where(self.keep, of)[0]
        else:
            w = _kept_weight(self.keep, weight)
        if self.point:
            return bin_sums(self.starts[0], w, self.size, of).reshape(self.shape)
        start, after = self.starts
        diff = bin_sums(start, w, self.size, of)
        diff -= bin_sums(after, w, self.size, of)
        return diff.reshape(self.shape).cumsum(axis=3)[..., :-1]


class PlacedParts:
    """Records of one kind placed a part at a time as they are made (``Tally.place`` per
    part: a join's parts, never held whole), added as one placement: the parts' sums added
    up, then stored once. The tally is the one a single placement of all the records gives,
    to the bit, where the weights are whole numbers (counts, record keys, 0/1 times a key):
    every partial sum is then exact. (Stored part by part, it would not be: ``Tally._store``
    rounds to nine decimals, which moves large whole numbers.)"""

    def __init__(self, parts: list[Placement]) -> None:
        if not parts:
            raise ValueError("no parts")
        self.parts = parts

    def add(self, tally: Tally, weights: list[np.ndarray | None]) -> None:
        """``weights``: one per part (None: 1 each)."""
        total = None
        for part, weight in zip(self.parts, weights, strict=True):
            arr = part.sums(weight)
            if total is None:
                total = arr.copy()  # cumsum's slice: a view
            else:
                total += arr
        first = self.parts[0]
        tally._store(first.kind, first.lo, total)


def bin_sums(
    at: np.ndarray, weight: np.ndarray | None, size: int, of: np.ndarray | None = None
) -> np.ndarray:
    """``np.bincount(at, weight, minlength=size)`` in float64, a batch of records at a time.
    bincount first copies its positions into int64 (a national batch's activities: 72
    million int32 positions, half a GB of fresh memory per pass, and fresh memory is what
    the machine is slowest at); a batch's copy stays in the cache (``Sums``). ``of``: each
    record's weight is ``weight[of]``, taken a batch at a time."""
    if len(at) and int(at.min()) < 0:  # bincount's check: add.at would count from the end
        raise ValueError("negative position")
    sums = Sums(size, weight is not None)
    for part in batches(len(at)):
        if weight is None:
            sums.add(at[part])
        else:
            sums.add(at[part], weight[part] if of is None else weight[of[part]])
    return sums.result()


class Sums:
    """``np.bincount`` of records given a part at a time: counts summed as integers (exact),
    weights added with ``np.add.at``, record by record in order, as bincount adds them, so
    the sums are the same to the bit however the records are cut."""

    def __init__(self, size: int, weighted: bool) -> None:
        self.size = size
        self.sums = np.zeros(size, dtype=np.float64 if weighted else np.int64)

    def add(self, at: np.ndarray, weight: np.ndarray | None = None) -> None:
        if weight is None:
            self.sums += np.bincount(at, minlength=self.size)
        else:
            np.add.at(self.sums, at, weight)

    def result(self) -> np.ndarray:
        return self.sums.astype(np.float64, copy=False)


def _then(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    """One mask for two in a row: ``second`` over the rows ``first`` keeps."""
    if first is None or first.all():
        return second
    if second is None or second.all():
        return first
    out = first.copy()
    out[first] = second
    return out


def _kept_weight(keep: np.ndarray | None, weight) -> np.ndarray | None:
    """A record weight (None: 1 each) for the records ``keep`` holds for."""
    return None if weight is None else rows_where(keep, np.asarray(weight, dtype="float64"))[0]


def _within(at: np.ndarray, lo: int, hi: int) -> np.ndarray | None:
    """Per record: ``lo <= at <= hi``; None when every record is (a batch asks for every
    month): two reductions say so, and no mask of millions is built."""
    if not len(at) or (int(at.min()) >= lo and int(at.max()) <= hi):
        return None
    return (at >= lo) & (at <= hi)


def _position_type(size: int):
    """The integers of positions in tally arrays of ``size`` cells: int32 where every cell
    fits (a batch's tallies are millions of records: half the bytes), else int64."""
    return np.int32 if size < 2**31 else np.int64


def _cells(cell: np.ndarray, kon: np.ndarray, n_kon: int, width: int, dtype=np.int64):
    """(cell * n_kon + kön) * width in one array (``dtype``: int64, or int32 where every value
    fits), built in place: a tally of ten million runs makes one array of it, not four."""
    out = np.multiply(cell, n_kon, dtype=dtype)
    out += kon
    out *= width
    return out


def _family_bounds(ctx: Context, kind: str) -> tuple[int, int]:
    numbers = [p.number for p in ctx.by_kind[kind]]
    return min(numbers), max(numbers)


def _acc_bounds(ctx: Context) -> tuple[int, int]:
    return ctx.project_start, max(ctx.project_start, ctx.last_month)


def merge_runs(key: np.ndarray, first: np.ndarray, last: np.ndarray, lo: int, hi: int):
    """Union of [first, last] intervals per key (clipped to [lo, hi]): disjoint runs.

    The records must be ordered by (key, first), as ``person_runs`` sorts them once for every
    family. Ties may be in any order: a tie never starts a run, and a run's end is a maximum.
    """
    first, last = np.maximum(first, lo), np.minimum(last, hi)
    key, first, last = rows_where(first <= last, key, first, last)
    if len(key) == 0:
        return key, first, last
    span = hi - lo + 2
    fk = (first - lo) + key * span
    tk = (last - lo) + key * span
    reach = np.maximum.accumulate(tk)
    starts = np.flatnonzero(np.concatenate([[True], fk[1:] > reach[:-1]]))
    run_first, run_last = fk[starts], np.maximum.reduceat(tk, starts)
    run_key = run_first // span
    return run_key, run_first - run_key * span + lo, run_last - run_key * span + lo


def _order_by(key: np.ndarray, month: np.ndarray) -> np.ndarray:
    """The order by (key, month): one argsort of a combined integer where it fits in int64
    (2–3× faster than np.lexsort on millions of rows), else lexsort."""
    if len(key) == 0:
        return np.arange(0)
    m0 = int(month.min())
    width = int(month.max()) - m0 + 1
    if max(abs(int(key.min())), abs(int(key.max()))) < 2**62 // width:
        return np.argsort(key.astype("int64") * width + (month - m0))
    return np.lexsort((month, key))


@dataclass
class Runs:
    """Each (group, dimension, person)'s disjoint runs of positions, per period family.

    Per family: ``(lo, hi, cell, person, first, last)``, where ``cell`` is group * n_dim +
    dimension (int32) and ``person`` the person's position (int32), kept apart so that no
    tally has to divide a packed key again; ``first``/``last`` are positions (period numbers
    for a family, months for the cumulative scope, where a run lasts to the last month).
    """

    n_dim: int
    n_persons: int
    by_kind: dict[str, tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]

    def groups(self, cell: np.ndarray) -> np.ndarray:
        """cell -> group."""
        return cell // self.n_dim if self.n_dim > 1 else cell


def _split_keys(key: np.ndarray, n_persons: int) -> tuple[np.ndarray, np.ndarray]:
    """A packed key ((group * n_dim + dimension) * n_persons + person) -> (cell, person)."""
    cell, person = np.divmod(key, n_persons)
    return cell.astype(np.int32), person.astype(np.int32)


def _bits(n: int) -> int:
    """Bits that hold 0 … n − 1."""
    return max(int(n - 1).bit_length(), 1)


def _pair_layout(ctx: Context, n_dim: int, n_persons: int) -> tuple[int, int, int, int]:
    """The bit fields of ``_sorted_point_runs``' packed (dimension, person, month, group + 1);
    group + 1: records without a delprojekt (-1) count in TOTALT only."""
    lo_m, hi_m = ctx.needed_months()
    return _bits(n_dim), _bits(n_persons), _bits(hi_m - lo_m + 1), _bits(ctx.n_groups + 1)


def _pair_bits(ctx: Context, n_dim: int, n_persons: int) -> int:
    """The bits of the packed pairs in all (at most 63 fit an int64)."""
    return sum(_pair_layout(ctx, n_dim, n_persons))


DENSE_CELLS = 1 << 26  # the largest presence array of ``_point_runs`` (64 MB of booleans)
DENSE_KEYS = 1 << 25  # the most keys it takes (each key's first month: 128 MB of int32)


BATCH = 1 << 20  # records marked at a time (their temporaries: about 50 MB)


def _point_runs(ctx: Context, person, grp, dim, m, n_dim: int) -> Runs | MonthPairs:
    """``person_runs`` for records of one month each (activities: many per person and month),
    without a sort: each (group, dimension, person) marks the periods it is present in, in a
    presence array over every possible key (the codes are dense), a window of periods at a
    time, and the marks are the runs; the cumulative scope keeps each key's first month.
    Only the requested periods' months are looked at, so one month of a ten-year register
    costs one month of rows. When the arrays would be too large (a batch of every month),
    the distinct (key, month) pairs are sorted once instead (``_sorted_point_runs``)."""
    n_persons = max(len(ctx.person_codes), 1)
    n_keys = ctx.n_groups * n_dim * n_persons
    lo_m, hi_m = ctx.needed_months()
    inside = (person >= 0) & (dim >= 0) & (m >= lo_m) & (m <= hi_m)
    if not inside.all():  # months no requested period looks at are dropped at once
        person, grp, dim, m = rows_where(inside, person, grp, dim, m)
    totalt = ctx.totalt * n_dim * n_persons

    def keys(sel, part=slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """The keys of the selected records of ``part`` (a mask, or ``slice(None)`` for all)
        in their group and in TOTALT, and the index of each into the selection."""
        g = grp[part][sel]
        has = np.flatnonzero(g >= 0)
        b = dim[part][sel].astype("int64") * n_persons + person[part][sel]
        own = g[has].astype("int64") * (n_dim * n_persons) + b[has]
        return np.concatenate([own, b + totalt]), np.concatenate([has, np.arange(len(b))])

    by_kind = {}
    bounds = {kind: _family_bounds(ctx, kind) for kind in ctx.by_kind}
    too_many = n_keys > DENSE_KEYS
    if too_many or any((hi - lo + 1) * n_keys > DENSE_CELLS for lo, hi in bounds.values()):
        if _pair_bits(ctx, n_dim, n_persons) > 63:  # never at national scale (35 bits)
            return _interval_runs(ctx, person, grp, dim, m, m, n_dim)
        return _sorted_point_runs(ctx, person, grp, dim, m, n_dim, n_persons)
    parts = batches(len(m), BATCH)
    for kind, (lo, hi) in bounds.items():
        n_b = hi - lo + 1
        present = np.zeros(n_keys * n_b, dtype=bool)
        for part in parts:
            bucket = m[part] // KINDS[kind]
            sel = (bucket >= lo) & (bucket <= hi)
            k, at = keys(sel, part)
            present[k * n_b + (bucket[sel][at] - lo)] = True
        key, b = np.divmod(np.flatnonzero(present), n_b)
        b += lo
        by_kind[kind] = (lo, hi, *_split_keys(key, n_persons), b, b)  # one period each
    lo, hi = _acc_bounds(ctx)
    # each key's first month, counted from ``lo``: int16 (months of 2 730 years) halves the
    # largest array of the step
    width = np.int16 if hi - lo + 1 < np.iinfo(np.int16).max else np.int32
    first = np.full(n_keys, hi - lo + 1, dtype=width)
    for part in parts:
        sel = (m[part] >= lo) & (m[part] <= hi)
        k, at = keys(sel, part)
        np.minimum.at(first, k, (m[part][sel][at] - lo).astype(width))
    key = np.flatnonzero(first <= hi - lo)
    start = first[key].astype("int64") + lo
    by_kind["ackumulerat"] = (lo, hi, *_split_keys(key, n_persons), start, np.full(len(key), hi))
    return Runs(n_dim, n_persons, by_kind)


def _sorted_point_runs(ctx: Context, person, grp, dim, m, n_dim: int, n_persons: int) -> MonthPairs:
    """The presence of every key in every month of many periods (a batch): the distinct
    (key, month) pairs, sorted once and kept as they are (``MonthPairs``): each period
    kind's runs are the first pair of each (key, period), and the cumulative scope's each
    key's first month, picked as they are counted. ``m``: the records' months, all within
    ``ctx.needed_months()``.

    One sort of the records as they are, (person, dimension, month, group), not of the
    records and their TOTALT copies: TOTALT's pairs are the distinct (person, dimension,
    month) in that order, and each group's are the rest ordered by group by a stable sort of
    the few group codes. The four are packed in bit fields of one int64, so that taking them
    apart again is shifts and masks, never a division of millions of int64. The person
    leads, and the sort is numpy's stable one (timsort for int64), because registers come
    ordered by person, or by date with the persons in order within a day: timsort takes
    those runs as they are (national activities: 0.16 s against 0.68 s for the default
    sort; as fast as it on rows in random order)."""
    lo_m = ctx.needed_months()[0]
    d_bits, _, m_bits, g_bits = _pair_layout(ctx, n_dim, n_persons)
    packed = person.astype("int64") << d_bits
    packed |= dim
    packed <<= m_bits
    packed |= m - lo_m
    packed <<= g_bits
    packed |= grp + 1
    packed.sort(kind="stable")  # in place (np.unique: far slower)
    triples, packed = packed, None
    if len(triples):
        triples = triples[np.concatenate([[True], triples[1:] != triples[:-1]])]
    g = ((triples & ((1 << g_bits) - 1)) - 1).astype(np.int16)
    triples >>= g_bits  # (person, dimension, month), sorted
    pm = triples
    totalt = pm[np.concatenate([[True], pm[1:] != pm[:-1]])] if len(pm) else pm
    own = g >= 0
    g, pm = rows_where(own, g, pm)
    order = np.argsort(g, kind="stable")  # a radix sort of int16: the groups in order
    del triples
    # the groups' pairs, then TOTALT's: ordered by (group, person, dimension, month), so that
    # each key's (cell and person) months lie together in order; taken apart into arrays of
    # their final size a batch at a time (no copies of whole arrays to concatenate)
    n_own, n_kon = len(pm), len(ctx.kons)
    place, who, month = (np.empty(n_own + len(totalt), dtype=np.int32) for _ in range(3))

    def fields(start: int, pm: np.ndarray, grp) -> None:
        """(cell * n_kon + kön, person, month) of packed (person, dimension, month) pairs in
        ``grp``, from row ``start`` on."""
        at = slice(start, start + len(pm))
        month[at] = pm & ((1 << m_bits) - 1)
        month[at] += lo_m
        pd_ = pm >> m_bits
        who[at] = pd_ >> d_bits
        cell = pd_ & ((1 << d_bits) - 1)
        cell += np.asarray(grp, dtype=np.int64) * n_dim
        place[at] = _cells(cell, ctx.person_kon[who[at]], n_kon, 1, np.int32)

    for part in batches(n_own):
        rows = order[part]
        fields(part.start, pm[rows], g[rows])
    for part in batches(len(totalt)):
        fields(n_own + part.start, totalt[part], ctx.totalt)
    del g, pm, totalt, order
    # where a key's pairs begin (a person's kön is the person's: the key is (place, person))
    new_key = np.ones(len(place), dtype=bool)
    np.not_equal(place[1:], place[:-1], out=new_key[1:])
    new_key[1:] |= who[1:] != who[:-1]
    bounds = {kind: _family_bounds(ctx, kind) for kind in ctx.by_kind}
    return MonthPairs(n_dim, place, who, month, new_key, bounds, _acc_bounds(ctx))


def person_runs(ctx: Context, person, grp, dim, m_first, m_last, n_dim: int) -> Runs | MonthPairs:
    """Merge every person's records per (group, dimension) into disjoint runs, once per family."""
    if m_first is m_last:  # records of one month each
        return _point_runs(ctx, person, grp, dim, m_first, n_dim)
    return _interval_runs(ctx, person, grp, dim, m_first, m_last, n_dim)


def _interval_runs(ctx: Context, person, grp, dim, m_first, m_last, n_dim: int) -> Runs:
    """``person_runs`` for records over any months: sorted by (key, first month), merged."""
    grp, person, dim, m_first, m_last = with_totalt(ctx, grp, person, dim, m_first, m_last)
    n_persons = max(len(ctx.person_codes), 1)
    key = (grp * n_dim + dim) * n_persons + person
    # One sort by (key, first month) serves every family: a period number (month // length,
    # clipped) never decreases as the month grows, so the order holds for all of them.
    order = _order_by(key, m_first)
    key, m_first, m_last = key[order], m_first[order], m_last[order]
    # A record equal to the one before it adds nothing to a union; activities (one month
    # each, many per person and month) shrink several times before the per-family passes.
    same = (key[1:] == key[:-1]) & (m_first[1:] == m_first[:-1]) & (m_last[1:] == m_last[:-1])
    if same.any():
        keep = np.concatenate([[True], ~same])
        key, m_first, m_last = key[keep], m_first[keep], m_last[keep]
    by_kind = {}
    for kind in ctx.by_kind:
        length = KINDS[kind]
        lo, hi = _family_bounds(ctx, kind)
        k, first, last = merge_runs(key, m_first // length, m_last // length, lo, hi)
        by_kind[kind] = (lo, hi, *_split_keys(k, n_persons), first, last)
    lo, hi = _acc_bounds(ctx)
    # Cumulative: a person counts from their first record that reaches into the project; in
    # the sorted order that is the first record of each key.
    inside = (m_last >= lo) & (m_first <= hi)
    k_in, first_in = key[inside], np.maximum(m_first[inside], lo)
    head = np.flatnonzero(np.concatenate([[True], k_in[1:] != k_in[:-1]])[: len(k_in)])
    k, first = k_in[head], first_in[head]
    start = first.astype("int64")
    by_kind["ackumulerat"] = (lo, hi, *_split_keys(k, n_persons), start, np.full(len(k), hi))
    return Runs(n_dim, n_persons, by_kind)


def same_person(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of rows (i, j) with ``left[i] == right[j]``, in pandas' ``merge`` order
    (``same_person_parts`` in one part)."""
    return next(same_person_parts(left, right))


class PersonMatches:
    """The right side of ``same_person_parts``, sorted once for any number of left sides (the
    self-assessment states, met by each period kind's runs in turn)."""

    def __init__(self, right: np.ndarray) -> None:
        self.order = np.argsort(right, kind="stable")
        self.ordered = right[self.order]
        # codes 0 … n − 1 (persons): each code's first row, so that a left value's matches
        # are found by two lookups instead of two binary searches in millions of rows
        ordered, self.bounds = self.ordered, None
        codes = ordered.dtype.kind in "iu" and len(ordered) and ordered[0] >= 0
        if codes and ordered[-1] <= 4 * len(ordered) + 1024:
            self.bounds = np.searchsorted(ordered, np.arange(int(ordered[-1]) + 2))

    def ranges(self, left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per left row: where its matches begin among the sorted right rows, and how many
        (a value the right side lacks: none, wherever they would begin)."""
        if self.bounds is None:
            lo = np.searchsorted(self.ordered, left, "left")
            return lo, np.searchsorted(self.ordered, left, "right") - lo
        top = len(self.bounds) - 2  # the largest code on the right
        at = np.where((left >= 0) & (left <= top), left, top + 1)
        lo = self.bounds[at]
        return lo, self.bounds[np.minimum(at + 1, top + 1)] - lo


def same_person_parts(
    left: np.ndarray, right: np.ndarray | PersonMatches, size: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every pair of rows (i, j) with ``left[i] == right[j]`` (an inner join on the person):
    the left rows in their order, each one's matches in the right's order – the order of
    pandas' ``merge``, without its frames. The right values sorted (``PersonMatches``: once
    for many left sides), each left value's matches found there, then laid out by
    ``np.repeat``.

    The pairs come as (i, j) parts of about ``size`` pairs each (a left row's matches are
    never split), in that order, so that a caller can reduce each part before the next is
    made; ``size`` None: one part."""
    matches = right if isinstance(right, PersonMatches) else PersonMatches(right)
    order = matches.order
    lo, n = matches.ranges(left)
    ends = np.cumsum(n)  # where each left row's matches end in the output
    a = 0
    while True:
        base = int(ends[a - 1]) if a else 0
        b = len(left) if size is None else int(np.searchsorted(ends, base + size, "right"))
        b = min(max(b, a + 1), len(left))
        nn = n[a:b]
        i = np.repeat(np.arange(a, b), nn)
        starts = ends[a:b] - nn - base  # where each row's matches begin in this part
        yield i, order[np.repeat(lo[a:b] - starts, nn) + np.arange(len(i))]
        a = b
        if a >= len(left):
            return


def count_persons(ctx: Context, person, grp, dim, m_first, m_last, n_dim: int) -> Tally:
    """Distinct persons with a record overlapping the period (per group, dimension, kön)."""
    return tally_runs(ctx, person_runs(ctx, person, grp, dim, m_first, m_last, n_dim))


def tally_runs(ctx: Context, runs: Runs | MonthPairs) -> Tally:
    """Count the runs' persons at every position (each run holds one person)."""
    if isinstance(runs, MonthPairs):  # never taken apart
        return runs.tally(ctx)
    return tally_placed(ctx, place_runs(ctx, Runs(runs.n_dim, runs.n_persons, dict(runs.by_kind))))


@dataclass
class PlacedRuns:
    """Runs placed in the arrays of a tally (``place_runs``), with the person of each: what
    every pass over them needs. Kept instead of the runs where they are tallied in more than
    one pass (the cell-key method: the exact count, then the sum of the persons' keys), the
    second pass only adds other weights (a national batch's activities: 72 million runs,
    placed once instead of twice, and held in 8 bytes each instead of 16)."""

    n_dim: int
    kinds: list[tuple[Placement, np.ndarray]]


def place_runs(ctx: Context, runs: Runs | MonthPairs) -> PlacedRuns | MonthPairs:
    """The runs placed, period kind by period kind. ``runs`` is taken apart as it goes (each
    kind dropped once placed, so that one kind is held twice at most): pass a copy to keep it
    (``tally_runs`` does). Month pairs are counted as they are: returned as they are."""
    if isinstance(runs, MonthPairs):
        return runs
    like = Tally(ctx.n_groups, runs.n_dim, ctx.kons)
    kinds = []
    while runs.by_kind:
        kind, (lo, hi, cell, person, first, last) = runs.by_kind.popitem()
        placed = Placement(like, kind, lo, hi, cell, ctx.person_kon[person], first, last)
        kinds.append((placed, person))
    return PlacedRuns(runs.n_dim, kinds)


def tally_placed(ctx: Context, placed: PlacedRuns | MonthPairs) -> Tally:
    """Count the placed runs' persons at every position (``ctx.key``: sum their keys)."""
    if isinstance(placed, MonthPairs):
        return placed.tally(ctx)
    tally = Tally(ctx.n_groups, placed.n_dim, ctx.kons)
    for placement, person in placed.kinds:
        placement.add(tally, ctx.key, None if ctx.key is None else person)
    return tally


@dataclass
class MonthPairs:
    """The runs of one-month records over many periods (a batch), kept as the distinct
    (key, month) pairs they are made of (``_sorted_point_runs``), ordered by key and month: a
    period kind's runs are the first pair of each (key, period), the cumulative scope's the
    first pair of each key inside it, picked a batch at a time as they are counted and never
    held. What every pass needs, like ``PlacedRuns``, in a fraction of its memory (a national
    batch's activities: 17 million pairs for 72 million runs of six kinds; fresh memory is
    what the benchmark machine is slowest at)."""

    n_dim: int
    place: np.ndarray  # per pair: (cell * n_kon + kön), cell = group * n_dim + dimension
    who: np.ndarray  # per pair: the person's position
    month: np.ndarray
    new_key: np.ndarray  # where a key's pairs begin
    bounds: dict[str, tuple[int, int]]  # per period kind: its first and last period number
    acc: tuple[int, int]  # the cumulative scope's first and last month
    # the keyed pass's sums, taken beside the exact pass's (``_sums``): (key, sums) per period
    ahead: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def tally(self, ctx: Context) -> Tally:
        """Count the runs' persons at every position (``ctx.key``: sum their keys), in the
        arrays ``Placement`` would give them, the same to the bit."""
        tally = Tally(ctx.n_groups, self.n_dim, ctx.kons)
        for kind, (lo, hi) in self.bounds.items():
            tally._store(kind, lo, self._sums(ctx, KINDS[kind], lo, hi, hi - lo + 1))
        lo, hi = self.acc  # a run from its first month to the last: summed along the months
        arr = self._sums(ctx, 0, lo, hi, hi - lo + 2)
        tally._store("ackumulerat", lo, arr.cumsum(axis=3)[..., :-1])
        return tally

    def _sums(self, ctx: Context, length: int, lo: int, hi: int, width: int) -> np.ndarray:
        """Each run counted at its first position (``length``: months per period; 0 for the
        cumulative scope's months), as (group, dimension, kön, position)."""
        shape = (ctx.n_groups, self.n_dim, len(ctx.kons), width)
        size = int(np.prod(shape))
        held = self.ahead.get((length, lo, hi))
        if held is not None and ctx.key is not None and held[0] is ctx.key:
            self.ahead.pop((length, lo, hi), None)
            return held[1]  # summed by the exact pass, over the same runs in the same order
        # An exact pass that a keyed pass follows sums its keys too: the runs are picked
        # once for both (a national batch's activities: about a third of their time)
        coming = ctx.coming_key if ctx.key is None else None
        sums = Sums(size, ctx.key is not None)
        keyed = Sums(size, True) if coming is not None else None
        for part in batches(len(self.month), BATCH):
            at, pos = self._firsts(part, length, lo, hi)
            where = np.multiply(self.place[part][at], width, dtype=_position_type(size))
            where += pos[at]
            where -= lo
            sums.add(where, None if ctx.key is None else ctx.key[self.who[part][at]])
            if keyed is not None:
                keyed.add(where, coming[self.who[part][at]])
        if keyed is not None:
            self.ahead[(length, lo, hi)] = (coming, keyed.result().reshape(shape))
        return sums.result().reshape(shape)

    def _firsts(self, part: slice, length: int, lo: int, hi: int):
        """The rows of ``part`` that begin a run within [lo, hi] (an index, or every row)
        and the position of every row of ``part``. A row begins a run when it begins its key
        or its period differs from the row before's (for the cumulative scope: the row
        before lies before ``lo``; the months of a key are in order)."""
        n = len(self.new_key[part])
        ext = self.month[max(part.start - 1, 0) : part.start + n]  # with the row before
        off = len(ext) - n  # 1: the row before is there
        head = None  # every row
        if length == 1:  # the pairs are distinct: each begins its (key, month)
            pos = ext[off:]
        else:
            if length == 0:
                change = ext[:-1] < lo
            else:
                ext = ext // length
                change = ext[1:] != ext[:-1]
            head = self.new_key[part].copy()
            head[1 - off :] |= change
            pos = ext[off:]
        inside = _within(pos, lo, hi)
        if inside is not None:
            head = inside if head is None else head & inside
        return (slice(None) if head is None else np.flatnonzero(head)), pos


class Latest:
    """For each person, group and period: the one record that counts, the latest by date.

    Used for "each person is judged by their latest enrolment ending in P". ``when`` is the
    date that places a record in a period (e.g. slutdatum) and orders the records;
    ``tiebreaks`` order records on the same date (e.g. startdatum). In the cumulative scope a record holds
    from its month until the month before the person's next record in the same group.
    """

    def __init__(self, ctx: Context, person, grp, when: pd.Series, *tiebreaks: pd.Series):
        self.ctx = ctx
        self._has_group = grp >= 0
        m = months(when)
        keys = [_ordinal(s) for s in (when, *tiebreaks)]
        grp, person, m, *keys = with_totalt(ctx, grp, person, m, *keys)
        self.grp, self.person = grp, person
        order = lex_order((*reversed(keys), person, grp))
        self.selected: dict[str, tuple[int, int, np.ndarray, np.ndarray, np.ndarray]] = {}
        for kind in ctx.by_kind:
            lo, hi = _family_bounds(ctx, kind)
            bucket = m // KINDS[kind]
            idx = order[(bucket[order] >= lo) & (bucket[order] <= hi)]
            # Sorted by date within (group, person), so buckets run in order: keep each run's last.
            g, p, b = grp[idx], person[idx], bucket[idx]
            last = np.ones(len(idx), dtype=bool)
            last[:-1] = (g[1:] != g[:-1]) | (p[1:] != p[:-1]) | (b[1:] != b[:-1])
            idx = idx[last]
            b = bucket[idx]
            self.selected[kind] = (lo, hi, idx, b, b)  # one period each
        lo, hi = _acc_bounds(ctx)
        idx = order[(m[order] >= lo) & (m[order] <= hi)]
        g, p = grp[idx], person[idx]
        same_next = np.zeros(len(idx), dtype=bool)
        same_next[:-1] = (g[1:] == g[:-1]) & (p[1:] == p[:-1])
        next_m = np.append(m[idx][1:], hi + 1)
        until = np.where(same_next, next_m - 1, hi)
        self.selected["ackumulerat"] = (lo, hi, idx, m[idx], until)
        # Where the records fall without a dimension, the same for every weight and pass
        # ((kind, groups, kön axis) -> Placement), and their record keys in this pass.
        self._placed: dict[tuple, Placement] = {}
        self._keys: dict[str, np.ndarray] = {}

    def bound(self, ctx: Context) -> Latest:
        """The same records that count, tallied in ``ctx`` (the keyed pass shares them)."""
        if ctx is self.ctx:
            return self
        out = copy.copy(self)
        out.ctx = ctx
        out._keys = {}
        return out

    def tally(
        self, weight: np.ndarray | None, dim: np.ndarray | None = None, n_dim: int = 1
    ) -> Tally:
        """Sum ``weight`` (one value per input record) over the records that count."""
        tally = Tally(self.ctx.n_groups, n_dim, self.ctx.kons)
        w_all = None if weight is None else self._expand(np.asarray(weight, dtype="float64"))
        d_all = None if dim is None else self._expand(np.asarray(dim, dtype="int64"))
        for kind, (lo, hi, idx, first, last) in self.selected.items():
            w = None if w_all is None else w_all[idx]
            if self.ctx.key is not None:  # the cell key: the sum of the counted persons' keys
                if kind not in self._keys:
                    self._keys[kind] = self.ctx.key[self.person[idx]]
                w = self._keys[kind] * (1.0 if w is None else w)
            if d_all is not None:
                kon = self.ctx.person_kon[self.person[idx]]
                tally.add(kind, lo, hi, self.grp[idx], d_all[idx], kon, w, first, last)
                continue
            slot = (kind, tally.n_groups, tally.kons)
            if slot not in self._placed:  # a count and its shares: the same records
                kon = self.ctx.person_kon[self.person[idx]]
                d = np.zeros(len(idx), dtype="int64")
                self._placed[slot] = tally.place(kind, lo, hi, self.grp[idx], d, kon, first, last)
            self._placed[slot].add(tally, w)
        return tally

    def _expand(self, values: np.ndarray) -> np.ndarray:
        """Per-record values laid out like the records with their TOTALT copies."""
        return np.concatenate([values[self._has_group], values])


def _ordinal(values: pd.Series) -> np.ndarray:
    """Dates (or numbers) as sortable int64."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy(dtype="datetime64[s]").astype("int64")
    return values.to_numpy(dtype="int64")


def sum_events(ctx: Context, kon, grp, dim, m, weight, n_dim: int, keys=None) -> Tally:
    """Event sums (hours, referrals, meetings): each event counts at its month.

    ``kon`` is per event, its place on the context's kön axis; events without a delprojekt
    count in TOTALT only. ``keys``: the events' record keys, for counts of events (the cell
    key of a count is the sum of its events' keys); sums such as hours have none.
    """
    weight = np.ones(len(grp)) if weight is None else np.asarray(weight, dtype="float64")
    if ctx.key is not None and keys is not None:
        weight = weight * np.asarray(keys, dtype="float64")
    lo, hi = ctx.needed_months()
    inside = (m >= lo) & (m <= hi)
    kon, grp, dim, m, weight = rows_where(inside, kon, grp, dim, m, weight)
    return tally_events(ctx, grp, kon, dim, m, weight, n_dim, totalt=True)


def tally_events(
    ctx: Context, grp, kon, dim, m, weight, n_dim: int, kons=None, totalt: bool = False
) -> Tally:
    """Events placed in their groups, each at its month ``m``; ``kon`` gives each event's
    place on the kön axis ``kons`` (default the context's). ``totalt``: every event counts in
    TOTALT too, as ``with_totalt`` places them (else the events are already there).

    One pass over the events sums them per (group, dimension, kön, month); every period
    family and the cumulative scope are then sums over those months, however many periods."""
    tally = Tally(ctx.n_groups, n_dim, kons or ctx.kons)
    lo_m, hi_m = ctx.needed_months()
    shape = (ctx.n_groups, n_dim, len(tally.kons), hi_m - lo_m + 1)
    w = None if weight is None else np.asarray(weight, dtype="float64")
    per_month = _month_sums(grp, kon, dim, m, w, shape, lo_m)
    if totalt:  # the same events once more, in TOTALT's cells: no copy of the events
        per_month += _month_sums(ctx.totalt, kon, dim, m, w, shape, lo_m)
    month = np.arange(lo_m, hi_m + 1)
    for kind in ctx.by_kind:
        lo, hi = _family_bounds(ctx, kind)
        bucket = month // KINDS[kind]
        arr = np.zeros((*shape[:3], hi - lo + 1))
        inside = np.flatnonzero((bucket >= lo) & (bucket <= hi))
        if len(inside):
            b = bucket[inside]
            starts = np.flatnonzero(np.concatenate([[True], b[1:] != b[:-1]]))
            sums = np.add.reduceat(per_month[..., inside], starts, axis=3)
            arr[..., b[starts] - lo] = sums
        tally._store(kind, lo, arr)
    lo, hi = _acc_bounds(ctx)
    arr = np.cumsum(per_month[..., lo - lo_m : hi - lo_m + 1], axis=3)
    tally._store("ackumulerat", lo, arr)
    return tally


def _month_sums(grp, kon, dim, m, w, shape: tuple[int, ...], lo_m: int) -> np.ndarray:
    """The events' weights (or counts) summed per cell of ``shape`` (group, dimension, kön,
    month from ``lo_m``); ``grp`` per event or one group for all. The cell number is built in
    int64 in place, whatever the width of the codes."""
    n_months = shape[3]
    keep = (m >= lo_m) & (m < lo_m + n_months) & (dim >= 0)
    one = np.ndim(grp) == 0
    if not one:
        keep &= grp >= 0
    if not keep.all():
        kon, dim, m = rows_where(keep, kon, dim, m)
        grp = grp if one else rows_where(keep, grp)[0]
        w = None if w is None else rows_where(keep, w)[0]
    cell = dim.astype("int64")
    cell += int(grp) * shape[1] if one else grp.astype("int64") * shape[1]
    cell *= shape[2]
    cell += kon
    cell *= n_months
    cell += m
    cell -= lo_m
    size = int(np.prod(shape))
    return bin_sums(cell, w, size).reshape(shape)


def project_start_month(start) -> int:
    return month_index(start)
