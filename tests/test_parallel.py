"""The second core (``parallel``): indicator families in threads give the same table as one
after the other; work handed to a second process is done there when there is one, here when
there is not, when it has not begun, or when the second process dies; and the batch's reports
are the same wherever they were rendered."""

import contextlib
import json
import os
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_dataset
from openpyxl import load_workbook
from world import FULL_WORLD

from indikator import batch as batch_module
from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.indicators import (
    FAMILIES,
    LARGE,
    LONGEST_FIRST,
    _apart,
    exact_and_keyed,
    exact_figures,
)
from indikator.indicators.engine import Context
from indikator.parallel import aside, cores, in_threads
from indikator.periods import parse_period
from indikator.protection import published

two_cores = pytest.mark.skipif(cores() < 2, reason="a second process needs a second core")


def _dies_elsewhere(here: int) -> str:
    """Kills the second process; returns where it is allowed to run (this one)."""
    if os.getpid() != here:
        os._exit(3)
    return "här"


def test_in_threads_gives_each_result_in_order_from_other_threads():
    here = threading.get_ident()

    def call(i):
        def run():
            time.sleep(0.05 * (5 - i))  # the first ends last: results still in call order
            return i, threading.get_ident()

        return run

    results = in_threads([call(i) for i in range(5)], 2)
    assert [i for i, _ in results] == [0, 1, 2, 3, 4]
    assert here not in {t for _, t in results} and len({t for _, t in results}) == 2
    alone = in_threads([call(i) for i in range(3)], 1)
    assert [i for i, _ in alone] == [0, 1, 2] and {t for _, t in alone} == {here}


def test_in_threads_passes_an_error_on():
    def boom():
        raise ValueError("trasig familj")

    with pytest.raises(ValueError, match="trasig familj"):
        in_threads([lambda: 1, boom, lambda: 3], 2)


def test_once_is_built_once_when_two_threads_ask():
    ctx = Context(
        groups=["A", "TOTALT"],
        periods=[],
        show=[0, 1],
        project_start=0,
        person_codes=pd.Index([]),
        person_kon=None,
    )
    built = []

    def build():
        built.append(1)
        time.sleep(0.2)  # the other thread asks meanwhile
        return object()

    got = in_threads([lambda: ctx.once("x", build), lambda: ctx.once("x", build)], 2)
    assert len(built) == 1 and got[0] is got[1]


def test_one_thread_computes_the_families_in_their_own_order(tmp_path, monkeypatch):
    # monthly's peak memory depends on it: a family's temporaries land on what the families
    # before it keep for the keyed pass (activities first raised a national monthly's peak
    # from 1 315 to 1 440 MiB); two threads begin the longest first
    import indikator.indicators as indicators

    data = write_dataset(tmp_path / "w", FULL_WORLD)
    real = indicators.in_threads
    name = {family: key for key, family in FAMILIES.items()}
    for threads in (1, 2):
        begun = []

        def spy(calls, n, begun=begun):
            begun += [(name[c.args[0]], sorted(c.args[3])) for c in calls]  # _family's args
            return real(calls, n)

        monkeypatch.setattr(indicators, "in_threads", spy)
        exact_figures(load_dataset(data, load_config()), [parse_period("2017-05")], threads=threads)
        families = [f for f, _ in begun]
        if threads == 1:
            assert families == list(FAMILIES)
        else:
            assert families == [LONGEST_FIRST[0], *LONGEST_FIRST]
            assert begun[:2] == [
                ("activities", ["insats"]),
                ("activities", ["deltagartimmar", "fatt_insats"]),
            ]


def test_longest_first_names_every_family_once():
    assert sorted(LONGEST_FIRST) == sorted(FAMILIES)
    assert set(LARGE) < set(FAMILIES) and len(set(LARGE)) == len(LARGE)


@pytest.mark.parametrize("keyed", [False, True])
def test_small_families_beside_the_large_give_the_table_one_by_one(tmp_path, monkeypatch, keyed):
    # monthly on two cores: the large families one after the other in one thread (one large
    # family's temporaries at a time: monthly's peak), the small ones in the other; the same
    # table as one family after the other, for the exact figures and the cell keys
    import indikator.indicators as indicators

    data = write_dataset(tmp_path / "w", FULL_WORLD)
    config = load_config()
    periods = [parse_period(p) for p in ("2017-03", "2017-05", "2017-Q2", "2017-T1", "2017")]
    secret = b"hemlig" * 11
    one = exact_figures(load_dataset(data, config, secret=secret), periods, keyed=keyed)
    assert len(one) > 1000 and one["varde"].notna().any()
    lanes, real = [], indicators._in_turn

    def turn(calls, keys, left, results):  # keys: (family, part); ids: _family's 4th argument
        parts = [(f, sorted(calls[(f, n)].args[3])) for f, n in keys]
        lanes.append((parts, threading.get_ident()))
        real(calls, keys, left, results)

    monkeypatch.setattr(indicators, "_in_turn", turn)
    ds = load_dataset(data, config, secret=secret)
    beside = exact_figures(ds, periods, keyed=keyed, small_beside=True)
    pd.testing.assert_frame_equal(beside, one)
    # each lane in the families' order; activities' part by insatstyp in the large families'
    # lane, its light part (no insatstyp axis) after whichever lane ended its own first
    large = [f for f in FAMILIES if f in LARGE]
    small = [f for f in FAMILIES if f not in LARGE]
    lane = {families[0][0] in LARGE: families for families, _ in lanes}  # True: the large
    assert len(lanes) == 2 and [f for f, _ in lane[True]] == large
    assert ("activities", ["insats"]) in lane[True]
    assert [f for f, _ in lane[False]] == small
    assert all(("activities", ["deltagartimmar", "fatt_insats"]) not in lane[k] for k in lane)
    threads = {t for _, t in lanes}
    assert len(threads) == 2 and threading.get_ident() not in threads
    if keyed:  # the cell-key method's two passes, family by family, the same way
        exact = exact_figures(load_dataset(data, config, secret=secret), periods)
        both = exact_and_keyed(
            load_dataset(data, config, secret=secret), periods, small_beside=True
        )
        pd.testing.assert_frame_equal(both[0], exact)
        pd.testing.assert_frame_equal(both[1], one)


