"""The peer baseline: DuckDB computing indikator's core indicators from the same CSV files in SQL.

Core indicators, per delprojekt and TOTALT × K/M/T, for the period and ackumulerat:
deltagare_aktiva, deltagare_nya, deltagare_avslutade, andel_arbete_studier (täljare and
nämnare), insats per insatstyp, deltagartimmar. The SQL applies the same rules as indikator
(normalised personnummer with the century rule, kön of the latest enrolment with one, given or
derived from the personnummer; codes or labels; the activity's delprojekt from the covering
enrolment when empty; "latest enrolment ending in P") so that the benchmark compares equal
work, and ``compare`` checks that the numbers agree.

Handles data as ``indikator sample`` writes it (valid rows only): a peer for the race, not a
second implementation of validation.

    python benchmarks/duckdb_peer.py --data DIR --period 2017-05 [--compare]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import pandas as pd

from indikator.config import load_config
from indikator.periods import parse_period

# The normalised person id from ``raw`` (the cell) and ``c`` (the cell without - + and spaces):
# twelve digits as they are, ten digits with the century that puts the birth date on or before
# the dataset's latest date, anything else (a pseudonym) as written.
PERSON = """
CASE
  WHEN regexp_full_match(c, '[0-9]{12}') THEN c
  WHEN regexp_full_match(c, '[0-9]{10}') THEN
    CASE WHEN make_date(2000 + CAST(substr(c, 1, 2) AS INT), CAST(substr(c, 3, 2) AS INT),
                        CAST(substr(c, 5, 2) AS INT) % 60) > (SELECT r FROM ref)
         THEN '19' || c ELSE '20' || c END
  ELSE raw
END"""
KON_PNR = """CASE WHEN regexp_full_match(c, '[0-9]{10}|[0-9]{12}')
     THEN CASE WHEN CAST(substr(c, -2, 1) AS INT) % 2 = 1 THEN 'M' ELSE 'K' END END"""


def _cells(column: str, table: str) -> str:
    """``table`` with ``raw`` and ``c`` for the id column."""
    return (
        f"(SELECT *, trim({column}) AS raw, regexp_replace(trim({column}), '[-+ ]', '', 'g') AS c"
        f" FROM {table})"
    )


DAYS = "date_diff('day', DATE '1900-01-01', {})"


def sql(data: Path, config, period) -> str:
    a, b, s = period.start, period.end, config.project.start
    dps = config.delprojekt_codes
    codes = config.code_list("avslutsorsak")
    reasons = {c.label.lower(): c.code for c in codes} | {c.code.lower(): c.code for c in codes}
    quote = "'{}'".format
    reason_values = ", ".join(
        f"({quote(k.replace(chr(39), chr(39) * 2))}, {quote(v)})" for k, v in reasons.items()
    )
    work = ", ".join(f"'{c}'" for c in sorted(config.group("arbete_studier")))
    dp_list = ", ".join(f"'{d}'" for d in dps)
    csv = "delim=';', header=true, all_varchar=true"
    return f"""
CREATE TEMP TABLE raw_d AS
  SELECT *, row_number() OVER () AS line FROM read_csv('{data / "deltagare.csv"}', {csv});
CREATE TEMP TABLE ref AS
  SELECT max(greatest(CAST("Startdatum" AS DATE),
                      coalesce(TRY_CAST(nullif("Slutdatum", '') AS DATE), DATE '1900-01-01'))) AS r
  FROM raw_d;
CREATE TEMP TABLE reasons(k VARCHAR, code VARCHAR);
INSERT INTO reasons VALUES {reason_values};
CREATE TEMP TABLE d AS
  SELECT {PERSON} AS person,
         coalesce(
           CASE lower(trim("Kön")) WHEN 'k' THEN 'K' WHEN 'kvinna' THEN 'K'
                                   WHEN 'm' THEN 'M' WHEN 'man' THEN 'M' END,
           {KON_PNR}
         ) AS kon,
         trim("Delprojekt") AS dp,
         CAST("Startdatum" AS DATE) AS start,
         TRY_CAST(nullif(trim("Slutdatum"), '') AS DATE) AS slut,
         (SELECT code FROM reasons WHERE k = lower(trim("Avslutsorsak"))) AS reason,
         line
  FROM {_cells('"Personnummer"', "raw_d")};
