"""The command line: parse options, call the library, map errors to exit codes.

Exit codes (cli.md): 0 done, no rejected rows; 1 nothing computed (file error, invalid
configuration, or --strict with rejected rows); 2 usage error; 3 done, some rows rejected.
Heavy libraries are imported inside the commands so ``indikator --help`` starts instantly.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import signal
import sys
from pathlib import Path
from typing import NamedTuple

import click

from . import __version__
from .errors import IndikatorError, PeriodError
from .locations import default_config_path, default_data_path

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
FORMATS = ("table", "markdown", "csv", "json", "parquet", "xlsx", "html")
NEEDS_OUT = ("parquet", "xlsx", "html")


class PeriodType(click.ParamType):
    name = "period"

    def convert(self, value, param, ctx):
        from .masking import mask
        from .periods import parse_period

        try:
            return parse_period(value)
        except PeriodError as e:
            self.fail(mask(e), param, ctx)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    logging.getLogger("indikator").error("%s (slutkod %d)", message, code)
    sys.exit(code)


class _Masked(logging.Formatter):
    """Structured log lines: ISO time, level, message; personnummer masked."""

    def format(self, record: logging.LogRecord) -> str:
        from .masking import mask

        when = dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")
        return f"{when} {record.levelname} {mask(record.getMessage())}"


def _start_log(path: Path | None) -> None:
    log = logging.getLogger("indikator")
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    if path is None:
        log.addHandler(logging.NullHandler())
        return
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as e:
        from .errors import describe_os_error
        from .masking import mask

        click.echo(f"fel: loggen: {mask(describe_os_error(e))}", err=True)
        raise click.exceptions.Exit(EXIT_FAIL) from None
    handler.setFormatter(_Masked())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def handled(func):
    """Turn expected failures into a Swedish message and an exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .masking import mask

        signal.signal(signal.SIGTERM, _interrupted)  # a stopped job cleans up like Ctrl-C
        log = logging.getLogger("indikator")
        log.info("start: indikator %s", mask(" ".join(sys.argv[1:])))
        try:
            code = func(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except PeriodError as e:
            _fail(f"fel: {mask(e)}", EXIT_USAGE)
        except IndikatorError as e:
            _fail(f"fel: {mask(e)}", EXIT_FAIL)
        except OSError as e:  # a missing or unwritable folder, a full disk: not a bug
            from .errors import describe_os_error

            _fail(f"fel: {mask(describe_os_error(e))}", EXIT_FAIL)
        except KeyboardInterrupt:
            _fail("avbrutet; tidigare resultat är orörda", 130)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            _fail(
                f"internt fel ({type(e).__name__}: {mask(e)}). Inget har skrivits. "
                "Rapportera gärna felet till utvecklarna av indikator.",
                EXIT_FAIL,
            )
        log.info("klart: slutkod %d", code or EXIT_OK)
        sys.exit(code or EXIT_OK)

    return wrapper


def data_options(func):
    func = click.option(
        "--no-cache",
        is_flag=True,
        help="Läs och räkna om allt utan cachen (se `indikator cache --help`).",
    )(func)
    func = click.option("--strict", is_flag=True, help="Avbryt (kod 1) om någon rad avvisas.")(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Konfiguration (TOML). Standard: den medföljande MIA-konfigurationen.",
    )(func)
    func = click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=Path),
        help="Mapp med exporterna. Standard: det medföljande exemplet i data/samples/mia.",
    )(func)
    return func


def format_options(func):
    func = click.option(
        "--min-cell",
        "min_cell",
        type=click.IntRange(0),
        help="Röjandekontroll: dölj antal mellan 1 och N−1 (standard: konfigurationens min_cell; 0 = av).",
    )(func)
    func = click.option(
        "--out", type=click.Path(dir_okay=False, path_type=Path), help="Skriv till fil (atomiskt)."
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        help="Utformat. Standard: table i en terminal, annars csv.",
    )(func)
    return click.option(
        "--delprojekt",
        "delprojekt",
        multiple=True,
        help="Bara dessa delprojekt (upprepningsbar); TOTALT visas alltid.",
    )(func)


