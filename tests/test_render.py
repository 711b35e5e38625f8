"""Vectorised formatting and lookups, each held against the literal per-value rule."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from indikator.coding import _arrow_strings, positions
from indikator.output.tidy import _float_text, _plain


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=60))
def test_float_text_prints_what_plain_then_repr_prints(values):
    arr = np.array(values, dtype="float64")
    expected = [
        "" if v is None else repr(v) if isinstance(v, float) else str(v)
        for v in map(_plain, arr.tolist())
    ]
    assert _float_text(arr).tolist() == expected


def test_float_text_examples():
    # whole numbers lose ".0" (also -0.0 and beyond 2**53), fractions keep Python's repr
    arr = np.array([3.0, -0.0, 0.1, 1 / 3, np.nan, np.inf, 2.0**60, 1e22, 12.5])
    assert _float_text(arr).tolist() == [
        "3",
        "0",
        "0.1",
        "0.3333333333333333",
        "",
        "inf",
        "1152921504606846976",
        "10000000000000000000000",
        "12.5",
    ]


CODES = ["a", "b", "ä", ""]


@given(st.lists(st.one_of(st.none(), st.sampled_from([*CODES, "x"]), st.text(max_size=2))))
def test_positions_of_arrow_strings_is_the_list_index(values):
    s = pd.Series(values, dtype="str")
    assert _arrow_strings(s)  # the Arrow path is the one under test
    expected = [CODES.index(v) if v in CODES else -1 for v in values]
    assert positions(s, CODES).tolist() == expected
