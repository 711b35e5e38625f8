"""Exports as people make them in Excel (tests/corpus/excel_cases.py): for every case the
exit code and a message naming file, line and column; rows read = accepted + rejected; no
personnummer in any written form in anything written (stdout, stderr, log, cache, and for the
privacy cases the batch folder); and where the input is legal, every figure identical to the
clean version of the same data."""

import os
import re
from pathlib import Path

import pytest
from corpus.excel_cases import CASES, base, write
from leaks import leaks, personnummer_in, text_of

COUNTS = re.compile(r"(\S[^\n:]*): (\d+) rader lästa, (\d+) godkända, (\d+) avvisade")
_figures: dict[str, str] = {}


def figures(cli, folder: Path) -> str:
    r = cli(
        "monthly", "--period", "2017", "--format", "csv", "--min-cell", "0", "--data", str(folder)
    )
    assert "Traceback" not in r.stderr and "internt fel" not in r.stderr, r.stderr[-2000:]
    return r.stdout


def clean_figures(cli, tmp_path_factory, case) -> str:
    key = case.clean.__name__ if case.clean else "world"
    if key not in _figures:
        folder = write((case.clean or base)(), tmp_path_factory.mktemp("clean"))
        _figures[key] = figures(cli, folder)
    return _figures[key]


def test_the_corpus_covers_every_class():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.klass for c in CASES} == set(range(1, 10))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_excel_case(cli, tmp_path, tmp_path_factory, case):
    inputs = case.build()
    folder = write(inputs, tmp_path / "data")
    log = tmp_path / "indikator.log"
    r = cli("--log", str(log), "validate", "--data", str(folder))
    output = r.stdout + r.stderr
    assert "Traceback" not in output and "internt fel" not in output, output[-3000:]
    assert r.exit_code == case.code, output[-3000:]
    for message in [case.message] if isinstance(case.message, str) else case.message:
        assert message in output, output[-3000:]
    for text in case.absent:
        assert text not in output, output[-3000:]
    for file, read, accepted, rejected in COUNTS.findall(r.stdout):
        assert int(read) == int(accepted) + int(rejected), file
        if file in case.read:
            assert int(read) == case.read[file]

    m = cli("--log", str(log), "monthly", "--period", "2017-05", "--data", str(folder))
    assert "Traceback" not in m.stderr and "internt fel" not in m.stderr, m.stderr[-3000:]
    assert m.exit_code == (1 if case.code == 1 else case.code), m.stderr[-3000:]
    streams = {"validate": output, "monthly": m.stdout + m.stderr}
    if case.deep:
        b = cli("batch", "--out", str(tmp_path / "batch"), "--to", "2017-06", "--data", str(folder))
        assert b.exit_code == case.code, b.stderr
        streams["batch"] = b.stdout + b.stderr
        streams |= {str(p): text_of(p) for p in (tmp_path / "batch").rglob("*") if p.is_file()}
    if case.legal:
        assert figures(cli, folder) == clean_figures(cli, tmp_path_factory, case)

    cache = [p for p in Path(os.environ["INDIKATOR_CACHE"]).rglob("*") if p.is_file()]
    streams |= {str(p): text_of(p) for p in [*cache, log] if p.exists()}
    cores = personnummer_in([d.decode("utf-8", "replace") for d in inputs.values()])
    cores |= personnummer_in(list(inputs))  # in file names too
    assert leaks(cores, streams) == {}
