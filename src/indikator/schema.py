"""The six exports as pydantic row models, validated column-wise.

Each field carries a ``Col`` marker naming its value kind. The same scalar parser serves two
uses: ``Row.model_validate(row, context=...)`` checks one row (documentation, tests, small
inputs), and ``validate_table`` applies it once per *distinct* value of a column and maps the
result back, so a national export with ten million rows costs a few thousand parser calls.
Both paths give the same verdict (tested).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, model_validator

from .coding import arrow_strings, category_codes, distinct_categorical, distinct_codes, kept_codes
from .config import CODE_LISTS, Config
from .ids import IdChecker, check_id
from .parallel import in_threads
from .problems import Problems
from .reading import RawTable
from .reading.grid import line_type
from .vocabulary import KON_CODES

# ---------------------------------------------------------------------------------------------
# Scalar value parsers: one definition of each rule, Swedish messages.

# A date, year first, with - / or . between the parts, and any time of day after it (Excel
# writes date-times; the time does not matter for a date column).
_ISO = re.compile(
    r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
    r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_FIRST = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")
_SERIAL = re.compile(r"^\d{4,5}(?:[.,]0+)?$")
_DURATION = re.compile(r"^\d{1,3}:\d{2}(?::\d{2})?$")
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
EXCEL_EPOCH = dt.date(1899, 12, 30)
TRUE_WORDS, FALSE_WORDS = {"ja", "1", "true", "x", "sant"}, {"nej", "0", "false", "falskt"}
KON_WORDS = {
    **{w: "K" for w in ("k", "kvinna", "kvinnor")},
    **{w: "M" for w in ("m", "man", "män")},
    # non-binary (ESF+): written, never derived from a personnummer
    **{w: "X" for w in ("x", "icke-binär", "icke binär", "icke-binar", "ickebinär")},
}


def parse_date(v: str) -> dt.date:
    m = _ISO.match(v)
    parts = (m.group(1), m.group(3), m.group(4)) if m else None
    if parts is None and (c := _COMPACT.match(v)):
        parts = c.groups()
    if parts is None:
        raise ValueError(_bad_date(v))
    try:
        d = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError("datumet finns inte") from None
    if not MIN_DATE <= d <= MAX_DATE:
        raise ValueError("datumet ligger utanför 1900–2099")
    return d


def _bad_date(v: str) -> str:
    """Why a cell is not a date, said so that the person who registers can fix it."""
    if _DAY_FIRST.match(v):
        return "ogiltigt datum: dag och månad går inte att skilja åt; skriv datumet som ÅÅÅÅ-MM-DD"
    if _SERIAL.match(v) and 1 <= float(v.replace(",", ".")) <= 73050:
        as_date = EXCEL_EPOCH + dt.timedelta(days=int(float(v.replace(",", "."))))
        return (
            f"ogiltigt datum: ser ut som ett Excel-datumnummer ({as_date.isoformat()}); "
            "formatera kolumnen som datum i Excel eller skriv ÅÅÅÅ-MM-DD"
        )
    return "ogiltigt datum (använd ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD)"


def parse_decimal(v: str) -> float:
    try:
        x = float(v.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        if _DURATION.match(v):
            raise ValueError(
                "ogiltigt tal: skriv timmar som decimaltal (1,5 i stället för 1:30)"
            ) from None
        raise ValueError("ogiltigt tal") from None
    if not np.isfinite(x):
        raise ValueError("ogiltigt tal")
    if x < 0:
        raise ValueError("talet får inte vara negativt")
    return x


def parse_int(v: str) -> int:
    x = parse_decimal(v)
    if not x.is_integer():
        raise ValueError("ogiltigt heltal")
    return int(x)


def parse_bool(v: str) -> bool:
    w = v.casefold()
    if w in TRUE_WORDS:
        return True
    if w in FALSE_WORDS:
        return False
    raise ValueError("ogiltigt ja/nej-värde")


def parse_kon(v: str) -> str:
    try:
        return KON_WORDS[v.casefold()]
    except KeyError:
        raise ValueError("ogiltigt kön (använd K, M, X, Kvinna, Man eller icke-binär)") from None


class CodeBook:
    """A code list: a cell may hold the code or the label, case-insensitively."""

    def __init__(self, name: str, pairs: list[tuple[str, str]]):
        self.name = name
        self.codes = [c for c, _ in pairs]
        self.lookup: dict[str, str] = {}
        for code, label in pairs:
            self.lookup[label.casefold()] = code
        for code, _ in pairs:
            self.lookup[code.casefold()] = code

    def parse(self, v: str) -> str:
        try:
            return self.lookup[v.casefold()]
        except KeyError:
            raise ValueError(f"okänd kod för {self.name}") from None


def codebooks(config: Config) -> dict[str, CodeBook]:
    books = {
        name: CodeBook(name, [(c.code, c.label) for c in config.code_list(name)])
        for name in CODE_LISTS
    }
    books["delprojekt"] = CodeBook("delprojekt", [(d.code, d.label) for d in config.delprojekt])
    books["fraga"] = CodeBook("fråga", [(i.code, i.label) for i in config.instrument])
    books["tidpunkt"] = CodeBook(
        "tidpunkt", [("90D", "90 dagar"), ("6M", "6 månader"), ("12M", "12 månader")]
    )
    books["utfall"] = CodeBook(
        "utfall",
        [("INSKRIVEN", "Inskriven"), ("EJ_INSKRIVEN", "Ej inskriven"), ("PAGAENDE", "Pågående")],
    )
    return books


@dataclass(frozen=True)
class Col:
    """What a column holds. ``kind`` is a parser name or ``code:<codebook>``."""

    kind: str
    required: bool = False

    def parse(self, v: str, books: dict[str, CodeBook]) -> Any:
        if self.kind.startswith("code:"):
            return books[self.kind[5:]].parse(v)
        return _PARSERS[self.kind](v)

    @property
    def problem(self) -> str:
        """The problem code of a value this column cannot parse (problems.KINDS)."""
        return "okand_kod" if self.kind.startswith("code:") else _PROBLEMS[self.kind]


_PARSERS = {
    "date": parse_date,
    "decimal": parse_decimal,
    "int": parse_int,
    "bool": parse_bool,
    "kon": parse_kon,
    "text": str,
    "id": str,  # ids are checked by ids.IdChecker, with the dataset's reference date
}
_PROBLEMS = {
    "date": "ogiltigt_datum",
    "decimal": "ogiltigt_tal",
    "int": "ogiltigt_tal",
    "bool": "ogiltigt_janej",
    "kon": "ogiltigt_kon",
}

# ---------------------------------------------------------------------------------------------
# Row models


class ExportRow(BaseModel):
    """Base of the row models: values arrive as text and are parsed by each field's ``Col``."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    export: ClassVar[str]

    @classmethod
    def columns(cls) -> dict[str, Col]:
        return {
            name: next(m for m in f.metadata if isinstance(m, Col))
            for name, f in cls.model_fields.items()
        }

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: dict, info) -> dict:
        context = info.context or {}
        books, ref = context["codebooks"], context.get("ref", dt.date.today())
        out = {}
        for name, col in cls.columns().items():
            raw = str(data.get(name) or "").strip()
            if not raw:
                if col.required:
                    raise ValueError(f"{name}: värde saknas")
                continue
            if col.kind == "id":
                person, _, _, error = check_id(raw, ref)
                if error:
                    raise ValueError(f"{name}: {error}")
                out[name] = person
                continue
            try:
                out[name] = col.parse(raw, books)
            except ValueError as e:
                raise ValueError(f"{name}: {e}") from None
        return out


