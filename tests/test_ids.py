import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import check_id_literal
from stdnum import luhn

from indikator.ids import IdChecker, check_id, check_unique_ids, luhn_valid
from indikator.masking import mask

REF = dt.date(2017, 6, 1)


@pytest.mark.parametrize(
    "raw, person, kon, born",
    [
        ("19800101-0001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("198001010001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("800101-0001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("8001010001", "198001010001", "K", dt.date(1980, 1, 1)),
        (" 19800101 0001 ", "198001010001", "K", dt.date(1980, 1, 1)),  # spaces tolerated
        ("800101+0001", "188001010001", "K", dt.date(1880, 1, 1)),  # + adds 100 years
        # ... in a ten-digit number only: with the century written out, + is a hyphen
        ("19800101+0001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("19800202-0017", "198002020017", "M", dt.date(1980, 2, 2)),
        ("800161-0008", "198001610008", "K", dt.date(1980, 1, 1)),  # samordningsnummer
        ("121212-1212", "201212121212", "M", dt.date(2012, 12, 12)),  # century: 0–99 years old
        ("ANON-1", "ANON-1", None, None),
        ("anon-1", "anon-1", None, None),  # pseudonyms are case-sensitive
    ],
)
def test_valid(raw, person, kon, born):
    assert check_id(raw, REF) == (person, kon, born, None)


def test_century_depends_on_reference_date():
    # Born 2012-12-12 is in the future on 2010-01-01: then the person was born in 1912.
    assert check_id("121212-1212", dt.date(2010, 1, 1))[0] == "191212121212"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("19800101-0002", "personnumret har fel kontrollsiffra"),
        ("19801301-0002", "personnumret har ett omöjligt datum"),
        ("19800230-0002", "personnumret har ett omöjligt datum"),
        ("x" * 65, "deltagare_id är längre än 64 tecken"),
        ("AB\u200bC", "deltagare_id innehåller blanksteg eller osynliga tecken"),
        ("   ", "deltagare_id saknas"),
    ],
)
def test_invalid(raw, message):
    assert check_id(raw, REF)[3] == message


def test_mask_in_text():
    text = "rad 3: 19800101-0002, 800101-0002 och 198001010002 samt 800101+0002"
    assert mask(text) == "rad 3: 19800101-****, 800101-**** och 19800101-**** samt 800101-****"
    assert mask("R1-0000001 och 2017-05-01") == "R1-0000001 och 2017-05-01"  # not personnummer


# The vectorised check of many distinct ids must give check_id's verdict for every value.
_PNR_LIKE = st.builds(
    lambda a, s, b: a[:8] + s + b,
    st.text("0123456789", min_size=6, max_size=8),
    st.sampled_from(["", "-", "+", " ", " - ", "\u00a0"]),
    st.text("0123456789", min_size=4, max_size=4),
)
_KNOWN = [
    "19800101-0001",
    "19800101+0001",
    "800101+0001",
    "800161-0008",
    "121212-1212",
    "000229-0000",
    "ANON-1",
]
# what spreadsheets make of them: numbers, lost leading zeros, other dashes, odd spaces
_DAMAGED = st.one_of(
    st.builds(
        lambda d, z: d + z,
        st.text("0123456789", min_size=7, max_size=12),
        st.sampled_from([".0", ",0", ".", ",00"]),
    ),
    st.builds(
        lambda a, b, e: f"{a}{b}E+{e}",
        st.text("123456789", min_size=1, max_size=1),
        st.sampled_from(["", ",9", ".95601", ",80010"]),
        st.sampled_from(["8", "9", "10", "11", "12", "5"]),
    ),
    st.text("0123456789", min_size=7, max_size=9),
    st.sampled_from(["1012384", "6151237", "0001012384", "000101-2384", "19800101--0001"]),
    st.builds(
        lambda a, s, b: a + s + b,
        st.text("0123456789", min_size=6, max_size=8),
        st.sampled_from(["\u2013", "\u2212", " \u2014 ", "\u2009", "\u200b", "\u00a0-"]),
        st.text("0123456789", min_size=4, max_size=4),
    ),
    st.sampled_from(["ANON\u20131", "AN ON", "P\u200b1", "1980-01-01-0001", "12-3"]),
)
# valid numbers (Luhn digit computed) in every written form: random digits seldom make one,
# and only a valid number shows a wrong century or sign in its normalised form
_VALID = st.builds(
    lambda born, serial, coordination, twelve, sep: (
        lambda ten: (f"{born:%Y}"[:2] if twelve else "") + ten[:6] + sep + ten[6:]
    )(
        (stem := f"{born:%y%m}{born.day + 60 * coordination:02d}{serial:03d}")
        + luhn.calc_check_digit(stem)
    ),
    st.dates(dt.date(1890, 1, 1), dt.date(2030, 12, 31)),
    st.integers(0, 999),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "-", "+"]),
)
# pseudonyms as registers write them (read in Arrow at once when plain), and what only looks
# like one: Excel's scientific numbers have a letter too, and a pseudonym has a longest length
_PSEUDONYM_LIKE = st.one_of(
    st.from_regex(r"[A-Za-z0-9_\-]{1,70}", fullmatch=True),
    st.builds(
        lambda a, e, x: f"{a}{e}{x}",
        st.text("0123456789", min_size=1, max_size=2),
        st.sampled_from(["e", "E", "E+", "e-"]),
        st.sampled_from(["8", "9", "10", "11", "12", "13", "5", "9x"]),
    ),
    st.sampled_from(["1E11", "5e9", "A" * 64, "A" * 65, "ab_c", "_-_", "ANON-1-000001", "x"]),
)


