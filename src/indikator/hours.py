"""The ESF participant report: one row per participant active in the period, with
personnummer, startdatum, anvisande organisation and hours of participation.

The only person-level output of the tool: it is written to a file readable by its owner
only, never to the terminal (``output.hours`` renders it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Dataset
from .periods import Period

COLUMNS = ["Personnummer", "Startdatum", "Anvisande organisation", "Delprojekt", "Timmar"]


def _written(person: pd.Series) -> pd.Series:
    """Normalised personnummer as YYYYMMDD-NNNN; pseudonyms as they are."""
    is_pnr = person.str.fullmatch(r"\d{12}")
    return person.where(~is_pnr, person.str[:8] + "-" + person.str[8:])


def participant_hours(ds: Dataset, period: Period) -> pd.DataFrame:
    dl = ds.tables["deltagare"]
    a, b = pd.Timestamp(period.start), pd.Timestamp(period.end)
    active = dl[(dl["start"] <= b) & (dl["slut"].isna() | (dl["slut"] >= a))]
    # the enrolment that counts: the latest started of those overlapping the period
    active = active.sort_values(["person", "start", "_line"]).drop_duplicates("person", keep="last")
    person = active["person"].astype(object)
    hours = pd.Series(0.0, index=pd.Index(person, dtype=object))
    if ds.has("aktiviteter"):
        act = ds.tables["aktiviteter"]
        inside = act[(act["datum"] >= a) & (act["datum"] <= b)]
        summed = (
            inside["timmar"].groupby(inside["person"].astype(object)).sum(min_count=1).fillna(0.0)
        )
        hours = summed.reindex(hours.index).fillna(0.0)
    labels = {c.code: c.label for c in ds.config.code_list("myndighet")}
    out = pd.DataFrame(
        {
            "Personnummer": _written(person).to_numpy(),
            "Startdatum": active["start"].dt.strftime("%Y-%m-%d").to_numpy(),
            "Anvisande organisation": active["anvisande_organisation"]
            .astype(object)
            .map(labels)
            .fillna("")
            .to_numpy(),
            "Delprojekt": active["delprojekt"].to_numpy(dtype=object),
            "Timmar": np.round(hours.to_numpy(dtype="float64"), 2),
        }
    )
    out = out.sort_values(["Delprojekt", "Personnummer"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)
