"""The human tables (table and markdown, via tabulate): figures per delprojekt and
TOTALT, targets beside their results, and the changes between two batch runs."""

from __future__ import annotations

import textwrap

import pandas as pd

from ..catalog import SHARE
from ..config import Config
from ..vocabulary import SCOPES, SUPPRESSED
from .layout import (
    KON_HEADER,
    LEGEND,
    SYMBOL,
    cells,
    codes_of,
    column_header,
    figure_columns,
    group_title,
    kons_of,
    number,
    row_label,
)

TERMINAL = 120  # a `table` fits a terminal this wide


def figures(report, fmt: str) -> str:
    """One block per period and delprojekt; rows are indicators, columns Kvinnor/Män/Totalt.

    ``table`` (the terminal) has one block per scope, so that it fits in 120 columns with
    shares as ``33 % (4 av 12)``; ``markdown`` has the period and ackumulerat side by side.
    The before/after pairs are shown as matrices under each block (``matrices.py``), not as
    one row per pair (the tidy formats keep the rows).
    """
    tidy, config = report.tidy, report.config
    if tidy.empty:
        return "Inga indikatorer att visa.\n"
    text = cells(tidy, config.indicators)
    columns, kons_shown, codes = figure_columns(tidy), kons_of(tidy), codes_of(tidy, config)
    first = ["Kod", "Indikator"] if codes else ["Indikator"]

    def label(ind: str, dim: str) -> list[str]:
        return (
            [codes.get(ind, ""), row_label(config, ind, dim)]
            if codes
            else [row_label(config, ind, dim)]
        )

    blocks: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
    for i, (period, scope, group, ind, dim, kon) in enumerate(
        zip(
            tidy["period"],
            tidy["omfang"],
            tidy["delprojekt"],
            tidy["indikator"],
            tidy["dimension"],
            tidy["kon"],
            strict=True,
        )
    ):
        if not ind.endswith("_fore_efter"):
            row = blocks.setdefault((period, group), {}).setdefault((ind, dim), {})
            row[(scope, kon)] = text[i]
    out: list[str] = [textwrap.fill(report.title, TERMINAL), ""] if report.title else []
    if report.protection:
        out += [textwrap.fill(report.protection, TERMINAL), ""]
    start = config.project.start.isoformat()
    for (period, group), rows in blocks.items():
        if fmt == "markdown":
            out.append(
                f"## {group_title(config, group)} · period {period} · ackumulerat från {start}"
            )
            body = [
                [*label(ind, dim), *(v.get(c, "") for c in columns)]
                for (ind, dim), v in rows.items()
            ]
            headers = [*first, *(column_header(s, k) for s, k in columns)]
            out += [_table(body, headers, "pipe"), ""]
            for scope in SCOPES:
                out += _matrices(report.matrices.get((period, scope, group), []), scope, "pipe")
            continue
        for scope in SCOPES:
            kons = [(scope, k) for k in kons_shown]
            body = [
                [*label(ind, dim), *(v.get(c, "") for c in kons)] for (ind, dim), v in rows.items()
            ]
            when = (
                f"period {period}"
                if scope == "period"
                else f"ackumulerat från {start} till periodens slut"
            )
            out += [
                f"{group_title(config, group)} · {when}",
                _fitted(body, [*first, *(KON_HEADER[k] for k in kons_shown)], len(first) - 1),
                "",
            ]
            out += _matrices(report.matrices.get((period, scope, group), []), scope, "simple")
    if report.footer:
        out.append(textwrap.fill(report.footer, TERMINAL))
    out.append(LEGEND)
    return "\n".join(out) + "\n"


def _table(body, headers, tablefmt: str, widths=None) -> str:
    from tabulate import tabulate

    return tabulate(
        body, headers=headers, tablefmt=tablefmt, disable_numparse=True, maxcolwidths=widths
    )


def _fitted(body, headers, wrap: int = 0) -> str:
    """A simple table no wider than ``TERMINAL``: the label column (``wrap``) wraps to what is
    left."""
    label = max([len(str(headers[wrap])), *(len(str(r[wrap])) for r in body)])
    while True:
        widths = [None] * len(headers)
        widths[wrap] = label
        text = _table(body, headers, "simple", widths)
        excess = max(len(line) for line in text.splitlines()) - TERMINAL
        if excess <= 0 or label <= 20:
            return text
        label = max(20, label - excess)


def _count(v) -> str:
    return SYMBOL[SUPPRESSED] if v is None else number(v)


def _signed(v, decimals: int = 0) -> str:
    if v is None:
        return SYMBOL[SUPPRESSED]
    return ("+" if v > 0 else "") + number(v, decimals)


