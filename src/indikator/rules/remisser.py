"""The rules of remisser: remiss_id is unique in the file; an empty utfall is PAGAENDE."""

from __future__ import annotations

from .common import Rows, reject


def check(rows: Rows):
    df = rows.df
    ok = ~rows.bad
    dup = (
        ok
        & df["remiss_id"].where(ok).duplicated(keep="first").to_numpy()
        & df["remiss_id"].notna().to_numpy()
    )
    reject(
        rows,
        "dubblett",
        dup,
        "remiss_id",
        df["remiss_id"],
        "remiss_id förekommer redan tidigare i filen",
    )
    out = df[ok & ~dup].copy()
    out["utfall"] = out["utfall"].fillna("PAGAENDE")
    return out