def C(kind: str, required: bool = False) -> Col:
    return Col(kind, required)


class Deltagare(ExportRow):
    export = "deltagare"
    deltagare_id: Annotated[str, C("id", True)]
    kon: Annotated[str | None, C("kon")] = None
    fodelsear: Annotated[int | None, C("int")] = None
    delprojekt: Annotated[str, C("code:delprojekt", True)]
    startdatum: Annotated[dt.date, C("date", True)]
    slutdatum: Annotated[dt.date | None, C("date")] = None
    avslutsorsak: Annotated[str | None, C("code:avslutsorsak")] = None
    anvisande_organisation: Annotated[str | None, C("code:myndighet")] = None
    sysselsattning_fore: Annotated[str | None, C("code:sysselsattning")] = None
    sysselsattning_efter: Annotated[str | None, C("code:sysselsattning")] = None
    forsorjning_fore: Annotated[str | None, C("code:forsorjning")] = None
    forsorjning_efter: Annotated[str | None, C("code:forsorjning")] = None
    # ESF characteristics at entry (kvalifikation: gained upon leaving); empty = unknown
    utbildningsniva: Annotated[str | None, C("code:utbildningsniva")] = None
    arbetslos_sedan: Annotated[dt.date | None, C("date")] = None
    funktionsnedsattning: Annotated[bool | None, C("bool")] = None
    utlandsk_bakgrund: Annotated[bool | None, C("bool")] = None
    kvalifikation: Annotated[bool | None, C("bool")] = None


