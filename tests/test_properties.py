"""Property tests: the engine against a literal reference, the invariants of indicators.md,
and independence of row order, delimiter, encoding and file format."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import (
    Activity,
    Answer,
    Enrolment,
    FollowUp,
    OrgRow,
    Referral,
    figures,
    more_figures,
)
from stdnum import luhn

from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.indicators import exact_figures as compute
from indikator.periods import parse_period

CONFIG = load_config()
GROUPS = CONFIG.delprojekt_codes
REASONS = ["ARBETE", "STUDIER", "SJUKDOM", "AVHOPP", "ARBETSSOKANDE"]
TYPES = ["PTSD", "VALIDERING", "FRISKVARD", "PRAKTIK_AG"]
PERIODS = ["2016-12", "2017-01", "2017-05", "2017-Q2", "2017-T2", "2017-H1", "2017", "2018-03"]
BASE = dt.date(2016, 9, 1)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pnr(i: int) -> tuple[str, str]:
    body = f"8{i % 10}0{(i % 9) + 1}1{(i % 3) + 1}{i % 10}{(i * 7) % 10}{i % 10}"
    body = body[:9]
    check = luhn.calc_check_digit(body)
    return "19" + body + check, "M" if int(body[8]) % 2 else "K"


enrolment = st.tuples(
    st.sampled_from(GROUPS[:3]),
    st.integers(0, 700),
    st.one_of(st.none(), st.integers(0, 400)),
    st.sampled_from(REASONS),
    # activities: (day offset, insatstyp, hours)
    st.lists(
        st.tuples(
            st.integers(0, 450), st.sampled_from(TYPES), st.sampled_from([None, 0.5, 1.0, 2.5])
        ),
        max_size=3,
    ),
    # answers: (day offset, item, value)
    st.lists(
        st.tuples(st.integers(-30, 450), st.sampled_from(["STEG", "MAKT"]), st.integers(1, 7)),
        max_size=3,
    ),
    # follow-ups of this enrolment if it ended: {tidpunkt: sysselsättning}
    st.dictionaries(
        st.sampled_from(["90D", "6M", "12M"]), st.sampled_from(["ARBETE", "STUDIER", "INGEN"])
    ),
)
referral = st.tuples(
    st.integers(0, 800),
    st.sampled_from(GROUPS[:3]),
    st.sampled_from(["AF", "FK", "KOMMUN"]),
    st.sampled_from(["INSKRIVEN", "EJ_INSKRIVEN", ""]),
    st.sampled_from(["K", "M", ""]),
)
org_activity = st.tuples(
    st.integers(0, 800),
    st.sampled_from(["", *GROUPS[:3]]),
    st.sampled_from(["INFO_MUNTLIG", "INFO_SKRIFTLIG", "WORKSHOP"]),
    st.sets(st.sampled_from(["AF", "FK", "KOMMUN"]), min_size=1, max_size=3),
)
person = st.tuples(
    st.booleans(),  # personnummer or pseudonym
    st.sampled_from([None, "K", "M"]),
    st.lists(enrolment, min_size=1, max_size=3),
)


@st.composite
def worlds(draw):
    people = draw(st.lists(person, min_size=1, max_size=10))
    enrolments: list[Enrolment] = []
    activities: list[Activity] = []
    answers: list[Answer] = []
    followups: list[FollowUp] = []
    rows, arows, mrows, urows = [], [], [], []
    used: set = set()
    for i, (has_pnr, kon, specs) in enumerate(people):
        pnr, pnr_kon = _pnr(i)
        pid = pnr if has_pnr else f"P{i}"
        kept: list[Enrolment] = []
        for dp, off, dur, reason, acts, answers_spec, fu_spec in sorted(specs, key=lambda s: s[1]):
            start = BASE + dt.timedelta(days=off)
            end = None if dur is None else start + dt.timedelta(days=dur)
            if any(k.dp == dp and (k.end is None or k.end >= start) for k in kept):
                continue  # overlapping enrolments in one delprojekt would be rejected
            e = Enrolment(
                pid, kon or (pnr_kon if has_pnr else None), dp, start, end, reason if end else None
            )
            kept.append(e)
            rows.append(f"{pid};{kon or ''};{dp};{start};{end or ''};{e.reason or ''}")
            for a_off, typ, hours in acts:
                day = start + dt.timedelta(days=a_off if end is None else min(a_off, dur))
                activities.append(Activity(pid, day, typ, dp, hours))
                h = "" if hours is None else str(hours).replace(".", ",")
                arows.append(f"{pid};{day};{typ};{dp};{h}")
            for a_off, item, value in answers_spec:
                day = start + dt.timedelta(days=a_off)
                answers.append(Answer(pid, day, item, value))
                mrows.append(f"{pid};{day};{item};{value}")
            for point, status in fu_spec.items():
                if end is not None and (pid, end, point) not in used:
                    used.add((pid, end, point))
                    followups.append(FollowUp(pid, point, end, status))
                    urows.append(f"{pid};{point};{status};{end}")
        enrolments += kept
    referrals = [
        Referral(BASE + dt.timedelta(days=d), dp, m, u or "PAGAENDE", k or None)
        for d, dp, m, u, k in draw(st.lists(referral, max_size=8))
    ]
    rrows = [
        f"R{i};{r.date};{r.dp};{r.remittent};{'' if r.utfall == 'PAGAENDE' else r.utfall};{r.kon or ''}"
        for i, r in enumerate(referrals)
    ]
    orgrows = [
        OrgRow(f"A{i}", BASE + dt.timedelta(days=d), dp or None, typ, m)
        for i, (d, dp, typ, ms) in enumerate(draw(st.lists(org_activity, max_size=6)))
        for m in sorted(ms)
    ]
    orows = [f"{o.aktivitet};{o.date};{o.dp or ''};{o.typ};{o.myndighet};1" for o in orgrows]
    periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=3, unique=True))
    files = {
        "deltagare": ["deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak", *rows],
        "aktiviteter": ["deltagare_id;datum;insatstyp;delprojekt;timmar", *arows],
        "matningar": ["deltagare_id;datum;fraga;varde", *mrows],
        "uppfoljningar": ["deltagare_id;tidpunkt;sysselsattning;slutdatum", *urows],
        "remisser": ["remiss_id;datum;delprojekt;remittent;utfall;kon", *rrows],
        "organisationsaktiviteter": [
            "aktivitet_id;datum;delprojekt;typ;myndighet;antal_handlaggare",
            *orows,
        ],
    }
    extra = (answers, followups, referrals, orgrows)
    return enrolments, activities, periods, files, extra


def write(folder: Path, files: dict[str, list[str]], fmt: str = "csv;", order=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        header, body = lines[0], lines[1:]
        if order is not None:
            body = [body[i] for i in order(len(body))]
        if fmt == "xlsx":
            wb = openpyxl.Workbook()
            for line in [header, *body]:
                wb.active.append([c or None for c in line.split(";")])
            wb.save(folder / f"{name}.xlsx")
            continue
        sep, enc = {"csv;": (";", "cp1252"), "csv,": (",", "utf-8-sig")}[fmt]
        text = "\r\n".join(
            sep.join(f'"{c}"' if sep == "," else c for c in line.split(";"))
            for line in [header, *body]
        )
        (folder / f"{name}.csv").write_bytes(text.encode(enc))
    return folder


def tidy_of(folder: Path, periods) -> object:
    ds = load_dataset(folder, CONFIG)
    assert ds.rejected == 0, ds.problems.to_string()
    return compute(ds, [parse_period(p) for p in periods])


def computed(files, periods):
    """The tidy table for a generated world written as ';' CSV in a temporary folder."""
    with tempfile.TemporaryDirectory() as d:
        return tidy_of(write(Path(d), files), periods)


@SETTINGS
@given(worlds())
def test_engine_agrees_with_the_literal_reference(world):
    enrolments, activities, periods, files, extra = world
    tidy = computed(files, periods)
    index = {
        (r.period, r.omfang, r.indikator, r.delprojekt, r.kon, r.dimension): r
        for r in tidy.itertuples()
    }
    start = CONFIG.project.start
    for label in periods:
        p = parse_period(label)
        for omfang, a in (("period", p.start), ("ackumulerat", start)):
            expected = figures(enrolments, activities, GROUPS, {"ARBETE", "STUDIER"}, a, p.end)
            for key, value in expected.items():
                ind, group, kon, *dim = key
                row = index[(label, omfang, ind, group, kon, dim[0] if dim else "")]
                got = row.taljare if ind == "andel_arbete_studier" else row.varde
                if value is None:
                    assert math.isnan(got) and row.status == "tom_namnare", key
                else:
                    assert got == pytest.approx(value), (label, omfang, key)
            more = more_figures(
                enrolments,
                *extra,
                GROUPS,
                a,
                p.end,
                {"ARBETE", "STUDIER"},
                {"INFO_MUNTLIG", "INFO_SKRIFTLIG"},
            )
            for (ind, group, kon, *dim), value in more.items():
                d = dim[0] if dim else ""
                if ind in ("forbattring_namnare", "uppfoljda"):
                    continue
                if ind == "forbattring":
                    row = index[(label, omfang, ind, group, kon, d)]
                    assert (row.taljare, row.namnare) == (
                        value,
                        more[("forbattring_namnare", group, kon, d)],
                    ), (label, omfang, group, kon, d)
                elif ind.startswith("andel_arbete_studier_"):
                    row = index[(label, omfang, ind, group, kon, "")]
                    t = ind.rsplit("_", 1)[1].upper()
                    assert (row.taljare, row.namnare) == (
                        value,
                        more[("uppfoljda", group, kon, t)],
                    ), (label, omfang, ind, group, kon)
                else:
                    assert index[(label, omfang, ind, group, kon, d)].varde == value, (
                        label,
                        omfang,
                        ind,
                        group,
                        kon,
                        d,
                    )


@SETTINGS
@given(worlds())
def test_invariants(world):
    _, _, periods, files, _ = world
    tidy = computed(files, periods)
    key = ["period", "omfang", "delprojekt", "indikator", "dimension"]
    count_ids = [
        "deltagare_aktiva",
        "deltagare_nya",
        "deltagare_avslutade",
        "fatt_insats",
        "insats",
        "deltagartimmar",
    ]
    counts = (
        tidy[tidy.indikator.isin(count_ids)]
        .pivot(index=key, columns="kon", values="varde")
        .reset_index()
    )
    assert len(counts) and counts[["K", "M", "T"]].notna().all().all()
    # K + M <= T
    assert (counts["K"] + counts["M"] <= counts["T"] + 1e-9).all()
    # numerator <= denominator
    shares = tidy[tidy.namnare.notna()]
    assert (shares.taljare <= shares.namnare).all()
    # ackumulerat >= period for counts of persons
    persons = counts[counts.indikator != "deltagartimmar"].set_index(key[:1] + key[2:] + ["omfang"])
    per = persons.xs("period", level="omfang")[["K", "M", "T"]]
    acc = persons.xs("ackumulerat", level="omfang")[["K", "M", "T"]]
    assert (acc.loc[per.index] >= per).all().all()
    # TOTALT >= each delprojekt
    c = counts.set_index(key)[["K", "M", "T"]]
    tot = c.xs("TOTALT", level="delprojekt")
    for g in GROUPS:
        assert (c.xs(g, level="delprojekt") <= tot + 1e-9).all().all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.randoms(use_true_random=False))
def test_same_figures_from_any_format_encoding_and_row_order(world, rnd):
    _, _, periods, files, _ = world
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        reference = tidy_of(write(d / "a", files, "csv;"), periods)
        for i, fmt in enumerate(["csv,", "xlsx"]):
            assert tidy_of(write(d / f"b{i}", files, fmt), periods).equals(reference), fmt

        def shuffled(n):
            idx = list(range(n))
            rnd.shuffle(idx)
            return idx

        assert tidy_of(write(d / "c", files, "csv;", order=shuffled), periods).equals(reference)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.booleans())
def test_same_figures_with_families_side_by_side(world, keyed):
    # the batch computes two families at a time (parallel.in_threads): the table must not
    # depend on it, neither the exact pass nor the keyed one (which reuses the exact's work)
    _, _, periods, files, _ = world
    chosen = [parse_period(p) for p in periods]
    with tempfile.TemporaryDirectory() as d:
        folder = write(Path(d), files)
        tables = []
        for threads in (1, 2):
            ds = load_dataset(folder, CONFIG, secret=b"k" * 64)
            if keyed:
                compute(ds, chosen, threads=threads)  # the exact pass first, as published does
            tables.append(compute(ds, chosen, keyed=keyed, threads=threads))
    assert tables[1].equals(tables[0])


@settings(max_examples=30, deadline=None)
@given(worlds())
def test_months_of_a_year_sum_to_the_year_for_event_counts(world):
    _, _, _, files, _ = world
    months = [f"2017-{m:02d}" for m in range(1, 13)]
    tidy = computed(
        files,
        [
            *months,
            "2017",
            "2017-T1",
            "2017-T2",
            "2017-T3",
            "2017-Q1",
            "2017-Q2",
            "2017-Q3",
            "2017-Q4",
        ],
    )
    events = [
        "deltagartimmar",
        "remisser",
        "remisser_inskrivna",
        "remisser_ej_inskrivna",
        "infoinsatser",
        "handlaggare",
        "sammankomster_flera_myndigheter",
    ]
    ev = tidy[tidy.indikator.isin(events) & (tidy.omfang == "period")]
    by = (
        ev.groupby(["period", "indikator", "delprojekt", "dimension", "kon"])
        .varde.sum()
        .unstack("period")
    )
    assert len(by)
    for parts in (
        months,
        ["2017-T1", "2017-T2", "2017-T3"],
        ["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"],
    ):
        assert np.allclose(by[parts].sum(axis=1), by["2017"])
    # events: TOTALT is the sum of the delprojekt, except project-wide organisation rows
    refs = (
        ev[ev.indikator == "remisser"]
        .groupby(["period", "delprojekt", "dimension", "kon"])
        .varde.sum()
    )
    tot = refs.xs("TOTALT", level="delprojekt")
    rest = refs.drop("TOTALT", level="delprojekt").groupby(["period", "dimension", "kon"]).sum()
    assert np.allclose(tot.sort_index(), rest.reindex(tot.index).fillna(0).sort_index())


@settings(max_examples=20, deadline=None)
@given(worlds())
def test_targets_agree_with_monthly(world):
    from indikator.targets import evaluate

    _, _, periods, files, _ = world
    with tempfile.TemporaryDirectory() as d:
        ds = load_dataset(write(Path(d), files), CONFIG)
        for label in periods:
            period = parse_period(label)
            targets = evaluate(ds, period)
            tidy = compute(ds, [period]).set_index(
                ["indikator", "omfang", "delprojekt", "kon", "dimension"]
            )
            for r in targets.itertuples():
                row = tidy.loc[(r.indikator, r.omfang, r.delprojekt, r.kon, "")]
                assert row.status == r.status
                assert (math.isnan(row.varde) and math.isnan(r.varde)) or row.varde == r.varde
                if r.status == "ok":
                    assert r.uppfyllt == (r.varde >= r.mal)
