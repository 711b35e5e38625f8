"""The pydantic row models and the column-wise validator give the same verdict per row."""

import datetime as dt

import pandas as pd
from hypothesis import given, settings
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