class Aktivitet(ExportRow):
    export = "aktiviteter"
    deltagare_id: Annotated[str, C("id", True)]
    datum: Annotated[dt.date, C("date", True)]
    insatstyp: Annotated[str, C("code:insatstyp", True)]
    delprojekt: Annotated[str | None, C("code:delprojekt")] = None
    timmar: Annotated[float | None, C("decimal")] = None
    detalj: Annotated[str | None, C("text")] = None


class Matning(ExportRow):
    export = "matningar"
    deltagare_id: Annotated[str, C("id", True)]
    datum: Annotated[dt.date, C("date", True)]
    fraga: Annotated[str, C("code:fraga", True)]
    varde: Annotated[int, C("int", True)]


class Uppfoljning(ExportRow):
    export = "uppfoljningar"
    deltagare_id: Annotated[str, C("id", True)]
    tidpunkt: Annotated[str, C("code:tidpunkt", True)]
    sysselsattning: Annotated[str, C("code:sysselsattning", True)]
    forsorjning: Annotated[str | None, C("code:forsorjning")] = None
    slutdatum: Annotated[dt.date | None, C("date")] = None


class Remiss(ExportRow):
    export = "remisser"
    remiss_id: Annotated[str, C("text", True)]
    datum: Annotated[dt.date, C("date", True)]
    delprojekt: Annotated[str, C("code:delprojekt", True)]
    remittent: Annotated[str, C("code:myndighet", True)]
    utfall: Annotated[str | None, C("code:utfall")] = None
    kon: Annotated[str | None, C("kon")] = None
    deltagare_id: Annotated[str | None, C("id")] = None


class Organisationsaktivitet(ExportRow):
    export = "organisationsaktiviteter"
    aktivitet_id: Annotated[str, C("text", True)]
    datum: Annotated[dt.date, C("date", True)]
    delprojekt: Annotated[str | None, C("code:delprojekt")] = None
    typ: Annotated[str, C("code:organisationstyp", True)]
    myndighet: Annotated[str, C("code:myndighet", True)]
    antal_handlaggare: Annotated[int | None, C("int")] = None


ESF_COLUMNS = (
    "utbildningsniva",
    "arbetslos_sedan",
    "funktionsnedsattning",
    "utlandsk_bakgrund",
    "kvalifikation",
)  # optional deltagare columns for the ESF indicators