def output_options(func):
    func = format_options(func)
    return click.option(
        "--indicator", "indicators", multiple=True, help="Bara dessa indikatorer (upprepningsbar)."
    )(func)


def _cache_epilog() -> str:
    from .cache import location

    return (
        f"Cache: inlästa exporter och resultat sparas i {location()} (bara ägaren kan läsa; "
        "inga personnummer). Töm med `indikator cache clear`; förbigå med --no-cache."
    )


class MainGroup(click.Group):
    def format_epilog(self, ctx, formatter) -> None:
        self.epilog = _cache_epilog()  # where the cache is *now* (it follows the environment)
        super().format_epilog(ctx, formatter)


@click.group(
    cls=MainGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, message="indikator %(version)s")
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Skriv en logg (tid, nivå, meddelande; inga personnummer) till FIL, t.ex. för nattkörningen.",
)
def main(log_path: Path | None) -> None:
    """indikator – uppföljningsindikatorer för Finsam- och ESF-projekt.

    Läser deltagar- och aktivitetsexporter (CSV eller Excel i SUS-format), kontrollerar dem
    och räknar indikatorer per delprojekt och kön, för perioden och ackumulerat.

    Exempel: indikator monthly --period 2017-05
    """
    _start_log(log_path)


def _cache_key(data: Path | None, config, use_cache: bool) -> str | None:
    """The content key of the dataset, or None when the cache is not to be used."""
    from . import cache

    if not use_cache or not cache.enabled():
        return None
    folder = data or default_data_path()
    if not folder.is_dir():
        return None  # load_dataset reports it
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    try:
        return cache.key(files, config.model_dump_json())
    except OSError:
        return None  # an unwritable cache folder is no reason to fail: compute


class Summary(NamedTuple):
    """What a report command says about its input (plain values, so it can be cached)."""

    lines: list[str]  # for stderr: the per-file counts, then the first problems
    counted: list[str]  # the per-file counts, for the log
    n_problems: int
    rejected: int


def _summary(counts, problems, notes=()) -> Summary:
    from .report import count_lines, summary_lines

    counted = count_lines(counts)
    lines = summary_lines(counts, problems) + [f"varning: {n}" for n in notes]
    return Summary(lines, counted, len(problems), sum(c.rejected for c in counts))


def _period_notes(ds, *periods) -> list[str]:
    """Periods outside the project and the data are usage errors (exit 2); a period after
    the latest date in the data gets a warning."""
    from .periods import check_period

    project = ds.config.project
    notes = [check_period(p, project.start, project.end, ds.latest) for p in periods if p]
    return [n for n in notes if n]


def _say(summary: Summary, strict: bool) -> None:
    for line in summary.lines:
        click.echo(line, err=True)
    log = logging.getLogger("indikator")
    for line in summary.counted:
        log.info("%s", line)
    if summary.n_problems:
        log.warning("%d problem i indata; se `indikator validate`", summary.n_problems)
    if strict and summary.rejected:
        raise IndikatorError(f"--strict: {summary.rejected} rader avvisades; inget har räknats")


def _show_summary(counts, problems, strict: bool) -> None:
    _say(_summary(counts, problems), strict)


def _answer_key(data: Path | None, config_path: Path | None, params: tuple) -> str | None:
    """The key of a finished answer (stderr summary and stdout text) to a report command.

    It is computed before the configuration is parsed or pandas is imported, which is what
    makes a repeated run fast: from the configuration file's bytes, every file in the data
    folder (an added or removed file is a miss too) and the command's parameters.
    """
    from . import cache

    if not cache.enabled():
        return None
    folder = data or default_data_path()
    try:
        config_bytes = (config_path or default_config_path()).read_bytes()
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        return cache.key(files, f"{config_bytes.hex()}\n{params!r}")
    except OSError:
        return None  # a missing folder or configuration is reported by the normal path


def _load(
    data: Path | None,
    config,
    strict: bool,
    quiet_problems: bool = False,
    key: str | None = None,
):
    from .dataset import load_dataset, pseudonymised

    def compute():
        return load_dataset(data or default_data_path(), config)

    ds = _remembered(key, "dataset", compute, stored=pseudonymised)
    if not quiet_problems:
        _show_summary(ds.counts, ds.problems, strict)
    return ds


