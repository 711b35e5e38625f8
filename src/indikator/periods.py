"""Periods and the month arithmetic every indicator shares.

All reporting periods are whole calendar months or aligned runs of them (quarter, tertial,
half-year, year). Each date maps to a *month index* ``year * 12 + month - 1``; a period of
kind K with length L months is then number ``m // L`` of its family, so one pass over the data
serves every period of a family (``bucket``), and the cumulative scope is a running sum over
month indices.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .errors import PeriodError

# kind -> (months per period, label pattern)
KINDS: dict[str, int] = {"month": 1, "quarter": 3, "tertial": 4, "half": 6, "year": 12}
_LETTER = {"quarter": "Q", "tertial": "T", "half": "H"}
_PATTERN = re.compile(r"^\s*(\d{4})(?:-(?:(\d{1,2})|([QqTtHh])(\d)))?\s*$")

SCOPES = ("period", "ackumulerat")


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_start(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def month_end(m: int) -> dt.date:
    y, mo = m // 12, m % 12 + 1
    return dt.date(y, mo, calendar.monthrange(y, mo)[1])


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: ``first``..``last`` are month indices (inclusive)."""

    first: int
    last: int
    kind: str
    label: str

    @property
    def start(self) -> dt.date:
        return month_start(self.first)

    @property
    def end(self) -> dt.date:
        return month_end(self.last)

    @property
    def length(self) -> int:
        return KINDS[self.kind]

    @property
    def number(self) -> int:
        """This period's number within its family (the ``bucket`` of its months)."""
        return self.first // self.length

    def previous(self) -> Period:
        return from_bucket(self.kind, self.number - 1)


def from_bucket(kind: str, number: int) -> Period:
    length = KINDS[kind]
    first = number * length
    year, within = divmod(first, 12)
    if kind == "month":
        label = f"{year}-{within + 1:02d}"
    elif kind == "year":
        label = f"{year}"
    else:
        label = f"{year}-{_LETTER[kind]}{within // length + 1}"
    return Period(first, first + length - 1, kind, label)


def parse_period(text: str) -> Period:
    """Parse ``2017-05``, ``2017-Q2``, ``2017-T1``, ``2017-H1`` or ``2017``."""
    m = _PATTERN.match(text or "")
    if not m:
        raise PeriodError(
            f"ogiltig period '{text}': använd t.ex. 2017-05, 2017-Q2, 2017-T1, 2017-H1 eller 2017"
        )
    year = int(m.group(1))
    if not 1900 <= year <= 2099:
        raise PeriodError(f"ogiltig period '{text}': året måste ligga mellan 1900 och 2099")
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"ogiltig period '{text}': månaden måste vara 01–12")
        return from_bucket("month", year * 12 + month - 1)
    if m.group(3):
        letter, n = m.group(3).upper(), int(m.group(4))
        kind = {v: k for k, v in _LETTER.items()}[letter]
        count = 12 // KINDS[kind]
        if not 1 <= n <= count:
            raise PeriodError(f"ogiltig period '{text}': {letter} går från 1 till {count}")
        return from_bucket(kind, year * count + n - 1)
    return from_bucket("year", year)


def check_period(
    period: Period, start: dt.date, end: dt.date, latest: dt.date | None
) -> str | None:
    """A period must touch the project or the data: one that ends before the project starts,
    or starts after both the project's end and the latest date in the data, is a usage error
    (exit 2) naming the project's dates. A period after the latest date in the data gets a
    warning (returned): its figures are probably incomplete."""
    span = f"projektet pågår {start.isoformat()} – {end.isoformat()}"
    if period.end < start:
        raise PeriodError(
            f"perioden {period.label} ligger före projektets start ({start.isoformat()}); {span}"
        )
    last = max(end, latest) if latest else end
    if period.start > last:
        data = f" och efter det senaste datumet i data ({latest.isoformat()})" if latest else ""
        raise PeriodError(
            f"perioden {period.label} ligger efter projektets slut ({end.isoformat()}){data}; "
            f"{span}"
        )
    if latest and period.start > latest:
        return (
            f"inga registreringar efter {latest.isoformat()}: siffrorna för {period.label} "
            "är troligen ofullständiga"
        )
    return None


def periods_between(first_month: int, last_month: int, kinds: tuple[str, ...]) -> list[Period]:
    """Every period of the given kinds that starts in [first_month, last_month], in order.

    A period is included as soon as it has begun ("so far"); its figures cover the months that
    have data.
    """
    out: list[Period] = []
    for kind in kinds:
        length = KINDS[kind]
        for n in range(first_month // length, last_month // length + 1):
            out.append(from_bucket(kind, n))
    return out


def last_complete_month(today: dt.date) -> int:
    return month_index(today) - 1