@pytest.mark.parametrize("first", ["large", "small"])
def test_a_light_part_goes_to_the_lane_done_with_its_own_first(first):
    # monthly's two lanes: the one that ends its own families first computes the light parts
    # (once each); the other waits here until it has, so which lane is first is certain
    from collections import deque
    from functools import partial

    import indikator.indicators as indicators

    taken, ran = threading.Event(), {}
    late = "small" if first == "large" else "large"

    def call(name):
        if name == late:
            assert taken.wait(10)
        ran.setdefault(name, []).append(threading.get_ident())
        if name == "light":
            taken.set()
        return name.upper()

    calls = {k: partial(call, k) for k in ("large", "small", "light")}
    left, results = deque(["light"]), {}
    lanes = [partial(indicators._in_turn, calls, [k], left, results) for k in ("large", "small")]
    in_threads(lanes, 2)
    assert results == {"large": "LARGE", "small": "SMALL", "light": "LIGHT"} and not left
    assert ran["light"] == ran[first]  # once, in the lane done first


def test_monthly_computes_the_small_families_beside_the_large(cli, tmp_path, monkeypatch):
    # from SMALL_BESIDE_ROWS rows read, on two cores; below it the second thread only takes
    # turns with the first for the GIL
    import indikator.app as app
    import indikator.reports as reports

    seen, real = [], reports.figure_report
    monkeypatch.setattr(reports, "figure_report", lambda *a: seen.append(a[-1]) or real(*a))
    monkeypatch.setattr(app, "cores", lambda: 2)
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    for rows in (0, 1 << 62):
        monkeypatch.setattr(app, "SMALL_BESIDE_ROWS", rows)
        for job in ("monthly", "esf"):
            r = cli(job, "--period", "2017-05", "--data", str(data), "--no-cache")
            assert r.exit_code in (0, 3), r.stderr
    assert seen == [True, True, False, False]


def test_a_family_is_computed_in_its_parts_only_side_by_side():
    catalog = load_config().indicators
    for name, family in FAMILIES.items():
        for part in getattr(family, "PARTS", []):
            assert part and all(catalog[i].family == name for i in part), name
    act = FAMILIES["activities"]
    every = {"insats", "fatt_insats", "deltagartimmar"}
    assert _apart(act, every, 1) == [every]
    # monthly's two lanes: the light part apart from the rest on one thread of figures too
    light = [{"insats"}, {"fatt_insats", "deltagartimmar"}]
    assert _apart(act, every, 1, small_beside=True) == light
    assert act.LIGHT in act.PARTS  # a light part is one of the family's parts
    assert _apart(act, every, 2) == [{"insats"}, {"fatt_insats", "deltagartimmar"}]
    assert _apart(act, {"deltagartimmar"}, 2) == [{"deltagartimmar"}]
    assert _apart(act, {"insats", "nytt_id"}, 2) == [{"insats"}, {"nytt_id"}]  # the rest last
    assert _apart(act, set(), 2) == []
    assert _apart(FAMILIES["flow"], {"deltagare_aktiva"}, 2) == [{"deltagare_aktiva"}]


def test_families_side_by_side_give_the_table_one_by_one(tmp_path, monkeypatch):
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    config = load_config()
    periods = [parse_period(p) for p in ("2017-03", "2017-05", "2017-Q2", "2017-T1", "2017")]
    secret = b"hemlig" * 11

    def table(threads, keyed):
        ds = load_dataset(data, config, secret=secret)  # its own: nothing built yet
        return exact_figures(ds, periods, keyed=keyed, threads=threads)

    for keyed in (False, True):
        one = table(1, keyed)
        assert len(one) > 1000 and one["varde"].notna().any()
        pd.testing.assert_frame_equal(table(2, keyed), one)
    ds = [load_dataset(data, config, secret=secret) for _ in range(2)]
    import indikator.indicators as indicators

    asked, real = [], indicators.in_threads
    monkeypatch.setattr(
        indicators, "in_threads", lambda calls, n: asked.append(n) or real(calls, n)
    )
    side_by_side = published(ds[0], periods, min_cell=5, threads=2)
    assert asked == [2]  # the cell-key method's exact and keyed passes, one family at a time
    pd.testing.assert_frame_equal(side_by_side, published(ds[1], periods, min_cell=5))


