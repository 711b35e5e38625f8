"""What the cross-row rules share: the rows of one export on their way through its rules,
rejecting rows with a reason, and rows that are consequences of a rejected enrolment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..coding import category_codes, unlisted
from ..config import Config
from ..problems import Problems
from .causes import Found, Rejected

OPEN_END = np.datetime64("2262-01-01", "s")  # an open enrolment runs "for ever"


@dataclass
class Rows:
    """One export's parsed rows (all of them) and what its rules need to judge them."""

    df: pd.DataFrame
    bad: np.ndarray  # the row already has an error
    file: str
    problems: Problems
    config: Config
    deltagare: pd.DataFrame | None = None  # the accepted enrolments (once deltagare is done)
    rejected: Rejected | None = None  # the rejected enrolments, as causes


def taken(df: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows of ``keep`` as a frame of their own, ``df`` given up for it: each column is
    dropped from ``df`` as soon as its kept rows are copied, so that a few rejected rows
    among ten million cost one column's copy at a time, not a second table beside the first
    (a national aktiviteter: 350 MB above the peak). When every row is kept, ``df`` stays
    as it is and the frame shares its columns (pandas' copy-on-write keeps them apart)."""
    if keep.all():
        return df.copy(deep=False)
    index = df.index[keep]
    columns = {}
    for name in list(df.columns):
        columns[name] = df[name].array[keep]
        del df[name]
    return pd.DataFrame(columns, index=index, copy=False)


def reject(rows: Rows, code: str, mask: np.ndarray, column: str, values, message) -> None:
    """Report the rows of ``mask`` as rejected with ``code``. ``values``: per row, or a
    function giving those of the rows of a mask (a date column written as text only for
    the rows reported, not for every row)."""
    if not mask.any():
        return
    if values is None:
        shown = ""
    elif callable(values):
        shown = values(mask)
    else:
        shown = values[mask]
    rows.problems.add(code, rows.file, rows.df["_line"].to_numpy()[mask], column, shown, message)


def consequences(df, rows, column, file, problems, found: Found) -> np.ndarray:
    """Report ``rows`` (positions in ``df``) as consequences where ``found`` gave a cause;
    returns which of them had one (the others keep their own reason)."""
    has = found.line >= 0
    if has.any():
        problems.add(
            "foljdfel",
            file,
            df["_line"].to_numpy()[rows[has]],
            column,
            "",
            found.message[has],
            found.cause[has],
        )
    return has


def distinct_persons(person: pd.Series) -> pd.Index:
    """The persons of a column, without the missing one; a categorical's stay Arrow strings
    (looked up in Arrow by ``positions``, never turned into Python strings)."""
    if isinstance(person.dtype, pd.CategoricalDtype):
        # which categories a row uses, in category order: one pass over the codes (-1, the
        # missing person, marks the extra last place), no sort of ten million codes
        used = np.zeros(len(person.cat.categories) + 1, dtype=bool)
        used[category_codes(person)] = True
        return person.cat.categories[np.flatnonzero(used[:-1])]
    return pd.Index(person.dropna().astype(object).unique(), dtype=object)


def require_person(
    df,
    ok,
    dl,
    rejected: Rejected,
    file,
    problems,
    code="saknar_inskrivning",
    message="deltagaren saknar inskrivning i deltagare",
    enrolled_anyhow=None,
):
    """Rows whose person has no enrolment in ``dl``: a consequence where the enrolment was
    rejected, otherwise ``code``."""
    enrolled = distinct_persons(dl["person"])
    unknown = ok & unlisted(df["person"], enrolled, distinct=True)  # categories
    at = np.flatnonzero(unknown)
    if len(at):
        person = df["person"].iloc[at]
        found = rejected.of_persons(person)
        if enrolled_anyhow is not None:  # the person is enrolled, but not as ``dl`` asks
            found = enrolled_anyhow(person)
        caused = consequences(df, at, "deltagare_id", file, problems, found)
        rest = at[~caused]
        if len(rest):
            problems.add(code, file, df["_line"].to_numpy()[rest], "deltagare_id", "", message)
    return ok & ~unknown
