"""The rules of deltagare: dates in order, avslutsorsak with slutdatum, no duplicate or
overlapping enrolment in one delprojekt; kön given or from the personnummer; a person in two
delprojekt at once is a warning."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import lex_order
from .common import OPEN_END, Rows, days, reject


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
        df["slutdatum"].astype(str),
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

    # Duplicates and overlaps within (person, delprojekt), among rows still accepted.
    cand = df[ok].sort_values(["person", "delprojekt", "start", "_line"], kind="stable")
    key = ["person", "delprojekt", "start"]
    dup = cand.duplicated(key, keep="first")
    first_line = cand.groupby(key, sort=False, observed=True)["_line"].transform("first")
    dup_idx = cand.index[dup.to_numpy()]
    if len(dup_idx):
        problems.add(
            "dubblett",
            file,
            df.loc[dup_idx, "_line"].to_numpy(),
            "startdatum",
            df.loc[dup_idx, "startdatum"].astype(str).to_numpy(),
            (
                "dubblett: samma deltagare, delprojekt och startdatum som rad "
                + first_line[dup].astype(str)
            ).to_numpy(),
        )
    cand = cand[~dup.to_numpy()]
    prev_max = previous_max_end(cand, ["person", "delprojekt"])
    overlap = (prev_max.notna() & (prev_max >= cand["start"])).to_numpy()
    ov_idx = cand.index[overlap]
    if len(ov_idx):
        problems.add(
            "overlapp",
            file,
            df.loc[ov_idx, "_line"].to_numpy(),
            "startdatum",
            df.loc[ov_idx, "startdatum"].astype(str).to_numpy(),
            "överlappar en tidigare inskrivning av samma deltagare i samma delprojekt",
        )
    accepted = cand[~overlap].sort_values("_line", kind="stable").copy()

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
    s = accepted.sort_values(["person", "start"], kind="stable")
    prev = previous_max_end(s, ["person"])
    both = (prev.notna() & (prev >= s["start"])).to_numpy()
    if both.any():
        problems.add(
            "samtidig_inskrivning",
            file,
            s.loc[both, "_line"],
            "delprojekt",
            s.loc[both, "delprojekt"],
            "deltagaren är inskriven i två delprojekt samtidigt",
        )
    return accepted.drop(columns=["startdatum", "slutdatum", "kon_pnr"])


def previous_max_end(sorted_df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """For rows sorted by start within ``keys``: the latest end among the earlier rows."""
    end = sorted_df["slut"].fillna(OPEN_END)
    groups = [sorted_df[k] for k in keys]
    cummax = end.groupby(groups, sort=False, observed=True).cummax()
    return cummax.groupby(groups, sort=False, observed=True).shift(1)


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
        return person.cat.codes.to_numpy(), person.cat.categories.to_numpy(dtype=object)
    codes, ids = pd.factorize(person.to_numpy(dtype=object))
    return codes, np.asarray(ids, dtype=object)