@pytest.mark.parametrize("threads", [1, 2])
def test_both_passes_family_by_family_give_the_two_tables(tmp_path, monkeypatch, threads):
    # exact_and_keyed runs each family's keyed pass right after its exact pass: the same two
    # tables as two whole passes (ordered by one sort); the work the passes share (the
    # activities' runs) is built once, not once per pass; and when the families are done only
    # the work other families use too (the enrolment runs, the exits, the label columns) is
    # left in the dataset's memo
    import indikator.indicators as indicators
    import indikator.indicators.activities as activities

    data = write_dataset(tmp_path / "w", FULL_WORLD)
    config = load_config()
    periods = [parse_period(p) for p in ("2017-03", "2017-05", "2017-Q2", "2017-T1", "2017")]
    secret = b"hemlig" * 11
    ds = [load_dataset(data, config, secret=secret) for _ in range(2)]
    want = [exact_figures(ds[0], periods, keyed=k, threads=threads) for k in (False, True)]
    built, real = [], activities.person_runs
    monkeypatch.setattr(activities, "person_runs", lambda *a: built.append(a[-1]) or real(*a))
    owns, own = [], indicators._Own
    monkeypatch.setattr(indicators, "_Own", lambda parts: owns.append(own(parts)) or owns[-1])
    sorts, order_index = [], indicators.order_index
    monkeypatch.setattr(indicators, "order_index", lambda *a: sorts.append(1) or order_index(*a))
    exact, keyed = exact_and_keyed(ds[1], periods, threads=threads)
    assert len(sorts) == 1  # the passes have the same rows: one sort orders both
    pd.testing.assert_frame_equal(exact, want[0])
    pd.testing.assert_frame_equal(keyed, want[1])
    assert sorted(built) == [1, len(config.code_list("insatstyp"))]  # fått insats, insatstyp
    left = {n for k, memo in ds[1].memo.items() if k[0] == "context" for n in memo}
    assert {"active", "exits"} <= left
    assert not left & {"aktiviteter", "fatt_insats", "insats", "instrument", "followup keys"}
    assert len(owns) == len(FAMILIES)  # each family's own work, dropped when it was done
    assert all(o.left == 0 and not o.work for o in owns)


def test_the_batch_computes_two_families_at_a_time(cli, tmp_path, monkeypatch):
    seen = []
    real = batch_module.run_batch

    def spy(*args):
        seen.append(args[-1])
        return real(*args)

    monkeypatch.setattr(batch_module, "run_batch", spy)
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    r = cli("batch", "--data", str(data), "--out", str(tmp_path / "ut"), "--to", "2017-03")
    assert r.exit_code == 0, r.stderr
    assert seen == [min(2, cores())]


def test_without_a_second_process_jobs_run_here():
    with aside(False) as helper:
        job = helper.submit(os.getpid)
        assert helper.pool is None and job.future is None
        assert job.result() == os.getpid()


@two_cores
def test_a_second_process_does_the_work():
    with aside(True) as helper:
        helper.prepare("json")
        assert helper.submit(os.getpid).result() != os.getpid()


def _pid_and_niceness() -> tuple[int, int]:
    return os.getpid(), os.nice(0)  # Linux: the calling thread's


@two_cores
def test_work_that_can_wait_runs_there_at_the_lowest_priority():
    """``when_idle``: in the second process at niceness 19, in a thread of its own; the
    second's other work (the reports) at the normal priority, and this process's unchanged.
    Done here (no second process), as any call."""
    from indikator.parallel import IDLE_NICENESS, when_idle

    here = os.nice(0)
    with aside(True) as helper:
        pid, low = helper.submit(when_idle, _pid_and_niceness).result()
        pid_normal, normal = helper.submit(_pid_and_niceness).result()
        with pytest.raises(ZeroDivisionError):  # an error there is raised here
            helper.submit(when_idle, divmod, 1, 0).result()
    assert pid == pid_normal != os.getpid()
    assert (low, normal) == (IDLE_NICENESS, here) and IDLE_NICENESS == 19
    assert when_idle(_pid_and_niceness) == (os.getpid(), here) == (os.getpid(), os.nice(0))


@two_cores
def test_work_not_begun_is_taken_back():
    with aside(True) as helper:
        helper.submit(time.sleep, 2)  # keeps the second process busy
        # the jobs wait here until the second process has ended the one before
        jobs = [helper.submit(os.getpid) for _ in range(5)]
        assert jobs[0].take_back() and jobs[-1].take_back()
        assert jobs[-1].here and jobs[-1].result() == os.getpid()
        assert jobs[0].result() == os.getpid()
        assert jobs[1].result() != os.getpid()  # handed over after the sleep, done there
        assert not jobs[1].take_back()  # done there: not taken


@two_cores
def test_a_second_process_that_dies_leaves_its_work_here():
    with aside(True) as helper:
        assert helper.submit(_dies_elsewhere, os.getpid()).result() == "här"
        later = helper.submit(os.getpid)  # the broken pool is not used again
        assert later.result() == os.getpid() and helper.pool is None


def _cells(path) -> list:
    wb = load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value, c.number_format, c.font.b)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    ]


