"""Vägknuten 2.0 (seed 002), the second bundled project: its four targets on a register small
enough to count by hand, with the configuration's own follow-up outcome (sysselsättning or
försörjning), self-assessments judged at exit, and a yearly participant target."""

import pytest
from conftest import write_dataset

DELTAGARE = """\
deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak
V1;K;HOGSBY;2017-09-01;2018-03-31;FORTSATT_REHAB
V2;M;MONSTERAS;2018-01-10;2018-06-30;ARBETSSOKANDE
V3;K;OSKARSHAMN;2018-02-01;2018-11-30;STUDIER
V4;M;HOGSBY;2018-05-01;;
V5;K;MONSTERAS;2017-03-01;2017-12-15;STUDIER
V6;M;OSKARSHAMN;2018-04-01;2018-08-31;AVHOPP
"""
# 90D points: V1 2018-06-29, V2 2018-09-28, V3 2019-02-28, V5 2018-03-15, V6 2018-11-29.
UPPFOLJNINGAR = """\
deltagare_id;tidpunkt;sysselsattning;forsorjning
V1;90D;SJUKSKRIVEN;SJUKERSATTNING
V2;90D;ARBETSSOKANDE;A_KASSA
V5;90D;STUDIER;
"""
# Answers at exit count from the enrolment's start to 30 days after its end.
MATNINGAR = """\
deltagare_id;datum;fraga;varde
V1;2018-03-31;NARMARE;4
V1;2018-03-31;UTVECKLING;3
V2;2018-07-20;NARMARE;2
V2;2018-06-30;UTVECKLING;5
V3;2018-02-01;NARMARE;1
V3;2018-11-15;NARMARE;5
V3;2018-11-30;UTVECKLING;4
V6;2018-10-15;NARMARE;4
"""


@pytest.fixture
def register(tmp_path):
    return write_dataset(
        tmp_path,
        {"deltagare": DELTAGARE, "uppfoljningar": UPPFOLJNINGAR, "matningar": MATNINGAR},
    )


def targets(cli, register, period: str) -> dict:
    r = cli(
        "targets",
        "--config",
        "vagknuten",
        "--data",
        str(register),
        "--period",
        period,
        "--format",
        "json",
        "--min-cell",
        "0",
    )
    assert r.exit_code == 0, r.stderr
    import json

    return {(t["indikator"], t["omfang"]): t for t in json.loads(r.stdout)}


def test_all_four_targets_of_2018(cli, register):
    got = targets(cli, register, "2018")
    # 30 a year: active in 2018 are V1, V2, V3, V4 and V6 (V5 ended 2017-12-15) -> 5 of 30
    a = got[("deltagare_aktiva", "period")]
    assert (a["mal"], a["varde"], a["uppfyllt"]) == (30, 5, False)
    assert ("deltagare_aktiva", "ackumulerat") not in got  # a target for the year's period only
    # Self-sufficient or the right benefit at 90 days: points in 2018 with a follow-up are V1,
    # V2, V5 (V6 has none: missing, not a failure; V3's point is in 2019); V1 by sjukersättning,
    # V5 by studier, not V2 (arbetssökande, a-kassa) -> 2 of 3
    s = got[("sjalvforsorjning_90d", "period")]
    assert (s["taljare"], s["namnare"], s["uppfyllt"]) == (2, 3, True)
    # Closer to the labour market at exit: ended in 2018 with an answer at exit are V1 (4), V2
    # (2, 20 days after the end), V3 (the latest, 5); V6 answered 45 days after -> 2 of 3
    n = got[("narmare_arbetsmarknaden", "period")]
    assert (n["taljare"], n["namnare"], n["mal"], n["uppfyllt"]) == (2, 3, 0.5, True)
    # A desirable development at exit: V1 3, V2 5, V3 4 -> 2 of 3, 67 % < 70 %
    u = got[("onskvard_utveckling", "period")]
    assert (u["taljare"], u["namnare"], u["mal"], u["uppfyllt"]) == (2, 3, 0.7, False)
    assert {i for i, _ in got} == {
        "deltagare_aktiva",
        "sjalvforsorjning_90d",
        "narmare_arbetsmarknaden",
        "onskvard_utveckling",
    }


def test_the_yearly_target_is_not_held_against_a_month(cli, register):
    got = targets(cli, register, "2018-05")
    assert "deltagare_aktiva" not in {i for i, _ in got}
    assert ("narmare_arbetsmarknaden", "period") in got


def test_the_bundled_vagknuten_sample_shows_all_four_targets(cli):
    r = cli("targets", "--config", "vagknuten", "--period", "2018", "--format", "table")
    assert r.exit_code == 0, r.stderr
    for label in (
        "Aktiva deltagare",
        "Självförsörjning eller rätt ersättning 90 dagar efter avslut",
        "Bedömer att de närmat sig arbetsmarknaden",
        "Upplever vid avslut en önskvärd utveckling",
    ):
        assert label in r.stdout
