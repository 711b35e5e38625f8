"""The second peer: Polars (lazy CSV scans, all cores) computing the core indicators that
``duckdb_peer.py`` computes in SQL, with the same rules, from the same CSV files.

Same indicators, same rules (normalised personnummer with the century rule, kön of the latest
enrolment with one, the activity's delprojekt from the one covering enrolment when empty,
"latest enrolment ending in P" for the share), same output rows, checked the same way
(``duckdb_peer.compare``). Handles data as ``indikator sample`` writes it: a peer for the race,
not a second implementation of validation.

    python benchmarks/polars_peer.py --data DIR --period 2017-05 [--compare]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duckdb_peer import as_figures, main  # noqa: E402

CSV = {"separator": ";", "infer_schema": False, "encoding": "utf8"}


def _person(column: str, ref: dt.date) -> pl.Expr:
    """The normalised id: twelve digits as they are, ten with the century that puts the birth
    date on or before ``ref``, anything else as written."""
    raw = pl.col(column).str.strip_chars()
    c = raw.str.replace_all(r"[-+ ]", "")
    born = pl.date(
        2000 + c.str.slice(0, 2).cast(pl.Int32, strict=False),
        c.str.slice(2, 2).cast(pl.Int32, strict=False),
        c.str.slice(4, 2).cast(pl.Int32, strict=False) % 60,
    )
    ten = pl.when(born > pl.lit(ref)).then(pl.lit("19") + c).otherwise(pl.lit("20") + c)
    return (
        pl.when(c.str.contains(r"^[0-9]{12}$"))
        .then(c)
        .when(c.str.contains(r"^[0-9]{10}$"))
        .then(ten)
        .otherwise(raw)
    )


def _date(column: str) -> pl.Expr:
    s = pl.col(column).str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s).str.to_date("%Y-%m-%d")


def peer(data: Path, config, period) -> pd.DataFrame:
    """The core indicators as rows, like ``duckdb_peer.peer``."""
    data = Path(data)
    a, b, s = period.start, period.end, config.project.start
    codes = config.code_list("avslutsorsak")
    reasons = {c.label.lower(): c.code for c in codes} | {c.code.lower(): c.code for c in codes}
    work = sorted(config.group("arbete_studier"))

    raw_d = pl.scan_csv(data / "deltagare.csv", **CSV).with_row_index("line")
    raw_d = raw_d.with_columns(start=_date("Startdatum"), slut=_date("Slutdatum"))
    ref = raw_d.select(
        pl.max_horizontal("start", pl.col("slut").fill_null(dt.date(1900, 1, 1))).max()
    ).collect()
    ref = ref.item()
    digits = pl.col("Personnummer").str.strip_chars().str.replace_all(r"[-+ ]", "")
    kon_given = (
        pl.col("Kön")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict({"k": "K", "kvinna": "K", "m": "M", "man": "M"}, default=None)
    )
    kon_pnr = (
        pl.when(digits.str.contains(r"^([0-9]{10}|[0-9]{12})$"))
        .then(
            pl.when(digits.str.slice(-2, 1).cast(pl.Int32) % 2 == 1)
            .then(pl.lit("M"))
            .otherwise(pl.lit("K"))
        )
        .otherwise(None)
    )
    d = raw_d.select(
        person=_person("Personnummer", ref),
        kon=pl.coalesce(kon_given, kon_pnr),
        dp=pl.col("Delprojekt").str.strip_chars(),
        start="start",
        slut="slut",
        reason=pl.col("Avslutsorsak")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(reasons, default=None),
        line="line",
    ).collect()
    persons = (
        d.filter(pl.col("kon").is_not_null())
        .sort(["start", "line"])
        .group_by("person")
        .agg(pl.col("kon").last())
    )
    everyone = d.select("person").unique().join(persons, on="person", how="left")

    acts = (
        pl.scan_csv(data / "aktiviteter.csv", **CSV)
        .select(
            person=_person("deltagare_id", ref),
            datum=_date("datum"),
            insatstyp=pl.col("insatstyp").str.strip_chars(),
            dp=pl.col("delprojekt").str.strip_chars().replace("", None),
            timmar=pl.col("timmar")
            .str.strip_chars()
            .str.replace(",", ".")
            .replace("", None)
            .cast(pl.Float64)
            .fill_null(0.0),
        )
        .filter(pl.col("datum").is_between(s, b))  # only the windows' activities are counted
        .collect()
    )
    loose = acts.filter(pl.col("dp").is_null()).with_row_index("id")
    covered = (
        loose.drop("dp")
        .join(d.select("person", "dp", "start", "slut"), on="person")
        .filter(
            (pl.col("start") <= pl.col("datum"))
            & (pl.col("slut").is_null() | (pl.col("slut") >= pl.col("datum")))
        )
        .group_by("id", "person", "datum", "insatstyp", "timmar")
        .agg(pl.col("dp").min(), pl.col("dp").n_unique().alias("n"))
        .filter(pl.col("n") == 1)
        .select(acts.columns)
    )
    acts = pl.concat([acts.filter(pl.col("dp").is_not_null()), covered])

    def both(frame: pl.DataFrame) -> pl.DataFrame:  # each row in its delprojekt and in TOTALT
        return pl.concat(
            [frame.with_columns(grp=pl.col("dp")), frame.with_columns(grp=pl.lit("TOTALT"))]
        )

    dg, ag = both(d), both(acts)
    facts = []
    for omfang, lo in (("period", a), ("ackumulerat", s)):

        def fact(frame, indikator, dimension=None, x=None, omfang=omfang):
            dimension = pl.lit("") if dimension is None else dimension
            x = pl.lit(1.0) if x is None else x
            return frame.group_by("grp", dimension.alias("dimension"), "person").agg(
                indikator=pl.lit(indikator), omfang=pl.lit(omfang), x=x, y=pl.lit(1.0)
            )

        active = dg.filter(
            (pl.col("start") <= b) & (pl.col("slut").is_null() | (pl.col("slut") >= lo))
        )
        ended = dg.filter(pl.col("slut").is_between(lo, b))
        in_window = ag.filter(pl.col("datum").is_between(lo, b))
        last_reason = pl.col("reason").sort_by(["slut", "start"]).last()
        facts += [
            fact(active, "deltagare_aktiva"),
            fact(dg.filter(pl.col("start").is_between(lo, b)), "deltagare_nya"),
            fact(ended, "deltagare_avslutade"),
            fact(
                ended,
                "andel_arbete_studier",
                x=pl.when(last_reason.is_in(work)).then(1.0).otherwise(0.0),
            ),
            fact(in_window, "insats", dimension=pl.col("insatstyp")),
            fact(in_window, "deltagartimmar", x=pl.col("timmar").sum()),
        ]
    f = pl.concat(
        [x.select("indikator", "omfang", "grp", "dimension", "person", "x", "y") for x in facts]
    ).join(everyone, on="person")
    keys = ["indikator", "omfang", "grp", "dimension"]
    agg = [pl.col("x").sum().alias("taljare"), pl.col("y").sum().alias("namnare"), pl.len()]
    by_kon = f.filter(pl.col("kon").is_not_null()).group_by([*keys, "kon"]).agg(agg)
    total = f.group_by(keys).agg(agg).with_columns(kon=pl.lit("T"))
    both_kon = pl.concat([by_kon, total.select(by_kon.columns)])
    return as_figures(both_kon.rename({"grp": "delprojekt", "len": "personer"}).to_pandas())


if __name__ == "__main__":
    sys.exit(main(peer, "Polars"))
