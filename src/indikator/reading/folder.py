"""The data folder: which file is which export, and a word about every other file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileError
from ..problems import Problems
from .headers import slug

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
SUFFIXES = TEXT_SUFFIXES + SHEET_SUFFIXES
SYSTEM_FILES = {"thumbs.db", "desktop.ini"}


@dataclass
class Folder:
    files: dict[str, Path]  # export -> its file
    others: dict[str, str] = field(default_factory=dict)  # file name -> what it resembles


def _resembles(stem: str, exports: tuple[str, ...]) -> str | None:
    """The export a file name is a variant of (``aktiviteter_2018-06-01``, ``deltagare (1)``)."""
    s = slug(stem)
    found = [e for e in exports if e in s]
    return max(found, key=len) if found else None


def scan_folder(folder: Path, exports: tuple[str, ...], problems: Problems) -> Folder:
    """Every file in ``folder``: an export (stem = its name, a readable suffix), ignored
    (hidden, Excel's ``~$`` lock files, system files), or a warning that says why it is not
    read. Two files for one export is a file error: we do not guess which one counts."""
    found: dict[str, list[Path]] = {}
    others: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        name = p.name
        if not p.is_file() or name.startswith((".", "~")) or name.casefold() in SYSTEM_FILES:
            continue
        stem, suffix = p.stem.casefold(), p.suffix.lower()
        if stem in exports and suffix in SUFFIXES:
            found.setdefault(stem, []).append(p)
        elif stem in exports:
            problems.add(
                "okand_fil",
                name,
                [0],
                None,
                "",
                f"formatet {suffix or '(ingen filändelse)'} läses inte; "
                "spara filen som .xlsx eller .csv",
            )
        elif (like := _resembles(p.stem, exports)) is not None:
            others[name] = like
            target = like + (suffix if suffix in SUFFIXES else ".csv")
            problems.add(
                "okand_fil",
                name,
                [0],
                None,
                "",
                f"filen känns inte igen och läses inte; döp om den till {target} om den ska läsas",
            )
        else:
            problems.add(
                "okand_fil", name, [0], None, "", "filen hör inte till någon export och läses inte"
            )
    for export, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise FileError(
                f"{folder}: exporten {export} finns i flera filer ({names}); ta bort en"
            )
    return Folder({e: ps[0] for e, ps in found.items()}, others)


def missing_export(folder: Path, export: str, scanned: Folder) -> FileError:
    like = [name for name, e in scanned.others.items() if e == export]
    hint = f"; döp om {like[0]} till {export}.csv" if like else ""
    return FileError(f"{folder}: exporten {export} ({export}.csv eller {export}.xlsx) saknas{hint}")
