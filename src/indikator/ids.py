"""Identity: personnummer, samordningsnummer and pseudonyms, and the masking rule.

Every distinct id is checked once (a national export has ~250 000 distinct ids but millions
of rows). The Luhn check is python-stdnum's; the century rule is ours because the contract
fixes it to the file's reference date, not today.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from stdnum import luhn

# 12 digits (YYYYMMDD[-+]NNNN) or 10 digits (YYMMDD[-+]NNNN); spaces inside are tolerated.
_PNR12 = re.compile(r"^(\d{8})[-+]?(\d{4})$")
_PNR10 = re.compile(r"^(\d{6})([-+]?)(\d{4})$")
_SPACES = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")
# Anything that looks like a personnummer inside free text (messages, values, logs).
_IN_TEXT = re.compile(r"(?<!\d)(\d{8}|\d{6})[ ]?[-+]?[ ]?\d{4}(?!\d)")

MAX_PSEUDONYM = 64


def mask(text: object) -> str:
    """Replace every personnummer-shaped run in ``text`` by its date part and ``-****``."""
    return _IN_TEXT.sub(lambda m: f"{m.group(1)}-****", str(text))


def looks_like_pnr(value: str) -> bool:
    compact = _SPACES.sub("", value)
    return bool(_PNR12.match(compact) or _PNR10.match(compact))


def _birth(year: int, month: int, day: int) -> tuple[dt.date | None, bool]:
    """Birth date and whether it is a samordningsnummer (day + 60)."""
    coordination = day > 60
    try:
        return dt.date(year, month, day - 60 if coordination else day), coordination
    except ValueError:
        return None, coordination


def check_id(value: str, ref: dt.date) -> tuple[str | None, str | None, dt.date | None, str | None]:
    """Return (normalised id, kön, birth date, error) for one distinct raw id.

    A personnummer-shaped value normalises to ``YYYYMMDDNNNN``; anything else of 1–64
    characters is a pseudonym kept as is (case-sensitive).
    """
    raw = value.strip()
    if not raw:
        return None, None, None, "deltagare_id saknas"
    compact = _SPACES.sub("", raw)
    m12, m10 = _PNR12.match(compact), _PNR10.match(compact)
    if m12:
        date_part, serial = m12.group(1), m12.group(2)
        year, month, day = int(date_part[:4]), int(date_part[4:6]), int(date_part[6:8])
        born, _ = _birth(year, month, day)
    elif m10:
        date_part, sign, serial = m10.group(1), m10.group(2), m10.group(3)
        yy, month, day = int(date_part[:2]), int(date_part[2:4]), int(date_part[4:6])
        year = (ref.year // 100) * 100 + yy
        born, _ = _birth(year, month, day)
        if born is not None and born > ref:
            year -= 100
        if sign == "+":
            year -= 100
        born, _ = _birth(year, month, day)
        date_part = f"{year:04d}{month:02d}{day:02d}"
    else:
        if any(ch.isspace() or not ch.isprintable() for ch in raw):
            return None, None, None, "deltagare_id innehåller blanksteg eller osynliga tecken"
        if len(raw) > MAX_PSEUDONYM:
            return None, None, None, f"deltagare_id är längre än {MAX_PSEUDONYM} tecken"
        return raw, None, None, None
    if born is None:
        return None, None, None, "personnumret har ett omöjligt datum"
    if not luhn.is_valid(date_part[2:] + serial):
        return None, None, None, "personnumret har fel kontrollsiffra"
    kon = "M" if int(serial[2]) % 2 else "K"
    return date_part + serial, kon, born, None


def check_ids(values: pd.Series, ref: dt.date) -> pd.DataFrame:
    """Vectorised over distinct values: columns person, kon_pnr, born, error (aligned to values)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [check_id(str(u), ref) for u in uniques]
    # one extra slot for missing values (code -1)
    results.append((None, None, None, "deltagare_id saknas"))
    table = pd.DataFrame(results, columns=["person", "kon_pnr", "born", "error"])
    idx = np.where(codes < 0, len(results) - 1, codes)
    out = table.iloc[idx].reset_index(drop=True)
    out.index = values.index
    return out
