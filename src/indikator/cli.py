"""The command line: parse options, call the application layer, print its answer, and map
error classes to exit codes (0 done, 1 nothing computed, 2 usage error, 3 done with rejected
rows). Heavy libraries are imported by the jobs, so ``indikator --help`` is instant.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import click

from . import __version__, app, cli_text
from .errors import EXIT_FAIL, EXIT_INTERRUPTED, EXIT_OK, IndikatorError, describe_os_error
from .output import FORMATS

log = logging.getLogger("indikator")
app.small_pages()  # before any job imports numpy (``memory.small_pages``)
app.system_allocator()  # and pyarrow (``memory.system_allocator``)
cli_text.install()  # click's own words (usage, help headings, its errors) in Swedish


class PeriodType(click.ParamType):
    name = "period"

    def convert(self, value, param, ctx):
        try:
            return app.parse_period(value)
        except IndikatorError as e:
            self.fail(app.mask(e), param, ctx)


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    log.error("%s (slutkod %d)", message, code)
    sys.exit(code)


def _after_interrupt(u) -> None:
    """A library's clean-up that fails once a run is abandoned (a half-written file closed
    under it) goes to the log, not under the "avbrutet" message as a traceback."""
    log.info("%s", app.mask(f"efter avbrott: {u.exc_value!r} i {u.object!r}"))


def _show(answer: app.Answer) -> int:
    for line in answer.summary.lines if answer.summary else []:
        click.echo(line, err=True)
    if answer.text is not None:
        click.echo(answer.text, nl=False)
    if answer.message:
        click.echo(answer.message, err=True)
    return answer.exit_code


def handled(func):
    """Print the answer; expected failures become a Swedish message and their exit code,
    operational ones (a full disk, a missing folder) a plain one; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: clean up as Ctrl-C
        log.info("start: indikator %s", app.mask(" ".join(sys.argv[1:])))
        try:
            code = _show(func(*args, **kwargs))
        except (click.exceptions.Exit, click.ClickException):
            raise
        except IndikatorError as e:
            for line in e.shown:
                click.echo(line, err=True)
            _fail(f"fel: {app.mask(e)}", e.exit_code)
        except OSError as e:
            _fail(f"fel: {app.mask(describe_os_error(e))}", EXIT_FAIL)
        except KeyboardInterrupt:
            sys.unraisablehook = _after_interrupt
            _fail("avbrutet; tidigare resultat är orörda", EXIT_INTERRUPTED)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            _fail(
                f"internt fel ({type(e).__name__}: {app.mask(e)}). Inget har skrivits. "
                "Rapportera gärna felet till utvecklarna av indikator.",
                EXIT_FAIL,
            )
        _timings()
        log.info("klart: slutkod %d", code or EXIT_OK)
        sys.exit(code or EXIT_OK)

    return wrapper


def _timings() -> None:
    """Seconds and peak memory per stage: on stderr with --timings, in the log always."""
    for line in app.timing_lines():
        log.info("%s", line)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("timings"):
        click.echo(app.timing_table(), err=True)


def _want_timings(ctx, param, value: bool) -> None:
    if value and not ctx.meta.get("timings"):
        ctx.meta["timings"] = True
        app.start_timings()


def _format(fmt: str | None, out: Path | None = None) -> str:
    """The format asked for; else the one the file name says (``--out rapport.xlsx``); else
    ``table`` on a terminal and ``csv`` on a pipe."""
    if fmt:
        return fmt
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if suffix in FORMATS and suffix != "table":
        return suffix
    return "table" if sys.stdout.isatty() else "csv"


def options(*specs):
    """Options declared once, as (flags, settings), shared by the commands that take them."""

    def decorate(func):
        for flags, settings in reversed(specs):
            func = click.option(*flags, **settings)(func)
        return func

    return decorate