@given(
    st.lists(
        st.one_of(
            _PNR_LIKE,
            st.text("0123456789", min_size=6, max_size=12),
            st.text(max_size=70),
            st.sampled_from(_KNOWN),
            _DAMAGED,
            _PSEUDONYM_LIKE,
            _VALID,
        ),
        max_size=30,
    ),
    st.dates(dt.date(1950, 1, 1), dt.date(2090, 1, 1)),
)
def test_vectorised_check_agrees_with_the_literal_reading(values, ref):
    """check_unique_ids (Arrow and numpy, many values) against tests/reference.py (one value
    at a time, datetime and python-stdnum); check_id is check_unique_ids on one value; Python
    strings and an Arrow array give the same table."""
    table = check_unique_ids(np.array(values, dtype=object), ref)
    pd.testing.assert_frame_equal(check_unique_ids(pa.array(values, pa.string()), ref), table)
    for value, row in zip(values, table.itertuples(), strict=True):
        born = None if pd.isna(row.born) else pd.Timestamp(row.born).date()
        expected = check_id_literal(value, ref)
        assert (row.person, row.kon_pnr, born, row.error) == expected, value
        assert check_id(value, ref) == expected, value


@given(st.lists(st.text("0123456789", min_size=10, max_size=10), min_size=1, max_size=50))
def test_numpy_luhn_is_stdnums(numbers):
    digits = np.array([[int(c) for c in n] for n in numbers])
    assert luhn_valid(digits).tolist() == [luhn.is_valid(n) for n in numbers]


def test_checker_remembers_across_files_and_keeps_codes_aligned():
    check = IdChecker(REF)
    codes, table = check(pd.Series(["19800101-0001", None, "ANON-1", "19800101-0001"]))
    assert codes.tolist() == [0, -1, 1, 0]
    assert table["person"].tolist() == ["198001010001", "ANON-1"]
    codes, table = check(pd.Series(["x y", "ANON-1", "800101-0001"]))
    assert table["person"].tolist() == [None, "ANON-1", "198001010001"]
    assert table["error"].tolist()[0] == "deltagare_id innehåller blanksteg eller osynliga tecken"
    assert len(check.seen) == 4  # each distinct written form checked once, across calls


_SOME_IDS = st.sampled_from(
    ["19800101-0001", "800101-0001", " 19800101-0001", "ANON-1", "x y", "", "19800101-0002"]
)


