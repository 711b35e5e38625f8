"""Outcomes at exit (export deltagare): shares among those who ended, judged by their latest
enrolment ending in the period."""

from __future__ import annotations

from ..dataset import Dataset
from .engine import Context, positions
from .flow import ended, exits
from .tidy import rows


def pairs(ds: Dataset, before: str, after: str, list_name: str) -> list[str]:
    """The FORE>EFTER pairs that occur among those who ended, in the code list's order."""
    dl = ds.tables["deltagare"]
    both = dl[dl["slut"].notna() & dl[before].notna() & dl[after].notna()]
    rank = {c.code: i for i, c in enumerate(ds.config.code_list(list_name))}
    found = set(zip(both[before], both[after], strict=True))
    return [f"{a}>{b}" for a, b in sorted(found, key=lambda p: (rank[p[0]], rank[p[1]]))]


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
            labels = pairs(ds, before, after, name)
            both = e[before].notna() & e[after].notna()
            dim = positions((e[before] + ">" + e[after]).where(both), labels)
            den = latest.tally(both.to_numpy(dtype="float64"))
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
