"""click's own words – usage lines, help headings, its error messages – are Swedish, like
everything else a user reads (cli_text.py)."""

import ast
from pathlib import Path

import click
import pytest

from indikator.cli import main
from indikator.cli_text import SV, SV_PLURAL

# what click writes in English when nothing translates it
ENGLISH = [
    "Usage",
    "Error",
    "Try '",
    "Options",
    "Commands",
    "Invalid value",
    "No such",
    "Missing",
    "is not",
    "does not",
    "required",
    "default:",
    "Did you mean",
    "Got unexpected",
    "[OPTIONS]",
    "COMMAND",
    "TEXT",
    "INTEGER",
    "FLOAT",
    "DIRECTORY",
    "FILE ",
    "Show this message",
]


def _asked_for_by_click() -> tuple[set[str], set[tuple[str, str]]]:
    """Every text click's modules pass to gettext (``_("…")``, ``ngettext("…", "…", n)``)."""
    single, plural = set(), set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and texts:
                single.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) >= 2:
                plural.add((texts[0], texts[1]))
    return single, plural


def test_every_translated_text_is_one_click_still_asks_for():
    """A click that rewords a message would otherwise silently show it in English again."""
    single, plural = _asked_for_by_click()
    # "[required]" goes through a variable: _(extra["required"]) after extra["required"] = …
    core = (Path(click.__file__).parent / "core.py").read_text(encoding="utf-8")
    if '_(extra["required"])' in core and 'extra["required"] = "required"' in core:
        single.add("required")
    assert set(SV) - single == set()
    assert set(SV_PLURAL) - plural == set()
    assert "Usage:" in single and "Error: {message}" in single  # the scan itself works


@pytest.mark.parametrize(
    "args, expected",
    [
        (["monthly", "--bogus"], "fel: Okänd flagga '--bogus'. Menade du '--out'?"),
        (["monthly"], "fel: Flagga saknas: '--period'."),
        (["monthly", "--period"], "fel: Flaggan '--period' behöver ett värde."),
        (["monthlyx"], "fel: Okänt kommando 'monthlyx'. Menade du 'monthly'?"),
        (
            ["monthly", "--period", "2017-05", "--format", "pdf"],
            "fel: Ogiltigt värde för '--format': 'pdf' är inte något av 'table', ",
        ),
        (
            ["monthly", "--period", "2017-05", "--min-cell", "-1"],
            "fel: Ogiltigt värde för '--min-cell': -1 ligger inte i intervallet x>=0.",
        ),
        (
            ["sample", "--out", "x", "--size", "många"],
            "fel: Ogiltigt värde för '--size': 'många' är inte ett giltigt tal.",
        ),
        (["monthly", "--period", "2017-05", "extra"], "fel: Oväntat extra argument (extra)"),
        (["diff"], "fel: Argument saknas: 'GAMMAL'."),
        (
            ["diff", "/finns/inte", "."],
            "fel: Ogiltigt värde för 'GAMMAL': Mapp '/finns/inte' finns",
        ),
    ],
)
def test_usage_errors_are_swedish(cli, args, expected):
    r = cli(*args)
    assert r.exit_code == 2
    assert expected in r.stderr
    assert [w for w in ENGLISH if w in r.stderr] == []


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help_is_swedish(cli, command):
    r = cli(*([command] if command else []), "--help")
    assert r.exit_code == 0
    assert r.stdout.startswith("Användning: ")
    assert "Flaggor:" in r.stdout and "Visa den här hjälpen och avsluta." in r.stdout
    assert [w for w in ENGLISH if w in r.stdout] == []
