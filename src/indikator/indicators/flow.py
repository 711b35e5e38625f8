"""Participant flow (export deltagare): active, new, ended, mean enrolment time."""

from __future__ import annotations

import numpy as np

from ..dataset import Dataset
from .engine import Context, Latest, Runs, Tally, count_persons, months, person_runs, tally_runs
from .tidy import rows


def exits(ctx: Context, ds: Dataset) -> Latest:
    """Each person's latest enrolment ending in the period: the population of every exit figure.

    One definition of the "latest enrolment" rule (latest slutdatum, then latest startdatum),
    shared by flow and outcomes.
    """

    def build() -> Latest:
        dl = ended(ds)
        person, grp = ctx.persons(dl["person"]), ctx.group_index(dl["delprojekt"])
        return Latest(ctx, person, grp, dl["slut"], dl["start"])

    return ctx.once("exits", build, across=True).bound(ctx)


def active(ctx: Context, ds: Dataset) -> Runs:
    """Each person's runs of being enrolled, per group: the population of deltagare_aktiva,
    shared with the self-assessment figures."""

    def build() -> Runs:
        dl = ds.tables["deltagare"]
        zero = np.zeros(len(dl), dtype="int64")
        person, grp = ctx.persons(dl["person"]), ctx.group_index(dl["delprojekt"])
        return person_runs(ctx, person, grp, zero, months(dl["start"]), months(dl["slut"]), 1)

    return ctx.once("active", build, across=True)


def ended(ds: Dataset):
    dl = ds.tables["deltagare"]
    return dl[dl["slut"].notna()]


def new(ctx: Context, ds: Dataset) -> Tally:
    """Persons with an enrolment starting in the period: deltagare_nya."""
    dl = ds.tables["deltagare"]
    first = months(dl["start"])
    zero = np.zeros(len(dl), dtype="int64")
    person, grp = ctx.persons(dl["person"]), ctx.group_index(dl["delprojekt"])
    return count_persons(ctx, person, grp, zero, first, first, 1)


# The persons counted by each flow figure (also the yearly report to Uppföljning Finsam).
PERSONS = {
    "deltagare_aktiva": lambda ctx, ds: tally_runs(ctx, active(ctx, ds)),
    "deltagare_nya": new,
    "deltagare_avslutade": lambda ctx, ds: exits(ctx, ds).tally(None),
}


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    out = [rows(ctx, i, count(ctx, ds)) for i, count in PERSONS.items() if i in wanted]
    latest = exits(ctx, ds)
    if "inskrivningstid_medel_dagar" in wanted:
        e = ended(ds)
        days = (e["slut"] - e["start"]).dt.days.to_numpy(dtype="float64")
        out.append(
            rows(
                ctx,
                "inskrivningstid_medel_dagar",
                latest.tally(days),
                denominator=latest.tally(None),
            )
        )
    return out
