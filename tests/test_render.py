"""Vectorised formatting and lookups, each held against the literal per-value rule."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indikator.coding import arrow_strings, positions
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
    assert arrow_strings(s)  # the Arrow path is the one under test
    expected = [CODES.index(v) if v in CODES else -1 for v in values]
    assert positions(s, CODES).tolist() == expected


texts = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\tåÖ0.-')), max_size=6),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            texts,
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(2**40), 2**40),
            st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=3), st.booleans()),
        ),
        max_size=25,
    ),
    st.sampled_from(["str", object]),
)
def test_csv_by_distinct_text_is_what_pandas_writes(rows, text_dtype):
    # the CSV laid out from each column's distinct texts must be, byte for byte, what pandas'
    # to_csv writes from the same texts: quotes around commas, quotes and line breaks
    # (doubled quotes inside), "" for missing values, whole floats without ".0"
    from indikator.output.tidy import _pandas_csv, tidy_csv, tidy_csv_parts

    df = pd.DataFrame(
        {
            "a, text": pd.Series([r[0] for r in rows], dtype=text_dtype),
            "b": pd.Series([r[1] for r in rows], dtype="float64"),
            "c": pd.Series([r[2] for r in rows], dtype="int64"),
            "d": pd.Series([r[3] for r in rows], dtype=object),
            "e": pd.Series([r[1] > 0 for r in rows], dtype=bool),
        }
    )
    columns = list(df.columns)
    assert tidy_csv(df, columns) == _pandas_csv(df, columns)
    # the parts a batch writes as they are: the same bytes (numbers' texts never quoted)
    parts = tidy_csv_parts(df, columns)
    assert b"".join(parts) == _pandas_csv(df, columns).encode("utf-8")


def test_csv_by_distinct_text_by_hand():
    from indikator.output.tidy import tidy_csv

    df = pd.DataFrame(
        {
            "period": pd.Series(["2017-05", "2017-05", None], dtype="str"),
            "dimension": pd.Series(["a,b", 'sa "x"', ""], dtype="str"),
            "varde": [3.0, 0.25, np.nan],
        }
    )
    assert tidy_csv(df, list(df.columns)) == (
        'period,dimension,varde\n2017-05,"a,b",3\n2017-05,"sa ""x""",0.25\n,,\n'
    )


def _tidy_arrow_by_lists(tidy: pd.DataFrame):
    """The Arrow table as ``tidy_arrow`` built it before (every value through a Python list):
    the reference of the test below."""
    import pyarrow as pa

    texts = ("period", "omfang", "delprojekt", "indikator", "dimension", "kon", "status")
    return pa.table(
        {
            c: pa.array(tidy[c].astype(str).tolist(), pa.string())
            if c in texts
            else pa.array(tidy[c].astype("float64").tolist(), pa.float64(), from_pandas=True)
            for c in TIDY
        }
    )


TIDY = ["period", "omfang", "delprojekt", "indikator", "dimension", "kon"]
TIDY += ["varde", "taljare", "namnare", "status"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.sampled_from(list('ab ,;"\nåÖ0.-')), max_size=6),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        max_size=25,
    ),
    st.sampled_from(["str", object]),
)
def test_tidy_arrow_hands_over_what_the_lists_gave(rows, text_dtype):
    # the batch's Parquet table: pandas' Arrow strings handed over as they are must give the
    # very table (and Parquet bytes) that going through Python lists gave
    from indikator.output.tidy import parquet_bytes, tidy_arrow

    text = pd.Series([r[0] for r in rows], dtype=text_dtype)
    number = pd.Series([r[1] for r in rows], dtype="float64")
    df = pd.DataFrame(
        {c: text if c not in ("varde", "taljare", "namnare") else number for c in TIDY}
    )
    want = _tidy_arrow_by_lists(df)
    got = tidy_arrow(df)
    assert got.equals(want)
    assert got.schema == want.schema
    assert parquet_bytes(got) == parquet_bytes(want)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=4), max_size=12), st.integers(0, 3), st.booleans())
def test_lines_joined_from_arrows_buffer_are_pythons_join(strings, skip, chunked):
    """The CSV's lines joined from the Arrow array's data buffer are ``"".join`` of them, as
    UTF-8, for a slice of an array (its offsets start inside the buffer) and a chunked one
    alike."""
    import pyarrow as pa

    from indikator.output.tidy import _one_after_another

    array = pa.array(["förr", *strings], pa.large_string()).slice(min(skip, len(strings) + 1))
    expected = "".join(array.to_pylist())
    if chunked:
        array = pa.chunked_array([array.slice(0, 2), array.slice(2)], pa.large_string())
    assert bytes(_one_after_another(array)) == expected.encode("utf-8")
