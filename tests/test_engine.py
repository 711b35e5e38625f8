"""The interval arithmetic every person count rests on, held against literal per-record rules."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from indikator.indicators.engine import _order_by, merge_runs

records = st.lists(
    st.tuples(st.integers(-1, 5), st.integers(0, 40), st.integers(0, 40)), max_size=60
)


def _literal_runs(key, first, last, lo, hi):
    """Per key, the covered positions in [lo, hi], cut into maximal consecutive runs."""
    covered = {}
    for k, f, t in zip(key.tolist(), first.tolist(), last.tolist(), strict=True):
        covered.setdefault(k, set()).update(range(max(f, lo), min(t, hi) + 1))
    runs = []
    for k in sorted(covered):
        for p in sorted(covered[k]):
            if runs and runs[-1][0] == k and runs[-1][2] == p - 1:
                runs[-1][2] = p
            else:
                runs.append([k, p, p])
    return runs


def _arrays(recs):
    key = np.array([r[0] for r in recs], dtype="int64")
    a = np.array([r[1] for r in recs], dtype="int64")
    b = np.array([r[2] for r in recs], dtype="int64")
    return key, np.minimum(a, b), np.maximum(a, b)


@given(records, st.integers(0, 12), st.integers(8, 40), st.sampled_from([1, 3, 4, 6, 12]))
def test_one_sort_by_month_serves_every_period_length(recs, lo, hi, length):
    # the records are sorted once by (key, month) and merged per period length (month = 1,
    # quarter = 3, tertial = 4 …) without sorting again; the result must be the literal runs
    key, first, last = _arrays(recs)
    order = _order_by(key, first)
    assert [(k, f) for k, f in zip(key[order], first[order], strict=True)] == sorted(
        zip(key.tolist(), first.tolist(), strict=True)
    )
    k, f, t = key[order], first[order] // length, last[order] // length
    got = merge_runs(k, f, t, lo, hi, presorted=True)
    expected = _literal_runs(key, first // length, last // length, lo, hi)
    assert [list(x) for x in zip(*(a.tolist() for a in got), strict=True)] == expected
    unsorted = merge_runs(key, first // length, last // length, lo, hi)
    assert [a.tolist() for a in unsorted] == [a.tolist() for a in got]
