"""The configuration model: project, delprojekt, code lists, groups, instrument, targets, aliases.

Everything project-specific lives here so that other förbund can run the tool with their own
lists; the code never names a code of the MIA configuration.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .errors import ConfigError
from .esf_config import Esf
from .locations import config_path, secret_path

CODE_LISTS = (
    "myndighet",
    "avslutsorsak",
    "sysselsattning",
    "forsorjning",
    "insatstyp",
    "organisationstyp",
    "utbildningsniva",
)
GROUP_LISTS = {
    "arbete_studier": "avslutsorsak",
    "ordinarie_insats": "avslutsorsak",
    "arbete_studier_efter": "sysselsattning",
    "egen_forsorjning": "forsorjning",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Project(_Strict):
    name: str
    start: dt.date
    end: dt.date
    min_cell: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _order(self) -> Project:
        if self.end < self.start:
            raise ValueError("end ligger före start")
        return self


class Code(_Strict):
    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    label: str = Field(min_length=1)
    information: bool = False
    written: bool = False
    isced: str | None = None  # utbildningsniva: the ISCED band of the level (ESF), e.g. "3-4"


class Delprojekt(_Strict):
    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    label: str
    planned: int | None = Field(default=None, ge=0)
    planned_k: int | None = Field(default=None, ge=0)
    planned_m: int | None = Field(default=None, ge=0)


class Codes(_Strict):
    myndighet: list[Code]
    avslutsorsak: list[Code]
    sysselsattning: list[Code]
    forsorjning: list[Code]
    insatstyp: list[Code]
    organisationstyp: list[Code] = []
    utbildningsniva: list[Code] = []


INDICATOR_ID = r"^[a-z][a-z0-9_]*$"


class InstrumentItem(_Strict):
    """An item of the self-assessment instrument. ``indicator`` names the share that stands
    for it; ``judged`` says how a person counts: ``forbattring`` (the last answer above the
    first) or ``vid_avslut`` (the answer given at exit is at least ``success_from``)."""

    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    label: str
    min: int
    max: int
    indicator: str | None = Field(default=None, pattern=INDICATOR_ID)
    indicator_label: str | None = None
    judged: Literal["forbattring", "vid_avslut"] = "forbattring"
    success_from: int | None = None
    exit_window_days: int = Field(default=30, ge=0)

    @model_validator(mode="after")
    def _scale(self) -> InstrumentItem:
        if self.max <= self.min:
            raise ValueError("max måste vara större än min")
        if self.judged == "vid_avslut":
            if self.success_from is None:
                raise ValueError("success_from saknas (judged = vid_avslut)")
            if not self.min <= self.success_from <= self.max:
                raise ValueError("success_from ligger utanför skalan")
        return self


class FollowUp(_Strict):
    """An outcome after exit of one's own: at ``tidpunkt``, in one of the ``sysselsattning``
    codes *or* one of the ``forsorjning`` codes (e.g. "självförsörjning eller rätt
    ersättning 90 dagar efter avslut")."""

    indicator: str = Field(pattern=INDICATOR_ID)
    label: str = Field(min_length=1)
    tidpunkt: Literal["90D", "6M", "12M"]
    sysselsattning: list[str] = []
    forsorjning: list[str] = []


class Target(_Strict):
    """A target: ``delprojekt`` empty = TOTALT, ``"*"`` = TOTALT and every delprojekt;
    ``kon`` empty = K, M and T; ``scope`` empty = both scopes; ``per_delprojekt_planned`` takes
    each delprojekt's planned participants (and planned_k/planned_m) as its target."""

    indicator: str
    scope: Literal["period", "ackumulerat"] | None = None
    delprojekt: str | None = None
    kon: Literal["K", "M", "T"] | None = None
    value: float | None = None
    per_delprojekt_planned: bool = False
    period_kind: Literal["month", "quarter", "tertial", "half", "year"] | None = None

    @model_validator(mode="after")
    def _has_value(self) -> Target:
        if self.value is None and not self.per_delprojekt_planned:
            raise ValueError("value saknas (eller per_delprojekt_planned = true)")
        return self


class Protection(_Strict):
    """How published figures are protected (``project.min_cell`` is the threshold):
    ``cellnyckel`` perturbs every count consistently (the same persons give the same published
    value in every table), rounding it at random to a multiple of the threshold, so that no
    sum or difference of published figures gives back a small count; ``undertryckning``
    suppresses small counts table by table and does not hold across tables (docs/skydd.md)."""

    method: Literal["cellnyckel", "undertryckning"] = "cellnyckel"
    # cellnyckel: counts are rounded to multiples of ``base`` (default and at least the
    # threshold): largest deviation base − 1, variance at most base²/4
    base: int | None = Field(default=None, ge=1)


class Config(_Strict):
    project: Project
    delprojekt: list[Delprojekt] = Field(min_length=1)
    codes: Codes
    groups: dict[str, list[str]] = {}
    instrument: list[InstrumentItem] = []
    followup: list[FollowUp] = []
    targets: list[Target] = []
    aliases: dict[str, dict[str, list[str]]] = {}
    fore_efter: dict[Literal["sysselsattning", "forsorjning"], dict[str, list[str]]] = {}
    esf: Esf | None = None
    protection: Protection = Protection()
    _catalog: dict | None = PrivateAttr(default=None)  # catalog.of(self), computed once
    _path: Path | None = PrivateAttr(default=None)  # the file it was read from (its secret)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        _unique("delprojekt", [d.code for d in self.delprojekt])
        for name in CODE_LISTS:
            codes = getattr(self.codes, name)
            _unique(f"codes.{name}", [c.code for c in codes])
        _unique("instrument", [i.code for i in self.instrument])
        _unique("instrument.indicator", [i.indicator for i in self.instrument if i.indicator])
        for group, members in self.groups.items():
            if group not in GROUP_LISTS:
                raise ValueError(f"groups.{group}: okänd grupp (känner {', '.join(GROUP_LISTS)})")
            known = {c.code.upper() for c in getattr(self.codes, GROUP_LISTS[group])}
            bad = [m for m in members if m.upper() not in known]
            if bad:
                raise ValueError(
                    f"groups.{group}: {', '.join(bad)} finns inte i codes.{GROUP_LISTS[group]}"
                )
        for n, f in enumerate(self.followup):
            for name in ("sysselsattning", "forsorjning"):
                known = {c.code.upper() for c in getattr(self.codes, name)}
                bad = [m for m in getattr(f, name) if m.upper() not in known]
                if bad:
                    raise ValueError(
                        f"followup.{n}.{name}: {', '.join(bad)} finns inte i codes.{name}"
                    )
        for name, groups in self.fore_efter.items():
            known = {c.code.upper() for c in getattr(self.codes, name)}
            for label, members in groups.items():
                bad = [m for m in members if m.upper() not in known]
                if bad:
                    raise ValueError(
                        f"fore_efter.{name}.{label}: {', '.join(bad)} finns inte i codes.{name}"
                    )
        if self.esf is not None:
            self.esf.check(
                {c.code.upper() for c in self.codes.sysselsattning},
                {c.code.upper() for c in self.codes.avslutsorsak},
                {c.isced for c in self.codes.utbildningsniva if c.isced},
            )
        from .catalog import BY_ID, of  # the catalogue of this configuration names every id

        own = [f.indicator for f in self.followup]
        own += [i.indicator for i in self.instrument if i.indicator and i.indicator not in BY_ID]
        own += [i.id for i in self.esf.indicators] if self.esf else []
        _unique("indikator", own)
        taken = [x for x in own if x in BY_ID]
        if taken:
            raise ValueError(f"followup: {', '.join(taken)} är redan en indikator i katalogen")
        ids = of(self)
        dp = {d.code for d in self.delprojekt}
        for i, t in enumerate(self.targets):
            if t.delprojekt not in (None, "*", *dp):
                raise ValueError(f"targets.{i}.delprojekt: okänt delprojekt {t.delprojekt}")
            if t.indicator not in ids:
                raise ValueError(f"targets.{i}.indicator: okänd indikator {t.indicator}")
        return self

    # -- lookups used across the code base -------------------------------------------------
    @property
    def delprojekt_codes(self) -> list[str]:
        return [d.code for d in self.delprojekt]

    def code_list(self, name: str) -> list[Code]:
        return list(getattr(self.codes, name))

    def group(self, name: str) -> set[str]:
        return {m.upper() for m in self.groups.get(name, [])}

    def named_items(self) -> dict[str, str]:
        """indicator id -> instrument item code, for the named self-assessment indicators."""
        return {i.indicator: i.code for i in self.instrument if i.indicator}

    @property
    def secret_file(self) -> Path | None:
        """The project's secret for the cell-key method (beside the configuration file)."""
        return secret_path(self._path) if self._path is not None else None

    @property
    def indicators(self) -> dict:
        """Every indicator of this configuration (``catalog.of``): id -> ``Indicator``."""
        from .catalog import of

        return of(self)

    def label(self, list_name: str, code: str) -> str:
        for c in getattr(self.codes, list_name):
            if c.code == code:
                return c.label
        return code


def _unique(key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for c in codes:
        if c.upper() in seen:
            raise ValueError(f"{key}: koden {c} förekommer två gånger")
        seen.add(c.upper())


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a TOML configuration; every failure is a ConfigError naming the key."""
    p = config_path(Path(path) if path is not None else None)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: konfigurationsfilen finns inte") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: konfigurationen är inte UTF-8; spara den som UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: konfigurationen går inte att läsa: {_toml_error(e)}") from None
    try:
        config = Config.model_validate(raw)
        config._path = p
        return config
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(x) for x in first["loc"]) or "(roten)"
        raise ConfigError(f"{p}: ogiltig konfiguration, nyckel {key}: {_swedish(first)}") from None


# pydantic's error types, in Swedish (the configuration's readers are Swedish); ctx fills {…}
PYDANTIC_SV = {
    "missing": "värde saknas",
    "extra_forbidden": "okänd nyckel (stavfel, eller fel avsnitt?)",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal",
    "float_parsing": "ska vara ett tal",
    "string_type": "ska vara text inom citattecken",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_inexact": "ska vara ett datum utan klockslag (ÅÅÅÅ-MM-DD)",
    "literal_error": "ska vara {expected}",
    "enum": "ska vara {expected}",
    "greater_than": "ska vara större än {gt}",
    "greater_than_equal": "ska vara minst {ge}",
    "less_than": "ska vara mindre än {lt}",
    "less_than_equal": "får vara högst {le}",
    "string_too_short": "ska ha minst {min_length} tecken",
    "string_too_long": "får ha högst {max_length} tecken",
    "too_short": "ska ha minst {min_length} element",
    "too_long": "får ha högst {max_length} element",
    "list_type": "ska vara en lista, [ … ], eller upprepade [[avsnitt]]",
    "dict_type": "ska vara ett avsnitt ([namn]) eller en tabell ({ … })",
    "model_type": "ska vara ett avsnitt ([namn]) eller en tabell ({ … })",
    "model_attributes_type": "ska vara ett avsnitt ([namn]) eller en tabell ({ … })",
}


def _swedish(error: dict) -> str:
    """One pydantic error as the configuration's reader should see it: our own validators'
    messages as written (they are Swedish), pydantic's by type, with the value that was given.
    An unknown type keeps pydantic's words rather than guessing."""
    kind, ctx = error["type"], {**error.get("ctx", {})}
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind not in PYDANTIC_SV:
        return error["msg"]
    if "expected" in ctx:  # "'a', 'b' or 'c'"
        ctx["expected"] = str(ctx["expected"]).replace(" or ", " eller ")
    text = PYDANTIC_SV[kind].format(**ctx)
    given = error.get("input")
    if kind != "missing" and isinstance(given, str | int | float | bool | dt.date):
        text += f" (står {given!r})" if isinstance(given, str) else f" (står {given})"
    return text


def _toml_error(e: tomllib.TOMLDecodeError) -> str:
    """Where the TOML is broken, in Swedish; tomllib's own words kept as the detail."""
    message = str(e)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if found:
        return f"fel i TOML på rad {found[1]}, kolumn {found[2]} ({detail})"
    return f"fel i TOML ({detail})"
