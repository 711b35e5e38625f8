"""Self-assessment (exports deltagare, matningar): improvement on each instrument item, and
the named indicators (stegförflyttning, ökad makt, närmare arbetsmarknaden).

A person's state for an item at a period's last day b is (number of answers ≤ b, is the last
answer ≤ b above the first). That state only changes in months with an answer, so it is a step
function over months; the figures are those steps intersected with the person's runs of
being active in the group (the ``deltagare_aktiva`` population), all periods at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding import BATCH, days, lex_order, pack_day, positions, unpack_day
from ..dataset import Dataset
from ..periods import KINDS
from .engine import (
    Context,
    PersonMatches,
    PlacedParts,
    Tally,
    months,
    rows_where,
    same_person_parts,
    tally_runs,
)
from .flow import active, ended, exits
from .tidy import rows

FAR = 10**7


def states(ctx: Context, ds: Dataset) -> pd.DataFrame:
    """Per (person, item): the months from which 'two or more answers' holds, and whether the
    latest answer so far beats the first, until the next change. In numpy: one sort of the
    answers by (person, item, date, line), then flags where a group or a month changes.

    Answers after the last month any requested period looks at are left out first: they only
    make states that begin after it (the last state before it then holds on, as it does until
    that later change). A month of a four-year register sorts the answers up to that month,
    not all of them; a batch (every month) all of them."""
    codes = [i.code for i in ds.config.instrument]
    ans = ds.tables["matningar"]
    m = months(ans["datum"])
    person, item, date, line, value, m = rows_where(
        m <= ctx.needed_months()[1],  # one index taken for every column
        ctx.persons(ans["person"]),
        positions(ans["fraga"], codes),
        ans["datum"].to_numpy(dtype="datetime64[s]").astype("int64"),
        ans["_line"].to_numpy(),
        ans["varde"].to_numpy(dtype="float64"),
        m,
    )
    person = person.astype("int64")
    order = _by_person_item_date(person, item, date, line, len(codes))
    person, item, value, m = person[order], item[order], value[order], m[order]
    n = len(order)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (person[1:] != person[:-1]) | (item[1:] != item[:-1])
    start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    count = np.arange(n) - start + 1  # the answer's number within (person, item)
    better = value > value[start]
    # The state at a month's end is that of the month's last answer.
    last_of_month = np.ones(n, dtype=bool)
    last_of_month[:-1] = new_group[1:] | (m[1:] != m[:-1])
    keep = np.flatnonzero(last_of_month)
    same_next = np.zeros(len(keep), dtype=bool)  # the next change is in the same group
    same_next[:-1] = start[keep[1:]] == start[keep[:-1]]
    until = np.where(same_next, np.append(m[keep][1:], 0) - 1, FAR)
    second = count[keep] >= 2  # a state needs a first answer to compare with
    at = keep[second]
    return pd.DataFrame(
        {
            "person": person[at],
            "item": item[at],
            "m": m[at],
            "until": until[second].astype("int64"),
            "better": better[at],
        },
        copy=False,
    )


def _by_person_item_date(person, item, date, line, n_items: int) -> np.ndarray:
    """The answers' order by (person, item, date, line). The rows come in file order (lines
    increasing), so one stable sort of (person, item, date) packed into an int64 gives it
    (a third of the time of sorting four keys); otherwise, or if they do not fit, four keys."""
    if len(line) and (np.diff(line) > 0).all() and date.min() > np.iinfo(np.int64).min:
        at = date - date.min()
        width, people = int(at.max()) + 1, int(person.max()) + 2
        if people * (n_items + 2) < 2**62 // width:
            packed = ((person + 1) * (n_items + 2) + (item + 1)) * width + at
            return np.argsort(packed, kind="stable")
    return np.lexsort((line, date, item, person))


def _placed(ctx: Context, runs, st: pd.DataFrame, n_items: int) -> list[tuple]:
    """Per period kind: each (active run, state) of the same person that overlap, placed in
    the arrays of the two tallies (they share a shape) once for every pass, as
    (placement, persons, betters) – independent of the record keys.

    The pairs are made, reduced and placed a part at a time (``PlacedParts``): the whole join
    (19 million pairs over a national batch's periods) is never held as pairs, only as
    positions, and never copied into one array."""
    like = Tally(ctx.n_groups, n_items, ctx.kons)
    out = []
    s_person, item = st["person"].to_numpy(), st["item"].to_numpy()
    s_m, s_until, s_better = st["m"].to_numpy(), st["until"].to_numpy(), st["better"].to_numpy()
    matches = PersonMatches(s_person)  # the states' persons sorted once for every kind
    for kind, (lo, hi, cell, person, first, last) in runs.by_kind.items():
        if kind == "ackumulerat":
            s_first, s_last = s_m, s_until
        else:
            # a state over months [m, until] holds at the end of period n iff that end lies in it
            length = KINDS[kind]
            s_first = -((-(s_m - length + 1)) // length)
            s_last = (s_until - length + 1) // length
        groups = runs.groups(cell)
        parts, persons, betters = [], [], []
        for i, j in same_person_parts(person, matches, BATCH):
            f = np.maximum(first[i], s_first[j])
            t = np.minimum(last[i], s_last[j])
            # a pair that holds at no requested position counts nowhere (the tallies would
            # drop it in every pass): kept are the others, in their order
            hold = np.flatnonzero(np.maximum(f, lo) <= np.minimum(t, hi))
            i, j = i[hold], j[hold]
            who = person[i]
            kon = ctx.person_kon[who]
            parts.append(like.place(kind, lo, hi, groups[i], item[j], kon, f[hold], t[hold]))
            persons.append(who)
            betters.append(s_better[j].astype(bool, copy=False))
        out.append((PlacedParts(parts), persons, betters))
    return out


def _intersect(ctx: Context, placed: list[tuple], n_items: int) -> tuple[Tally, Tally]:
    """Population (≥ 2 answers while active) and numerator (improved), per item: the placed
    pairs counted (``ctx.key``: their persons' keys summed)."""
    population = Tally(ctx.n_groups, n_items, ctx.kons)
    improved = Tally(ctx.n_groups, n_items, ctx.kons)
    for placement, persons, betters in placed:
        keys = [None if ctx.key is None else ctx.key[who] for who in persons]
        placement.add(population, keys)
        placement.add(
            improved, [b if k is None else b * k for b, k in zip(betters, keys, strict=True)]
        )
    return population, improved


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    items = ds.config.instrument
    codes = [i.code for i in items]
    runs = active(ctx, ds)
    n_items = max(len(codes), 1)
    placed = ctx.once("instrument", lambda: _placed(ctx, runs, states(ctx, ds), n_items))
    population, improved = _intersect(ctx, placed, n_items)
    out = []
    if "forbattring" in wanted:
        out.append(rows(ctx, "forbattring", improved, codes, population))
    if "matning_saknas" in wanted:
        out.append(rows(ctx, "matning_saknas", tally_runs(ctx, runs).minus_from(population), codes))
    for n, item in enumerate(items):
        if not item.indicator or item.indicator not in wanted:
            continue
        if item.judged == "vid_avslut":
            num, den = at_exit(ctx, ds, item)
            out.append(rows(ctx, item.indicator, num, denominator=den))
        else:
            out.append(
                rows(ctx, item.indicator, improved.select(n), denominator=population.select(n))
            )
    return out


def at_exit(ctx: Context, ds: Dataset, item) -> tuple[Tally, Tally]:
    """An item judged at exit: among those who ended (each person's latest enrolment ending
    in the period), those with an answer at exit (their latest answer from the enrolment's
    start to ``exit_window_days`` after its end), and of them those whose answer is at least
    ``success_from``."""
    e = ended(ds)
    ans = ds.tables["matningar"]
    ans = ans[(ans["fraga"] == item.code).to_numpy()]
    person_a = ctx.persons(ans["person"])
    order = lex_order((ans["_line"].to_numpy(), days(ans["datum"]), person_a))
    packed = pack_day(person_a[order], days(ans["datum"])[order])  # sorted: (person, day)
    person_e = ctx.persons(e["person"]).astype("int64")
    until = days(e["slut"]) + item.exit_window_days
    j = np.searchsorted(packed, pack_day(person_e, until), side="right") - 1
    jj = np.maximum(j, 0)
    found = (j >= 0) & (person_e >= 0) & (len(packed) > 0)
    if len(packed):
        who, day = unpack_day(packed[jj])
        found &= who == person_e
        found &= day >= days(e["start"])
    value = ans["varde"].to_numpy()[order][jj] if len(packed) else np.zeros(len(e))
    has = found.astype("float64")
    success = has * (value >= item.success_from)
    latest = exits(ctx, ds)
    return latest.tally(success), latest.tally(has)