def _check_selection(config, delprojekt, indicators) -> None:
    from .indicators.catalog import BY_ID
    from .masking import mask

    unknown = [d for d in delprojekt if d not in config.delprojekt_codes]
    if unknown:
        raise click.UsageError(
            mask(
                f"okänt delprojekt: {', '.join(unknown)} (finns: {', '.join(config.delprojekt_codes)})"
            )
        )
    bad = [i for i in indicators if i not in BY_ID]
    if bad:
        raise click.UsageError(
            mask(f"okänd indikator: {', '.join(bad)} (se `indikator indicators`)")
        )


def _format(fmt: str | None, out: Path | None) -> str:
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    if fmt in NEEDS_OUT and out is None:
        raise click.UsageError(f"--format {fmt} kräver --out FIL")
    return fmt


def _prepare(fmt, out, config_path, delprojekt, indicators, data, use_cache=False):
    """The common start of a report command: format, configuration, selection, cache key."""
    from .config import load_config

    fmt = _format(fmt, out)
    config = load_config(config_path)
    _check_selection(config, delprojekt, indicators)
    return fmt, config, _cache_key(data, config, use_cache)


def _remembered(key, name, compute, stored=lambda value: value):
    """The cache entry ``name`` of dataset ``key``, or ``compute()`` remembered as
    ``stored(value)``."""
    from . import cache

    hit = cache.get(key, name) if key else None
    if hit is None:
        hit = compute()
        if key:
            cache.put(key, name, stored(hit))
    return hit


def _emit(tidy, config, fmt: str, out: Path | None) -> str | None:
    """Print the report (or say where it was written); returns the printed text."""
    from .render import write

    text = write(tidy, config, fmt, out)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"skrev {out}", err=True)
    return text


@main.command()
@click.option(
    "--period",
    "period",
    type=PeriodType(),
    required=True,
    help="2017-05, 2017-Q2, 2017-T1 (tertial), 2017-H1 eller 2017.",
)
@data_options
@output_options
@handled
def monthly(
    period, data, config_path, strict, no_cache, delprojekt, indicators, fmt, out, min_cell
):
    """Periodens och det ackumulerade resultatet per delprojekt och TOTALT, Kvinnor/Män/Totalt."""
    from . import cache

    params = ("monthly", period, indicators, delprojekt, min_cell, _format(fmt, out))
    answer = _answer_key(data, config_path, params) if out is None and not no_cache else None
    stored = cache.get(answer, "answer") if answer else None
    if stored is not None:  # the same question about the same files: the same answer
        summary, text = stored
        _say(summary, strict)
        click.echo(text, nl=False)
        return EXIT_REJECTED if summary.rejected else EXIT_OK

    fmt, config, key = _prepare(fmt, out, config_path, delprojekt, indicators, data, not no_cache)
    if fmt == "html":
        from .htmlreport import write_html
        from .indicators import report

        ds = _load(data, config, strict, key=key)
        for note in _period_notes(ds, period):
            click.echo(f"varning: {note}", err=True)
        tidy = report(ds, [period], indicators or None, delprojekt or None, min_cell)
        write_html(tidy, ds, period, out, min_cell)
        click.echo(f"skrev {out}", err=True)
        return EXIT_REJECTED if ds.rejected else EXIT_OK

    def compute():
        from .indicators import report

        ds = _load(data, config, strict, quiet_problems=True, key=key)
        notes = _period_notes(ds, period)
        tidy = report(ds, [period], indicators or None, delprojekt or None, min_cell)
        return ds.counts, ds.problems, tidy, notes

    name = cache.part_name("monthly", period, indicators, delprojekt, min_cell)
    counts, problems, tidy, notes = _remembered(key, name, compute)
    summary = _summary(counts, problems, notes)
    _say(summary, strict)
    text = _emit(tidy, config, fmt, out)
    if answer and text is not None:
        cache.put(answer, "answer", (summary, text))
    return EXIT_REJECTED if summary.rejected else EXIT_OK


