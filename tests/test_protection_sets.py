"""Protection that holds for everything published together (docs/skydd.md): a batch generation
and a series of monthly reports. Suppression table by table leaks there (the audit finds the
cells, the batch refuses); the cell-key method does not: every published count is a multiple
of the rounding base, so no sum or difference of published counts is a small count."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indikator import secret
from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.indicators import exact_figures
from indikator.locations import bundled
from indikator.periods import parse_period
from indikator.protection import published
from indikator.protection.audit import ADDITIVE, recoverable
from indikator.protection.cellkey import counted, how_counted, rounded
from indikator.protection.suppress import suppress
from indikator.sample import write_sample
from indikator.secret import KEY_SPACE, record_keys

B = 5  # MIA's min_cell: the threshold and the rounding base
MONTHS = [f"2017-{m:02d}" for m in range(1, 13)]


def _tidy(rows):
    """A tidy table from (period, omfang, delprojekt, indikator, kon, varde)."""
    df = pd.DataFrame(rows, columns=["period", "omfang", "delprojekt", "indikator", "kon", "varde"])
    df.insert(4, "dimension", "")
    df["taljare"] = np.nan
    df["namnare"] = np.nan
    df["status"] = "ok"
    df["varde"] = df["varde"].astype("float64")
    return df


def _table(period, scope, indicator, k, m):
    """One delprojekt A and TOTALT (the same figures), K/M/T."""
    return [
        (period, scope, g, indicator, kon, v)
        for g in ("A", "TOTALT")
        for kon, v in (("K", k), ("M", m), ("T", k + m))
    ]


def test_audit_finds_what_differencing_gives_back(config):
    # deltagare_nya (added up over time) and deltagare_aktiva (not), with the same figures:
    #   2017-01 period = ackumulerat: K 10, M 10 (the project's second month: see below)
    #   2017-02 period: K 2, M 10 -> K is small; ackumulerat: K 12, M 20, nothing small
    # Table by table, 2017-02's period table hides K and M in both rows (2 is small; then
    # K + M = T needs a second hidden cell, and TOTALT = A the same): 4 unknowns, 3 relations,
    # nothing determined within the table. But for new participants
    # ackumulerat(02) − ackumulerat(01) = period(02): K = 12 − 10 = 2, and M = 20 − 10 = 10.
    rows = []
    for ind in ("deltagare_nya", "deltagare_aktiva"):
        rows += _table("2016-12", "period", ind, 0, 0) + _table("2016-12", "ackumulerat", ind, 0, 0)
        rows += _table("2017-01", "period", ind, 10, 10)
        rows += _table("2017-01", "ackumulerat", ind, 10, 10)
        rows += _table("2017-02", "period", ind, 2, 10)
        rows += _table("2017-02", "ackumulerat", ind, 12, 20)
    shown = suppress(_tidy(rows), B, ["A"], config.indicators)
    hidden = shown[shown["status"] == "undertryckt"]
    # 2 tables × 4 cells hidden: K and M of A and TOTALT, 2017-02, period
    assert len(hidden) == 8 and set(hidden["period"]) == {"2017-02"}
    found = recoverable(shown, config.indicators, config.project.start)
    # all four of deltagare_nya, none of deltagare_aktiva (active persons do not add up)
    assert set(found["indikator"]) == {"deltagare_nya"} and len(found) == 4
    assert set(found["kon"]) == {"K", "M"} and set(found["delprojekt"]) == {"A", "TOTALT"}


def test_audit_sees_a_year_minus_its_months(config):
    # new participants per month: May K 3, M 0; June K 5, M 5; the other ten months K 0, M 5.
    # The year: K 8, M 55, T 63 -- nothing small, all shown. May's table hides K (3) and T
    # (3), in both rows; K + 0 = T alone does not give them: safe within the table. But the
    # year is the sum of its months: May K = 8 − 5 (June) = 3, May T = 63 − (10 + 10 × 5) = 3.
    rows = []
    for period in MONTHS:
        k, m = {"2017-05": (3, 0), "2017-06": (5, 5)}.get(period, (0, 5))
        rows += _table(period, "period", "deltagare_nya", k, m)
    rows += _table("2017", "period", "deltagare_nya", 8, 55)
    shown = suppress(_tidy(rows), B, ["A"], config.indicators)
    hidden = shown[shown["status"] == "undertryckt"]
    may = {("2017-05", "K"), ("2017-05", "T")}
    assert {(r.period, r.kon) for r in hidden.itertuples()} == may
    found = recoverable(shown, config.indicators, config.project.start)
    assert len(found) == 4  # K and T of May, in A and TOTALT
    assert {(r.period, r.kon) for r in found.itertuples()} == may


@given(
    st.lists(st.integers(0, 400), min_size=1, max_size=50),
    st.integers(0, KEY_SPACE - 1),
    st.sampled_from([3, 5, 10]),
)
def test_rounding_is_bounded_and_keeps_no_small_count(ns, key, base):
    n = np.asarray(ns, dtype="float64")
    keys = (np.arange(len(ns)) * 2654435761 + key) % KEY_SPACE
    out = rounded(n, keys, base)
    assert (np.mod(out, base) == 0).all()  # no count 1 … base − 1, no 1s and 2s
    assert (np.abs(out - n) < base).all()  # at most base − 1 away
    assert (out[n == 0] == 0).all()  # zeros stay zeros
    assert (out[np.mod(n, base) == 0] == n[np.mod(n, base) == 0]).all()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 13])
def test_rounding_is_unbiased(n):
    # over keys spread evenly across [0, 2^32), n = q·5 + r rounds up for a share r/5 of them:
    # the mean of the published value is n itself (e.g. 7: 5 for 3/5 of keys, 10 for 2/5)
    keys = np.arange(1000) * (KEY_SPACE // 1000)
    out = rounded(np.full(1000, n), keys, B)
    assert out.mean() == pytest.approx(n, abs=0.01)
    assert set(out) == {B * (n // B), B * (n // B + 1)}


def test_how_counted_is_counted_row_by_row(config):
    # decided once per distinct indicator, it must say what ``counted`` says for each row:
    # a count, a share, a flag (skriftlig_info: shown as it is), a mean, an unknown id and a
    # missing one (neither is perturbed: None)
    catalog = config.indicators
    kinds = {counted(catalog, i) for i in catalog}
    assert {"count", "share", None} <= kinds  # the catalog has each kind the test relies on
    ids = [*catalog, "skriftlig_info", "okänd", None, *reversed(list(catalog))]
    column = pd.Series(ids, dtype=object)
    how = how_counted(catalog, column)
    assert how.tolist() == [counted(catalog, i) for i in ids]
    assert how_counted(catalog, column.iloc[:0]).tolist() == []


def test_record_keys_need_the_secret():
    ids = ["19800101-1234", "19800101-1234", "19900202-2345"]
    one = record_keys(ids, b"a" * 64, "person")
    assert one[0] == one[1] != one[2]  # the same person, the same key
    assert not np.array_equal(one, record_keys(ids, b"b" * 64, "person"))
    assert not np.array_equal(one, record_keys(ids, b"a" * 64, "remisser"))
    assert ((one >= 0) & (one < KEY_SPACE)).all()


def test_record_keys_are_the_documented_hash():
    # the key is BLAKE2b(domain + NUL + id, key=secret, 4 bytes) read big-endian: written out
    # here one id at a time, so that a faster path (one keyed state copied per id, the digests
    # read at once) cannot change any published figure's noise
    import hashlib

    ids = ["19121212-1212", "K1", "19121212-1212", "ö-remiss", ""]
    secret = b"hemlig" * 20  # longer than BLAKE2b's 64-byte key: the first 64 bytes count
    for domain in ("person", "remisser"):
        expected = [
            int.from_bytes(
                hashlib.blake2b(
                    domain.encode() + b"\x00" + i.encode(), key=secret[:64], digest_size=4
                ).digest(),
                "big",
            )
            for i in ids
        ]
        assert record_keys(ids, secret, domain).tolist() == expected


def _documented_key(i: str, secret: bytes, domain: str) -> float:
    import hashlib

    h = hashlib.blake2b(domain.encode() + b"\x00" + i.encode(), key=secret[:64], digest_size=4)
    return float(int.from_bytes(h.digest(), "big"))


@given(
    ids=st.lists(
        st.sampled_from(["19121212-1212", "K1", "ö-remiss", "", "R0001", "7"]) | st.text()
    ),
    form=st.sampled_from(["list", "object", "arrow", "category"]),
    at_once=st.sampled_from([1, 2, 3, secret.KEYED_AT_ONCE]),
)
def test_record_keys_of_every_column_form_are_the_documented_hash(ids, form, at_once):
    # a column reaches record_keys as a list, a Series of Python strings, of Arrow strings or a
    # categorical (repeated ids, in any order): each id's key is its hash written out one by
    # one, however many distinct ids are hashed at a time
    from unittest import mock

    secret_bytes = b"k" * 64
    column = {
        "list": lambda: ids,
        "object": lambda: pd.Series(ids, dtype=object),
        "arrow": lambda: pd.Series(ids, dtype="string[pyarrow]"),
        "category": lambda: pd.Series(ids, dtype="category"),
    }[form]()
    expected = [_documented_key(i, secret_bytes, "remisser") for i in ids]
    with mock.patch.object(secret, "KEYED_AT_ONCE", at_once):
        assert record_keys(column, secret_bytes, "remisser").tolist() == expected


def test_record_keys_of_ids_that_are_not_text_are_their_texts_keys():
    # ids read as numbers (an Excel column of remiss numbers) are keyed by their text as
    # ``str`` writes it, also beside strings: the fast path for all-text ids is not taken
    secret_bytes = b"k" * 64
    for column in ([7, 12, 7], pd.Series([7, "K1", 7], dtype=object), pd.Series([7.5, 1.0])):
        expected = [_documented_key(str(i), secret_bytes, "remisser") for i in column]
        assert record_keys(column, secret_bytes, "remisser").tolist() == expected


# --------------------------------------------------------------------------------------------
# A register of ~200 participants where today's batch leaks


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("skydd")
    text = (bundled() / "configs" / "mia.toml").read_text(encoding="utf-8")
    for method in ("cellnyckel", "undertryckning"):
        (root / f"{method}.toml").write_text(
            text + f'\n[protection]\nmethod = "{method}"\n', encoding="utf-8"
        )
    write_sample(root / "data", load_config(root / "cellnyckel.toml"), size=200, seed=11)
    return root


def _batch(cli, project, method, out):
    return cli(
        "batch",
        "--config",
        str(project / f"{method}.toml"),
        "--data",
        str(project / "data"),
        "--out",
        str(out),
        "--from",
        "2017-01",
        "--to",
        "2017-12",
    )


def _read(text: str) -> pd.DataFrame:
    """A tidy CSV as published: labels as text, figures as numbers."""
    tidy = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in ("varde", "taljare", "namnare"):
        tidy[column] = pd.to_numeric(tidy[column].replace("", np.nan))
    return tidy


def _counts(tidy, catalog):
    """Every published count: (key, column) -> value, for counts of persons and events."""
    how = tidy["indikator"].map(lambda i: counted(catalog, i))
    parts = [tidy[how == "count"].assign(tal="varde", n=lambda d: d["varde"])]
    for column in ("taljare", "namnare"):
        parts.append(tidy[how == "share"].assign(tal=column, n=lambda d, c=column: d[c]))
    out = pd.concat(parts)
    return out[out["n"].notna()]


def _differences(tidy):
    """ackumulerat(m) − ackumulerat(m − 1) per cell and month m (consecutive months): the
    columns of a cell and ``period`` (m), ``diff``."""
    key = ["delprojekt", "indikator", "dimension", "kon", "tal"]
    ack = tidy[tidy["omfang"] == "ackumulerat"]
    parts = []
    for before, after in zip(MONTHS, MONTHS[1:], strict=False):
        a = ack[ack["period"] == after][[*key, "n"]]
        b = ack[ack["period"] == before][[*key, "n"]]
        d = a.merge(b, on=key, suffixes=("", "_before"))
        parts.append(d.assign(period=after, diff=d["n"] - d["n_before"])[[*key, "period", "diff"]])
    return pd.concat(parts, ignore_index=True)


def test_batch_with_suppression_table_by_table_leaks_and_refuses(cli, project, tmp_path):
    config = load_config(project / "undertryckning.toml")
    ds = load_dataset(project / "data", config)
    periods = [parse_period(p) for p in [*MONTHS, "2017-Q1", "2017-T1", "2017-H1", "2017"]]
    shown = published(ds, periods)
    hidden = shown[shown["status"] == "undertryckt"]
    found = recoverable(shown, config.indicators, config.project.start)
    # today's protection: suppressed counts come back from the figures beside them; of new
    # and ended participants per delprojekt and kön (differences over months), 176 of 560
    # on this register (seed 11)
    flow = ["deltagare_nya", "deltagare_avslutade"]
    hidden_flow = hidden[hidden["indikator"].isin(flow)]
    found_flow = found[found["indikator"].isin(flow)]
    assert len(found_flow) > 0.25 * len(hidden_flow) > 0 and len(found) > 1000
    r = _batch(cli, project, "undertryckning", tmp_path / "ut")
    assert r.exit_code == 1
    assert "går att räkna fram" in r.stderr and "inget skrevs" in r.stderr
    assert not (tmp_path / "ut" / "senaste").exists()  # fails closed: nothing published


def test_batch_with_the_cell_key_gives_no_small_count_by_any_combination(cli, project, tmp_path):
    config = load_config(project / "cellnyckel.toml")
    r = _batch(cli, project, "cellnyckel", tmp_path / "ut")
    assert r.exit_code in (0, 3), r.stderr
    text = (tmp_path / "ut" / "senaste" / "indikatorer.csv").read_text(encoding="utf-8")
    tidy = _read(text)
    counts = _counts(tidy, config.indicators)
    # every published count is a multiple of 5: so is every integer combination of them
    # (sums over months, differences over periods, K + M against T), never 1 … 4
    assert len(counts) > 10_000 and (np.mod(counts["n"], B) == 0).all()
    # the exact counts behind them do have small cells, so the test is not vacuous ...
    ds = load_dataset(project / "data", config)
    exact = exact_figures(ds, [parse_period(m) for m in MONTHS])
    exact_counts = _counts(exact, config.indicators)
    small = exact_counts[(exact_counts["n"] > 0) & (exact_counts["n"] < B)]
    assert len(small) > 100
    # ... and differencing two published cumulative tables gives back none of them
    diffs = _differences(counts[counts["indikator"].isin(ADDITIVE)])
    assert (np.mod(diffs["diff"], B) == 0).all()
    key = ["period", "delprojekt", "indikator", "dimension", "kon", "tal"]
    monthly_small = small[(small["omfang"] == "period") & small["indikator"].isin(ADDITIVE)]
    merged = monthly_small.merge(diffs, on=key)
    assert len(merged) > 10 and (merged["diff"] != merged["n"]).all()


def test_the_same_cell_gets_the_same_value_in_every_table_and_run(cli, project, tmp_path):
    # a batch twice, and monthly on its own: the same persons, the same published figures
    config = str(project / "cellnyckel.toml")
    assert _batch(cli, project, "cellnyckel", tmp_path / "a").exit_code in (0, 3)
    assert _batch(cli, project, "cellnyckel", tmp_path / "b").exit_code in (0, 3)
    a = (tmp_path / "a" / "senaste" / "indikatorer.csv").read_text(encoding="utf-8")
    b = (tmp_path / "b" / "senaste" / "indikatorer.csv").read_text(encoding="utf-8")
    assert a == b
    r = cli("monthly", "--config", config, "--data", str(project / "data"), "--period", "2017-05")
    lines = set(a.splitlines())
    shown = r.stdout.splitlines()[1:]
    assert len(shown) > 1000 and set(shown) <= lines  # each line also in the batch's table


def test_twelve_monthly_reports_together(cli, project):
    # the union of twelve monthly reports, as a utredare who publishes every month builds it
    def union(method):
        frames = []
        for month in MONTHS:
            r = cli(
                "monthly",
                "--config",
                str(project / f"{method}.toml"),
                "--data",
                str(project / "data"),
                "--period",
                month,
            )
            assert r.exit_code in (0, 3), r.stderr
            frames.append(_read(r.stdout))
        return pd.concat(frames, ignore_index=True)

    config = load_config(project / "cellnyckel.toml")
    leaky = union("undertryckning")
    found = recoverable(leaky, config.indicators, config.project.start)
    assert len(found) > 0  # table by table: the series gives suppressed counts back
    safe = _counts(union("cellnyckel"), config.indicators)
    assert (np.mod(safe["n"], B) == 0).all()
    diffs = _differences(safe[safe["indikator"].isin(ADDITIVE)])
    assert len(diffs) > 100 and (np.mod(diffs["diff"], B) == 0).all()


def test_every_human_output_says_which_figures_it_shows(cli, tmp_path):
    r = cli("monthly", "--period", "2017-05", "--format", "table")
    assert "Skydd: cellnyckelmetoden" in r.stdout
    assert "stämmer därför inte alltid med totalt" in " ".join(r.stdout.split())  # footer
    r = cli("monthly", "--period", "2017-05", "--format", "markdown", "--min-cell", "0")
    assert "Exakta siffror – ej för publicering" in r.stdout and "avrundade" not in r.stdout
    out = tmp_path / "r.xlsx"
    assert cli("monthly", "--period", "2017-05", "--out", str(out)).exit_code in (0, 3)
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Om rapporten"
    assert "cellnyckelmetoden" in wb["Om rapporten"]["A1"].value
    out = tmp_path / "r.html"
    assert cli("monthly", "--period", "2017-05", "--out", str(out)).exit_code in (0, 3)
    assert "Skydd: cellnyckelmetoden" in out.read_text(encoding="utf-8")
    r = cli("targets", "--period", "2017-05", "--format", "table")
    assert "Skydd: cellnyckelmetoden" in r.stdout


def test_the_secret_is_created_once_owner_only(cli, tmp_path):
    config = tmp_path / "egen.toml"
    config.write_text((bundled() / "configs" / "mia.toml").read_text(encoding="utf-8"))
    data = bundled() / "samples" / "mia"
    first = cli("monthly", "--config", str(config), "--data", str(data), "--period", "2017-05")
    assert "skapade" in first.stderr and (tmp_path / "egen.nyckel").exists()
    assert os.stat(tmp_path / "egen.nyckel").st_mode & 0o077 == 0
    again = cli("monthly", "--config", str(config), "--data", str(data), "--period", "2017-05")
    assert "skapade" not in again.stderr and again.stdout == first.stdout


def test_init_writes_the_secret_beside_the_configuration(tmp_path):
    from indikator.project import init

    written = init(tmp_path / "nytt", "Nytt")
    secret = tmp_path / "nytt" / "indikator.nyckel"
    assert secret in written and os.stat(secret).st_mode & 0o777 == 0o600
    assert len(secret.read_text(encoding="utf-8").splitlines()[-1]) == 64  # 256 random bits
