"""Self-assessment on the hand-counted world (see world.py)."""

import pytest
from conftest import fig, run, write_dataset
from world import FULL_WORLD


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("world"), FULL_WORLD)
    return run(folder, periods=("2017-03", "2017-05"))


def test_steg_in_may(tidy):
    f = lambda g, k, o="period": fig(tidy, "forbattring", g, k, o, dimension="STEG")  # noqa: E731
    # OS active in May: P1 (2 -> 4, improved), P2 (one answer), P3 (5 -> 4, worse).
    assert f("OS", "T") == (0.5, 1, 2, "ok")
    assert f("OS", "K") == (0.5, 1, 2, "ok")
    assert f("OS", "M") == (None, 0, 0, "tom_namnare")
    # BHS: P4 improved (his answers count wherever he is active), P5 equal, P6 no answers.
    assert f("BHS", "T") == (0.5, 1, 2, "ok")
    assert f("TOTALT", "T") == (0.5, 2, 4, "ok")
    # the named indicator is the same figure
    assert fig(tidy, "stegforflyttning", "TOTALT", "T") == (0.5, 2, 4, "ok")
    assert fig(tidy, "stegforflyttning", "BHS", "M") == (1.0, 1, 1, "ok")


def test_matning_saknas(tidy):
    s = lambda g, k, d, o="period": fig(tidy, "matning_saknas", g, k, o, dimension=d)[0]  # noqa: E731
    assert (s("OS", "K", "STEG"), s("OS", "M", "STEG"), s("OS", "T", "STEG")) == (0, 1, 1)  # P2
    assert (s("BHS", "K", "STEG"), s("BHS", "T", "STEG")) == (0, 1)  # P6, unknown kön
    assert s("TOTALT", "T", "STEG") == 2
    assert s("TOTALT", "T", "STEG", "ackumulerat") == 3  # + P7, active in the winter
    # MAKT: nobody has two answers by 31 May (P5's second is in June).
    assert s("TOTALT", "T", "MAKT") == 6
    assert fig(tidy, "okad_makt", "TOTALT", "T") == (None, 0, 0, "tom_namnare")


def test_answers_after_the_period_do_not_count(tidy):
    # March: OS active P1 (one answer by 31 March), P3 (one), P4 (2 -> 3 on 15 March).
    assert fig(tidy, "forbattring", "OS", "T", period="2017-03", dimension="STEG") == (
        1.0,
        1,
        1,
        "ok",
    )
    assert fig(tidy, "matning_saknas", "OS", "T", period="2017-03", dimension="STEG")[0] == 2


def test_cumulative_population_is_everyone_active_so_far(tidy):
    assert fig(tidy, "forbattring", "TOTALT", "T", "ackumulerat", dimension="STEG") == (
        0.5,
        2,
        4,
        "ok",
    )


def test_a_period_alone_leaves_later_answers_out_and_counts_the_same(tmp_path, tidy):
    # alone, March's states are made from the answers up to March (the later ones, in May
    # and June, are left out before the sort: ``instrument.states``): the same figures as
    # March computed beside May, whose states needed every answer up to the end of May
    alone = run(write_dataset(tmp_path, FULL_WORLD), periods=("2017-03",))
    own = ["forbattring", "matning_saknas", "stegforflyttning", "okad_makt"]

    def march(t):
        rows = t[t["indikator"].isin(own) & (t["period"] == "2017-03")]
        return rows.reset_index(drop=True)

    assert len(march(alone)) > 0
    assert march(alone).equals(march(tidy))
    # P4's 2 -> 3 on 15 March counts; his later answers change nothing in March (hand count
    # in test_answers_after_the_period_do_not_count)
    f = fig(alone, "forbattring", "OS", "T", period="2017-03", dimension="STEG")
    assert f == (1.0, 1, 1, "ok")