@main.command()
@click.option(
    "--period", "period", type=PeriodType(), required=True, help="Perioden att mäta mot målen."
)
@click.option(
    "--compare-previous", is_flag=True, help="Visa också föregående period av samma längd."
)
@data_options
@format_options
@handled
def targets(
    period, compare_previous, data, config_path, strict, no_cache, delprojekt, fmt, out, min_cell
):
    """Måluppfyllelse: mål, resultat, "n av N" och om målet nås, per delprojekt och kön."""
    from .render import targets_human, write_table
    from .targets import COLUMNS, PREVIOUS, evaluate

    if fmt in ("xlsx", "html"):
        raise click.UsageError(
            f"targets kan inte skrivas som {fmt} ännu; använd csv, json, parquet eller table"
        )
    fmt, config, key = _prepare(fmt, out, config_path, delprojekt, (), data, not no_cache)
    ds = _load(data, config, strict, key=key)
    for note in _period_notes(ds, period):
        click.echo(f"varning: {note}", err=True)
    df = evaluate(ds, period, compare_previous, delprojekt or None, min_cell)
    columns = COLUMNS + (PREVIOUS if compare_previous else [])
    text = write_table(df, columns, lambda d, f: targets_human(d, config, f), fmt, out)
    if text is not None:
        click.echo(text, nl=False)
    return EXIT_REJECTED if ds.rejected else EXIT_OK


@main.command("esf-hours")
@click.option(
    "--period", "period", type=PeriodType(), required=True, help="Månaden, t.ex. 2017-05."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Fil att skriva (.csv eller .xlsx). Rapporten innehåller personnummer och skrivs aldrig till terminalen.",
)
@data_options
@handled
def esf_hours(period, out, data, config_path, strict, no_cache):
    """ESF-rapporten: en rad per aktiv deltagare med personnummer, startdatum, anvisande organisation och timmar."""
    from .config import load_config
    from .esf import participant_hours, write_esf
    from .render import number

    if str(out) == "-":
        raise click.UsageError(
            "esf-hours skriver personnummer och måste skrivas till en fil, inte till terminalen"
        )
    ds = _load(data, load_config(config_path), strict)
    for note in _period_notes(ds, period):
        click.echo(f"varning: {note}", err=True)
    df = participant_hours(ds, period)
    write_esf(df, out)
    click.echo(
        f"skrev {out}: {len(df)} deltagare, {number(df['Timmar'].sum(), 1)} timmar", err=True
    )
    return EXIT_REJECTED if ds.rejected else EXIT_OK


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Mapp för resultaten; den senaste körningen nås via DIR/senaste.",
)
@click.option(
    "--from", "first", type=PeriodType(), help="Första månad (standard: projektets start)."
)
@click.option(
    "--to", "last", type=PeriodType(), help="Sista månad (standard: senaste hela månaden)."
)
@click.option(
    "--min-cell",
    "min_cell",
    type=click.IntRange(0),
    help="Röjandekontroll (standard: konfigurationens min_cell).",
)
@data_options
@handled
def batch(out, first, last, min_cell, data, config_path, strict, no_cache):
    """Nattkörningen: alla månader, kvartal, tertial, halvår och år, båda omfången, till DIR."""
    from .batch import batch_periods, locked, run_batch
    from .config import load_config

    steps = ["läser", "räknar", "skriver"]
    bar = (
        click.progressbar(length=len(steps), label="batch", file=sys.stderr)
        if sys.stderr.isatty()
        else None
    )
    done = []

    def progress(label: str) -> None:
        if bar is not None:
            bar.label = label
            bar.update(1 if done else 0)
        done.append(label)

    progress("läser")
    config = load_config(config_path)
    ds = _load(data, config, strict, key=_cache_key(data, config, not no_cache))
    for note in _period_notes(ds, first, last):
        click.echo(f"varning: {note}", err=True)
    periods = batch_periods(ds, first, last, dt.date.today())
    if not periods:
        raise click.UsageError(
            "inga perioder att räkna (kontrollera --from/--to och projektets datum)"
        )
    with locked(out):
        result = run_batch(
            ds, out, periods, Path(config_path or default_config_path()), min_cell, progress
        )
    if bar is not None:
        bar.update(len(steps))
        bar.render_finish()
    click.echo(
        f"batch klar: {result.periods} perioder, {result.rows} rader, {result.rejected} avvisade rader "
        f"-> {out / 'senaste'}",
        err=True,
    )
    return EXIT_REJECTED if ds.rejected else EXIT_OK


