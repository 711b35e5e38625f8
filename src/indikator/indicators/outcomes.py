"""Outcomes at exit (export deltagare): shares among those who ended, judged by their latest
enrolment ending in the period."""

from __future__ import annotations

import numpy as np

from ..coding import positions
from ..dataset import Dataset
from .engine import Context
from .flow import ended, exits
from .tidy import rows


def pair_codes(frame, before: str, after: str, codes: list[str]) -> np.ndarray:
    """FORE>EFTER as one number (fore's position × n + efter's), -1 where either is missing."""
    n = len(codes)
    a, b = positions(frame[before], codes), positions(frame[after], codes)
    return np.where((a >= 0) & (b >= 0), a * n + b, -1)


def pairs(ds: Dataset, before: str, after: str, codes: list[str]) -> np.ndarray:
    """The FORE>EFTER pair numbers that occur among those who ended, in the code list's order."""
    dl = ds.tables["deltagare"]
    found = np.unique(pair_codes(dl[dl["slut"].notna()], before, after, codes))
    return found[found >= 0]


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    config = ds.config
    e = ended(ds)
    latest = exits(ctx, ds)
    count = latest.tally(None)
    out = []
    for indicator, group in (
        ("andel_arbete_studier", "arbete_studier"),
        ("andel_ordinarie_insats", "ordinarie_insats"),
    ):
        if indicator in wanted:
            hit = e["avslutsorsak"].isin(config.group(group)).to_numpy(dtype="float64")
            out.append(rows(ctx, indicator, latest.tally(hit), denominator=count))
    if "avslutsorsak" in wanted:
        codes = [c.code for c in config.code_list("avslutsorsak")]
        dim = positions(e["avslutsorsak"], codes)
        out.append(rows(ctx, "avslutsorsak", latest.tally(None, dim, len(codes)), codes, count))
    for indicator, name in (
        ("sysselsattning_fore_efter", "sysselsattning"),
        ("forsorjning_fore_efter", "forsorjning"),
    ):
        if indicator in wanted:
            before, after = f"{name}_fore", f"{name}_efter"
            codes = [c.code for c in config.code_list(name)]
            n = len(codes)
            found = pairs(ds, before, after, codes)
            labels = [f"{codes[k // n]}>{codes[k % n]}" for k in found]
            key = pair_codes(e, before, after, codes)
            lookup = np.full(n * n + 1, -1)  # the last slot answers key -1 (no pair)
            lookup[found] = np.arange(len(found))
            dim = lookup[key]
            den = latest.tally((key >= 0).astype("float64"))
            out.append(
                rows(
                    ctx,
                    indicator,
                    latest.tally(None, dim, max(len(labels), 1)),
                    labels or [""],
                    den,
                )
            )
    if "andel_egen_forsorjning_efter" in wanted:
        after = e["forsorjning_efter"]
        own = after.isin(config.group("egen_forsorjning")).to_numpy(dtype="float64")
        den = latest.tally(after.notna().to_numpy(dtype="float64"))
        out.append(rows(ctx, "andel_egen_forsorjning_efter", latest.tally(own), denominator=den))
    return out
