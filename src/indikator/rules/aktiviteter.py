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
    person = en.person_codes(cand["person"])
    day = days(cand["datum"])
    given = cand["delprojekt"].cat.codes.to_numpy().astype("int64")
    has_dp = given >= 0
    same = en.covers(person, given, day)
    # without a delprojekt: in how many delprojekt does an enrolment cover the date
    n_cover = np.zeros(len(cand), dtype="int64")
    single = np.full(len(cand), -1, dtype="int64")
    rows = np.flatnonzero(~has_dp)
    for d in range(en.n_dp):
        hit = en.covers(person[rows], np.full(len(rows), d), day[rows])
        n_cover[rows] += hit
        single[rows[hit & (single[rows] < 0)]] = d
    outside_given = has_dp & ~same
    outside = ~has_dp & (n_cover == 0)
    ambiguous = ~has_dp & (n_cover > 1)
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
