"""ESF common indicators (reporting.md §1), counted by hand on a register small enough to
reason about, in both programme periods; the engine against the literal reference on
generated registers; and the invariants (status parts add up, results ≤ exits, ackumulerat ≥
period, K + M (+ X) ≤ T)."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import EsfRow, check_id_literal, esf_figures
from stdnum import luhn

from indikator.config import Config, load_config
from indikator.dataset import load_dataset
from indikator.indicators import exact_figures
from indikator.locations import bundled_configs
from indikator.periods import parse_period

MIA = load_config("mia")
ESF_PLUS = load_config("esfplus")
COLUMNS = [
    "deltagare_id",
    "kon",
    "fodelsear",
    "delprojekt",
    "startdatum",
    "slutdatum",
    "avslutsorsak",
    "sysselsattning_fore",
    "sysselsattning_efter",
    "utbildningsniva",
    "arbetslos_sedan",
    "funktionsnedsattning",
    "utlandsk_bakgrund",
    "kvalifikation",
]


def pnr(born: str, serial: int, kon: str) -> str:
    """A valid personnummer: YYYYMMDD, a serial whose last digit says kön, the check digit."""
    digits = f"{serial:02d}{1 if kon == 'M' else 2}"
    body = born[2:] + digits
    return f"{born}-{digits}{luhn.calc_check_digit(body)}"


def shifted(d: str, years: int) -> str:
    return "" if not d else f"{int(d[:4]) + years}{d[4:]}"


def register(years: int, groups: tuple[str, str], levels: dict[str, str]):
    """The hand-counted register, ``years`` later (ESF+: six years, NORD/SYD for OS/BHS);
    ``levels`` maps the education of D (no compulsory school: ISCED 0) to the list's code."""
    OS, BHS = groups  # noqa: N806 - the delprojekt as the comments name them
    y = years

    def p(born, serial, kon):
        return pnr(shifted(born, y), serial, kon)

    # fmt: off
    people = [
        # A: K, 25 on the day of entry (not below 25); unemployed exactly 12 months (not
        # long-term); ISCED 3–4; foreign background; leaves to work, qualification, 6M: work
        [p("19930315", 10, "K"), "", "", OS, "2018-03-15", "2018-10-01", "ARBETE", "ARBETSSOKANDE", "ARBETE", "GYMNASIAL", "2017-03-15", "nej", "ja", "ja"],
        # B: M, 24 at entry; unemployed since 2017-09-01: over 6 months and below 25, so
        # long-term; ISCED 1–2 (0–2); disability; still enrolled
        [p("19930316", 11, "M"), "", "", OS, "2018-03-15", "", "", "ARBETSSOKANDE", "", "FORGYMNASIAL", "2017-09-01", "ja", "nej", ""],
        # C: K, 54 at entry (birthday the next day); inactive not in education; ISCED 5–8;
        # leaves job searching; no 6M follow-up
        [p("19630601", 12, "K"), "", "", OS, "2018-05-31", "2018-12-31", "ARBETSSOKANDE", "INGEN", "ARBETSSOKANDE", "EFTERGYMNASIAL", "", "", "", ""],
        # D: M, 55 at entry; on sick leave (inactive not in education); no compulsory school;
        # disability and foreign background; leaves to studies; 6M: work
        [p("19630601", 13, "M"), "", "", OS, "2018-06-01", "2018-08-31", "STUDIER", "SJUKSKRIVEN", "STUDIER", levels["D"], "", "ja", "ja", "nej"],
        # E: anonymous K born (fodelsear) 2000: 18 at entry; studies (inactive, in
        # education); leaves and comes back, still enrolled: no exit
        ["ANON-E", "K", str(2000 + y), OS, "2018-02-01", "2018-04-30", "AVHOPP", "STUDIER", "", "OKAND", "", "", "", ""],
        ["ANON-E", "K", str(2000 + y), OS, "2019-01-15", "", "", "STUDIER", "", "OKAND", "", "", "", ""],
        # F: anonymous, non-binary (X), no birth year: age unknown; status unknown; leaves to
        # work (by avslutsorsak only), no 6M follow-up
        ["ANON-F", "X", "", BHS, "2018-09-01", "2018-11-30", "ARBETE", "", "", "", "", "", "", ""],
        # G: M, enters in 2017 employed, leaves, comes back in 2018 and leaves to work: one
        # participant, entry 2017-05-01, exit 2018-06-30 (qualification on the last row); the
        # 6M follow-up of the last enrolment says INGEN (the first one's STUDIER is not his)
        [p("19800110", 14, "M"), "", "", OS, "2017-05-01", "2017-12-31", "ARBETSSOKANDE", "ARBETE", "", "GYMNASIAL", "", "nej", "ja", "nej"],
        [p("19800110", 14, "M"), "", "", OS, "2018-04-01", "2018-06-30", "ARBETE", "PROGRAM", "ARBETE", "GYMNASIAL", "", "nej", "nej", "ja"],
        # H: K, 27, in OS (open, programme: unemployed, no date) and in BHS at the same time
        # (left to work): BHS has an exit, TOTALT none
        [p("19900202", 15, "K"), "", "", OS, "2018-01-10", "", "", "PROGRAM", "", "", "", "nej", "nej", ""],
        [p("19900202", 15, "K"), "", "", BHS, "2018-01-20", "2018-05-31", "ARBETE", "ARBETSTRANING", "ARBETE", "", "", "nej", "nej", ""],
        # J: M, 30 at entry; unemployed 12 months and a day: long-term
        [p("19880701", 16, "M"), "", "", OS, "2018-07-01", "", "", "ARBETSTRANING", "", "", "2017-06-30", "nej", "nej", ""],
        # K: K, 29 at entry (birthday the next day); employed
        [p("19880702", 17, "K"), "", "", OS, "2018-07-01", "", "", "ARBETE", "", "", "", "", "", ""],
        # L: anonymous K born 2001: 17 at entry; studies; disability
        ["ANON-L", "K", str(2001 + y), OS, "2018-10-01", "", "", "STUDIER", "", "", "", "ja", "nej", ""],
    ]
    # fmt: on
    deltagare = [
        [shifted(v, y) if COLUMNS[i] in DATES else v for i, v in enumerate(row)] for row in people
    ]
    followups = [
        [people[0][0], "6M", "ARBETE", "2018-10-01"],  # A
        [people[3][0], "6M", "ARBETE", "2018-08-31"],  # D
        [people[7][0], "6M", "STUDIER", "2017-12-31"],  # G, first enrolment
        [people[8][0], "6M", "INGEN", "2018-06-30"],  # G, last enrolment
    ]
    uppfoljningar = [[r[0], r[1], r[2], shifted(r[3], y)] for r in followups]
    return deltagare, uppfoljningar


