"""Identity: personnummer, samordningsnummer and pseudonyms.

Every distinct id is checked once (a national export has ~250 000 distinct ids but millions
of rows), all at once: the plainly written ones (the bulk of a register) matched in Arrow,
the others one by one, then calendar and Luhn in numpy; no Python string per plain value. Tests
hold it against a literal one-value-at-a-time reading that uses python-stdnum's Luhn. The
century rule is ours because the contract fixes it to a reference date, not to today.

What spreadsheets do to personnummer is decided here, once, for every export:
- certain readings are normalised: any dash (en dash, minus sign …) is a hyphen, and spaces
  of any kind inside the number are dropped;
- a number can never become an id: float or scientific notation (``191212121212.0``,
  ``1,91212E+11``), a ten-digit personnummer that lost its leading zeros (``1012384``), or
  digits of a wrong count (9, 11) are row errors that say what happened;
- anything with letters in it is a pseudonym, kept exactly as written (case-sensitive).
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .coding import arrow_strings, distinct_codes, positions, used_codes
from .masking import DASHES, SPACES, lost_zeros

MAX_PSEUDONYM = 64

_DASH = str.maketrans(dict.fromkeys(DASHES, "-"))
_SPACE = re.compile(f"[{SPACES}]+")
_SHAPE = re.compile(r"([0-9]{8})[-+]?([0-9]{4})|([0-9]{6})([-+]?)([0-9]{4})")
_NUMBER = re.compile(r"[0-9]{7,}[.,][0-9]*|[0-9]([.,][0-9]+)?[eE]\+?([89]|1[0-2])")
_NO_LETTERS = re.compile(r"[0-9\-+.,/:]*")
_DIGIT = re.compile(r"[0-9]")

# Row-error codes (problems.py gives each its level and title) and their messages.
ERRORS = {
    "id_saknas": "deltagare_id saknas",
    "id_blanksteg": "deltagare_id innehåller blanksteg eller osynliga tecken",
    "id_for_langt": f"deltagare_id är längre än {MAX_PSEUDONYM} tecken",
    "id_tal": "personnumret ser ut att ha blivit ett tal i Excel; formatera kolumnen som text "
    "och exportera igen",
    "id_nollor": "personnumret har tappat inledande nollor (Excel har gjort om det till ett tal); "
    "formatera kolumnen som text och exportera igen",
    "id_form": "personnumret har fel antal siffror eller fel form "
    "(använd ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN)",
    "omojligt_datum_id": "personnumret har ett omöjligt datum",
    "fel_kontrollsiffra": "personnumret har fel kontrollsiffra",
}


def check_id(value: str, ref: dt.date) -> tuple[str | None, str | None, dt.date | None, str | None]:
    """Return (normalised id, kön, birth date, error message) for one raw id: the rule of
    ``check_unique_ids`` applied to a single value (for the row models and tests)."""
    row = check_unique_ids(np.array([value], dtype=object), ref).iloc[0]
    born = None if pd.isna(row["born"]) else row["born"].date()
    return row["person"], row["kon_pnr"], born, row["error"]


def luhn_valid(digits: np.ndarray) -> np.ndarray:
    """Luhn check of rows of ten digits (YYMMDDNNNC), vectorised: every other digit from the
    left is doubled. The same rule as python-stdnum's ``luhn.is_valid`` (tested)."""
    d = digits.astype("int64")
    doubled = d[:, 0::2] * 2
    total = (doubled - 9 * (doubled > 9)).sum(axis=1) + d[:, 1::2].sum(axis=1)
    return total % 10 == 0