# fmt: off
FILE, FOLDER = click.Path(dir_okay=False, path_type=Path), click.Path(file_okay=False, path_type=Path)
PERIOD = (("--period",), {"type": PeriodType(), "required": True, "help": "2017-05, 2017-Q2, 2017-T1 (tertial), 2017-H1 eller 2017."})
MIN_CELL = (("--min-cell",), {"type": click.IntRange(0), "metavar": "ANTAL", "help": "Röjandekontroll: dölj antal 1..N−1 (standard: konfigurationens min_cell; 0 = av)."})
REPORT = [
    (("--delprojekt",), {"multiple": True, "metavar": "KOD", "help": "Bara dessa delprojekt (upprepningsbar); TOTALT visas alltid."}),
    (("--format", "fmt"), {"type": click.Choice(FORMATS), "help": "Utformat. Standard: table i en terminal, annars csv."}),
    (("--out",), {"type": FILE, "help": "Skriv till fil (atomiskt)."}),
    MIN_CELL,
]
YEAR = (("--year",), {"type": click.IntRange(1900, 2099), "metavar": "ÅR", "required": True, "help": "Kalenderåret, t.ex. 2018."})
FINSAM = [
    REPORT[0],
    (("--format", "fmt"), {"type": click.Choice(["table", "csv", "xlsx"]), "help": "Utformat. Standard: table i en terminal, annars csv."}),
    REPORT[2],
]
INDICATOR = (("--indicator", "indicators"), {"multiple": True, "metavar": "ID", "help": "Bara dessa indikatorer (upprepningsbar)."})
PREVIOUS = (("--compare-previous",), {"is_flag": True, "help": "Visa också föregående period av samma längd."})
PERSON_FILE = (("--out",), {"type": FILE, "required": True, "help": "Fil (.csv eller .xlsx); rapporten har personnummer och visas aldrig."})
BATCH = [
    (("--out",), {"type": FOLDER, "required": True, "help": "Mapp för resultaten; den senaste körningen nås via MAPP/senaste."}),
    (("--from", "first"), {"type": PeriodType(), "help": "Första månad (standard: projektets start)."}),
    (("--to", "last"), {"type": PeriodType(), "help": "Sista månad (standard: senaste hela månaden)."}),
    MIN_CELL,
]
SAMPLE = [
    (("--out",), {"type": FOLDER, "required": True, "help": "Mapp att skriva till."}),
    (("--size",), {"type": click.IntRange(1), "metavar": "ANTAL", "default": 2500, "show_default": True, "help": "Antal deltagare."}),
    (("--seed",), {"type": int, "metavar": "TAL", "default": 1, "show_default": True, "help": "Slumpfrö (samma frö ger samma data)."}),
    (("--format", "fmt"), {"type": click.Choice(["csv", "xlsx"]), "default": "csv", "show_default": True}),
    (("--activity-interval",), {"type": click.FloatRange(0.1), "metavar": "DAGAR", "default": 10.0, "show_default": True, "help": "Dagar mellan en deltagares aktiviteter i snitt (6.3 ger nationell skala)."}),
    (("--config",), {"type": FILE, "help": "Konfiguration (standard: MIA)."}),
]
TIMINGS = (("--timings",), {"is_flag": True, "expose_value": False, "is_eager": True, "callback": _want_timings, "help": "Visa sekunder och högsta minne per steg (läsa, kontrollera, regler, indikatorer, skydd, utdata) på stderr."})
SOURCE = [
    (("--data",), {"type": FOLDER, "help": "Mapp med exporterna. Standard: det medföljande exemplet."}),
    (("--config",), {"type": FILE, "help": "Konfiguration (TOML). Standard: den medföljande MIA-konfigurationen."}),
    (("--strict",), {"is_flag": True, "help": "Avbryt (kod 1) om någon rad avvisas."}),
    (("--no-cache",), {"is_flag": True, "help": "Läs och räkna om allt utan cachen (se `indikator cache --help`)."}),
    TIMINGS,
]
LOG = (("--log", "log_path"), {"type": FILE, "help": "Skriv en logg (tid, nivå, meddelande; inga personnummer) till FIL, t.ex. för nattkörningen."})
GROUP = {"cls": None, "context_settings": {"help_option_names": ["-h", "--help"], "max_content_width": 100}}
# fmt: on


