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
    """The table as CSV (``tidy_csv_parts``, as text)."""
    return b"".join(tidy_csv_parts(tidy, columns)).decode("utf-8")


def tidy_csv_parts(tidy: pd.DataFrame, columns: list[str] = COLUMNS) -> list:
    """The table as CSV, as the UTF-8 parts of the file one after the other (a file is
    written from them as they are: a batch's 40 MB are not decoded and encoded again). Each
    distinct value of a column is written once: a batch's 700 000 figures have a few
    thousand distinct texts per column, so the rows are laid out by Arrow from codes into
    those texts, never one Python string per cell and column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    df = tidy[columns]
    if not all(_by_text(df[c].dtype) for c in columns):
        return [_pandas_csv(df, columns).encode("utf-8")]
    head = (",".join(_csv_fields(pd.Series(columns, dtype=object))) + "\n").encode()
    if len(df) == 0:
        return [head]
    texts = []
    for i, c in enumerate(columns):
        column = df[c]
        if pd.api.types.is_object_dtype(column.dtype):  # mixed: 0.0 and False are one key
            column = pd.Series(_texts(column), dtype=object)
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        end = "\n" if i == len(columns) - 1 else ""
        values = pd.Series(uniques, dtype=column.dtype)
        # a number's text (digits, sign, point, "e", "inf") is never quoted: it goes as it is
        # (a batch's figures: 100 000 distinct values each, 0.15 s through the csv writer)
        shown = _texts(values)
        fields = shown if column.dtype.kind in "fiub" else _csv_fields(shown)
        fields = pa.array([f + end for f in fields], pa.large_string())
        texts.append(pc.take(fields, pa.array(codes)))
    rows = pc.binary_join_element_wise(*texts, pa.scalar(",", pa.large_string()))
    return [head, _one_after_another(rows)]


def _one_after_another(strings):
    """The strings of an Arrow large_string array joined with nothing between, as UTF-8: the
    stretch of its data buffer they occupy, as it is (a batch's 700 000 lines were as many
    Python strings before the join). An array with a missing value is joined as Python
    would fail to: by Python."""
    import pyarrow as pa

    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if strings.null_count or len(strings) == 0:
        return "".join(strings.to_pylist()).encode()
    _, offsets, data = strings.buffers()
    at = np.frombuffer(offsets, dtype=np.int64, count=len(strings) + 1, offset=8 * strings.offset)
    start, end = int(at[0]), int(at[-1])
    return memoryview(data.slice(start, end - start))


def _by_text(dtype) -> bool:
    """Columns whose text ``_texts`` gives as pandas would (not dates, whose form pandas
    chooses from the whole column)."""
    return (
        dtype.kind in "fiub"
        or pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.StringDtype)
    )


def _pandas_csv(df: pd.DataFrame, columns: list[str]) -> str:
    """Any other table (dates, categories): pandas writes it, the floats and objects as
    ``_texts`` prints them."""
    df = df.copy()
    for c in columns:
        if df[c].dtype.kind == "f" or df[c].dtype == object:
            df[c] = _texts(df[c])
    return df.to_csv(index=False, lineterminator="\n")


def _texts(values: pd.Series) -> list[str]:
    """What ``str`` gives for each value, as the figures print them: floats as ``_float_text``
    ("" for NaN, whole numbers without ".0"), missing values "", other objects as
    ``_plain`` then ``repr``/``str``."""
    if values.dtype.kind == "f":
        return _float_text(values.to_numpy()).tolist()
    out = []
    for v in values.tolist():
        v = _plain(v)
        out.append("" if v is None or v is pd.NA else repr(v) if isinstance(v, float) else str(v))
    return out


def _csv_fields(texts) -> list[str]:
    """Each text as one CSV field, quoted as Python's csv writer (pandas' ``to_csv``) quotes
    it: written by that writer, beside an empty field so that a lone "" is not quoted."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    out = []
    for t in texts:
        buf.seek(0)
        buf.truncate()
        writer.writerow([t, ""])
        out.append(buf.getvalue()[:-2])  # without the empty field's "," and the "\n"
    return out


def tidy_json(tidy: pd.DataFrame, columns: list[str] = COLUMNS) -> str:
    return json.dumps(tidy_records(tidy, columns), ensure_ascii=False, indent=1) + "\n"


def tidy_arrow(tidy: pd.DataFrame):
    """The tidy table as Arrow: its texts as strings, its figures as floats (NaN: null)."""
    import pyarrow as pa

    df = tidy[COLUMNS]
    return pa.table(
        {
            **{
                c: _arrow_text(df[c])
                for c in ("period", "omfang", "delprojekt", "indikator", "dimension", "kon")
            },
            **{
                c: pa.array(df[c].to_numpy(dtype="float64"), pa.float64(), from_pandas=True)
                for c in ("varde", "taljare", "namnare")
            },
            "status": _arrow_text(df["status"]),
        }
    )


def _arrow_text(column: pd.Series):
    """A text column as an Arrow string array: pandas' own Arrow strings handed over as they
    are (a batch's 735 000 rows never become Python strings), anything else as ``str`` of
    each value."""
    import pyarrow as pa

    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and not column.isna().any():
        arr = pa.array(column)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        return arr.cast(pa.string())
    return pa.array(column.astype(str).tolist(), pa.string())


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
