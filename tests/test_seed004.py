"""Seed 004 (the förbund's 2014 annual report): the tool reproduces its published figures.

The register in tests/seed004 is built by tests/seed004/build.py from those figures; this test
checks that counting it by the contract's rules gives back exactly what was published.
"""

import pytest
from conftest import ROOT, fig

from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.indicators import exact_figures as compute
from indikator.periods import parse_period

SEED = ROOT / "tests" / "seed004"


@pytest.fixture(scope="module")
def tidy():
    ds = load_dataset(SEED, load_config(SEED / "config.toml"))
    assert ds.rejected == 0
    return compute(ds, [parse_period("2014")])


@pytest.fixture(scope="module", autouse=True)
def _path():
    import sys

    sys.path.insert(0, str(SEED))
    yield
    sys.path.remove(str(SEED))


def test_committed_register_is_what_build_makes():
    import build

    for name, text in build.build().items():
        assert (SEED / f"{name}.csv").read_text(encoding="utf-8") == text


# "Orsak till avslut": Avslutsanledning, Kvinna, Man, Totalt
PUBLISHED = [
    ("Arbete/studier/arbetsökande", ["ARBETE", "STUDIER", "ARBETSSOKANDE"], 34, 53, 87),
    ("Fortsatt rehabilitering", ["FORTSATT_REHAB"], 27, 19, 46),
    ("Sjukdom", ["SJUKDOM"], 20, 9, 29),
    ("Föräldraledighet", ["FORALDRALEDIGHET"], 1, 0, 1),
    ("Flytt", ["FLYTT"], 7, 3, 10),
    ("Medgivande återtagit", ["MEDGIVANDE_ATERTAGET"], 0, 1, 1),
    ("Mätning saknas/avhopp", ["AVHOPP"], 1, 2, 3),
    ("Övrigt", ["OVRIGT"], 4, 8, 12),
]


@pytest.mark.parametrize("row, codes, k, m, t", PUBLISHED)
def test_orsak_till_avslut(tidy, row, codes, k, m, t):
    got = [
        sum(fig(tidy, "avslutsorsak", "TOTALT", kon, "period", "2014", c)[1] for c in codes)
        for kon in "KMT"
    ]
    assert got == [k, m, t], row


def test_orsak_till_avslut_totals(tidy):
    assert [fig(tidy, "deltagare_avslutade", "TOTALT", k, "period", "2014")[0] for k in "KMT"] == [
        94,
        95,
        189,
    ]


@pytest.mark.parametrize(
    "insats, indicator, omfang, published",
    [
        ("ADRIAN", "andel_arbete_studier", "period", (4, 8)),  # "50 % till arbete (4 av 8)"
        ("AKSE", "andel_arbete_studier", "period", (4, 12)),  # "33 % till arbete/studier (4 av 12)"
        (
            "PARAPLY",
            "andel_arbete_studier",
            "period",
            (16, 46),
        ),  # "35 % till arbete/studier (16 av 46)"
        ("START", "andel_arbete_studier", "ackumulerat", (20, 35)),  # "57 % (20 av 35)", 2012–2014
        (
            "START",
            "andel_arbete_studier",
            "period",
            (8, 9),
        ),  # "9 avslutades, varav 8 till arbete eller studier"
        (
            "LYRA",
            "andel_arbete_studier",
            "period",
            (5, 15),
        ),  # "15 avslutats, varav 5 till arbete/studier"
        ("LYRA", "andel_ordinarie_insats", "period", (9, 15)),  # "60 % (9 av 15)"
        ("LYRA", "andel_arbete_studier_12m", "period", (10, 15)),  # "67 % (10 av 15)"
    ],
)
def test_per_insats(tidy, insats, indicator, omfang, published):
    assert fig(tidy, indicator, insats, "T", omfang, "2014")[1:3] == published


def test_samverkansteam_huddinge_25_procent(tidy):
    # "25 % avslutas till arbete eller aktivt arbetsökande (12 av 48)"
    got = sum(
        fig(tidy, "avslutsorsak", "STH", "T", "period", "2014", c)[1]
        for c in ("ARBETE", "STUDIER", "ARBETSSOKANDE")
    )
    assert (got, fig(tidy, "deltagare_avslutade", "STH", "T", "period", "2014")[0]) == (12, 48)


def test_participants(tidy):
    # ADRIAN: "16 personer ... 11 kvinnor och 5 män", "4 personer skrevs in under 2014"
    assert [fig(tidy, "deltagare_aktiva", "ADRIAN", k, "period", "2014")[0] for k in "KMT"] == [
        11,
        5,
        16,
    ]
    assert fig(tidy, "deltagare_nya", "ADRIAN", "T", "period", "2014")[0] == 4
    assert (
        fig(tidy, "deltagare_nya", "LYRA", "T", "period", "2014")[0] == 18
    )  # "18 ungdomar skrivits in"


def test_human_table_shows_the_published_cells(cli):
    r = cli(
        "monthly",
        "--period",
        "2014",
        "--data",
        str(SEED),
        "--config",
        str(SEED / "config.toml"),
        "--format",
        "table",
        "--indicator",
        "andel_arbete_studier",
        "--indicator",
        "andel_arbete_studier_12m",
    )
    assert r.exit_code == 0, r.stderr
    blocks = {b.splitlines()[0].split(" ")[0]: b for b in r.stdout.split("\n\n") if b.strip()}
    assert "50 % (4 av 8)" in blocks["ADRIAN"]
    assert "33 % (4 av 12)" in blocks["AKSE"]
    assert "35 % (16 av 46)" in blocks["PARAPLY"]
    assert "57 % (20 av 35)" in blocks["START"]
    assert "67 % (10 av 15)" in blocks["LYRA"]
