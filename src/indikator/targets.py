"""Måluppfyllelse: each configured target beside its result, "n av N", and whether it is met.

The results are the published figures (``protection.published``) for the same period, so
the targets report can never disagree with ``monthly``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .catalog import SHARE
from .config import Config
from .dataset import Dataset
from .periods import Period
from .protection import published
from .vocabulary import TOTALT

COLUMNS = [
    "period",
    "omfang",
    "delprojekt",
    "indikator",
    "kon",
    "mal",
    "varde",
    "taljare",
    "namnare",
    "status",
    "uppfyllt",
]
PREVIOUS = [
    "foregaende_period",
    "foregaende_varde",
    "foregaende_taljare",
    "foregaende_namnare",
    "foregaende_status",
]


def expand(config: Config, kind: str | None = None) -> pd.DataFrame:
    """One row per (indicator, scope, group, kön) that has a target; with ``kind``, only the
    targets that hold for that kind of period (a yearly target is not a monthly one)."""
    rows = []
    for t in config.targets:
        if kind is not None and t.period_kind not in (None, kind):
            continue
        scopes = [t.scope] if t.scope else ["period", "ackumulerat"]
        kons = [t.kon] if t.kon else ["K", "M", "T"]
        if t.per_delprojekt_planned:
            cells = [
                (d.code, kon, value)
                for d in config.delprojekt
                for kon, value in (("T", d.planned), ("K", d.planned_k), ("M", d.planned_m))
                if value is not None and (t.kon is None or t.kon == kon)
            ]
        else:
            groups = (
                [TOTALT]
                if t.delprojekt is None
                else ([*config.delprojekt_codes, TOTALT] if t.delprojekt == "*" else [t.delprojekt])
            )
            cells = [(g, kon, t.value) for g in groups for kon in kons]
        rows += [
            {"indikator": t.indicator, "omfang": s, "delprojekt": g, "kon": k, "mal": float(v)}
            for s in scopes
            for g, k, v in cells
        ]
    df = pd.DataFrame(rows, columns=["indikator", "omfang", "delprojekt", "kon", "mal"])
    return df.drop_duplicates(["indikator", "omfang", "delprojekt", "kon"], keep="last")


def evaluate(
    ds: Dataset,
    period: Period,
    compare_previous: bool = False,
    delprojekt: Iterable[str] | None = None,
    min_cell: int | None = 0,
) -> pd.DataFrame:
    """Targets beside their results; ``min_cell`` applies small-count control to the results
    (None = the configuration's threshold, 0 = off)."""
    targets = expand(ds.config, period.kind)
    if delprojekt:
        targets = targets[targets["delprojekt"].isin([*delprojekt, TOTALT])]
    periods = [period, period.previous()] if compare_previous else [period]
    ids = sorted(set(targets["indikator"]))
    tidy = (
        published(ds, periods, ids, delprojekt, min_cell) if ids else pd.DataFrame(columns=COLUMNS)
    )
    tidy = tidy[tidy["dimension"] == ""]
    key = ["indikator", "omfang", "delprojekt", "kon"]
    now = tidy[tidy["period"] == period.label]
    out = targets.merge(now, on=key, how="left")
    out["period"] = period.label
    catalog = ds.config.indicators
    share = out["indikator"].map(lambda i: catalog[i].kind == SHARE)
    met = np.where(out["status"] == "ok", out["varde"] >= out["mal"] - 1e-12, None)
    out["uppfyllt"] = pd.Series(met, index=out.index, dtype=object)
    out.loc[~share, ["taljare", "namnare"]] = np.nan
    if compare_previous:
        prev = tidy[tidy["period"] == period.previous().label][
            [*key, "period", "varde", "taljare", "namnare", "status"]
        ]
        prev = prev.rename(
            columns={
                c: f"foregaende_{c}" for c in ("period", "varde", "taljare", "namnare", "status")
            }
        )
        out = out.merge(prev, on=key, how="left")
        return out[COLUMNS + PREVIOUS].reset_index(drop=True)
    return out[COLUMNS].reset_index(drop=True)
