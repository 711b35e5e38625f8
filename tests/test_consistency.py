"""The dataset-wide warnings (rules/consistency.py), counted by hand on a small register."""

from conftest import write_dataset

from indikator.config import load_config
from indikator.dataset import load_dataset

HEADER = "deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak"


def _rows() -> list[str]:
    # OS: 5 new in 2017-01, none in 2017-02, 10 in 2017-03 -> 15 rows over a span of 3 months,
    # 15 >= BUSY (5) × 3: busy enough that the empty February is worth a warning.
    # BHS: 2 new in 2017-01 and 1 in 2017-04 -> 3 rows over 4 months: small, no warning.
    rows = [f"ANON-{i};K;OS;2017-01-{10 + i};;" for i in range(1, 6)]
    rows += [f"ANON-{i};M;OS;2017-03-{i:02d};;" for i in range(6, 16)]
    rows += ["ANON-20;K;BHS;2017-01-05;2017-03-31;ARBETE", "ANON-21;K;BHS;2017-01-06;;"]
    # ANON-22 ended 2017-03-31 in BHS and again 2017-04-30: the latest end is 2017-04-30
    rows += [
        "ANON-22;M;BHS;2017-01-07;2017-03-31;AVHOPP",
        "ANON-22;M;BHS;2017-04-01;2017-04-30;AVHOPP",
    ]
    return rows


MATNINGAR = """\
deltagare_id;datum;fraga;varde
ANON-20;2017-10-15;STEG;2
ANON-20;2017-09-01;STEG;3
ANON-21;2019-06-01;STEG;3
ANON-22;2017-10-15;STEG;3
ANON-22;2017-10-28;STEG;4
"""


def test_empty_month_and_late_answers(tmp_path):
    text = "\n".join([HEADER, *_rows()]) + "\n"
    write_dataset(tmp_path, {"deltagare": text, "matningar": MATNINGAR})
    ds = load_dataset(tmp_path, load_config())
    assert ds.rejected == 0  # every row is legal on its own: only warnings below
    p = ds.problems

    gap = p[p["kod"] == "helhet_tom_manad"]
    assert gap["meddelande"].tolist() == [
        "inga nya inskrivningar i OS under 2017-02 (mitt i delprojektets gång)"
    ]

    late = p[p["kod"] == "helhet_sena_svar"]
    # ANON-20 ended 2017-03-31: 2017-10-15 is 198 days later (late), 2017-09-01 154 (not).
    # ANON-21 is still enrolled: never late. ANON-22's last end is 2017-04-30: 2017-10-15 is
    # 168 days later (not late), 2017-10-28 is 181 days later (late).
    # Lines: the header is line 1, so the i-th answer is on line i + 1.
    assert sorted(late["rad"].tolist()) == [2, 6]
    assert set(late["varde"]) == {"2017-10-15", "2017-10-28"}
