"""The rules of aktiviteter: each activity lies inside an enrolment of its person (in its
delprojekt when given; otherwise the one covering enrolment gives the delprojekt)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import Rows, consequences, days, kept, require_person
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
    cand = kept(df, ok)
    en = Enrolments(dl)
    # ten million rows: the narrowest integers that hold the codes, no int64 copies
    person = en.person_codes(cand["person"], np.int32)
    day = days(cand["datum"], np.int32)
    given = cand["delprojekt"].cat.codes.to_numpy()
    has_dp = given >= 0
    same = en.covers(person, given, day)
    # without a delprojekt: in how many delprojekt does an enrolment cover the date
    rows = np.flatnonzero(~has_dp)
    n_cover, first = en.covering(person[rows], day[rows])
    single = np.full(len(cand), -1, dtype=np.int16)
    single[rows] = first
    outside, ambiguous = np.zeros(len(cand), dtype=bool), np.zeros(len(cand), dtype=bool)
    outside[rows], ambiguous[rows] = n_cover == 0, n_cover > 1
    outside_given = has_dp & ~same
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
            found = rejected.covering(cand["person"].iloc[at], given[at], day[at])
            caused = consequences(cand, at, column, file, problems, found)
            rest = at[~caused]
            vals = cand[column].astype(str).to_numpy()[rest]
            problems.add(code, file, cand["_line"].to_numpy()[rest], column, vals, msg)
    if ambiguous.any():
        problems.add(
            "flera_inskrivningar",
            file,
            cand["_line"].to_numpy()[ambiguous],
            "delprojekt",
            "",
            "flera inskrivningar täcker datumet; ange delprojekt",
        )
    good = ~(outside_given | outside | ambiguous)
    out = kept(cand, good)
    filled = np.where(has_dp, given, single)[good]
    out["delprojekt"] = pd.Categorical.from_codes(filled, cand["delprojekt"].cat.categories)
    return out
