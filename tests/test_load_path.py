"""The columnar load path (issue 16): each fast way agrees with the plain way it replaced.

- the presence-array runs of one-month records (activities) against the sorted runs;
- the numpy self-assessment states against the pandas group-by they replaced;
- the line numbers of the byte-counting reader against Python's reading of the lines;
- ``--timings`` and the log name every stage.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from indikator.errors import FileError
from indikator.indicators import engine
from indikator.indicators.engine import (
    Context,
    months,
    person_runs,
    place_runs,
    tally_placed,
    tally_runs,
)
from indikator.periods import KINDS, parse_period, periods_between
from indikator.problems import Problems
from indikator.reading import read_table

PERIODS = [parse_period(p) for p in ("2017-05", "2017-Q2", "2017-T1", "2017-H1", "2017")]
EVERY_MONTH = [parse_period(f"2017-{m:02}") for m in range(1, 13)] + [parse_period("2017")]
# a batch's periods: every month, quarter, tertial, half-year and year from 2016-10 to 2018-02
# (tertials begin inside quarters: their first months are not all among the quarters')
EVERY_KIND = periods_between(12 * 2016 + 9, 12 * 2018 + 1, tuple(KINDS))

point_records = st.lists(
    st.tuples(
        st.integers(0, 4),  # person
        st.integers(-1, 2),  # delprojekt (-1: none, TOTALT only)
        st.integers(0, 2),  # insatstyp
        st.integers(12 * 2016 + 6, 12 * 2018 + 2),  # month, around the periods and the start
    ),
    max_size=80,
)


# records of twelve persons, nine of them K (``_twelve``), so that a cell sums many keys
twelve_records = st.lists(
    st.tuples(
        st.integers(0, 11),  # person
        st.integers(-1, 1),
        st.integers(0, 1),
        st.integers(12 * 2016 + 6, 12 * 2018 + 2),
    ),
    max_size=120,
)


def _twelve(ctx: Context) -> Context:
    """``ctx`` with the twelve persons of ``twelve_records``."""
    ctx.person_codes = pd.Index([f"p{i}" for i in range(12)], dtype=object)
    ctx.person_kon = np.array([0] * 9 + [1, 1, 2])
    return ctx


def _ctx(periods, key=None) -> Context:
    return Context(
        groups=["A", "B", "C", "TOTALT"],
        periods=periods,
        show=[0, 1, 2, 3],
        project_start=12 * 2016 + 8,
        person_codes=pd.Index([f"p{i}" for i in range(5)], dtype=object),
        person_kon=np.array([0, 1, 2, 0, 1]),
        key=key,
    )


def _figures(tally) -> dict:
    return {kind: arr.tolist() for kind, (_, arr) in tally.arrays.items()}


@settings(max_examples=150)
@given(
    point_records,
    st.sampled_from([PERIODS, PERIODS[:1], PERIODS[4:], EVERY_MONTH, EVERY_KIND]),
    st.booleans(),
    st.sampled_from([1 << 26, 4 * 60]),  # 60 keys: the family of every month is too large
    st.sampled_from([1 << 21, 1, 3]),  # records marked at a time
    st.booleans(),  # the packed pairs would not fit 63 bits: the interval merge instead
)
def test_presence_runs_count_what_the_sorted_runs_count(recs, periods, keyed, cells, batch, wide):
    # one-month records (an activity at its month): the presence arrays and the sorted
    # distinct pairs must give every figure the general sort-and-merge of intervals gives,
    # for every period family and the cumulative scope, counting persons (and, in the keyed
    # pass, summing their keys) alike
    key = np.array([7.0, 11.0, 13.0, 17.0, 19.0]) if keyed else None
    ctx = _ctx(periods, key)
    person, grp, dim, m = (np.array([r[i] for r in recs], dtype="int64") for i in range(4))
    limit, size, bits = engine.DENSE_CELLS, engine.BATCH, engine._pair_bits
    try:
        engine.DENSE_CELLS, engine.BATCH = cells, batch
        dense = person_runs(ctx, person, grp, dim, m, m, 3)
        engine.DENSE_CELLS = 0  # the distinct (key, month) pairs, sorted once
        if wide:
            engine._pair_bits = lambda *args: 64
        pairs = person_runs(ctx, person, grp, dim, m, m, 3)
        # month pairs are counted a batch at a time: a run may begin on a batch's first row
        from_pairs = _figures(tally_runs(ctx, pairs))
    finally:
        engine.DENSE_CELLS, engine.BATCH, engine._pair_bits = limit, size, bits
    merged = person_runs(ctx, person, grp, dim, m, m.copy(), 3)  # as any interval record
    want = _figures(tally_runs(ctx, merged))
    assert _figures(tally_runs(ctx, dense)) == want
    assert from_pairs == want


@settings(max_examples=100)
@given(
    point_records,
    st.sampled_from([PERIODS, PERIODS[:1], EVERY_MONTH, EVERY_KIND]),
    st.sampled_from([1 << 26, 0]),  # 0: the month pairs (``MonthPairs``)
    st.sampled_from([1 << 20, 1, 3]),  # records counted at a time
)
def test_runs_placed_once_count_in_both_passes_as_runs_tallied_afresh(recs, periods, cells, batch):
    # the cell-key method's two passes over runs placed once (``place_runs``): the exact pass,
    # then the keyed one, then the exact again, each as the runs tallied on their own; the
    # keys are not integers, so that a sum in another order would show in the last bits
    key = np.array([0.7, 0.11, 0.13, 0.17, 0.19]) * np.pi
    exact, keyed = _ctx(periods), _ctx(periods, key)
    person, grp, dim, m = (np.array([r[i] for r in recs], dtype="int64") for i in range(4))
    merged = person_runs(exact, person, grp, dim, m, m.copy(), 3)  # interval runs too
    limit, size = engine.DENSE_CELLS, engine.BATCH
    try:
        engine.DENSE_CELLS, engine.BATCH = cells, batch
        for runs in (person_runs(exact, person, grp, dim, m, m, 3), merged):
            want = [_bytes(tally_runs(ctx, runs)) for ctx in (exact, keyed)]
            placed = place_runs(exact, copy.deepcopy(runs))
            got = [_bytes(tally_placed(ctx, placed)) for ctx in (exact, keyed, exact)]
            assert got == [*want, want[0]]
    finally:
        engine.DENSE_CELLS, engine.BATCH = limit, size


@settings(max_examples=150)
@given(
    twelve_records,
    st.sampled_from([PERIODS, EVERY_MONTH, EVERY_KIND]),
    st.sampled_from([1 << 20, 1, 3]),  # records counted at a time
)
def test_month_pairs_sum_the_coming_keyed_pass_beside_the_exact_one(recs, periods, batch):
    # exact_and_keyed's exact pass over month pairs sums the keys of the keyed pass that
    # follows (``coming_key``): the keyed pass then gives the bytes it would have summed on
    # its own, the exact pass its own, and a pass with other keys sums its own and leaves the
    # held sums alone (served another pass's sums, it would give other figures; the sums are
    # taken by the same code over the same runs, so their order is the keyed pass's own).
    key = np.sqrt(np.arange(2.0, 14.0))
    exact, keyed, other = (_twelve(_ctx(periods, k)) for k in (None, key, key * 2))
    person, grp, dim, m = (np.array([r[i] for r in recs], dtype="int64") for i in range(4))
    limit, size = engine.DENSE_CELLS, engine.BATCH
    try:
        engine.DENSE_CELLS, engine.BATCH = 0, batch
        pairs = person_runs(exact, person, grp, dim, m, m, 3)
        assume(isinstance(pairs, engine.MonthPairs))
        want = [_bytes(tally_runs(ctx, pairs)) for ctx in (exact, keyed, other)]
        assert not pairs.ahead  # nothing is held without a coming key
        before = copy.copy(exact)
        before.coming_key = key
        got = [_bytes(tally_runs(before, pairs))]
        assert len(pairs.ahead) == len(pairs.bounds) + 1  # every period kind and the scope
        got.append(_bytes(tally_runs(other, pairs)))
        assert len(pairs.ahead) == len(pairs.bounds) + 1  # not the other keys' sums
        got.insert(1, _bytes(tally_runs(keyed, pairs)))
        assert not pairs.ahead  # each taken by the keyed pass, once
        assert got == want
    finally:
        engine.DENSE_CELLS, engine.BATCH = limit, size


def _bytes(tally) -> dict:
    return {kind: (lo, arr.tobytes()) for kind, (lo, arr) in tally.arrays.items()}


def test_month_pairs_by_hand_across_batches():
    # every kind and the cumulative scope of the month pairs, counted one pair at a time
    # (BATCH = 1: each run begins on a batch's first row, judged by the row before it).
    # Person 0 in A: activities 2016-08 (before the project start 2016-09), 2016-11, 2016-12
    # and 2017-02. Periods: the months 2016-10 … 2017-02, Q4 2016, Q1 2017, the year 2016.
    ctx = _ctx(
        [parse_period(p) for p in ("2016-10", "2016-11", "2016-12", "2017-01", "2017-02")]
        + [parse_period(p) for p in ("2016-Q4", "2017-Q1", "2016")]
    )
    aug, nov, dec, feb = 12 * 2016 + 7, 12 * 2016 + 10, 12 * 2016 + 11, 12 * 2017 + 1
    m = np.array([aug, nov, dec, feb])
    zero = np.zeros(4, "int64")
    limit, size = engine.DENSE_CELLS, engine.BATCH
    try:
        engine.DENSE_CELLS, engine.BATCH = 0, 1
        pairs = person_runs(ctx, zero, zero, zero, m, m, 1)
        assert isinstance(pairs, engine.MonthPairs)
        tally = tally_runs(ctx, pairs)
    finally:
        engine.DENSE_CELLS, engine.BATCH = limit, size

    def a_k(label: str, scope: str = "period") -> float:  # group A, kön K (person 0)
        return tally.get(parse_period(label), scope)[0, 0, 0]

    # months: present in 2016-11, 2016-12 and 2017-02 only
    assert [a_k(p) for p in ("2016-10", "2016-11", "2016-12", "2017-01", "2017-02")] == [
        0,
        1,
        1,
        0,
        1,
    ]
    # Q4 2016 (Oct-Dec): nov and dec are one run, counted once; Q1 2017: feb
    assert a_k("2016-Q4") == 1 and a_k("2017-Q1") == 1
    # the year 2016 (aug, nov, dec): one person; TOTALT the same
    assert a_k("2016") == 1 and tally.get(parse_period("2016"), "period")[3, 0, 2] == 1
    # cumulative from the project start (2016-09): august lies before it, so the person
    # counts from november (the first pair inside), not from august and not twice
    assert [a_k(p, "ackumulerat") for p in ("2016-10", "2016-11", "2017-02")] == [0, 1, 1]


def test_presence_runs_by_hand():
    # person 0 in A: three activities in 2017-05 (one counts), one in 2017-06; person 1: one
    # activity in 2017-05 without a delprojekt (TOTALT only). 2017-05: A = 1 (p0), TOTALT =
    # 2 (p0, p1); 2017-Q2 (Apr–Jun): A = 1, TOTALT = 2; kön: p0 K, p1 M
    ctx = _ctx([parse_period("2017-05"), parse_period("2017-Q2")])
    may, june = 12 * 2017 + 4, 12 * 2017 + 5
    person = np.array([0, 0, 0, 0, 1])
    grp = np.array([0, 0, 0, 0, -1])
    m = np.array([may, may, may, june, may])
    tally = tally_runs(ctx, person_runs(ctx, person, grp, np.zeros(5, "int64"), m, m, 1))
    month = tally.get(parse_period("2017-05"), "period")
    assert month[0, 0].tolist() == [1, 0, 1]  # A: K 1, M 0, T 1
    assert month[3, 0].tolist() == [1, 1, 2]  # TOTALT
    quarter = tally.get(parse_period("2017-Q2"), "period")
    assert quarter[0, 0].tolist() == [1, 0, 1] and quarter[3, 0].tolist() == [1, 1, 2]


@settings(max_examples=200)
@given(
    st.lists(st.integers(-1, 6), max_size=40),
    st.lists(st.integers(-1, 6), max_size=40),
    st.sampled_from([0, 10**9]),
)
def test_pairs_of_the_same_person_as_pandas_merge_pairs_them(left, right, far):
    # the self-assessment pairs (active run, state) of a person: the numpy join must give
    # pandas' inner merge's pairs in pandas' order (the keyed sums add in that order).
    # Right sides of codes from 0 are looked up by code, others (a -1, codes ``far`` apart)
    # by binary search: the same pairs either way
    from indikator.indicators.engine import PersonMatches, same_person, same_person_parts

    left = [v * far + v if v > 0 else v for v in left]
    right = [v * far + v if v > 0 else v for v in right]
    a = pd.DataFrame({"person": np.array(left, dtype="int64"), "i": np.arange(len(left))})
    b = pd.DataFrame({"person": np.array(right, dtype="int64"), "j": np.arange(len(right))})
    want = a.merge(b, on="person")
    i, j = same_person(a["person"].to_numpy(), b["person"].to_numpy())
    assert i.tolist() == want["i"].tolist()
    assert j.tolist() == want["j"].tolist()
    # made in parts of about ``size`` pairs (instrument reduces each part before the next):
    # the same pairs in the same order, no left row's matches split across two parts
    for size in (1, 3, 7):
        parts = list(same_person_parts(a["person"].to_numpy(), b["person"].to_numpy(), size))
        assert np.concatenate([p[0] for p in parts]).tolist() == want["i"].tolist()
        assert np.concatenate([p[1] for p in parts]).tolist() == want["j"].tolist()
        for (i1, _), (i2, _) in itertools.pairwise(parts):
            assert not len(i1) or not len(i2) or i1[-1] < i2[0]
    # the right side sorted once and met by several left sides (instrument's period kinds)
    matches = PersonMatches(b["person"].to_numpy())
    for lefts in (a, a.iloc[::-1].reset_index(drop=True)):
        i, j = same_person(lefts["person"].to_numpy(), b["person"].to_numpy())
        parts = list(same_person_parts(lefts["person"].to_numpy(), matches, 3))
        assert np.concatenate([p[0] for p in parts]).tolist() == i.tolist()
        assert np.concatenate([p[1] for p in parts]).tolist() == j.tolist()


def test_pairs_of_the_same_person_by_hand():
    from indikator.indicators.engine import same_person, same_person_parts

    # left persons 3, 1, 3, 9; right 1, 3, 3, 5: row 0 (3) meets right 1 and 2, row 1 (1)
    # meets right 0, row 2 (3) right 1 and 2 again, row 3 (9) nothing
    i, j = same_person(np.array([3, 1, 3, 9]), np.array([1, 3, 3, 5]))
    assert i.tolist() == [0, 0, 1, 2, 2]
    assert j.tolist() == [1, 2, 0, 1, 2]
    # in parts of about 2 pairs: the rows' matches end after 2, 3, 5, 5 pairs, so the
    # parts are row 0 (2 pairs), row 1 (1: a third pair would pass 2), rows 2–3 (2 + 0)
    parts = same_person_parts(np.array([3, 1, 3, 9]), np.array([1, 3, 3, 5]), 2)
    assert [(i.tolist(), j.tolist()) for i, j in parts] == [
        ([0, 0], [1, 2]),
        ([1], [0]),
        ([2, 2], [1, 2]),
    ]
    # nothing on the left: one empty part
    assert [len(i) for i, _ in same_person_parts(np.array([], "int32"), np.array([1]), 2)] == [0]


def _states_pandas(person, item, date, line, value, m):
    """The pandas group-by that ``instrument.states`` replaced, kept as its reference."""
    df = pd.DataFrame(
        {"person": person, "item": item, "date": date, "line": line, "value": value, "m": m}
    ).sort_values(["person", "item", "date", "line"], kind="stable")
    g = df.groupby(["person", "item"], sort=False)
    df["n"] = g.cumcount() + 1
    df["better"] = df["value"] > g["value"].transform("first")
    df = df.drop_duplicates(["person", "item", "m"], keep="last")
    nxt = df.groupby(["person", "item"], sort=False)["m"].shift(-1)
    df["until"] = nxt.fillna(10**7 + 1).astype("int64") - 1
    return df[df["n"] >= 2][["person", "item", "m", "until", "better"]].reset_index(drop=True)


answers = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 120), st.integers(1, 6)),
    max_size=60,
)


@settings(max_examples=150)
@given(answers)
def test_numpy_states_equal_the_pandas_group_by(rows):
    from types import SimpleNamespace

    from indikator.indicators.instrument import states

    day0 = np.datetime64("2017-01-01", "s")
    dates = np.array([day0 + np.timedelta64(r[2] * 86400 * 5, "s") for r in rows], "datetime64[s]")
    items = ["STEG", "MAKT"]
    ans = pd.DataFrame(
        {
            "person": pd.Series([f"p{r[0]}" for r in rows], dtype=object),
            "fraga": pd.Series([items[r[1]] for r in rows], dtype=object),
            "datum": dates,
            "_line": np.arange(2, len(rows) + 2),
            "varde": np.array([r[3] for r in rows], dtype="int64"),
        }
    )
    config = SimpleNamespace(instrument=[SimpleNamespace(code=c) for c in items])
    ds = SimpleNamespace(tables={"matningar": ans}, config=config)
    # the answers span 2017-01 .. 2018-08: periods up to 2017 leave the later answers out
    # (``states``: they only begin states after 2017-12), with 2018 every answer counts
    for periods in (PERIODS, [*PERIODS, parse_period("2018")]):
        ctx = _ctx(periods)
        m = months(ans["datum"])
        seen = m <= ctx.needed_months()[1]
        want = _states_pandas(
            np.array([r[0] for r in rows], dtype="int64")[seen],
            np.array([r[1] for r in rows], dtype="int64")[seen],
            dates[seen],
            ans["_line"].to_numpy()[seen],
            ans["varde"].to_numpy()[seen],
            m[seen],
        )
        got = states(ctx, ds)
        assert got.astype("int64").to_dict("list") == want.astype("int64").to_dict("list")


def test_months_by_hand():
    dates = pd.Series(pd.to_datetime(["2017-01-31", "1999-12-01", None])).astype("datetime64[s]")
    # 2017*12 + 0; 1999*12 + 11; a missing date is an open end (far in the future)
    assert months(dates).tolist() == [24204, 23999, 10**7]


# dates with a time of day over three centuries, many around 1970's day 0, and missing ones
_stamps = st.lists(
    st.one_of(
        st.none(),
        st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31)),
        st.datetimes(dt.datetime(1969, 11, 1), dt.datetime(1970, 2, 28)),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(_stamps)
@example([dt.datetime(1969, 12, 31, 23, 59, 59), dt.datetime(1970, 1, 1), None])
@example([dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31, 12)])  # wider than the day table
def test_months_are_numpys(stamps):
    """Month numbers from the day numbers and the day table are numpy's ``datetime64[M]``
    (year * 12 + month - 1): before 1970 (the last second of 1969 is December 1969), with a
    time of day, over spans wider than the table (numpy's conversion then), and a missing
    date as the open end 10**7."""
    dates = pd.Series(pd.to_datetime(stamps, errors="coerce"), dtype="datetime64[s]")
    d = dates.to_numpy(dtype="datetime64[s]")
    calendar = d.astype("datetime64[M]").astype("int64") + 1970 * 12
    expected = np.where(np.isnat(d), 10**7, calendar)
    assert months(dates).tolist() == expected.tolist()
    assert months(dates, np.int32).tolist() == expected.tolist()


def test_months_of_many_dates_in_pieces():
    # more than one piece of a million dates, a missing one at a piece's edge: every month
    # as by the calendar, in the width asked for
    day = np.datetime64("2015-01-01", "s") + np.arange(2_500_000) * np.timedelta64(97, "s")
    dates = pd.Series(day).astype("datetime64[s]")
    dates.iloc[(1 << 20) - 1] = pd.NaT
    got = months(dates, np.int32)
    d = pd.DatetimeIndex(dates)
    want = np.where(d.isna(), 10**7, d.year * 12 + d.month - 1)
    assert got.dtype == np.int32 and (got == want).all()
    # the last date: 2 499 999 × 97 s = 2 806.7 days after 2015-01-01, 2022-09-07
    assert got[(1 << 20) - 1] == 10**7 and got[-1] == 2022 * 12 + 8


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)),
            st.datetimes(min_value=dt.datetime(2016, 1, 1), max_value=dt.datetime(2020, 1, 1)),
        ),
        max_size=40,
    )
)
def test_months_from_the_day_table_are_the_calendars(values):
    """A batch's months come from a table of its days (from the earliest to the latest): the
    same month index as numpy's calendar conversion, for dates before 1970, at any time of
    day, spans wider than the table (1900..2200) and batches of missing dates only."""
    from indikator.indicators.engine import _month_index

    d = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "s") for v in values])
    d = d.astype("datetime64[s]")
    want = np.where(np.isnat(d), 10**7, d.astype("datetime64[M]").astype("int64") + 1970 * 12)
    assert _month_index(d).tolist() == want.tolist()


def test_coverage_searched_in_batches_as_at_once(monkeypatch):
    # the enrolments' binary search, a batch of rows at a time, answers as one search
    from indikator.rules.enrolments import Enrolments

    dl = pd.DataFrame(
        {
            "person": pd.Categorical(["a", "a", "b"]),
            "delprojekt": pd.Categorical(["X", "Y", "X"]),
            "start": pd.to_datetime(["2017-01-01", "2017-06-01", "2017-03-01"]),
            "slut": pd.to_datetime(["2017-05-31", None, "2017-03-31"]),
        }
    )
    en = Enrolments(dl)
    rng = np.random.default_rng(1)
    person = rng.integers(-1, 2, 200).astype(np.int32)
    dp = rng.integers(-1, 2, 200).astype(np.int8)
    day = (np.datetime64("2016-12-01") - np.datetime64("1970-01-01")).astype(int)
    day = (day + rng.integers(0, 400, 200)).astype(np.int32)
    whole = en.covers(person, dp, day)
    monkeypatch.setattr(Enrolments, "BATCH", 7)
    assert (en.covers(person, dp, day) == whole).all()
    # by hand: a in X on 2017-02-01 (inside Jan–May), b in X on 2017-04-01 (after March)
    feb, apr = (
        (np.datetime64(d) - np.datetime64("1970-01-01")).astype(int)
        for d in ("2017-02-01", "2017-04-01")
    )
    covered = en.covers(np.array([0, 1]), np.array([0, 0]), np.array([feb, apr]))
    assert covered.tolist() == [True, False]


def _enrolled(spans, base) -> pd.DataFrame:
    """Accepted enrolments from (person 0-3, delprojekt 0-2, start day, length or None: open)."""
    return pd.DataFrame(
        {
            "person": pd.Categorical([f"p{p}" for p, *_ in spans], [f"p{i}" for i in range(4)]),
            "delprojekt": pd.Categorical([f"d{d}" for _, d, *_ in spans], ["d0", "d1", "d2"]),
            "start": [base + s for _, _, s, _ in spans],
            "slut": [pd.NaT if n is None else base + s + n for _, _, s, n in spans],
        }
    ).astype({"start": "datetime64[s]", "slut": "datetime64[s]"})


@settings(max_examples=150, deadline=None)
@given(
    spans=st.lists(
        st.tuples(
            st.integers(0, 3),  # person
            st.integers(0, 2),  # delprojekt
            st.integers(0, 60),  # start day
            st.one_of(st.none(), st.integers(0, 30)),  # length (None: open)
        ),
        min_size=1,
        max_size=12,
    ),
    asked=st.lists(
        st.tuples(st.integers(-1, 3), st.integers(-1, 2), st.integers(-5, 100)), max_size=40
    ),
)
def test_coverage_looked_up_as_searched(spans, asked):
    # the direct lookup per (person, delprojekt) gives the binary search's answer, also with
    # several (even overlapping) enrolments of one person in one delprojekt
    from indikator.rules.enrolments import Enrolments

    base = np.datetime64("2017-01-01")
    dl = _enrolled(spans, base)
    en = Enrolments(dl)
    assert en.direct
    person = np.array([p for p, _, _ in asked], dtype=np.int32)
    dp = np.array([d for _, d, _ in asked], dtype=np.int16)
    day = np.array([d for *_, d in asked], dtype=np.int64) + (base - np.datetime64("1970-01-01"))
    day = day.astype(np.int64).astype(np.int32)
    assert en.covers(person, dp, day).tolist() == en._searched(person, dp, day).tolist()


def _per_delprojekt(en, person, day):
    """The rule as it was written first: ``covers`` asked once per delprojekt."""
    count = np.zeros(len(person), dtype=np.int16)
    first = np.full(len(person), -1, dtype=np.int16)
    for d in range(en.n_dp):
        hit = en.covers(person, np.full(len(person), d, dtype=np.int16), day)
        count += hit
        first[hit & (first < 0)] = d
    return count, first


@settings(max_examples=150, deadline=None)
@given(
    runs=st.dictionaries(
        st.tuples(st.integers(0, 3), st.integers(0, 2)),  # (person, delprojekt)
        # each enrolment: days after the previous one's end, and its length (None: open,
        # which only the last may be); never overlapping, as accepted enrolments
        st.lists(st.tuples(st.integers(1, 20), st.integers(0, 30)), min_size=1, max_size=3),
        min_size=1,
    ),
    open_last=st.booleans(),
    asked=st.lists(st.tuples(st.integers(-1, 3), st.integers(-5, 150)), max_size=40),
    searched=st.booleans(),
    batch=st.sampled_from([3, 1 << 20]),
)
def test_coverage_without_delprojekt_counts_as_one_lookup_per_delprojekt(
    runs, open_last, asked, searched, batch
):
    # ``covering`` (each person's enrolments, delprojekt ascending) gives what asking
    # ``covers`` for every delprojekt gave: how many delprojekt cover the date and the first;
    # a person with no enrolment (p1 when absent, -1: not enrolled at all) is covered nowhere
    import indikator.rules.enrolments as enrolments

    base = np.datetime64("2017-01-01")
    spans = []
    for (p, d), parts in runs.items():
        at = 0
        for i, (gap, length) in enumerate(parts):
            start = at + gap
            is_open = open_last and i == len(parts) - 1
            spans.append((p, d, start, None if is_open else length))
            at = start + length
    dl = _enrolled(spans, base)
    old = enrolments.Enrolments.DIRECT, enrolments.Enrolments.BATCH
    enrolments.Enrolments.DIRECT = 0 if searched else old[0]
    enrolments.Enrolments.BATCH = batch
    try:
        en = enrolments.Enrolments(dl)
        assert en.direct is not searched
        person = np.array([p for p, _ in asked], dtype=np.int32)
        day = np.array([d for _, d in asked], dtype=np.int64) + (base - np.datetime64("1970-01-01"))
        day = day.astype(np.int64).astype(np.int32)
        count, first = en.covering(person, day)
        want_count, want_first = _per_delprojekt(en, person, day)
    finally:
        enrolments.Enrolments.DIRECT, enrolments.Enrolments.BATCH = old
    assert count.tolist() == want_count.tolist()
    assert first.tolist() == want_first.tolist()


def test_coverage_without_delprojekt_by_hand():
    # a: X Jan–May, Y from June (open), Z Mar–Apr; b: Y in March. On 2017-04-10 a is covered
    # in X and Z (two: ambiguous, first X = 0); on 2017-07-01 only in Y (one, Y = 1); b on
    # 2017-04-10 nowhere (March ended); an unknown person (-1) nowhere
    from indikator.rules.enrolments import Enrolments

    dl = pd.DataFrame(
        {
            "person": pd.Categorical(["a", "a", "a", "b"]),
            "delprojekt": pd.Categorical(["X", "Y", "Z", "Y"], ["X", "Y", "Z"]),
            "start": pd.to_datetime(["2017-01-01", "2017-06-01", "2017-03-01", "2017-03-01"]),
            "slut": pd.to_datetime(["2017-05-31", None, "2017-04-30", "2017-03-31"]),
        }
    ).astype({"start": "datetime64[s]", "slut": "datetime64[s]"})
    en = Enrolments(dl)
    apr, jul = (
        (np.datetime64(d) - np.datetime64("1970-01-01")).astype(int)
        for d in ("2017-04-10", "2017-07-01")
    )
    count, first = en.covering(
        np.array([0, 0, 1, -1], dtype=np.int32), np.array([apr, jul, apr, apr], dtype=np.int32)
    )
    assert count.tolist() == [2, 1, 0, 0]
    assert first.tolist() == [0, 1, -1, -1]


@settings(max_examples=200, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.integers(0, 5), st.integers(-1, 3), st.integers(0, 40)), max_size=60
    ),
    shuffled=st.booleans(),
)
def test_answers_ordered_as_by_four_keys(answers, shuffled):
    # the one packed sort of (person, item, date) over rows in file order is the sort by
    # (person, item, date, line); lines out of order take the four-key sort itself
    from indikator.indicators.instrument import _by_person_item_date

    n = len(answers)
    person = np.array([p for p, _, _ in answers], dtype=np.int64)
    item = np.array([i for _, i, _ in answers], dtype=np.int64)
    date = np.array([d * 86400 for *_, d in answers], dtype=np.int64) + 1_480_000_000
    line = np.arange(2, n + 2)[::-1] if shuffled else np.arange(2, n + 2)
    want = np.lexsort((line, date, item, person))
    assert _by_person_item_date(person, item, date, line, 4).tolist() == want.tolist()


HEADER = "deltagare_id;datum;insatstyp\n"
ROW = "19121212-1212;2017-05-03;PTSD\n"


def _lines(tmp_path, data: bytes) -> list[int]:
    path = tmp_path / "aktiviteter.csv"
    path.write_bytes(data)
    columns = ["deltagare_id", "datum", "insatstyp"]
    raw = read_table(path, "aktiviteter", columns, columns, {}, Problems())
    return raw.frame["_line"].tolist()


def test_line_numbers_follow_the_file(tmp_path):
    # plain: the records are the lines 2, 3, 4
    assert _lines(tmp_path, (HEADER + ROW * 3).encode()) == [2, 3, 4]
    # Excel's CRLF, a BOM and no final line break
    assert _lines(
        tmp_path, b"\xef\xbb\xbf" + (HEADER + ROW * 3).replace("\n", "\r\n").encode()[:-2]
    ) == [2, 3, 4]
    # an empty line (line 3) is no record
    assert _lines(tmp_path, (HEADER + ROW + "\n" + ROW).encode()) == [2, 4]
    # two title rows above the header: the header is line 3, the data lines 4 and 5
    assert _lines(tmp_path, ("Aktiviteter 2017\n\n" + HEADER + ROW * 2).encode()) == [4, 5]
    # a lone CR is a line break too (old Mac files), and an empty line beside it must not
    # make the counts agree by chance: lines 2, 3 (after the CR) and 5 (after the empty line)
    data = (HEADER + ROW.rstrip("\n") + "\r" + ROW + "\n" + ROW).encode()
    assert _lines(tmp_path, data) == [2, 3, 5]


def test_timings_name_every_stage(cli, tmp_path):
    log = tmp_path / "körning.log"
    result = cli("--log", str(log), "monthly", "--period", "2017-05", "--no-cache", "--timings")
    assert result.exit_code == 0, result.output
    for label in (
        "läsa filerna",
        "kontrollera cellerna",
        "regler över rader",
        "räkna indikatorerna",
        "röjandeskydd",
        "skriva utdata",
        "totalt",
    ):
        assert label in result.stderr
    logged = log.read_text(encoding="utf-8")
    for stage in ("read", "validate", "rules", "indicators", "protection", "output", "total"):
        assert f" tid steg={stage} sekunder=" in logged
    assert "minne_mb=" in logged
    # without --timings nothing is printed, and the log still has the stages
    quiet = cli("monthly", "--period", "2017-05", "--no-cache")
    assert "läsa filerna" not in quiet.stderr


def test_the_cached_dataset_carries_no_derived_work():
    import pickle

    from indikator.config import load_config
    from indikator.dataset import load_dataset
    from indikator.indicators import exact_figures
    from indikator.locations import default_data_path

    ds = load_dataset(default_data_path(), load_config(None))
    exact_figures(ds, [parse_period("2017-05")], ["insats"])
    assert ds.memo  # the encodings and runs were shared
    again = pickle.loads(pickle.dumps(ds))
    assert again.memo == {}  # never stored: derived from the tables, and large


def _events_by_add(ctx, grp, kon, dim, m, weight, n_dim):
    """The per-family additions ``tally_events`` replaced, kept as its reference."""
    tally = engine.Tally(ctx.n_groups, n_dim, ctx.kons)
    for kind in ctx.by_kind:
        lo, hi = engine._family_bounds(ctx, kind)
        b = m // engine.KINDS[kind]
        tally.add(kind, lo, hi, grp, dim, kon, weight, b, b.copy())
    lo, hi = engine._acc_bounds(ctx)
    first = np.where(m >= lo, m, hi + 1)
    tally.add("ackumulerat", lo, hi, grp, dim, kon, weight, first, np.full(len(m), hi))
    return tally


events = st.lists(
    st.tuples(
        st.integers(0, 3),  # group (3: TOTALT)
        st.integers(0, 2),  # kön position (2: T only)
        st.integers(0, 1),  # dimension
        st.integers(12 * 2016, 12 * 2018 + 6),  # month
        st.sampled_from([1.0, 0.5, 2.25, 7.0]),  # weight (hours, a record key …)
    ),
    max_size=80,
)


@settings(max_examples=150)
@given(events, st.sampled_from([PERIODS, EVERY_MONTH, PERIODS[1:2]]))
def test_event_sums_per_month_equal_the_additions_per_family(recs, periods):
    # hours, referrals, meetings: summed per month once, then per period family and
    # cumulatively, they must equal what adding every event to every family gives
    ctx = _ctx(periods)
    grp, kon, dim, m = (np.array([r[i] for r in recs], dtype="int64") for i in range(4))
    w = np.array([r[4] for r in recs], dtype="float64")
    got = engine.tally_events(ctx, grp, kon, dim, m, w, 2)
    assert _figures(got) == _figures(_events_by_add(ctx, grp, kon, dim, m, w, 2))


_digits = st.text("0123456789", min_size=1, max_size=9)
id_like = st.one_of(
    st.text(alphabet="0123456789-+ –xAEe_", min_size=0, max_size=14),
    # the plain forms (8+4 and 6+4 with a -, a + or nothing) and Excel's numbers with a letter
    st.builds(lambda a, s, b: a[:8] + s + b[:4], _digits, st.sampled_from("-+ "), _digits),
    st.builds(
        lambda a, e, b: a + e + b,
        st.sampled_from(["1", "9", "12"]),
        st.sampled_from(["E", "e", "E+", "x"]),
        st.sampled_from(["8", "9", "10", "12", "13", "5"]),
    ),
)


@settings(max_examples=300)
@given(st.lists(id_like, max_size=30))
def test_plain_ids_read_in_bulk_as_classify_reads_them(values):
    # the bulk reading of plainly written personnummer and pseudonyms (in Arrow) must give
    # exactly what classify gives for each of them, and leave every other value to classify
    import pyarrow as pa

    from indikator.ids import _plain_pnr, _plain_pseudonyms, classify

    arr = pa.array(values, pa.string())
    idx, century, digits, plus = _plain_pnr(arr)
    for i, c, d, p in zip(idx, century, digits, plus, strict=True):
        ten = "".join(map(str, d))
        assert classify(values[i]) == ("pnr", (int(c), ten, bool(p))), values[i]
    for i in _plain_pseudonyms(arr, np.arange(len(values))):
        assert classify(values[i]) == ("pseudonym", (values[i],)), values[i]
    # a plain one is never left out: 12 digits, 8+4 or 6+4 with one - or + between
    plain = {i for i, v in enumerate(values) if v.strip() == v and _looks_plain(v)}
    assert plain <= set(idx.tolist())


def _looks_plain(v: str) -> bool:
    import re

    return re.fullmatch(r"[0-9]{8}[-+]?[0-9]{4}|[0-9]{6}[-+]?[0-9]{4}", v) is not None


def _read(path, columns) -> tuple[pd.DataFrame, list]:
    problems = Problems()
    raw = read_table(path, "aktiviteter", columns, columns[:2], {}, problems)
    return raw.frame.astype(object), problems.frame().to_dict("records")


cell = st.sampled_from(["19121212-1212", " 2017-05-03 ", "PTSD", "", "ö", "Å ", '"a;b"', "1,5"])
line_end = st.sampled_from(["\n", "\r\n"])
record = st.lists(cell, min_size=0, max_size=4).map(";".join)


@settings(max_examples=200)
@given(
    title=st.booleans(),
    rows=st.lists(st.tuples(record, line_end), max_size=12),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    piece=st.integers(1, 80),
    ctrl_z=st.booleans(),
    odd=st.sampled_from(["", '"x\ny";1\n', '"x;1\n']),
)
def test_a_large_file_read_in_pieces_reads_as_a_whole(
    tmp_path_factory, title, rows, encoding, piece, ctrl_z, odd
):
    # The streamed reader (a file above text.STREAMED, read PIECE bytes at a time) gives
    # the same rows, lines and problems as reading the file whole, whatever the pieces cut:
    # regular rows, empty lines, CRLF, BOM, Windows-1252, a title row, Ctrl-Z at the end,
    # and files only the exact reader understands (a quoted line break, a quote never closed).
    from indikator.reading import text

    body = "".join(r + e for r, e in rows) + odd
    data = ("Aktiviteter\n" if title else "") + "deltagare_id;datum;insatstyp\n" + body
    raw = data.encode(encoding) + (b"\x1a" if ctrl_z else b"")
    path = tmp_path_factory.mktemp("streamed") / "aktiviteter.csv"
    path.write_bytes(raw)
    columns = ["deltagare_id", "datum", "insatstyp"]
    whole = _read(path, columns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "STREAMED", 0)
        patch.setattr(text, "PIECE", piece)
        streamed = _read(path, columns)
    pd.testing.assert_frame_equal(streamed[0], whole[0])
    assert streamed[1] == whole[1]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(st.lists(cell, min_size=3, max_size=3), line_end), max_size=30),
    piece=st.integers(1, 120),
)
def test_regular_rows_read_by_pyarrow_in_pieces_read_as_a_whole(tmp_path_factory, rows, piece):
    # Every row as wide as the header: pyarrow parses each piece (``_csv_pieces``), and the
    # pieces' columns are gathered into one (``Gathered``, its row estimate from the first
    # piece, so it grows) – the same cells, lines and problems as the file read at once.
    from indikator.reading import text

    body = "".join(";".join(r) + e for r, e in rows)
    path = tmp_path_factory.mktemp("pieces") / "aktiviteter.csv"
    path.write_bytes(("deltagare_id;datum;insatstyp\n" + body).encode())
    columns = ["deltagare_id", "datum", "insatstyp"]
    whole = _read(path, columns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "STREAMED", 0)
        patch.setattr(text, "PIECE", piece)
        source = text.Text(path)
        # the header's delimiter: rows of decimal commas (``1,5;1,5;1,5``) outvote it in the
        # sniffing, and the reader goes back to it when the header is looked for
        source.delimiter = ";"
        assert rows == [] or source._streamed_grid(1) is not None  # pyarrow's path
        streamed = _read(path, columns)
    pd.testing.assert_frame_equal(streamed[0], whole[0])
    assert streamed[1] == whole[1]


def _read_or_error(path, columns):
    try:
        return _read(path, columns)
    except FileError as e:
        return str(e)


@settings(max_examples=200, deadline=None)
@given(
    title=st.sampled_from(["", "Aktiviteter\n", "Aktiviteter för Åre\n"]),
    title_encoding=st.sampled_from(["utf-8", "cp1252"]),
    rows=st.lists(st.tuples(record, line_end), max_size=12),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
    extra=st.integers(0, 120),
    piece=st.integers(1, 80),
)
def test_a_large_files_encoding_decided_piece_by_piece_as_read_whole(
    tmp_path_factory, title, title_encoding, rows, encoding, extra, piece
):
    # A large file's encoding is decided by its first bytes (HEAD) when they are not UTF-8,
    # else by each piece as it is parsed: a Windows-1252 row after UTF-8 first bytes starts
    # the read over (from the pieces when the first bytes are ASCII, from the header when
    # they are not: a UTF-8 title above Windows-1252 rows). Rows, lines, problems and file
    # errors are those of the file read whole, which decides on every byte at once.
    from indikator.reading import text

    first = title.encode(title_encoding) + HEADER.encode()
    last = "19121212-1212;2017-05-03;ö\n"  # a letter that UTF-8 and Windows-1252 differ on
    body = ("".join(r + e for r, e in rows) + last).encode(encoding)
    path = tmp_path_factory.mktemp("encoding") / "aktiviteter.csv"
    path.write_bytes(first + body)
    columns = ["deltagare_id", "datum", "insatstyp"]
    whole = _read_or_error(path, columns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "STREAMED", 0)
        patch.setattr(text, "PIECE", piece)
        patch.setattr(text, "HEAD", len(first) + extra)  # the header, some rows or not
        streamed = _read_or_error(path, columns)
    if isinstance(whole, str):
        assert streamed == whole
    else:
        pd.testing.assert_frame_equal(streamed[0], whole[0])
        assert streamed[1] == whole[1]


def test_a_large_file_is_read_once(tmp_path, monkeypatch):
    # The encoding of a large file is checked piece by piece as it is parsed: its bytes are
    # read once (and its first and last bytes), not once to check and once more to parse.
    from indikator.reading import text

    path = tmp_path / "aktiviteter.csv"
    path.write_bytes((HEADER + ROW * 2000).encode())
    size = path.stat().st_size
    read = []

    class Counted:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, *a):
            data = self.fh.read(*a)
            read.append(len(data))
            return data

        def readinto(self, buf):
            n = self.fh.readinto(buf)
            read.append(n)
            return n

        def seek(self, *a):
            return self.fh.seek(*a)

    monkeypatch.setattr(text, "STREAMED", 0)
    monkeypatch.setattr(text, "PIECE", 4096)
    monkeypatch.setattr(text, "HEAD", 1024)
    # the reader opens the file in a with block: Counted closes it
    monkeypatch.setattr(text, "open", lambda *a: Counted(open(*a)), raising=False)  # noqa: SIM115
    source = text.Text(path)
    grid = source._streamed_grid(1)
    assert grid is not None and len(grid.lines) == 2000
    # first and last bytes (HEAD and 4096), then every byte once (a piece's last, cut line
    # is read again with the next piece): more than 2 × size before
    assert sum(read) <= 1.05 * size + 1024 + 4096 < 2 * size


def test_line_numbers_follow_the_file_read_in_pieces(tmp_path, monkeypatch):
    # the cases above, read 10 bytes at a time: a piece ends inside nearly every row
    from indikator.reading import text

    monkeypatch.setattr(text, "STREAMED", 0)
    monkeypatch.setattr(text, "PIECE", 10)
    test_line_numbers_follow_the_file(tmp_path)
    # the pieces are parsed by pyarrow, not by the exact reader
    path = tmp_path / "aktiviteter.csv"
    path.write_bytes((HEADER + ROW * 50).encode())
    grid = text.Text(path)._streamed_grid(1)
    assert grid is not None and grid.lines.tolist() == list(range(2, 52))


ids = st.sampled_from([f"19800101-{i:04d}" for i in range(12)] + ["ÅÄÖ-1", " x", ""])


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(ids, st.none()), max_size=30),
    codes=st.lists(ids, max_size=12, unique=True),
    kind=st.sampled_from(["category", "str", "object"]),
    arrow_index=st.booleans(),
)
def test_positions_as_pandas_looks_them_up(values, codes, kind, arrow_index):
    """Persons are looked up in Arrow (no Python string per value) and a large category list's
    lookup is kept: the positions must be pandas' ``get_indexer``'s, -1 for missing and
    unlisted values, whichever path and however often asked."""
    from indikator import coding

    series = pd.Series(values, dtype=kind)
    index = pd.Index(codes, dtype="str" if arrow_index else object)
    expected = pd.Index(codes, dtype=object).get_indexer(pd.Index(values, dtype=object))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coding, "_LARGE", 1)  # every category list takes the large path
        for _ in range(2):  # the second time from the kept lookup
            assert coding.positions(series, index).tolist() == expected.tolist()


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(ids, min_size=1, max_size=12, unique=True),
    order=st.randoms(use_true_random=False),
    rows=st.lists(st.integers(0, 11), max_size=20),
)
def test_lists_with_the_same_content_are_looked_up_once(people, order, rows):
    """Large lists are looked up by content: equal lists in different Index objects (the
    person list of deltagare, the enrolments, the indicators) share one lookup, and a
    category list equal to the index is every category at its own position. The positions
    stay pandas' ``get_indexer``'s."""
    from indikator import coding

    shuffled = list(people)
    order.shuffle(shuffled)
    # one content, four objects (the indicators' person list is Python strings)
    indexes = [pd.Index(list(people), dtype=t) for t in ("str", "str", "str", object)]
    columns = [
        pd.Series(pd.Categorical.from_codes([r % len(cats) for r in rows], pd.Index(cats)))
        for cats in (list(people), list(people), shuffled)
    ]
    computed = []
    original = coding._arrow_lookup
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coding, "_LARGE", 1)
        mp.setattr(coding, "_SEEN", [])
        mp.setattr(coding, "_LOOKUPS", {})
        mp.setattr(
            coding, "_arrow_lookup", lambda v, i, *d: computed.append(1) or original(v, i, *d)
        )
        for column in columns:
            for index in indexes:
                cells = pd.Index(column.astype(object), dtype=object)
                expected = pd.Index(people, dtype=object).get_indexer(cells)
                assert coding.positions(column, index).tolist() == expected.tolist()
    # twelve (column, index) pairs of two contents: the people in order need no lookup at all,
    # shuffled people one (unless the shuffle left them in order)
    assert len(computed) == (0 if shuffled == people else 1)


def test_a_kept_lookup_never_serves_another_index():
    """Lookups are kept by the identity of the two Indexes; once one of them is gone its
    id may be reused by another, whose lookup must be computed afresh."""
    import weakref

    from indikator import coding

    people = [f"19800101-{i:04d}" for i in range(coding._LARGE)]
    series = pd.Series(pd.Categorical(people[::-1]))
    index = pd.Index(people, dtype=object)
    gone = pd.Index(["x"])
    dead = weakref.ref(gone)
    del gone
    stale = np.zeros(len(people) + 1, dtype=np.int64)  # what a dead pair's lookup said
    coding._LOOKUPS[(id(series.cat.categories), id(index))] = (dead, dead, stale)
    # people reversed: the last listed person is the first row
    assert coding.positions(series, index)[:3].tolist() == [
        len(people) - 1,
        len(people) - 2,
        len(people) - 3,
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["a", " a", "a ", "\u00a0a", "b", "b\t", "", " ", "ÅÄ"])),
        min_size=1,
        max_size=5,
    )
)
def test_pieces_stripped_once_merged_are_the_pieces_stripped_one_by_one(pieces):
    """A large file's pieces are merged first and stripped once: the same codes and the same
    distinct cells, in the same order, as stripping every piece and then merging."""
    import pyarrow as pa

    from indikator.reading.grid import Gathered, encoded, strip

    def merged(parts):
        column = Gathered(0)
        for part in parts:
            column.add(part)
        return column.cells()

    columns = [pa.array(p, type=pa.string()) for p in pieces]
    one_by_one = merged([encoded(c) for c in columns])
    once = strip(merged([encoded(c, stripped=False) for c in columns]))
    assert once.codes.tolist() == one_by_one.codes.tolist()
    assert once.values.to_pylist() == one_by_one.values.to_pylist()
    assert once.strings() == [c.strip() for p in pieces for c in p]


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.lists(st.sampled_from(["a", "b", " a", "ÅÄÖ", "", "c;d"]), max_size=9)),
    capacity=st.integers(0, 20),
)
def test_a_column_gathered_piece_by_piece_is_the_pieces_one_after_the_other(pieces, capacity):
    """``Gathered``: each piece's codes copied into one array that grows in place when the
    estimate (``capacity``) is short, then renumbered in place: every row's cell as in the
    pieces, and the distinct cells once each, in order of first appearance."""
    import pyarrow as pa

    from indikator.reading.grid import Gathered, encoded

    column = Gathered(capacity)
    for p in pieces:
        column.add(encoded(pa.array(p, type=pa.string()), stripped=False))
    cells = column.cells()
    every = [c for p in pieces for c in p]
    assert cells.strings() == every
    assert cells.values.to_pylist() == list(dict.fromkeys(every))
    assert cells.codes.dtype == np.int32 and len(cells) == len(every)


def test_a_growing_array_grows_in_place_and_is_closed_once_handed_out():
    from indikator.reading.grid import Growing

    grown = Growing(2, "int32")
    for part in ([1, 2, 3], [], [4], list(range(5, 40))):  # 2 -> 3 -> 4 -> 39 rows
        grown.add(np.array(part, dtype="int32"))
    assert grown.array().tolist() == list(range(1, 40))
    with pytest.raises(RuntimeError):  # a resize now would free what array() handed out
        grown.add(np.array([40], dtype="int32"))


@pytest.mark.parametrize("width", [3, 1 << 16])
def test_row_keys_are_equal_exactly_when_the_rows_are(width):
    """Exact copies are found by one integer per row, the columns' codes combined; columns
    with many distinct cells (2^16 each: 2^80 combinations) are renumbered on the way instead
    of overflowing. Keys equal exactly when every cell is."""
    import pyarrow as pa

    from indikator.reading.grid import Cells
    from indikator.reading.table import _row_keys

    rng = np.random.default_rng(7)
    values = pa.array([str(i) for i in range(width)])
    rows = rng.integers(0, min(width, 4), size=(60, 5)).astype("int32")
    rows[:, 0] = rng.integers(0, width, size=60)  # one column with many distinct cells
    rows[30:40] = rows[:10]  # copies
    columns = [Cells(np.ascontiguousarray(rows[:, j]), values) for j in range(5)]
    key = _row_keys(columns, np.ones(60, dtype=bool))
    same_row = (rows[:, None, :] == rows[None, :, :]).all(axis=2)
    assert ((key[:, None] == key[None, :]) == same_row).all()
    assert same_row[30:40, :10].diagonal().all()  # the copies are there to be found


def test_arrow_lookup_leaves_repeated_or_missing_keys_to_pandas():
    """The Arrow lookup answers only for distinct keys without a missing one (pandas'
    ``get_indexer`` refuses repeats); otherwise None, and pandas decides as before."""
    from indikator import coding

    values = pd.Series(["b", "a", "c", None], dtype="str")
    assert coding._arrow_lookup(values, pd.Index(["a", "b"], dtype="str")).tolist() == [
        1,
        0,
        -1,
        -1,
    ]
    assert coding._arrow_lookup(values, pd.Index(["a", "b", "a"], dtype="str")) is None
    assert coding._arrow_lookup(values, pd.Index(["a", None], dtype="str")) is None


@pytest.mark.parametrize("fast_path", [True, False])
def test_distinct_categorical_is_pandas_from_codes(fast_path, monkeypatch):
    """Categories distinct by construction skip pandas' second check for repeats; the
    categorical is the one ``from_codes`` builds, with or without pandas' fast path."""
    from indikator import coding
    from indikator.coding import distinct_categorical

    if not fast_path:  # a pandas without the fast path
        monkeypatch.setattr(coding, "_unchecked_dtype", lambda categories: None)
    import pyarrow as pa

    categories = pd.Index(pd.arrays.ArrowStringArray(pa.array(["x", "ÅÄÖ", "y z"])))
    codes = np.array([2, 0, -1, 1, 1], dtype="int32")
    got = distinct_categorical(codes, categories)
    want = pd.Categorical.from_codes(codes, categories)
    pd.testing.assert_extension_array_equal(got, want)
    assert got.dtype == want.dtype
    assert got.categories.dtype == want.categories.dtype
    assert [None if pd.isna(v) else v for v in got] == ["y z", "x", None, "ÅÄÖ", "ÅÄÖ"]


def _records(weight, min_size: int = 0):
    """Records to place in a tally of 3 groups and 2 dimensions, as (group, dimension, kön,
    first position, length, weight)."""
    return st.lists(
        st.tuples(
            st.integers(-1, 2),  # group (-1: none)
            st.integers(-1, 1),  # dimension (-1: none)
            st.integers(0, 2),  # kön: K, M, or unknown (T only)
            st.integers(0, 8),  # first position
            st.integers(0, 5),  # length
            weight,
        ),
        min_size=min_size,
        max_size=30,
    )


@settings(max_examples=150)
@given(_records(st.floats(0, 3)), st.booleans())
def test_tallies_placed_together_are_tallies_placed_apart(records, point):
    # the self-assessment's population and improved tallies take the same records with two
    # weights, placed once (``instrument._placed``): each must equal its own tally, to the bit
    from indikator.indicators.engine import Tally

    cols = list(zip(*records, strict=True)) or [()] * 6
    grp, dim, kon, first, length = (np.array(c, dtype="int64") for c in cols[:5])
    w = np.array(cols[5], dtype="float64")
    last = first if point else first + length  # ``first is last``: records at one position
    apart = Tally(3, 2), Tally(3, 2)
    apart[0].add("month", 2, 6, grp, dim, kon, None, first, last)
    apart[1].add("month", 2, 6, grp, dim, kon, w, first, last)
    together = Tally(3, 2), Tally(3, 2)
    placed = together[0].place("month", 2, 6, grp, dim, kon, first, last)
    placed.add(together[0], None)
    placed.add(together[1], w)
    for a, t in zip(apart, together, strict=True):
        assert a.arrays["month"][0] == t.arrays["month"][0]
        assert np.array_equal(a.arrays["month"][1], t.arrays["month"][1])


@given(
    # weights: whole numbers as large as a national cell's sum of keys (250 000 keys < 2^32)
    _records(st.integers(0, 2**45), min_size=1),
    st.booleans(),
    st.lists(st.integers(1, 30), max_size=4),  # where the records are cut into parts
)
# two keys in one cell, one per part: summed and stored once, 26 334 785 920 399.0; stored as
# each part is added, 26 334 785 920 399.004 (the first store's rounding carried on)
@example([(0, 0, 0, 2, 0, 25560517817947), (0, 0, 0, 2, 0, 774268102452)], True, [1])
def test_records_placed_in_parts_count_as_placed_at_once(records, point, cuts):
    # the self-assessment's pairs are placed a part of the join at a time
    # (``engine.PlacedParts``): the tally must be the one of a single placement, to the bit,
    # for counts and for sums of record keys (summed over parts before the one store:
    # stored part by part, ``Tally._store``'s rounding would move sums of large keys)
    from indikator.indicators.engine import PlacedParts, Tally

    cols = list(zip(*records, strict=True))
    grp, dim, kon, first, length = (np.array(c, dtype="int64") for c in cols[:5])
    w = np.array(cols[5], dtype="float64")
    last = first if point else first + length
    at_once = Tally(3, 2), Tally(3, 2)
    placed = at_once[0].place("month", 2, 6, grp, dim, kon, first, last)
    placed.add(at_once[0], None)
    placed.add(at_once[1], w)
    bounds = [0, *sorted({c % len(records) for c in cuts} - {0}), len(records)]
    parts = [slice(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    like, in_parts = Tally(3, 2), (Tally(3, 2), Tally(3, 2))
    pieces = [
        like.place("month", 2, 6, grp[p], dim[p], kon[p], first[p], first[p] if point else last[p])
        for p in parts
    ]
    PlacedParts(pieces).add(in_parts[0], [None] * len(parts))
    PlacedParts(pieces).add(in_parts[1], [w[p] for p in parts])
    for a, b in zip(at_once, in_parts, strict=True):
        assert a.arrays["month"][0] == b.arrays["month"][0]
        assert np.array_equal(a.arrays["month"][1], b.arrays["month"][1])


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.integers(0, 2**64 - 1), max_size=40),
    copy_of=st.one_of(st.none(), st.integers(0, 39)),
    split=st.booleans(),
)
def test_repeats_in_halves_are_repeats(keys, copy_of, split):
    """Exact copies are looked for by sorting the row keys, a large array in two halves split
    at a pivot, one per core: a key occurs twice exactly when a sorted half says so."""
    from indikator.rules import copies

    if copy_of is not None and keys:
        keys.append(keys[copy_of % len(keys)])  # one copy, anywhere
    key = np.array(keys, dtype=np.uint64)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(copies, "SPLIT_ROWS", 0 if split else 1 << 30)
        mp.setattr(copies, "cores", lambda: 2)
        assert copies.repeats(key) == (len(set(keys)) < len(keys))
    assert key.tolist() == keys  # the caller's keys are left as they were


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(
        st.one_of(st.sampled_from(["", " ", "a", "b", "ÅÄ", "19800101-0001"]), st.none())
    ),
    unused=st.lists(st.sampled_from(["", "c", "zz"]), max_size=2, unique=True),
    kind=st.sampled_from(["category", "str", "object"]),
)
def test_blank_cells_and_used_persons_per_category_are_per_row(cells, unused, kind):
    """A categorical column's empty cells and used persons are found per category (no hash of
    the categories, no sort of the rows): the same rows and persons as asking row by row,
    also with categories no row uses and with missing cells."""
    from indikator.rules.common import distinct_persons
    from indikator.schema import blank

    column = pd.Series(cells, dtype=kind)
    if kind == "category":
        column = column.cat.add_categories([u for u in unused if u not in set(cells)])
    assert blank(column).tolist() == [c == "" for c in cells]
    present = list(dict.fromkeys(c for c in cells if c is not None))
    persons = distinct_persons(column).tolist()
    if kind == "category":  # in category order
        assert persons == [c for c in column.cat.categories if c in present]
    else:
        assert persons == present


