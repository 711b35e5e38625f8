"""The ``[esf]`` section of a configuration: which programme period, how the project's codes
map to the ESF categories, and the common indicators with their codes and Swedish labels.

The code knows the counting rule (one person per project, characteristics at entry, results
upon leaving and six months after); everything that names an ESF category or code is here,
in the configuration, so that a new programme period is a new configuration, not new code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STATUS_GROUPS = ("arbetslos", "inaktiv", "inaktiv_ej_utbildning", "sysselsatt")
UNKNOWN_STATUS = "okand"  # sysselsattning_fore empty, or a code in none of the groups
Status = Literal["arbetslos", "inaktiv", "inaktiv_ej_utbildning", "sysselsatt", "okand"]
PROGRAMMES = ("2014-2020", "2021-2027")
NON_BINARY_FROM = "2021-2027"  # ESF+ asks for non-binary persons in a column of their own
# Long-term unemployment (both regulations): unemployed for more than 12 months at entry,
# more than 6 months for those below 25.
LONG_TERM_MONTHS, LONG_TERM_MONTHS_YOUNG, YOUNG_BELOW = 12, 6, 25


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outcome(_Strict):
    """A situation upon leaving (``esf.efter.<namn>``): the last enrolment's avslutsorsak is
    one of ``avslutsorsak`` or its sysselsattning_efter one of ``sysselsattning``; six months
    after, the 6M follow-up's sysselsättning is one of ``sysselsattning``."""

    avslutsorsak: list[str] = []
    sysselsattning: list[str] = []


class EsfIndicator(_Strict):
    """One common indicator: the persons who meet every condition given (none: everyone).

    ``at`` says who is counted and when: ``start`` persons whose entry falls in the period
    (output indicators, characteristics of the first enrolment), ``avslut`` persons whose
    exit falls in it (results of the last enrolment), ``6M`` the same persons by their 6M
    follow-up.
    """

    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    label: str = Field(min_length=1)
    at: Literal["start", "avslut", "6M"] = "start"
    status: list[Status] = []  # status at entry, any of these
    langtidsarbetslos: bool = False  # unemployed long enough at entry (arbetslos_sedan)
    alder_min: int | None = Field(default=None, ge=0)  # age at entry, inclusive
    alder_max: int | None = Field(default=None, ge=0)
    alder_okand: bool = False  # age at entry unknown
    isced: str | None = None  # utbildningsniva at entry in this band
    ja: Literal["funktionsnedsattning", "utlandsk_bakgrund", "kvalifikation"] | None = None
    efter: str | None = None  # an outcome of esf.efter, upon leaving or at 6M
    uppfoljning_saknas: bool = False  # at 6M: no 6M follow-up of the last enrolment

    @property
    def id(self) -> str:
        return f"esf_{self.code.lower()}"

    @model_validator(mode="after")
    def _coherent(self) -> EsfIndicator:
        lo, hi = self.alder_min, self.alder_max
        if lo is not None and hi is not None and hi < lo:
            raise ValueError("alder_max är mindre än alder_min")
        if self.alder_okand and (self.alder_min is not None or self.alder_max is not None):
            raise ValueError("alder_okand går inte ihop med alder_min/alder_max")
        if self.at == "start" and (self.efter or self.uppfoljning_saknas):
            raise ValueError("efter och uppfoljning_saknas gäller at = avslut eller 6M")
        if self.at == "6M" and not (self.efter or self.uppfoljning_saknas):
            raise ValueError("at = 6M behöver efter eller uppfoljning_saknas")
        if self.at != "6M" and self.uppfoljning_saknas:
            raise ValueError("uppfoljning_saknas gäller at = 6M")
        if self.efter and self.uppfoljning_saknas:
            raise ValueError("efter och uppfoljning_saknas går inte ihop")
        if self.ja == "kvalifikation" and self.at != "avslut":
            raise ValueError("ja = kvalifikation gäller at = avslut")
        if self.ja in ("funktionsnedsattning", "utlandsk_bakgrund") and self.at != "start":
            raise ValueError(f"ja = {self.ja} gäller at = start (vid inträdet)")
        return self

    def columns(self) -> tuple[str, ...]:
        """The deltagare columns the indicator reads (absent: the figure is saknar_data)."""
        out = []
        if self.status:
            out.append("sysselsattning_fore")
        if self.langtidsarbetslos:
            out.append("arbetslos_sedan")
        if self.isced:
            out.append("utbildningsniva")
        if self.ja:
            out.append(self.ja)
        return tuple(dict.fromkeys(out))


