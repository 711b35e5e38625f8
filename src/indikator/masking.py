"""The one masking rule for personnummer in text. Free of heavy imports: every message, log
line and exception text goes through it, including on a repeated run answered without
loading pandas.

A personnummer is found in any written form: 12 or 10 digits, with or without a hyphen, any
other dash (en dash, minus sign …) or ``+``, with spaces of any kind around the separator
(NBSP, thin space …); also the forms Excel leaves of it: 9 or 11 digits, a ten-digit number
that lost its leading zeros (7–8 digits, recognised by a real date and check digit, so that
counts and dates are left alone) and scientific notation (``1,91212E+11``). The date part is
kept (it says which row is meant; also when written as a date, ``1980-01-01-0001``) and the last four digits become ``****``.
"""

from __future__ import annotations

import re

SPACES = "\\s\u00a0\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"  # ‐ ‑ ‒ – — ― − ﹘ ﹣ －
# a date follows a date in a range ("2016-12-01 – 2020-08-31"): four digits followed by a
# dash and a digit are a year, not the last four digits of a personnummer
_END = r"(?!\d|[-/]\d)"
_IN_TEXT = re.compile(rf"(?<!\d)(\d{{3,8}})[{SPACES}]*[-+{DASHES}]?[{SPACES}]*(\d{{4}}){_END}")
# the date part written as a date: 1980-01-01-0001, 80.01.01 - 0001
_DATED = re.compile(
    rf"(?<!\d)((?:\d\d)?\d\d[-./]\d\d[-./]\d\d)[{SPACES}]*[-+{DASHES}][{SPACES}]*\d{{4}}{_END}"
)
_SCIENTIFIC = re.compile(r"(?<![\d.,])(\d[.,])(\d+)([eE]\+?(?:9|1[01]))(?!\d)")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def lost_zeros(digits: str) -> bool:
    """Whether 7–9 digits are a ten-digit personnummer whose leading zeros were lost: padded
    back to ten digits they have a real date (day + 60 for samordningsnummer) and check digit."""
    ten = digits.zfill(10)
    month, day = int(ten[2:4]), int(ten[4:6])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91) and _luhn(ten)


def _hide(m: re.Match) -> str:
    head, tail = m.group(1), m.group(2)
    if len(head) + len(tail) < 9 and not lost_zeros(head + tail):
        return m.group(0)
    return f"{head}-****"


def mask(text: object) -> str:
    """Replace every personnummer in ``text`` by its date part and ``-****``."""
    s = _DATED.sub(lambda m: f"{m.group(1)}-****", str(text))
    s = _IN_TEXT.sub(_hide, s)
    return _SCIENTIFIC.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), s)