@settings(max_examples=200, deadline=None)
@given(_stamps)
def test_day_numbers_are_numpys(stamps):
    """Day numbers by integer division are numpy's ``datetime64[D]``: before 1970 (floored,
    not truncated), with a time of day, and NaT as NaT's integer; in int32 the same numbers
    (every day of years 1900-2200 fits) and NaT as int32's smallest."""
    from indikator.coding import days

    dates = pd.Series(pd.to_datetime(stamps, errors="coerce"), dtype="datetime64[s]")
    expected = dates.to_numpy(dtype="datetime64[s]").astype("datetime64[D]").astype("int64")
    assert days(dates).tolist() == expected.tolist()
    narrow = np.where(np.isnat(dates.to_numpy()), np.iinfo(np.int32).min, expected)
    assert days(dates, np.int32).dtype == np.int32
    assert days(dates, np.int32).tolist() == narrow.tolist()


def test_day_numbers_of_many_dates_in_batches(monkeypatch):
    # a batch at a time: every batch's rows land in their own place (batches of 3 rows)
    from indikator import coding

    monkeypatch.setattr(coding, "batches", lambda n: [slice(a, a + 3) for a in range(0, n, 3)])
    dates = pd.Series(pd.to_datetime(["1969-12-31", None, "1970-01-02", "2018-03-01"] * 2))
    # 1969-12-31 is day -1, 1970-01-02 day 1, 2018-03-01 day 17591; NaT: int32's smallest
    nat = np.iinfo(np.int32).min
    assert coding.days(dates, np.int32).tolist() == [-1, nat, 1, 17591] * 2


