"""Checks of the dataset as a whole: legal row by row, suspicious together. Warnings (codes
``helhet_*``), never rejections, in the same problem list as everything else. Chosen because
each points at a typical registration mistake rather than at real variation (docs/beslut.md):

- age under 16 or over 66 at start: a mistyped birth year or personnummer;
- many enrolments ending on the same day in a delprojekt: a mass closing instead of the
  real end dates;
- answers dated long after the person's last enrolment ended: a wrong date or person;
- a month without any new enrolment in a delprojekt between months that have them, where a
  month normally has at least five: a month that was never registered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import category_codes, latest_per_code, positions
from ..periods import month_start
from ..problems import Problems
from .common import OPEN_END

MASS_END = 20  # enrolments ending the same day in one delprojekt
LATE_ANSWER_DAYS = 180
AGES = (16, 66)
USES = ("deltagare", "matningar")  # the exports whose accepted rows ``check`` reads
BUSY = 5  # new enrolments a month on average: below that, an empty month is no surprise


def check(tables: dict[str, pd.DataFrame], files: dict[str, str], problems: Problems) -> None:
    dl = tables["deltagare"]
    file = files["deltagare"]
    year = (dl["start"].dt.year - dl["fodelsear"]).to_numpy(dtype="float64")
    odd = (year < AGES[0]) | (year > AGES[1])
    if odd.any():
        problems.add(
            "helhet_alder",
            file,
            dl["_line"].to_numpy()[odd],
            "fodelsear",
            "",
            [
                f"deltagaren är {int(a)} år vid start (utanför {AGES[0]}–{AGES[1]})"
                for a in year[odd]
            ],
        )
    ended = dl[dl["slut"].notna()]
    per_day = ended.groupby(["delprojekt", "slut"], observed=True)["_line"].agg(["size", "min"])
    mass = per_day[per_day["size"] >= MASS_END]
    if len(mass):  # one warning per (delprojekt, day), added together
        dps, days = mass.index.get_level_values(0), mass.index.get_level_values(1)
        problems.add(
            "helhet_massavslut",
            file,
            mass["min"].to_numpy(),
            "slutdatum",
            days.strftime("%Y-%m-%d").to_numpy(dtype=object),
            [
                f"{n} inskrivningar i {dp} slutar samma dag; stämmer slutdatumen?"
                for n, dp in zip(mass["size"].tolist(), dps.tolist(), strict=True)
            ],
        )
    if "matningar" in tables:
        m = tables["matningar"]
        # the end of a person's last enrolment (an open one counts as never ending), per
        # person code of deltagare, then to the rows of matningar by their person's position
        persons = dl["person"].cat.categories  # distinct, as categories are
        end = _last_end(dl)[positions(m["person"], persons, distinct=True)]
        end = np.where(end == OPEN_END, np.datetime64("NaT"), end)
        late = (m["datum"].to_numpy() - end) > np.timedelta64(LATE_ANSWER_DAYS, "D")
        if late.any():
            problems.add(
                "helhet_sena_svar",
                files["matningar"],
                m["_line"].to_numpy()[late],
                "datum",
                m["datum"].dt.strftime("%Y-%m-%d").to_numpy()[late],
                f"svaret är daterat mer än {LATE_ANSWER_DAYS} dagar efter deltagarens sista "
                "inskrivning",
            )
    # month indices (periods.month_index) of each start, per delprojekt code
    start = dl["start"].to_numpy("datetime64[M]")
    month = start.astype("int64") + 1970 * 12
    dp = dl["delprojekt"].cat
    codes = np.where(np.isnat(start), -1, dp.codes.to_numpy())
    for i, name in enumerate(dp.categories):
        months = month[codes == i]
        if not len(months):
            continue
        seen = np.unique(months)
        span = np.arange(seen[0], seen[-1] + 1)
        if len(months) < BUSY * len(span):
            continue  # a small delprojekt has empty months by chance
        gaps = [month_start(int(g)).strftime("%Y-%m") for g in np.setdiff1d(span, seen)]
        if gaps:
            problems.add(
                "helhet_tom_manad",
                file,
                [0],
                "delprojekt",
                name,
                f"inga nya inskrivningar i {name} under {', '.join(gaps[:6])}"
                + (f" och {len(gaps) - 6} månader till" if len(gaps) > 6 else "")
                + " (mitt i delprojektets gång)",
            )


def _last_end(dl: pd.DataFrame) -> np.ndarray:
    """Per person code of deltagare: the end of the person's last enrolment, an open one
    counting as never ending (``OPEN_END``); NaT for a category without an enrolment, and
    after the last category (``latest_per_code``)."""
    ends = dl["slut"].to_numpy("datetime64[s]")
    ends = np.where(np.isnat(ends), OPEN_END, ends)
    persons = dl["person"]
    return latest_per_code(category_codes(persons), ends, len(persons.cat.categories))