def source(func):
    """--data, --config, --strict, --no-cache, handed to the command as one ``app.Source``."""

    @options(*SOURCE)
    @functools.wraps(func)
    def wrapper(*args, data, config, strict, no_cache, **kwargs):
        return func(*args, source=app.Source(data, config, not no_cache, strict), **kwargs)

    return wrapper


class Command(click.Command):
    """A command whose usage line reads ``[FLAGGOR]`` (click's words: ``cli_text``)."""

    def __init__(self, *args, options_metavar: str = cli_text.OPTIONS, **kwargs) -> None:
        super().__init__(*args, options_metavar=options_metavar, **kwargs)


class MainGroup(click.Group):
    command_class = Command

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", cli_text.OPTIONS)
        kwargs.setdefault("subcommand_metavar", cli_text.SUBCOMMAND)
        super().__init__(*args, **kwargs)

    def format_epilog(self, ctx, formatter) -> None:
        self.epilog = (  # where the cache is *now* (it follows the environment)
            f"Cache: inlästa exporter och resultat sparas i {app.cache_location()} (bara ägaren "
            "kan läsa; inga personnummer). Töm med `indikator cache clear`; förbigå med --no-cache."
        )
        super().format_epilog(ctx, formatter)


@click.group(**{**GROUP, "cls": MainGroup})
@click.version_option(__version__, message="indikator %(version)s")
@options(LOG, TIMINGS)
@click.pass_context
def main(ctx, log_path: Path | None) -> None:
    """indikator – uppföljningsindikatorer för Finsam- och ESF-projekt.

    Läser deltagar- och aktivitetsexporter (CSV eller Excel i SUS-format), kontrollerar dem
    och räknar indikatorer per delprojekt och kön, för perioden och ackumulerat.

    Exempel: indikator monthly --period 2017-05
    """
    try:
        app.start_log(log_path)
        if log_path is not None and not ctx.meta.get("timings"):
            app.start_timings()  # the log gets the stages too
        elif not ctx.meta.get("timings"):
            app.stop_timings()  # a run in the same process (tests) starts without
    except IndikatorError as e:
        click.echo(f"fel: {app.mask(e)}", err=True)
        raise click.exceptions.Exit(e.exit_code) from None


@main.command()
@options(PERIOD, *REPORT, INDICATOR)
@source
@handled
def monthly(period, delprojekt, fmt, out, min_cell, indicators, source):
    """Periodens och det ackumulerade resultatet per delprojekt och TOTALT, Kvinnor/Män/Totalt."""
    fmt = _format(fmt, out)
    return app.monthly(
        app.FigureRequest(source, period, indicators, delprojekt, min_cell, fmt, out)
    )


@main.command()
@options(PERIOD, PREVIOUS, *REPORT)
@source
@handled
def targets(period, compare_previous, delprojekt, fmt, out, min_cell, source):
    """Måluppfyllelse: mål, resultat, "n av N" och om målet nås, per delprojekt och kön."""
    fmt = _format(fmt, out)
    return app.targets(
        app.TargetRequest(source, period, compare_previous, delprojekt, min_cell, fmt, out)
    )


@main.command()
@options(PERIOD, *REPORT, INDICATOR)
@source
@handled
def esf(period, delprojekt, fmt, out, min_cell, indicators, source):
    """ESF:s gemensamma indikatorer för deltagare (utfall och resultat), per delprojekt och TOTALT."""
    fmt = _format(fmt, out)
    return app.esf(app.FigureRequest(source, period, indicators, delprojekt, min_cell, fmt, out))


