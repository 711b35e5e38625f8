"""Work handed to a second process (``parallel``): done there when there is one, here when
there is not, when it has not begun, or when the second process dies; and the batch's reports
the same wherever they were rendered."""

import contextlib
import os
import time

import pytest
from conftest import write_dataset
from openpyxl import load_workbook
from world import FULL_WORLD

from indikator import batch as batch_module
from indikator.parallel import aside, cores

two_cores = pytest.mark.skipif(cores() < 2, reason="a second process needs a second core")


def _dies_elsewhere(here: int) -> str:
    """Kills the second process; returns where it is allowed to run (this one)."""
    if os.getpid() != here:
        os._exit(3)
    return "här"


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


@two_cores
def test_work_not_begun_is_taken_back():
    with aside(True) as helper:
        helper.submit(time.sleep, 2)  # keeps the second process busy
        # the executor hands at most two more calls ahead to the process; the rest wait here
        jobs = [helper.submit(os.getpid) for _ in range(5)]
        jobs[-1].take_back()
        assert jobs[-1].future is None and jobs[-1].result() == os.getpid()
        assert jobs[0].result() != os.getpid()  # begun there: not taken


@two_cores
def test_a_second_process_that_dies_leaves_its_work_here():
    with aside(True) as helper:
        assert helper.submit(_dies_elsewhere, os.getpid()).result() == "här"
        later = helper.submit(os.getpid)  # the broken pool is not used again
        assert helper.pool is None and later.result() == os.getpid()


def _cells(path) -> list:
    wb = load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value, c.number_format, c.font.b)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    ]


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
        elif name != "manifest.json":  # the manifest holds the time of the run
            assert (here / name).read_bytes() == (beside / name).read_bytes(), name
