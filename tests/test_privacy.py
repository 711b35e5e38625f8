"""No personnummer or samordningsnummer of the input, in any of its written forms, appears in
anything the tool writes (stdout, stderr, every file of every format, the batch folder, the
log, the cache) — except the esf-hours report, whose purpose is to list them."""

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
from conftest import write_dataset
from world import FULL_WORLD

from indikator.ids import check_id

EXTRA_ACTIVITY = "19900101-0008;2017-05-02;PRAKTIK_AG;OS;1\n"  # unknown person: a row error
EXTRA_ENROLMENT = "800161-0008;K;OS;2017-05-03;;;;;;\n"  # a samordningsnummer


def _forms(pnr: str) -> set[str]:
    """Every way a normalised YYYYMMDDNNNN can be written."""
    short = pnr[2:]
    return {
        pnr,
        f"{pnr[:8]}-{pnr[8:]}",
        short,
        f"{short[:6]}-{short[6:]}",
        f"{short[:6]}+{short[6:]}",
    }


def _personnummer(files: dict[str, str]) -> set[str]:
    found = set()
    for text in files.values():
        for line in text.splitlines()[1:]:
            for value in line.split(";"):
                person, _, born, error = check_id(value, dt.date(2017, 6, 1))
                if born is not None and error is None:
                    found |= _forms(person)
    return found


def _text_of(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas().to_csv()
    return data.decode("utf-8", "replace")


def test_nothing_written_holds_a_personnummer(cli, tmp_path):
    files = dict(FULL_WORLD)
    files["aktiviteter"] += EXTRA_ACTIVITY
    files["deltagare"] += EXTRA_ENROLMENT
    folder = write_dataset(tmp_path / "data", files)
    forms = _personnummer(files)
    assert "198001610008" in forms and "660606-0058" in forms and len(forms) > 20
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
    texts |= {str(p): _text_of(p) for p in [*written, *cache, log]}
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
    leaks = {name: pattern.findall(text) for name, text in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # the esf-hours report is the exception, and it does hold them
    assert pattern.search((tmp_path / "esf.csv").read_text(encoding="utf-8-sig"))
