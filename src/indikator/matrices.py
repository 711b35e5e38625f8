"""Before → after as SUS showed it: for those who ended, sysselsättning (and försörjning)
before in rows and after in columns, with row and column sums and the change per category
(after − before, as a count and in percentage points), only the categories that occur; first
grouped into the configuration's categories (``[fore_efter]``: förvärvsarbete, studier, aktivt
arbetssökande …, the rest "Övriga"), then code by code.

Built from the published tidy rows (kön T), so a suppressed pair stays hidden: a cell, sum or
change that would need it shows no value (None).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .config import Config
from .vocabulary import EMPTY_DENOMINATOR, OK

NAMES = {"sysselsattning": "Sysselsättning", "forsorjning": "Försörjning"}
REST = "Övriga"


@dataclass
class Matrix:
    name: str  # sysselsattning or forsorjning
    grouped: bool
    rows: list[str]  # the categories before (labels), those that occur
    columns: list[str]  # the categories after
    cells: list[list[float | None]]  # persons per (before, after); None: suppressed
    row_sums: list[float | None]
    column_sums: list[float | None]
    total: float | None  # those who ended with both registered
    changes: list[tuple[str, float | None, float | None]]  # category, after − before, p.e.

    @property
    def title(self) -> str:
        how = "grupperat" if self.grouped else "per kod"
        return f"{NAMES[self.name]} före → efter, {how} (avslutade med båda registrerade)"


def _sum(values) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else float(sum(values))


def _build(name, grouped, pairs: dict[tuple[str, str], float | None], order, total) -> Matrix:
    rows = [c for c in order if any(b == c for b, _ in pairs)]
    columns = [c for c in order if any(a == c for _, a in pairs)]
    cells = [[pairs.get((b, a), 0.0) for a in columns] for b in rows]
    row_sums = [_sum(r) for r in cells]
    column_sums = [_sum(r[j] for r in cells) for j in range(len(columns))]
    changes = []
    for c in order:
        if c not in rows and c not in columns:
            continue
        before = row_sums[rows.index(c)] if c in rows else 0.0
        after = column_sums[columns.index(c)] if c in columns else 0.0
        diff = None if before is None or after is None else after - before
        points = None if diff is None or not total else 100 * diff / total
        changes.append((c, diff, points))
    return Matrix(name, grouped, rows, columns, cells, row_sums, column_sums, total, changes)


def matrices(tidy: pd.DataFrame, config: Config) -> dict[tuple[str, str, str], list[Matrix]]:
    """(period, omfang, delprojekt) -> the matrices of that block, grouped ones first."""
    out: dict[tuple[str, str, str], list[Matrix]] = {}
    rows = tidy[tidy["indikator"].str.endswith("_fore_efter") & (tidy["kon"] == "T")]
    for (period, scope, group, indicator), block in rows.groupby(
        ["period", "omfang", "delprojekt", "indikator"], sort=False
    ):
        name = indicator.removesuffix("_fore_efter")
        label = {c.code: c.label for c in config.code_list(name)}
        pairs: dict[tuple[str, str], float | None] = {}
        total = None
        for dim, t, n, status in zip(
            block["dimension"], block["taljare"], block["namnare"], block["status"], strict=True
        ):
            if status == EMPTY_DENOMINATOR or not dim:
                continue
            if status == OK:
                total = float(n)
            value = float(t) if status == OK else None
            if value != 0:
                before, after = dim.split(">")
                pairs[(before, after)] = value
        if not pairs:
            continue
        found = []
        groups = config.fore_efter.get(name)
        if groups:
            member = {c.upper(): g for g, codes in groups.items() for c in codes}
            grouped: dict[tuple[str, str], float | None] = {}
            for (b, a), v in pairs.items():
                key = (member.get(b, REST), member.get(a, REST))
                grouped[key] = (
                    None
                    if v is None or grouped.get(key, 0.0) is None
                    else grouped.get(key, 0.0) + v
                )
            found.append(_build(name, True, grouped, [*groups, REST], total))
        by_label = {(label[b], label[a]): v for (b, a), v in pairs.items()}
        order = [label[c.code] for c in config.code_list(name)]
        found.append(_build(name, False, by_label, order, total))
        out.setdefault((period, scope, group), []).extend(found)
    return out