@two_cores
def test_a_second_process_that_cannot_start_leaves_the_work_here(monkeypatch):
    with aside(True) as helper:

        def refused(*args):  # what a process limit or a missing /dev/shm looks like at start
            raise OSError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(helper.pool, "submit", refused)
        job = helper.submit(os.getpid)
        assert job.result() == os.getpid() and helper.pool is None


@two_cores
def test_batch_reports_rendered_aside_are_those_rendered_here(cli, tmp_path, monkeypatch):
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    helpers = []
    real = batch_module.aside

    @contextlib.contextmanager
    def spy(wanted):
        with real(wanted) as helper:
            helpers.append(helper)
            yield helper

    monkeypatch.setattr(batch_module, "aside", spy)
    runs = {}
    for where, rows in (("här", 10**12), ("bredvid", 0)):
        monkeypatch.setattr(batch_module, "ASIDE_ROWS", rows)
        out = tmp_path / where
        args = ("--from", "2017-01", "--to", "2017-06", "--min-cell", "0")
        r = cli("batch", "--data", str(data), "--out", str(out), *args)
        assert r.exit_code == 0, r.stderr
        runs[where] = (out / "senaste").resolve()
    assert helpers[0].pool is None and helpers[1].pool is not None  # the small world: here
    here, beside = runs["här"], runs["bredvid"]
    names = sorted(p.name for p in here.iterdir())
    assert names == sorted(p.name for p in beside.iterdir())
    assert [n for n in names if n.endswith(".xlsx")] == [
        "rapport-2017-06.xlsx",
        "rapport-2017-T1.xlsx",
    ]
    for name in names:
        if name.endswith(".xlsx"):
            cells = _cells(here / name)
            assert len(cells) > 100 and cells == _cells(beside / name), name
        elif name == "manifest.json":  # the time of the run differs; the checksums not
            a, b = (json.loads((run / name).read_text(encoding="utf-8")) for run in runs.values())
            assert a.pop("tid") != "" and b.pop("tid") != ""
            assert a == b and len(a["indata"][0]["sha256"]) == 64
        else:
            assert (here / name).read_bytes() == (beside / name).read_bytes(), name


SAMPLES = Path(__file__).parents[1] / "src" / "indikator" / "bundled" / "samples"


def _load(folder, monkeypatch, beside: bool):
    """The dataset with the largest file read in a second thread (``beside``), or one file
    after the other; which thread read each export, to show the second one was used."""
    import indikator.dataset as dataset

    monkeypatch.setattr(dataset, "cores", lambda: 2)  # as on a machine with two
    monkeypatch.setattr(dataset, "BESIDE_BYTES", 0 if beside else 1 << 62)
    readers, real = {}, dataset.read_table

    def spy(path, export, *args):
        readers[export] = threading.get_ident()
        return real(path, export, *args)

    monkeypatch.setattr(dataset, "read_table", spy)
    ds = load_dataset(folder, load_config())
    return ds, {e for e, t in readers.items() if t != threading.get_ident()}


@pytest.mark.parametrize("sample", ["vagknuten", "esfplus"])
def test_a_file_read_beside_the_others_loads_as_one_after_the_other(sample, monkeypatch):
    # Problems in every file (vagknuten: 6 083, esfplus: 19 371): the same rows accepted,
    # the same problems in the same order, the same counts, as one file after the other.
    import pickle

    alone, elsewhere = _load(SAMPLES / sample, monkeypatch, beside=False)
    assert elsewhere == set()
    together, elsewhere = _load(SAMPLES / sample, monkeypatch, beside=True)
    assert elsewhere == {"aktiviteter"}  # the largest file but deltagare, in the other thread
    assert len(alone.problems) > 6000 and alone.problems["fil"].nunique() >= 5
    pd.testing.assert_frame_equal(together.problems, alone.problems)
    assert together.counts == alone.counts
    assert list(together.tables) == list(alone.tables)
    for export, table in alone.tables.items():
        pd.testing.assert_frame_equal(together.tables[export], table)
    pd.testing.assert_frame_equal(together.persons, alone.persons)
    assert (together.columns, together.latest) == (alone.columns, alone.latest)
    # what the cache keeps of it: byte for byte (problems, dict orders and all)
    assert pickle.dumps(together) == pickle.dumps(alone)


def _largest_is(big: str, monkeypatch) -> None:
    """``big`` counts as the dataset's largest export (when it has one) wherever the load
    picks the export for its second thread."""
    import indikator.dataset as dataset

    largest = dataset._largest
    monkeypatch.setattr(
        dataset,
        "_largest",
        lambda sizes, least: largest({**sizes, big: 1 << 40} if big in sizes else sizes, least),
    )


