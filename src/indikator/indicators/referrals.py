"""Referrals (export remisser): per remittent, how many came in and how many led to an
enrolment. Referrals are events: TOTALT is the sum of the delprojekt; kön is the referral's."""

from __future__ import annotations

from ..coding import positions
from ..dataset import Dataset
from .engine import Context, kon_codes, months, sum_events
from .tidy import rows


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    r = ds.tables["remisser"]
    codes = [c.code for c in ds.config.code_list("myndighet")]
    args = (
        ctx,
        kon_codes(r["kon"], ctx.kons),
        ctx.group_index(r["delprojekt"]),
        positions(r["remittent"], codes),
        months(r["datum"]),
    )
    keys = r["nyckel"].to_numpy() if "nyckel" in r.columns else None
    n = len(codes)
    inskriven = (r["utfall"] == "INSKRIVEN").to_numpy(dtype="float64")
    ej = (r["utfall"] == "EJ_INSKRIVEN").to_numpy(dtype="float64")
    out = []
    if "remisser" in wanted:
        out.append(rows(ctx, "remisser", sum_events(*args, None, n, keys), codes))
    if "remisser_inskrivna" in wanted:
        out.append(rows(ctx, "remisser_inskrivna", sum_events(*args, inskriven, n, keys), codes))
    if "remisser_ej_inskrivna" in wanted:
        out.append(rows(ctx, "remisser_ej_inskrivna", sum_events(*args, ej, n, keys), codes))
    if "andel_remisser_inskrivna" in wanted:
        decided = sum_events(*args, inskriven + ej, n, keys)
        out.append(
            rows(
                ctx,
                "andel_remisser_inskrivna",
                sum_events(*args, inskriven, n, keys),
                codes,
                decided,
            )
        )
    return out
