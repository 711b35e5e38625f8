"""The rules of deltagare: dates in order, avslutsorsak with slutdatum, no duplicate or
overlapping enrolment in one delprojekt; kön given or from the personnummer; a person in two
delprojekt at once is a warning."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import category_codes, days, lex_order
from .common import OPEN_END, Rows, reject


def check(rows: Rows) -> pd.DataFrame:
    df, file, problems = rows.df.copy(), rows.file, rows.problems
    df["start"] = df["startdatum"]
    df["slut"] = df["slutdatum"]
    ok = ~rows.bad
    has_end = df["slut"].notna().to_numpy()
    before = ok & has_end & (df["slut"] < df["start"]).to_numpy()
    reject(
        rows,
        "slut_fore_start",
        before,
        "slutdatum",
        lambda at: df["slutdatum"][at].astype(str),
        "slutdatum ligger före startdatum",
    )
    has_reason = df["avslutsorsak"].notna().to_numpy()
    no_end = ok & has_reason & ~has_end
    reject(
        rows,
        "avslutsorsak_utan_slut",
        no_end,
        "avslutsorsak",
        df["avslutsorsak"],
        "avslutsorsak är angiven men slutdatum saknas",
    )
    no_reason = ok & has_end & ~has_reason
    reject(
        rows,
        "slut_utan_avslutsorsak",
        no_reason,
        "avslutsorsak",
        None,
        "avslutsorsak saknas (slutdatum är angivet)",
    )
    ok &= ~(before | no_end | no_reason)

    # Duplicates and overlaps within (person, delprojekt), among rows still accepted: on
    # integer codes and day numbers (pandas' sorts and groupbys over 250 000 person
    # categories took 0.4 s of a national load, on the main thread while the others wait).
    # A row still accepted has all three: deltagare_id, delprojekt and startdatum are required.
    line = df["_line"].to_numpy()
    person, dp = category_codes(df["person"]), category_codes(df["delprojekt"])
    start, end = days(df["start"]), days(df["slut"].fillna(OPEN_END))
    cand = np.flatnonzero(ok)
    cand = cand[lex_order((line[cand], start[cand], dp[cand], person[cand]))]
    group = _starts(person[cand], dp[cand])  # a new (person, delprojekt)
    dup = ~(group | _starts(start[cand]))  # same person, delprojekt and start as the row before
    if dup.any():
        first_line = line[cand[np.flatnonzero(~dup)[np.cumsum(~dup) - 1]]]
        at = cand[dup]
        problems.add(
            "dubblett",
            file,
            line[at],
            "startdatum",
            df["startdatum"].iloc[at].astype(str).to_numpy(),
            np.array(
                [
                    f"dubblett: samma deltagare, delprojekt och startdatum som rad {n}"
                    for n in first_line[dup]
                ],
                dtype=object,
            ),
        )
    cand, group = cand[~dup], group[~dup]
    overlap = previous_max_end(group, end[cand]) >= start[cand]
    at = cand[overlap]
    if len(at):
        problems.add(
            "overlapp",
            file,
            line[at],
            "startdatum",
            df["startdatum"].iloc[at].astype(str).to_numpy(),
            "överlappar en tidigare inskrivning av samma deltagare i samma delprojekt",
        )
    keep = np.sort(cand[~overlap])
    keep = keep[np.argsort(line[keep], kind="stable")]  # in line order
    accepted = df.iloc[keep].copy()

    # kön: the given one wins; derived from personnummer when empty (never as X, icke-binär,
    # which is no contradiction of the personnummer); warn on contradiction.
    given, derived = accepted["kon"], accepted["kon_pnr"]
    clash = given.notna() & derived.notna() & (given != derived) & (given != "X")
    if clash.any():
        problems.add(
            "kon_motsager_personnummer",
            file,
            accepted.loc[clash, "_line"],
            "kon",
            given[clash],
            "kön stämmer inte med personnumret",
        )
    accepted["kon"] = given.where(given.notna(), derived)
    unknown = accepted["kon"].isna()
    if unknown.any():
        problems.add(
            "kon_saknas",
            file,
            accepted.loc[unknown, "_line"],
            "kon",
            "",
            "kön saknas och kan inte härledas; räknas bara i Totalt",
        )
    late = accepted["arbetslos_sedan"].notna() & (accepted["arbetslos_sedan"] > accepted["start"])
    if late.any():
        problems.add(
            "arbetslos_sedan_efter_start",
            file,
            accepted.loc[late, "_line"],
            "arbetslos_sedan",
            accepted.loc[late, "arbetslos_sedan"].astype(str),
            "arbetslös sedan ligger efter startdatum; räknas inte som långtidsarbetslös",
        )
    born_year = pd.to_datetime(accepted["born"], errors="coerce").dt.year
    accepted["fodelsear"] = accepted["fodelsear"].where(accepted["fodelsear"].notna(), born_year)

    # A person enrolled in two delprojekt at the same time: legal, but worth a look.
    person, start, end = person[keep], start[keep], end[keep]
    by = lex_order((start, person))  # stable: equal starts in line order
    both = by[previous_max_end(_starts(person[by]), end[by]) >= start[by]]
    if len(both):
        problems.add(
            "samtidig_inskrivning",
            file,
            accepted["_line"].iloc[both],
            "delprojekt",
            accepted["delprojekt"].iloc[both],
            "deltagaren är inskriven i två delprojekt samtidigt",
        )
    return accepted.drop(columns=["startdatum", "slutdatum", "kon_pnr"])


def _starts(*keys: np.ndarray) -> np.ndarray:
    """Per sorted row: some key differs from the row before (the first row starts)."""
    new = np.ones(len(keys[0]), dtype=bool)
    if len(new):
        new[1:] = np.logical_or.reduce([k[1:] != k[:-1] for k in keys])
    return new


def previous_max_end(group: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For rows sorted by start within groups (``group``: a row starts one): the latest end
    among the group's earlier rows; below every day for a group's first row. One running
    maximum over all rows, each group lifted above the one before so that none carries over."""
    out = np.full(len(end), np.iinfo(np.int64).min, dtype=np.int64)
    if not len(end):
        return out
    lo = int(end.min())
    span = int(end.max()) - lo + 1
    lift = (np.cumsum(group) - 1) * span
    running = np.maximum.accumulate(lift + (end - lo))
    out[1:] = running[:-1] - lift[1:] + lo
    out[group] = np.iinfo(np.int64).min
    return out