@pytest.mark.parametrize(
    ("sample", "big"),
    [("vagknuten", "aktiviteter"), ("esfplus", "aktiviteter"), ("vagknuten", "remisser")],
)
def test_an_export_judged_beside_the_others_loads_as_one_after_the_other(sample, big, monkeypatch):
    # The rules of the largest export in a second thread, into problems of its own: the same
    # rows accepted, the same problems in the same order, counts, persons and record keys as
    # every export judged here, one after the other. The persons and record keys are taken
    # here while it is judged; a remisser judged beside gets its record keys after.
    import pickle

    import indikator.dataset as dataset
    from indikator.rules import RULES

    _largest_is(big, monkeypatch)  # remisser as the largest: a register of referrals, say

    judges, real = {}, dict(RULES)
    for export, rule in real.items():
        monkeypatch.setitem(
            RULES,
            export,
            lambda rows, e=export, r=rule: judges.setdefault(e, threading.get_ident()) and r(rows),
        )
    monkeypatch.setattr(dataset, "cores", lambda: 2)  # as on a machine with two
    loaded = {}
    for rows in (1 << 62, 0):
        monkeypatch.setattr(dataset, "JUDGED_BESIDE_ROWS", rows)
        judges.clear()
        loaded[rows] = load_dataset(SAMPLES / sample, load_config(), secret=b"hemlig" * 11)
        elsewhere = {e for e, t in judges.items() if t != threading.get_ident()}
        assert elsewhere == (set() if rows else {big})
    alone, together = loaded[1 << 62], loaded[0]
    assert len(alone.problems) > 6000 and alone.problems["fil"].nunique() >= 5
    assert alone.has_record_keys and "nyckel" in alone.tables["remisser"]
    pd.testing.assert_frame_equal(together.problems, alone.problems)
    assert together.counts == alone.counts
    for export, table in alone.tables.items():
        pd.testing.assert_frame_equal(together.tables[export], table)
    assert pickle.dumps(together) == pickle.dumps(alone)


def test_the_file_read_beside_is_checked_there_after_deltagare_and_its_rule(monkeypatch):
    # The largest file is read and its cells checked in the second thread; its check waits
    # for deltagare's, which fixes the century of ten-digit ids. deltagare's rule runs here
    # as soon as its cells are checked, before the next file is read; the equality with one
    # file after the other (problems in the same order) is the test above.
    import indikator.dataset as dataset
    from indikator.rules import RULES

    events, here = [], threading.get_ident()
    real_validate, real_read, real_rule = (
        dataset.validate_table,
        dataset.read_table,
        RULES["deltagare"],
    )

    def validate(raw, *args):
        events.append(("check", raw.export, threading.get_ident() == here))
        return real_validate(raw, *args)

    def read(path, export, *args):
        events.append(("read", export, threading.get_ident() == here))
        return real_read(path, export, *args)

    def rule(rows):
        events.append(("rule", "deltagare", threading.get_ident() == here))
        return real_rule(rows)

    monkeypatch.setattr(dataset, "validate_table", validate)
    monkeypatch.setattr(dataset, "read_table", read)
    monkeypatch.setitem(RULES, "deltagare", rule)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    monkeypatch.setattr(dataset, "BESIDE_BYTES", 0)
    load_dataset(SAMPLES / "vagknuten", load_config())
    beside = [(what, export) for what, export, on_here in events if not on_here]
    assert beside == [("read", "aktiviteter"), ("check", "aktiviteter")]
    mine = [(what, export) for what, export, on_here in events if on_here]
    assert mine[:4] == [
        ("read", "deltagare"),
        ("check", "deltagare"),
        ("rule", "deltagare"),
        ("read", "matningar"),
    ]
    assert events.index(("check", "aktiviteter", False)) > events.index(
        ("check", "deltagare", True)
    )


def test_the_id_checker_asked_from_two_threads_gives_each_its_own_verdicts():
    # Two exports' ids checked at once (the largest file beside the others), overlapping:
    # each gets the verdicts it gets alone, and every id is checked once.
    import datetime as dt

    from indikator.ids import IdChecker

    first = pd.Series([f"19800101-{i:04d}" for i in range(0, 3000)] + ["x", "19801301-0000"])
    second = pd.Series([f"19800101-{i:04d}" for i in range(1500, 4500)] + ["19800101-0001"])
    alone = [IdChecker(dt.date(2018, 1, 1))(v) for v in (first, second)]
    shared = IdChecker(dt.date(2018, 1, 1))
    for _ in range(5):
        got = in_threads([lambda v=v: shared(v) for v in (first, second)], 2)
        for (codes, table), (codes_alone, table_alone) in zip(got, alone, strict=True):
            assert (codes == codes_alone).all()
            pd.testing.assert_frame_equal(table, table_alone)
    assert len(shared.seen) == len(shared.table) == 4502  # 4 500 ids, "x", the 13th month


@pytest.mark.parametrize("big", ["aktiviteter", "matningar"])
def test_dataset_wide_warnings_are_listed_last_whichever_export_is_judged_beside(big, monkeypatch):
    # The dataset-wide warnings (``consistency``: made many here, 361 mass endings and 93 late
    # answers in the bundled sample) are listed after every export's rules whichever export
    # is judged beside, as when every export is judged here one after the other.
    import pickle

    import indikator.dataset as dataset
    from indikator.rules import consistency

    monkeypatch.setattr(consistency, "MASS_END", 2)
    monkeypatch.setattr(consistency, "LATE_ANSWER_DAYS", 0)
    _largest_is(big, monkeypatch)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    loaded = {}
    for rows in (1 << 62, 0):
        monkeypatch.setattr(dataset, "JUDGED_BESIDE_ROWS", rows)
        loaded[rows] = load_dataset(SAMPLES / "mia", load_config(), secret=b"hemlig" * 11)
    alone, together = loaded[1 << 62], loaded[0]
    kinds = alone.problems["kod"].value_counts()
    assert kinds["helhet_massavslut"] == 361 and kinds["helhet_sena_svar"] == 93
    assert alone.problems["kod"].iat[-1].startswith("helhet_")  # after the rules' problems
    pd.testing.assert_frame_equal(together.problems, alone.problems)
    assert pickle.dumps(together) == pickle.dumps(alone)


