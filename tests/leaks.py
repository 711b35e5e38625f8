"""Finding personnummer in whatever the tool wrote, in any written form.

Independent of the code under test: personnummer are found in the *input* by their shape and
date (a wrong check digit is still someone's personnummer with a typo), and looked for in the *output* after every separator
between digits (spaces of any kind, dashes of any kind, ``+``) is removed, so that
``19800101 – 0001``, ``800101\u00a00001`` and ``198001010001`` are all the same finding. A
ten-digit form that lost its leading zeros to Excel (``1012384`` for ``000101-2384``) counts
too.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

_SEP = (
    "\\s\u00a0\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff\u2010-\u2015\u2212\ufe58\ufe63\uff0d+\\-"
)
_CANDIDATE = re.compile(rf"(?<!\d)\d[\d{_SEP}]{{5,20}}\d(?!\d)")
_JOIN = re.compile(rf"(?<=\d)[{_SEP}]{{1,3}}(?=\d)")  # as far apart as "0101 – 0001"


def _core(digits: str) -> str | None:
    """The ten-digit core (YYMMDDNNNC) of a personnummer or samordningsnummer: a real date
    part is enough (one with a wrong check digit is a typo of someone's personnummer)."""
    if len(digits) == 12 and digits[:2] in ("18", "19", "20"):
        digits = digits[2:]
    if len(digits) != 10:
        return None
    month, day = int(digits[2:4]), int(digits[4:6])
    return digits if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91) else None


def personnummer_in(texts: list[str]) -> set[str]:
    """The ten-digit cores of every personnummer written in ``texts`` (inputs)."""
    found = set()
    for text in texts:
        for m in _CANDIDATE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            for d in (digits, digits.zfill(10)):
                core = _core(d)
                if core:
                    found.add(core)
    return found


def text_of(path: Path) -> str:
    """Everything readable in a written file (xlsx: every part of the zip; pickles as bytes)."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pandas().to_csv()
    return data.decode("utf-8", "replace") + data.decode("utf-16-le", "replace")


def leaks(cores: set[str], texts: dict[str, str]) -> dict[str, list[str]]:
    """Where any of ``cores`` appears in ``texts`` (name -> text), in any written form."""
    if not cores:
        return {}
    # The ten digits anywhere (Arrow buffers store strings back to back: "R119800202-0017R3");
    # a form that lost its leading zeros only as a number of its own.
    short = sorted({c.lstrip("0") for c in cores if c.startswith("0")}, key=len, reverse=True)
    alternatives = [re.escape(c) for c in sorted(cores)]
    alternatives += [rf"(?<!\d){s}(?!\d)" for s in short]
    pattern = re.compile("|".join(alternatives))
    out = {}
    for name, text in texts.items():
        hits = pattern.findall(_JOIN.sub("", text))
        if hits:
            out[name] = hits
    return out
