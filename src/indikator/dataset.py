"""Load a dataset folder: read, validate and cross-check the exports; keep what is accepted.

Nothing is lost: every file in the folder is read or reported, every row read is either
accepted or rejected with a listed reason, and ``FileCount`` says rows read = accepted +
rejected per file. A row that fails only because its enrolment was rejected says so (its
cause, ``causes.py``), never a reason that is not true.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .causes import Found, Rejected
from .coding import positions
from .config import Config
from .errors import FileError
from .ids import IdChecker, check_unique_ids, short_form
from .io import missing_export, read_table, scan_folder
from .problems import FileCount, Problems
from .schema import EXPORTS, Col, codebooks, parse_column, validate_table

EXPORT_ORDER = (
    "deltagare",
    "aktiviteter",
    "matningar",
    "uppfoljningar",
    "remisser",
    "organisationsaktiviteter",
)
# Exports of events, where an exact copy of an earlier row (every cell equal) is worth a
# warning: the same occasion may have been registered twice, or a file pasted into itself.
# Each row still counts, as the contract has it (one row per occasion); deltagare,
# uppfoljningar and remisser have keys of their own, and a repeated key is a row error there.
COPIES_WARNED = ("aktiviteter", "matningar", "organisationsaktiviteter")
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
    latest: dt.date | None = None  # the latest date of the accepted rows, not in the future

    def has(self, export: str) -> bool:
        return export in self.tables

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts)


@dataclass
class Reference:
    """The reference date of the century rule for ten-digit personnummer: the latest start or
    end date in deltagare that is not in the future (a typo like 2091 or a placeholder like
    2099-12-31 cannot move it). ``line``/``column``/``without`` tell the one row that alone
    set it, and the reference the other rows give."""

    date: dt.date
    line: int | None = None
    column: str | None = None
    without: dt.date | None = None


def reference_date(raw, books, today: dt.date, problems: Problems) -> Reference:
    dates, lines, columns = [], [], []
    for c in ("startdatum", "slutdatum"):
        if c not in raw.frame.columns:
            continue
        values = raw.frame[c]
        parsed = parse_column(values.mask(values == ""), Col("date"), books).values
        d = parsed.to_numpy(dtype="datetime64[s]")
        future = ~np.isnat(d) & (d > np.datetime64(today))
        if future.any():
            problems.add(
                "framtida_datum",
                raw.file,
                raw.frame["_line"].to_numpy()[future],
                c,
                values[future],
                f"datumet ligger i framtiden (efter {today.isoformat()}); kontrollera det",
            )
        ok = ~np.isnat(d) & ~future
        dates.append(d[ok])
        lines.append(raw.frame["_line"].to_numpy()[ok])
        columns += [c] * int(ok.sum())
    d = np.concatenate(dates) if dates else np.array([], dtype="datetime64[s]")
    if len(d) == 0:
        return Reference(today)
    top = d.max()
    holders = np.flatnonzero(d == top)
    ref = Reference(pd.Timestamp(top).date())
    if len(holders) == 1 and len(d) > 1:
        i = int(holders[0])
        ref.line, ref.column = int(np.concatenate(lines)[i]), columns[i]
        ref.without = pd.Timestamp(np.delete(d, i).max()).date()
    return ref


def _century_warning(raw, ref: Reference, problems: Problems) -> None:
    """Name the row whose date alone decides the century of some ten-digit personnummer."""
    if ref.line is None or "deltagare_id" not in raw.frame.columns:
        return
    ids = pd.unique(raw.frame["deltagare_id"].to_numpy(dtype=object))
    short = np.array([v for v in ids if v and short_form(v)], dtype=object)
    if len(short) == 0:
        return
    a = check_unique_ids(short, ref.date)["person"]
    b = check_unique_ids(short, ref.without)["person"]
    changed = int((a.notna() & (a != b)).sum())
    if changed:
        value = raw.frame.loc[raw.frame["_line"] == ref.line, ref.column].iat[0]
        problems.add(
            "referensdatum",
            raw.file,
            [ref.line],
            ref.column,
            value,
            f"det senaste datumet i deltagare avgör århundradet för {changed} "
            f"{'tiosiffrigt' if changed == 1 else 'tiosiffriga'} personnummer (utan raden "
            "skulle de räknas som födda 100 år tidigare eller senare); kontrollera datumet",
        )


def load_dataset(folder: str | Path, config: Config, today: dt.date | None = None) -> Dataset:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileError(f"{folder}: datamappen finns inte")
    today = today or dt.date.today()
    books = codebooks(config)
    problems = Problems()
    scanned = scan_folder(folder, EXPORT_ORDER, problems)
    if "deltagare" not in scanned.files:
        raise missing_export(folder, "deltagare", scanned)
    files = {e: scanned.files[e] for e in EXPORT_ORDER if e in scanned.files}
    parsed: dict[str, pd.DataFrame] = {}
    bad_rows: dict[str, np.ndarray] = {}
    raws = {}
    ids: IdChecker | None = None
    for export, path in files.items():
        model = EXPORTS[export]
        columns = model.columns()
        required = [n for n, c in columns.items() if c.required]
        aliases = config.aliases.get(export, {})
        raw = read_table(
            path, export, list(columns), required, aliases, problems, export in COPIES_WARNED
        )
        if ids is None:
            ref = reference_date(raw, books, today, problems)
            _century_warning(raw, ref, problems)
            ids = IdChecker(ref.date)
        parsed[export], bad_rows[export] = validate_table(raw, model, books, ids, problems)
        raws[export] = raw

    file_of = {e: p.name for e, p in files.items()}
    dl = _check_deltagare(
        parsed["deltagare"], bad_rows["deltagare"], file_of["deltagare"], problems
    )
    rejected = Rejected.build(
        file_of["deltagare"],
        parsed["deltagare"],
        dl.index,
        raws["deltagare"].frame["deltagare_id"].to_numpy(dtype=object),
        raws["deltagare"].unread,
        problems.messages(file_of["deltagare"]),
    )
    tables = {"deltagare": dl}
    checks = {
        "aktiviteter": lambda df, bad, f: _check_aktiviteter(df, bad, dl, rejected, f, problems),
        "matningar": lambda df, bad, f: _check_matningar(
            df, bad, dl, rejected, config, f, problems
        ),
        "uppfoljningar": lambda df, bad, f: _check_uppfoljningar(
            df, bad, dl, rejected, f, problems
        ),
        "remisser": lambda df, bad, f: _check_remisser(df, bad, f, problems),
        "organisationsaktiviteter": lambda df, bad, f: _check_organisation(df, bad, f, problems),
    }
    for export, check in checks.items():
        if export in parsed:
            tables[export] = check(parsed[export], bad_rows[export], file_of[export])

    counts: list[FileCount] = []
    for export, path in files.items():
        read = len(raws[export].frame)
        rejected_n = len(problems.rejected_lines(path.name))
        copies = 0
        if export in COPIES_WARNED:
            copies = _exact_copies(tables[export], raws[export], problems)
        counts.append(FileCount(export, path.name, read, read - rejected_n, rejected_n, copies))
        tables[export] = tables[export].reset_index(drop=True)
    return Dataset(
        config,
        folder,
        tables,
        counts,
        problems.frame(),
        _persons(tables["deltagare"]),
        files,
        _latest(tables, today),
    )


def _latest(tables: dict[str, pd.DataFrame], today: dt.date) -> dt.date | None:
    """The latest date of any accepted row that is not in the future."""
    latest = None
    for df in tables.values():
        for c in ("start", "slut", "datum"):
            if c in df.columns:
                d = df[c].to_numpy(dtype="datetime64[s]")
                d = d[~np.isnat(d) & (d <= np.datetime64(today))]
                if len(d):
                    top = pd.Timestamp(d.max()).date()
                    latest = top if latest is None else max(latest, top)
    return latest


def _exact_copies(df: pd.DataFrame, raw, problems: Problems) -> int:
    """Accepted rows that are exact copies of an earlier accepted row: a warning naming both
    lines. Both count (one row per occasion); the warning says so."""
    key = raw.row_key[df.index.to_numpy()]
    copy = pd.Series(key).duplicated(keep="first").to_numpy()
    if not copy.any():
        return 0
    first = pd.Series(df["_line"].to_numpy()).groupby(key).transform("first").to_numpy()
    problems.add(
        "exakt_dubblett",
        raw.file,
        df["_line"].to_numpy()[copy],
        None,
        "",
        [
            f"raden är en exakt kopia av rad {n}; båda räknas (ta bort den ena om samma "
            "tillfälle har registrerats två gånger)"
            for n in first[copy]
        ],
    )
    return int(copy.sum())


# ---------------------------------------------------------------------------------------------
# Cross-row rules. Each takes the parsed frame and the per-cell 'bad' mask, reports new row
# errors, and returns the accepted rows.


def _reject(
    code: str,
    df: pd.DataFrame,
    mask: np.ndarray,
    file: str,
    column: str,
    values,
    message,
    problems: Problems,
):
    if mask.any():
        problems.add(
            code,
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
        "slut_fore_start",
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
        "avslutsorsak_utan_slut",
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
        "slut_utan_avslutsorsak",
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
    first_line = cand.groupby(key, sort=False, observed=True)["_line"].transform("first")
    dup_idx = cand.index[dup.to_numpy()]
    if len(dup_idx):
        problems.add(
            "dubblett",
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
            "overlapp",
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
            "kon_motsager_personnummer",
            file,
            accepted.loc[clash, "_line"],
            "kon",
            given[clash],
            "kön stämmer inte med personnumret",
        )
    accepted["kon"] = given.where(given.notna(), derived)
    unknown = accepted["kon"].isna()
    if unknown.any():
        problems.add(
            "kon_saknas",
            file,
            accepted.loc[unknown, "_line"],
            "kon",
            "",
            "kön saknas och kan inte härledas; räknas bara i Totalt",
        )
    born_year = pd.to_datetime(accepted["born"], errors="coerce").dt.year
    accepted["fodelsear"] = accepted["fodelsear"].where(accepted["fodelsear"].notna(), born_year)

    # A person enrolled in two delprojekt at the same time: legal, but worth a look.
    s = accepted.sort_values(["person", "start"], kind="stable")
    prev = _previous_max_end(s, ["person"])
    both = (prev.notna() & (prev >= s["start"])).to_numpy()
    if both.any():
        problems.add(
            "samtidig_inskrivning",
            file,
            s.loc[both, "_line"],
            "delprojekt",
            s.loc[both, "delprojekt"],
            "deltagaren är inskriven i två delprojekt samtidigt",
        )
    return accepted.drop(columns=["startdatum", "slutdatum", "kon_pnr"])


def _previous_max_end(sorted_df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """For rows sorted by start within ``keys``: the latest end among the earlier rows."""
    end = sorted_df["slut"].fillna(OPEN_END)
    groups = [sorted_df[k] for k in keys]
    cummax = end.groupby(groups, sort=False, observed=True).cummax()
    return cummax.groupby(groups, sort=False, observed=True).shift(1)


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


def _consequences(df, rows, column, file, problems, found: Found) -> np.ndarray:
    """Report ``rows`` (positions in ``df``) as consequences where ``found`` gave a cause;
    returns which of them had one (the others keep their own reason)."""
    has = found.line >= 0
    if has.any():
        problems.add(
            "foljdfel",
            file,
            df["_line"].to_numpy()[rows[has]],
            column,
            "",
            found.message[has],
            found.cause[has],
        )
    return has


def _check_aktiviteter(df, bad, dl, rejected: Rejected, file, problems):
    ok = _require_person(df, ~bad, dl, rejected, file, problems)
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
    for mask, code, column, msg in (
        (
            outside_given,
            "utanfor_delprojekt",
            "delprojekt",
            "aktiviteten ligger utanför deltagarens inskrivningar i delprojektet",
        ),
        (
            outside,
            "utanfor_inskrivningar",
            "datum",
            "aktiviteten ligger utanför alla deltagarens inskrivningar",
        ),
    ):
        at = np.flatnonzero(mask)
        if len(at):
            found = rejected.covering(cand["person"].iloc[at], given[at], day[at])
            caused = _consequences(cand, at, column, file, problems, found)
            rest = at[~caused]
            vals = cand[column].astype(str).to_numpy()[rest]
            problems.add(code, file, cand["_line"].to_numpy()[rest], column, vals, msg)
    if ambiguous.any():
        problems.add(
            "flera_inskrivningar",
            file,
            cand["_line"].to_numpy()[ambiguous],
            "delprojekt",
            "",
            "flera inskrivningar täcker datumet; ange delprojekt",
        )
    good = ~(outside_given | outside | ambiguous)
    out = cand[good].copy()
    filled = np.where(has_dp, given, single)[good]
    out["delprojekt"] = pd.Categorical.from_codes(filled, cand["delprojekt"].cat.categories)
    return out


def _require_person(
    df,
    ok,
    dl,
    rejected: Rejected,
    file,
    problems,
    code="saknar_inskrivning",
    message="deltagaren saknar inskrivning i deltagare",
    enrolled_anyhow=None,
):
    """Rows whose person has no enrolment in ``dl``: a consequence where the enrolment was
    rejected, otherwise ``code``."""
    enrolled = pd.Index(dl["person"].astype(object).unique(), dtype=object)
    unknown = ok & df["person"].notna().to_numpy() & (positions(df["person"], enrolled) < 0)
    at = np.flatnonzero(unknown)
    if len(at):
        person = df["person"].iloc[at]
        found = rejected.of_persons(person)
        if enrolled_anyhow is not None:  # the person is enrolled, but not as ``dl`` asks
            found = enrolled_anyhow(person)
        caused = _consequences(df, at, "deltagare_id", file, problems, found)
        rest = at[~caused]
        if len(rest):
            problems.add(code, file, df["_line"].to_numpy()[rest], "deltagare_id", "", message)
    return ok & ~unknown


def _check_matningar(df, bad, dl, rejected, config: Config, file, problems):
    ok = _require_person(df, ~bad, dl, rejected, file, problems)
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
            "utanfor_skala",
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


def _check_uppfoljningar(df, bad, dl, rejected: Rejected, file, problems):
    """Each follow-up is tied to one ended enrolment: the one ending on ``slutdatum``, or the
    person's latest ended enrolment when ``slutdatum`` is empty (column ``slut`` afterwards)."""
    df = df.copy()
    ok = _require_person(df, ~bad, dl, rejected, file, problems)
    ended = dl[dl["slut"].notna()]

    def of_ended(person: pd.Series):
        """Enrolled, but no accepted enrolment ended: one that ended may have been rejected."""
        none = np.full(len(person), -1)
        return rejected.covering(person, none, none, ended=True)

    ok = _require_person(
        df,
        ok,
        ended,
        rejected,
        file,
        problems,
        "ingen_avslutad_inskrivning",
        "deltagaren har ingen avslutad inskrivning",
        of_ended,
    )
    latest = (
        ended.sort_values(["slut", "start"], kind="stable")
        .groupby("person", observed=True)["slut"]
        .last()
    )
    latest_of = pd.Series(latest.to_numpy(), index=pd.Index(latest.index.astype(object)))
    at_person = latest_of.reindex(df["person"].astype(object)).to_numpy()
    df["slut"] = df["slutdatum"].where(
        df["slutdatum"].notna(),
        pd.Series(at_person, index=df.index).astype("datetime64[s]"),
    )
    # "the latest ended enrolment" may be on a rejected row: then the follow-up is its
    later, line = rejected.latest_ended(df["person"])
    empty = ok & df["slutdatum"].isna().to_numpy()
    theirs = empty & ~np.isnat(later) & (later > df["slut"].to_numpy(dtype="datetime64[s]"))
    at = np.flatnonzero(theirs)
    if len(at):
        found = rejected.found_at(line[at])
        _consequences(df, at, "deltagare_id", file, problems, found)
    ok &= ~theirs
    pairs = pd.MultiIndex.from_frame(ended[["person", "slut"]].astype({"person": object}))
    known = pd.MultiIndex.from_frame(df[["person", "slut"]].astype({"person": object})).isin(pairs)
    nomatch = ok & df["slutdatum"].notna().to_numpy() & ~known
    at = np.flatnonzero(nomatch)
    if len(at):
        found = rejected.covering(
            df["person"].iloc[at], np.full(len(at), -1), _days(df["slutdatum"].iloc[at]), ended=True
        )
        caused = _consequences(df, at, "slutdatum", file, problems, found)
        rest = at[~caused]
        problems.add(
            "inget_slutdatum",
            file,
            df["_line"].to_numpy()[rest],
            "slutdatum",
            df["slutdatum"].dt.strftime("%Y-%m-%d").to_numpy()[rest],
            "ingen inskrivning för deltagaren slutar detta datum",
        )
    ok &= ~nomatch
    key = ["person", "slut", "tidpunkt"]
    cand = df[ok]
    dup = cand.duplicated(key, keep="first").to_numpy()
    if dup.any():
        first = cand.groupby(key, sort=False, observed=True)["_line"].transform("first")
        problems.add(
            "dubblett",
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
        "dubblett",
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
            "olika_aktivitetsuppgifter",
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
    """The dataset as the cache stores it: only the columns the indicators use, and every
    person id replaced by a sequence number (``#17``), the same in every table; free text
    (``detalj``, ``remiss_id``) is dropped and ``aktivitet_id`` becomes a number, since any
    of them may hold a personnummer typed by hand."""
    tables = {
        name: df.drop(columns=[c for c in ("detalj", "remiss_id") if c in df.columns])
        for name, df in ds.tables.items()
    }
    org = "organisationsaktiviteter"
    if org in tables:
        tables[org] = tables[org].assign(
            aktivitet_id=pd.factorize(tables[org]["aktivitet_id"])[0].astype("int64")
        )
    person_columns = [
        (name, col)
        for name, df in tables.items()
        for col in df.columns
        if col == "person" or col.endswith("_person")
    ]
    known = [ds.persons["person"].to_numpy(dtype=object)] + [
        tables[t][c].cat.categories.to_numpy(dtype=object) for t, c in person_columns
    ]
    names = pd.Index(pd.unique(np.concatenate(known)), dtype=object)

    def alias(values) -> list[str]:
        return [f"#{i}" for i in names.get_indexer(pd.Index(values, dtype=object))]

    for t, c in person_columns:
        tables[t][c] = tables[t][c].cat.rename_categories(alias(tables[t][c].cat.categories))
    persons = ds.persons.copy()
    persons["person"] = alias(persons["person"])
    return Dataset(
        ds.config, ds.folder, tables, ds.counts, ds.problems, persons, ds.files, ds.latest
    )