class Esf(_Strict):
    programme: Literal["2014-2020", "2021-2027"]
    status: dict[Literal["arbetslos", "inaktiv", "inaktiv_ej_utbildning", "sysselsatt"], list[str]]
    efter: dict[str, Outcome] = {}
    indicators: list[EsfIndicator] = Field(min_length=1)

    @property
    def non_binary(self) -> bool:
        """Whether the report has a column for non-binary persons (ESF+)."""
        return self.programme == NON_BINARY_FROM

    def outcome_columns(self, ind: EsfIndicator) -> tuple[str, ...]:
        """The optional deltagare columns an outcome upon leaving reads (avslutsorsak is
        there whenever an enrolment has ended: the export requires it with slutdatum)."""
        if ind.at != "avslut" or not ind.efter:
            return ()
        return ("sysselsattning_efter",) if self.efter[ind.efter].sysselsattning else ()

    def check(self, sysselsattning: set[str], avslutsorsak: set[str], bands: set[str]) -> None:
        """Every code and name refers to something that exists; the status groups do not
        overlap (inaktiv_ej_utbildning is part of inaktiv). Raises ValueError naming the key."""
        status = {k: {c.upper() for c in v} for k, v in self.status.items()}
        for name, codes in status.items():
            bad = sorted(codes - sysselsattning)
            if bad:
                raise ValueError(
                    f"esf.status.{name}: {', '.join(bad)} finns inte i codes.sysselsattning"
                )
        main = [n for n in ("arbetslos", "inaktiv", "sysselsatt") if n in status]
        for i, a in enumerate(main):
            for b in main[i + 1 :]:
                both = sorted(status[a] & status[b])
                if both:
                    raise ValueError(f"esf.status: {', '.join(both)} står i både {a} och {b}")
        outside = sorted(status.get("inaktiv_ej_utbildning", set()) - status.get("inaktiv", set()))
        if outside:
            raise ValueError(
                f"esf.status.inaktiv_ej_utbildning: {', '.join(outside)} står inte i inaktiv"
            )
        for name, o in self.efter.items():
            for key, known in (("avslutsorsak", avslutsorsak), ("sysselsattning", sysselsattning)):
                bad = sorted({c.upper() for c in getattr(o, key)} - known)
                if bad:
                    raise ValueError(
                        f"esf.efter.{name}.{key}: {', '.join(bad)} finns inte i codes.{key}"
                    )
        seen: set[str] = set()
        for n, ind in enumerate(self.indicators):
            where = f"esf.indicators.{n}"
            if ind.id in seen:
                raise ValueError(f"{where}.code: koden {ind.code} förekommer två gånger")
            seen.add(ind.id)
            missing = [s for s in ind.status if s != UNKNOWN_STATUS and s not in status]
            if ind.langtidsarbetslos and "arbetslos" not in status:
                missing.append("arbetslos")
            if missing:
                raise ValueError(f"{where}.status: esf.status.{missing[0]} saknas")
            if ind.efter and ind.efter not in self.efter:
                raise ValueError(f"{where}.efter: esf.efter.{ind.efter} finns inte")
            if ind.efter and ind.at == "6M" and not self.efter[ind.efter].sysselsattning:
                raise ValueError(f"{where}.efter: esf.efter.{ind.efter} har ingen sysselsattning")
            if ind.isced and ind.isced not in bands:
                known = ", ".join(sorted(bands)) or "inga"
                raise ValueError(
                    f"{where}.isced: ingen kod i codes.utbildningsniva har isced = "
                    f"{ind.isced!r} (finns: {known})"
                )
