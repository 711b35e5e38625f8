"""Output writers: the tidy table (csv, json, parquet) and the human formats (table, markdown).

Human formats are Swedish: labels from the configuration, shares as ``33 % (4 av 12)``,
decimal comma, and the symbols of Swedish official statistics where there is no value:
``..`` undertryckt, ``-`` saknar_data, ``.`` tom_namnare.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .config import Config
from .indicators.catalog import BY_ID, MEAN, SHARE, SUM
from .indicators.tidy import COLUMNS, EMPTY_DENOMINATOR, NO_DATA, SUPPRESSED

SYMBOL = {SUPPRESSED: "..", NO_DATA: "-", EMPTY_DENOMINATOR: "."}
KON_HEADER = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}
HUMAN = ("table", "markdown")
TIDY = ("csv", "json", "parquet")


def number(x: float, decimals: int = 0) -> str:
    """Swedish number: decimal comma, no thousands separator (pastes into Excel as a number)."""
    if decimals == 0 or float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.{decimals}f}".replace(".", ",")


def cells(df: pd.DataFrame) -> list[str]:
    """Every figure of a tidy frame as a person reads it."""
    kinds = [BY_ID[i].kind if i in BY_ID else None for i in df["indikator"]]
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
    dim = BY_ID[indicator].dimension if indicator in BY_ID else None
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
    label = BY_ID[indicator].label if indicator in BY_ID else indicator
    return f"{label}: {dimension_label(config, indicator, dimension)}" if dimension else label


def group_title(config: Config, code: str) -> str:
    if code == "TOTALT":
        return f"TOTALT – {config.project.name}"
    d = next((d for d in config.delprojekt if d.code == code), None)
    return f"{code} – {d.label}" if d else code


def human(tidy: pd.DataFrame, config: Config, fmt: str) -> str:
    """One block per period and delprojekt; rows are indicators, columns K/M/T per scope.

    Before/after pairs that nobody in the block has are left out of the human table (they
    stay in the tidy formats), so the table shows what happened, not every combination.
    """
    from tabulate import tabulate

    if tidy.empty:
        return "Inga indikatorer att visa.\n"
    columns = [(s, k) for s in ("period", "ackumulerat") for k in ("K", "M", "T")]
    headers = ["Indikator"] + [
        f"{KON_HEADER[k]}{' (ack.)' if s == 'ackumulerat' else ''}" for s, k in columns
    ]
    tablefmt = "pipe" if fmt == "markdown" else "simple"
    text = cells(tidy)
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
            body.append([row_label(config, ind, dim), *(values.get(c, "") for c in columns)])
        out.append(tabulate(body, headers=headers, tablefmt=tablefmt, disable_numparse=True))
        out.append("")
    out.append(
        "Teckenförklaring: .. undertryckt (sekretess) · - saknar data · . ej tillämplig (ingen i nämnaren)"
    )
    return "\n".join(out) + "\n"


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


@contextmanager
def atomic(path: str | Path, mode: str = "w", private: bool = False, **kwargs):
    """Write to a temporary file in the same folder, then rename: never a half-written file.

    ``private`` keeps the file readable by its owner only (person-level data)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def targets_human(df: pd.DataFrame, config: Config, fmt: str) -> str:
    from tabulate import tabulate

    previous = "foregaende_period" in df.columns
    headers = ["Delprojekt", "Indikator", "Kön", "Omfång", "Mål", "Resultat", "n av N", "Uppfyllt"]
    if previous:
        label = df["foregaende_period"].dropna()
        headers += [f"Resultat {label.iat[0] if len(label) else 'föregående'}", "n av N (föreg.)"]
    body = []
    for r in df.itertuples(index=False):
        kind = BY_ID[r.indikator].kind
        goal, result, n_of = _target_cells(kind, r.mal, r.varde, r.taljare, r.namnare, r.status)
        met = SYMBOL.get(r.status, "") if r.uppfyllt is None else ("ja" if r.uppfyllt else "nej")
        row = [
            r.delprojekt,
            BY_ID[r.indikator].label,
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


def write_table(
    df: pd.DataFrame,
    columns: list[str],
    human_text,
    fmt: str,
    out: str | Path | None,
    to_arrow=None,
) -> str | None:
    """Write any tidy table (figures, targets) as ``fmt``; ``human_text`` renders table/markdown,
    ``to_arrow`` (default: pandas' conversion) gives the Parquet table."""
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = (
            to_arrow(df) if to_arrow else pa.Table.from_pandas(df[columns], preserve_index=False)
        )
        with atomic(out, "wb") as fh:
            pq.write_table(table, fh)
        return None
    if fmt == "csv":
        text = tidy_csv(df, columns)
    elif fmt == "json":
        text = tidy_json(df, columns)
    else:
        text = human_text(df, fmt)
    if out is None:
        return text
    with atomic(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return None


def write(tidy: pd.DataFrame, config: Config, fmt: str, out: str | Path | None) -> str | None:
    """Render ``tidy`` as ``fmt``; write it atomically to ``out``, or return the text."""
    if fmt == "xlsx":
        from .excel import write_xlsx

        write_xlsx(tidy, config, out)
        return None
    return write_table(tidy, COLUMNS, lambda d, f: human(d, config, f), fmt, out, tidy_arrow)