@given(
    st.lists(st.lists(st.one_of(_SOME_IDS, st.none()), max_size=12), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_checker_across_files_is_each_file_checked_afresh(files, categorical):
    """The checker remembers what it has checked (looked up in Arrow, only new values
    checked): each file's codes and verdicts are those of checking its distinct values
    afresh, whatever came before and whether the column is categorical or plain. A plain
    column's distinct values are ``pd.factorize``'s; a categorical's are its categories
    (each row's code is its used category's: no hash pass over the rows)."""
    check = IdChecker(REF)
    for values, as_category in zip(files, categorical, strict=False):
        column = pd.Series(values, dtype="category" if as_category else "str")
        codes, table = check(column)
        if as_category:
            expected_codes, uniques = column.cat.codes, column.cat.categories
            uniques = uniques if (expected_codes >= 0).any() else []
        else:
            expected_codes, uniques = pd.factorize(column, use_na_sentinel=True)
        expected = check_unique_ids(np.asarray(uniques, dtype=object), REF)
        assert codes.tolist() == expected_codes.tolist()
        pd.testing.assert_frame_equal(table, expected)
        # every row's verdict is that of its own value, checked alone
        for value, code in zip(values, codes, strict=True):
            if value is None:
                assert code == -1
            else:
                alone = check_unique_ids(np.array([value], dtype=object), REF)
                pd.testing.assert_frame_equal(
                    table.iloc[[code]].reset_index(drop=True), alone, check_dtype=False
                )
    assert len(check.seen) == len({v for f in files for v in f if v is not None})


def test_checker_takes_a_categoricals_distinct_ids_from_its_categories(monkeypatch):
    # pd.factorize of a categorical column (the reader's id columns) gives a CategoricalIndex:
    # its distinct ids are an Arrow take of the categories, never converted value by value
    # (astype of 250 000 categories took 0.3 s of a national run)
    def refuse(self, *args, **kwargs):
        raise AssertionError("CategoricalIndex.astype called")

    monkeypatch.setattr(pd.CategoricalIndex, "astype", refuse)
    column = pd.Series(
        ["19800101-0001", "ANON-1", None, "19800101-0001"],
        dtype=pd.CategoricalDtype(pd.Index(["ANON-1", "19800101-0001", "unused"], dtype="str")),
    )
    codes, table = IdChecker(REF)(column)
    # the categories' codes, no hash pass over the rows; a category no row uses is left out
    # (a reader's id column holds its header cell): it would become a person of no row
    assert codes.tolist() == [1, 0, -1, 1]
    assert table["person"].tolist() == ["ANON-1", "198001010001"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(_SOME_IDS, st.none()), max_size=12), min_size=1, max_size=4))
def test_each_person_has_one_number_across_files_and_codes_as_factorized(files):
    # The checker numbers each person once per dataset (however the id is written, in
    # whichever file); an export's person codes come from those numbers, and are what
    # factorizing its verdicts' persons as strings gives: the same persons in the same order
    # (the order can reach the cell-key sums).
    from indikator.schema import _id_columns

    check = IdChecker(REF)
    number_of: dict[str, int] = {}
    for values in files:
        column = pd.Series(values, dtype="str")
        codes, table, numbers, people = check.checked(column)
        persons = table["person"].to_numpy(dtype=object)
        for person, number in zip(persons, numbers, strict=True):
            if person is None:
                assert number == -1
            else:
                assert people[number] == person
                assert number_of.setdefault(person, number) == number
        columns, *_ = _id_columns(column, check, column.index, {"person"})
        got = columns["person"]
        # the persons are Arrow strings made once per dataset: an export's categories are a
        # take of them, never 273 000 Python strings converted again per export
        assert people.dtype == "str" and got.cat.categories.dtype == "str"
        order, expected = pd.factorize(persons)
        assert list(got.cat.categories) == list(expected)
        want = np.append(order, -1)[codes]
        assert got.cat.codes.tolist() == want.tolist()


def test_the_checkers_list_of_seen_ids_is_not_hashed_again_for_repeats(monkeypatch):
    # Every id the checker has seen is listed once (only ids not found are added), so a
    # lookup in that list skips the check for repeats: one hash pass of 273 000 ids less per
    # export, nationally. The verdicts are those of a checker that never saw the first file.
    import pyarrow.compute as pc

    check = IdChecker(REF)
    check(pd.Series(["19800101-0001", "ANON-1"], dtype="str"))

    def refuse(*args, **kwargs):
        raise AssertionError("the seen ids hashed for repeats")

    second = pd.Series(["ANON-1", "800101-0001", "ANON-2"], dtype="str")
    fresh_codes, fresh = IdChecker(REF)(second)
    monkeypatch.setattr(pc, "unique", refuse)
    codes, table = check(second)
    assert codes.tolist() == fresh_codes.tolist()
    pd.testing.assert_frame_equal(table, fresh)
