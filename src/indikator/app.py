"""The application layer: one function per job, from a request value to an answer value.

It owns what is policy rather than computing or rendering: where the bundled data is, the
caches and their one key, the selection and period checks, the strict rule, and the
summaries. The command line (``cli.py``) only parses options, prints answers and maps error
classes to exit codes; a script can call these functions the same way.

Light imports on purpose: a repeated question is answered from the cache before the
configuration is parsed or pandas imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, timings
from .errors import EXIT_FAIL, EXIT_OK, EXIT_REJECTED, StrictError, UsageError
from .locations import config_path, default_data_path, secret_path
from .logs import start as start_log
from .masking import mask
from .memory import kept_for_reuse, one_heap, small_pages, system_allocator
from .parallel import cores
from .periods import Period, parse_period
from .timings import stage

__all__ = [  # the jobs, their requests and answers, and what the command line needs besides
    "Answer",
    "BatchRequest",
    "FigureRequest",
    "RunSummary",
    "Source",
    "TargetRequest",
    "batch",
    "cache_clear",
    "cache_info",
    "cache_key",
    "cache_location",
    "diff",
    "esf",
    "esf_hours",
    "finsam",
    "indicators",
    "init",
    "mask",
    "monthly",
    "parse_period",
    "sample",
    "small_pages",
    "system_allocator",
    "start_log",
    "start_timings",
    "stop_timings",
    "timing_lines",
    "timing_table",
    "strict_refusal",
    "targets",
    "validate",
]
log = logging.getLogger("indikator")
# Indicator families a batch computes at a time: two fill the two cores of the machines the
# nightly runs are measured on; each more holds another family's temporaries in memory.
BATCH_THREADS = 2
# Rows read from which monthly computes the small indicator families beside the large ones
# (``indicators.LARGE``): on the bundled sample (100 000 rows) the second thread only takes
# turns with the first for the GIL (1.44 against 1.31 s, paired); at national scale (13.6
# million rows) it saves about a second.
SMALL_BESIDE_ROWS = 1_000_000


def start_timings() -> None:
    """Record seconds and peak memory per stage of this run (``--timings``, the log)."""
    timings.enable()


def stop_timings() -> None:
    timings.disable()


def timing_table() -> str:
    return timings.table()


def timing_lines() -> list[str]:
    return timings.log_lines() if timings.enabled() else []


@dataclass(frozen=True)
class Source:
    """Where a job's data and configuration come from, and how they may be used."""

    data: Path | None = None
    config: Path | None = None
    use_cache: bool = True
    strict: bool = False

    @property
    def folder(self) -> Path:
        return self.data or default_data_path(self.config)

    @property
    def config_file(self) -> Path:
        return config_path(self.config)


@dataclass(frozen=True)
class FigureRequest:
    source: Source
    period: Period
    indicators: tuple[str, ...] = ()
    delprojekt: tuple[str, ...] = ()
    min_cell: int | None = None
    fmt: str = "csv"
    out: Path | None = None


@dataclass(frozen=True)
class TargetRequest:
    source: Source
    period: Period
    compare_previous: bool = False
    delprojekt: tuple[str, ...] = ()
    min_cell: int | None = None
    fmt: str = "csv"
    out: Path | None = None


@dataclass(frozen=True)
class BatchRequest:
    source: Source
    out: Path
    first: Period | None = None
    last: Period | None = None
    min_cell: int | None = None


@dataclass
class RunSummary:
    """What became of the input, as plain values (a cached answer holds one)."""

    lines: list[str]  # for stderr: per-file counts, problems by kind, notes on the period
    counted: list[str]  # the per-file counts, for the log
    n_problems: int
    rejected: int


@dataclass
class Answer:
    summary: RunSummary | None = None  # printed first, on stderr
    text: str | None = None  # the result, for stdout
    message: str | None = None  # a last line on stderr ("skrev …")
    exit_code: int = EXIT_OK


