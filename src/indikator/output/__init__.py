"""Every output format, in one table: pure functions from a report value (``reports``) to
text or bytes. No renderer computes; writing is atomic (``atomic``).

A new format is one function in the module of its kind of output (``text``, ``tidy``,
``excel``, ``html``) and one line per report kind in ``RENDERERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import SelectionError
from ..vocabulary import FIGURE_KEY

FORMATS = ("table", "markdown", "csv", "json", "parquet", "xlsx", "html")
NEEDS_OUT = ("parquet", "xlsx", "html")  # binary or a whole document: to a file only
CHANGE_COLUMNS = [*FIGURE_KEY, "varde_fore", "varde_efter", "status_fore", "status_efter"]


@dataclass(frozen=True)
class Renderer:
    render: Callable  # report -> str | bytes
    private: bool = False  # person-level: the file is readable by its owner only


def _figures(fmt: str):
    def render(report):
        from . import tidy

        if fmt == "csv":
            return tidy.tidy_csv(report.tidy)
        if fmt == "json":
            return tidy.tidy_json(report.tidy)
        if fmt == "parquet":
            return tidy.parquet_bytes(tidy.tidy_arrow(report.tidy))
        if fmt == "xlsx":
            from .excel import figures

            return figures(report)
        if fmt == "html":
            from .html import figures

            return figures(report)
        from .text import figures

        return figures(report, fmt)

    return render


def _targets(fmt: str):
    def render(report):
        from . import tidy
        from .text import targets

        columns = report.columns
        if fmt == "csv":
            return tidy.tidy_csv(report.table, columns)
        if fmt == "json":
            return tidy.tidy_json(report.table, columns)
        if fmt == "parquet":
            return tidy.frame_parquet(report.table, columns)
        return targets(report.table, report.config, fmt, report.protection, report.footer)

    return render


def _changes(fmt: str):
    def render(report):
        from .text import changes

        if fmt == "csv":
            return report.table[CHANGE_COLUMNS].to_csv(index=False, lineterminator="\n")
        return changes(report.table, CHANGE_COLUMNS)

    return render


def _hours(fmt: str):
    def render(report):
        from . import hours

        return hours.xlsx(report.table) if fmt == "xlsx" else hours.csv(report.table)

    return render


def _finsam(fmt: str):
    def render(report):
        from . import finsam

        return {"table": finsam.text, "csv": finsam.csv, "xlsx": finsam.xlsx}[fmt](report)

    return render


def _validation(fmt: str):
    def render(report):
        from . import problems

        return problems.sheet_xlsx(report) if fmt == "xlsx" else problems.sheet_csv(report)

    return render


RENDERERS: dict[tuple[str, str], Renderer] = {
    **{("figures", f): Renderer(_figures(f)) for f in FORMATS},
    **{
        ("targets", f): Renderer(_targets(f))
        for f in ("table", "markdown", "csv", "json", "parquet")
    },
    **{("changes", f): Renderer(_changes(f)) for f in ("table", "csv")},
    **{("finsam", f): Renderer(_finsam(f)) for f in ("table", "csv", "xlsx")},
    **{("hours", f): Renderer(_hours(f), private=True) for f in ("csv", "xlsx")},
    **{("validation", f): Renderer(_validation(f)) for f in ("csv", "xlsx")},
}


def check(kind: str, fmt: str, out: Path | None) -> None:
    """A format the report kind has, and a file where the format needs one (a usage error)."""
    if (kind, fmt) not in RENDERERS:
        have = ", ".join(f for k, f in RENDERERS if k == kind)
        raise SelectionError(f"formatet {fmt} finns inte för den här rapporten; använd {have}")
    if fmt in NEEDS_OUT and out is None:
        raise SelectionError(f"--format {fmt} kräver --out FIL")


def render(report, fmt: str) -> str | bytes:
    return RENDERERS[(report.kind, fmt)].render(report)


def write(report, fmt: str, out: Path | None) -> str | bytes | None:
    """Render ``report`` as ``fmt``: the text when there is no ``out``, else written there
    atomically (and None)."""
    from ..timings import stage

    check(report.kind, fmt, out)
    with stage("output"):
        data = render(report, fmt)
        if out is None:
            return data
        from ..atomic import write_atomic

        write_atomic(out, data, RENDERERS[(report.kind, fmt)].private)
    return None
