"""Participant flow on the hand-counted world (see world.py for who is who)."""

import pytest
from conftest import fig, run, write_dataset
from world import WORLD


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("world"), WORLD)
    # One call serves both months: the cumulative figures of 2017-01 and 2017-05 differ.
    return run(folder, periods=("2017-01", "2017-05"))


@pytest.mark.parametrize(
    "group, omfang, k, m, t",
    [
        # period 2017-05: OS has P1 (ends 10 May), P3 (2nd enrolment), P2 (starts 2 May);
        # P4's OS enrolment ended 30 April, P8 starts in June.
        ("OS", "period", 2, 1, 3),
        # BHS: P4 (from 15 May), P5 (anonymous K), P6 (unknown kön: only in T).
        ("BHS", "period", 1, 1, 3),
        ("SDT", "period", 0, 0, 0),
        # TOTALT: P1 P3 P5 (K), P2 P4 (M), P6 (?) -> 6; P4 counted once though in two delprojekt.
        ("TOTALT", "period", 3, 2, 6),
        # ackumulerat 2016-12-01..2017-05-31: OS adds P4 (Feb–Apr).
        ("OS", "ackumulerat", 2, 2, 4),
        ("BHS", "ackumulerat", 1, 1, 3),
        ("SDT", "ackumulerat", 0, 1, 1),  # P7, ten-digit personnummer, man
        ("TOTALT", "ackumulerat", 3, 3, 7),  # everyone but P8
    ],
)
def test_deltagare_aktiva(tidy, group, omfang, k, m, t):
    assert fig(tidy, "deltagare_aktiva", group, "K", omfang)[0] == k
    assert fig(tidy, "deltagare_aktiva", group, "M", omfang)[0] == m
    assert fig(tidy, "deltagare_aktiva", group, "T", omfang)[0] == t


@pytest.mark.parametrize(
    "group, omfang, k, m, t",
    [
        ("OS", "period", 0, 1, 1),  # P2 starts 2 May
        ("BHS", "period", 0, 1, 2),  # P4 (15 May) and P6 (5 May, unknown kön)
        ("TOTALT", "period", 0, 2, 3),
        # ackumulerat: starts from 2016-12-01; P3's first enrolment (Oct 2016) is before it,
        # but her second (March) counts. OS: P1 P3 | P2 P4.
        ("OS", "ackumulerat", 2, 2, 4),
        ("TOTALT", "ackumulerat", 3, 3, 7),
    ],
)
def test_deltagare_nya(tidy, group, omfang, k, m, t):
    assert [fig(tidy, "deltagare_nya", group, kon, omfang)[0] for kon in "KMT"] == [k, m, t]


@pytest.mark.parametrize(
    "group, omfang, k, m, t",
    [
        ("OS", "period", 2, 0, 2),  # P1 (10 May), P3 (31 May)
        ("BHS", "period", 1, 0, 2),  # P5 (K), P6 (?)
        ("TOTALT", "period", 3, 0, 4),
        ("OS", "ackumulerat", 2, 1, 3),  # + P4 (30 April); P3 once despite two exits
        ("TOTALT", "ackumulerat", 3, 2, 6),  # + P7 (31 Jan)
    ],
)
def test_deltagare_avslutade(tidy, group, omfang, k, m, t):
    assert [fig(tidy, "deltagare_avslutade", group, kon, omfang)[0] for kon in "KMT"] == [k, m, t]


def test_inskrivningstid(tidy):
    f = lambda g, k, o="period": fig(tidy, "inskrivningstid_medel_dagar", g, k, o)  # noqa: E731
    # OS period: P1 115 days, P3 (2nd enrolment) 91 days -> K mean 103; no man ended.
    assert f("OS", "K")[0] == 103
    assert f("OS", "M")[0] is None and f("OS", "M")[3] == "tom_namnare"
    assert f("OS", "T")[0] == 103
    # BHS period: P5 49 (K), P6 20 (?) -> T 34.5
    assert f("BHS", "T")[0] == 34.5
    # TOTALT ackumulerat: P1 115, P3 91 (latest exit), P4 88, P5 49, P6 20, P7 61 -> 424/6
    assert f("TOTALT", "T", "ackumulerat")[0] == pytest.approx(424 / 6)
    assert f("TOTALT", "M", "ackumulerat")[0] == 74.5  # P4 88, P7 61
    # mean has no taljare/namnare
    assert f("TOTALT", "T")[1:3] == (None, None)


def test_latest_exit_in_cumulative_scope_changes_with_the_period(tidy):
    """P3 left in Dec 2016 (AVHOPP) and again in May 2017 (Sjukdom): judged by the latest."""
    jan = fig(tidy, "avslutsorsak", "OS", "K", "ackumulerat", "2017-01", "AVHOPP")
    may = fig(tidy, "avslutsorsak", "OS", "K", "ackumulerat", "2017-05", "AVHOPP")
    may_sjuk = fig(tidy, "avslutsorsak", "OS", "K", "ackumulerat", "2017-05", "SJUKDOM")
    assert jan[1:3] == (1, 1)  # only P3 had left by January
    assert may[1:3] == (0, 2)  # P3 now judged by her May exit; P1 also left
    assert may_sjuk[1:3] == (1, 2)


def test_persons_are_distinct_in_totalt_not_summed(tidy):
    # P4 is active in the cumulative scope in both OS and BHS but once in TOTALT.
    os_ = fig(tidy, "deltagare_aktiva", "OS", "M", "ackumulerat")[0]
    bhs = fig(tidy, "deltagare_aktiva", "BHS", "M", "ackumulerat")[0]
    sdt = fig(tidy, "deltagare_aktiva", "SDT", "M", "ackumulerat")[0]
    assert (os_, bhs, sdt) == (2, 1, 1)
    assert fig(tidy, "deltagare_aktiva", "TOTALT", "M", "ackumulerat")[0] == 3  # not 4