# Every column as people write it, and what goes in it: the headers of the registration
# templates (always understood, whatever the configuration's aliases) and the instruction
# sheet and docs/exporter.md.
COLUMN_TEXT: dict[str, tuple[str, str]] = {
    "deltagare_id": ("Personnummer", "ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN eller en pseudonym (anonyma)"),
    "kon": (
        "Kön",
        "K eller M (Kvinna, Man), X för icke-binär; tomt: härleds ur personnumret (aldrig X)",
    ),
    "fodelsear": ("Födelseår", "fyra siffror; tomt: ur personnumret"),
    "delprojekt": ("Delprojekt", "ett av konfigurationens delprojekt (kod eller namn)"),
    "startdatum": ("Startdatum", "inskrivningens första dag, ÅÅÅÅ-MM-DD"),
    "slutdatum": ("Slutdatum", "inskrivningens sista dag; tomt: pågår"),
    "avslutsorsak": ("Avslutsorsak", "ur listan; anges när slutdatum finns"),
    "anvisande_organisation": ("Anvisande organisation", "myndigheten som anvisade"),
    "sysselsattning_fore": ("Sysselsättning före", "vid inskrivningen, ur listan"),
    "sysselsattning_efter": ("Sysselsättning efter", "vid avslutet, ur listan"),
    "forsorjning_fore": ("Försörjning före", "vid inskrivningen, ur listan"),
    "forsorjning_efter": ("Försörjning efter", "vid avslutet, ur listan"),
    "utbildningsniva": ("Utbildningsnivå", "högsta utbildning vid inskrivningen, ur listan (ESF)"),
    "arbetslos_sedan": (
        "Arbetslös sedan",
        "sedan när personen varit arbetslös, vid inskrivningen (ESF: långtidsarbetslös)",
    ),
    "funktionsnedsattning": (
        "Funktionsnedsättning",
        "ja/nej, vid inskrivningen (ESF); tomt: okänt",
    ),
    "utlandsk_bakgrund": ("Utländsk bakgrund", "ja/nej, vid inskrivningen (ESF); tomt: okänt"),
    "kvalifikation": (
        "Kvalifikation",
        "ja/nej: fick en kvalifikation vid avslutet (ESF); tomt: okänt",
    ),
    "datum": ("Datum", "ÅÅÅÅ-MM-DD"),
    "insatstyp": ("Insatstyp", "ur listan"),
    "timmar": ("Timmar", "antal timmar, decimalkomma går bra (1,5)"),
    "detalj": ("Detalj", "fritext, räknas inte (skriv aldrig personnummer här)"),
    "fraga": ("Fråga", "instrumentets fråga (kod eller text)"),
    "varde": ("Värde", "ett heltal inom frågans skala"),
    "tidpunkt": ("Tidpunkt", "90D, 6M eller 12M efter avslutet"),
    "sysselsattning": ("Sysselsättning", "vid uppföljningen, ur listan"),
    "forsorjning": ("Försörjning", "vid uppföljningen, ur listan"),
    "remiss_id": ("Remiss-id", "unikt i filen (inte ett personnummer)"),
    "remittent": ("Remittent", "myndigheten som remitterade"),
    "utfall": ("Utfall", "Inskriven, Ej inskriven eller Pågående (tomt: pågående)"),
    "aktivitet_id": ("Aktivitets-id", "samma för alla rader av en aktivitet"),
    "typ": ("Typ", "aktivitetens typ, ur listan"),
    "myndighet": ("Myndighet", "myndigheten som deltog (en rad per myndighet)"),
    "antal_handlaggare": ("Antal handläggare", "deltagande handläggare från myndigheten"),
}


def aliases(export: str, config: Config) -> dict[str, list[str]]:
    """The header names understood for ``export``: the template's headers, then the
    configuration's own aliases."""
    out = {c: [COLUMN_TEXT[c][0]] for c in EXPORTS[export].columns() if c in COLUMN_TEXT}
    for column, alts in config.aliases.get(export, {}).items():
        out.setdefault(column, []).extend(alts)
    return out


EXPORTS: dict[str, type[ExportRow]] = {
    m.export: m
    for m in (Deltagare, Aktivitet, Matning, Uppfoljning, Remiss, Organisationsaktivitet)
}

# ---------------------------------------------------------------------------------------------
# Column-wise validation


@dataclass
class Parsed:
    """A parsed column: typed values (missing where empty or invalid), which rows are
    invalid, and the message of each invalid row."""

    values: pd.Series
    bad: np.ndarray
    messages: np.ndarray


NAT = np.datetime64("NaT", "s")


def _column(kind: str, parsed: list[Any], codes: np.ndarray, books, index=None) -> pd.Series:
    """Per-row values of the column's type from the parsed distinct values (``codes`` index
    ``parsed``; -1 is missing): codes become categoricals, dates datetime64, numbers float64."""
    if kind == "kon" or kind.startswith("code:"):
        categories = list(KON_CODES) if kind == "kon" else books[kind[5:]].codes
        position = {c: i for i, c in enumerate(categories)}
        # in pandas' own code type for so many categories: ten million int32 codes were
        # narrowed to int8 in a copy
        per_unique = np.array([position.get(v, -1) for v in parsed], _code_type(categories))
        # codes from position lookups: in range by construction, categories distinct
        values = pd.Categorical.from_codes(_take(per_unique, codes, -1), categories, validate=False)
    elif kind == "date":
        values = _take(_days(parsed), codes, NAT)
    elif kind in ("decimal", "int", "bool"):  # ja/nej as 1.0/0.0, unknown NaN
        per_unique = np.array([np.nan if v is None else v for v in parsed], dtype="float64")
        values = _take(per_unique, codes, np.nan)
    elif not parsed:  # text, every cell empty (``detalj`` of a national register)
        return pd.Series(
            _take(np.array([], dtype=object), codes, None), index=index, dtype=object, copy=False
        )
    else:  # text: the dtype pandas infers for the distinct values (not for every row), taken
        distinct = pd.Series(np.array(parsed, dtype=object)).array
        return pd.Series(distinct.take(codes, allow_fill=True), index=index, copy=False)
    return pd.Series(values, index=index, copy=False)