CREATE TEMP TABLE persons AS
  SELECT person, arg_max(kon, CAST({DAYS.format("start")} AS BIGINT) * 1000000000 + line) AS kon
  FROM (SELECT person, kon, start, line FROM d WHERE kon IS NOT NULL) GROUP BY person;
CREATE TEMP TABLE all_persons AS
  SELECT DISTINCT d.person, p.kon FROM d LEFT JOIN persons p USING (person);
CREATE TEMP TABLE raw_a AS
  SELECT * FROM read_csv('{data / "aktiviteter.csv"}', {csv});
CREATE TEMP TABLE a AS
  SELECT {PERSON} AS person,
         CAST(datum AS DATE) AS datum,
         trim(insatstyp) AS insatstyp,
         nullif(trim(delprojekt), '') AS dp,
         coalesce(CAST(replace(nullif(trim(timmar), ''), ',', '.') AS DOUBLE), 0) AS timmar
  FROM {_cells("deltagare_id", "raw_a")};
CREATE TEMP TABLE a_dp AS
  SELECT a.person, a.datum, a.insatstyp, a.timmar, a.dp FROM a WHERE a.dp IS NOT NULL
  UNION ALL
  SELECT x.person, x.datum, x.insatstyp, x.timmar, min(d.dp)
  FROM (SELECT *, row_number() OVER () AS id FROM a WHERE dp IS NULL) x
  JOIN d ON d.person = x.person AND d.start <= x.datum AND (d.slut IS NULL OR d.slut >= x.datum)
  GROUP BY x.id, x.person, x.datum, x.insatstyp, x.timmar
  HAVING count(DISTINCT d.dp) = 1;
CREATE TEMP TABLE w(omfang VARCHAR, a DATE, b DATE);
INSERT INTO w VALUES ('period', DATE '{a}', DATE '{b}'), ('ackumulerat', DATE '{s}', DATE '{b}');
CREATE TEMP TABLE g(grp VARCHAR);
INSERT INTO g SELECT unnest([{dp_list}, 'TOTALT']);
-- every enrolment in its delprojekt and in TOTALT
CREATE TEMP TABLE dg AS
  SELECT d.*, d.dp AS grp FROM d UNION ALL SELECT d.*, 'TOTALT' AS grp FROM d;
CREATE TEMP TABLE ag AS
  SELECT a_dp.*, a_dp.dp AS grp FROM a_dp UNION ALL SELECT a_dp.*, 'TOTALT' AS grp FROM a_dp;
CREATE TEMP TABLE facts AS
  -- persons per (indicator, omfang, grp, dimension)
  SELECT 'deltagare_aktiva' AS indikator, w.omfang, dg.grp, '' AS dimension, dg.person,
         1.0 AS x, 1.0 AS y
  FROM dg, w WHERE dg.start <= w.b AND (dg.slut IS NULL OR dg.slut >= w.a)
  GROUP BY ALL
  UNION ALL
  SELECT 'deltagare_nya', w.omfang, dg.grp, '', dg.person, 1.0, 1.0
  FROM dg, w WHERE dg.start BETWEEN w.a AND w.b GROUP BY ALL
  UNION ALL
  SELECT 'deltagare_avslutade', w.omfang, dg.grp, '', dg.person, 1.0, 1.0
  FROM dg, w WHERE dg.slut BETWEEN w.a AND w.b GROUP BY ALL
  UNION ALL
  SELECT 'andel_arbete_studier', omfang, grp, '', person,
         CASE WHEN arg_max(reason, CAST({DAYS.format("slut")} AS BIGINT) * 100000
                               + {DAYS.format("start")}) IN ({work})
              THEN 1.0 ELSE 0.0 END, 1.0
  FROM (SELECT w.omfang, dg.* FROM dg, w WHERE dg.slut BETWEEN w.a AND w.b)
  GROUP BY omfang, grp, person
  UNION ALL
  SELECT 'insats', w.omfang, ag.grp, ag.insatstyp, ag.person, 1.0, 1.0
  FROM ag, w WHERE ag.datum BETWEEN w.a AND w.b GROUP BY ALL
  UNION ALL
  SELECT 'deltagartimmar', w.omfang, ag.grp, '', ag.person, sum(ag.timmar), 1.0
  FROM ag, w WHERE ag.datum BETWEEN w.a AND w.b GROUP BY w.omfang, ag.grp, ag.person;
