"""The yearly figures a samordningsförbund types into Uppföljning Finsam, per insats
(delprojekt) and TOTALT: participants during the year by kön, of whom new and ended, and the
handläggare taking part in structure-oriented activities.

The persons are counted by the same rules as ``deltagare_aktiva``, ``_nya`` and
``_avslutade`` for the year (``indicators.flow``), with non-binary persons and persons of
unknown kön kept apart, since the web form asks for kvinnor and män. Exact counts: the form
wants real numbers, so nothing is suppressed and the report says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Dataset
from .indicators import check_selection, context
from .indicators.flow import PERSONS
from .periods import Period
from .vocabulary import KON_X, NO_DATA, OK

COLUMNS = [
    "ar",
    "delprojekt",
    "matt",
    "kvinnor",
    "man",
    "icke_binara",
    "kon_okant",
    "totalt",
    "status",
]
MEASURES = {
    "deltagare_aktiva": "Deltagare under året",
    "deltagare_nya": "varav nya under året",
    "deltagare_avslutade": "varav avslutade under året",
    "handlaggare": "Handläggare i strukturinriktade insatser",
}
HEADER = "Exakta antal – inte för publicering (Uppföljning Finsam vill ha verkliga antal)"


def figures(ds: Dataset, year: Period, delprojekt=None) -> pd.DataFrame:
    """One row per (group, measure): the persons K, M, X (icke-binära), unknown kön and T;
    the handläggare as a total only (saknar_data without organisationsaktiviteter)."""
    check_selection(ds.config, None, delprojekt)
    ctx = context(ds, [year], delprojekt, kons=KON_X)
    counts = {m: count(ctx, ds).get(year, "period")[:, 0, :] for m, count in PERSONS.items()}
    handlaggare = _handlaggare(ds, ctx, year)
    out = []
    for g in ctx.show:
        group = ctx.groups[g]
        for measure, per_group in counts.items():
            k, m, x, t = per_group[g]
            out.append([year.label, group, measure, k, m, x, t - k - m - x, t, OK])
        h = handlaggare[g] if handlaggare is not None else np.nan
        status = OK if handlaggare is not None else NO_DATA
        out.append([year.label, group, "handlaggare", np.nan, np.nan, np.nan, np.nan, h, status])
    return pd.DataFrame(out, columns=COLUMNS)


def _handlaggare(ds: Dataset, ctx, year: Period) -> np.ndarray | None:
    """Σ antal_handlaggare over every organisationsaktivitet row dated in the year, per group;
    a row without delprojekt is the whole project's and counts in TOTALT only."""
    if not ds.has("organisationsaktiviteter"):
        return None
    org = ds.tables["organisationsaktiviteter"]
    days = org["datum"].to_numpy(dtype="datetime64[D]")
    inside = (days >= np.datetime64(year.start)) & (days <= np.datetime64(year.end))
    n = np.nan_to_num(org["antal_handlaggare"].to_numpy(dtype="float64"))[inside]
    grp = ctx.group_index(org["delprojekt"])[inside]
    out = np.bincount(grp[grp >= 0], weights=n[grp >= 0], minlength=ctx.n_groups)
    out[ctx.totalt] = n.sum()
    return out
