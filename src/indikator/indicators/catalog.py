"""Every indicator's id, Swedish label, kind and the exports it needs (indicators.md)."""

from __future__ import annotations

from dataclasses import dataclass

COUNT, SHARE, MEAN, SUM = "antal", "andel", "medel", "summa"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    kind: str
    needs: tuple[str, ...]
    dimension: str | None = None  # name of the code list the dimension runs over


_D = ("deltagare",)
_A = ("deltagare", "aktiviteter")

CATALOG: list[Indicator] = [
    # Participant flow
    Indicator("deltagare_aktiva", "Aktiva deltagare", COUNT, _D),
    Indicator("deltagare_nya", "Nya deltagare", COUNT, _D),
    Indicator("deltagare_avslutade", "Avslutade deltagare", COUNT, _D),
    Indicator("inskrivningstid_medel_dagar", "Genomsnittlig inskrivningstid (dagar)", MEAN, _D),
    # Outcomes at exit
    Indicator("andel_arbete_studier", "Avslutade till arbete eller studier", SHARE, _D),
    Indicator(
        "andel_ordinarie_insats", "Avslutade till ordinarie arbetsförberedande insats", SHARE, _D
    ),
    Indicator("avslutsorsak", "Avslutsorsak", SHARE, _D, "avslutsorsak"),
    Indicator(
        "sysselsattning_fore_efter", "Sysselsättning före > efter", SHARE, _D, "sysselsattning_par"
    ),
    Indicator("forsorjning_fore_efter", "Försörjning före > efter", SHARE, _D, "forsorjning_par"),
    Indicator(
        "andel_egen_forsorjning_efter",
        "Egen försörjning (lön, studiemedel) efter avslut",
        SHARE,
        _D,
    ),
    # Activities
    Indicator("fatt_insats", "Deltagare som fått insats", COUNT, _A),
    Indicator("insats", "Deltagare per insatstyp", COUNT, _A, "insatstyp"),
    Indicator("deltagartimmar", "Deltagartimmar", SUM, _A),
]

BY_ID = {i.id: i for i in CATALOG}
