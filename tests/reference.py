"""A slow, literal reading of indicators.md, person by person, for comparison in tests.

Nothing here is shared with the engine: sets and loops instead of interval arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum import luhn

from indikator.ids import ERRORS  # the messages only; the rules are written out below


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
                # a full tie (same end and start, two delprojekt) goes to the later row
                if cur is None or (e.end, e.start) >= (cur.end, cur.start):
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


@dataclass
class Answer:
    person: str
    date: dt.date
    item: str
    value: int


@dataclass
class FollowUp:
    person: str
    point: str  # 90D / 6M / 12M
    end: dt.date  # the enrolment's slutdatum
    status: str


@dataclass
class Referral:
    date: dt.date
    dp: str
    remittent: str
    utfall: str
    kon: str | None


@dataclass
class OrgRow:
    aktivitet: str
    date: dt.date
    dp: str | None
    typ: str
    myndighet: str


def add_months(d: dt.date, n: int) -> dt.date:
    import calendar

    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def point_of(end: dt.date, t: str) -> dt.date:
    return end + dt.timedelta(days=90) if t == "90D" else add_months(end, 6 if t == "6M" else 12)


def more_figures(
    enrolments, answers, followups, referrals, orgrows, groups, a, b, work_after, info_types
):
    kon = person_kon(enrolments)
    out = {}

    def split(persons, key):
        out[(key[0], key[1], "T", *key[2:])] = len(persons)
        for k in "KM":
            out[(key[0], key[1], k, *key[2:])] = sum(1 for p in persons if kon[p] == k)

    for g in [*groups, "TOTALT"]:
        es = [e for e in enrolments if g == "TOTALT" or e.dp == g]
        active = {e.person for e in es if e.start <= b and (e.end is None or e.end >= a)}
        for item in ("STEG", "MAKT"):
            pop, better, few = set(), set(), set()
            for p in active:
                mine = sorted(
                    (x for x in answers if x.person == p and x.item == item), key=lambda x: x.date
                )
                upto = [x for x in mine if x.date <= b]
                if len(upto) >= 2:
                    pop.add(p)
                    if upto[-1].value > mine[0].value:
                        better.add(p)
                else:
                    few.add(p)
            split(pop, ("forbattring_namnare", g, item))
            split(better, ("forbattring", g, item))
            split(few, ("matning_saknas", g, item))
        for t in ("90D", "6M", "12M"):
            judged = {}
            for e in es:
                if e.end is None:
                    continue
                pt = point_of(e.end, t)
                if a <= pt <= b:
                    cur = judged.get(e.person)
                    if cur is None or (pt, e.end, e.start) >= (
                        point_of(cur.end, t),
                        cur.end,
                        cur.start,
                    ):
                        judged[e.person] = e
            have = {
                p: next(
                    (f for f in followups if f.person == p and f.point == t and f.end == e.end),
                    None,
                )
                for p, e in judged.items()
            }
            split({p for p, f in have.items() if f}, ("uppfoljda", g, t))
            split(
                {p for p, f in have.items() if f and f.status in work_after},
                ("andel_arbete_studier_" + t.lower(), g),
            )
            split({p for p, f in have.items() if not f}, ("uppfoljning_saknas_" + t.lower(), g))
        # referrals: events, kön from the referral
        for m in ("AF", "FK", "KOMMUN"):
            rs = [
                r
                for r in referrals
                if (g == "TOTALT" or r.dp == g) and r.remittent == m and a <= r.date <= b
            ]
            for k in ("K", "M", "T"):
                mine = [r for r in rs if k == "T" or r.kon == k]
                out[("remisser", g, k, m)] = len(mine)
                out[("remisser_inskrivna", g, k, m)] = sum(r.utfall == "INSKRIVEN" for r in mine)
        # organisation: T only; no delprojekt = TOTALT only
        rows = [o for o in orgrows if (g == "TOTALT" or o.dp == g) and a <= o.date <= b]
        for m in ("AF", "FK", "KOMMUN"):
            out[("infoinsatser", g, "T", m)] = len(
                {o.aktivitet for o in rows if o.myndighet == m and o.typ in info_types}
            )
        for typ in ("INFO_MUNTLIG", "INFO_SKRIFTLIG", "WORKSHOP"):
            ids = {o.aktivitet for o in rows if o.typ == typ}
            out[("sammankomster_flera_myndigheter", g, "T", typ)] = sum(
                1 for i in ids if len({o.myndighet for o in rows if o.aktivitet == i}) >= 2
            )
    return out


# ---------------------------------------------------------------------------------------------
# ESF common indicators, person by person (reporting.md §1), written out from the text.


@dataclass
class EsfRow:
    """One enrolment with what the ESF indicators read; ``born`` from the personnummer."""

    person: str
    kon: str | None
    dp: str
    start: dt.date
    end: dt.date | None
    reason: str | None
    before: str | None = None  # sysselsattning_fore
    after: str | None = None  # sysselsattning_efter
    level: str | None = None  # utbildningsniva
    since: dt.date | None = None  # arbetslos_sedan
    disability: bool | None = None
    foreign: bool | None = None
    qualification: bool | None = None
    born: dt.date | None = None
    year: int | None = None  # fodelsear


def esf_age(born: dt.date | None, year: int | None, at: dt.date) -> int | None:
    if born is not None:
        return at.year - born.year - ((at.month, at.day) < (born.month, born.day))
    return None if year is None else at.year - year


def esf_figures(rows: list[EsfRow], six_months: dict, config, a: dt.date, b: dt.date) -> dict:
    """{(code, group, kon): persons} for the window [a, b]; ``six_months`` maps
    (person, slutdatum) to the 6M follow-up's sysselsättning."""
    esf = config.esf
    bands = {c.code: c.isced for c in config.codes.utbildningsniva}
    status_groups = {k: {c.upper() for c in v} for k, v in esf.status.items()}
    kons = ["K", "M", "X"] if esf.programme == "2021-2027" else ["K", "M"]
    kon: dict[str, str | None] = {}
    for r in sorted(rows, key=lambda r: r.start):  # the latest enrolment with a kön decides
        kon.setdefault(r.person, None)
        if r.kon:
            kon[r.person] = r.kon
    out = {}
    for g in [*config.delprojekt_codes, "TOTALT"]:
        mine: dict[str, list[tuple[int, EsfRow]]] = {}
        for r in rows:
            if g == "TOTALT" or r.dp == g:
                # a tie on the same day goes to the delprojekt listed first
                mine.setdefault(r.person, []).append((config.delprojekt_codes.index(r.dp), r))
        counted: dict[str, set[str]] = {ind.code: set() for ind in esf.indicators}
        for person, enrolments in mine.items():
            entry = min(enrolments, key=lambda x: (x[1].start, x[0]))[1]
            exit_ = None
            if all(r.end is not None for _, r in enrolments):
                exit_ = max(enrolments, key=lambda x: (x[1].end, x[1].start, -x[0]))[1]
            age = esf_age(entry.born, entry.year, entry.start)
            status = {name for name, codes in status_groups.items() if entry.before in codes}
            if not status & {"arbetslos", "inaktiv", "sysselsatt"}:
                status.add("okand")
            months = 12 if age is None or age >= 25 else 6
            long_term = entry.since is not None and entry.start > add_months(entry.since, months)
            for ind in esf.indicators:
                if ind.at == "start":
                    if not a <= entry.start <= b:
                        continue
                elif exit_ is None or not a <= exit_.end <= b:
                    continue
                ok = True
                if ind.status:
                    ok &= bool(status & set(ind.status))
                if ind.langtidsarbetslos:
                    ok &= long_term
                if ind.alder_min is not None:
                    ok &= age is not None and age >= ind.alder_min
                if ind.alder_max is not None:
                    ok &= age is not None and age <= ind.alder_max
                if ind.alder_okand:
                    ok &= age is None
                if ind.isced:
                    ok &= bands.get(entry.level) == ind.isced
                if ind.ja == "funktionsnedsattning":
                    ok &= entry.disability is True
                if ind.ja == "utlandsk_bakgrund":
                    ok &= entry.foreign is True
                if ind.ja == "kvalifikation":
                    ok &= exit_.qualification is True
                follow = six_months.get((person, exit_.end)) if exit_ else None
                if ind.efter and ind.at == "avslut":
                    o = esf.efter[ind.efter]
                    ok &= exit_.reason in o.avslutsorsak or exit_.after in o.sysselsattning
                if ind.efter and ind.at == "6M":
                    ok &= follow in esf.efter[ind.efter].sysselsattning
                if ind.uppfoljning_saknas:
                    ok &= follow is None
                if ok:
                    counted[ind.code].add(person)
        for code, persons in counted.items():
            out[(code, g, "T")] = len(persons)
            for k in kons:
                out[(code, g, k)] = sum(1 for p in persons if kon[p] == k)
    return out


