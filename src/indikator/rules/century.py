"""The century of ten-digit personnummer (``YYMMDD-NNNN``): the one that makes the person
0–99 years old at a reference date. The reference is the latest start or end date in deltagare
that is not in the future, so that one typo (2091) or placeholder (2099-12-31) cannot re-date
everyone; dates in the future are warned about, and a row whose date alone decides someone's
century is named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..ids import check_unique_ids, short_form
from ..problems import Problems
from ..schema import Col, parse_column


@dataclass
class Reference:
    """The reference date of the century rule for ten-digit personnummer: the latest start or
    end date in deltagare that is not in the future (a typo like 2091 or a placeholder like
    2099-12-31 cannot move it). ``line``/``column``/``without`` tell the one row that alone
    set it, and the reference the other rows give."""

    date: dt.date
    line: int | None = None
    column: str | None = None
    without: dt.date | None = None


def reference_date(raw, books, today: dt.date, problems: Problems) -> Reference:
    """The reference date of the century rule, from the raw rows of deltagare."""
    dates, lines, columns = [], [], []
    for c in ("startdatum", "slutdatum"):
        if c not in raw.frame.columns:
            continue
        values = raw.frame[c]
        parsed = parse_column(values.mask(values == ""), Col("date"), books).values
        d = parsed.to_numpy(dtype="datetime64[s]")
        future = ~np.isnat(d) & (d > np.datetime64(today))
        if future.any():
            problems.add(
                "framtida_datum",
                raw.file,
                raw.frame["_line"].to_numpy()[future],
                c,
                values[future],
                f"datumet ligger i framtiden (efter {today.isoformat()}); kontrollera det",
            )
        ok = ~np.isnat(d) & ~future
        dates.append(d[ok])
        lines.append(raw.frame["_line"].to_numpy()[ok])
        columns += [c] * int(ok.sum())
    d = np.concatenate(dates) if dates else np.array([], dtype="datetime64[s]")
    if len(d) == 0:
        return Reference(today)
    top = d.max()
    holders = np.flatnonzero(d == top)
    ref = Reference(pd.Timestamp(top).date())
    if len(holders) == 1 and len(d) > 1:
        i = int(holders[0])
        ref.line, ref.column = int(np.concatenate(lines)[i]), columns[i]
        ref.without = pd.Timestamp(np.delete(d, i).max()).date()
    return ref


def warn_if_one_row_decides(raw, ref: Reference, problems: Problems) -> None:
    """Name the row whose date alone decides the century of some ten-digit personnummer."""
    if ref.line is None or "deltagare_id" not in raw.frame.columns:
        return
    ids = pd.unique(raw.frame["deltagare_id"].to_numpy(dtype=object))
    short = np.array([v for v in ids if v and short_form(v)], dtype=object)
    if len(short) == 0:
        return
    a = check_unique_ids(short, ref.date)["person"]
    b = check_unique_ids(short, ref.without)["person"]
    changed = int((a.notna() & (a != b)).sum())
    if changed:
        value = raw.frame.loc[raw.frame["_line"] == ref.line, ref.column].iat[0]
        problems.add(
            "referensdatum",
            raw.file,
            [ref.line],
            ref.column,
            value,
            f"det senaste datumet i deltagare avgör århundradet för {changed} "
            f"{'tiosiffrigt' if changed == 1 else 'tiosiffriga'} personnummer (utan raden "
            "skulle de räknas som födda 100 år tidigare eller senare); kontrollera datumet",
        )
