"""Activities (exports deltagare, aktiviteter): who received an insats, per insatstyp, hours."""

from __future__ import annotations

import numpy as np

from ..coding import positions
from ..dataset import Dataset
from .engine import Context, months, person_runs, place_runs, sum_events, tally_placed
from .tidy import rows

# What may be computed apart when families run side by side (``parallel.in_threads``): each
# part sorts the ten million activities on its own, so the two halves of the longest family
# can take a core each.
PARTS = [{"insats"}, {"fatt_insats", "deltagartimmar"}]


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    act = ds.tables["aktiviteter"]
    # ten million rows, kept for every pass: the narrowest integers that hold the codes (the
    # engine widens them where it multiplies)
    person, grp, m = ctx.once(
        "aktiviteter",
        lambda: (
            ctx.persons(act["person"], np.int32),
            ctx.group_index(act["delprojekt"], np.int16),
            months(act["datum"], np.int32),
        ),
    )
    zero = np.zeros(len(act), dtype=np.int8)
    out = []
    if "fatt_insats" in wanted:
        # placed once for every pass (``engine.PlacedRuns``)
        runs = ctx.once(
            "fatt_insats", lambda: place_runs(ctx, person_runs(ctx, person, grp, zero, m, m, 1))
        )
        out.append(rows(ctx, "fatt_insats", tally_placed(ctx, runs)))
    if "insats" in wanted:
        codes = [c.code for c in ds.config.code_list("insatstyp")]

        def by_insatstyp():
            dim = positions(act["insatstyp"], codes, np.int16)
            return place_runs(ctx, person_runs(ctx, person, grp, dim, m, m, len(codes)))

        runs = ctx.once("insats", by_insatstyp)
        out.append(rows(ctx, "insats", tally_placed(ctx, runs), codes))
    if "deltagartimmar" in wanted:

        def hours():  # a sum, not a count: it has no cell key, the same in every pass
            h = act["timmar"].fillna(0).to_numpy(dtype="float64")
            return sum_events(ctx, ctx.person_kon[person], grp, zero, m, h, 1)

        out.append(rows(ctx, "deltagartimmar", ctx.once("deltagartimmar", hours)))
    return out
