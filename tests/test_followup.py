"""Follow-up after exit on the hand-counted world (see world.py)."""

import numpy as np
import pandas as pd
import pytest
from conftest import fig, run, write_dataset
from hypothesis import given
from hypothesis import strategies as st
from world import FULL_WORLD

from indikator.rules.uppfoljningar import _latest_end


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("world"), FULL_WORLD)
    return run(folder, periods=("2017-03", "2017-05", "2017-06", "2017"))


def test_90_days(tidy):
    # May 2017: only P7's 90-day point (2017-05-01) falls in May; he has a follow-up, ARBETE.
    assert fig(tidy, "andel_arbete_studier_90d", "SDT", "M") == (1.0, 1, 1, "ok")
    assert fig(tidy, "andel_arbete_studier_90d", "TOTALT", "T") == (1.0, 1, 1, "ok")
    assert fig(tidy, "uppfoljning_saknas_90d", "TOTALT", "T")[0] == 0
    assert fig(tidy, "andel_arbete_studier_90d", "OS", "T") == (None, 0, 0, "tom_namnare")
    # March 2017: P3's first exit (2016-12-20) has its 90-day point on 2017-03-20, no follow-up.
    assert fig(tidy, "uppfoljning_saknas_90d", "OS", "K", period="2017-03")[0] == 1
    assert fig(tidy, "andel_arbete_studier_90d", "OS", "K", period="2017-03")[3] == "tom_namnare"
    # ackumulerat to May: P3 missing, P7 present.
    assert fig(tidy, "andel_arbete_studier_90d", "TOTALT", "T", "ackumulerat") == (1.0, 1, 1, "ok")
    assert fig(tidy, "uppfoljning_saknas_90d", "TOTALT", "T", "ackumulerat")[0] == 1


def test_six_months_person_with_two_exits(tidy):
    # June 2017: only P3's first exit has its point (2017-06-20): follow-up 'Arbete' (label).
    assert fig(tidy, "andel_arbete_studier_6m", "OS", "K", period="2017-06") == (1.0, 1, 1, "ok")
    # Year 2017: both of P3's points fall in 2017; she is judged by her latest exit (May 31),
    # whose follow-up (slutdatum empty = latest ended enrolment) says SJUKSKRIVEN.
    assert fig(tidy, "andel_arbete_studier_6m", "OS", "K", period="2017") == (0.0, 0, 1, "ok")
    # The others with a 6-month point in 2017 have no follow-up: P1 (K) and P4 (M) in OS ...
    assert [fig(tidy, "uppfoljning_saknas_6m", "OS", k, period="2017")[0] for k in "KMT"] == [
        1,
        1,
        2,
    ]
    # ... and in TOTALT also P5, P6 (unknown kön) and P7: each person once, in one of the two.
    assert fig(tidy, "uppfoljning_saknas_6m", "TOTALT", "T", period="2017")[0] == 5
    assert fig(tidy, "andel_arbete_studier_6m", "TOTALT", "T", period="2017")[1:3] == (0, 1)


def test_twelve_months_nothing_due(tidy):
    # 12-month points in May 2017 would need exits in May 2016: none.
    assert fig(tidy, "andel_arbete_studier_12m", "TOTALT", "T") == (None, 0, 0, "tom_namnare")
    assert fig(tidy, "uppfoljning_saknas_12m", "TOTALT", "T")[0] == 0


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40), st.integers(0, 40)), max_size=40),
    st.integers(0, 3),
)
def test_latest_end_is_each_persons_latest_slutdatum(rows, extra):
    # the latest ended enrolment's end per person, by integer codes, equals pandas' groupby on
    # the person strings; persons listed as categories without an ended enrolment get NaT, as
    # does the slot after the last category (a follow-up's person not among them)
    persons = [f"P{i}" for i in range(6 + extra)]
    day = np.datetime64("2017-01-01", "s")
    ended = pd.DataFrame(
        {
            "person": pd.Categorical([persons[p] for p, _, _ in rows], categories=persons),
            "start": [day + np.timedelta64(s, "D") for _, s, _ in rows],
            "slut": [day + np.timedelta64(e, "D") for _, _, e in rows],
        }
    )
    ended = ended.astype({"start": "datetime64[s]", "slut": "datetime64[s]"})
    got = _latest_end(ended)
    by_person = ended.groupby("person", observed=True)["slut"].max()
    assert len(got) == len(persons) + 1 and np.isnat(got[-1])
    for i, p in enumerate(persons):
        if p in by_person.index:
            assert got[i] == by_person[p].to_datetime64()
        else:
            assert np.isnat(got[i])
