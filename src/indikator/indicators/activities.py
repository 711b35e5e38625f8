"""Activities (exports deltagare, aktiviteter): who received an insats, per insatstyp, hours."""

from __future__ import annotations

import numpy as np

from ..coding import positions
from ..dataset import Dataset
from .engine import (
    Context,
    months,
    person_runs,
    place_runs,
    rows_where,
    sum_events,
    tally_placed,
)
from .tidy import rows

# What may be computed apart when families run side by side (``parallel.in_threads``): each
# part sorts the ten million activities on its own, so the two halves of the longest family
# can take a core each.
PARTS = [{"insats"}, {"fatt_insats", "deltagartimmar"}]
# The part without an insatstyp axis marks presence a million rows at a time in arrays over
# (group, person): tens of MB, so ``monthly`` computes it beside the other large family.
LIGHT = {"fatt_insats", "deltagartimmar"}


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    act = ds.tables["aktiviteter"]
    # kept for every pass: the rows in the months a requested period looks at (ten million
    # at national scale, a third of them for one month of a four-year register), in the
    # narrowest integers that hold the codes (the engine widens them where it multiplies)
    inside, person, grp, m = ctx.once("aktiviteter", lambda: _looked_at(ctx, act))
    zero = np.zeros(len(m), dtype=np.int8)
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
            (dim,) = rows_where(inside, positions(act["insatstyp"], codes, np.int16))
            return place_runs(ctx, person_runs(ctx, person, grp, dim, m, m, len(codes)))

        runs = ctx.once("insats", by_insatstyp)
        out.append(rows(ctx, "insats", tally_placed(ctx, runs), codes))
    if "deltagartimmar" in wanted:

        def hours():  # a sum, not a count: it has no cell key, the same in every pass
            (h,) = rows_where(inside, act["timmar"].fillna(0).to_numpy(dtype="float64"))
            return sum_events(ctx, ctx.person_kon[person], grp, zero, m, h, 1)

        out.append(rows(ctx, "deltagartimmar", ctx.once("deltagartimmar", hours)))
    return out


def _looked_at(ctx: Context, act) -> tuple:
    """(inside, person, group, month) of the activities in ``ctx.needed_months()``: an
    activity in any other month changes no figure (each counts at its month). ``inside``: which
    rows of the table they are, for its other columns (``rows_where``)."""
    lo, hi = ctx.needed_months()
    m = months(act["datum"], np.int32)
    inside = (m >= lo) & (m <= hi)
    person, grp = ctx.persons(act["person"], np.int32), ctx.group_index(act["delprojekt"], np.int16)
    return inside, *rows_where(inside, person, grp, m)
