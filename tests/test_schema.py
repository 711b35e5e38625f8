"""The pydantic row models and the column-wise validator give the same verdict per row."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from indikator.config import load_config
from indikator.problems import Problems
from indikator.reading import RawTable
from indikator.schema import EXPORTS, codebooks, validate_table

BOOKS = codebooks(load_config())
REF = dt.date(2017, 6, 1)
POOL = {
    "id": ["19800101-0001", "800101-0001", "19800101-0002", "ANON-1", "x" * 70, ""],
    "date": ["2017-05-01", "20170501", "2017-02-30", "1 maj", "1899-12-31", ""],
    "decimal": ["1,5", "2", "-1", "abc", ""],
    "int": ["3", "3,0", "3,5", "x", ""],
    "kon": ["K", "Man", "kvinna", "X", "icke-binär", "Q", ""],
    "bool": ["ja", "Nej", "1", "x", "kanske", ""],
    "text": ["KBT", ""],
}


def values_for(col):
    if col.kind.startswith("code:"):
        book = BOOKS[col.kind[5:]]
        return [*book.codes[:3], book.codes[0].lower(), "NOPE", ""]
    return POOL[col.kind]


def messy_rows(export: str, data, most: int) -> tuple[list[dict], pd.DataFrame]:
    """1..``most`` rows of the export, every cell drawn from the messy pool, and the same rows
    as the reader's frame (text cells, line numbers from 2)."""
    columns = EXPORTS[export].columns()
    rows = [
        {name: data.draw(st.sampled_from(values_for(col))) for name, col in columns.items()}
        for _ in range(data.draw(st.integers(1, most)))
    ]
    frame = pd.DataFrame(rows).astype(object)
    frame["_line"] = range(2, len(rows) + 2)
    return rows, frame


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(EXPORTS)), st.data())
def test_row_model_and_vectorised_validation_agree(export, data):
    model = EXPORTS[export]
    rows, frame = messy_rows(export, data, 6)
    problems = Problems()
    _, bad = validate_table(RawTable(export, "f.csv", frame), model, BOOKS, REF, problems)
    for row, flagged in zip(rows, bad, strict=True):
        try:
            model.model_validate(row, context={"codebooks": BOOKS, "ref": REF})
            ok = True
        except ValidationError:
            ok = False
        assert ok == (not flagged), row


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(EXPORTS)), st.data())
def test_columns_checked_side_by_side_as_one_by_one(export, data):
    """A large export's columns are checked two at a time: the typed table, the rejected rows
    and the problems, in their order, are those of checking one column after the other."""
    from indikator.dataset import _unused

    model = EXPORTS[export]
    _, frame = messy_rows(export, data, 30)
    unused = data.draw(st.sampled_from([lambda c: False, _unused]))
    results = []
    for threads in (1, 2):
        problems = Problems()
        raw = RawTable(export, "f.csv", frame)
        typed, bad = validate_table(raw, model, BOOKS, REF, problems, unused, threads)
        results.append((typed, bad, problems.frame()))
    (one, one_bad, one_found), (two, two_bad, two_found) = results
    pd.testing.assert_frame_equal(one, two)
    assert one_bad.tolist() == two_bad.tolist()
    pd.testing.assert_frame_equal(one_found, two_found)
    assert list(one.columns) == list(two.columns)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(EXPORTS)), st.data())
def test_a_categorical_column_is_parsed_as_its_cells(export, data):
    """The reader's columns are categoricals, parsed per category (no hash pass over the rows),
    unused categories included: the typed values, the rejected rows and their messages are
    those of parsing the same cells as plain values."""
    from indikator.schema import parse_column

    columns = [(n, c) for n, c in EXPORTS[export].columns().items() if c.kind != "id"]
    name, col = data.draw(st.sampled_from(columns))
    pool = values_for(col)
    cells = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(pool)), max_size=20))
    unused = data.draw(st.lists(st.sampled_from([*pool, "1899-01-01", "Summa"]), max_size=3))
    categories = list(dict.fromkeys([c for c in cells if c is not None] + unused))
    plain = pd.Series(cells, dtype=object)
    coded = pd.Series(pd.Categorical(cells, categories=categories))
    want, got = parse_column(plain, col, BOOKS), parse_column(coded, col, BOOKS)
    pd.testing.assert_series_equal(got.values, want.values)
    assert got.bad.tolist() == want.bad.tolist()
    assert got.messages.tolist() == want.messages.tolist()


_DAYS = st.dates(dt.date(1850, 1, 1), dt.date(2150, 12, 31))
_DATE_TEXTS = st.one_of(
    _DAYS.map(dt.date.isoformat),  # plain: inside 1900-2099 or not
    st.tuples(st.integers(1890, 2110), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"  # plain in form, not always a day
    ),
    st.tuples(st.integers(1896, 2104), st.integers(1, 12), st.integers(28, 31)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"  # the end of a month, or past it
    ),
    _DAYS.map(lambda d: d.strftime("%Y%m%d")),
    _DAYS.map(lambda d: f"{d.year}/{d.month}/{d.day} 10:22"),
    _DAYS.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    st.text(alphabet="0123456789-/. :x", max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_DATE_TEXTS, max_size=30))