def _valid_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Which (year, month, day) exist in the calendar of ``datetime.date`` (years 1–9999)."""
    ok = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1)
    first = ((np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1).astype(
        "datetime64[M]"
    )
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    return ok & (day <= length)


def _born(year, month, day) -> tuple[np.ndarray, np.ndarray]:
    """Birth date (NaT where impossible) and validity; day + 60 is a samordningsnummer."""
    day = np.where(day > 60, day - 60, day)
    ok = _valid_dates(year, month, day)
    y, m, d = np.where(ok, year, 1970), np.where(ok, month, 1), np.where(ok, day, 1)
    dates = ((y - 1970) * 12 + m - 1).astype("datetime64[M]").astype("datetime64[D]") + (d - 1)
    return np.where(ok, dates, np.datetime64("NaT")), ok


def classify(value: str) -> tuple[str, tuple]:
    """One raw id: ("pnr", (century or -1, ten digits, plus)), ("pseudonym", (the id,)) or
    (error code, ()). A pseudonym is kept as written, but for its dashes: an en dash typed
    for a hyphen is the same person."""
    v = value.strip()
    if not v:
        return "id_saknas", ()
    compact = _SPACE.sub("", v.translate(_DASH))
    m = _SHAPE.fullmatch(compact)
    if m is not None:
        if m.group(1):
            return "pnr", (int(m.group(1)[:2]), m.group(1)[2:] + m.group(2), False)
        return "pnr", (-1, m.group(3) + m.group(5), m.group(4) == "+")
    if _NUMBER.fullmatch(compact):
        return "id_tal", ()
    if _NO_LETTERS.fullmatch(compact) and 7 <= len(_DIGIT.findall(compact)) <= 12:
        if compact.isdigit() and len(compact) <= 9 and lost_zeros(compact):
            return "id_nollor", ()
        return "id_form", ()
    if _SPACE.search(v) or not v.isprintable():
        return "id_blanksteg", ()
    if len(v) > MAX_PSEUDONYM:
        return "id_for_langt", ()
    return "pseudonym", (v.translate(_DASH),)


# What ``classify`` makes of a value follows from a pattern alone for the bulk of a register,
# so those values are read in Arrow at once and only the others go through ``classify`` one by
# one. A personnummer written plainly (ASCII digits, at most a - or +, nothing around it):
_PLAIN = r"^(?:[0-9]{8}[-+]?[0-9]{4}|[0-9]{6}[-+]?[0-9]{4})$"
# A pseudonym written plainly (ASCII letters, digits, - and _, at least one letter, not too
# long): no dash to translate, no space, nothing unprintable, and the only number that has
# such a form is Excel's scientific one (``1E11``), which ``_NUMBER`` catches.
_PLAIN_PSEUDONYM = f"^[A-Za-z0-9_-]{{1,{MAX_PSEUDONYM}}}$"
_LETTER = "[A-Za-z]"


def _arrow(values) -> pa.StringArray:
    """The distinct values as one Arrow string array: Arrow arrays and Arrow-backed pandas
    values as they are (no Python string per value), anything else through ``str``."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return pc.fill_null(values.cast(pa.string()), "")
    if isinstance(values, (pd.Index, pd.Series)) and arrow_strings(values):
        return pc.fill_null(pa.array(values.array).cast(pa.string()), "")
    return pa.array([str(v) for v in values], pa.string())


def _fixed_digits(strings: pa.StringArray, width: int) -> np.ndarray:
    """Rows of ``width`` ASCII digits (an Arrow string array whose every value has exactly
    that many) as an int64 matrix, read straight from the array's data buffer."""
    n = len(strings)
    _, offsets, data = strings.buffers()
    at = np.frombuffer(offsets, dtype=np.int32, count=n + 1, offset=4 * strings.offset)
    chars = np.frombuffer(data, dtype=np.uint8)[at[0] : at[-1]] if n else np.empty(0, np.uint8)
    return chars.astype("int64").reshape(n, width) - 48


