"""The nightly batch: every period, both scopes, in one pass, written as one consistent set.

Layout of the output folder::

    DIR/senaste -> korning-20261123T020000-ab12cd   (a symlink, replaced atomically)
    DIR/korning-.../indikatorer.parquet, indikatorer.csv, validering.csv, manifest.json

A run writes a new ``korning-*`` folder completely and then swaps the ``senaste`` link with
one rename, so readers see either the old set or the new one, never a mix; a crash, a full
disk or an interrupt leaves the previous set untouched. The three newest runs are kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .atomic import atomic_folder, replace_link
from .dataset import Dataset
from .errors import LockError, OutputError, describe_os_error
from .output import render
from .output.problems import problems_csv
from .output.tidy import parquet_bytes, tidy_arrow, tidy_csv_parts
from .parallel import aside, finish, when_idle
from .periods import Period, last_complete_month, month_index, periods_between
from .protection import describe, published, threshold
from .reports import chart_series, esf_title, from_published
from .timings import stage
from .vocabulary import FIGURE_KEY

LINK = "senaste"
LOCK = ".indikator.lock"
KEEP = 3
TIDY = "indikatorer"
# inputs from which the reports are rendered in a second process: below, a batch takes seconds
# and the second process's start (about a second of imports) would not pay
ASIDE_ROWS = 200_000
# what drawing a chart imports (``output.html``), imported by the second process in advance
CHARTS = (
    "indikator.output.html",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_svg",
)


@dataclass
class BatchResult:
    folder: Path
    periods: int
    rows: int
    rejected: int


@contextlib.contextmanager
def locked(out: Path):
    """One batch at a time per output folder: a second run on the same folder stops at once
    with a clear message instead of interleaving its writes with the first one's."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(
                f"{out}: en annan batch-körning skriver redan hit (låsfil {out / LOCK}); "
                "försök igen när den är klar"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


def batch_periods(
    ds: Dataset, first: Period | None, last: Period | None, today: dt.date
) -> list[Period]:
    """Every month from the project start (or ``first``) to the last complete month (or
    ``last``), plus each quarter, tertial, half-year and year begun by then."""
    project = ds.config.project
    start = first.first if first else month_index(project.start)
    end = last.last if last else min(last_complete_month(today), month_index(project.end))
    if end < start:
        return []
    return periods_between(start, end, ("month", "quarter", "tertial", "half", "year"))


def report_periods(periods: list[Period]) -> list[Period]:
    """The latest complete month, tertial and year among ``periods``: the ones a utredare
    opens in the morning (Excel and HTML reports of each go into the generation folder)."""
    last = max((p.last for p in periods if p.kind == "month"), default=None)
    out = []
    for kind in ("month", "tertial", "year"):
        done = [p for p in periods if p.kind == kind and p.last <= last]
        if done:
            out.append(max(done))
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def current(folder: Path) -> Path:
    """The newest complete run in a batch folder (or the run folder itself)."""
    link = folder / LINK
    return link.resolve() if link.exists() else folder


def run_batch(
    ds: Dataset,
    out: Path,
    periods: list[Period],
    config_path: Path,
    min_cell: int | None = None,
    progress=None,
    threads: int = 1,
) -> BatchResult:
    """Every period's figures, written as one new generation; ``threads``: indicator families
    computed side by side (more memory, less time)."""
    step = progress or (lambda label: None)
    out.mkdir(parents=True, exist_ok=True)
    with aside(sum(c.read for c in ds.counts) >= ASIDE_ROWS) as helper:
        helper.prepare("indikator.output.excel", "xlsxwriter", *CHARTS)
        # what needs no figures, there while this process computes them: the inputs'
        # checksums for the manifest (641 MB at national scale) and the validation list
        # (at the lowest priority: in the time the figures leave free, ``when_idle``)
        early = {p: helper.submit(when_idle, sha256, p) for p in {config_path, *ds.files.values()}}
        early["validering.csv"] = helper.submit(when_idle, problems_csv, ds.problems)
        step("räknar")
        tidy = published(ds, periods, min_cell=min_cell, audited=True, threads=threads)
        stamp = dt.datetime.now(dt.UTC)
        name = f"korning-{stamp:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        try:
            with stage("output"), atomic_folder(out, name) as work:
                step("skriver")
                _write(work, tidy, ds, periods, config_path, min_cell, stamp, helper, early)
            replace_link(out, LINK, name)
        except OSError as e:
            raise OutputError(
                f"{describe_os_error(e, out)}; den förra körningen är orörd"
            ) from None
    _prune(out)
    return BatchResult(out / name, len(periods), len(tidy), ds.rejected)