_DAY = 86_400
_NAT = np.iinfo(np.int64).min


@st.composite
def _sort_keys(draw):
    """Keys as the sorts meet them: small codes, persons, negative ranks, dates in whole days
    (as seconds, possibly NaT's integer), and keys too wide to pack."""
    n = draw(st.integers(0, 40))
    kinds = draw(
        st.lists(
            st.sampled_from(["code", "neg", "days", "nat", "wide", "bool"]), max_size=5, min_size=1
        )
    )
    keys = []
    for kind in kinds:
        if kind == "code":
            values = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        elif kind == "neg":
            values = draw(st.lists(st.integers(-5, 2), min_size=n, max_size=n))
        elif kind in ("days", "nat"):
            values = [
                d * _DAY for d in draw(st.lists(st.integers(-800, 800), min_size=n, max_size=n))
            ]
            if kind == "nat" and n:
                values[draw(st.integers(0, n - 1))] = _NAT
        elif kind == "wide":
            values = draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n))
        else:
            values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        keys.append(np.array(values, dtype=bool if kind == "bool" else np.int64))
    return keys


@settings(max_examples=300, deadline=None)
@given(_sort_keys())
def test_packed_order_is_lexsorts(keys):
    """One stable argsort of the packed keys orders rows exactly as ``np.lexsort`` (ties in
    row order), whether the keys fit (steps divided out) or not (lexsort itself)."""
    from indikator.coding import lex_order

    assert lex_order(keys).tolist() == np.lexsort(keys).tolist()