@pytest.mark.parametrize("big", ["aktiviteter", "matningar"])
def test_exact_copies_are_counted_and_listed_alike_whichever_export_is_judged_beside(
    big, tmp_path, monkeypatch
):
    # Exact copies in the export judged beside and in one judged here: counted and listed
    # as when every export is judged here, one after the other.
    import shutil

    import indikator.dataset as dataset

    folder = tmp_path / "mia"
    shutil.copytree(SAMPLES / "mia", folder)
    for export, rows in (("aktiviteter", [2, 5, 5]), ("matningar", [3, 7])):
        path = folder / f"{export}.csv"
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        # lines[2] is the second data row, and so on: each copied to the end of the file
        path.write_text("\n".join(lines + [lines[r] for r in rows]) + "\n", encoding="utf-8")
    _largest_is(big, monkeypatch)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    loaded = {}
    for rows in (1 << 62, 0):
        monkeypatch.setattr(dataset, "JUDGED_BESIDE_ROWS", rows)
        loaded[rows] = load_dataset(folder, load_config(), secret=b"hemlig" * 11)
    alone, together = loaded[1 << 62], loaded[0]
    copies = {c.export: c.duplicates for c in alone.counts}
    # aktiviteter: rows 2 and 5 copied, row 5 twice: three copies; matningar: two
    assert copies["aktiviteter"] == 3 and copies["matningar"] == 2
    assert (alone.problems["kod"] == "exakt_dubblett").sum() == 5
    assert together.counts == alone.counts
    pd.testing.assert_frame_equal(together.problems, alone.problems)


def _broken(folder: Path, exports: list[str]) -> Path:
    """FULL_WORLD with a column written twice in each of ``exports``: a file error."""
    files = dict(FULL_WORLD)
    for e in exports:
        head, _, rest = files[e].partition("\n")
        files[e] = f"{head};{head.split(';')[0]}\n{rest}"
    return write_dataset(folder, files)


@pytest.mark.parametrize(
    "exports",
    [["aktiviteter", "matningar"], ["deltagare", "aktiviteter"], ["matningar"], ["aktiviteter"]],
)
def test_an_error_beside_is_the_error_one_after_the_other(exports, tmp_path, monkeypatch):
    # Two broken files: the one first in the exports' order speaks, wherever it was read;
    # and the second thread is over when the error comes out.
    from indikator.errors import FileError

    data = _broken(tmp_path / "w", exports)
    said = []
    for beside in (False, True):
        before = threading.active_count()
        with pytest.raises(FileError) as error:
            _load(data, monkeypatch, beside)
        said.append(str(error.value))
        assert threading.active_count() == before
    assert said[1] == said[0] and said[0].startswith(f"{exports[0]}.csv")


def test_a_stage_in_another_thread_is_charged_to_this_threads_stage():
    # a file read beside the others must not push its stage on this thread's stack
    from indikator import timings

    timings.enable()
    try:
        with timings.stage("read"):
            other = threading.Thread(target=lambda: timings.stage("validate").__enter__())
            other.start()
            other.join()
            time.sleep(0.05)
        names = [name for name, *_ in timings.rows()]
        seconds = timings._current.seconds
    finally:
        timings.disable()
    assert "validate" not in names and seconds["read"] >= 0.05


