"""The interval arithmetic every person count rests on, held against literal per-record rules."""

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indikator.indicators.engine import _order_by, merge_runs

records = st.lists(
    st.tuples(st.integers(-1, 5), st.integers(0, 40), st.integers(0, 40)), max_size=60
)


def _literal_cover(key, first, last, lo, hi):
    """Per record, the positions it covers in [lo, hi], as a set of (key, position)."""
    cover = set()
    for k, f, t in zip(key.tolist(), first.tolist(), last.tolist(), strict=True):
        cover |= {(k, p) for p in range(max(f, lo), min(t, hi) + 1)}
    return cover


def _run_cover(runs):
    """The (key, position) pairs the runs cover, each as often as a run covers it."""
    return [
        (k, p) for k, f, t in zip(*(a.tolist() for a in runs), strict=True) for p in range(f, t + 1)
    ]


def _arrays(recs):
    key = np.array([r[0] for r in recs], dtype="int64")
    a = np.array([r[1] for r in recs], dtype="int64")
    b = np.array([r[2] for r in recs], dtype="int64")
    return key, np.minimum(a, b), np.maximum(a, b)


@given(records, st.integers(0, 12), st.integers(8, 40), st.sampled_from([1, 3, 4, 6, 12]))
def test_one_sort_by_month_serves_every_period_length(recs, lo, hi, length):
    # the records are sorted once by (key, month) and merged per period length (month = 1,
    # quarter = 3, tertial = 4 …) without sorting again
    key, first, last = _arrays(recs)
    order = _order_by(key, first)
    assert [(k, f) for k, f in zip(key[order], first[order], strict=True)] == sorted(
        zip(key.tolist(), first.tolist(), strict=True)
    )
    k, f, t = key[order], first[order] // length, last[order] // length
    got = merge_runs(k, f, t, lo, hi)
    # the runs cover exactly what the records cover, each (key, position) once: a person is
    # counted once per period however many records they have (adjacent runs may stay apart)
    covered = _run_cover(got)
    assert len(covered) == len(set(covered))
    assert set(covered) == _literal_cover(key, first // length, last // length, lo, hi)


@settings(max_examples=100, deadline=None)
@given(
    at=st.lists(st.integers(-3, 12), max_size=20),
    lo=st.integers(-2, 6),
    span=st.integers(0, 8),
)
def test_positions_within_bounds_are_those_a_mask_keeps(at, lo, span):
    """``_within`` (None when every position is inside: no mask is built) keeps exactly the
    positions from ``lo`` to ``hi``, both included, in their order."""
    from indikator.indicators.engine import _within, rows_where

    values, hi = np.array(at, dtype=np.int32), lo + span
    kept = rows_where(_within(values, lo, hi), values)[0]
    assert kept.tolist() == [a for a in at if lo <= a <= hi]


@settings(max_examples=150, deadline=None)
@given(
    recs=st.lists(
        st.tuples(
            st.integers(-1, 2),  # group (-1: none)
            st.integers(-1, 1),  # dimension (-1: none)
            st.integers(0, 2),  # kön: K, M, or the unknown added into T
            st.integers(-3, 12),  # first position
            st.integers(0, 5),  # length - 1 (ignored for points)
            st.integers(0, 4),  # weight
        ),
        max_size=30,
    ),
    lo=st.integers(0, 4),
    span=st.integers(0, 6),
    point=st.booleans(),
)
def test_a_placement_adds_any_weight_as_the_records_one_by_one(recs, lo, span, point):
    """A ``Placement`` is worked out once and added with several weights (``Latest``'s count
    and its shares reuse one): each addition gives the tally a literal per-record loop gives."""
    from indikator.indicators.engine import Tally

    hi = lo + span
    cols = [np.array([r[i] for r in recs], dtype="int64") for i in range(6)]
    grp, dim, kon, first, length, weight = cols
    last = first if point else first + length
    weight = weight.astype("float64")

    def literal(w):
        arr = np.zeros((3, 2, 3, span + 1))
        for g, d, k, f, t, x in zip(grp, dim, kon, first, last, w, strict=True):
            if g >= 0 and d >= 0:
                for p in range(max(f, lo), min(t, hi) + 1):
                    arr[g, d, k, p - lo] += x
        arr[:, :, -1] += arr[:, :, :-1].sum(axis=2)  # T: K + M + the unknown
        return arr

    kons = ("K", "M", "T")
    counted, weighted = Tally(3, 2, kons), Tally(3, 2, kons)
    placed = counted.place("month", lo, hi, grp, dim, kon, first, last)
    placed.add(counted, None)
    placed.add(weighted, weight)
    placed.add(weighted, weight)  # a second addition sums into the first
    assert np.array_equal(counted.arrays["month"][1], literal(np.ones(len(recs))))
    assert np.array_equal(weighted.arrays["month"][1], 2 * literal(weight))
    # weights looked up as they are added (``of``: each record's row in the weights, as a
    # person's key): the records the placement dropped are skipped in ``of`` too
    looked_up = Tally(3, 2, kons)
    rows = np.arange(len(recs))[::-1].copy()
    placed.add(looked_up, weight[::-1].copy(), rows)
    assert np.array_equal(looked_up.arrays["month"][1], literal(weight))


@given(st.lists(st.booleans(), max_size=20), st.data())
def test_two_masks_in_a_row_are_one(first, data):
    from indikator.indicators.engine import _then, rows_where

    first = np.array(first, dtype=bool)
    second = np.array(
        data.draw(st.lists(st.booleans(), min_size=int(first.sum()), max_size=int(first.sum()))),
        dtype=bool,
    )
    values = np.arange(len(first))
    once = rows_where(_then(first, second), values)[0]
    assert once.tolist() == rows_where(second, rows_where(first, values)[0])[0].tolist()
    assert rows_where(_then(None, None), values)[0].tolist() == values.tolist()


@settings(max_examples=150, deadline=None)
@given(
    at=st.lists(st.integers(0, 3), max_size=200),
    seed=st.integers(0, 2**32 - 1),
    step=st.integers(1, 30),
    wide=st.booleans(),
)
def test_sums_a_batch_at_a_time_are_bincounts_to_the_bit(at, seed, step, wide):
    """``bin_sums`` adds a batch of positions at a time (``step`` moved down from a million, so
    that every list crosses batches): the counts and the weighted sums are those of one
    ``np.bincount`` over all of them, bit for bit, in float64. Weights in [0, 1) with many
    digits are the cell keys: a sum added in another order differs in its last bits."""
    from indikator.indicators import engine

    def small(n):
        return [slice(s, s + step) for s in range(0, n, step)]

    positions = np.array(at, dtype=np.int64 if wide else np.int32)
    w = np.random.default_rng(seed).random(len(at))
    # ``of``: each record's weight looked up a batch at a time (a person's key)
    keys = np.random.default_rng(seed + 1).random(7)
    person = np.random.default_rng(seed + 2).integers(0, 7, len(at))
    with mock.patch.object(engine, "batches", small):
        counted = engine.bin_sums(positions, None, 4)
        summed = engine.bin_sums(positions, w, 4)
        keyed = engine.bin_sums(positions, keys, 4, person)
    assert counted.dtype == summed.dtype == keyed.dtype == np.float64
    assert counted.tolist() == np.bincount(positions, minlength=4).astype(float).tolist()
    assert summed.tobytes() == np.bincount(positions, weights=w, minlength=4).tobytes()
    assert keyed.tobytes() == np.bincount(positions, weights=keys[person], minlength=4).tobytes()


def test_a_negative_position_is_refused_as_bincount_refuses_it():
    # np.add.at would add it to the last cell: a figure silently in the wrong place
    import pytest

    from indikator.indicators.engine import bin_sums

    for weight in (None, np.ones(2)):
        with pytest.raises(ValueError):
            bin_sums(np.array([3, -1]), weight, 5)


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(
                ["2017-05", "2017-Q2", "2017-T2", "2017-H1", "2017", "2018-02", "2018"]
            ),
            st.sampled_from(["period", "ackumulerat"]),
        ),
        max_size=8,
    ),
    groups=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    kons=st.lists(st.integers(0, 2), min_size=1, max_size=3),
)
def test_blocks_of_many_periods_are_each_period_taken_alone(picks, groups, kons):
    """``Tally.blocks`` gathers a period kind at a time (a batch: 174 periods and scopes per
    figure): each block is what ``get`` gives for its period and scope alone."""
    from indikator.indicators.engine import Tally
    from indikator.periods import parse_period

    keys = [(parse_period(p), scope) for p, scope in picks]
    tally = Tally(3, 2, ("K", "M", "T"))
    rng = np.random.default_rng(len(picks))
    for kind, lo, hi in [("month", 24200, 24230), ("quarter", 8060, 8080),
                         ("tertial", 6050, 6060), ("half", 4030, 4040), ("year", 2015, 2020),
                         ("ackumulerat", 24190, 24240)]:  # fmt: skip
        tally.arrays[kind] = (lo, rng.integers(0, 50, (3, 2, 3, hi - lo + 1)).astype(float))
    got = tally.blocks(keys, groups, kons)
    assert got.shape == (len(keys), len(groups), 2, len(kons))
    for block, (period, scope) in zip(got, keys, strict=True):
        assert np.array_equal(block, tally.get(period, scope)[groups][:, :, kons])