def test_packed_order_packs_dates_of_whole_days():
    """Two dates in seconds, a person and a group are packed (not left to lexsort): the
    whole-day step is divided out. Counted: 2 dates × 3 650 days, 250 000 persons, 30 groups
    is about 10^14, far below 2^62; in seconds it would be about 10^24."""
    from indikator import coding

    rng = np.random.default_rng(1)
    n = 1000
    start = rng.integers(16000, 19650, n) * _DAY
    slut = start + rng.integers(0, 365, n) * _DAY
    person, grp = rng.integers(0, 250_000, n), rng.integers(0, 30, n)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coding.np, "lexsort", lambda keys: pytest.fail("not packed"))
        got = coding.lex_order((start, slut, person, grp))
    assert got.tolist() == np.lexsort((start, slut, person, grp)).tolist()


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"a", b";", b"\r", b"\n", b"\r\n", b"\xc3\xa5"]), max_size=60),
    scan=st.integers(1, 9),
)
def test_line_breaks_counted_in_stretches_are_counted(data, scan):
    """Counting LFs and lone CRs a stretch at a time (stretches of 1–9 bytes here, so that a
    CR LF pair straddles two) gives the counts of the whole bytes."""
    from indikator.reading import text

    raw = b"".join(data)
    arr = np.frombuffer(raw, dtype=np.uint8)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(text, "_SCAN", scan)
        assert text._newlines(arr) == raw.count(b"\n")
        assert text._only_crlf(arr) == (raw.count(b"\r") == raw.count(b"\r\n"))


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.one_of(st.sampled_from(["a", "b", "c", "ÅÄ"]), st.none())),
    listed=st.lists(st.sampled_from(["a", "b", "c", "ÅÄ", "zz"]), unique=True),
    unused=st.lists(st.sampled_from(["d", "a"]), max_size=2, unique=True),
    kind=st.sampled_from(["category", "str", "object"]),
)
def test_unlisted_values_per_category_are_per_row(cells, listed, unused, kind):
    """Values present but not listed, asked per category (with categories no row uses, listed
    or not): the rows a row-by-row question finds; a missing value is never unlisted."""
    from indikator.coding import unlisted

    column = pd.Series(cells, dtype=kind)
    if kind == "category":
        column = column.cat.add_categories([u for u in unused if u not in set(cells)])
    got = unlisted(column, pd.Index(listed, dtype=object)).tolist()
    assert got == [c is not None and c not in listed for c in cells]


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.sampled_from(["R-1", "r-1", " R 2", "ÅÄÖ", "12", "1e5", ""]), max_size=30),
    missing=st.lists(st.booleans(), max_size=30),
    unused=st.booleans(),
)
def test_a_text_column_is_taken_as_it_is_without_visiting_a_value(cells, missing, unused):
    """A text column's parser is ``str``: the reader's categorical (Arrow strings, as every
    column comes) is taken as it is, and gives what parsing each distinct value gives. The
    parser is never called: 350 000 distinct remiss-ids took a second one by one."""
    from indikator import schema

    rows = [None if m else c for c, m in itertools.zip_longest(cells, missing[: len(cells)])]
    categories = list(dict.fromkeys(c for c in rows if c is not None))
    if unused:  # a category no row uses (an emptied summary row's cell)
        categories.append("oanvänd")
    reader = pd.Series(
        pd.Categorical(rows, categories=pd.Index(categories, dtype="string")),
        index=pd.RangeIndex(5, 5 + len(rows)),
    )
    col = schema.Col("text", True)
    reference = schema.parse_column(reader.astype(object), col, {})  # the loop, value by value
    visited = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(schema._PARSERS, "text", lambda v: visited.append(v) or str(v))
        taken = schema.parse_column(reader, col, {})
    assert visited == []
    pd.testing.assert_series_equal(taken.values, reference.values)
    assert not taken.bad.any() and len(taken.messages) == 0
    assert taken.values.tolist() == reference.values.tolist()


