"""Activities (exports deltagare, aktiviteter): who received an insats, per insatstyp, hours."""

from __future__ import annotations

import numpy as np

from ..coding import positions
from ..dataset import Dataset
from .engine import Context, count_persons, months, sum_events
from .tidy import rows


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    act = ds.tables["aktiviteter"]
    person = ctx.persons(act["person"])
    grp = ctx.group_index(act["delprojekt"])
    m = months(act["datum"])
    zero = np.zeros(len(act), dtype="int64")
    out = []
    if "fatt_insats" in wanted:
        out.append(rows(ctx, "fatt_insats", count_persons(ctx, person, grp, zero, m, m, 1)))
    if "insats" in wanted:
        codes = [c.code for c in ds.config.code_list("insatstyp")]
        dim = positions(act["insatstyp"], codes)
        out.append(
            rows(ctx, "insats", count_persons(ctx, person, grp, dim, m, m, len(codes)), codes)
        )
    if "deltagartimmar" in wanted:
        hours = act["timmar"].fillna(0).to_numpy(dtype="float64")
        out.append(
            rows(
                ctx,
                "deltagartimmar",
                sum_events(ctx, ctx.person_kon[person], grp, zero, m, hours, 1),
            )
        )
    return out
