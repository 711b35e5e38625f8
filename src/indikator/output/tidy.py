"""The tidy table for machines: CSV (``,`` and ``.``, UTF-8), JSON and Parquet, one row per
figure, exactly the columns of the contract."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd

from ..vocabulary import TIDY_COLUMNS as COLUMNS


def _plain(value):
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return int(value)
    return value


def tidy_records(tidy: pd.DataFrame, columns: list[str] = COLUMNS) -> list[dict]:
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in tidy[columns].itertuples(index=False)
    ]


def _float_text(values: np.ndarray) -> np.ndarray:
    """What ``_plain`` then ``repr`` print, for a whole float column at once: "" for NaN, whole
    numbers without ".0", everything else in Python's shortest round-trip form (numpy's
    ``astype(str)`` is the same algorithm; a test holds the two together)."""
    text = np.full(len(values), "", dtype=object)
    whole = np.isfinite(values) & (values == np.floor(values))
    small = whole & (np.abs(values) < 2**53)
    text[small] = values[small].astype("int64").astype(str)
    for i in np.flatnonzero(whole & ~small):  # beyond 2**53: exact as Python's int()
        text[i] = str(int(values[i]))
    rest = ~whole & ~np.isnan(values)  # fractions and ±inf
    text[rest] = values[rest].astype(str)
    return text


def tidy_csv(tidy: pd.DataFrame, columns: list[str] = COLUMNS) -> str:
    df = tidy[columns].copy()
    for c in columns:
        if df[c].dtype.kind == "f":
            df[c] = _float_text(df[c].to_numpy())
        elif df[c].dtype.kind == "c" or df[c].dtype == object:
            df[c] = [
                "" if v is None else repr(v) if isinstance(v, float) else str(v)
                for v in map(_plain, df[c])
            ]
    return df.to_csv(index=False, lineterminator="\n")


def tidy_json(tidy: pd.DataFrame, columns: list[str] = COLUMNS) -> str:
    return json.dumps(tidy_records(tidy, columns), ensure_ascii=False, indent=1) + "\n"


def tidy_arrow(tidy: pd.DataFrame):
    import pyarrow as pa

    df = tidy[COLUMNS]
    return pa.table(
        {
            **{
                c: pa.array(df[c].astype(str).tolist(), pa.string())
                for c in ("period", "omfang", "delprojekt", "indikator", "dimension", "kon")
            },
            **{
                c: pa.array(df[c].astype("float64").tolist(), pa.float64(), from_pandas=True)
                for c in ("varde", "taljare", "namnare")
            },
            "status": pa.array(df["status"].astype(str).tolist(), pa.string()),
        }
    )


def parquet_bytes(table) -> bytes:
    """A pyarrow table as the bytes of a Parquet file."""
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def frame_parquet(df: pd.DataFrame, columns: list[str]) -> bytes:
    """Any other tidy table (targets, changes) as Parquet, by pandas' own conversion."""
    import pyarrow as pa

    return parquet_bytes(pa.Table.from_pandas(df[columns], preserve_index=False))
