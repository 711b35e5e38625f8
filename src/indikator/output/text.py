"""The human tables (table and markdown, via tabulate): figures per delprojekt and
TOTALT, targets beside their results, and the changes between two batch runs."""

from __future__ import annotations

import pandas as pd

from ..catalog import SHARE
from ..config import Config
from .layout import (
    COLUMNS,
    HEADERS,
    KON_HEADER,
    LEGEND,
    SYMBOL,
    cells,
    group_title,
    number,
    row_label,
)


def figures(tidy: pd.DataFrame, config: Config, fmt: str) -> str:
    """One block per period and delprojekt; rows are indicators, columns K/M/T per scope.

    Before/after pairs that nobody in the block has are left out of the human table (they
    stay in the tidy formats), so the table shows what happened, not every combination.
    """
    from tabulate import tabulate

    if tidy.empty:
        return "Inga indikatorer att visa.\n"
    headers = ["Indikator", *HEADERS]
    tablefmt = "pipe" if fmt == "markdown" else "simple"
    text = cells(tidy, config.indicators)
    blocks: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
    hits: dict[tuple[str, str, str, str], bool] = {}
    for i, (period, scope, group, ind, dim, kon, t) in enumerate(
        zip(
            tidy["period"],
            tidy["omfang"],
            tidy["delprojekt"],
            tidy["indikator"],
            tidy["dimension"],
            tidy["kon"],
            tidy["taljare"],
            strict=True,
        )
    ):
        row = blocks.setdefault((period, group), {}).setdefault((ind, dim), {})
        row[(scope, kon)] = text[i]
        if ind.endswith("_fore_efter"):
            hits[(period, group, ind, dim)] = hits.get((period, group, ind, dim), False) or (
                t == t and t > 0
            )
    out: list[str] = []
    start = config.project.start.isoformat()
    for (period, group), rows in blocks.items():
        title = f"{group_title(config, group)} · period {period} · ackumulerat från {start}"
        out.append(f"## {title}" if fmt == "markdown" else title)
        body = []
        for (ind, dim), values in rows.items():
            if ind.endswith("_fore_efter") and not hits.get((period, group, ind, dim), True):
                continue
            body.append([row_label(config, ind, dim), *(values.get(c, "") for c in COLUMNS)])
        out.append(tabulate(body, headers=headers, tablefmt=tablefmt, disable_numparse=True))
        out.append("")
    out.append(LEGEND)
    return "\n".join(out) + "\n"


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


def targets(df: pd.DataFrame, config: Config, fmt: str) -> str:
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
    return f"{'## ' if fmt == 'markdown' else ''}{title}\n{table}\n"


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