DATES = {"startdatum", "slutdatum", "arbetslos_sedan"}


def write(folder: Path, deltagare, uppfoljningar) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deltagare.csv").write_text(
        "\n".join(";".join(r) for r in [COLUMNS, *deltagare]) + "\n", encoding="utf-8"
    )
    (folder / "uppfoljningar.csv").write_text(
        "\n".join(
            ";".join(r)
            for r in [["deltagare_id", "tidpunkt", "sysselsattning", "slutdatum"], *uppfoljningar]
        )
        + "\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def mia(tmp_path_factory):
    rows = register(0, ("OS", "BHS"), {"D": "INGEN_GRUNDSKOLA"})
    ds = load_dataset(write(tmp_path_factory.mktemp("mia"), *rows), MIA, dt.date(2020, 1, 1))
    assert ds.rejected == 0, ds.problems.to_string()
    return ds


@pytest.fixture(scope="module")
def plus(tmp_path_factory):
    rows = register(6, ("NORD", "SYD"), {"D": "FORGYMNASIAL"})
    ds = load_dataset(write(tmp_path_factory.mktemp("plus"), *rows), ESF_PLUS, dt.date(2026, 1, 1))
    assert ds.rejected == 0, ds.problems.to_string()
    return ds


def table(ds, period: str, omfang="period", group="TOTALT") -> dict[str, tuple]:
    tidy = exact_figures(ds, [parse_period(period)], [i.id for i in ds.config.esf.indicators])
    tidy = tidy[(tidy["omfang"] == omfang) & (tidy["delprojekt"] == group)]
    kons = list(dict.fromkeys(tidy["kon"]))
    out = {}
    for code in (i.code for i in ds.config.esf.indicators):
        rows = tidy[tidy["indikator"] == f"esf_{code.lower()}"].set_index("kon")
        values = [rows.loc[k, "varde"] for k in kons]
        out[code] = tuple(None if v != v else int(v) for v in values)  # None: saknar_data
    return out


# 2018, TOTALT. Entries in 2018: A B C D E F H J K L (G entered in 2017) = 10 persons;
# K: A C E H K L, M: B D J, X: F (counted in T only in 2014–2020).
# Exits in 2018: A C D F G (B E H J K L have an open enrolment; E came back, H is open in OS).
MIA_2018 = {  # (K, M, T)
    "CO01": (2, 2, 4),  # unemployed: A H | B J
    "CO02": (0, 2, 2),  # long-term: B (24, > 6 months), J (> 12 months); not A (exactly 12)
    "CO03": (3, 1, 4),  # inactive: C E L | D
    "CO04": (1, 1, 2),  # inactive not in education: C | D (E and L study)
    "CO05": (1, 0, 1),  # employed: K
    "CO06": (2, 1, 3),  # below 25: E (18) L (17) | B (24); not A (25 on the day)
    "CO07": (0, 1, 1),  # above 54: D (55); not C (54, birthday the next day)
    "CO08": (0, 1, 1),  # above 54 and unemployed or inactive not in education: D
    "CO09": (0, 1, 1),  # ISCED 1–2: B (D has no compulsory school, ISCED 0: in no band)
    "CO10": (1, 0, 1),  # ISCED 3–4: A
    "CO11": (1, 0, 1),  # ISCED 5–8: C
    "CO15": (1, 1, 2),  # foreign background: A | D
    "CO16": (1, 2, 3),  # disability: L | B D
    "DELTAGARE": (6, 3, 9),  # CO01 + CO03 + CO05 = 4 + 4 + 1
    "STATUS_OKAND": (0, 0, 1),  # F: 9 + 1 = the 10 who entered
    "ALDER_OKAND": (0, 0, 1),  # F
    "CR01": (1, 0, 1),  # inactive at entry, job searching at exit: C
    "CR02": (0, 1, 1),  # in education at exit: D
    "CR03": (1, 1, 2),  # qualification at exit: A | G (on his last enrolment)
    "CR04": (1, 1, 3),  # work at exit: A | G | F (X, by avslutsorsak); not H (open in OS)
    "CR06": (1, 1, 2),  # work 6M after: A | D; not G (his last enrolment's follow-up: INGEN)
    "CR08": (0, 1, 1),  # above 54, work 6M after: D
    "UPPFOLJNING_SAKNAS": (1, 0, 2),  # no 6M follow-up: C | F (X)
}

PLUS_2024 = {  # (K, M, X, T): the same people six years later
    "EECO01": (6, 3, 1, 10),  # everyone who entered
    "EECO02": (2, 2, 0, 4),
    "EECO03": (0, 2, 0, 2),
    "EECO04": (3, 1, 0, 4),
    "EECO05": (1, 0, 0, 1),
    "STATUS_OKAND": (0, 0, 1, 1),  # F: 4 + 4 + 1 + 1 = 10
    "EECO06": (1, 0, 0, 1),  # below 18: L (17)
    "EECO07": (4, 1, 0, 5),  # 18–29: A (25) E (18) H (27) K (29) | B (24); not J (30)
    "EECO08": (0, 1, 0, 1),  # 55 and above: D
    "ALDER_OKAND": (0, 0, 1, 1),  # F
    "EECO09": (0, 2, 0, 2),  # ISCED 0–2: B D (no compulsory school is ISCED 0–2 in ESF+)
    "EECO10": (1, 0, 0, 1),
    "EECO11": (1, 0, 0, 1),
    "EECO12": (1, 2, 0, 3),  # disability: L | B D
    "EECO14": (1, 1, 0, 2),  # foreign background: A | D
    "EECR01": (1, 0, 0, 1),  # job searching at exit (anyone): C
    "EECR02": (0, 1, 0, 1),
    "EECR03": (1, 1, 0, 2),
    "EECR04": (1, 1, 1, 3),  # A | G | F (X has a column of its own in ESF+)
    "EECR05": (1, 1, 0, 2),
    "UPPFOLJNING_SAKNAS": (1, 0, 1, 2),  # C | F
}


def test_every_2014_2020_indicator_counted_by_hand(mia):
    assert table(mia, "2018") == MIA_2018


def test_every_esf_plus_indicator_counted_by_hand(plus):
    assert table(plus, "2024") == PLUS_2024


def test_one_person_per_delprojekt_and_in_totalt(mia):
    bhs = table(mia, "2018", group="BHS")
    # BHS: H (K) and F (X) entered and left to work; H has no exit in TOTALT (open in OS)
    assert bhs["CR04"] == (1, 0, 2)
    assert bhs["CO01"] == (1, 0, 1)  # H's status in BHS: arbetsträning (unemployed)
    # cumulative: G entered in 2017, employed (K entered employed in 2018)
    acc = table(mia, "2018", "ackumulerat")
    assert acc["CO05"] == (1, 1, 2)
    assert acc["DELTAGARE"][2] + acc["STATUS_OKAND"][2] == 11
    # the period 2017 has G's entry, but no exit: he came back
    assert table(mia, "2017")["CO05"] == (0, 1, 1)
    assert table(mia, "2017")["CR04"] == (0, 0, 0)


def test_a_selection_counts_as_in_the_whole_on_the_same_dataset(tmp_path):
    # the ESF events are built once per set of indicators and kept on the dataset for the
    # cell-key method's second pass: a later, smaller selection on the same dataset must
    # build its own, and count exactly what the whole set counted for it
    rows = register(0, ("OS", "BHS"), {"D": "INGEN_GRUNDSKOLA"})
    ds = load_dataset(write(tmp_path, *rows), MIA, dt.date(2020, 1, 1))
    ids = [i.id for i in MIA.esf.indicators]
    periods = [parse_period("2018"), parse_period("2017")]
    whole = exact_figures(ds, periods, ids)
    some = [ids[3], ids[0]]
    part = exact_figures(ds, periods, some)
    want = whole[whole["indikator"].isin(some)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, want)
    assert len(part) and part["varde"].sum() > 0  # not two empty tables


def test_the_reference_agrees_on_the_hand_counted_register(mia, plus):
    for ds, period in ((mia, "2018"), (plus, "2024")):
        p = parse_period(period)
        expected = esf_figures(*_rows_of(ds.folder, ds.config), ds.config, p.start, p.end)
        got = table(ds, period)
        for code, values in got.items():
            kons = ["K", "M", "X", "T"][-len(values) :] if len(values) == 4 else ["K", "M", "T"]
            assert values == tuple(expected[(code, "TOTALT", k)] for k in kons), code


@pytest.mark.parametrize("reverse", [False, True])
def test_a_tie_goes_to_the_delprojekt_listed_first_whatever_the_row_order(tmp_path, reverse):
    # one person starting in OS (unemployed) and BHS (employed) on the same day, ending both
    # on one day: TOTALT takes OS, listed first in the configuration, for entry and exit
    who = pnr("19800110", 20, "M")
    rows = [
        [who, "", "", "OS", "2018-03-01", "2018-06-30", "ARBETE", "ARBETSSOKANDE", "ARBETE"],
        [who, "", "", "BHS", "2018-03-01", "2018-06-30", "STUDIER", "ARBETE", "STUDIER"],
    ]
    rows = [r + [""] * 5 for r in rows]
    ds = load_dataset(write(tmp_path / "d", rows[::-1] if reverse else rows, []), MIA)
    got = table(ds, "2018")
    assert (got["CO01"], got["CO05"]) == ((0, 1, 1), (0, 0, 0))  # OS: unemployed
    assert (got["CR04"], got["CR02"]) == ((0, 1, 1), (0, 0, 0))  # OS: left to work


def test_absent_columns_give_saknar_data_never_zero(tmp_path):
    rows = register(0, ("OS", "BHS"), {"D": "INGEN_GRUNDSKOLA"})
    keep = [c for c in COLUMNS if c not in ("utbildningsniva", "arbetslos_sedan")]
    folder = tmp_path / "d"
    folder.mkdir()
    deltagare = [[r[COLUMNS.index(c)] for c in keep] for r in rows[0]]
    (folder / "deltagare.csv").write_text(
        "\n".join(";".join(r) for r in [keep, *deltagare]) + "\n", encoding="utf-8"
    )
    ds = load_dataset(folder, MIA, dt.date(2020, 1, 1))
    tidy = exact_figures(ds, [parse_period("2018")], [i.id for i in MIA.esf.indicators])
    status = tidy.groupby("indikator")["status"].agg(set)
    for code in ("co02", "co09", "co10", "co11"):
        assert status[f"esf_{code}"] == {"saknar_data"}, code
    # without uppfoljningar the 6M results have no data; the rest are counted
    for code in ("cr06", "cr08", "uppfoljning_saknas"):
        assert status[f"esf_{code}"] == {"saknar_data"}, code
    assert status["esf_co01"] == {"ok"} and status["esf_cr04"] == {"ok"}


def test_a_header_without_values_is_absent(tmp_path):
    rows = register(0, ("OS", "BHS"), {"D": "INGEN_GRUNDSKOLA"})
    deltagare = [[*r[:10], "", *r[11:]] for r in rows[0]]  # arbetslos_sedan all empty
    ds = load_dataset(write(tmp_path / "d", deltagare, rows[1]), MIA, dt.date(2020, 1, 1))
    assert not ds.has_column("deltagare", "arbetslos_sedan")
    tidy = exact_figures(ds, [parse_period("2018")], ["esf_co02", "esf_co01"])
    assert set(tidy.loc[tidy.indikator == "esf_co02", "status"]) == {"saknar_data"}
    assert set(tidy.loc[tidy.indikator == "esf_co01", "status"]) == {"ok"}


def _rows_of(folder: Path, config) -> tuple[list[EsfRow], dict]:
    """The register as the reference reads it: straight from the CSV, by hand."""
    lines = (folder / "deltagare.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    rows = []
    for line in lines[1:]:
        v = dict(zip(header, line.split(";"), strict=True))
        person, kon_pnr, born, error = check_id_literal(v["deltagare_id"], dt.date(2026, 1, 1))
        assert not error

        def date(x):
            return dt.date.fromisoformat(x) if x else None

        def yes(x):
            return {"ja": True, "nej": False}.get(x)

        rows.append(
            EsfRow(
                person,
                v["kon"] or kon_pnr,
                v["delprojekt"],
                date(v["startdatum"]),
                date(v["slutdatum"]),
                v["avslutsorsak"] or None,
                v["sysselsattning_fore"] or None,
                v["sysselsattning_efter"] or None,
                v.get("utbildningsniva") or None,
                date(v.get("arbetslos_sedan", "")),
                yes(v.get("funktionsnedsattning")),
                yes(v.get("utlandsk_bakgrund")),
                yes(v.get("kvalifikation")),
                born,
                int(v["fodelsear"]) if v.get("fodelsear") else None,
            )
        )
    six = {}
    path = folder / "uppfoljningar.csv"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            pid, point, status, slut = line.split(";")
            if point == "6M":
                six[
                    (check_id_literal(pid, dt.date(2026, 1, 1))[0], dt.date.fromisoformat(slut))
                ] = status
    return rows, six


# ---------------------------------------------------------------------------------------------
# Generated registers: the engine against the literal reference, and the invariants.


def _esf_plus_on(base: Config) -> Config:
    """The MIA project reporting to ESF+: the bundled ESF+ section, and MIA's education
    codes in ESF+'s bands (no compulsory school and förgymnasial are both ISCED 0–2)."""
    raw = base.model_dump(mode="python", exclude_none=True)
    raw["esf"] = tomllib.loads(bundled_configs()["esfplus"].read_text(encoding="utf-8"))["esf"]
    for c in raw["codes"]["utbildningsniva"]:
        if c.get("isced") in ("0", "1-2"):
            c["isced"] = "0-2"
    return Config.model_validate(raw)


CONFIGS = {"2014-2020": MIA, "2021-2027": _esf_plus_on(MIA)}
DPS = ["OS", "BHS", "SDT"]
SYSS = ["ARBETE", "STUDIER", "ARBETSSOKANDE", "PROGRAM", "SJUKSKRIVEN", "INGEN", "OVRIGT", ""]
REASONS = ["ARBETE", "STUDIER", "ARBETSSOKANDE", "AVHOPP"]
LEVELS = ["INGEN_GRUNDSKOLA", "FORGYMNASIAL", "GYMNASIAL", "EFTERGYMNASIAL", "OKAND", ""]
PERIODS = ["2017-05", "2017-Q2", "2017-T3", "2017", "2018-H1", "2018"]
START = dt.date(2016, 12, 1)

enrolment = st.tuples(
    st.sampled_from(DPS),
    st.integers(0, 700),  # start, days after the project start
    st.one_of(st.none(), st.integers(0, 400)),  # duration; None: still enrolled
    st.sampled_from(REASONS),
    st.sampled_from(SYSS),  # before
    st.sampled_from(SYSS),  # after
    st.sampled_from(LEVELS),
    st.one_of(st.none(), st.integers(0, 500)),  # unemployed since, days before start
    st.tuples(*[st.sampled_from(["ja", "nej", ""])] * 3),
    st.one_of(st.none(), st.sampled_from(["ARBETE", "INGEN", "STUDIER"])),  # 6M follow-up
)
person = st.tuples(
    st.booleans(),  # personnummer or pseudonym
    st.sampled_from(["", "K", "M", "X"]),
    st.dates(dt.date(1950, 1, 1), dt.date(2003, 12, 31)),  # birth date
    st.booleans(),  # a pseudonym gives its fodelsear
    st.lists(enrolment, min_size=1, max_size=3),
)


ANCHOR = [  # every optional column has a value somewhere, so no figure is saknar_data
    "ANCHOR", "K", "1970", "SR", "2016-12-01", "2016-12-15", "AVHOPP", "INGEN", "INGEN", "OKAND", "2016-01-01",
    "nej", "nej", "nej",
]  # fmt: skip


@st.composite
def registers(draw):
    deltagare, uppfoljningar = [ANCHOR], []
    for i, (has_pnr, kon, born, gives_year, specs) in enumerate(
        draw(st.lists(person, min_size=1, max_size=12))
    ):
        pid = pnr(born.strftime("%Y%m%d"), i, "K" if i % 2 else "M") if has_pnr else f"P{i}"
        year = "" if has_pnr or not gives_year else str(born.year)
        kept: list[tuple[str, dt.date, dt.date | None]] = []
        for dp, off, dur, reason, before, after, level, since, yes, six in sorted(
            specs, key=lambda s: s[1]
        ):
            start = START + dt.timedelta(days=off)
            end = None if dur is None else start + dt.timedelta(days=dur)
            if any(d == dp and (e is None or e >= start) for d, _, e in kept):
                continue  # overlapping enrolments in one delprojekt would be rejected
            kept.append((dp, start, end))
            unemployed = "" if since is None else str(start - dt.timedelta(days=since))
            deltagare.append(
                [
                    pid,
                    kon,
                    year,
                    dp,
                    str(start),
                    str(end or ""),
                    reason if end else "",
                    before,
                    after if end else "",
                    level,
                    unemployed,
                    *yes,
                ]
            )
            if end and six:
                uppfoljningar.append([pid, "6M", six, str(end)])
    periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=2, unique=True))
    return deltagare, uppfoljningar, periods