@pytest.mark.parametrize("dtype", ["str", "string"])
def test_ids_from_pandas_arrow_strings_are_read_in_arrow(dtype):
    """Both of pandas' Arrow string types ("str", missing NaN, and "string", missing NA: the
    reader's categories) are handed to Arrow as they are; a missing value is empty text,
    never the words "nan" or "<NA>" that ``str`` of it would give."""
    from indikator.ids import _arrow

    values = pd.Index(["19800101-0001", None, "p-7"], dtype=dtype)
    assert _arrow(values).to_pylist() == ["19800101-0001", "", "p-7"]
    assert _arrow(pd.Series(values)).to_pylist() == ["19800101-0001", "", "p-7"]


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["", " ", "a", "b", None]), min_size=3, max_size=3),
        max_size=12,
    ),
    extra=st.lists(st.sampled_from(["", "x"]), max_size=2),
)
def test_empty_rows_are_the_rows_whose_every_cell_is_empty(rows, extra):
    """``empty_rows`` (a column without an empty cell answers for every row at once) gives
    what looking at every row gives; a missing cell (code -1, None here) is empty, and a
    distinct cell no row uses (``extra``) changes nothing."""
    import pyarrow as pa

    from indikator.reading.grid import Cells, empty_rows

    columns = []
    for j in range(3):
        cells = [r[j] for r in rows]
        values = list(dict.fromkeys([c for c in cells if c is not None] + extra))
        codes = np.array([-1 if c is None else values.index(c) for c in cells], dtype="int32")
        columns.append(Cells(codes, pa.array(values, pa.string())))
    expected = [all(c in (None, "") for c in r) for r in rows]
    assert empty_rows(columns, len(rows)).tolist() == expected