@pytest.mark.parametrize("how", ["filfel", "ctrl-c"])
def test_an_error_before_the_file_read_beside_stops_its_read(how, tmp_path, monkeypatch):
    # deltagare fails (a file error, or Ctrl-C while its cells are checked): no error of
    # aktiviteter can come first, so its read (here thousands of pieces) ends at its next
    # piece instead of running to the end before the error comes out
    import indikator.dataset as dataset
    from indikator.errors import FileError
    from indikator.parallel import Stopped
    from indikator.reading import text

    head = FULL_WORLD["aktiviteter"].partition("\n")[0]
    rows = "19800101-0001;2017-05-03;MOTIVERANDE_SAMTAL;OS;1\n" * 40_000  # pyarrow's pieces
    data = _broken(tmp_path / "w", ["deltagare"] if how == "filfel" else [])
    (data / "aktiviteter.csv").write_text(f"{head}\n{rows}", encoding="utf-8")
    monkeypatch.setattr(text, "STREAMED", 0)
    monkeypatch.setattr(text, "PIECE", 256)  # about 7 000 pieces
    ended, real_read = {}, dataset.read_table

    def read(path, export, *args):
        try:
            return real_read(path, export, *args)
        except BaseException as e:
            ended[export] = type(e)
            raise

    def interrupted(raw, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(dataset, "read_table", read)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    monkeypatch.setattr(dataset, "BESIDE_BYTES", 0)
    if how == "ctrl-c":
        monkeypatch.setattr(dataset, "validate_table", interrupted)
    with pytest.raises(FileError if how == "filfel" else KeyboardInterrupt):
        load_dataset(data, load_config())
    assert ended["aktiviteter"] is Stopped


@two_cores
def test_finish_takes_over_the_work_not_begun_from_the_last():
    """``finish``: the jobs never sent first, then the second process's jobs not begun, from
    the last, done here; every job's result exactly once, under its key."""
    from indikator.parallel import Job, finish

    with aside(True) as helper:
        helper.submit(os.getpid).result()  # started and ready
        busy = helper.submit(time.sleep, 1.5)  # keeps the second process busy meanwhile
        jobs = {"here": Job(os.getpid, ())}
        jobs |= {f"there{i}": helper.submit(os.getpid) for i in range(5)}
        time.sleep(0.5)  # the executor hands what it hands ahead to the process meanwhile
        done = list(finish(jobs))
        busy.result()
    keys, pid = [k for k, _ in done], dict(done)
    assert sorted(keys) == sorted(jobs) and keys[0] == "here" and pid["here"] == os.getpid()
    # nothing goes ahead to the process while it is busy: every job it has not begun is
    # taken over here, the last first, and nothing is waited for
    assert keys[1:] == [f"there{i}" for i in range(5)][::-1]
    assert all(pid[k] == os.getpid() for k in keys)


@two_cores
def test_the_second_process_is_handed_one_job_at_a_time_in_order():
    """While it works on one job the others wait here (``Job.queue``), handed over in the
    order given as it ends each; the results are the calls' own."""
    with aside(True) as helper:
        busy = helper.submit(time.sleep, 1.0)
        jobs = [helper.submit(_pid_and_time) for _ in range(3)]
        time.sleep(0.3)
        assert busy.future is not None and busy.queue is None  # handed over, begun
        assert all(j.queue is helper and j.future is None for j in jobs)  # waiting here
        results = [j.result() for j in jobs]
    assert all(pid != os.getpid() for pid, _ in results)
    assert [t for _, t in results] == sorted(t for _, t in results)


def _pid_and_time() -> tuple[int, float]:
    return os.getpid(), time.time()


class _Teardown:
    """Writes a file when the interpreter that holds it is torn down (its ``__del__``)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __del__(self) -> None:
        Path(self.path).write_text("torn down", encoding="utf-8")


def _held_until_teardown(path: str) -> int:
    import sys

    sys.modules["_indikator_teardown_probe"] = _Teardown(path)  # freed only at teardown
    return os.getpid()


@two_cores
def test_the_second_process_ends_without_tearing_down_its_interpreter(tmp_path):
    # its work done and every result sent, it ends at once (os._exit at exit): a batch's
    # helper with matplotlib and pandas loaded took 0.15-0.25 s to tear down, waited for here
    probe = tmp_path / "probe"
    with aside(True) as helper:
        pid = helper.submit(_held_until_teardown, str(probe)).result()
    assert pid != os.getpid()
    assert not probe.exists()
    _held_until_teardown(str(tmp_path / "here"))  # the probe works: freed, it writes
    import sys

    del sys.modules["_indikator_teardown_probe"]
    assert (tmp_path / "here").read_text(encoding="utf-8") == "torn down"


def test_the_batch_sends_every_report_aside_the_html_reports_first(cli, tmp_path, monkeypatch):
    """Every report goes to the second process (whose matplotlib is imported in advance; this
    process would import it first), the HTML reports before the workbooks: their charts are
    drawn in one process, once per content, and what this process takes back, from the last,
    are workbooks. Each HTML report is sent as soon as it is made, before the next report is
    made (the second process begins drawing while this one makes the others)."""
    from indikator.output import render
    from indikator.parallel import Job

    events, real = [], batch_module.from_published

    def made(figures, config, period, *args, **kw):
        events.append(("made", period.label))
        return real(figures, config, period, *args, **kw)

    class Recording:
        def prepare(self, *modules):
            pass

        def submit(self, call, *args):
            if call is render:
                events.append(("sent", args[1], args[0].period.label))
            return Job(call, args)  # done here, when its result is asked for

    monkeypatch.setattr(batch_module, "aside", lambda wanted: contextlib.nullcontext(Recording()))
    monkeypatch.setattr(batch_module, "from_published", made)
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    r = cli("batch", "--data", str(data), "--out", str(tmp_path / "ut"), "--to", "2017-06")
    assert r.exit_code == 0, r.stderr
    folder = tmp_path / "ut" / "senaste"
    written = [p.suffix[1:] for p in folder.iterdir() if p.suffix in (".html", ".xlsx")]
    # 2017-06, 2017-T1 and 2016 (HTML and workbook each) and the ESF workbook of 2016 (its
    # own report, made after the figures' of 2016)
    assert events == [
        ("made", "2017-06"),
        ("sent", "html", "2017-06"),
        ("made", "2017-T1"),
        ("sent", "html", "2017-T1"),
        ("made", "2016"),
        ("sent", "html", "2016"),
        ("made", "2016"),
        ("sent", "xlsx", "2017-06"),
        ("sent", "xlsx", "2017-T1"),
        ("sent", "xlsx", "2016"),
        ("sent", "xlsx", "2016"),
    ]
    sent = [e[1] for e in events if e[0] == "sent"]
    assert sorted(sent) == sorted(written)


def test_brisk_switching_only_inside_the_block():
    import sys

    from indikator.parallel import BRISK_SWITCH, brisk

    was = sys.getswitchinterval()
    with brisk("aktiviteter"):
        assert sys.getswitchinterval() == pytest.approx(BRISK_SWITCH)
    assert sys.getswitchinterval() == was
    with pytest.raises(KeyboardInterrupt), brisk(True):  # Ctrl-C: Python's own again after
        raise KeyboardInterrupt
    assert sys.getswitchinterval() == was
    with brisk(None):  # nothing beside: nothing changed
        assert sys.getswitchinterval() == was


@two_cores
def test_a_fault_in_the_handing_over_leaves_every_job_here(monkeypatch, caplog):
    # the thread that hands jobs over ends by an error: the jobs waiting for it, and those
    # given later, are done here instead of waiting for ever; the warning is masked
    from indikator.parallel import Aside

    def broken(self):
        time.sleep(0.2)  # the jobs below are waiting by then
        raise RuntimeError("trasig vid 19121212-1212")

    monkeypatch.setattr(Aside, "_hand_over", broken)
    with aside(True) as helper:
        jobs = [helper.submit(os.getpid) for _ in range(3)]
        assert all(j.result() == os.getpid() for j in jobs)
        assert helper.pool is None and helper.submit(os.getpid).result() == os.getpid()
    said = [r.getMessage() for r in caplog.records if "andra processen" in r.getMessage()]
    assert len(said) == 1 and "trasig" in said[0] and "1212-1212" not in said[0]


def test_an_export_read_here_is_judged_before_the_next_file_is_read(monkeypatch):
    # While the second thread reads the largest file, this one judges each export it has
    # loaded by its rules at once, before reading the next file (a national matningar's rule
    # ran after every file was loaded, on one core); the export read beside is judged once it
    # is loaded. The problems come out in the exports' order all the same (the tests above).
    import indikator.dataset as dataset
    from indikator.rules import RULES

    events, here = [], threading.get_ident()
    real_read = dataset.read_table

    def read(path, export, *args):
        events.append(("read", export, threading.get_ident() == here))
        return real_read(path, export, *args)

    for export, rule in dict(RULES).items():

        def judged(rows, e=export, r=rule):
            events.append(("rule", e, threading.get_ident() == here))
            return r(rows)

        monkeypatch.setitem(RULES, export, judged)
    monkeypatch.setattr(dataset, "read_table", read)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    monkeypatch.setattr(dataset, "BESIDE_BYTES", 0)
    load_dataset(SAMPLES / "vagknuten", load_config())
    mine = [(what, export) for what, export, on_here in events if on_here]
    exports = ["deltagare", "matningar", "uppfoljningar", "remisser", "organisationsaktiviteter"]
    assert mine[: 2 * len(exports)] == [(w, e) for e in exports for w in ("read", "rule")]
    assert events.index(("rule", "aktiviteter", True)) > events.index(
        ("read", "aktiviteter", False)
    )
    assert events[-1] == ("rule", "aktiviteter", True)  # under 250 000 rows: judged here


def test_the_export_judged_beside_is_not_searched_for_copies_when_no_row_repeats(monkeypatch):
    # The rows of the export judged beside are asked for repeats while it is judged: none
    # (the usual answer) means none of its accepted rows is a copy, and the search for copies
    # among them after its rule (a sort of ten million keys) is not made. The exports judged
    # here are searched as before; with a repeat, the export beside too (the copies test).
    import indikator.dataset as dataset
    from indikator.rules import copies

    searched = []
    monkeypatch.setattr(
        copies, "exact_copies", lambda df, raw, problems: searched.append(raw.export) or 0
    )
    _largest_is("aktiviteter", monkeypatch)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    monkeypatch.setattr(dataset, "JUDGED_BESIDE_ROWS", 0)
    ds = load_dataset(SAMPLES / "mia", load_config())
    assert sorted(searched) == ["matningar", "organisationsaktiviteter"]
    assert {c.export: c.duplicates for c in ds.counts}["aktiviteter"] == 0


@pytest.mark.parametrize("big", ["aktiviteter", "matningar"])
def test_the_dataset_wide_checks_get_the_exports_they_name_whichever_is_judged_beside(
    big, monkeypatch
):
    # ``consistency.check`` runs beside the rule of the export judged beside when it does not
    # read that export (``consistency.USES``), after it when it does: either way it is given
    # the exports it names, judged, and no other (a check that read another export would
    # find it or not depending on which export was judged beside).
    import indikator.dataset as dataset
    from indikator.rules import consistency

    given, real = [], consistency.check
    monkeypatch.setattr(
        consistency,
        "check",
        lambda tables, *a: given.append({e: len(t) for e, t in tables.items()}) or real(tables, *a),
    )
    _largest_is(big, monkeypatch)
    monkeypatch.setattr(dataset, "cores", lambda: 2)
    monkeypatch.setattr(dataset, "JUDGED_BESIDE_ROWS", 0)
    ds = load_dataset(SAMPLES / "mia", load_config())
    assert given == [{e: len(ds.tables[e]) for e in consistency.USES}]
