"""The generated bad-input corpus (tests/corpus/make_corpus.py): for each hostile or messy
export, `indikator validate` gives the expected exit code and a message naming file, line and
column, and never a traceback."""

import pytest
from corpus.make_corpus import CASES, write


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(cli, tmp_path, case):
    folder = write(case, tmp_path / case.name)
    r = cli("validate", "--data", str(folder))
    output = r.stdout + r.stderr
    assert "Traceback" not in output and "internt fel" not in output
    assert r.exit_code == case.code, output[-2000:]
    assert case.message in output, output[-2000:]
    # the same folder through a report command: the same verdict, never a crash
    m = cli("monthly", "--period", "2017-05", "--format", "csv", "--data", str(folder))
    assert "Traceback" not in m.stderr and "internt fel" not in m.stderr
    assert m.exit_code == (1 if case.code == 1 else case.code)