SELECT f.indikator, f.omfang, f.grp AS delprojekt, f.dimension,
       CASE WHEN GROUPING(p.kon) = 1 THEN 'T' ELSE p.kon END AS kon,
       sum(f.x) AS taljare, sum(f.y) AS namnare, count(*) AS personer
FROM facts f JOIN all_persons p USING (person)
GROUP BY GROUPING SETS ((f.indikator, f.omfang, f.grp, f.dimension, p.kon),
                        (f.indikator, f.omfang, f.grp, f.dimension))
HAVING GROUPING(p.kon) = 1 OR p.kon IS NOT NULL
ORDER BY ALL;
"""


def peer(data: Path, config, period) -> pd.DataFrame:
    """The core indicators as rows: indikator, omfang, delprojekt, dimension, kon, varde,
    taljare, namnare (shares) — nothing but what SQL gives."""
    con = duckdb.connect()
    *setup, query = [q for q in sql(Path(data).resolve(), config, period).split(";\n") if q.strip()]
    for statement in setup:
        con.execute(statement)
    return as_figures(con.execute(query).df())


def as_figures(df: pd.DataFrame) -> pd.DataFrame:
    """A peer's sums (taljare, namnare, personer per cell) as indikator's figures: persons
    counted, hours summed, the share as numerator over denominator."""
    share = df["indikator"] == "andel_arbete_studier"
    hours = df["indikator"] == "deltagartimmar"
    df["varde"] = df["personer"].where(~hours, df["taljare"]).astype("float64")
    df.loc[share, "varde"] = df.loc[share, "taljare"] / df.loc[share, "namnare"]
    df["taljare"] = df["taljare"].where(share)
    df["namnare"] = df["namnare"].where(share)
    return df.drop(columns="personer")


CORE = [
    "deltagare_aktiva",
    "deltagare_nya",
    "deltagare_avslutade",
    "andel_arbete_studier",
    "insats",
    "deltagartimmar",
]
KEY = ["indikator", "omfang", "delprojekt", "dimension", "kon"]


def compare(sql_rows: pd.DataFrame, tidy: pd.DataFrame) -> list[str]:
    """Differences between the peer's figures and indikator's (empty list: they agree). Rows
    the peer lacks are zero (SQL has no row where nobody is counted)."""
    ours = tidy[tidy["indikator"].isin(CORE)].copy()
    ours["dimension"] = ours["dimension"].fillna("").astype(str)
    merged = ours.merge(sql_rows, on=KEY, how="outer", suffixes=("", "_sql"), indicator="side")
    problems = []
    for r in merged.itertuples():
        if r.side == "right_only":
            problems.append(
                f"only in SQL: {r.indikator} {r.omfang} {r.delprojekt} {r.dimension} {r.kon}"
            )
            continue
        share = r.indikator == "andel_arbete_studier"
        pairs = (
            [(r.taljare, r.taljare_sql), (r.namnare, r.namnare_sql)]
            if share
            else [(r.varde, r.varde_sql)]
        )
        for got, want in pairs:
            want = 0.0 if pd.isna(want) else float(want)
            got = 0.0 if pd.isna(got) else float(got)
            if abs(got - want) > 1e-6 * max(1.0, abs(want)):
                problems.append(
                    f"{r.indikator} {r.omfang} {r.delprojekt} {r.dimension} {r.kon}: "
                    f"indikator {got}, SQL {want}"
                )
    return problems


def main(peer=peer, name: str = "DuckDB") -> int:
    """The command line of a peer: its rows, or with ``--compare`` the differences from
    indikator's figures (exit 1 when there are any)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--period", default="2017-05")
    parser.add_argument("--config", type=Path)
    parser.add_argument("--compare", action="store_true", help="check against indikator")
    args = parser.parse_args()
    config = load_config(args.config)
    period = parse_period(args.period)
    rows = peer(args.data, config, period)
    if not args.compare:
        print(f"{len(rows)} rader")
        return 0
    from indikator.dataset import load_dataset
    from indikator.indicators import exact_figures as compute

    tidy = compute(load_dataset(args.data, config), [period], CORE)
    problems = compare(rows, tidy)
    for p in problems[:20]:
        print(p, file=sys.stderr)
    print(f"{len(rows)} rader från {name}; {len(problems)} skillnader mot indikator")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