def test_line_numbers_of_the_typed_rows_are_int32_where_they_fit():
    # held through the rules and every indicator: 10 million activities' lines in int64
    # were 79 MB of monthly's peak; the numbers stay the same, and a file past int32 keeps int64
    from indikator.schema import narrow_lines

    lines = np.array([2, 3, 7, 2**31 - 2], dtype=np.int64)
    narrow = narrow_lines(lines)
    assert narrow.dtype == np.int32 and narrow.tolist() == lines.tolist()
    wide = np.array([2, 2**31 - 1], dtype=np.int64)  # int32's maximum: not below it
    assert narrow_lines(wide).dtype == np.int64
    assert narrow_lines(np.array([], dtype=np.int64)).dtype == np.int64


def test_the_accepted_tables_carry_their_lines_in_int32(tmp_path):
    from conftest import write_dataset
    from world import FULL_WORLD

    from indikator.config import load_config
    from indikator.dataset import load_dataset

    ds = load_dataset(write_dataset(tmp_path / "w", FULL_WORLD), load_config())
    for export, table in ds.tables.items():
        assert table["_line"].dtype == np.int32, export
        assert table["_line"].min() >= 2  # line 1 is the header
    # the problems name lines as before (int64, every one a line of its file)
    assert ds.problems["rad"].dtype == np.int64 and len(ds.problems) > 0