def persons(dl: pd.DataFrame) -> pd.DataFrame:
    """kön of a person = kön of their latest enrolment (latest startdatum, then the later line)
    that has one. Persons in the order of their first row. On the person codes (sorts of
    integers), not the ids: a national deltagare's 270 000 ids as Python strings took 0.25 s."""
    codes, ids = _person_codes(dl["person"])
    present, first = np.unique(codes, return_index=True)
    order = present[np.argsort(first, kind="stable")]  # the codes in order of first row
    where = np.empty(len(ids), dtype=np.intp)
    where[order] = np.arange(len(order))
    known = dl["kon"].notna().to_numpy()
    who, line, start = codes[known], dl["_line"].to_numpy()[known], days(dl["start"])[known]
    by = lex_order((line, start, who))  # the last of each person: its latest
    sorted_who = who[by]
    last = by[np.r_[sorted_who[1:] != sorted_who[:-1], True]] if len(by) else by
    kon = np.full(len(order), None, dtype=object)
    kon[where[who[last]]] = dl["kon"].to_numpy(dtype=object)[known][last]
    return pd.DataFrame({"person": pd.Series(ids.take(order), dtype=object), "kon": kon})


def _person_codes(person: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's person as an integer code, and the ids of the codes (object)."""
    if isinstance(person.dtype, pd.CategoricalDtype):
        return category_codes(person), person.cat.categories.to_numpy(dtype=object)
    codes, ids = pd.factorize(person.to_numpy(dtype=object))
    return codes, np.asarray(ids, dtype=object)
