"""ESF common indicators for participants: one person per project, characteristics at entry,
results upon leaving and six months after (the configuration's ``[esf]``).

Per group (each delprojekt, and TOTALT over all of them) a person is one participant: entry
is the first startdatum, exit the last slutdatum when none of the person's enrolments is
still open. Characteristics come from the first enrolment's row, results from the last one's
row and its 6M follow-up. A figure counts participants whose entry (output indicators) or
exit (result indicators) falls in the period, or in the project so far (ackumulerat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..coding import category_codes, lex_order, person_days
from ..dataset import Dataset
from ..esf_config import (
    LONG_TERM_MONTHS,
    LONG_TERM_MONTHS_YOUNG,
    UNKNOWN_STATUS,
    YOUNG_BELOW,
    EsfIndicator,
)
from .engine import Context, add_months, kon_codes, months, tally_events
from .followup import matched
from .tidy import rows


@dataclass
class Participants:
    """One row per (group, person): the rows of deltagare that hold the entry and the exit."""

    group: np.ndarray
    person: np.ndarray
    entry: np.ndarray  # row of the first enrolment
    exit: np.ndarray  # row of the last enrolment; -1 while an enrolment is open


def participants(ctx: Context, dl: pd.DataFrame) -> Participants:
    """Each person's entry and exit per group, TOTALT over every delprojekt: two sorts of the
    enrolments, no loop over persons."""
    n = len(dl)
    grp = np.concatenate([ctx.group_index(dl["delprojekt"]), np.full(n, ctx.totalt)])
    row = np.concatenate([np.arange(n), np.arange(n)])
    keep = grp >= 0
    grp, row = grp[keep], row[keep]
    person = ctx.persons(dl["person"])[row]
    start = _sortable(dl["start"])[row]
    slut = _sortable(dl["slut"])[row]
    is_open = np.isnat(dl["slut"].to_numpy(dtype="datetime64[s]"))[row]
    # Ties (the same day in two delprojekt, in TOTALT) go to the delprojekt listed first in
    # the configuration, whatever the order of the rows: entry is the first enrolment by
    # (startdatum, delprojekt), exit the last by slutdatum, then startdatum.
    order = ctx.group_index(dl["delprojekt"])[row]
    first = lex_order((order, start, person, grp))
    last = lex_order((-order, start, slut, person, grp))
    g, p = grp[first], person[first]
    change = (g[1:] != g[:-1]) | (p[1:] != p[:-1])
    head = np.flatnonzero(np.concatenate([[True], change])) if len(g) else np.arange(0)
    tail = np.append(head[1:], len(first)) - 1 if len(head) else head  # no enrolment: none
    still_open = np.maximum.reduceat(is_open[last], head) if len(head) else is_open[:0]
    exit_row = np.where(still_open, -1, row[last][tail])
    return Participants(g[head], p[head], row[first][head], exit_row)


def _sortable(dates: pd.Series) -> np.ndarray:
    """Dates as int64 seconds for sorting, a missing one (an open enrolment) after every date:
    one day after the latest, so that the keys stay narrow enough to be packed (``lex_order``)."""
    d = dates.to_numpy(dtype="datetime64[s]")
    nat = np.isnat(d)
    seconds = d.view("int64")
    after = int(seconds[~nat].max()) + 86_400 if (~nat).any() else 0
    return np.where(nat, after, seconds)


def age_at(dl: pd.DataFrame, rows_: np.ndarray) -> np.ndarray:
    """Age at the enrolment's startdatum: completed years from the personnummer's birth date,
    else startår − födelseår; NaN when neither is known (never guessed)."""
    start = pd.DatetimeIndex(dl["start"].to_numpy()[rows_])
    born = pd.DatetimeIndex(dl["born"].to_numpy(dtype="datetime64[s]")[rows_])
    before_birthday = (start.month < born.month) | (
        (start.month == born.month) & (start.day < born.day)
    )
    exact = (start.year - born.year - before_birthday.astype(int)).to_numpy(dtype="float64")
    exact = np.where(born.isna(), np.nan, exact)
    year = dl["fodelsear"].to_numpy(dtype="float64")[rows_]
    return np.where(np.isnan(exact), start.year.to_numpy(dtype="float64") - year, exact)


class Coded:
    """One value per participant, as codes of the distinct values: a condition asks the few
    distinct values whether they are among its codes, not every participant (``isin`` on a
    Series of objects made every participant's string an Arrow string again, once per
    indicator: most of the family's time)."""

    def __init__(self, codes: np.ndarray, distinct) -> None:
        self.codes, self.distinct = codes, distinct  # -1: no value, never among any codes

    @classmethod
    def of(cls, values, rows: np.ndarray | None = None, present: np.ndarray | None = None):
        """The values (a column, at ``rows``; an array) where ``present`` holds: a
        categorical's own codes, else codes made for them (None and NaN: -1)."""
        if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
            codes = category_codes(values)
            distinct = values.cat.categories.to_numpy(dtype=object)
        else:
            codes, distinct = pd.factorize(np.asarray(values, dtype=object))
        if rows is not None:
            codes = codes[rows]
        if present is not None:
            codes = np.where(present, codes, -1)
        return cls(codes, distinct)

    def isin(self, wanted: set) -> np.ndarray:
        hit = np.array([v in wanted for v in self.distinct] + [False], dtype=bool)
        return hit[self.codes]  # code -1 takes the last: False

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0


class Traits:
    """What the conditions of an indicator read, one value per participant."""

    def __init__(self, ctx: Context, ds: Dataset, dl: pd.DataFrame, who: Participants):
        esf = ds.config.esf
        at_entry = who.entry
        has_exit = who.exit >= 0
        at_exit = np.where(has_exit, who.exit, 0)
        before = Coded.of(dl["sysselsattning_fore"], at_entry)
        self.status = {
            name: before.isin({c.upper() for c in codes}) for name, codes in esf.status.items()
        }
        known = np.zeros(len(at_entry), dtype=bool)
        for name in ("arbetslos", "inaktiv", "sysselsatt"):
            known |= self.status.get(name, known)
        self.status[UNKNOWN_STATUS] = ~known
        self.age = age_at(dl, at_entry)
        self.long_term = self._long_term(dl, at_entry)
        bands = {c.code: c.isced for c in ds.config.codes.utbildningsniva}
        level = Coded.of(dl["utbildningsniva"], at_entry)
        self.isced = {  # ISCED band -> whether the level at entry is in it
            band: level.isin({c for c, b in bands.items() if b == band})
            for band in {b for b in bands.values() if b}
        }
        self.yes = {
            c: dl[c].to_numpy(dtype="float64")[at_entry] == 1.0
            for c in ("funktionsnedsattning", "utlandsk_bakgrund")
        }
        self.yes["kvalifikation"] = has_exit & (
            dl["kvalifikation"].to_numpy(dtype="float64")[at_exit] == 1.0
        )
        self.reason = Coded.of(dl["avslutsorsak"], at_exit, has_exit)
        self.after = Coded.of(dl["sysselsattning_efter"], at_exit, has_exit)
        self.follow_up = self._follow_up(ctx, ds, dl, who, has_exit, at_exit)

    @staticmethod
    def _long_term(dl: pd.DataFrame, at_entry: np.ndarray) -> np.ndarray:
        """Unemployed at entry for more than 12 months (more than 6 when below 25); an
        unknown age needs the 12 months, which hold at any age."""
        since = dl["arbetslos_sedan"].iloc[at_entry].reset_index(drop=True)
        start = dl["start"].iloc[at_entry].reset_index(drop=True)
        known = since.notna().to_numpy()
        filled = since.fillna(start)
        young = age_at(dl, at_entry) < YOUNG_BELOW
        long_ago = (start > add_months(filled, LONG_TERM_MONTHS)).to_numpy()
        young_ago = (start > add_months(filled, LONG_TERM_MONTHS_YOUNG)).to_numpy()
        return known & np.where(young, young_ago, long_ago)

    @staticmethod
    def _follow_up(ctx: Context, ds: Dataset, dl, who: Participants, has_exit, at_exit) -> Coded:
        """The 6M follow-up's sysselsättning of the exit's enrolment (missing: none), matched
        as the follow-up indicators match it (``followup.matched``)."""
        if not ds.has("uppfoljningar"):
            return Coded.of(np.full(len(at_exit), None, dtype=object))
        mine = person_days(who.person, dl["slut"].iloc[at_exit])  # the exit is the person's
        status = matched(ctx, ds.tables["uppfoljningar"], mine, "6M")
        return Coded.of(status["sysselsattning"], present=has_exit)


def counted(ind: EsfIndicator, esf, t: Traits, has_exit: np.ndarray) -> np.ndarray:
    """Which participants an indicator counts (before placing them in periods)."""
    ok = np.ones(len(t.age), dtype=bool) if ind.at == "start" else has_exit.copy()
    if ind.status:
        any_of = np.zeros(len(ok), dtype=bool)
        for s in ind.status:
            any_of |= t.status[s]
        ok &= any_of
    if ind.langtidsarbetslos:
        ok &= t.long_term
    if ind.alder_min is not None:
        ok &= t.age >= ind.alder_min  # NaN (unknown) is never within a range
    if ind.alder_max is not None:
        ok &= t.age <= ind.alder_max
    if ind.alder_okand:
        ok &= np.isnan(t.age)
    if ind.isced:
        ok &= t.isced.get(ind.isced, False)  # a band no code has: nobody
    if ind.ja:
        ok &= t.yes[ind.ja]
    if ind.efter:
        o = esf.efter[ind.efter]
        work = {c.upper() for c in o.sysselsattning}
        if ind.at == "avslut":
            reasons = {c.upper() for c in o.avslutsorsak}
            ok &= t.reason.isin(reasons) | t.after.isin(work)
        else:
            ok &= t.follow_up.isin(work)
    if ind.uppfoljning_saknas:
        ok &= t.follow_up.missing
    return ok


def compute(ctx: Context, ds: Dataset, wanted: set[str]) -> list:
    chosen = [i for i in ds.config.esf.indicators if i.id in wanted]
    kons = ctx.indicators[chosen[0].id].kons
    key = "esf " + " ".join(i.id for i in chosen)  # the events of exactly these indicators
    grp, kon, dim, month, persons = ctx.once(key, lambda: _events(ctx, ds, chosen, kons))
    tally = tally_events(
        ctx,
        grp,
        kon,
        dim,
        month,
        None if ctx.key is None else ctx.key[persons],  # the cell key: Σ the persons' keys
        len(chosen),
        kons,
    )
    return [rows(ctx, ind.id, tally.select(d), kons=kons) for d, ind in enumerate(chosen)]


def _events(ctx: Context, ds: Dataset, chosen: list, kons: tuple[str, ...]) -> tuple:
    """Each participant each indicator counts, as an event at its month: (group, kön,
    indicator, month, person) – independent of the record keys, so built once for the
    cell-key method's two passes."""
    esf = ds.config.esf
    dl = ds.tables["deltagare"]
    who = participants(ctx, dl)
    traits = Traits(ctx, ds, dl, who)
    has_exit = who.exit >= 0
    entry_month = months(dl["start"].iloc[who.entry])
    exit_month = np.where(has_exit, months(dl["slut"].iloc[np.where(has_exit, who.exit, 0)]), 10**7)
    kon = kon_codes(ds.persons["kon"], kons)[who.person]
    grp, dim, month, k = [], [], [], []
    masks = [counted(ind, esf, traits, has_exit) for ind in chosen]
    for d, ind in enumerate(chosen):
        hit = np.flatnonzero(masks[d])
        grp.append(who.group[hit])
        dim.append(np.full(len(hit), d))
        month.append((entry_month if ind.at == "start" else exit_month)[hit])
        k.append(kon[hit])
    persons = np.concatenate([who.person[np.flatnonzero(m)] for m in masks])
    return (
        np.concatenate(grp),
        np.concatenate(k),
        np.concatenate(dim),
        np.concatenate(month),
        persons,
    )
