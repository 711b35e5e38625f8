"""The rules of aktiviteter: each activity lies inside an enrolment of its person (in its
delprojekt when given; otherwise the one covering enrolment gives the delprojekt)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import category_codes, days
from .common import Rows, consequences, require_person, taken
from .enrolments import Enrolments


def check(rows: Rows) -> pd.DataFrame:
    df, dl, rejected, file, problems = (
        rows.df,
        rows.deltagare,
        rows.rejected,
        rows.file,
        rows.problems,
    )
    ok = require_person(df, ~rows.bad, dl, rejected, file, problems)
    # Every row is looked up and the rows no longer in question are masked out (``ok``): no
    # copy of the arrays or of the table for a few rejected rows; the table is copied once,
    # at the end, and only when some row is rejected (``taken``).
    en = Enrolments(dl)
    # ten million rows: the narrowest integers that hold the codes, no int64 copies
    person = en.person_codes(df["person"], np.int32)
    day = days(df["datum"], np.int32)
    given = category_codes(df["delprojekt"])
    has_dp = given >= 0
    same = en.covers(person, given, day)
    # without a delprojekt: in how many delprojekt does an enrolment cover the date
    rows = np.flatnonzero(~has_dp)
    n_cover, first = en.covering(person[rows], day[rows])
    single = np.full(len(df), -1, dtype=np.int16)
    single[rows] = first
    outside, ambiguous = np.zeros(len(df), dtype=bool), np.zeros(len(df), dtype=bool)
    outside[rows], ambiguous[rows] = n_cover == 0, n_cover > 1
    outside &= ok
    ambiguous &= ok
    outside_given = ok & has_dp & ~same
    for mask, code, column, msg in (
        (
            outside_given,
            "utanfor_delprojekt",
            "delprojekt",
            "aktiviteten ligger utanför deltagarens inskrivningar i delprojektet",
        ),
        (
            outside,
            "utanfor_inskrivningar",
            "datum",
            "aktiviteten ligger utanför alla deltagarens inskrivningar",
        ),
    ):
        at = np.flatnonzero(mask)
        if len(at):
            found = rejected.covering(df["person"].iloc[at], given[at], day[at])
            caused = consequences(df, at, column, file, problems, found)
            rest = at[~caused]
            vals = df[column].iloc[rest].astype(str).to_numpy()  # the rows reported only
            problems.add(code, file, df["_line"].to_numpy()[rest], column, vals, msg)
    if ambiguous.any():
        problems.add(
            "flera_inskrivningar",
            file,
            df["_line"].to_numpy()[ambiguous],
            "delprojekt",
            "",
            "flera inskrivningar täcker datumet; ange delprojekt",
        )
    keep = ok & ~(outside_given | outside | ambiguous)
    filled = np.where(has_dp, given, single)[keep]
    categories = df["delprojekt"].cat.categories
    # the lookups' arrays (190 MB for ten million rows) freed before the accepted rows are
    # copied: the copies are where a load with rejected rows has its peak
    del person, day, given, has_dp, same, rows, n_cover, first, single, ok
    del outside, ambiguous, outside_given
    out = taken(df, keep)  # ``df`` is given up for it
    out["delprojekt"] = pd.Categorical.from_codes(filled, categories)
    return out
