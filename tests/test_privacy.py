"""No personnummer or samordningsnummer of the input, in any of its written forms, appears in
anything the tool writes (stdout, stderr, every file of every format, the batch folder, the
log, the cache) — except the esf-hours report, whose purpose is to list them.

The input holds them where they belong (the id columns, in every form a spreadsheet makes of
them) and where they do not (every other column, a header, a file name), valid and with a
wrong check digit; tests/leaks.py finds them in the output in any written form."""

import os
from pathlib import Path

import pytest
from conftest import write_dataset
from leaks import leaks, personnummer_in, text_of
from world import FULL_WORLD

EXTRA_ACTIVITY = "19900101-0008;2017-05-02;PRAKTIK_AG;OS;1\n"  # unknown person: a row error
EXTRA_ENROLMENT = "800161-0008;K;OS;2017-05-03;;;;;;\n"  # a samordningsnummer

# Every written form of a personnummer (here 19800202-0017 and a wrong-check-digit sibling).
FORMS = [
    "19800202-0017",
    "198002020017",
    "800202-0017",
    "8002020017",
    "800202+0017",
    "19800202 - 0017",
    "19800202\u20130017",
    "19800202\u00a0\u22120017",
    "800202\u20090017",
    "198002020017.0",
    "19800202-0018",
    "800202 – 0018",
]


def _everywhere(files: dict[str, str]) -> dict[str, str]:
    """Each form typed into every column of some row of every export, and as a header."""
    out = {}
    for export, text in files.items():
        lines = text.splitlines()
        header = lines[0].split(";")
        extra = []
        for i, form in enumerate(FORMS):
            cells = lines[1 + i % (len(lines) - 1)].split(";")
            cells[i % len(header)] = form
            extra.append(";".join(cells))
        out[export] = "\n".join([lines[0] + ";19750505-0026", *lines[1:], *extra]) + "\n"
    return out


@pytest.mark.parametrize("hostile", [False, True], ids=["world", "every-form-in-every-column"])
def test_nothing_written_holds_a_personnummer(cli, tmp_path, hostile):
    files = dict(FULL_WORLD)
    files["aktiviteter"] += EXTRA_ACTIVITY
    files["deltagare"] += EXTRA_ENROLMENT
    if hostile:
        files = _everywhere(files)
    folder = write_dataset(tmp_path / "data", files)
    if hostile:
        (folder / "19800202-0017 anteckningar.txt").write_text("x")
    cores = personnummer_in([*files.values(), *(p.name for p in folder.iterdir())])
    assert {"8001610008", "6606060058", "8002020017"} <= cores and len(cores) >= 7
    assert "8002020018" in cores or not hostile
    out = tmp_path / "out"
    out.mkdir()
    log = tmp_path / "indikator.log"
    streams = []
    base = ("--data", str(folder))
    commands = [
        ("validate", *base),
        ("targets", "--period", "2017", "--format", "csv", *base),
        ("targets", "--period", "2017", "--format", "json", *base),
        ("batch", "--out", str(out / "batch"), "--to", "2017-06", *base),
        ("esf-hours", "--period", "2017-05", "--out", str(tmp_path / "esf.csv"), *base),
    ]
    for fmt in ("table", "markdown", "csv", "json"):
        commands.append(("monthly", "--period", "2017-05", "--format", fmt, *base))
        commands.append(("monthly", "--period", "2017-05", "--format", fmt, *base))  # cached
    for fmt in ("parquet", "xlsx", "html"):
        target = out / f"monthly.{fmt}"
        commands.append(
            ("monthly", "--period", "2017-05", "--format", fmt, "--out", str(target), *base)
        )
    for command in commands:
        r = cli("--log", str(log), *command)
        assert r.exit_code in (0, 3), (command, r.stderr)
        streams += [r.stdout, r.stderr]
    written = [p for p in out.rglob("*") if p.is_file()]
    cache = [p for p in Path(os.environ["INDIKATOR_CACHE"]).rglob("*") if p.is_file()]
    assert written and cache
    texts = {f"stream {i}": s for i, s in enumerate(streams)}
    texts |= {str(p): text_of(p) for p in [*written, *cache, log]}
    assert leaks(cores, texts) == {}
    # the esf-hours report is the exception, and it does hold them
    assert leaks(cores, {"esf": (tmp_path / "esf.csv").read_text(encoding="utf-8-sig")})
