"""A slow, literal reading of indicators.md, person by person, for comparison in tests.

Nothing here is shared with the engine: sets and loops instead of interval arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class Enrolment:
    person: str
    kon: str | None
    dp: str
    start: dt.date
    end: dt.date | None
    reason: str | None


@dataclass
class Activity:
    person: str
    date: dt.date
    typ: str
    dp: str
    hours: float | None


def person_kon(enrolments: list[Enrolment]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for e in sorted(enrolments, key=lambda e: e.start):
        out.setdefault(e.person, None)
        if e.kon:
            out[e.person] = e.kon
    return out


def figures(enrolments, activities, groups, work_reasons, a: dt.date, b: dt.date):
    """{(indicator, group, kon[, dim]): value} for the window [a, b]."""
    kon = person_kon(enrolments)
    out = {}

    def split(persons, key):
        out[(*key[:1], key[1], "T", *key[2:])] = len(persons)
        for k in "KM":
            out[(*key[:1], key[1], k, *key[2:])] = sum(1 for p in persons if kon[p] == k)

    for g in [*groups, "TOTALT"]:
        es = [e for e in enrolments if g == "TOTALT" or e.dp == g]
        acts = [x for x in activities if g == "TOTALT" or x.dp == g]
        split(
            {e.person for e in es if e.start <= b and (e.end is None or e.end >= a)},
            ("deltagare_aktiva", g),
        )
        split({e.person for e in es if a <= e.start <= b}, ("deltagare_nya", g))
        judged: dict[str, Enrolment] = {}
        for e in es:
            if e.end is not None and a <= e.end <= b:
                cur = judged.get(e.person)
                if cur is None or (e.end, e.start) > (cur.end, cur.start):
                    judged[e.person] = e
        split(set(judged), ("deltagare_avslutade", g))
        split(
            {p for p, e in judged.items() if e.reason in work_reasons}, ("andel_arbete_studier", g)
        )
        for k in ("K", "M", "T"):
            days = [(e.end - e.start).days for p, e in judged.items() if k == "T" or kon[p] == k]
            out[("inskrivningstid_medel_dagar", g, k)] = sum(days) / len(days) if days else None
        in_window = [x for x in acts if a <= x.date <= b]
        split({x.person for x in in_window}, ("fatt_insats", g))
        for typ in {x.typ for x in activities}:
            split({x.person for x in in_window if x.typ == typ}, ("insats", g, typ))
        for k in ("K", "M", "T"):
            out[("deltagartimmar", g, k)] = sum(
                (x.hours or 0) for x in in_window if k == "T" or kon[x.person] == k
            )
    return out