@settings(max_examples=60, deadline=None)
@given(
    codes=st.lists(st.integers(0, 3), max_size=40),
    chunks=st.integers(1, 4),
    data=st.data(),
)
def test_rows_taken_by_arrow_are_pandas_iloc(codes, chunks, data):
    """``tidy.take_rows``: the tidy table's rows in a new order (text columns of several
    Arrow chunks, as a concat of the families' frames gives them; floats with NaN) are
    ``iloc`` with a fresh index: the same values, dtypes and columns."""
    import pandas as pd

    from indikator.indicators.tidy import take_rows, texts

    n = len(codes)
    words = ["TOTALT", "2017-05", "ackumulerat", "ökad_makt"]
    step = max(n // chunks, 1)
    frames = [
        pd.DataFrame(
            {
                "label": texts(words, np.asarray(codes[i : i + step], dtype=np.int64)),
                "varde": [np.nan if c == 0 else c / 3 for c in codes[i : i + step]],
            }
        )
        for i in range(0, n, step)
    ]
    df = pd.concat(frames, ignore_index=True) if frames else _empty_frame()
    at = np.asarray(data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=2 * n)))
    at = at[: len(at) if n else 0].astype(np.int64)
    got = take_rows(df, at)
    pd.testing.assert_frame_equal(got, df.iloc[at].reset_index(drop=True))