@example(texts=["2017-02-30", "2017-04-31", "2016-02-29", "2017-5-3", "1899-12-31", "2099-12-31"])
def test_dates_parsed_by_arrow_are_parse_dates(texts):
    """A date column's distinct texts, the plain ones by Arrow at once (``schema._dates``):
    every row's date and message are ``parse_date``'s for its text, a day that does not exist
    (2017-02-30, which Arrow's parser makes 2017-03-02) and a year outside 1900-2099 included."""
    import numpy as np

    from indikator.schema import Col, parse_column, parse_date

    values = pd.Series(texts, dtype="str").astype("category")  # as the reader gives a column
    got = parse_column(values, Col("date"), {})
    expected, messages = [], []
    for text in texts:
        try:
            expected.append(np.datetime64(parse_date(text), "s"))
        except ValueError as e:
            expected.append(np.datetime64("NaT", "s"))
            messages.append(str(e))
    assert got.values.dtype == "datetime64[s]"
    assert np.array_equal(
        got.values.to_numpy(), np.array(expected, "datetime64[s]"), equal_nan=True
    )
    assert got.bad.tolist() == [np.isnat(e) for e in expected]
    assert got.messages.tolist() == messages


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["", "a", " b", "c", None]), max_size=12),
    st.permutations(["", "a", " b", "c", "unused"]),
)
def test_empty_cells_missing_and_their_category_gone(values, categories):
    # An empty cell is missing, as ``mask`` makes it; a categorical (the reader's columns)
    # also loses its category "", which no row has once the cells are missing: left in, it
    # was a distinct value every check took for one (no date, code or number), so each
    # column's every row was looked up for it.
    import numpy as np

    from indikator.schema import _missing_where_blank, blank

    column = pd.Series(values, dtype=pd.CategoricalDtype(pd.Index(categories, dtype="str")))
    empty = blank(column)
    got = _missing_where_blank(column, empty)
    expected = column.mask(empty)
    assert got.astype(object).where(got.notna(), None).tolist() == (
        expected.astype(object).where(expected.notna(), None).tolist()
    )
    assert "" not in list(got.cat.categories)
    assert list(got.cat.categories) == [c for c in categories if c != ""]  # order kept
    assert np.array_equal(got.isna().to_numpy(), column.isna().to_numpy() | empty)
    plain = pd.Series(values, dtype=object)
    assert _missing_where_blank(plain, blank(plain)).equals(plain.mask(blank(plain)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["", "a", "b", None]), max_size=12),
    st.permutations(["", "a", "b"]),
    st.integers(1, 4),
)
def test_a_column_is_filled_when_a_cell_has_a_value(values, categories, first):
    # Asked by the codes, the first rows first (``FIRST_ROWS``, small here so that both the
    # first rows and the whole column answer): a cell that is neither missing nor "".
    from indikator import dataset

    column = pd.Series(values, dtype=pd.CategoricalDtype(pd.Index(categories, dtype="str")))
    expected = any(v not in (None, "") for v in values)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dataset, "FIRST_ROWS", first)
        assert dataset._filled(column) is expected
        assert dataset._filled(pd.Series(values, dtype=object)) is expected


@pytest.mark.parametrize("n", [1, 126, 127, 128, 32766, 32767, 40000])
def test_code_columns_in_the_code_type_pandas_keeps(n):
    # The typed code column's codes are taken in the type pandas keeps them in: ten million
    # rows taken as int32 were narrowed to int8 in a copy.
    import numpy as np
    from pandas.core.dtypes.cast import coerce_indexer_dtype

    from indikator.schema import _code_type

    categories = pd.Index(range(n))
    assert _code_type(categories) == coerce_indexer_dtype(np.zeros(1, "int64"), categories).dtype


@settings(max_examples=50)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", "Ö"])), max_size=30))
def test_a_categoricals_codes_are_read_where_they_are(values):
    # ``coding.category_codes``: pandas' codes of a categorical column (-1 missing), read
    # where they are, read-only: pandas 3's ``.cat.codes`` copies them into a new Series (ten
    # million rows of fresh pages for every column of a national load that asked).
    from indikator.coding import category_codes

    column = pd.Series(values, dtype="category")
    codes = category_codes(column)
    assert codes.tolist() == column.cat.codes.tolist()
    assert np.shares_memory(codes, column.array._codes) or not len(codes)
    assert not codes.flags.writeable


def test_another_columns_categories_are_not_hashed_again_to_see_they_are_distinct(monkeypatch):
    # Every export's persons are looked up among deltagare's (the enrolled persons: its
    # categories, distinct as categories are). The lookup checks a list for repeats by
    # hashing it (273 000 persons, once per export) unless told it is distinct: the rules
    # tell it, and the positions are the same as when it checks.
    import pyarrow.compute as pc

    from indikator import coding

    enrolled = pd.Series([f"p{i:05d}" for i in range(6000)], dtype="str").astype("category")
    others = pd.Series([f"p{i:05d}" for i in range(3000, 12000)] + [None], dtype="str")
    values = others.astype("category")
    index = enrolled.cat.categories
    hashed, unique = [], pc.unique
    monkeypatch.setattr(pc, "unique", lambda keys: hashed.append(len(keys)) or unique(keys))
    told = coding.unlisted(values, index, distinct=True)
    at = coding.positions(values, index, distinct=True)
    assert hashed == []
    coding._LOOKUPS.clear()
    assert (coding.unlisted(values, index) == told).all() and hashed == [6000]
    coding._LOOKUPS.clear()
    assert (coding.positions(values, index) == at).all()
    # p03000..p05999 are enrolled (3 000 of them), p06000..p11999 are not (6 000), and the
    # missing person is no value at all
    assert told.sum() == 6000 and not told[-1] and at[-1] == -1
    assert (at[:3000] == np.arange(3000, 6000)).all() and (at[3000:] == -1).all()
