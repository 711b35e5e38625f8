"""How a person reads a figure: Swedish labels, shares as ``33 % (4 av 12)``, decimal comma,
the symbols of Swedish official statistics where there is no value (``..`` undertryckt,
``-`` saknar_data, ``.`` tom_namnare), and the one column layout of every human table: the
period's Kvinnor | Män | Totalt (with Icke-binära for ESF+), then the same for ackumulerat,
after a column Kod where the indicators have the funder's codes."""

from __future__ import annotations

import pandas as pd

from ..catalog import MEAN, SHARE, SUM
from ..config import Config
from ..vocabulary import EMPTY_DENOMINATOR, KON, KON_ALL, NO_DATA, SCOPES, SUPPRESSED, TOTALT

SYMBOL = {SUPPRESSED: "..", NO_DATA: "-", EMPTY_DENOMINATOR: "."}
KON_HEADER = {"K": "Kvinnor", "M": "Män", "X": "Icke-binära", "T": "Totalt"}
LEGEND = (
    "Teckenförklaring: .. undertryckt (sekretess) · - saknar data · . ej tillämplig (ingen i "
    "nämnaren)"
)


def column_header(scope: str, kon: str) -> str:
    return f"{KON_HEADER[kon]}{' (ack.)' if scope == 'ackumulerat' else ''}"


def kons_of(tidy: pd.DataFrame) -> tuple[str, ...]:
    """The kön columns a table shows: K, M and T, with X (icke-binära) where the figures have
    it (the ESF+ report)."""
    present = set(tidy["kon"].unique()) if len(tidy) else set(KON)
    return tuple(k for k in KON_ALL if k in present or k in KON)


def figure_columns(tidy: pd.DataFrame) -> list[tuple[str, str]]:
    """(scope, kön) of every figure column: the period's kön columns, then ackumulerat's."""
    kons = kons_of(tidy)
    return [(s, k) for s in SCOPES for k in kons]


def codes_of(tidy: pd.DataFrame, config: Config) -> dict[str, str]:
    """indicator -> the funder's code (ESF: CO01 …), for the indicators that have one: the
    human tables then open with a column Kod."""
    catalog = config.indicators
    ids = dict.fromkeys(tidy["indikator"]) if len(tidy) else {}
    return {i: catalog[i].code for i in ids if i in catalog and catalog[i].code}


def number(x: float, decimals: int = 0) -> str:
    """Swedish number: decimal comma, no thousands separator (pastes into Excel as a number)."""
    if decimals == 0 or float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.{decimals}f}".replace(".", ",")


def cells(df: pd.DataFrame, catalog: dict) -> list[str]:
    """Every figure of a tidy frame as a person reads it (``catalog``: the configuration's
    indicators, for their kinds)."""
    kind_of = {i: ind.kind for i, ind in catalog.items()}
    kinds = [kind_of.get(i) for i in df["indikator"]]
    out = []
    for kind, status, v, t, n in zip(
        kinds, df["status"], df["varde"], df["taljare"], df["namnare"], strict=True
    ):
        if status in SYMBOL:
            out.append(SYMBOL[status])
        elif kind == SHARE:
            out.append(f"{round(v * 100):.0f} % ({number(t)} av {number(n)})")
        elif kind in (MEAN, SUM):
            out.append(number(v, 1))
        else:
            out.append(number(v))
    return out


def dimension_label(config: Config, indicator: str, code: str) -> str:
    if not code:
        return ""
    catalog = config.indicators
    dim = catalog[indicator].dimension if indicator in catalog else None
    if dim and dim.endswith("_par"):
        name = dim.removesuffix("_par")
        return " > ".join(config.label(name, c) for c in code.split(">"))
    if dim in (
        "avslutsorsak",
        "insatstyp",
        "myndighet",
        "organisationstyp",
        "sysselsattning",
        "forsorjning",
    ):
        return config.label(dim, code)
    if dim == "fraga":
        return next((i.label for i in config.instrument if i.code == code), code)
    return code


def row_label(config: Config, indicator: str, dimension: str) -> str:
    """The Swedish label of one row of a human table: indicator, then the dimension value."""
    catalog = config.indicators
    label = catalog[indicator].label if indicator in catalog else indicator
    return f"{label}: {dimension_label(config, indicator, dimension)}" if dimension else label


def group_title(config: Config, code: str) -> str:
    if code == TOTALT:
        return f"TOTALT – {config.project.name}"
    d = next((d for d in config.delprojekt if d.code == code), None)
    return f"{code} – {d.label}" if d else code