def _matrices(found, scope: str, tablefmt: str) -> list[str]:
    """Each matrix of a block (grouped first) and the change per category. In the terminal
    the categories are numbered (columns ``1``, ``2`` …), so that a matrix fits."""
    out = []
    for m in found:
        numbered = tablefmt == "simple"
        number_of = {c: i + 1 for i, c in enumerate(dict.fromkeys([*m.rows, *m.columns]))}
        heads = [str(number_of[c]) for c in m.columns] if numbered else list(m.columns)

        def name(c, number_of=number_of, numbered=numbered):
            return f"{number_of[c]} {c}" if numbered else c

        body = [
            [name(r), *map(_count, cells), _count(s)]
            for r, cells, s in zip(m.rows, m.cells, m.row_sums, strict=True)
        ]
        body.append(["Summa", *map(_count, m.column_sums), _count(m.total)])
        title = f"{m.title} · {'perioden' if scope == 'period' else 'ackumulerat'}"
        out += [
            f"**{title}**" if tablefmt == "pipe" else title,
            _table(body, ["Före \\ efter", *heads, "Summa"], tablefmt),
            "",
        ]
        change = [[name(c), _signed(d), _signed(p, 1)] for c, d, p in m.changes]
        out += [_table(change, ["Kategori", "Efter − före", "Procentenheter"], tablefmt), ""]
    return out


def _target_cells(kind: str, mal, varde, taljare, namnare, status) -> tuple[str, str, str]:
    """(Mål, Resultat, n av N) as a person reads them."""
    if kind == SHARE:
        goal = f"≥ {round(mal * 100):.0f} %"
        if status != "ok":
            return goal, SYMBOL.get(status, ""), SYMBOL.get(status, "")
        return goal, f"{round(varde * 100):.0f} %", f"{number(taljare)} av {number(namnare)}"
    goal = f"≥ {number(mal)}"
    if status != "ok":
        return goal, SYMBOL.get(status, ""), SYMBOL.get(status, "")
    return goal, number(varde), f"{number(varde)} av {number(mal)}"


def targets(df: pd.DataFrame, config: Config, fmt: str, protection="", footer=None) -> str:
    from tabulate import tabulate

    previous = "foregaende_period" in df.columns
    headers = ["Delprojekt", "Indikator", "Kön", "Omfång", "Mål", "Resultat", "n av N", "Uppfyllt"]
    if previous:
        label = df["foregaende_period"].dropna()
        headers += [f"Resultat {label.iat[0] if len(label) else 'föregående'}", "n av N (föreg.)"]
    body = []
    for r in df.itertuples(index=False):
        kind = config.indicators[r.indikator].kind
        goal, result, n_of = _target_cells(kind, r.mal, r.varde, r.taljare, r.namnare, r.status)
        met = SYMBOL.get(r.status, "") if r.uppfyllt is None else ("ja" if r.uppfyllt else "nej")
        row = [
            r.delprojekt,
            config.indicators[r.indikator].label,
            KON_HEADER[r.kon],
            r.omfang,
            goal,
            result,
            n_of,
            met,
        ]
        if previous:
            _, p_result, p_n = _target_cells(
                kind,
                r.mal,
                r.foregaende_varde,
                r.foregaende_taljare,
                r.foregaende_namnare,
                r.foregaende_status,
            )
            row += [p_result, p_n]
        body.append(row)
    title = f"Måluppfyllelse {df['period'].iat[0] if len(df) else ''} – {config.project.name}"
    table = tabulate(
        body,
        headers=headers,
        tablefmt="pipe" if fmt == "markdown" else "simple",
        disable_numparse=True,
    )
    head = f"{'## ' if fmt == 'markdown' else ''}{title}\n"
    if protection:
        head += textwrap.fill(protection, TERMINAL) + "\n\n"
    tail = "\n" + textwrap.fill(footer, TERMINAL) + "\n" if footer else ""
    return f"{head}{table}\n{tail}"


CHANGE_HEADERS = [
    "Period",
    "Omfång",
    "Delprojekt",
    "Indikator",
    "Dimension",
    "Kön",
    "Före",
    "Efter",
    "Status före",
    "Status efter",
]


def changes(df: pd.DataFrame, columns: list[str]) -> str:
    """The figures that changed between two batch runs."""
    from tabulate import tabulate

    if df.empty:
        return "Inga ändrade siffror för de perioder som båda körningarna täcker.\n"
    body = df[columns].fillna("").values.tolist()
    return tabulate(body, headers=CHANGE_HEADERS, disable_numparse=True) + "\n"