def documents(tidy, config, periods: list[Period], min_cell: int | None) -> Iterator[tuple]:
    """The reports for people, beside the tidy table, as (file name, report, format), each as
    soon as it is made: monthly's figures of the periods a utredare opens in the morning, and
    the ESF common indicators of each year (a report of their own, as `indikator esf`)."""
    esf = tidy["indikator"].str.startswith("esf_").to_numpy()
    figures = tidy[~esf] if esf.any() else tidy
    series = chart_series(figures)
    for period in report_periods(periods):
        report = from_published(figures, config, period, series, min_cell)
        yield from ((f"rapport-{period.label}.{f}", report, f) for f in ("xlsx", "html"))
        if esf.any() and period.kind == "year":
            report = from_published(tidy[esf], config, period, min_cell=min_cell)
            report.title = esf_title(config, min_cell)
            yield f"esf-{period.label}.xlsx", report, "xlsx"


def _write(
    work: Path, tidy, ds: Dataset, periods, config_path, min_cell, stamp, helper, early
) -> None:
    """Every file of a run. The second process, whose matplotlib was imported while the
    figures were computed (``CHARTS``), gets the HTML reports first (the longest; reports
    that end on the same day show the same charts, drawn once there), each as soon as it is
    made, then the workbooks; this one writes the tables and the manifest, then takes over
    the second's work not begun, from the last, so that the two end together. (Drawing here
    would import matplotlib here first: 0.6-1 s of this process's share at national scale.)"""
    jobs, workbooks = {}, []
    for file, report, fmt in documents(tidy, ds.config, periods, min_cell):
        if fmt == "html":  # the longest first, begun there while the next report is made
            jobs[file] = helper.submit(render, report, fmt)
        else:
            workbooks.append((file, report, fmt))
    for file, report, fmt in workbooks:
        jobs[file] = helper.submit(render, report, fmt)
    (work / f"{TIDY}.parquet").write_bytes(parquet_bytes(tidy_arrow(tidy)))
    with open(work / f"{TIDY}.csv", "wb") as fh:
        fh.writelines(tidy_csv_parts(tidy))
    (work / "validering.csv").write_text(early["validering.csv"].result(), encoding="utf-8")
    manifest = {
        "version": __version__,
        "tid": stamp.isoformat(timespec="seconds"),
        "konfiguration": {"fil": str(config_path), "sha256": early[config_path].result()},
        "min_cell": threshold(ds.config, min_cell),
        "skydd": describe(ds.config, min_cell),
        "perioder": [p.label for p in periods],
        "rader": len(tidy),
        "indata": [
            {
                "export": c.export,
                "fil": c.file,
                "sha256": early[ds.files[c.export]].result(),
                "rader_lasta": c.read,
                "godkanda": c.accepted,
                "avvisade": c.rejected,
            }
            for c in ds.counts
        ],
    }
    (work / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    for file, data in finish(jobs):
        _save(work / file, data)


def _save(path: Path, data: str | bytes) -> None:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def _prune(out: Path) -> None:
    keep = {(out / LINK).resolve().name}
    runs = sorted(
        (p for p in out.glob("korning-*") if p.is_dir()), key=lambda p: p.name, reverse=True
    )
    keep |= {p.name for p in runs[:KEEP]}
    for p in runs:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in out.glob(".korning-*"):  # left by a run that was killed
        shutil.rmtree(p, ignore_errors=True)


KEY = FIGURE_KEY


def diff(old: Path, new: Path):
    """Figures that differ between two batch outputs, for the periods both cover."""
    import pyarrow.parquet as pq

    from .reports import ChangeReport

    a = pq.read_table(current(old) / f"{TIDY}.parquet").to_pandas()
    b = pq.read_table(current(new) / f"{TIDY}.parquet").to_pandas()
    both = set(a["period"]) & set(b["period"])
    a, b = a[a["period"].isin(both)], b[b["period"].isin(both)]
    m = a.merge(b, on=KEY, how="outer", suffixes=("_fore", "_efter"), indicator=True)
    changed = m["_merge"] != "both"
    for c in ("varde", "taljare", "namnare", "status"):
        x, y = m[f"{c}_fore"], m[f"{c}_efter"]
        same = (x == y) | (x.isna() & y.isna())
        changed |= ~same
    return ChangeReport(m[changed].drop(columns="_merge").reset_index(drop=True))