def _persons_by_pandas(dl: pd.DataFrame) -> pd.DataFrame:
    """The pandas way ``rules.deltagare.persons`` replaced: sort by person, start and line,
    keep each person's last row with a kön."""
    known = dl[dl["kon"].notna()].sort_values(["person", "start", "_line"], kind="stable")
    last = known.drop_duplicates("person", keep="last")
    who = pd.Index(pd.unique(dl["person"].to_numpy(dtype=object)), dtype=object)
    kon = np.full(len(who), None, dtype=object)
    kon[who.get_indexer(last["person"].to_numpy(dtype=object))] = last["kon"].to_numpy(dtype=object)
    return pd.DataFrame({"person": pd.Series(who, dtype=object), "kon": kon})


enrolments = st.lists(
    st.tuples(
        st.sampled_from(["p1", "p2", "p3", "p4"]),
        st.sampled_from(["K", "M", "X", None]),
        st.integers(0, 5),  # startdatum: day in a short range (ties are likely)
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=200)
@given(enrolments, st.booleans(), st.randoms(use_true_random=False))
def test_persons_kon_as_the_pandas_sort_gives_it(rows, categorical, rnd):
    from indikator.rules.deltagare import persons

    lines = list(range(2, len(rows) + 2))
    rnd.shuffle(lines)  # the accepted rows' lines, in any order
    dl = pd.DataFrame(
        {
            "_line": np.array(lines, dtype="int32"),
            "person": [p for p, _, _ in rows],
            "kon": pd.Categorical([k for _, k, _ in rows], categories=["K", "M", "X"]),
            "start": pd.to_datetime([f"2017-01-0{d + 1}" for _, _, d in rows]).astype(
                "datetime64[s]"
            ),
        }
    )
    if categorical:  # as validation gives it: with the categories of rejected rows too
        dl["person"] = pd.Categorical(dl["person"], categories=["p0", "p1", "p2", "p3", "p4"])
    pd.testing.assert_frame_equal(persons(dl), _persons_by_pandas(dl))


def test_persons_kon_by_hand():
    from indikator.rules.deltagare import persons

    dl = pd.DataFrame(
        {
            "_line": np.array([2, 3, 4, 5, 6], dtype="int32"),
            "person": pd.Categorical(["b", "a", "b", "a", "c"], categories=["z", "a", "b", "c"]),
            "kon": pd.Categorical(["K", "M", "M", None, None]),
            "start": pd.to_datetime(
                ["2017-03-01", "2017-01-01", "2017-03-01", "2017-06-01", "2017-02-01"]
            ).astype("datetime64[s]"),
        }
    )
    who = persons(dl)
    # persons in the order of their first row: b (line 2), a (3), c (6); never z (no row)
    assert who["person"].tolist() == ["b", "a", "c"]
    # b: two enrolments on the same start, line 4 is the later: M. a: the latest (line 5) has
    # no kön, so the latest with one, line 3: M. c: none has one.
    assert who["kon"].tolist()[:2] == ["M", "M"] and pd.isna(who["kon"].tolist()[2])


@settings(max_examples=150)
@given(
    twelve_records,
    st.sampled_from([1 << 20, 1, 3]),
)
def test_month_pairs_sum_keys_as_the_placed_runs_did(recs, batch):
    # the month pairs count each kind's runs where ``Placement`` put them and sum the keys in
    # the same order, so the keyed figures are the same to the bit as those of the runs held
    # apart (before ``MonthPairs``): each kind's runs rebuilt here from the pairs by pandas
    # (the first pair of each key and period, in the pairs' order) and placed. The keys are
    # irrational and a cell sums up to nine of them: a run counted in a wrong cell, twice or
    # not at all shows. (Another order of adding mostly does not: every tally is rounded to
    # nine decimals; the national batch's keyed figures were compared to the bit instead.)
    ctx = _twelve(_ctx(EVERY_KIND, np.sqrt(np.arange(2.0, 14.0))))
    person, grp, dim, m = (np.array([r[i] for r in recs], dtype="int64") for i in range(4))
    limit, size = engine.DENSE_CELLS, engine.BATCH
    try:
        engine.DENSE_CELLS, engine.BATCH = 0, batch
        pairs = person_runs(ctx, person, grp, dim, m, m, 3)
        got = _bytes(tally_runs(ctx, pairs))
    finally:
        engine.DENSE_CELLS, engine.BATCH = limit, size
    n_kon = len(ctx.kons)
    cell, who, month = pairs.place // n_kon, pairs.who, pairs.month
    pair = pd.DataFrame({"key": np.cumsum(pairs.new_key), "month": month})
    by_kind = {}
    for kind, (lo, hi) in pairs.bounds.items():
        period = month // KINDS[kind]
        first = pair.assign(period=period).drop_duplicates(["key", "period"]).index
        rows = first[(period[first] >= lo) & (period[first] <= hi)]
        at = period[rows]  # one array for first and last: runs of one period each
        by_kind[kind] = (lo, hi, cell[rows], who[rows], at, at)
    lo, hi = pairs.acc
    rows = pair[(month >= lo) & (month <= hi)].drop_duplicates("key").index
    by_kind["ackumulerat"] = (lo, hi, cell[rows], who[rows], month[rows], np.full(len(rows), hi))
    runs = engine.Runs(3, 12, by_kind)
    assert got == _bytes(tally_runs(ctx, runs))


def test_pyarrow_cells_parsed_as_bytes_are_the_texts_and_lines_fit_int32():
    # The parser gives bytes (its own UTF-8 check of every cell was a seventh of its time);
    # the header and every distinct cell come out as text, Åre and NBSP-padded cells as
    # written, and the line numbers of a text shorter than int32's largest value are int32.
    from indikator.reading import text
    from indikator.reading.grid import line_type

    raw = "deltagare_id;ort\n1;Åre\n2;\u00a0Östersund\u00a0\n3;Åre\n".encode()
    grid = text._csv_fast(raw, ";", 1)
    assert grid.header == ["deltagare_id", "ort"]
    assert all(type(h) is str for h in grid.header)
    assert grid.lines.dtype == np.int32 and grid.lines.tolist() == [2, 3, 4]
    ort = grid.columns[1]
    assert ort.values.type == pa.string()
    assert [ort.values[int(c)].as_py() for c in ort.codes] == ["Åre", "Östersund", "Åre"]
    # one rule for the reader and the typed rows (schema.narrow_lines): int32's largest
    # value, 2**31 - 1, is the first that does not fit as a bound
    assert line_type(2**31 - 2) == "int32" and line_type(2**31 - 1) == "int64"


def test_bytes_that_are_not_utf8_in_a_parsed_piece_go_to_the_exact_reader():
    # Pieces reach the parser checked as UTF-8; were one not (a byte Windows-1252 wrote),
    # making its cells text fails in Arrow, and the fast reader answers None – the exact
    # reader then reads the file – instead of an Arrow error or a wrong cell.
    from indikator.reading import text

    raw = b"deltagare_id;ort\n1;\xc5re\n"
    assert text._csv_fast(raw, ";", 1) is None
    assert text._csv_fast(b"deltagare_id;\xc5rt\n1;x\n", ";", 1) is None  # in the header too


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))), max_size=20
    ),
    st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
)
def test_latest_date_from_the_largest_is_the_filtered_ones_largest(dates, today):
    """The dataset's latest date not in the future, taken from a column's largest date (and
    filtered only when that one lies ahead), is the largest of the dates up to today kept
    the plain way: missing dates never count, a column of only future or missing dates
    gives nothing."""
    from indikator.dataset import _latest_in

    column = np.array([np.datetime64("NaT") if d is None else d for d in dates], "datetime64[s]")
    kept = [d for d in dates if d is not None and d <= today]
    assert _latest_in(column, today) == (max(kept) if kept else None)