@main.command()
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    help="Standard: table i en terminal, annars csv.",
)
@handled
def diff(old, new, fmt):
    """Siffror som ändrats mellan två batch-körningar (sena registreringar). Kod 3 om något ändrats."""
    from .batch import KEY
    from .batch import diff as compare

    changed = compare(old, new)
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    cols = KEY + ["varde_fore", "varde_efter", "status_fore", "status_efter"]
    if fmt == "csv":
        click.echo(changed[cols].to_csv(index=False, lineterminator="\n"), nl=False)
    elif changed.empty:
        click.echo("Inga ändrade siffror för de perioder som båda körningarna täcker.")
    else:
        from tabulate import tabulate

        headers = [
            "Period",
            "Omfång",
            "Delprojekt",
            "Indikator",
            "Dimension",
            "Kön",
            "Före",
            "Efter",
            "Status före",
            "Status efter",
        ]
        click.echo(
            tabulate(
                changed[cols].fillna("").values.tolist(), headers=headers, disable_numparse=True
            )
        )
    click.echo(f"{len(changed)} ändrade siffror", err=True)
    return EXIT_REJECTED if len(changed) else EXIT_OK


@main.command()
@data_options
@handled
def validate(data, config_path, strict, no_cache):
    """Kontrollera exporterna och konfigurationen: rader lästa/godkända/avvisade, sedan varje problem."""
    from .config import load_config
    from .report import count_lines, problem_lines, summary

    ds = _load(data, load_config(config_path), strict=False, quiet_problems=True)
    for line in count_lines(ds.counts):
        click.echo(line)
    for line in problem_lines(ds.problems):
        click.echo(line)
    from .consistency import warnings

    for line in warnings(ds):
        click.echo(f"varning (helheten): {line}")
    click.echo(summary(ds.counts, ds.problems))
    if ds.rejected:
        return EXIT_FAIL if strict else EXIT_REJECTED
    return EXIT_OK


@main.command()
@handled
def indicators():
    """Lista alla indikatorer med id, typ och vilka exporter de behöver."""
    from .indicators.catalog import CATALOG

    for i in CATALOG:
        click.echo(f"{i.id:32} {i.kind:6} {i.label}  [{', '.join(i.needs)}]")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Mapp att skriva till.",
)
@click.option(
    "--size", type=click.IntRange(1), default=2500, show_default=True, help="Antal deltagare."
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Slumpfrö (samma frö ger samma data)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option(
    "--activity-interval",
    type=click.FloatRange(0.1),
    default=10.0,
    show_default=True,
    help="Dagar mellan en deltagares aktiviteter i snitt (6.3 ger nationell skala: "
    "10 miljoner aktiviteter för 250 000 deltagare).",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@handled
def sample(out, size, seed, fmt, activity_interval, config_path):
    """Skriv ett syntetiskt exempeldataset (alla sex exporter) för test och prov."""
    from .config import load_config
    from .sample import write_sample

    counts = write_sample(
        out,
        load_config(config_path),
        size=size,
        seed=seed,
        fmt=fmt,
        activity_interval=activity_interval,
    )
    click.echo(", ".join(f"{k}: {v} rader" for k, v in counts.items()), err=True)
    return EXIT_OK


@main.group()
def cache() -> None:
    """Cachen av inlästa exporter och beräknade resultat (nyckel: filernas innehåll)."""


@cache.command("clear")
@handled
def cache_clear():
    """Töm cachen."""
    from .cache import clear, location

    freed = clear()
    click.echo(f"tömde {location()} ({freed / 1e6:.1f} MB)", err=True)
    return EXIT_OK


@cache.command("info")
@handled
def cache_info():
    """Visa var cachen ligger och hur stor den är."""
    from .cache import location, size

    click.echo(f"{location()}: {size() / 1e6:.1f} MB")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    main()