ESF_SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@ESF_SETTINGS
@given(registers())
def test_engine_agrees_with_the_literal_reference_in_both_programmes(register_):
    deltagare, uppfoljningar, periods = register_
    with tempfile.TemporaryDirectory() as d:
        folder = write(Path(d), deltagare, uppfoljningar)
        rows, six = _rows_of(folder, MIA)
        for programme, config in CONFIGS.items():
            ds = load_dataset(folder, config, dt.date(2021, 1, 1))
            assert ds.rejected == 0, ds.problems.to_string()
            ids = [i.id for i in config.esf.indicators]
            tidy = exact_figures(ds, [parse_period(p) for p in periods], ids)
            got = {
                (r.period, r.omfang, r.indikator, r.delprojekt, r.kon): r.varde
                for r in tidy.itertuples()
            }
            for label in periods:
                p = parse_period(label)
                for omfang, a in (("period", p.start), ("ackumulerat", START)):
                    for (code, group, kon), n in esf_figures(rows, six, config, a, p.end).items():
                        key = (label, omfang, f"esf_{code.lower()}", group, kon)
                        assert got[key] == n, (programme, key)


@ESF_SETTINGS
@given(registers())
def test_esf_invariants(register_):
    deltagare, uppfoljningar, periods = register_
    with tempfile.TemporaryDirectory() as d:
        folder = write(Path(d), deltagare, uppfoljningar)
        for programme, config in CONFIGS.items():
            ds = load_dataset(folder, config, dt.date(2021, 1, 1))
            ids = [i.id for i in config.esf.indicators]
            tidy = exact_figures(
                ds,
                [parse_period(p) for p in periods],
                [*ids, "deltagare_nya", "deltagare_avslutade"],
            )
            wide = tidy.pivot_table(
                index=["period", "omfang", "delprojekt", "kon"], columns="indikator", values="varde"
            )
            kons = ["K", "M", "X"] if programme == "2021-2027" else ["K", "M"]
            if programme == "2014-2020":
                parts, total = ["esf_co01", "esf_co03", "esf_co05"], "esf_deltagare"
                assert (wide[parts].sum(axis=1) == wide[total]).all()
                everyone = wide[total] + wide["esf_status_okand"]
                results = ["esf_cr01", "esf_cr02", "esf_cr03", "esf_cr04", "esf_cr06", "esf_cr08"]
                six = ["esf_cr06", "esf_uppfoljning_saknas"]
            else:
                parts = ["esf_eeco02", "esf_eeco04", "esf_eeco05", "esf_status_okand"]
                assert (wide[parts].sum(axis=1) == wide["esf_eeco01"]).all()  # with the unknown
                everyone = wide["esf_eeco01"]
                results = ["esf_eecr01", "esf_eecr02", "esf_eecr03", "esf_eecr04", "esf_eecr05"]
                six = ["esf_eecr05", "esf_uppfoljning_saknas"]
            # entries are persons starting an enrolment, exits persons ending one (the other
            # figures have no X column: compare K, M and T)
            kmt = wide.index.get_level_values("kon") != "X"
            assert (everyone[kmt] <= wide.loc[kmt, "deltagare_nya"]).all()
            for r in results:
                assert (wide.loc[kmt, r] <= wide.loc[kmt, "deltagare_avslutade"]).all(), r
            assert (wide.loc[kmt, six].sum(axis=1) <= wide.loc[kmt, "deltagare_avslutade"]).all()
            # K + M (+ X) <= T, per figure
            per_kon = tidy[tidy.indikator.isin(ids)].pivot_table(
                index=["period", "omfang", "delprojekt", "indikator"], columns="kon", values="varde"
            )
            assert (per_kon[kons].sum(axis=1) <= per_kon["T"]).all()
            # ackumulerat >= period (every period lies within the project)
            counts = tidy[tidy.indikator.isin(ids)].set_index(
                ["period", "delprojekt", "indikator", "kon", "omfang"]
            )["varde"]
            per = counts.xs("period", level="omfang")
            acc = counts.xs("ackumulerat", level="omfang")
            assert (acc.loc[per.index] >= per).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.randoms(use_true_random=False))
