"""deltagare's rules across rows – dubblett, overlapp, samtidig inskrivning – against a
reference written enrolment by enrolment: which lines are reported, with which message, and
which are accepted."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from conftest import write_dataset
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indikator.config import load_config
from indikator.dataset import load_dataset

CONFIG = load_config()
DAY0 = dt.date(2017, 1, 1)
HEADER = "deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak"
RULES = ("dubblett", "overlapp", "samtidig_inskrivning")

# (person, delprojekt, start day, length in days or None for an open enrolment)
ENROLMENT = st.tuples(
    st.sampled_from(["ANON-1", "ANON-2", "ANON-3"]),
    st.sampled_from(["OS", "BHS"]),
    st.integers(0, 20),
    st.one_of(st.none(), st.integers(0, 15)),
)


def _text(enrolments) -> str:
    rows = [HEADER]
    for person, dp, start, length in enrolments:
        begin = DAY0 + dt.timedelta(days=start)
        end = "" if length is None else str(begin + dt.timedelta(days=length))
        rows.append(f"{person};K;{dp};{begin};{end};{'ARBETE' if end else ''}")
    return "\n".join(rows) + "\n"


def reference(enrolments):
    """Row by row. Within a person and delprojekt, in order of start (then line): an
    enrolment starting the same day as an earlier one is a dubblett of the first of them; one
    starting on or before the latest end of the earlier ones (dubbletter aside) overlaps.
    Among the accepted, a person's enrolment starting on or before the latest end of their
    earlier ones (any delprojekt) is samtidig."""
    lines = [
        (i + 2, p, dp, s, float("inf") if n is None else s + n)
        for i, (p, dp, s, n) in enumerate(enrolments)
    ]
    found, accepted = set(), []
    for key in {(p, dp) for _, p, dp, _, _ in lines}:
        group = sorted((s, line, end) for line, p, dp, s, end in lines if (p, dp) == key)
        first: dict[int, int] = {}
        latest = None
        for s, line, end in group:
            if s in first:
                why = f"dubblett: samma deltagare, delprojekt och startdatum som rad {first[s]}"
                found.add(("dubblett", line, why))
                continue
            first[s] = line
            if latest is not None and latest >= s:
                found.add(
                    (
                        "overlapp",
                        line,
                        "överlappar en tidigare inskrivning av samma deltagare i samma delprojekt",
                    )
                )
            else:
                accepted.append((line, key[0], s, end))
            latest = end if latest is None else max(latest, end)
    for person in {p for _, p, _, _ in accepted}:
        latest = None
        for s, line, end in sorted((s, line, e) for line, p, s, e in accepted if p == person):
            if latest is not None and latest >= s:
                found.add(
                    (
                        "samtidig_inskrivning",
                        line,
                        "deltagaren är inskriven i två delprojekt samtidigt",
                    )
                )
            latest = end if latest is None else max(latest, end)
    return found, sorted(line for line, *_ in accepted)


@settings(max_examples=150, deadline=None)
@given(st.lists(ENROLMENT, min_size=1, max_size=30))
# rows 2, 3 one day; row 4 inside row 2 (overlapp); row 5 in BHS during row 2 (samtidig)
@example(
    [
        ("ANON-1", "OS", 0, 10),
        ("ANON-1", "OS", 0, 3),
        ("ANON-1", "OS", 5, None),
        ("ANON-1", "BHS", 8, 1),
    ]
)
def test_enrolment_rules_match_the_reference(enrolments):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_dataset(Path(tmp), {"deltagare": _text(enrolments)})
        ds = load_dataset(folder, CONFIG)
    problems = ds.problems[ds.problems["kod"].isin(RULES)]
    found = set(zip(problems["kod"], problems["rad"], problems["meddelande"], strict=True))
    expected, accepted = reference(enrolments)
    assert found == expected
    assert ds.tables["deltagare"]["_line"].tolist() == accepted  # in line order


def test_a_rejected_enrolment_covers_its_first_and_last_day():
    # Rejected enrolments as causes (``Rejected.covering``), by their day numbers: line 5
    # ran 2017-03-01..2017-03-31 in delprojekt 0, line 8 (1969, before day 0) ended on
    # 1969-12-31, line 9 is open from 2017-06-01. 2017-03-01 is day 17226, 2017-03-31 17256,
    # 1969-12-31 day -1, 2017-06-01 17318.
    import numpy as np
    import pandas as pd

    from indikator.rules.causes import Rejected

    rows = pd.DataFrame(
        {
            "person": ["p1", "p2", "p3"],
            "start": np.array(["2017-03-01", "1969-12-01", "2017-06-01"], "datetime64[s]"),
            "slut": np.array(["2017-03-31", "1969-12-31", "NaT"], "datetime64[s]"),
            "dp": [0, 0, 1],
            "line": [5, 8, 9],
            "unread": [False, False, False],
            "reason": ["", "", ""],
        }
    )
    rejected = Rejected("deltagare.csv", rows, {}, {})
    persons = pd.Series(["p1", "p1", "p1", "p1", "p2", "p2", "p3", "p3", "p1"])
    day = np.array([17225, 17226, 17256, 17257, -1, 0, 17317, 17318 + 5000, 17230])
    dp = np.array([-1, 0, 0, -1, -1, -1, -1, 1, 1])
    found = rejected.covering(persons, dp, day)
    # the day before the first, the first, the last, the day after; 1969-12-31 and the day
    # after; the day before an open start and long after it; the right days, another dp
    assert found.line.tolist() == [-1, 5, 5, -1, 8, -1, -1, 9, -1]
    # ended on the day (or any ended one for a day < 0): p1 on 17256, p2 on -1; p3 never ends
    ended = rejected.covering(
        pd.Series(["p1", "p1", "p2", "p3"]),
        np.array([-1] * 4),
        np.array([17256, 17255, -5, -5]),
        True,
    )
    assert ended.line.tolist() == [5, -1, 8, -1]