@main.command()
@options(YEAR, *FINSAM)
@source
@handled
def finsam(year, delprojekt, fmt, out, source):
    """Årets siffror till Uppföljning Finsam per insats och TOTALT (exakta antal)."""
    return app.finsam(source, year, delprojekt, _format(fmt, out), out)


@main.command("esf-hours")
@options(PERIOD, PERSON_FILE)
@source
@handled
def esf_hours(period, out, source):
    """ESF-rapporten per deltagare: personnummer, startdatum, anvisande organisation, timmar."""
    return app.esf_hours(source, period, out)


@main.command()
@options(*BATCH)
@source
@handled
def batch(out, first, last, min_cell, source):
    """Nattkörningen: alla månader, kvartal, tertial, halvår och år, båda omfången, till MAPP."""
    bar = (
        click.progressbar(length=3, label="batch", file=sys.stderr) if sys.stderr.isatty() else None
    )

    def progress(step: str) -> None:  # läser, räknar, skriver
        if bar is not None:
            bar.label = step
            bar.update(0 if step == "läser" else 1)

    answer = app.batch(app.BatchRequest(source, out, first, last, min_cell), progress)
    if bar is not None:
        bar.update(3)
        bar.render_finish()
    return answer


@main.command()
@click.argument(
    "old", metavar="GAMMAL", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.argument("new", metavar="NY", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), help="Standard: table eller csv."
)
@handled
def diff(old, new, fmt):
    """Siffror som ändrats mellan två batch-körningar (sena registreringar); kod 3 om några."""
    return app.diff(old, new, _format(fmt))


@main.command()
@click.option("--out", type=FILE, help="Skriv problemlistan till FIL (.xlsx eller .csv).")
@source
@handled
def validate(out, source):
    """Kontrollera exporterna: rader lästa/godkända/avvisade, sedan varje problem."""
    return app.validate(source, out)


@main.command()
@options(SOURCE[1])
@handled
def indicators(config):
    """Lista alla indikatorer med id, typ och vilka exporter de behöver."""
    return app.indicators(app.Source(config=config))


@main.command()
@click.argument("folder", metavar="MAPP", type=FOLDER)
@click.option("--name", metavar="NAMN", help="Projektets namn (standard: mappens namn).")
@handled
def init(folder, name):
    """Starta ett nytt projekt: konfiguration, datamapp och registreringsmallar i Excel."""
    return app.init(folder, name)


@main.command()
@options(*SAMPLE)
@handled
def sample(out, size, seed, fmt, activity_interval, config):
    """Skriv ett syntetiskt exempeldataset (alla sex exporter) för test och prov."""
    return app.sample(out, size, seed, fmt, activity_interval, config)


@main.command()
@click.argument("action", type=click.Choice(["info", "clear"]))
@handled
def cache(action):
    """Cachen av inlästa exporter och resultat (nyckel: filernas innehåll): info eller clear."""
    return app.cache_clear() if action == "clear" else app.cache_info()


def run() -> None:
    """The console script and ``python -m indikator``: ``main``, then out without Python's
    teardown of the pandas, numpy and pyarrow modules (about 0.13 s, a tenth of the bundled
    sample's cold run). The exit handlers (the log, temporary files, the second process)
    still run; anything unusual (a thread still running, output that cannot be flushed, an
    exit that is not a code) leaves the normal way."""
    try:
        main()
    except SystemExit as e:
        try:
            _leave(e.code)
        except KeyboardInterrupt:  # Ctrl-C while leaving: the answer is out already
            os._exit(EXIT_INTERRUPTED)
        raise


def _leave(code: object) -> None:
    if not (code is None or isinstance(code, int)) or threading.active_count() > 1:
        return
    if not _flushed():
        return  # a closed pipe: Python reports it as it always has
    atexit._run_exitfuncs()  # what Python runs first at exit; it forgets them once run
    if _flushed():  # also what the exit handlers printed
        os._exit(code or 0)


def _flushed() -> bool:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return False
    return True


if __name__ == "__main__":  # pragma: no cover
    run()
