"""Organisation (export organisationsaktiviteter): information activities per myndighet, the
handläggare who took part, written information, and meetings with several myndigheter.
No kön split (T only); activities without a delprojekt count in TOTALT only."""

from __future__ import annotations

import numpy as np

from ..coding import positions
from ..dataset import Dataset
from .engine import Context, months, sum_events
from .tidy import rows

T_ONLY = ("T",)


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    o = ds.tables["organisationsaktiviteter"]
    types = ds.config.code_list("organisationstyp")
    info = {t.code for t in types if t.information}
    written = {t.code for t in types if t.written}
    myndigheter = [c.code for c in ds.config.code_list("myndighet")]
    n = len(myndigheter)
    # one row per (aktivitet, myndighet): an activity counts once per myndighet
    distinct = o.drop_duplicates(["aktivitet_id", "myndighet"])

    def events(df, dim, n_dim, weight=None):
        kon = np.full(len(df), len(ctx.kons) - 1)  # T only
        # an activity's record key, for the counts of activities (not for sums of handläggare)
        keys = df["nyckel"].to_numpy() if weight is None and "nyckel" in df.columns else None
        return sum_events(
            ctx,
            kon,
            ctx.group_index(df["delprojekt"]),
            dim,
            months(df["datum"]),
            weight,
            n_dim,
            keys,
        )

    out = []
    if "infoinsatser" in wanted:
        d = distinct[distinct["typ"].isin(info)]
        out.append(
            rows(
                ctx,
                "infoinsatser",
                events(d, positions(d["myndighet"], myndigheter), n),
                myndigheter,
                kons=T_ONLY,
            )
        )
    if "handlaggare" in wanted:
        d = o[o["typ"].isin(info)]
        hours = d["antal_handlaggare"].fillna(0).to_numpy(dtype="float64")
        tally = events(d, positions(d["myndighet"], myndigheter), n, hours)
        out.append(rows(ctx, "handlaggare", tally, myndigheter, kons=T_ONLY))
    if "skriftlig_info" in wanted:
        d = distinct[distinct["typ"].isin(written)]
        tally = events(d, positions(d["myndighet"], myndigheter), n)
        out.append(rows(ctx, "skriftlig_info", tally, myndigheter, kons=T_ONLY, at_most_one=True))
    if "sammankomster_flera_myndigheter" in wanted:
        parties = distinct.groupby("aktivitet_id", sort=False)["myndighet"].transform("size")
        meetings = distinct[parties >= 2].drop_duplicates("aktivitet_id")
        codes = [t.code for t in types]
        tally = events(meetings, positions(meetings["typ"], codes), len(codes))
        out.append(rows(ctx, "sammankomster_flera_myndigheter", tally, codes, kons=T_ONLY))
    return out
