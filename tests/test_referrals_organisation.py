"""Referrals and organisation figures on the hand-counted world (see world.py)."""

import pytest
from conftest import fig, run, write_dataset
from world import FULL_WORLD


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    return run(write_dataset(tmp_path_factory.mktemp("world"), FULL_WORLD))


def test_remisser(tidy):
    r = lambda i, g, k, d, o="period": fig(tidy, i, g, k, o, dimension=d)  # noqa: E731
    assert [r("remisser", "OS", k, "AF")[0] for k in "KMT"] == [0, 1, 1]  # R2
    assert [r("remisser", "OS", k, "FK")[0] for k in "KMT"] == [0, 0, 1]  # R3, unknown kön, label
    assert [r("remisser", "TOTALT", k, "AF")[0] for k in "KMT"] == [1, 1, 2]  # R2 + R5 (Kvinna)
    assert r("remisser", "TOTALT", "T", "REGION")[0] == 0  # every myndighet listed
    assert [r("remisser", "TOTALT", k, "AF", "ackumulerat")[0] for k in "KMT"] == [2, 1, 3]  # + R1
    assert r("remisser_inskrivna", "OS", "T", "FK")[0] == 1
    assert r("remisser_ej_inskrivna", "TOTALT", "T", "AF")[0] == 2
    assert r("andel_remisser_inskrivna", "TOTALT", "T", "AF") == (0.0, 0, 2, "ok")
    assert r("andel_remisser_inskrivna", "OS", "T", "FK") == (1.0, 1, 1, "ok")
    # R4 has no utfall: PAGAENDE, so not decided -> no share
    assert r("andel_remisser_inskrivna", "BHS", "T", "KOMMUN") == (None, 0, 0, "tom_namnare")
    assert r("andel_remisser_inskrivna", "TOTALT", "T", "AF", "ackumulerat") == (
        pytest.approx(1 / 3),
        1,
        3,
        "ok",
    )


def test_organisation(tidy):
    o = lambda i, g, d, s="period": fig(tidy, i, g, "T", s, dimension=d)[0]  # noqa: E731
    assert [o("infoinsatser", "OS", m) for m in ("AF", "FK", "KOMMUN", "REGION")] == [1, 1, 1, 0]
    assert o("infoinsatser", "TOTALT", "AF") == 2  # A1 and the project-wide A2
    assert o("infoinsatser", "BHS", "AF") == 0  # a samverkansmöte is not information
    assert [o("handlaggare", "OS", m) for m in ("AF", "FK", "KOMMUN")] == [3, 2, 0]
    assert o("skriftlig_info", "TOTALT", "AF") == 1
    assert o("skriftlig_info", "OS", "AF") == 0  # A2 has no delprojekt: TOTALT only
    assert o("sammankomster_flera_myndigheter", "OS", "INFO_MUNTLIG") == 1  # three myndigheter
    assert o("sammankomster_flera_myndigheter", "TOTALT", "SAMVERKANSMOTE") == 1
    assert o("sammankomster_flera_myndigheter", "TOTALT", "INFO_SKRIFTLIG") == 0  # one myndighet
    assert o("sammankomster_flera_myndigheter", "TOTALT", "WORKSHOP", "ackumulerat") == 0
    assert set(tidy[tidy.indikator == "infoinsatser"].kon) == {"T"}  # no kön split
