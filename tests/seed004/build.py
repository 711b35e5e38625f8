"""Build the seed 004 register from the published figures (run: python tests/seed004/build.py).

Every person is a pseudonym with kön given. The numbers come from seed 004:
- "Orsak till avslut" 2014: avslutsorsak x kön, 189 persons (94 kvinnor, 95 män);
- per insats: ADRIAN 4 av 8 till arbete, AkSe 4 av 12 och Paraplyteamet 16 av 46 till
  arbete/studier, Samverkansteam Huddinge 12 av 48 till arbete/studier/arbetssökande,
  START 20 av 35 över projektperioden 2012–2014 (8 av 9 under 2014), Lyra 5 av 15 till
  arbete/studier, 9 av 15 fortsätter arbetslivsinriktad rehabilitering, 18 nya, and
  10 av 15 i arbete/studier ett år efter avslut; ADRIAN 16 deltagare (11 kvinnor, 5 män),
  4 nya under 2014.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).parent

EXITS_2014 = {
    "ADRIAN": {"ARBETE": 4, "SJUKDOM": 4},
    "STB": {
        "ARBETE": 2,
        "STUDIER": 2,
        "ARBETSSOKANDE": 5,
        "FORTSATT_REHAB": 6,
        "SJUKDOM": 3,
        "OVRIGT": 2,
    },
    "STH": {
        "ARBETE": 5,
        "STUDIER": 1,
        "ARBETSSOKANDE": 6,
        "FORTSATT_REHAB": 15,
        "SJUKDOM": 10,
        "FLYTT": 4,
        "OVRIGT": 4,
        "AVHOPP": 2,
        "FORALDRALEDIGHET": 1,
    },
    "AKSE": {"ARBETE": 3, "STUDIER": 1, "ARBETSSOKANDE": 2, "FORTSATT_REHAB": 4, "SJUKDOM": 2},
    "START": {"ARBETE": 6, "STUDIER": 2, "OVRIGT": 1},
    "PARAPLY": {
        "ARBETE": 10,
        "STUDIER": 6,
        "FORTSATT_REHAB": 10,
        "SJUKDOM": 8,
        "FLYTT": 5,
        "OVRIGT": 5,
        "MEDGIVANDE_ATERTAGET": 1,
        "AVHOPP": 1,
    },
    "LYRA": {"ARBETE": 3, "STUDIER": 2, "FORTSATT_REHAB": 9, "SJUKDOM": 1},
    "OVRIGA": {
        "ARBETE": 15,
        "STUDIER": 5,
        "ARBETSSOKANDE": 7,
        "FORTSATT_REHAB": 2,
        "SJUKDOM": 1,
        "FLYTT": 1,
    },
}
# The published table's rows and how many of each were women.
CATEGORY = {"ARBETE": "ASA", "STUDIER": "ASA", "ARBETSSOKANDE": "ASA"}
WOMEN = {
    "ASA": 34,
    "FORTSATT_REHAB": 27,
    "SJUKDOM": 20,
    "FORALDRALEDIGHET": 1,
    "FLYTT": 7,
    "MEDGIVANDE_ATERTAGET": 0,
    "AVHOPP": 1,
    "OVRIGT": 4,
}


def day(text: str, plus: int = 0) -> dt.date:
    return dt.date.fromisoformat(text) + dt.timedelta(days=plus)


def build() -> dict[str, str]:
    rows: list[tuple] = []  # (id, kon, delprojekt, start, slut, avslutsorsak)
    follow: list[str] = []
    women_left = dict(WOMEN)
    n = 0

    def person(kon, dp, start, slut=None, reason=""):
        nonlocal n
        n += 1
        rows.append((f"S004-{n:04d}", kon, dp, start, slut, reason))
        return rows[-1][0]

    # 2014 exits, kön assigned so that each row of the published table gets its women first.
    for dp, reasons in EXITS_2014.items():
        i = 0
        for reason, count in reasons.items():
            for _ in range(count):
                cat = CATEGORY.get(reason, reason)
                kon = "K" if women_left[cat] > 0 else "M"
                women_left[cat] -= kon == "K"
                if dp == "ADRIAN":  # long enrolments, started 2012
                    start, slut = day("2012-03-01", 30 * i), day("2014-02-01", 30 * i)
                elif dp == "START":
                    start, slut = day("2013-02-01", 20 * i), day("2014-01-20", 25 * i)
                elif dp == "LYRA" and i < 10:  # ten started in 2014
                    start = day("2014-01-10", 5 * i)
                    slut = start + dt.timedelta(days=150)
                elif dp == "LYRA":  # five started in 2013
                    start, slut = day("2013-09-01", 10 * (i - 10)), day("2014-03-01", 10 * (i - 10))
                else:
                    start, slut = day("2013-06-01", i % 150), day("2014-01-10", (i * 3) % 340)
                person(kon, dp, start, slut, reason)
                i += 1
    # ADRIAN: 8 still enrolled, 4 of them new in 2014; 11 women and 5 men in all.
    for i in range(8):
        person(
            "K" if i < 3 else "M",
            "ADRIAN",
            day("2013-05-01", 20 * i) if i % 2 else day("2014-03-01", 20 * i),
        )
    # START 2012–2013: 26 exits, 12 to work or studies (20 of 35 over the project period).
    for i in range(26):
        reason = "ARBETE" if i < 8 else "STUDIER" if i < 12 else "FORTSATT_REHAB"
        person(
            "K" if i % 2 else "M",
            "START",
            day("2012-01-15", 10 * i),
            day("2012-09-01", 15 * i),
            reason,
        )
    # Lyra: 8 new in 2014 still enrolled (18 new in all), and 15 who left in 2013 and were
    # followed up twelve months later: 10 in work or studies.
    for i in range(8):
        person("K" if i % 3 else "M", "LYRA", day("2014-06-01", 10 * i))
    for i in range(15):
        pid = person(
            "K" if i % 4 else "M",
            "LYRA",
            day("2012-06-01", 7 * i),
            day("2013-03-01", 14 * i),
            "FORTSATT_REHAB",
        )
        status = "ARBETE" if i < 7 else "STUDIER" if i < 10 else "ARBETSSOKANDE"
        follow.append(f"{pid};12M;{status};{day('2013-03-01', 14 * i)}")
    assert all(v == 0 for v in women_left.values()), women_left
    deltagare = ["deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak"] + [
        f"{pid};{kon};{dp};{start};{slut or ''};{reason}"
        for pid, kon, dp, start, slut, reason in rows
    ]
    uppf = ["deltagare_id;tidpunkt;sysselsattning;slutdatum", *follow]
    return {"deltagare": "\n".join(deltagare) + "\n", "uppfoljningar": "\n".join(uppf) + "\n"}


if __name__ == "__main__":
    for name, text in build().items():
        (HERE / f"{name}.csv").write_text(text, encoding="utf-8")