def _code_type(categories) -> str:
    """The integer type pandas keeps a categorical's codes in (``coerce_indexer_dtype``)."""
    n = len(categories)
    return "int8" if n < 127 else "int16" if n < 32767 else "int32" if n < 2**31 - 1 else "int64"


_NO_MESSAGES = np.array([], dtype=object)


def parse_column(values: pd.Series, col: Col, books: dict[str, CodeBook]) -> Parsed:
    """Parse each distinct value once and map the results back to the rows by their codes.
    Missing values (NA) stay missing without an error."""
    codes, uniques = distinct_codes(values)
    if col.kind == "text" and len(uniques) and arrow_strings(uniques):
        # ``str`` of a string is the string: nothing to parse or reject, no value to visit
        # (a register's 350 000 distinct remiss-ids were a second one by one)
        text = pd.Index(uniques).astype("str").array.take(codes, allow_fill=True)
        nothing = np.zeros(len(codes), dtype=bool)
        return Parsed(pd.Series(text, index=values.index, copy=False), nothing, _NO_MESSAGES)
    if col.kind == "date" and len(uniques) and arrow_strings(uniques):
        dates, errors = _dates(uniques)
        typed = pd.Series(_take(dates, codes, NAT), index=values.index, copy=False)
    else:
        parsed, errors = _each(lambda u: col.parse(u, books), uniques)
        typed = _column(col.kind, parsed, codes, books, values.index)
    wrong = np.array([e is not None for e in errors], dtype=bool)
    bad = _flagged(wrong, codes)
    messages = np.array(errors, dtype=object)[codes[bad]] if wrong.any() else _NO_MESSAGES
    return Parsed(typed, bad, messages)


def _each(parse: Callable[[str], Any], texts) -> tuple[list[Any], list[str | None]]:
    """Each text parsed (None where it cannot be) and why not (None where it can)."""
    parsed: list[Any] = []
    errors: list[str | None] = []
    for u in texts:
        try:
            parsed.append(parse(u))
            errors.append(None)
        except ValueError as e:
            parsed.append(None)
            errors.append(str(e))
    return parsed, errors


def _days(parsed: list[dt.date | None]) -> np.ndarray:
    """Parsed dates as datetime64[s], NaT where there is none."""
    return np.array([np.datetime64(v) if v else NAT for v in parsed], "datetime64[s]")


def _dates(uniques: pd.Index) -> tuple[np.ndarray, list[str | None]]:
    """Each distinct text as a date (NaT where it is none) and why it is none: the plain form
    (ÅÅÅÅ-MM-DD, a real day within 1900–2099) by Arrow at once, every other text by
    ``parse_date`` (the sample's ten thousand distinct dates one by one were a fortieth of its
    run). A text is a plain real day when Arrow writes the day it parsed back as the text: its
    parser makes 2017-02-30 into 2017-03-02, and takes 2017-5-3 too."""
    text = pa.array(uniques)
    day = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    lo, hi = (pa.scalar(np.datetime64(d, "s")) for d in (MIN_DATE, MAX_DATE))
    real = pc.equal(pc.strftime(day, "%Y-%m-%d"), text)  # so also the plain form, no other
    inside = pc.and_(pc.greater_equal(day, lo), pc.less_equal(day, hi))
    good = pc.fill_null(pc.and_(real, inside), False)
    good = good.to_numpy(zero_copy_only=False)
    dates = np.where(good, day.to_numpy(zero_copy_only=False), NAT).astype("datetime64[s]")
    errors: list[str | None] = [None] * len(dates)
    rest = np.flatnonzero(~good)
    parsed, why = _each(parse_date, text.take(pa.array(rest)).to_pylist())
    dates[rest] = _days(parsed)
    for i, e in zip(rest, why, strict=True):
        errors[i] = e
    return dates, errors