def _empty_frame():
    import pandas as pd

    from indikator.indicators.tidy import texts

    return pd.DataFrame({"label": texts(["x"], np.zeros(0, dtype=np.int64)), "varde": []})


_SHAPES = [  # (periods, shown groups, dimensions, kön): a few label shapes, as families give
    (["2017-05"], ["A", "TOTALT"], [""], ("K", "M", "T")),
    (["2017-05", "2017-T2"], ["B", "TOTALT"], ["X", "Y", "Z"], ("K", "M", "T")),
    (["2017-05"], ["A", "B", "TOTALT"], ["SFI"], ("T",)),
]


@st.composite
def _tidy_parts(draw):
    """Rows of one to six indicators: each a shape, a count (integers), a share or a mean
    (floats with NaN), a status for all rows or per row."""
    from indikator.indicators.tidy import Labels, Rows, _label_codes

    parts = []
    for i in range(draw(st.integers(1, 6))):
        periods, groups, dims, kons = _SHAPES[draw(st.integers(0, len(_SHAPES) - 1))]
        n_keys = len(periods) * 2  # the two scopes
        texts_ = {"period": periods, "omfang": ["period", "ackumulerat"], "delprojekt": groups,
                  "dimension": dims, "kon": kons}  # fmt: skip
        n = n_keys * len(groups) * len(dims) * len(kons)
        labels = Labels(texts_, _label_codes(n_keys, len(groups), len(dims), len(kons)), n)
        kind = draw(st.sampled_from(["count", "share", "missing"]))
        ints = np.asarray(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), np.int64)
        if kind == "count":
            parts.append(Rows(labels, f"ind{i}", ints, np.nan, np.nan, "ok"))
        elif kind == "share":
            den = ints + np.asarray(draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n)))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(den > 0, ints / den, np.nan)
            parts.append(Rows(labels, f"ind{i}", ratio, ints, den, den > 0))
        else:
            parts.append(Rows(labels, f"ind{i}", np.nan, np.nan, np.nan, "saknar_data"))
    return parts


@settings(max_examples=80, deadline=None)
@given(parts=_tidy_parts())
def test_tidy_table_is_the_parts_one_after_the_other(parts):
    """``tidy.table``: one table of every indicator's rows equals a frame per indicator (its
    labels by their codes, its figures beside) concatenated as pandas does: the same texts,
    numbers, order and dtypes (counts alone stay integers, a share among them makes floats)."""
    import pandas as pd

    from indikator.indicators.tidy import table, texts
    from indikator.vocabulary import TIDY_COLUMNS

    frames = []
    for p in parts:
        n = p.labels.n
        frame = {c: texts(p.labels.texts[c], p.labels.codes[c]) for c in p.labels.texts}
        frame["indikator"] = texts([p.indicator], np.zeros(n, dtype=np.int64))
        status = (
            [p.status] * n if isinstance(p.status, str) else np.where(p.status, "ok", "tom_namnare")
        )
        frame["status"] = pd.array(list(status), dtype="str")
        for c in ("varde", "taljare", "namnare"):
            value = getattr(p, c)
            frame[c] = np.full(n, value) if np.ndim(value) == 0 else value
        frames.append(pd.DataFrame({c: frame[c] for c in TIDY_COLUMNS}))
    expected = pd.concat(frames, ignore_index=True)
    got = table(parts)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    counts_only = all(np.ndim(p.varde) and p.varde.dtype.kind == "i" for p in parts)
    assert (got["varde"].dtype.kind == "i") == counts_only


def test_tidy_table_of_nothing_has_the_columns():
    from indikator.indicators.tidy import table
    from indikator.vocabulary import TIDY_COLUMNS

    assert list(table([]).columns) == TIDY_COLUMNS and table([]).empty
