"""Checks of the dataset as a whole: legal row by row, suspicious together. Warnings for
``indikator validate``, never rejections. Chosen because each points at a typical
registration mistake rather than at real variation (docs/beslut.md):

- age under 16 or over 66 at start: a mistyped birth year or personnummer;
- many enrolments ending on the same day in a delprojekt: a mass closing instead of the
  real end dates;
- answers dated long after the person's last enrolment ended: a wrong date or person;
- a month without any new enrolment in a delprojekt between months that have them: a
  month that was never registered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import OPEN_END, Dataset

MASS_END = 20  # enrolments ending the same day in one delprojekt
LATE_ANSWER_DAYS = 180


def warnings(ds: Dataset) -> list[str]:
    out: list[str] = []
    dl = ds.tables["deltagare"]
    file = ds.files["deltagare"].name
    year = dl["start"].dt.year - dl["fodelsear"]
    odd = dl[(year < 16) | (year > 66)]
    for line, age in zip(odd["_line"].head(20), (year[odd.index]).head(20), strict=True):
        out.append(f"{file}:{line}: deltagaren är {int(age)} år vid start (utanför 16–66)")
    if len(odd) > 20:
        out.append(f"{file}: … och {len(odd) - 20} deltagare till utanför 16–66 år")
    ended = dl[dl["slut"].notna()]
    per_day = ended.groupby(["delprojekt", "slut"], observed=True).size()
    for (dp, day), n in per_day[per_day >= MASS_END].items():
        out.append(
            f"{file}: {n} inskrivningar i {dp} slutar samma dag {day:%Y-%m-%d}; "
            "stämmer slutdatumen?"
        )
    if ds.has("matningar"):
        m = ds.tables["matningar"]
        # the end of a person's last enrolment; an open enrolment counts as never ending
        last_end = dl["slut"].fillna(OPEN_END).groupby(dl["person"].astype(object)).max()
        end = last_end.reindex(m["person"].astype(object)).to_numpy()
        end = np.where(end == OPEN_END, np.datetime64("NaT"), end)
        late = (m["datum"].to_numpy() - end) > np.timedelta64(LATE_ANSWER_DAYS, "D")
        if late.any():
            lines = m["_line"].to_numpy()[late]
            out.append(
                f"{ds.files['matningar'].name}: {int(late.sum())} svar är daterade mer än "
                f"{LATE_ANSWER_DAYS} dagar efter deltagarens sista inskrivning "
                f"(t.ex. rad {', '.join(map(str, lines[:5]))})"
            )
    month = dl["start"].dt.to_period("M")
    for dp, months in month.groupby(dl["delprojekt"], observed=True):
        seen = set(months)
        gaps = [str(p) for p in pd.period_range(min(seen), max(seen), freq="M") if p not in seen]
        if gaps:
            out.append(
                f"{file}: inga nya inskrivningar i {dp} under {', '.join(gaps[:6])}"
                + (f" och {len(gaps) - 6} månader till" if len(gaps) > 6 else "")
                + " (mitt i delprojektets gång)"
            )
    return out
