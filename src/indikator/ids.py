"""Identity: personnummer, samordningsnummer and pseudonyms (masking them in text is
``masking.mask``).

Every distinct id is checked once (a national export has ~250 000 distinct ids but millions
of rows), all at once: one regular expression per value, calendar and Luhn in numpy. Tests
hold it against a literal one-value-at-a-time reading that uses python-stdnum's Luhn. The
century rule is ours because the contract fixes it to the file's reference date, not today.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

_SPACES = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")

MAX_PSEUDONYM = 64


def check_id(value: str, ref: dt.date) -> tuple[str | None, str | None, dt.date | None, str | None]:
    """Return (normalised id, kön, birth date, error) for one raw id: the rule of
    ``check_unique_ids`` applied to a single value (for the row models and tests).

    A personnummer-shaped value normalises to ``YYYYMMDDNNNN``; anything else of 1–64
    characters is a pseudonym kept as is (case-sensitive).
    """
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


# 12 digits (YYYYMMDD[-+]NNNN) or 10 digits (YYMMDD[-+]NNNN), ASCII only; spaces inside are
# tolerated (removed first).
_SHAPE = re.compile(r"([0-9]{8})[-+]?([0-9]{4})|([0-9]{6})([-+]?)([0-9]{4})", re.ASCII)


def check_unique_ids(uniques: np.ndarray, ref: dt.date) -> pd.DataFrame:
    """``check_id`` for many distinct values at once (columns person, kon_pnr, born, error):
    one regular-expression match per distinct value, then calendar and Luhn in numpy."""
    raw = [str(v).strip() for v in uniques]
    n = len(raw)
    person = np.array(raw, dtype=object)
    kon = np.full(n, None, dtype=object)
    born = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    error = np.full(n, None, dtype=object)
    idx, century, digits, plus = [], [], [], []
    for i, v in enumerate(raw):
        m = _SHAPE.fullmatch(_SPACES.sub("", v))
        if m is None:
            if not v:
                person[i], error[i] = None, "deltagare_id saknas"
            elif any(ch.isspace() or not ch.isprintable() for ch in v):
                person[i], error[i] = (
                    None,
                    "deltagare_id innehåller blanksteg eller osynliga tecken",
                )
            elif len(v) > MAX_PSEUDONYM:
                person[i], error[i] = None, f"deltagare_id är längre än {MAX_PSEUDONYM} tecken"
            continue
        idx.append(i)
        if m.group(1):
            century.append(int(m.group(1)[:2]))
            digits.append(m.group(1)[2:] + m.group(2))
            plus.append(False)
        else:
            century.append(-1)
            digits.append(m.group(3) + m.group(5))
            plus.append(m.group(4) == "+")
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
        err = np.where(
            ~ok,
            "personnumret har ett omöjligt datum",
            np.where(check, None, "personnumret har fel kontrollsiffra"),
        ).astype(object)
        good = pd.isna(err)
        normal = [f"{y:04d}{d[2:]}" for y, d in zip(year.tolist(), digits, strict=True)]
        person[idx] = np.where(good, np.array(normal, dtype=object), None)
        kon[idx] = np.where(good, np.where(ten[:, 8] % 2 == 1, "M", "K"), None)
        born[idx] = np.where(good, when, np.datetime64("NaT"))
        error[idx] = err
    return _result(person, kon, born, error)


class IdChecker:
    """``check_unique_ids`` with a memory: the same ids recur in every export of a dataset,
    so each distinct value is checked once per dataset, not once per file."""

    def __init__(self, ref: dt.date):
        self.ref = ref
        self.seen: dict[str, int] = {}
        self.table = _result([], [], [], [])

    def __call__(self, values: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
        """(row -> distinct value code, -1 where missing; the verdicts of the distinct values)."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        u = np.asarray(uniques, dtype=object)
        new = [v for v in u.tolist() if v not in self.seen]  # u is distinct already
        if new:
            base = len(self.table)
            self.seen.update({v: base + i for i, v in enumerate(new)})
            fresh = check_unique_ids(np.array(new, dtype=object), self.ref)
            self.table = pd.concat([self.table, fresh], ignore_index=True)
        rows = np.fromiter((self.seen[v] for v in u.tolist()), dtype="int64", count=len(u))
        return codes, self.table.iloc[rows].reset_index(drop=True)


def _result(person, kon, born, error) -> pd.DataFrame:
    obj = {"dtype": object}
    return pd.DataFrame(
        {
            "person": pd.Series(person, **obj),
            "kon_pnr": pd.Series(kon, **obj),
            "born": pd.Series(born, dtype="datetime64[s]"),
            "error": pd.Series(error, **obj),
        }
    )
