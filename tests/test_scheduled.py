"""The unattended nightly run: one batch per folder at a time, interrupts leave the previous
outputs intact, and the log is structured and free of personal data."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

from indikator.batch import LINK, locked

SAMPLE = ROOT / "data" / "samples" / "mia"


def _batch(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indikator",
            "batch",
            "--out",
            str(out),
            "--data",
            str(SAMPLE),
            "--no-cache",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _writing(proc: subprocess.Popen, out: Path, within: float = 120.0) -> None:
    """Wait until the run writes its new generation (the hidden ``.korning-*`` folder that
    becomes ``korning-*`` when complete): a point inside the run whatever the machine's
    speed (a fixed sleep let a fast machine finish the whole batch first)."""
    deadline = time.monotonic() + within
    while not any(p.name.startswith(".korning-") for p in out.iterdir()):
        assert proc.poll() is None, "the batch ended before it wrote anything"
        assert time.monotonic() < deadline, "the batch never began writing"
        time.sleep(0.005)


def test_a_second_batch_on_the_same_folder_stops_with_a_clear_message(cli, tmp_path):
    out = tmp_path / "out"
    with locked(out):  # as if another batch were running
        r = cli("batch", "--out", str(out), "--data", str(SAMPLE), "--to", "2017-01")
    assert r.exit_code == 1
    assert "en annan batch-körning skriver redan hit" in r.stderr
    assert not (out / LINK).exists()
    # once the lock is released, the next run goes through
    r = cli("batch", "--out", str(out), "--data", str(SAMPLE), "--to", "2017-01")
    assert r.exit_code == 0 and (out / LINK).exists()


def test_sigterm_and_sigint_leave_the_previous_run_intact(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("batch", "--out", str(out), "--data", str(SAMPLE), "--to", "2017-01").exit_code == 0
    before = os.readlink(out / LINK)
    files = sorted(p.name for p in (out / before).iterdir())
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = _batch(out)
        _writing(proc, out)  # inside the run: its new folder half written
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "avbrutet" in err and "Traceback" not in err
        assert os.readlink(out / LINK) == before
        assert sorted(p.name for p in (out / before).iterdir()) == files
        assert not [p for p in out.iterdir() if p.name.startswith(".korning-")]


def test_log_lines_are_structured_and_masked(cli, tmp_path):
    log = tmp_path / "run.log"
    folder = tmp_path / "data"
    folder.mkdir()
    for p in SAMPLE.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    with open(folder / "aktiviteter.csv", "a", encoding="utf-8") as fh:
        fh.write("19900101-0008;2017-05-02;PRAKTIK_AG;OS;1;\r\n")
    r = cli(
        "--log",
        str(log),
        "monthly",
        "--period",
        "2017-05",
        "--format",
        "csv",
        "--data",
        str(folder),
    )
    assert r.exit_code == 3
    r = cli("--log", str(log), "monthly", "--period", "2017-13", "--data", str(folder))
    lines = log.read_text(encoding="utf-8").splitlines()
    line = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d (INFO|WARNING|ERROR) \S")
    assert lines and all(line.match(x) for x in lines), lines
    assert any("avvisade" in x for x in lines)
    assert any(" WARNING " in x for x in lines)
    assert "19900101-0008" not in log.read_text(encoding="utf-8")


def test_clean_up_that_fails_after_an_interrupt_stays_off_the_screen(tmp_path):
    """Whatever a library leaves half-done when a run is interrupted (here an object whose
    clean-up raises, collected at exit) goes to the log; the user sees only "avbrutet"."""
    log = tmp_path / "run.log"
    script = f"""
import click
from pathlib import Path
from indikator import app
from indikator.cli import handled

class HalfWritten:
    def __del__(self):
        raise ValueError("I/O operation on closed file.")

@click.command()
@handled
def job():
    job.pending = HalfWritten()  # lives until the interpreter shuts down
    raise KeyboardInterrupt

app.start_log(Path({str(log)!r}))
job()
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert r.returncode == 130, r.stderr
    assert r.stderr == "avbrutet; tidigare resultat är orörda\n"
    assert "efter avbrott: ValueError('I/O operation on closed file.')" in log.read_text()


def test_a_run_leaves_quickly_and_still_cleans_up(cli, tmp_path):
    """The console script skips Python's teardown of pandas and friends (`cli.run`), but what
    Python runs at exit still runs (here a marker; in real runs openpyxl's temporary files of
    an interrupted workbook, multiprocessing's clean-up), and stdout carries every byte it
    carries in-process, also when it is a pipe."""
    mark = tmp_path / "exit-handler-ran"
    job = ["monthly", "--period", "2017-05", "--data", str(SAMPLE), "--no-cache", "--format", "csv"]
    script = f"""
import atexit, sys
from pathlib import Path
atexit.register(lambda: Path({str(mark)!r}).write_text("ja"))
sys.argv = ["indikator", *{job!r}]
from indikator.cli import run
run()
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert mark.read_text() == "ja"
    assert r.stdout.decode() == cli(*job).stdout
    assert r.stdout.count(b"\n") > 1000
    # an error's exit code and message come through the same way
    r = subprocess.run(
        [sys.executable, "-m", "indikator", *job[:-2], "--period", "2017-13"], capture_output=True
    )
    assert r.returncode == 2 and b"2017-13" in r.stderr
