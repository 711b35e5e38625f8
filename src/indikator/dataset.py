"""Load a dataset folder: read, validate and cross-check the exports; keep what is accepted.

Nothing is lost: every row read is either accepted or rejected with a listed reason, and
``FileCount`` says rows read = accepted + rejected per file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .coding import positions
from .config import Config
from .errors import FileError
from .ids import IdChecker
from .io import find_export, read_table
from .problems import WARNING, FileCount, Problems
from .schema import EXPORTS, Col, codebooks, parse_column, validate_table

EXPORT_ORDER = (
    "deltagare",
    "aktiviteter",
    "matningar",
    "uppfoljningar",
    "remisser",
    "organisationsaktiviteter",
)
OPEN_END = np.datetime64("2262-01-01", "s")  # an open enrolment runs "for ever"


@dataclass
class Dataset:
    config: Config
    folder: Path
    tables: dict[str, pd.DataFrame]  # accepted rows, typed; only exports present
    counts: list[FileCount]
    problems: pd.DataFrame
    persons: pd.DataFrame = field(default_factory=pd.DataFrame)  # person -> kon
    files: dict[str, Path] = field(default_factory=dict)

    def has(self, export: str) -> bool:
        return export in self.tables

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts)


def _reference_date(raw_frame: pd.DataFrame, books) -> dt.date:
    """The latest date in the deltagare export: fixes the century of 10-digit personnummer."""
    latest = pd.NaT
    for c in ("startdatum", "slutdatum"):
        if c in raw_frame.columns:
            values = raw_frame[c]
            parsed = parse_column(values.mask(values == ""), Col("date"), books).values
            if parsed.notna().any():
                latest = parsed.max() if pd.isna(latest) else max(latest, parsed.max())
    return dt.date.today() if pd.isna(latest) else latest.date()


def load_dataset(folder: str | Path, config: Config) -> Dataset:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileError(f"{folder}: datamappen finns inte")
    books = codebooks(config)
    problems = Problems()
    tables: dict[str, pd.DataFrame] = {}
    counts: list[FileCount] = []
    files: dict[str, Path] = {}
    ref: IdChecker | None = None
    bad_rows: dict[str, np.ndarray] = {}
    raws = {}
    for export in EXPORT_ORDER:
        path = find_export(folder, export)
        if path is None:
            if export == "deltagare":
                raise FileError(
                    f"{folder}: exporten deltagare (deltagare.csv eller deltagare.xlsx) saknas"
                )
            continue
        model = EXPORTS[export]
        columns = model.columns()
        required = [n for n, c in columns.items() if c.required]
        aliases = config.aliases.get(export, {})
        raw = read_table(path, export, list(columns), required, aliases, problems)
        if ref is None:
            ref = IdChecker(_reference_date(raw.frame, books))
        parsed, bad = validate_table(raw, model, books, ref, problems)
        tables[export], bad_rows[export], raws[export], files[export] = parsed, bad, raw, path

    dl = _check_deltagare(
        tables["deltagare"], bad_rows["deltagare"], files["deltagare"].name, problems
    )
    tables["deltagare"] = dl
    if "aktiviteter" in tables:
        tables["aktiviteter"] = _check_aktiviteter(
            tables["aktiviteter"], bad_rows["aktiviteter"], dl, files["aktiviteter"].name, problems
        )
    if "matningar" in tables:
        tables["matningar"] = _check_matningar(
            tables["matningar"],
            bad_rows["matningar"],
            dl,
            config,
            files["matningar"].name,
            problems,
        )
    if "uppfoljningar" in tables:
        tables["uppfoljningar"] = _check_uppfoljningar(
            tables["uppfoljningar"],
            bad_rows["uppfoljningar"],
            dl,
            files["uppfoljningar"].name,
            problems,
        )
    if "remisser" in tables:
        tables["remisser"] = _check_remisser(
            tables["remisser"], bad_rows["remisser"], files["remisser"].name, problems
        )
    if "organisationsaktiviteter" in tables:
        name = "organisationsaktiviteter"
        tables[name] = _check_organisation(tables[name], bad_rows[name], files[name].name, problems)

    for export, path in files.items():
        read = len(raws[export].frame)
        rejected = len(problems.rejected_lines(path.name))
        counts.append(FileCount(export, path.name, read, read - rejected, rejected))
        tables[export] = tables[export].reset_index(drop=True)
    return Dataset(
        config, folder, tables, counts, problems.frame(), _persons(tables["deltagare"]), files
    )


# ---------------------------------------------------------------------------------------------
# Cross-row rules. Each takes the parsed frame and the per-cell 'bad' mask, reports new row
# errors, and returns the accepted rows.


def _reject(
    df: pd.DataFrame, mask: np.ndarray, file: str, column: str, values, message, problems: Problems
):
    if mask.any():
        problems.add(
            file,
            df["_line"].to_numpy()[mask],
            column,
            values[mask] if values is not None else "",
            message,
        )


def _check_deltagare(
    df: pd.DataFrame, bad: np.ndarray, file: str, problems: Problems
) -> pd.DataFrame:
    df = df.copy()
    df["start"] = df["startdatum"]
    df["slut"] = df["slutdatum"]
    ok = ~bad
    has_end = df["slut"].notna().to_numpy()
    before = ok & has_end & (df["slut"] < df["start"]).to_numpy()
    _reject(
        df,
        before,
        file,
        "slutdatum",
        df["slutdatum"].astype(str),
        "slutdatum ligger före startdatum",
        problems,
    )
    has_reason = df["avslutsorsak"].notna().to_numpy()
    no_end = ok & has_reason & ~has_end
    _reject(
        df,
        no_end,
        file,
        "avslutsorsak",
        df["avslutsorsak"],
        "avslutsorsak är angiven men slutdatum saknas",
        problems,
    )
    no_reason = ok & has_end & ~has_reason
    _reject(
        df,
        no_reason,
        file,
        "avslutsorsak",
        None,
        "avslutsorsak saknas (slutdatum är angivet)",
        problems,
    )
    ok &= ~(before | no_end | no_reason)

    # Duplicates and overlaps within (person, delprojekt), among rows still accepted.
    cand = df[ok].sort_values(["person", "delprojekt", "start", "_line"], kind="stable")
    key = ["person", "delprojekt", "start"]
    dup = cand.duplicated(key, keep="first")
    first_line = cand.groupby(key, sort=False)["_line"].transform("first")
    dup_idx = cand.index[dup.to_numpy()]
    if len(dup_idx):
        problems.add(
            file,
            df.loc[dup_idx, "_line"].to_numpy(),
            "startdatum",
            df.loc[dup_idx, "startdatum"].astype(str).to_numpy(),
            (
                "dubblett: samma deltagare, delprojekt och startdatum som rad "
                + first_line[dup].astype(str)
            ).to_numpy(),
        )
    cand = cand[~dup.to_numpy()]
    prev_max = _previous_max_end(cand, ["person", "delprojekt"])
    overlap = (prev_max.notna() & (prev_max >= cand["start"])).to_numpy()
    ov_idx = cand.index[overlap]
    if len(ov_idx):
        problems.add(
            file,
            df.loc[ov_idx, "_line"].to_numpy(),
            "startdatum",
            df.loc[ov_idx, "startdatum"].astype(str).to_numpy(),
            "överlappar en tidigare inskrivning av samma deltagare i samma delprojekt",
        )
    accepted = cand[~overlap].sort_values("_line", kind="stable").copy()

    # kön: the given one wins; derived from personnummer when empty; warn on contradiction.
    given, derived = accepted["kon"], accepted["kon_pnr"]
    clash = given.notna() & derived.notna() & (given != derived)
    if clash.any():
        problems.add(
            file,
            accepted.loc[clash, "_line"],
            "kon",
            given[clash],
            "kön stämmer inte med personnumret",
            WARNING,
        )
    accepted["kon"] = given.where(given.notna(), derived)
    unknown = accepted["kon"].isna()
    if unknown.any():
        problems.add(
            file,
            accepted.loc[unknown, "_line"],
            "kon",
            "",
            "kön saknas och kan inte härledas; räknas bara i Totalt",
            WARNING,
        )
    born_year = pd.to_datetime(accepted["born"], errors="coerce").dt.year
    accepted["fodelsear"] = accepted["fodelsear"].where(accepted["fodelsear"].notna(), born_year)

    # A person enrolled in two delprojekt at the same time: legal, but worth a look.
    s = accepted.sort_values(["person", "start"], kind="stable")
    prev = _previous_max_end(s, ["person"])
    both = (prev.notna() & (prev >= s["start"])).to_numpy()
    if both.any():
        problems.add(
            file,
            s.loc[both, "_line"],
            "delprojekt",
            s.loc[both, "delprojekt"],
            "deltagaren är inskriven i två delprojekt samtidigt",
            WARNING,
        )
    return accepted.drop(columns=["startdatum", "slutdatum", "kon_pnr"])


def _previous_max_end(sorted_df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """For rows sorted by start within ``keys``: the latest end among the earlier rows."""
    end = sorted_df["slut"].fillna(OPEN_END)
    groups = [sorted_df[k] for k in keys]
    return end.groupby(groups, sort=False).cummax().groupby(groups, sort=False).shift(1)


def _persons(dl: pd.DataFrame) -> pd.DataFrame:
    """kön of a person = kön of their latest enrolment (latest startdatum) that has one."""
    known = dl[dl["kon"].notna()].sort_values(["person", "start", "_line"], kind="stable")
    last = known.drop_duplicates("person", keep="last")
    persons = pd.Index(pd.unique(dl["person"].to_numpy(dtype=object)), dtype=object)
    kon = np.full(len(persons), None, dtype=object)
    kon[persons.get_indexer(last["person"].to_numpy(dtype=object))] = last["kon"].to_numpy(
        dtype=object
    )
    return pd.DataFrame({"person": pd.Series(persons, dtype=object), "kon": kon})


def _days(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy(dtype="datetime64[s]").astype("datetime64[D]").astype("int64")


class Enrolments:
    """Which enrolment of a person in a delprojekt covers a date, by binary search.

    Within one (person, delprojekt) accepted enrolments never overlap, so the candidate is the
    last one starting on or before the date; it covers the date unless it ended before."""

    SPAN = 1 << 20  # more days than 1900–2099 holds: (key, day) packs into one int64

    def __init__(self, dl: pd.DataFrame):
        self.persons = pd.Index(dl["person"].cat.categories.astype(object), dtype=object)
        self.n_dp = len(dl["delprojekt"].cat.categories)
        key = self._key(dl["person"].cat.codes.to_numpy(), dl["delprojekt"].cat.codes.to_numpy())
        packed = key * self.SPAN + _days(dl["start"]) + self.SPAN // 2
        order = np.argsort(packed, kind="stable")
        self.key, self.packed = key[order], packed[order]
        self.end = _days(dl["slut"].fillna(OPEN_END))[order]

    def _key(self, person: np.ndarray, dp: np.ndarray) -> np.ndarray:
        return person.astype("int64") * self.n_dp + dp

    def person_codes(self, person: pd.Series) -> np.ndarray:
        """Codes of ``person`` (a categorical of another file) among the enrolled persons."""
        return positions(person, self.persons)

    def covers(self, person: np.ndarray, dp: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether an enrolment of ``person`` in ``dp`` covers ``day`` (codes; -1 = none)."""
        if len(self.key) == 0:
            return np.zeros(len(person), dtype=bool)
        key = self._key(person, dp)
        j = np.searchsorted(self.packed, key * self.SPAN + day + self.SPAN // 2, side="right") - 1
        ok = (person >= 0) & (dp >= 0) & (j >= 0)
        j = np.where(ok, j, 0)
        return ok & (self.key[j] == key) & (self.end[j] >= day)


def _check_aktiviteter(
    df: pd.DataFrame, bad: np.ndarray, dl: pd.DataFrame, file: str, problems: Problems
):
    ok = _require_person(df, ~bad, dl, file, problems)
    cand = df[ok]
    en = Enrolments(dl)
    person = en.person_codes(cand["person"])
    day = _days(cand["datum"])
    given = cand["delprojekt"].cat.codes.to_numpy().astype("int64")
    has_dp = given >= 0
    same = en.covers(person, given, day)
    # without a delprojekt: in how many delprojekt does an enrolment cover the date
    n_cover = np.zeros(len(cand), dtype="int64")
    single = np.full(len(cand), -1, dtype="int64")
    rows = np.flatnonzero(~has_dp)
    for d in range(en.n_dp):
        hit = en.covers(person[rows], np.full(len(rows), d), day[rows])
        n_cover[rows] += hit
        single[rows[hit & (single[rows] < 0)]] = d
    outside_given = has_dp & ~same
    outside = ~has_dp & (n_cover == 0)
    ambiguous = ~has_dp & (n_cover > 1)
    idx = cand.index
    for mask, column, msg in (
        (
            outside_given,
            "delprojekt",
            "aktiviteten ligger utanför deltagarens inskrivningar i delprojektet",
        ),
        (outside, "datum", "aktiviteten ligger utanför alla deltagarens inskrivningar"),
        (ambiguous, "delprojekt", "flera inskrivningar täcker datumet; ange delprojekt"),
    ):
        if mask.any():
            vals = cand.loc[idx[mask], column].astype(str).to_numpy()
            problems.add(file, cand.loc[idx[mask], "_line"], column, vals, msg)
    good = ~(outside_given | outside | ambiguous)
    out = cand[good].copy()
    filled = np.where(has_dp, given, single)[good]
    out["delprojekt"] = pd.Categorical.from_codes(filled, cand["delprojekt"].cat.categories)
    return out


def _require_person(
    df, ok, dl, file, problems, message="deltagaren saknar inskrivning i deltagare"
):
    enrolled = pd.Index(dl["person"].astype(object).unique(), dtype=object)
    unknown = ok & df["person"].notna().to_numpy() & (positions(df["person"], enrolled) < 0)
    _reject(df, unknown, file, "deltagare_id", None, message, problems)
    return ok & ~unknown


def _check_matningar(df, bad, dl, config: Config, file, problems):
    ok = _require_person(df, ~bad, dl, file, problems)
    item = positions(df["fraga"], [i.code for i in config.instrument])
    lo = np.append([i.min for i in config.instrument], np.nan)[item]
    hi = np.append([i.max for i in config.instrument], np.nan)[item]
    v = df["varde"].to_numpy(dtype="float64")
    outside = ok & (item >= 0) & ((v < lo) | (v > hi))
    if outside.any():
        msgs = [
            f"värdet ligger utanför frågans skala {int(a)}–{int(b)}"
            for a, b in zip(lo[outside], hi[outside], strict=True)
        ]
        problems.add(
            file,
            df["_line"].to_numpy()[outside],
            "varde",
            [str(int(x)) for x in v[outside]],
            msgs,
        )
    ok &= ~outside
    out = df[ok].copy()
    out["varde"] = out["varde"].astype("int64")
    return out


def _check_uppfoljningar(df, bad, dl, file, problems):
    """Each follow-up is tied to one ended enrolment: the one ending on ``slutdatum``, or the
    person's latest ended enrolment when ``slutdatum`` is empty (column ``slut`` afterwards)."""
    df = df.copy()
    ended = dl[dl["slut"].notna()]
    ok = _require_person(
        df, ~bad, ended, file, problems, "deltagaren har ingen avslutad inskrivning"
    )
    latest = ended.sort_values(["slut", "start"], kind="stable").groupby("person")["slut"].last()
    df["slut"] = df["slutdatum"].where(
        df["slutdatum"].notna(),
        pd.Series(latest.reindex(df["person"]).to_numpy(), index=df.index).astype("datetime64[s]"),
    )
    pairs = pd.MultiIndex.from_frame(ended[["person", "slut"]])
    known = pd.MultiIndex.from_frame(df[["person", "slut"]]).isin(pairs)
    nomatch = ok & df["slutdatum"].notna().to_numpy() & ~known
    _reject(
        df,
        nomatch,
        file,
        "slutdatum",
        df["slutdatum"].dt.strftime("%Y-%m-%d"),
        "ingen inskrivning för deltagaren slutar detta datum",
        problems,
    )
    ok &= ~nomatch
    key = ["person", "slut", "tidpunkt"]
    cand = df[ok]
    dup = cand.duplicated(key, keep="first").to_numpy()
    if dup.any():
        first = cand.groupby(key, sort=False)["_line"].transform("first")
        problems.add(
            file,
            cand["_line"].to_numpy()[dup],
            "tidpunkt",
            cand["tidpunkt"].to_numpy()[dup],
            (
                "dubblett: samma inskrivning har redan en uppföljning vid denna tidpunkt på rad "
                + first.astype(str)
            ).to_numpy()[dup],
        )
    return cand[~dup].drop(columns=["slutdatum"]).copy()


def _check_remisser(df, bad, file, problems):
    ok = ~bad
    dup = (
        ok
        & df["remiss_id"].where(ok).duplicated(keep="first").to_numpy()
        & df["remiss_id"].notna().to_numpy()
    )
    _reject(
        df,
        dup,
        file,
        "remiss_id",
        df["remiss_id"],
        "remiss_id förekommer redan tidigare i filen",
        problems,
    )
    out = df[ok & ~dup].copy()
    out["utfall"] = out["utfall"].fillna("PAGAENDE")
    return out


def _check_organisation(df, bad, file, problems):
    """The rows of one aktivitet_id must agree on datum, delprojekt and typ: a later row that
    disagrees with the activity's first row is a row error."""
    ok = ~bad
    cand = df[ok]
    first = cand.groupby("aktivitet_id", sort=False)[["datum", "delprojekt", "typ"]].transform(
        "first"
    )
    rejected = np.zeros(len(df), dtype=bool)
    for col in ("datum", "delprojekt", "typ"):
        a, b = cand[col], first[col]
        differs = np.zeros(len(df), dtype=bool)
        differs[np.flatnonzero(ok)] = ~((a == b) | (a.isna() & b.isna())).to_numpy()
        differs &= ~rejected  # one message per row: the first column that disagrees
        text = df[col].dt.strftime("%Y-%m-%d") if col == "datum" else df[col].astype(str)
        _reject(
            df,
            differs,
            file,
            col,
            text,
            f"{col} skiljer sig från aktivitetens första rad",
            problems,
        )
        rejected |= differs
    out = df[ok & ~rejected].copy()
    out["antal_handlaggare"] = pd.to_numeric(out["antal_handlaggare"], errors="coerce")
    return out


def pseudonymised(ds: Dataset) -> Dataset:
    """The dataset with every person id replaced by a sequence number (``#17``), the same in
    every table: what the cache stores, so that no personnummer is ever written there."""
    person_columns = [
        (name, col)
        for name, df in ds.tables.items()
        for col in df.columns
        if col == "person" or col.endswith("_person")
    ]
    known = [ds.persons["person"].to_numpy(dtype=object)] + [
        ds.tables[t][c].cat.categories.to_numpy(dtype=object) for t, c in person_columns
    ]
    names = pd.Index(pd.unique(np.concatenate(known)), dtype=object)

    def alias(values) -> list[str]:
        return [f"#{i}" for i in names.get_indexer(pd.Index(values, dtype=object))]

    tables = {name: df.copy() for name, df in ds.tables.items()}
    for t, c in person_columns:
        tables[t][c] = tables[t][c].cat.rename_categories(alias(tables[t][c].cat.categories))
    persons = ds.persons.copy()
    persons["person"] = alias(persons["person"])
    return Dataset(ds.config, ds.folder, tables, ds.counts, ds.problems, persons, ds.files)
