"""Activities on the hand-counted world (see world.py)."""

import pytest
from conftest import fig, run, write_dataset
from world import DELTAGARE, WORLD


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    return run(write_dataset(tmp_path_factory.mktemp("world"), WORLD))


@pytest.mark.parametrize(
    "group, omfang, k, m, t",
    [
        ("OS", "period", 1, 1, 2),  # P1 (twice, counted once), P2
        ("BHS", "period", 1, 1, 3),  # P5 (K), P4 (M), P6 (?)
        ("TOTALT", "period", 2, 2, 5),
        ("OS", "ackumulerat", 2, 2, 4),  # + P4 in April (delprojekt from enrolment), P3 in March
        ("SDT", "ackumulerat", 0, 1, 1),  # P7 written as 12 digits here, 10 in deltagare
        ("TOTALT", "ackumulerat", 3, 3, 7),
    ],
)
def test_fatt_insats(tidy, group, omfang, k, m, t):
    assert [fig(tidy, "fatt_insats", group, kon, omfang)[0] for kon in "KMT"] == [k, m, t]


def test_insats_per_insatstyp(tidy, config):
    f = lambda g, k, d, o="period": fig(tidy, "insats", g, k, o, dimension=d)[0]  # noqa: E731
    assert f("OS", "T", "MOTIVERANDE_SAMTAL") == 1  # P1, label and code both
    assert f("TOTALT", "K", "MOTIVERANDE_SAMTAL") == 2  # P1, P5
    assert f("BHS", "T", "PRAKTIK_AG") == 2  # P4, P6
    assert f("BHS", "M", "PRAKTIK_AG") == 1
    assert f("TOTALT", "M", "KARTLAGGNING", "ackumulerat") == 3  # P2, P4, P7
    assert f("TOTALT", "T", "VALIDERING") == 0  # listed with 0
    listed = tidy[
        (tidy.indikator == "insats")
        & (tidy.delprojekt == "SR")
        & (tidy.kon == "T")
        & (tidy.omfang == "period")
    ].dimension
    assert list(listed) == [c.code for c in config.code_list("insatstyp")]


def test_deltagartimmar(tidy):
    f = lambda g, k, o="period": fig(tidy, "deltagartimmar", g, k, o)[0]  # noqa: E731
    assert (f("OS", "K"), f("OS", "M"), f("OS", "T")) == (3.5, 1, 4.5)  # 1,5 + 2 | 1
    assert (f("BHS", "K"), f("BHS", "M"), f("BHS", "T")) == (0, 4, 6.5)  # empty hours = 0; P6 2,5
    assert (
        f("TOTALT", "K", "ackumulerat"),
        f("TOTALT", "M", "ackumulerat"),
        f("TOTALT", "T", "ackumulerat"),
    ) == (4.5, 10, 17)


def test_activities_absent_is_saknar_data(tmp_path):
    tidy = run(write_dataset(tmp_path, {"deltagare": DELTAGARE}))
    rows = tidy[tidy.indikator.isin(["fatt_insats", "insats", "deltagartimmar"])]
    assert set(rows.status) == {"saknar_data"}
    assert set(rows.dimension) == {""}
    # one row per group and kön and scope
    assert len(rows[rows.indikator == "insats"]) == 6 * 3 * 2
    assert fig(tidy, "deltagare_aktiva", "TOTALT", "T")[0] == 6  # the rest is computed
