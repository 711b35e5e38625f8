"""Fuzzing: random CSV bytes for every export. The tool computes or reports errors; it never
crashes, never hangs, and rows read = accepted + rejected for every file. Each example is run
through `validate` and then `monthly`, which must agree on the exit code.

Marked slow. `.ci/run` runs it with a bounded number of examples (FUZZ_EXAMPLES, default 150);
run a few thousand locally with: FUZZ_EXAMPLES=3000 pytest -m slow tests/test_fuzz.py
"""

import os
import re
import signal
from contextlib import contextmanager

import pytest
from conftest import write_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from world import FULL_WORLD

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
HANG_SECONDS = 30  # one validate of a dozen rows takes well under a second


class Hung(BaseException):
    """Not an Exception, so the CLI's last-line handler cannot turn it into an exit code."""


@contextmanager
def hang_guard(seconds: int):
    """Fail the example instead of stalling the suite if one run does not finish."""

    def stop(signum, frame):
        raise Hung(f"validate did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


EXPORTS = list(FULL_WORLD)

# cells drawn from the dataset's own values plus hostile ones, so rows get deep into validation
_VALUES = sorted(
    {c for text in FULL_WORLD.values() for line in text.splitlines() for c in line.split(";")}
)
# personnummer as spreadsheets leave them: numbers, lost zeros, other dashes, odd spaces
_PNR = [v for v in _VALUES if sum(ch.isdigit() for ch in v) in (10, 12)]
damaged_id = st.builds(
    lambda pnr, how: how(pnr),
    st.sampled_from(_PNR),
    st.sampled_from(
        [
            lambda p: p.replace("-", "") + ".0",
            lambda p: p.replace("-", "")[:1] + "," + p.replace("-", "")[1:6] + "E+11",
            lambda p: p.replace("-", "").lstrip("0")[-9:],
            lambda p: p.replace("-", "\u2013"),
            lambda p: p.replace("-", " \u2212 "),
            lambda p: p.replace("-", "\u00a0"),
            lambda p: p[:-1] + str((int(p[-1]) + 1) % 10),
        ]
    ),
)
cell = st.one_of(
    st.sampled_from(_VALUES),
    st.text(max_size=12),
    damaged_id,
    st.sampled_from(['"', '""', '"a;b"', "\r", "\u00a0", "\u200b", "-1", "1e400", "=A1", "#N/A"]),
    st.sampled_from(["2017-05-03 09:00", "2017-05-03T10:15:00", "2017/05/03", "03/05/2017"]),
)
row = st.lists(cell, min_size=0, max_size=12).map(";".join)
# headers as people write them: a unit or format in brackets, a trailing comma part
header_cell = st.builds(
    lambda name, how: how(name),
    st.sampled_from(sorted({c for t in FULL_WORLD.values() for c in t.splitlines()[0].split(";")})),
    st.sampled_from(
        [
            lambda c: c,
            lambda c: f"{c} (ÅÅÅÅ-MM-DD)",
            lambda c: f"{c.capitalize()} (h)",
            lambda c: f"{c} [K/M]",
            lambda c: f"{c}, antal",
            lambda c: c.upper(),
            lambda c: c[:4] + ".",
        ]
    ),
)


@st.composite
def export_bytes(draw):
    name = draw(st.sampled_from(EXPORTS))
    header_line, *_ = FULL_WORLD[name].splitlines()
    if draw(st.booleans()):
        header_line = ";".join(draw(header_cell) for _ in header_line.split(";"))
    if draw(st.integers(0, 4)) == 0:
        header_line = "Titel;;\n\n" + header_line  # a title row above the header
    keep_header = draw(st.booleans())
    body = draw(st.lists(row, max_size=8))
    text = "\n".join(([header_line] if keep_header else []) + body)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return name, text.encode(encoding, errors="replace") + draw(st.binary(max_size=3))


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(export_bytes())
def test_fuzzed_export_never_crashes(cli, tmp_path_factory, case):
    name, data = case
    folder = write_dataset(tmp_path_factory.mktemp("fuzz"), FULL_WORLD)
    (folder / f"{name}.csv").write_bytes(data)
    with hang_guard(HANG_SECONDS):
        r = cli("validate", "--no-cache", "--data", str(folder))
    out = r.stdout + r.stderr
    assert "Traceback" not in out and "internt fel" not in out, out[-3000:]
    assert r.exit_code in (0, 1, 3), out[-3000:]
    if r.exit_code != 1:
        counts = re.findall(r"(\d+) rader lästa, (\d+) godkända, (\d+) avvisade", r.stdout)
        assert counts
        for read, ok, bad in counts:
            assert int(read) == int(ok) + int(bad)
    # the same data through the indicators, over a year so that every month is computed
    with hang_guard(HANG_SECONDS):
        m = cli(
            "monthly", "--no-cache", "--data", str(folder), "--period", "2017", "--min-cell", "0"
        )
    out = m.stdout + m.stderr
    assert "Traceback" not in out and "internt fel" not in out, out[-3000:]
    assert m.exit_code == r.exit_code, out[-3000:]


def test_hang_guard_stops_a_run_that_does_not_finish():
    import time

    with pytest.raises(Hung), hang_guard(1):
        time.sleep(5)
