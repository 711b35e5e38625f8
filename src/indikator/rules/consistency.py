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

from ..problems import Problems
from .common import OPEN_END

MASS_END = 20  # enrolments ending the same day in one delprojekt
LATE_ANSWER_DAYS = 180
AGES = (16, 66)
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
        # the end of a person's last enrolment; an open enrolment counts as never ending
        last_end = dl["slut"].fillna(OPEN_END).groupby(dl["person"].astype(object)).max()
        # per distinct person of matningar, then to its rows by their codes
        people = m["person"].cat
        per_person = last_end.reindex(people.categories.astype(object)).to_numpy()
        codes = people.codes.to_numpy()
        end = np.append(per_person, np.datetime64("NaT"))[codes]
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
    month = dl["start"].dt.to_period("M")
    for dp, months in month.groupby(dl["delprojekt"], observed=True):
        seen = set(months)
        span = pd.period_range(min(seen), max(seen), freq="M")
        if len(months) < BUSY * len(span):
            continue  # a small delprojekt has empty months by chance
        gaps = [str(p) for p in span if p not in seen]
        if gaps:
            problems.add(
                "helhet_tom_manad",
                file,
                [0],
                "delprojekt",
                dp,
                f"inga nya inskrivningar i {dp} under {', '.join(gaps[:6])}"
                + (f" och {len(gaps) - 6} månader till" if len(gaps) > 6 else "")
                + " (mitt i delprojektets gång)",
            )