def _plain_pnr(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(positions, century or -1, ten digits as a matrix, plus) of the plainly written
    personnummer in ``arr``, exactly as ``classify`` gives them (tested against it): twelve
    digits are a twelve-digit form, and a + only ever stands in a ten-digit one."""
    at = np.flatnonzero(_matches(arr, _PLAIN))
    found = arr.take(pa.array(at, pa.int64()))
    plus = pc.match_substring(found, "+").to_numpy(zero_copy_only=False)
    bare = pc.replace_substring_regex(found, "[-+]", "")
    twelve = pc.equal(pc.binary_length(bare), 12).to_numpy(zero_copy_only=False)
    digits = _fixed_digits(pc.utf8_lpad(bare, 12, "0"), 12)
    century = np.where(twelve, digits[:, 0] * 10 + digits[:, 1], -1)
    return at, century, digits[:, 2:], plus & ~twelve


def _plain_pseudonyms(arr: pa.StringArray, among: np.ndarray) -> np.ndarray:
    """Positions (of ``among``) of the plainly written pseudonyms in ``arr``, which
    ``classify`` keeps as written."""
    some = arr.take(pa.array(among, pa.int64()))
    plain = _matches(some, _PLAIN_PSEUDONYM) & _matches(some, _LETTER)
    return among[plain & ~_matches(some, f"^(?:{_NUMBER.pattern})$")]


def _matches(arr: pa.StringArray, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)


def check_unique_ids(uniques, ref: dt.date) -> pd.DataFrame:
    """``check_id`` for many distinct values at once (columns person, kon_pnr, born, code,
    error): plainly written values in Arrow, the others classified one by one, then calendar
    and Luhn in numpy. ``uniques``: an Arrow string array, Arrow-backed pandas values or any
    values (``str`` of each)."""
    arr = _arrow(uniques)
    n = len(arr)
    person = np.full(n, None, dtype=object)
    kon = np.full(n, None, dtype=object)
    born = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    code = np.full(n, None, dtype=object)
    idx, century, ten, plus = _plain_pnr(arr)
    done = np.zeros(n, dtype=bool)
    done[idx] = True
    named = _plain_pseudonyms(arr, np.flatnonzero(~done))
    person[named] = arr.take(pa.array(named, pa.int64())).to_numpy(zero_copy_only=False)
    done[named] = True
    rest = np.flatnonzero(~done)
    more: list[tuple[int, tuple]] = []
    for i, v in zip(rest.tolist(), arr.take(pa.array(rest, pa.int64())).to_pylist(), strict=True):
        kind, parts = classify(v)
        if kind == "pnr":
            more.append((i, parts))
        elif kind == "pseudonym":
            person[i] = parts[0]
        else:
            code[i] = kind
    if more:
        idx = np.concatenate([idx, [i for i, _ in more]]).astype(np.int64)
        century = np.concatenate([century, [p[0] for _, p in more]])
        ten = np.vstack([ten, _fixed_digits(pa.array([p[1] for _, p in more], pa.string()), 10)])
        plus = np.concatenate([plus, [p[2] for _, p in more]]).astype(bool)
    if len(idx):
        twelve = century >= 0
        yy = ten[:, 0] * 10 + ten[:, 1]
        month = ten[:, 2] * 10 + ten[:, 3]
        day = ten[:, 4] * 10 + ten[:, 5]
        year = np.where(twelve, century * 100 + yy, (ref.year // 100) * 100 + yy)
        first, ok = _born(year, month, day)
        future = ~twelve & ok & (first > np.datetime64(ref))
        year = year - 100 * future - 100 * plus
        when, ok = _born(year, month, day)
        check = luhn_valid(ten)
        good = ok & check
        code[idx] = np.where(~ok, "omojligt_datum_id", np.where(check, None, "fel_kontrollsiffra"))
        person[idx[good]] = _normal(year[good], ten[good])
        kon[idx[good]] = np.where(ten[good, 8] % 2 == 1, "M", "K").astype(object)
        born[idx[good]] = when[good]
    return _result(person, kon, born, code)


def _normal(year: np.ndarray, ten: np.ndarray) -> np.ndarray:
    """``YYYYMMDDNNNN`` for valid ids (1 <= year <= 9999) as Python strings, built as bytes."""
    chars = np.empty((len(year), 12), dtype=np.uint8)
    for k, power in enumerate((1000, 100, 10, 1)):
        chars[:, k] = year // power % 10
    chars[:, 4:] = ten[:, 2:]
    chars += 48
    return chars.view("S12").ravel().astype("U12").astype(object)


def short_form(value: str) -> bool:
    """Whether a raw id is a ten-digit personnummer (its century comes from the reference)."""
    kind, parts = classify(value)
    return kind == "pnr" and parts[0] < 0


class IdChecker:
    """``check_unique_ids`` with a memory: the same ids recur in every export of a dataset,
    so each distinct value is checked once per dataset, not once per file. Two exports may be
    checked at once (the largest in a second thread): one asks it at a time."""

    def __init__(self, ref: dt.date):
        self.ref = ref
        self.seen = pd.Index([], dtype="str")  # every value checked so far, in table order
        self.table = _result([], [], [], [])
        # per value seen: its person's number (-1: none) into ``people``, each person once
        self.numbers = np.empty(0, dtype=np.int32)
        self.people = pd.Index([], dtype="str")  # Arrow strings: an export's are a take
        self.lock = threading.Lock()

    def __call__(self, values: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
        """(row -> distinct value code, -1 where missing; the verdicts of the distinct values).
        The distinct values stay Arrow strings and are looked up in Arrow (``positions``):
        only the values not seen before become Python strings, to be checked. The verdicts
        are the values' own, whichever export was checked first."""
        codes, table, _, _ = self.checked(values)
        return codes, table

    def checked(self, values: pd.Series) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, pd.Index]:
        """``__call__``, and each distinct value's person as a number (-1: none) into the
        persons (the last): one person however written and in whichever export, numbered
        once per dataset instead of hashed as strings once per export."""
        codes, uniques = used_codes(*distinct_codes(values))
        with self.lock:
            rows = self._rows(uniques)
            table = self.table.iloc[rows].reset_index(drop=True)
            return codes, table, self.numbers[rows], self.people

    def _rows(self, uniques) -> np.ndarray:
        """Each distinct value's row in ``table``, the new ones checked and appended."""
        u = _strings(uniques)  # distinct already
        # ``seen`` is distinct by construction: only values not found are appended
        rows = (
            positions(u, self.seen, distinct=True)
            if len(self.seen)
            else np.full(len(u), -1, np.int64)
        )
        new = rows < 0
        if new.any():
            fresh = check_unique_ids(u[new], self.ref)
            rows[new] = len(self.seen) + np.arange(int(new.sum()))  # appended in this order
            self.seen = self.seen.append(u[new])
            self.table = pd.concat([self.table, fresh], ignore_index=True)
            self._numbered(fresh["person"].to_numpy(dtype=object))
        return rows

    def _numbered(self, persons: np.ndarray) -> None:
        """Numbers for newly seen values' persons: a person seen before keeps its number."""
        first, distinct = pd.factorize(persons)  # a value without a person (None): -1
        number = np.full(len(distinct), -1, dtype=np.int32)
        if len(self.people):  # a new way of writing an id already seen (rare after the first)
            number[:] = self.people.get_indexer(distinct)
        new = number < 0
        number[new] = len(self.people) + np.arange(int(new.sum()), dtype=np.int32)
        # made Arrow strings once here, not once per export (0.06 s for 273 000 persons)
        self.people = self.people.append(pd.Index(distinct[new], dtype="str"))
        self.numbers = np.concatenate([self.numbers, np.append(number, -1)[first]])


def _strings(uniques) -> pd.Index:
    """The distinct values as an Index of Arrow strings: a categorical's categories (the
    reader's columns) are already, with no Python string per value."""
    u = pd.Index(uniques)
    return u if arrow_strings(u) else u.astype("str")


def _result(person, kon, born, code) -> pd.DataFrame:
    obj = {"dtype": object}
    code = pd.Series(code, **obj)
    return pd.DataFrame(
        {
            "person": pd.Series(person, **obj),
            "kon_pnr": pd.Series(kon, **obj),
            "born": pd.Series(born, dtype="datetime64[s]"),
            "code": code,
            "error": pd.Series(_messages(code), **obj),
        }
    )


def _messages(code: np.ndarray) -> np.ndarray:
    """Each error code's message (None where there is no error): only the errors are looked
    at, a few among a register's ids."""
    out = np.full(len(code), None, dtype=object)
    at = np.flatnonzero(pd.notna(code))
    out[at] = [ERRORS[c] for c in code[at]]
    return out
