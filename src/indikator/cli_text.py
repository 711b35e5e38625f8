"""click's own words – usage lines, help headings, error messages – in Swedish, since
everything a user of indikator reads is Swedish.

click asks gettext for each of these texts: its modules bind ``gettext.gettext`` as ``_`` and
``gettext.ngettext`` when they are imported, and gettext picks a language from the
environment (``LANGUAGE``/``LANG``), which on the machines that run indikator is usually C or
English. ``install`` points those names in click's modules at this table instead. A text that
is not in the table stays as click wrote it: a newer click's new message shows in English,
never as a wrong Swedish one (``tests/test_cli_text.py`` checks that every text here is one
click still asks for)."""

from __future__ import annotations

import gettext
import sys

# the usage line's words for the options and the command, which click takes as arguments
OPTIONS, SUBCOMMAND = "[FLAGGOR]", "KOMMANDO [ARGUMENT]..."

SV = {
    # help
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "required": "obligatorisk",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljövariabel: {var}",
    "(dynamic)": "(dynamisk)",
    "deprecated": "föråldrad",
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
    # errors (the message line is "fel: …", like indikator's own)
    "Error: {message}": "fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "No such option {name!r}.": "Okänd flagga {name!r}.",
    "No such command {name!r}.": "Okänt kommando {name!r}.",
    "Missing command.": "Kommando saknas.",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Missing option": "Flagga saknas:",
    "Missing argument": "Argument saknas:",
    "Missing parameter": "Värde saknas:",
    "Missing parameter: {param_name}": "Värde saknas: {param_name}",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Invalid start character for option ({option})": "Ogiltigt tecken först i flaggan ({option})",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "{value} is not in the range {range}.": "{value} ligger inte i intervallet {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett giltigt tal.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} är inte ja eller nej. Giltiga värden: {states}"
    ),
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva till.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "Could not open file {filename!r}: {message}": "Kunde inte öppna {filename!r}: {message}",
    "Aborted!": "Avbrutet!",
    "unknown error": "okänt fel",
}

# (singular, plural) -> the same in Swedish
SV_PLURAL = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Menade du {possibility}?",
        "(Menade du någon av: {possibilities}?)",
    ),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Oväntat extra argument ({args})",
        "Oväntade extra argument ({args})",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Flaggan {name!r} behöver ett värde.",
        "Flaggan {name!r} behöver {nargs} värden.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} är inte {choice}.",
        "{value!r} är inte något av {choices}.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Tar {nargs} värden men fick 1.",
        "Tar {nargs} värden men fick {len}.",
    ),
}


def swedish(message: str) -> str:
    return SV.get(message, message)


def swedish_n(singular: str, plural: str, n: int) -> str:
    words = SV_PLURAL.get((singular, plural), (singular, plural))
    return words[0] if n == 1 else words[1]


def install() -> None:
    """Let click's modules loaded so far speak Swedish (the ones loaded later are prompts and
    shell completion, which indikator does not use)."""
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = swedish
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = swedish_n
