"""Follow-up after exit (exports deltagare, uppfoljningar): work or studies 90 days, 6 and 12
months after the insats ended."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import category_codes, person_days
from ..dataset import Dataset
from .engine import Context, Latest, add_months
from .flow import ended
from .tidy import rows

POINTS = {"90d": ("90D", None), "6m": ("6M", 6), "12m": ("12M", 12)}


def follow_up_point(slut: pd.Series, months: int | None) -> pd.Series:
    """slutdatum + 90 days, or + 6 / 12 calendar months clamped to the month's last day."""
    return slut + pd.Timedelta(days=90) if months is None else add_months(slut, months)


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    e = ended(ds)
    fu = ds.tables["uppfoljningar"]
    work = ds.config.group("arbete_studier_efter")
    person = ctx.persons(e["person"])
    grp = ctx.group_index(e["delprojekt"])
    own = {f.indicator: f for f in ds.config.followup if f.indicator in wanted}
    out = []
    for suffix, (code, months) in POINTS.items():
        share, missing = f"andel_arbete_studier_{suffix}", f"uppfoljning_saknas_{suffix}"
        mine = [f for f in own.values() if f.tidpunkt == code]
        if not {share, missing} & wanted and not mine:
            continue
        ends = ctx.once("followup pairs", lambda: person_days(ctx.persons(e["person"]), e["slut"]))
        status = matched(ctx, fu, ends, code)
        has_f = status["sysselsattning"].notna().to_numpy(dtype="float64")
        latest = ctx.once(
            f"followup {suffix}",
            lambda months=months: Latest(
                ctx, person, grp, follow_up_point(e["slut"], months), e["slut"], e["start"]
            ),
        ).bound(ctx)
        if share in wanted:
            work_f = status["sysselsattning"].isin(work).to_numpy(dtype="float64")
            out.append(
                rows(ctx, share, latest.tally(has_f * work_f), denominator=latest.tally(has_f))
            )
        if missing in wanted:
            out.append(rows(ctx, missing, latest.tally(1.0 - has_f)))
        for f in mine:  # the configuration's own outcomes: sysselsättning or försörjning
            hit = status["sysselsattning"].isin({c.upper() for c in f.sysselsattning}) | status[
                "forsorjning"
            ].isin({c.upper() for c in f.forsorjning})
            num = latest.tally(has_f * hit.to_numpy(dtype="float64"))
            out.append(rows(ctx, f.indicator, num, denominator=latest.tally(has_f)))
    return out


def matched(ctx: Context, fu: pd.DataFrame, mine: np.ndarray, code: str) -> pd.DataFrame:
    """Per ended enrolment (``mine``: its (person, slutdatum) as ``person_days``, in its
    order): sysselsattning and forsorjning of its follow-up at tidpunkt ``code``, missing
    when it has none. The loader keeps one follow-up per (person, slut, tidpunkt), so a pair
    finds at most one row: a left merge, by numbers. (ESF's follow-up conditions read it too.)"""
    theirs = ctx.once("followup keys", lambda: person_days(ctx.persons(fu["person"]), fu["slut"]))
    at = (fu["tidpunkt"] == code).to_numpy() & (theirs >= 0)
    row = pd.Index(theirs[at]).get_indexer(mine)  # -1: no follow-up
    return pd.DataFrame(
        {
            c: pd.Categorical.from_codes(
                np.append(category_codes(fu[c])[at], -1)[row], dtype=fu[c].dtype
            )
            for c in ("sysselsattning", "forsorjning")
        }
    )