def test_latest_date_by_hand():
    from indikator.dataset import _latest

    # deltagare's latest start is 2017-06-01 and its open end (NaT) does not count;
    # aktiviteter's 2031 date is in the future: its latest is 2017-06-10, the dataset's
    tables = {
        "deltagare": pd.DataFrame(
            {
                "start": pd.to_datetime(["2017-01-01", "2017-06-01"]),
                "slut": pd.to_datetime(["2017-03-31", None]),
            }
        ),
        "aktiviteter": pd.DataFrame({"datum": pd.to_datetime(["2031-01-01", "2017-06-10"])}),
    }
    assert _latest(tables, dt.date(2026, 12, 6)) == dt.date(2017, 6, 10)
    # with today before 2017-06-10, that one is in the future too: deltagare's 2017-06-01
    assert _latest(tables, dt.date(2017, 6, 9)) == dt.date(2017, 6, 1)


@pytest.mark.parametrize("piece", [None, 1, 7, 1000])
def test_the_header_is_no_cell_of_its_columns(piece):
    # The header is parsed on its own: parsed with the rows, "Datum" was one more distinct
    # value of the date column, which no row had but every check took for a value (no date:
    # its ten million rows were looked up for it). A row that repeats the header is a row.
    from indikator.reading import text

    raw = b"Datum;Kod\r\n2017-01-01;A\r\n\r\n2017-01-02;\r\n"
    pieces = (
        [(raw, 0)]
        if piece is None
        else [(raw[i : i + piece], 0) for i in range(0, len(raw), piece)]
    )
    grid = text._csv_pieces(_whole_lines(pieces), ";", 1, len(raw))
    assert grid.header == ["Datum", "Kod"]
    assert grid.header_line == 1
    assert grid.lines.tolist() == [2, 4]  # the empty line 3 is no row
    assert grid.columns[0].values.to_pylist() == ["2017-01-01", "2017-01-02"]
    assert grid.columns[1].values.to_pylist() == ["A", ""]
    again = text._csv_fast(raw + b"Datum;Kod\r\n", ";", 1)
    assert again.columns[0].values.to_pylist() == ["2017-01-01", "2017-01-02", "Datum"]
    assert again.lines.tolist() == [2, 4, 5]
    only = text._csv_fast(b"Datum;Kod\r\n", ";", 1)
    assert (only.header, len(only.lines), only.columns[0].values.to_pylist()) == (
        ["Datum", "Kod"],
        0,
        [],
    )


def _whole_lines(pieces):
    """Pieces that end at a line break, as the reader cuts them: short ones joined."""
    out, held = [], b""
    for raw, _ in pieces:
        held += raw
        cut = held.rfind(b"\n") + 1
        if cut:
            out.append((held[:cut], 0))
            held = held[cut:]
    if held:
        out.append((held, 0))
    return out


def test_a_piece_parsed_in_many_blocks_reads_as_in_one(tmp_path, monkeypatch):
    # pyarrow parses a piece in blocks (``text.BLOCK``), each with its own distinct cells,
    # unified per piece (``grid.encoded``): the same cells and lines however many blocks.
    from indikator.reading import text

    rows = [f"1980010{i % 7}-000{i % 3};2017-0{1 + i % 9}-1{i % 10};KBT\r\n" for i in range(60)]
    path = tmp_path / "aktiviteter.csv"
    path.write_bytes(("deltagare_id;datum;insatstyp\r\n" + "".join(rows)).encode())
    columns = ["deltagare_id", "datum", "insatstyp"]
    whole = _read(path, columns)
    monkeypatch.setattr(text, "BLOCK", 64)  # a few rows a block
    assert text._csv_fast(path.read_bytes(), ";", 1).columns[0].values is not None
    table = text._parsed(path.read_bytes(), 0, ";", 3)[0]
    assert table.column(0).num_chunks > 10  # many blocks, many dictionaries
    pd.testing.assert_frame_equal(_read(path, columns)[0], whole[0])


@settings(max_examples=300)
@given(
    st.one_of(
        st.binary(max_size=40),
        st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(
            st.sampled_from(
                [b"a", b"\xc3\xa5", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\x80", b"\xe0\x80"]
                + [b"\xf0\x9f\x98\x80", b"\xf0\x9f\x98", b"\x80", b"\xff", b"\xef\xbb\xbf"]
            ),
            max_size=8,
        ).map(b"".join),
    )
)
def test_the_utf8_check_says_what_pythons_decoder_says(data):
    # A piece of a large file (and every small file) is checked for UTF-8 by Arrow's check,
    # not by Python's decoder (30 ms per 16 MB, holding the GIL): the same answer for every
    # byte string - surrogates, overlong forms, code points past U+10FFFF and a character
    # cut short are not UTF-8 - as bytes, bytearray or a view without copying.
    from indikator.reading.text import is_utf8

    try:
        data.decode("utf-8")
        want = True
    except UnicodeDecodeError:
        want = False
    assert is_utf8(data) is want
    assert is_utf8(bytearray(data)) is want
    assert is_utf8(memoryview(b"x" + data)[1:]) is want


def test_a_piece_is_read_into_the_buffer_of_the_one_before_unless_it_is_in_use():
    # The pieces of a large file are read into one buffer (a fresh 16 MB is 4 096 pages to
    # fault in per piece): resized to each piece's length and used again, but never while
    # anything still refers to its memory - an Arrow buffer or a numpy array over it - which
    # would then see the next piece's bytes.
    import pyarrow as pa

    from indikator.reading.text import _reused

    buf = _reused(bytearray(), 10)
    assert len(buf) == 10
    buf[:] = b"0123456789"
    again = _reused(buf, 6)
    assert again is buf and len(again) == 6
    assert _reused(again, 6) is buf and _reused(again, 12) is buf and len(buf) == 12
    view = np.frombuffer(buf, dtype=np.uint8)
    fresh = _reused(buf, 12)
    assert fresh is not buf and len(fresh) == 12 and bytes(view[:4]) == b"0123"
    del view
    arrow = pa.py_buffer(buf)
    assert _reused(buf, 5) is not buf and arrow.to_pybytes()[:4] == b"0123"
    del arrow
    assert _reused(buf, 5) is buf


def test_the_pieces_of_a_large_file_share_one_buffer(tmp_path, monkeypatch):
    # Read in many pieces, a large file's pieces come in one buffer (each piece parsed and
    # its cells copied out before the next is read into it), and the grid is the file's.
    from indikator.reading import text

    path = tmp_path / "aktiviteter.csv"
    path.write_bytes((HEADER + ROW * 3000).encode())
    whole = text.Text(path).grid(1)
    monkeypatch.setattr(text, "STREAMED", 0)
    monkeypatch.setattr(text, "PIECE", 4096)
    buffers, real = [], text.Text._pieces

    def pieces(self, at):
        for buf, start in real(self, at):
            buffers.append(id(buf))
            yield buf, start

    monkeypatch.setattr(text.Text, "_pieces", pieces)
    grid = text.Text(path).grid(1)
    assert len(buffers) > 20 and len(set(buffers)) == 1
    assert grid.header == whole.header and (grid.lines == whole.lines).all()
    for a, b in zip(grid.columns, whole.columns, strict=True):
        assert a.values.to_pylist() == b.values.to_pylist() and (a.codes == b.codes).all()