@dataclass
class _Stored:
    """A finished answer in the cache: the summary and the text printed."""

    summary: RunSummary
    text: str = field(default="")


# ---------------------------------------------------------------------------------------------
# Policy shared by the jobs


def cache_key(source: Source) -> str | None:
    """The one content key of a question's inputs: the configuration file's bytes and every
    file in the data folder (an added or removed file is a miss too), computed before the
    configuration is parsed or pandas imported. None: no cache."""
    if not source.use_cache or not cache.enabled():
        return None
    try:
        config_bytes = source.config_file.read_bytes()
        files = [p for p in source.folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except OSError:
        return None  # a missing folder or configuration is reported by the normal path
    with contextlib.suppress(OSError):  # the cell-key method's record keys: from the secret
        config_bytes += b"\n" + secret_path(source.config_file).read_bytes()
    try:
        with stage("cache"):
            return cache.key(files, config_bytes.hex())
    except OSError:
        return None  # a cache that cannot be written is no reason to fail


def _with_secret(config, min_cell: int | None, key: str | None) -> tuple[str | None, list[str]]:
    """The cache key to use and the notes to show, once the secret the cell-key method needs
    is there: a run that creates it says so and does not use the cache (its key was taken
    without the secret)."""
    created = _secret_ready(config, min_cell)
    return (None, [created]) if created else (key, [])


def _secret_ready(config, min_cell: int | None) -> str | None:
    """The cell-key method needs the project's secret: the first run that needs it creates it
    beside the configuration and returns the note that says so."""
    from .errors import ProtectionError, describe_os_error
    from .protection import needs_secret
    from .secret import create_secret

    path = config.secret_file
    if path is None or not needs_secret(config, min_cell) or path.exists():
        return None
    try:
        create_secret(path)
    except FileExistsError:
        return None  # another run made it a moment ago
    except OSError as e:
        raise ProtectionError(
            f"cellnyckelmetoden behöver projektets hemliga nyckel {path.name} bredvid "
            f"konfigurationen, och den gick inte att skapa: {describe_os_error(e, path)}. "
            'Kör `indikator init`, eller välj [protection] method = "undertryckning"'
        ) from None
    return (
        f"skapade {path}: projektets hemliga nyckel för röjandekontrollen (cellnyckelmetoden). "
        "Spara den tillsammans med konfigurationen; samma nyckel ger samma siffror varje gång"
    )


def _remembered(key: str | None, name: str, compute: Callable, stored=lambda value: value):
    """The cache entry ``name``, or ``compute()`` remembered as ``stored(value)``."""
    hit = cache.get(key, name) if key else None
    if hit is None:
        hit = compute()
        if key:
            cache.put(key, name, stored(hit))
    return hit


def _config(source: Source):
    from .config import load_config

    return load_config(source.config_file)


def _dataset(source: Source, config, key: str | None):
    from . import dataset

    def load():
        return dataset.load_dataset(source.folder, config)

    return _remembered(key, "dataset", load, stored=cache.pseudonymised)


def _summary(ds, notes: list[str]) -> RunSummary:
    from .output.problems import count_lines, summary_lines
    from .validation import ValidationReport

    report = ValidationReport.of(ds)
    lines = summary_lines(report) + [f"varning: {n}" for n in notes]
    return RunSummary(lines, count_lines(report.counts), len(report.problems), report.rejected)


def _logged(summary: RunSummary) -> RunSummary:
    for line in summary.counted:
        log.info("%s", line)
    if summary.n_problems:
        log.warning("%d problem i indata; se `indikator validate`", summary.n_problems)
    return summary


def strict_refusal(source: Source, rejected: int) -> str | None:
    """The strict rule, in one place: with ``--strict`` any rejected row fails the run."""
    if source.strict and rejected:
        return f"--strict: {rejected} rader avvisades; inget har räknats"
    return None


def _refuse_if_strict(source: Source, summary: RunSummary) -> None:
    refusal = strict_refusal(source, summary.rejected)
    if refusal:
        raise StrictError(refusal, shown=summary.lines)


def _period_notes(ds, *periods: Period | None) -> list[str]:
    """Periods outside the project and the data are usage errors (exit 2); a period after
    the latest date in the data gets a warning."""
    from .periods import check_period

    project = ds.config.project
    notes = [check_period(p, project.start, project.end, ds.latest) for p in periods if p]
    return [n for n in notes if n]


def _exit(summary: RunSummary) -> int:
    return EXIT_REJECTED if summary.rejected else EXIT_OK


# ---------------------------------------------------------------------------------------------
# The jobs


def monthly(req: FigureRequest) -> Answer:
    """The period's and the cumulative figures per delprojekt and TOTALT, K/M/T: every
    indicator of the configuration except the ESF common indicators, which are a report of
    their own (``esf``)."""
    return _figures("monthly", req)


def esf(req: FigureRequest) -> Answer:
    """The ESF common output and result indicators for participants, per delprojekt and
    TOTALT, K/M(/X)/T, for the programme period of the configuration's ``[esf]``."""
    return _figures("esf", req)


def _chosen(job: str, config, asked: tuple[str, ...]) -> tuple[str, ...]:
    """The indicators of a figures job: those asked for, else the job's own."""
    from .errors import ConfigError

    if job == "esf" and config.esf is None:
        raise ConfigError(
            "konfigurationen har ingen [esf]-del: lägg till programperiod, statusgrupper och "
            "indikatorer (se docs/esf.md)"
        )
    if job == "esf":
        own = {i for i, ind in config.indicators.items() if ind.family == "esf"}
        other = [i for i in asked if i not in own and i in config.indicators]
        if other:
            raise UsageError(
                f"{', '.join(other)} är ingen ESF-indikator (se `indikator indicators`)"
            )
    if asked:
        return asked
    wanted = (lambda f: f == "esf") if job == "esf" else (lambda f: f != "esf")
    return tuple(i for i, ind in config.indicators.items() if wanted(ind.family))


def _figures(job: str, req: FigureRequest) -> Answer:
    from . import output

    output.check("figures", req.fmt, req.out)
    key = cache_key(req.source)
    part = cache.part_name(job, req.period, req.indicators, req.delprojekt, req.min_cell)
    answer = f"answer-{part}-{req.fmt}"
    stored = cache.get(key, answer) if key and req.out is None else None
    if stored is not None:  # the same question about the same files: the same answer
        _refuse_if_strict(req.source, _logged(stored.summary))
        return Answer(stored.summary, stored.text, exit_code=_exit(stored.summary))

    from .indicators import check_selection
    from .reports import esf_title, figure_report

    config = _config(req.source)
    check_selection(config, req.indicators, req.delprojekt)
    chosen = _chosen(job, config, req.indicators)
    html = req.fmt == "html" and job == "monthly"
    key, created = _with_secret(config, req.min_cell, key)

    def compute():
        ds = _dataset(req.source, config, key)
        notes = _period_notes(ds, req.period) + created
        beside = cores() > 1 and sum(c.read for c in ds.counts) >= SMALL_BESIDE_ROWS
        report = figure_report(
            ds, [req.period], chosen, req.delprojekt or None, req.min_cell, html, beside
        )
        if job == "esf":
            report.title = esf_title(config, req.min_cell)
        return _summary(ds, notes), report

    summary, report = _remembered(key, f"{part}-html" if html else part, compute)
    _refuse_if_strict(req.source, _logged(summary))
    text = output.write(report, req.fmt, req.out)
    if key and req.out is None:
        cache.put(key, answer, _Stored(summary, text))
    written = None if text is not None else f"skrev {req.out}"
    return Answer(summary, text, written, _exit(summary))


def targets(req: TargetRequest) -> Answer:
    """Måluppfyllelse: target, result, "n av N" and whether it is met, per group and kön."""
    from . import output
    from .indicators import check_selection
    from .reports import target_report

    output.check("targets", req.fmt, req.out)
    config = _config(req.source)
    check_selection(config, None, req.delprojekt)
    key, created = _with_secret(config, req.min_cell, cache_key(req.source))
    ds = _dataset(req.source, config, key)
    summary = _logged(_summary(ds, _period_notes(ds, req.period) + created))
    _refuse_if_strict(req.source, summary)
    report = target_report(
        ds, req.period, req.compare_previous, req.delprojekt or None, req.min_cell
    )
    text = output.write(report, req.fmt, req.out)
    return Answer(summary, text, None if text is not None else f"skrev {req.out}", _exit(summary))


def finsam(source: Source, year: int, delprojekt=(), fmt: str = "csv", out: Path | None = None):
    """The yearly figures for Uppföljning Finsam: exact counts per insats and TOTALT."""
    from . import output
    from .indicators import check_selection
    from .reports import finsam_report

    output.check("finsam", fmt, out)
    period = parse_period(str(year))
    config = _config(source)
    check_selection(config, None, delprojekt)
    ds = _dataset(source, config, cache_key(source))
    summary = _logged(_summary(ds, _period_notes(ds, period)))
    _refuse_if_strict(source, summary)
    text = output.write(finsam_report(ds, period, delprojekt or None), fmt, out)
    return Answer(summary, text, None if text is not None else f"skrev {out}", _exit(summary))


def esf_hours(source: Source, period: Period, out: Path) -> Answer:
    """The ESF participant report, person-level: to an owner-only file, never to the screen,
    and never through the cache (it holds personnummer)."""
    from . import output
    from .hours import participant_hours
    from .output.layout import number
    from .reports import HoursReport

    if str(out) == "-":
        raise UsageError(
            "esf-hours skriver personnummer och måste skrivas till en fil, inte till terminalen"
        )
    ds = _dataset(source, _config(source), None)
    summary = _logged(_summary(ds, _period_notes(ds, period)))
    _refuse_if_strict(source, summary)
    table = participant_hours(ds, period)
    output.write(HoursReport(table), "xlsx" if out.suffix.lower() == ".xlsx" else "csv", out)
    hours = number(table["Timmar"].sum(), 1)
    return Answer(
        summary,
        message=f"skrev {out}: {len(table)} deltagare, {hours} timmar",
        exit_code=_exit(summary),
    )


def batch(req: BatchRequest, progress: Callable[[str], None] = lambda step: None) -> Answer:
    """The nightly job: every period, both scopes, as one generation in ``out``. Freed memory
    is kept for reuse (``memory.kept_for_reuse``) and two indicator families are computed at
    a time where there are two cores (``parallel.in_threads``), every thread from the main
    heap (``memory.one_heap``: first, before numpy and pyarrow are imported and start
    threads of their own): the batch's time, not its peak, is what a nightly run is judged by
    (docs/prestanda.md)."""
    one_heap()
    with kept_for_reuse():
        return _batch(req, progress)


def _batch(req: BatchRequest, progress: Callable[[str], None]) -> Answer:
    from .batch import batch_periods, locked, run_batch

    progress("läser")
    config = _config(req.source)
    key, created = _with_secret(config, req.min_cell, cache_key(req.source))
    ds = _dataset(req.source, config, key)
    summary = _logged(_summary(ds, _period_notes(ds, req.first, req.last) + created))
    _refuse_if_strict(req.source, summary)
    periods = batch_periods(ds, req.first, req.last, dt.date.today())
    if not periods:
        raise UsageError(
            "inga perioder att räkna (kontrollera --from/--to och projektets datum)",
            shown=summary.lines,
        )
    with locked(req.out):
        threads = min(BATCH_THREADS, cores())
        result = run_batch(
            ds, req.out, periods, req.source.config_file, req.min_cell, progress, threads
        )
    message = (
        f"batch klar: {result.periods} perioder, {result.rows} rader, {result.rejected} avvisade "
        f"rader -> {req.out / 'senaste'}"
    )
    return Answer(summary, message=message, exit_code=_exit(summary))


def diff(old: Path, new: Path, fmt: str) -> Answer:
    """The figures that changed between two batch runs (late registrations): exit 3 if any."""
    from . import output
    from .batch import diff as changes

    report = changes(old, new)
    n = len(report.table)
    return Answer(
        text=output.write(report, fmt, None),
        message=f"{n} ändrade siffror",
        exit_code=EXIT_REJECTED if n else EXIT_OK,
    )


def validate(source: Source, out: Path | None = None) -> Answer:
    """Every file's rows read/accepted/rejected, then every problem; with ``out``, the problem
    list as a spreadsheet (.xlsx) or CSV to fix from, and only the counts on the screen."""
    from . import output
    from .output.problems import count_lines, report_lines, total_line
    from .validation import ValidationReport

    if out is not None:
        output.check("validation", "xlsx" if out.suffix.lower() == ".xlsx" else "csv", out)
    report = ValidationReport.of(_dataset(source, _config(source), None))
    refusal = strict_refusal(source, report.rejected)
    code = EXIT_FAIL if refusal else EXIT_REJECTED if report.rejected else EXIT_OK
    if out is None:
        text = "".join(f"{line}\n" for line in report_lines(report))
        return Answer(text=text, message=f"fel: {refusal}" if refusal else None, exit_code=code)
    fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    output.write(report, fmt, out)
    lines = [*count_lines(report.counts), total_line(report)]
    message = f"skrev {out}: {len(report.problems)} problem" + (
        f"\nfel: {refusal}" if refusal else ""
    )
    return Answer(text="".join(f"{line}\n" for line in lines), message=message, exit_code=code)


def indicators(source: Source = Source()) -> Answer:
    """Every indicator of the configuration with its id, kind, label and the exports it needs."""
    catalog = _config(source).indicators.values()

    def needs(i) -> str:
        columns = f"; kolumner i deltagare: {', '.join(i.columns)}" if i.columns else ""
        return f"[{', '.join(i.needs)}{columns}]"

    text = "".join(f"{i.id:32} {i.kind:6} {i.label}  {needs(i)}\n" for i in catalog)
    return Answer(text=text)


def sample(
    out: Path,
    size: int,
    seed: int,
    fmt: str,
    activity_interval: float,
    config: Path | None = None,
) -> Answer:
    """A synthetic dataset with all six exports, for trying the tool, tests and benchmarks."""
    from .sample import write_sample

    counts = write_sample(
        out,
        _config(Source(config=config)),
        size=size,
        seed=seed,
        fmt=fmt,
        activity_interval=activity_interval,
    )
    return Answer(message=", ".join(f"{k}: {v} rader" for k, v in counts.items()))


def init(folder: Path, name: str | None = None) -> Answer:
    """A new project folder: a commented configuration, data/ with registration templates."""
    from .project import init as create

    written = create(folder, name)
    listed = "\n".join(f"  {p.relative_to(folder)}" for p in written)
    return Answer(
        text=f"Skapade projektet i {folder}:\n{listed}\n"
        f"Stå i mappen och kör `indikator validate`; se {folder / 'LÄSMIG.txt'}.\n"
    )


def cache_clear() -> Answer:
    freed = cache.clear()
    return Answer(message=f"tömde {cache.location()} ({freed / 1e6:.1f} MB)")


def cache_info() -> Answer:
    return Answer(text=f"{cache.location()}: {cache.size() / 1e6:.1f} MB\n")


def cache_location() -> Path:
    return cache.location()