# ---------------------------------------------------------------------------------------------
# Identity, one value at a time with python-stdnum's Luhn: the oracle for ids.check_unique_ids.

_PNR12 = re.compile(r"^(\d{8})[-+]?(\d{4})$", re.ASCII)
_PNR10 = re.compile(r"^(\d{6})([-+]?)(\d{4})$", re.ASCII)
_FLOAT = re.compile(r"^\d{7,}[.,]\d*$", re.ASCII)
_SCIENTIFIC = re.compile(r"^\d([.,]\d+)?[eE]\+?(8|9|10|11|12)$", re.ASCII)
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
MAX_PSEUDONYM = 64


def _birth(year: int, month: int, day: int) -> tuple[dt.date | None, bool]:
    """Birth date and whether it is a samordningsnummer (day + 60)."""
    coordination = day > 60
    try:
        return dt.date(year, month, day - 60 if coordination else day), coordination
    except ValueError:
        return None, coordination


def _blank(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


def _date_like(ten: str) -> bool:
    month, day = int(ten[2:4]), int(ten[4:6])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def check_id_literal(
    value: str, ref: dt.date
) -> tuple[str | None, str | None, dt.date | None, str | None]:
    """Return (normalised id, kön, birth date, error) for one distinct raw id.

    Spaces of any kind are dropped and any dash is a hyphen; then a personnummer shape
    normalises to ``YYYYMMDDNNNN``; a number in Excel's notation, or 7–12 digits with only
    punctuation, is an error; anything else of 1–64 printable characters is a pseudonym kept
    as written (dashes made hyphens).
    """
    raw = value.strip()
    if not raw:
        return None, None, None, "deltagare_id saknas"
    hyphens = "".join("-" if ch in DASHES else ch for ch in raw)
    compact = "".join(ch for ch in hyphens if not _blank(ch))
    m12, m10 = _PNR12.match(compact), _PNR10.match(compact)
    if m12:
        date_part, serial = m12.group(1), m12.group(2)
        year, month, day = int(date_part[:4]), int(date_part[4:6]), int(date_part[6:8])
        born, _ = _birth(year, month, day)
    elif m10:
        date_part, sign, serial = m10.group(1), m10.group(2), m10.group(3)
        yy, month, day = int(date_part[:2]), int(date_part[2:4]), int(date_part[4:6])
        year = (ref.year // 100) * 100 + yy
        born, _ = _birth(year, month, day)
        if born is not None and born > ref:
            year -= 100
        if sign == "+":
            year -= 100
        born, _ = _birth(year, month, day)
        date_part = f"{year:04d}{month:02d}{day:02d}"
    else:
        if _FLOAT.match(compact) or _SCIENTIFIC.match(compact):
            return None, None, None, ERRORS["id_tal"]
        digits = [ch for ch in compact if ch in "0123456789"]
        if set(compact) <= set("0123456789-+.,/:") and 7 <= len(digits) <= 12:
            ten = compact.zfill(10)
            lost = compact.isdigit() and len(compact) <= 9 and _date_like(ten)
            if lost and luhn.is_valid(ten):
                return None, None, None, ERRORS["id_nollor"]
            return None, None, None, ERRORS["id_form"]
        if any(_blank(ch) or not ch.isprintable() for ch in raw):
            return None, None, None, "deltagare_id innehåller blanksteg eller osynliga tecken"
        if len(raw) > MAX_PSEUDONYM:
            return None, None, None, f"deltagare_id är längre än {MAX_PSEUDONYM} tecken"
        return hyphens, None, None, None
    if born is None:
        return None, None, None, "personnumret har ett omöjligt datum"
    if not luhn.is_valid(date_part[2:] + serial):
        return None, None, None, "personnumret har fel kontrollsiffra"
    kon = "M" if int(serial[2]) % 2 else "K"
    return date_part + serial, kon, born, None
