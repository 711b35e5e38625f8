"""Identity: personnummer, samordningsnummer and pseudonyms.

Every distinct id is checked once (a national export has ~250 000 distinct ids but millions
of rows), all at once: a few regular expressions per value, calendar and Luhn in numpy. Tests
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

import numpy as np
import pandas as pd

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


def _digits(strings: list[str], width: int) -> np.ndarray:
    joined = "".join(strings).encode("ascii")
    return (np.frombuffer(joined, dtype=np.uint8).astype("int64") - 48).reshape(-1, width)


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


# A personnummer written plainly (ASCII digits, at most a - or +, nothing around it): what
# ``classify`` makes of it follows from the groups alone, so the bulk of a register is read in
# Arrow at once and only the other values go through ``classify`` one by one.
_PLAIN = r"^(?:(?P<a>[0-9]{8})[-+]?(?P<b>[0-9]{4})|(?P<c>[0-9]{6})(?P<d>[-+]?)(?P<e>[0-9]{4}))$"


def _plain(raw: list[str]) -> tuple[list[int], list[int], list[str], list[bool]]:
    """(positions, century or -1, ten digits, plus) of the plainly written personnummer in
    ``raw``, exactly as ``classify`` gives them (tested against it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not raw:
        return [], [], [], []
    found = pc.extract_regex(pa.array(raw, pa.string()), _PLAIN)
    at = np.flatnonzero(found.is_valid().to_numpy(zero_copy_only=False))
    if len(at) == 0:
        return [], [], [], []
    found = found.take(pa.array(at))
    a, b, c, d, e = (found.field(k).to_pylist() for k in "abcde")
    century = [int(x[:2]) if x else -1 for x in a]
    digits = [x[2:] + y if x else z + w for x, y, z, w in zip(a, b, c, e, strict=True)]
    plus = [not x and sep == "+" for x, sep in zip(a, d, strict=True)]
    return at.tolist(), century, digits, plus


def check_unique_ids(uniques: np.ndarray, ref: dt.date) -> pd.DataFrame:
    """``check_id`` for many distinct values at once (columns person, kon_pnr, born, code,
    error): one classification per distinct value, then calendar and Luhn in numpy."""
    raw = [str(v) for v in uniques]
    n = len(raw)
    person = np.array([v.strip() for v in raw], dtype=object)
    kon = np.full(n, None, dtype=object)
    born = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    code = np.full(n, None, dtype=object)
    idx, century, digits, plus = _plain(raw)
    done = set(idx)
    for i, v in enumerate(raw):
        if i in done:
            continue
        kind, parts = classify(v)
        if kind == "pnr":
            idx.append(i)
            century.append(parts[0])
            digits.append(parts[1])
            plus.append(parts[2])
        elif kind == "pseudonym":
            person[i] = parts[0]
        else:
            person[i], code[i] = None, kind
    if idx:
        ten = _digits(digits, 10)
        twelve = np.array(century) >= 0
        yy = ten[:, 0] * 10 + ten[:, 1]
        month = ten[:, 2] * 10 + ten[:, 3]
        day = ten[:, 4] * 10 + ten[:, 5]
        year = np.where(twelve, np.array(century) * 100 + yy, (ref.year // 100) * 100 + yy)
        first, ok = _born(year, month, day)
        future = ~twelve & ok & (first > np.datetime64(ref))
        year = year - 100 * future - 100 * np.array(plus)
        when, ok = _born(year, month, day)
        check = luhn_valid(ten)
        err = np.where(~ok, "omojligt_datum_id", np.where(check, None, "fel_kontrollsiffra"))
        err = err.astype(object)
        good = pd.isna(err)
        normal = [f"{y:04d}{d[2:]}" for y, d in zip(year.tolist(), digits, strict=True)]
        person[idx] = np.where(good, np.array(normal, dtype=object), None)
        kon[idx] = np.where(good, np.where(ten[:, 8] % 2 == 1, "M", "K"), None)
        born[idx] = np.where(good, when, np.datetime64("NaT"))
        code[idx] = err
    return _result(person, kon, born, code)


def short_form(value: str) -> bool:
    """Whether a raw id is a ten-digit personnummer (its century comes from the reference)."""
    kind, parts = classify(value)
    return kind == "pnr" and parts[0] < 0


class IdChecker:
    """``check_unique_ids`` with a memory: the same ids recur in every export of a dataset,
    so each distinct value is checked once per dataset, not once per file."""

    def __init__(self, ref: dt.date):
        self.ref = ref
        self.seen = pd.Index([], dtype="str")  # every value checked so far, in table order
        self.table = _result([], [], [], [])

    def __call__(self, values: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
        """(row -> distinct value code, -1 where missing; the verdicts of the distinct values).
        The distinct values stay Arrow strings and are looked up in Arrow (``positions``):
        only the values not seen before become Python strings, to be checked."""
        from .coding import positions

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        u = _strings(uniques)  # distinct already
        rows = positions(u, self.seen) if len(self.seen) else np.full(len(u), -1, np.int64)
        new = rows < 0
        if new.any():
            fresh = check_unique_ids(u[new].to_numpy(dtype=object), self.ref)
            rows[new] = len(self.seen) + np.arange(int(new.sum()))  # appended in this order
            self.seen = self.seen.append(u[new])
            self.table = pd.concat([self.table, fresh], ignore_index=True)
        return codes, self.table.iloc[rows].reset_index(drop=True)


def _strings(uniques) -> pd.Index:
    """``pd.factorize``'s distinct values as an Index of Arrow strings: from a categorical's
    categories by an Arrow take (the reader's columns), no Python string per value."""
    from .coding import arrow_strings

    if isinstance(uniques, (pd.Categorical, pd.CategoricalIndex)):  # factorize gives the Index
        uniques = uniques.categories.take(uniques.codes)
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
            "error": pd.Series([ERRORS.get(c) for c in code], **obj),
        }
    )
