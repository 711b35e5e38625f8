"""Outcomes at exit on the hand-counted world (see world.py)."""

import pytest
from conftest import fig, run, write_dataset
from world import WORLD


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    return run(write_dataset(tmp_path_factory.mktemp("world"), WORLD))


def test_andel_arbete_studier(tidy):
    # OS period: P1 ARBETE of {P1, P3} -> K 1 av 2; no man ended -> tom_namnare.
    assert fig(tidy, "andel_arbete_studier", "OS", "K") == (0.5, 1, 2, "ok")
    assert fig(tidy, "andel_arbete_studier", "OS", "M") == (None, 0, 0, "tom_namnare")
    # TOTALT period: P1 of {P1, P3, P5, P6}; K counts P1, P3, P5.
    assert fig(tidy, "andel_arbete_studier", "TOTALT", "K") == (pytest.approx(1 / 3), 1, 3, "ok")
    assert fig(tidy, "andel_arbete_studier", "TOTALT", "T") == (0.25, 1, 4, "ok")
    # ackumulerat TOTALT: P1 ARBETE, P4 STUDIER of {P1, P3, P4, P5, P6, P7}.
    assert fig(tidy, "andel_arbete_studier", "TOTALT", "T", "ackumulerat") == (
        pytest.approx(2 / 6),
        2,
        6,
        "ok",
    )
    assert fig(tidy, "andel_arbete_studier", "TOTALT", "M", "ackumulerat") == (0.5, 1, 2, "ok")


def test_andel_ordinarie_insats(tidy):
    # BHS period: P5 ARBETSSOKANDE (K), P6 ORDINARIE_INSATS (unknown kön).
    assert fig(tidy, "andel_ordinarie_insats", "BHS", "K") == (1.0, 1, 1, "ok")
    assert fig(tidy, "andel_ordinarie_insats", "BHS", "T") == (1.0, 2, 2, "ok")
    assert fig(tidy, "andel_ordinarie_insats", "TOTALT", "T") == (0.5, 2, 4, "ok")
    # ackumulerat: the same two of the six who ended since 2016-12-01
    assert fig(tidy, "andel_ordinarie_insats", "TOTALT", "T", "ackumulerat") == (
        pytest.approx(2 / 6),
        2,
        6,
        "ok",
    )
    assert fig(tidy, "andel_ordinarie_insats", "OS", "T", "ackumulerat") == (0.0, 0, 3, "ok")


def test_avslutsorsak_lists_every_code(tidy, config):
    rows = tidy[
        (tidy.indikator == "avslutsorsak")
        & (tidy.delprojekt == "TOTALT")
        & (tidy.kon == "T")
        & (tidy.omfang == "ackumulerat")
    ]
    assert list(rows.dimension) == [c.code for c in config.code_list("avslutsorsak")]
    counts = dict(zip(rows.dimension, rows.taljare, strict=True))
    # P1 ARBETE, P3 Sjukdom (label) – her earlier AVHOPP is superseded –, P4 STUDIER,
    # P5 ARBETSSOKANDE, P6 ORDINARIE_INSATS, P7 FLYTT.
    assert {k: v for k, v in counts.items() if v} == {
        "ARBETE": 1,
        "STUDIER": 1,
        "ARBETSSOKANDE": 1,
        "ORDINARIE_INSATS": 1,
        "SJUKDOM": 1,
        "FLYTT": 1,
    }
    assert set(rows.namnare) == {6}


def test_fore_efter(tidy):
    # Both registered: P1 ARBETSSOKANDE>ARBETE (K), P5 INGEN>ARBETSSOKANDE (K).
    assert fig(
        tidy, "sysselsattning_fore_efter", "TOTALT", "T", dimension="ARBETSSOKANDE>ARBETE"
    ) == (0.5, 1, 2, "ok")
    assert fig(
        tidy, "sysselsattning_fore_efter", "TOTALT", "K", dimension="INGEN>ARBETSSOKANDE"
    ) == (0.5, 1, 2, "ok")
    pairs = set(tidy[tidy.indikator == "sysselsattning_fore_efter"].dimension)
    assert pairs == {"ARBETSSOKANDE>ARBETE", "INGEN>ARBETSSOKANDE"}  # only pairs that occur
    assert fig(tidy, "forsorjning_fore_efter", "OS", "K", dimension="FORSORJNINGSSTOD>LON") == (
        1.0,
        1,
        1,
        "ok",
    )


def test_andel_egen_forsorjning_efter(tidy):
    # Only P1 has forsorjning_efter registered (LON).
    assert fig(tidy, "andel_egen_forsorjning_efter", "TOTALT", "T") == (1.0, 1, 1, "ok")
    assert fig(tidy, "andel_egen_forsorjning_efter", "BHS", "T") == (None, 0, 0, "tom_namnare")
    assert fig(tidy, "andel_egen_forsorjning_efter", "OS", "K", "ackumulerat") == (1.0, 1, 1, "ok")