def _take(per_unique: np.ndarray, codes: np.ndarray, missing) -> np.ndarray:
    """Per-row values from per-distinct-value ones; code -1 (missing) gives ``missing``."""
    return np.append(per_unique, np.array([missing], dtype=per_unique.dtype))[codes]


def _flagged(per_unique: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per row: its distinct value is flagged (a missing one never). With no flag at all (the
    usual case) nothing is gathered over the rows (ten million per column)."""
    if not per_unique.any():
        return np.zeros(len(codes), dtype=bool)
    return _take(per_unique, codes, False)


def _id_columns(values: pd.Series, ref: dt.date | IdChecker, index: pd.Index, wanted=None):
    """person (a categorical of normalised ids: each person stored once), kon_pnr and born
    (those of ``wanted``, default all), plus which rows hold an invalid id and why."""
    checker = ref if isinstance(ref, IdChecker) else IdChecker(ref)
    codes, table, numbers, people = checker.checked(values)
    # the persons' codes in order of first appearance, from their numbers: no hash of strings
    person_u, categories = _first_seen(numbers)
    categories = people[categories]
    error_u = table["error"].to_numpy(dtype=object)
    code_u = table["code"].to_numpy(dtype=object)
    has_error = _flagged(pd.notna(error_u), codes)
    build = {
        "person": lambda: pd.Series(
            distinct_categorical(_take(person_u, codes, -1), categories),
            index=index,
            copy=False,
        ),
        "kon_pnr": lambda: pd.Series(
            pd.Categorical.from_codes(_take(_kon_codes(table), codes, -1), list(KON_CODES)),
            index=index,
            copy=False,
        ),
        "born": lambda: pd.Series(
            _take(table["born"].to_numpy(dtype="datetime64[s]"), codes, np.datetime64("NaT")),
            index=index,
            copy=False,
        ),
    }
    columns = {k: make() for k, make in build.items() if wanted is None or k in wanted}
    return columns, has_error, error_u[codes[has_error]], code_u[codes[has_error]]


def _first_seen(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of numbers where -1 is missing: (each one's code, -1 where missing, as
    int32; the distinct numbers in order of first appearance)."""
    codes, distinct = pd.factorize(numbers)
    none = np.flatnonzero(distinct < 0)
    if len(none):
        k = none[0]
        codes = np.where(codes == k, -1, codes - (codes > k))
        distinct = np.delete(distinct, k)
    return codes.astype("int32"), distinct


def _kon_codes(table: pd.DataFrame) -> np.ndarray:
    """Each distinct id's kön (by the personnummer) as its position in ``KON_CODES`` (-1:
    none), in the categorical's own code type: no copy of ten million rows to narrow them."""
    kon = pd.Index(list(KON_CODES), dtype=object)  # as the verdicts: no Arrow copy of them
    return kon.get_indexer(table["kon_pnr"].to_numpy(dtype=object)).astype("int8")


def narrow_lines(lines: np.ndarray) -> np.ndarray:
    """The typed rows' line numbers in the reader's type (``line_type``): the accepted tables
    are held through the rules and every indicator."""
    if len(lines) and lines.dtype.itemsize > 4 and line_type(int(lines.max())) == "int32":
        return lines.astype(np.int32)
    return lines


def validate_table(
    raw: RawTable,
    model: type[ExportRow],
    books: dict[str, CodeBook],
    ref: dt.date | IdChecker,
    problems: Problems,
    unused=lambda column: False,
    threads: int = 1,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse every column; return the parsed frame (all rows) and a boolean 'row has an error'.

    Codes become categoricals in the configuration's order, dates datetime64, numbers float64,
    persons a categorical of normalised ids: typed columns, never millions of Python objects.
    ``unused(column)``: a typed column nothing reads (free text, what an id says of kön and
    birth outside deltagare) is checked but not built; text is never wrong, so it is skipped.
    ``threads``: columns checked side by side (numpy takes over millions of rows, which
    release the GIL); the problems are listed in the columns' order however they ran."""
    frame = raw.frame
    # a row the reader could not split into cells is already reported; its cells are not
    quiet = raw.unread if raw.unread is not None else np.zeros(len(frame), dtype=bool)
    lines = frame["_line"].to_numpy()
    columns = model.columns()
    calls = [
        functools.partial(_checked, frame, name, col, books, ref, quiet, lines, unused)
        for name, col in columns.items()
    ]
    if sum(col.kind == "id" for col in columns.values()) > 1:
        threads = 1  # the id checker remembers what it has seen: one column at a time
    bad = quiet.copy()
    out: dict[str, Any] = {"_line": narrow_lines(lines)}
    for checked in in_threads(calls, threads):
        for kind, at, column, values, messages in checked.found:
            problems.add(kind, raw.file, at, column, values, messages)
        for mask in checked.bad:
            bad |= mask
        out.update(checked.columns)
    return pd.DataFrame(out, copy=False), bad


@dataclass
class _Checked:
    """One column checked: its typed columns, the problems to list (kind, lines, column,
    values, messages) in order, and the masks of the rows it rejects."""

    columns: dict[str, Any]
    found: list[tuple]
    bad: list[np.ndarray]


def blank(values: pd.Series) -> np.ndarray:
    """Per row: the cell is "" (a missing cell is not). A categorical column (as the reader
    gives them) is compared per category: pandas would first hash every category to see
    whether "" is one (a quarter of a second for an export's 250 000 ids)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        at = blank_category(values)
        codes = category_codes(values)
        return codes == at if at is not None else np.zeros(len(codes), dtype=bool)
    return (values == "").to_numpy(dtype=bool, na_value=True)


def blank_category(values: pd.Series) -> int | None:
    """The code of the category "" of a categorical column, if it has one (looked for among
    the categories, never the rows)."""
    at = np.flatnonzero(np.asarray(values.cat.categories == "", dtype=bool))
    return int(at[0]) if len(at) else None


def _missing_where_blank(values: pd.Series, empty: np.ndarray) -> pd.Series:
    """The column with its empty cells missing. A categorical (as the reader gives every
    column) loses its category "" with them: left in, it is a distinct value that no row has
    but every check takes for one (no date, no code, no number), and the rows of a column
    were looked up for it (ten million activities, once per column with an empty cell)."""
    at = blank_category(values) if isinstance(values.dtype, pd.CategoricalDtype) else None
    if at is None:
        return values.mask(empty)
    kept = np.ones(len(values.cat.categories), dtype=bool)
    kept[at] = False
    codes, categories = kept_codes(category_codes(values), values.cat.categories, kept)
    column = distinct_categorical(codes, categories)
    return pd.Series(column, index=values.index, name=values.name, copy=False)


def _checked(frame, name: str, col: Col, books, ref, quiet, lines, unused) -> _Checked:
    if name not in frame.columns:
        return _Checked({name: _absent(col, books, len(frame))}, [], [])
    result = _Checked({}, [], [])
    raw_values = frame[name]
    empty = blank(raw_values)
    values = _missing_where_blank(raw_values, empty) if empty.any() else raw_values
    if col.required and empty.any():
        result.found.append(("saknat_varde", lines[empty & ~quiet], name, "", "värde saknas"))
        result.bad.append(empty)
    if col.kind == "id":
        prefix = "" if name == "deltagare_id" else f"{name}_"
        wanted = {k for k in ("person", "kon_pnr", "born") if not unused(f"{prefix}{k}")}
        columns, err, messages, kinds = _id_columns(values, ref, frame.index, wanted)
        at = np.flatnonzero(err)
        for kind in pd.unique(kinds):
            one = (kinds == kind) & ~quiet[at]
            result.found.append(
                (kind, lines[at[one]], name, raw_values.iloc[at[one]], messages[one])
            )
        result.bad.append(err)
        result.columns.update({f"{prefix}{k}": v for k, v in columns.items()})
        return result
    if col.kind == "text" and unused(name):
        return result
    parsed = parse_column(values, col, books)
    if parsed.bad.any():
        loud = ~quiet[parsed.bad]
        result.found.append(
            (
                col.problem,
                lines[parsed.bad][loud],
                name,
                raw_values[parsed.bad][loud],
                parsed.messages[loud],
            )
        )
        result.bad.append(parsed.bad)
    result.columns[name] = parsed.values
    return result


def _absent(col: Col, books: dict[str, CodeBook], n: int) -> pd.Series:
    """A column the file does not have: all missing, of the column's type."""
    return _column(col.kind, [], np.full(n, -1), books)
