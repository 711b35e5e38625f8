"""The rules of uppfoljningar: each follow-up belongs to one ended enrolment (the one ending
on slutdatum, or the latest ended one), once per tidpunkt."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import category_codes, days, latest_per_code, person_days, positions
from .common import Rows, consequences, require_person


def check(rows: Rows):
    """Each follow-up is tied to one ended enrolment: the one ending on ``slutdatum``, or the
    person's latest ended enrolment when ``slutdatum`` is empty (column ``slut`` afterwards)."""
    df, dl, rejected, file, problems = (
        rows.df.copy(),
        rows.deltagare,
        rows.rejected,
        rows.file,
        rows.problems,
    )
    ok = require_person(df, ~rows.bad, dl, rejected, file, problems)
    ended = dl[dl["slut"].notna()]

    def of_ended(person: pd.Series):
        """Enrolled, but no accepted enrolment ended: one that ended may have been rejected."""
        none = np.full(len(person), -1)
        return rejected.covering(person, none, none, ended=True)

    ok = require_person(
        df,
        ok,
        ended,
        rejected,
        file,
        problems,
        "ingen_avslutad_inskrivning",
        "deltagaren har ingen avslutad inskrivning",
        of_ended,
    )
    persons = ended["person"].cat.categories  # distinct, as categories are
    at_person = _latest_end(ended)[positions(df["person"], persons, distinct=True)]
    df["slut"] = df["slutdatum"].where(
        df["slutdatum"].notna(),
        pd.Series(at_person, index=df.index).astype("datetime64[s]"),
    )
    # "the latest ended enrolment" may be on a rejected row: then the follow-up is its
    later, line = rejected.latest_ended(df["person"])
    empty = ok & df["slutdatum"].isna().to_numpy()
    theirs = empty & ~np.isnat(later) & (later > df["slut"].to_numpy(dtype="datetime64[s]"))
    at = np.flatnonzero(theirs)
    if len(at):
        found = rejected.found_at(line[at])
        consequences(df, at, "deltagare_id", file, problems, found)
    ok &= ~theirs
    known = _ends_of(df, ended)
    nomatch = ok & df["slutdatum"].notna().to_numpy() & ~known
    at = np.flatnonzero(nomatch)
    if len(at):
        found = rejected.covering(
            df["person"].iloc[at], np.full(len(at), -1), days(df["slutdatum"].iloc[at]), ended=True
        )
        caused = consequences(df, at, "slutdatum", file, problems, found)
        rest = at[~caused]
        problems.add(
            "inget_slutdatum",
            file,
            df["_line"].to_numpy()[rest],
            "slutdatum",
            df["slutdatum"].iloc[rest].dt.strftime("%Y-%m-%d").to_numpy(),
            "ingen inskrivning för deltagaren slutar detta datum",
        )
    ok &= ~nomatch
    key = ["person", "slut", "tidpunkt"]
    cand = df[ok]
    dup = cand.duplicated(key, keep="first").to_numpy()
    if dup.any():
        first = cand.groupby(key, sort=False, observed=True)["_line"].transform("first")
        problems.add(
            "dubblett",
            file,
            cand["_line"].to_numpy()[dup],
            "tidpunkt",
            cand["tidpunkt"].to_numpy()[dup],
            (
                "dubblett: samma inskrivning har redan en uppföljning vid denna tidpunkt på rad "
                + first[dup].astype(str)
            ).to_numpy(),
        )
    return cand[~dup].drop(columns=["slutdatum"]).copy()


def _latest_end(ended: pd.DataFrame) -> np.ndarray:
    """Per person category of ``ended`` (and NaT last, for persons not among them): the end
    of their latest ended enrolment, by integer codes; no groupby over person strings."""
    persons = ended["person"]
    return latest_per_code(category_codes(persons), ended["slut"], len(persons.cat.categories))


def _ends_of(df: pd.DataFrame, ended: pd.DataFrame) -> np.ndarray:
    """Per row of ``df``: its (person, slut) is the end of one of ``ended``'s enrolments."""
    persons = ended["person"].cat.categories  # distinct, as categories are
    key = person_days(positions(df["person"], persons, distinct=True), df["slut"])
    ends = person_days(positions(ended["person"], persons, distinct=True), ended["slut"])
    return (key >= 0) & pd.Index(key).isin(ends)