def test_esf_figures_do_not_depend_on_row_order_or_file_format(register_, rnd):
    import openpyxl

    deltagare, uppfoljningar, periods = register_
    ids = [i.id for i in MIA.esf.indicators]
    chosen = [parse_period(p) for p in periods]
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        reference = exact_figures(
            load_dataset(write(d / "a", deltagare, uppfoljningar), MIA, dt.date(2021, 1, 1)),
            chosen,
            ids,
        )
        shuffled = deltagare[:]
        rnd.shuffle(shuffled)
        folder = write(d / "b", shuffled, uppfoljningar)
        wb = openpyxl.Workbook()  # and deltagare as a workbook
        for row in [COLUMNS, *shuffled]:
            wb.active.append([v or None for v in row])
        (folder / "deltagare.csv").unlink()
        wb.save(folder / "deltagare.xlsx")
        other = exact_figures(load_dataset(folder, MIA, dt.date(2021, 1, 1)), chosen, ids)
        assert other.equals(reference)


# ---------------------------------------------------------------------------------------------
# The command


def test_esf_command_on_the_bundled_sample(cli):
    r = cli("esf", "--period", "2018", "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "programperioden 2014–2020" in r.stdout
    flat = " ".join(r.stdout.split())
    assert "Skydd: cellnyckelmetoden" in flat and "--min-cell 0 exakta antal" in flat
    for code in ("CO01", "CO16", "CR04", "CR08", "STATUS_OKAND", "UPPFOLJNING_SAKNAS"):
        assert f"\n{code} " in r.stdout, code
    assert max(len(line) for line in r.stdout.splitlines()) <= 120
    exact = cli("esf", "--period", "2018", "--format", "table", "--min-cell", "0")
    assert "Exakta siffror – ej för publicering (--min-cell 0)" in " ".join(exact.stdout.split())
    assert ".." not in exact.stdout.split("Teckenförklaring")[0]  # nothing suppressed


def test_esf_tidy_rows_carry_esf_ids_and_monthly_leaves_them_out(cli):
    r = cli("esf", "--period", "2018", "--format", "csv", "--min-cell", "0")
    assert r.exit_code == 0, r.stderr
    import pandas as pd

    tidy = pd.read_csv(io.StringIO(r.stdout))
    assert set(tidy["indikator"]) == {i.id for i in MIA.esf.indicators}
    assert set(tidy["kon"]) == {"K", "M", "T"}
    monthly = pd.read_csv(io.StringIO(cli("monthly", "--period", "2018", "--format", "csv").stdout))
    assert not monthly["indikator"].str.startswith("esf_").any()
    assert "esf_co01" in cli("indicators").stdout


def test_esf_plus_report_has_a_column_for_non_binary_persons(cli, tmp_path):
    r = cli("esf", "--config", "esfplus", "--period", "2024", "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "Icke-binära" in r.stdout and "ESF+" in r.stdout
    out = tmp_path / "esf.xlsx"
    assert cli("esf", "--config", "esfplus", "--period", "2024", "--out", str(out)).exit_code == 0
    import openpyxl

    sheet = openpyxl.load_workbook(out)["TOTALT"]
    assert [c.value for c in sheet[1]][:7] == [
        "Kod",
        "Indikator",
        "Period",
        "Kvinnor",
        "Män",
        "Icke-binära",
        "Totalt",
    ]
    html = tmp_path / "esf.html"
    assert cli("esf", "--config", "esfplus", "--period", "2024", "--out", str(html)).exit_code == 0
    assert "<th>Icke-binära</th>" in html.read_text(encoding="utf-8")


def test_esf_without_an_esf_section_or_with_another_indicator(cli):
    r = cli("esf", "--config", "vagknuten", "--period", "2018")
    assert r.exit_code == 1 and "ingen [esf]-del" in r.stderr
    r = cli("esf", "--period", "2018", "--indicator", "deltagare_aktiva")
    assert r.exit_code == 2 and "ingen ESF-indikator" in r.stderr


def test_the_batch_carries_the_esf_rows(cli, tmp_path):
    import pandas as pd

    r = cli("batch", "--out", str(tmp_path / "b"), "--from", "2018-01", "--to", "2018-02")
    assert r.exit_code == 0, r.stderr
    latest = tmp_path / "b" / "senaste"
    tidy = pd.read_parquet(latest / "indikatorer.parquet")
    assert {"esf_co01", "esf_cr06"} <= set(tidy["indikator"])
    import openpyxl

    # the people's reports: monthly's figures; the ESF figures of a year in a workbook apart
    monthly = openpyxl.load_workbook(latest / "rapport-2018-02.xlsx")["TOTALT"]
    assert not any(str(c.value).startswith("CO01") for c in monthly["A"])
    r = cli("batch", "--out", str(tmp_path / "y"), "--from", "2018-01", "--to", "2018-12")
    assert r.exit_code == 0, r.stderr
    esf = openpyxl.load_workbook(tmp_path / "y" / "senaste" / "esf-2018.xlsx")
    assert "ESF:s gemensamma indikatorer" in esf["Om rapporten"]["A1"].value
    assert [c.value for c in esf["TOTALT"]["A"]][1] == "CO01"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["A", "B", "ab", "C", None]), min_size=1, max_size=30),
    st.data(),
)
def test_a_trait_asks_its_distinct_values_what_isin_asks_every_participant(values, data):
    # esf.Coded: a categorical column's own codes (or codes made for an object array), taken
    # at the participants' rows and blanked where they have no exit, give the same answer as
    # pandas' isin on every participant's value; missing is exactly the blank or absent ones
    from indikator.indicators.esf import Coded

    n = len(values)
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=40)), dtype=np.int64)
    present = np.array(data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))))
    wanted = data.draw(st.sets(st.sampled_from(["A", "B", "ab", "X"])))
    column = pd.Series(values, dtype="category")
    taken = np.array(values, dtype=object)[rows]
    expected = pd.Series(np.where(present, taken, None), dtype=object)
    for coded in (
        Coded.of(column, rows, present),
        Coded.of(np.array(values, dtype=object), rows, present),
        Coded.of(expected.to_numpy()),
    ):
        assert coded.isin(wanted).tolist() == expected.isin(wanted).tolist()
        assert coded.missing.tolist() == expected.isna().tolist()
