"""A seeded synthetic dataset in the SUS shape, with all six exports.

Realistic on purpose: returning participants, people in two delprojekt, anonymous
participants, missing kön, ten-digit personnummer next to twelve-digit ones, samordningsnummer,
labels instead of codes, decimal commas, activities in every insatstyp and answers every three
months. Vectorised with numpy so that the national-scale benchmark (250 000 participants,
10 million activities) is generated in seconds. The data is valid: every row is accepted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_file as atomic
from .config import Config

DAY = np.timedelta64(1, "D")
SUS_HEADERS = {
    "deltagare_id": "Personnummer",
    "kon": "Kön",
    "fodelsear": "Födelseår",
    "delprojekt": "Delprojekt",
    "startdatum": "Startdatum",
    "slutdatum": "Slutdatum",
    "avslutsorsak": "Avslutsorsak",
    "anvisande_organisation": "Anvisande organisation",
    "sysselsattning_fore": "Sysselsättning före",
    "sysselsattning_efter": "Sysselsättning efter",
    "forsorjning_fore": "Försörjning före",
    "forsorjning_efter": "Försörjning efter",
}


def _pick(rng, codes: list[str], weights: list[float], n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(np.asarray(codes, dtype=object), size=n, p=w / w.sum())


def _personnummer(rng, n: int, first_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Valid 12-digit personnummer (1% samordningsnummer), with kön and birth year: born in
    the 45 years from ``first_year``."""
    from .ids import luhn_valid

    born = np.datetime64(f"{first_year}-01-01") + rng.integers(0, 365 * 45, n) * DAY
    ymd = pd.DatetimeIndex(born)
    year, month = ymd.year.to_numpy(), ymd.month.to_numpy()
    day = ymd.day.to_numpy() + np.where(rng.random(n) < 0.01, 60, 0)
    kon = np.where(rng.random(n) < 0.55, "K", "M")
    serial = rng.integers(0, 100, n) * 10 + rng.integers(0, 5, n) * 2 + (kon == "M")
    # two people never share a personnummer: redraw the serial of any repeat
    key = pd.Series((year * 10000 + month * 100 + day) * 1000 + serial)
    while (dup := key.duplicated().to_numpy()).any():
        serial[dup] = rng.integers(0, 500, dup.sum()) * 2 + (kon[dup] == "M")
        key = pd.Series((year * 10000 + month * 100 + day) * 1000 + serial)
    nine = np.stack(
        [
            (year // 10) % 10,
            year % 10,
            month // 10,
            month % 10,
            day // 10,
            day % 10,
            serial // 100,
            (serial // 10) % 10,
            serial % 10,
        ],
        axis=1,
    )
    # the check digit is the one of 0–9 that makes the ten digits pass Luhn
    candidates = np.stack(
        [luhn_valid(np.hstack([nine, np.full((n, 1), c)])) for c in range(10)], axis=1
    )
    check = candidates.argmax(axis=1)
    ids = np.array(
        [
            f"{y:04d}{m:02d}{d:02d}{s:03d}{c}"
            for y, m, d, s, c in zip(
                year.tolist(),
                month.tolist(),
                day.tolist(),
                serial.tolist(),
                check.tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    return ids, kon, year


def _formats(rng, ids: np.ndarray) -> np.ndarray:
    """Write personnummer as exports do: mostly YYYYMMDD-NNNN, some without dash or century."""
    r = rng.random(len(ids))
    out = np.array([f"{p[:8]}-{p[8:]}" for p in ids], dtype=object)
    out[r < 0.15] = ids[r < 0.15]
    short = r > 0.92
    out[short] = [f"{p[2:8]}-{p[8:]}" for p in ids[short]]
    return out


def _with_esf_columns(deltagare, config: Config, rng, idx, start, open_, syss_fore):
    """The ESF characteristics, with the gaps of a real register (a separate random stream:
    the other columns are the same with or without them). Education is a person's, kept
    across enrolments; ``X`` (icke-binär) is written for a few persons when the programme
    asks for it (ESF+)."""
    from .schema import COLUMN_TEXT

    n, persons = len(idx), int(idx.max()) + 1 if len(idx) else 0
    levels = [c.code for c in config.code_list("utbildningsniva")]
    level = (
        _pick(
            rng,
            levels,
            [1 if c.isced is None else 3 for c in config.codes.utbildningsniva],
            persons,
        )
        if levels
        else np.full(persons, "", dtype=object)
    )
    level = np.where(rng.random(persons) < 0.1, "", level)[idx]
    unemployed = np.isin(syss_fore, [c.upper() for c in config.esf.status.get("arbetslos", [])])
    since = start - rng.integers(20, 1100, n) * DAY
    since_text = np.where(unemployed & (rng.random(n) < 0.85), _iso(since), "")

    def yes_no(p_yes: float, p_blank: float) -> np.ndarray:
        r = rng.random(n)
        return np.where(r < p_blank, "", np.where(r < p_blank + p_yes, "ja", "nej")).astype(object)

    out = deltagare.copy()
    columns = {
        "utbildningsniva": level,
        "arbetslos_sedan": since_text,
        "funktionsnedsattning": yes_no(0.2, 0.15),
        "utlandsk_bakgrund": yes_no(0.3, 0.1),
        "kvalifikation": np.where(open_, "", yes_no(0.15, 0.15)),
    }
    for name, values in columns.items():
        out[COLUMN_TEXT[name][0]] = values
    if config.esf.non_binary:
        x = (rng.random(persons) < 0.01)[idx]
        out[SUS_HEADERS["kon"]] = np.where(x, "X", out[SUS_HEADERS["kon"]])
    return out


def _code(codes: list[str], wanted: str) -> str:
    """``wanted`` if the configuration's list has it, else its first code."""
    return wanted if wanted in codes else codes[0]


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)


def generate(
    config: Config, size: int = 2500, seed: int = 1, activity_interval: float = 10.0
) -> dict[str, pd.DataFrame]:
    """``activity_interval``: mean days between a participant's activities (10 gives the
    bundled sample; about 6.3 gives the national figure of 10 million activities for 250 000
    participants)."""
    rng = np.random.default_rng(seed)
    start0 = np.datetime64(config.project.start)
    export_day = np.datetime64(config.project.end)
    span = int((export_day - start0) / DAY)
    dps = config.delprojekt_codes
    planned = [d.planned or 1 for d in config.delprojekt]

    # Persons: 15 % anonymous (pseudonym, kön given, a few without kön).
    # aged about 16 to 61 at the project's start (MIA, starting 2016: born 1955–1999)
    pnr, kon, born_year = _personnummer(rng, size, config.project.start.year - 61)
    anon = rng.random(size) < 0.15
    person = np.where(
        anon, np.array([f"ANON-{seed}-{i:06d}" for i in range(size)], dtype=object), pnr
    )
    home = _pick(rng, dps, planned, size)

    # Enrolments: one each; 10 % return to the same delprojekt later; 3 % move to another
    # one after their first enrolment, and a handful (0.15 %) are in two at once, as in a real
    # register. Nobody starts before the project.
    first_start = start0 + rng.integers(0, span - 30, size) * DAY
    duration = np.clip(rng.lognormal(5.4, 0.6, size), 20, 900).astype(int)
    back = rng.random(size) < 0.10
    other = (rng.random(size) < 0.03) & ~back & (len(dps) > 1)
    at_once = other & (rng.random(size) < 0.05)
    idx = np.concatenate([np.arange(size), np.flatnonzero(back), np.flatnonzero(other)])
    n = len(idx)
    role = np.concatenate([np.zeros(size, int), np.ones(back.sum(), int), np.full(other.sum(), 2)])
    start = first_start[idx].copy()
    gap = rng.integers(30, 200, n)
    start[role == 1] = (first_start + duration * DAY)[idx[role == 1]] + gap[role == 1] * DAY
    first_end = (first_start + duration * DAY)[idx[role == 2]]
    overlapping = at_once[idx[role == 2]]
    start[role == 2] = np.where(
        overlapping,
        first_start[idx[role == 2]] + 30 * DAY,
        first_end + gap[role == 2] * DAY,
    )
    dur = np.where(
        role == 0, duration[idx], np.clip(rng.lognormal(5.0, 0.6, n), 20, 600).astype(int)
    )
    end = start + dur * DAY
    delprojekt = home[idx].copy()
    moved = np.array(
        [dps[(dps.index(d) + 1) % len(dps)] for d in home[idx[role == 2]]], dtype=object
    )
    delprojekt[role == 2] = moved
    keep = start <= export_day
    open_ = end > export_day
    idx, role, start, end, delprojekt, open_ = (
        idx[keep],
        role[keep],
        start[keep],
        end[keep],
        delprojekt[keep],
        open_[keep],
    )
    n = len(idx)

    reasons = [c.code for c in config.code_list("avslutsorsak")]
    reason = _pick(
        rng,
        reasons,
        [15, 7, 20, 12, 20, 12, 1, 4, 1, 3, 5][: len(reasons)] + [1] * max(0, len(reasons) - 11),
        n,
    )
    labels = {c.code: c.label for c in config.code_list("avslutsorsak")}
    as_label = rng.random(n) < 0.2
    reason_text = np.where(as_label, [labels[r] for r in reason], reason)
    myndigheter = [c.code for c in config.code_list("myndighet")]
    anvisande = _pick(rng, myndigheter, [35, 20, 30, 10, 3, 2][: len(myndigheter)], n)
    syss = [c.code for c in config.code_list("sysselsattning")]
    fors = [c.code for c in config.code_list("forsorjning")]
    work = config.group("arbete_studier")
    syss_fore = _pick(rng, syss, [1 if s in ("ARBETE", "STUDIER") else 4 for s in syss], n)
    fors_fore = _pick(rng, fors, [1 if f in ("LON", "STUDIEMEDEL") else 4 for f in fors], n)
    # After: work or studies where the reason says so; otherwise mostly as before, with the
    # usual moves (to job seeking, a programme, sickness): a register has a few dozen pairs.
    moves = [c for c in ("ARBETSSOKANDE", "PROGRAM", "ARBETSTRANING", "SJUKSKRIVEN") if c in syss]
    stay = rng.random(n) < 0.6
    syss_efter = np.where(
        np.isin(reason, list(work)),
        np.where(reason == "STUDIER", _code(syss, "STUDIER"), _code(syss, "ARBETE")),
        np.where(
            stay | (not moves), syss_fore, _pick(rng, moves or syss, [1] * len(moves or syss), n)
        ),
    )
    benefits = [c for c in ("A_KASSA", "AKTIVITETSSTOD", "SJUKPENNING") if c in fors]
    fors_efter = np.where(
        np.isin(reason, list(work)),
        np.where(reason == "STUDIER", _code(fors, "STUDIEMEDEL"), _code(fors, "LON")),
        np.where(
            stay | (not benefits),
            fors_fore,
            _pick(rng, benefits or fors, [1] * len(benefits or fors), n),
        ),
    )
    registered_after = rng.random(n) < 0.8

    ids_written = _formats(rng, person[idx])
    ids_written[anon[idx]] = person[idx][anon[idx]]
    kon_written = np.where(rng.random(n) < 0.9, kon[idx], "")
    kon_written = np.where(anon[idx] & (rng.random(n) < 0.97), kon[idx], kon_written)
    kon_written = np.where(anon[idx] & (kon_written == ""), "", kon_written)
    kon_written = np.where(
        kon_written == "K", np.where(rng.random(n) < 0.3, "Kvinna", "K"), kon_written
    )
    kon_written = np.where(
        kon_written == "M", np.where(rng.random(n) < 0.3, "Man", "M"), kon_written
    )
    blank = np.full(n, "", dtype=object)
    deltagare = pd.DataFrame(
        {
            "deltagare_id": ids_written,
            "kon": kon_written,
            "fodelsear": np.where(anon[idx], born_year[idx].astype(str), ""),
            "delprojekt": delprojekt,
            "startdatum": _iso(start),
            "slutdatum": np.where(open_, blank, _iso(end)),
            "avslutsorsak": np.where(open_, blank, reason_text),
            "anvisande_organisation": anvisande,
            "sysselsattning_fore": syss_fore,
            "sysselsattning_efter": np.where(open_ | ~registered_after, blank, syss_efter),
            "forsorjning_fore": fors_fore,
            "forsorjning_efter": np.where(open_ | ~registered_after, blank, fors_efter),
        }
    ).rename(columns=SUS_HEADERS)
    if config.esf is not None:
        deltagare = _with_esf_columns(
            deltagare, config, np.random.default_rng([seed, 14]), idx, start, open_, syss_fore
        )

    # Activities: about one every ten days of enrolment, every insatstyp represented.
    last_day = np.where(open_, export_day, end)
    days = ((last_day - start) / DAY).astype(int) + 1
    k = rng.poisson(days / activity_interval)
    e = np.repeat(np.arange(n), k)
    a_date = start[e] + (rng.random(len(e)) * days[e]).astype(int) * DAY
    kinds = [c.code for c in config.code_list("insatstyp")]
    weights = np.linspace(3, 1, len(kinds))
    single = np.bincount(idx, minlength=size)[idx] == 1
    dp_given = ~(single[e] & (rng.random(len(e)) < 0.3))
    hours = rng.choice(np.array(["0,5", "1", "1,5", "2", "3", "4", "6", "8"], dtype=object), len(e))
    aktiviteter = pd.DataFrame(
        {
            "deltagare_id": ids_written[e],
            "datum": _iso(a_date),
            "insatstyp": _pick(rng, kinds, list(weights), len(e)),
            "delprojekt": np.where(dp_given, delprojekt[e], ""),
            "timmar": hours,
            "detalj": "",
        }
    ).drop_duplicates()  # one row per occasion: no occasion registered twice

    # Answers every three months: STEG and MAKT always, NARMARE and HALSA mostly.
    rounds = days // 90 + 1
    e = np.repeat(np.arange(n), rounds)
    step = np.arange(len(e)) - np.repeat(np.cumsum(rounds) - rounds, rounds)
    m_date = start[e] + step * 90 * DAY
    answers = []
    for item, share in zip(
        config.instrument, [1.0, 1.0, 0.8, 0.6, 0.5, 0.5, 0.5, 0.5], strict=False
    ):
        take = rng.random(len(e)) < share
        lo, hi = item.min, item.max
        base = rng.integers(lo, lo + (hi - lo) // 2 + 1, n)
        value = np.clip(base[e] + step * rng.integers(0, 2, len(e)), lo, hi)
        answers.append(
            pd.DataFrame(
                {
                    "deltagare_id": ids_written[e][take],
                    "datum": _iso(m_date[take]),
                    "fraga": item.code,
                    "varde": value[take],
                }
            )
        )
    # Items judged at exit get an answer on the last day, for most of those who ended.
    ended_rows = np.flatnonzero(~open_)
    for item in config.instrument:
        if item.judged != "vid_avslut":
            continue
        take = ended_rows[rng.random(len(ended_rows)) < 0.85]
        success = rng.random(len(take)) < 0.6
        value = np.where(
            success,
            rng.integers(item.success_from, item.max + 1, len(take)),
            rng.integers(item.min, item.success_from, len(take)),
        )
        exit_answers = {
            "deltagare_id": ids_written[take],
            "datum": _iso(end[take]),
            "fraga": item.code,
            "varde": value,
        }
        answers.append(pd.DataFrame(exit_answers))
    matningar = (
        pd.concat(answers, ignore_index=True).drop_duplicates(["deltagare_id", "datum", "fraga"])
        if answers
        else pd.DataFrame(columns=["deltagare_id", "datum", "fraga", "varde"])
    )

    # Follow-ups after exit, where the point has passed.
    ended = np.flatnonzero(~open_)
    rows = []
    for point, months_after, share in (("90D", None, 0.7), ("6M", 6, 0.55), ("12M", 12, 0.4)):
        due = end[ended] + (90 * DAY if months_after is None else months_after * 30 * DAY)
        pick = ended[(due <= export_day) & (rng.random(len(ended)) < share)]
        ok = np.isin(reason[pick], list(work)) | (rng.random(len(pick)) < 0.25)
        rows.append(
            pd.DataFrame(
                {
                    "deltagare_id": ids_written[pick],
                    "tidpunkt": point,
                    "sysselsattning": np.where(
                        ok,
                        "ARBETE",
                        _pick(rng, ["ARBETSSOKANDE", "SJUKSKRIVEN", "INGEN"], [2, 1, 1], len(pick)),
                    ),
                    "forsorjning": np.where(
                        ok,
                        _code(fors, "LON"),
                        np.where(
                            rng.random(len(pick)) < 0.4,
                            _pick(rng, fors, [1] * len(fors), len(pick)),
                            "",
                        ),
                    ),
                    "slutdatum": np.where(
                        single[pick] & (rng.random(len(pick)) < 0.5), "", _iso(end[pick])
                    ),
                }
            )
        )
    uppfoljningar = pd.concat(rows, ignore_index=True)

    # Referrals: one before each enrolment, and 30 % more that did not lead to one.
    extra = int(0.3 * n)
    r_dp = np.concatenate([delprojekt, _pick(rng, dps, planned, extra)])
    r_date = np.concatenate(
        [start - rng.integers(0, 30, n) * DAY, start0 + rng.integers(0, span, extra) * DAY]
    )
    r_kon = np.concatenate([kon[idx], np.where(rng.random(extra) < 0.55, "K", "M")])
    r_kon = np.where(rng.random(len(r_kon)) < 0.05, "", r_kon)
    utfall = np.concatenate(
        [
            np.full(n, "INSKRIVEN", dtype=object),
            np.where(rng.random(extra) < 0.8, "EJ_INSKRIVEN", "PAGAENDE"),
        ]
    )
    remisser = pd.DataFrame(
        {
            "remiss_id": [f"R{seed}-{i:07d}" for i in range(n + extra)],
            "datum": _iso(np.maximum(r_date, start0 - 30 * DAY)),
            "delprojekt": r_dp,
            "remittent": np.concatenate(
                [anvisande, _pick(rng, myndigheter, [1] * len(myndigheter), extra)]
            ),
            "utfall": utfall,
            "kon": r_kon,
            "deltagare_id": np.concatenate([ids_written, np.full(extra, "", dtype=object)]),
        }
    )

    # Organisation: per delprojekt and month a few activities with one to three myndigheter.
    types = [c.code for c in config.code_list("organisationstyp")]
    n_months = span // 30
    n_act = max(len(dps) * n_months * 3, 1)
    act_dp = np.where(rng.random(n_act) < 0.1, "", _pick(rng, dps, [1] * len(dps), n_act))
    act_date = start0 + rng.integers(0, span, n_act) * DAY
    act_type = (
        _pick(rng, types, [1] * len(types), n_act) if types else np.full(n_act, "", dtype=object)
    )
    parties = rng.integers(1, 4, n_act)
    a = np.repeat(np.arange(n_act), parties)
    orgs = np.array(
        [rng.permutation(myndigheter[:4])[: parties[i]] for i in range(n_act)], dtype=object
    )
    organisation = pd.DataFrame(
        {
            "aktivitet_id": [f"A{seed}-{i:06d}" for i in a],
            "datum": _iso(act_date[a]),
            "delprojekt": act_dp[a],
            "typ": act_type[a],
            "myndighet": np.concatenate(list(orgs)) if n_act else [],
            "antal_handlaggare": rng.integers(0, 12, len(a)),
        }
    )
    return {
        "deltagare": deltagare,
        "aktiviteter": aktiviteter,
        "matningar": matningar,
        "uppfoljningar": uppfoljningar,
        "remisser": remisser,
        "organisationsaktiviteter": organisation,
    }


def write_sample(
    out: str | Path,
    config: Config,
    size: int = 2500,
    seed: int = 1,
    fmt: str = "csv",
    activity_interval: float = 10.0,
) -> dict[str, int]:
    """Write the exports to ``out`` (CSV with ';', UTF-8 with BOM, like Excel's "CSV UTF-8")."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = generate(config, size, seed, activity_interval)
    if not config.instrument:  # no self-assessment in the project: no export of answers
        tables.pop("matningar", None)
    for name, df in tables.items():
        for old in (out / f"{name}.csv", out / f"{name}.xlsx"):
            old.unlink(missing_ok=True)
        if fmt == "xlsx":
            with atomic(out / f"{name}.xlsx", "wb") as fh:
                df.to_excel(fh, index=False, engine="openpyxl")
        else:
            _write_csv(df, out / f"{name}.csv")
    return {name: len(df) for name, df in tables.items()}


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """pyarrow's CSV writer (national scale in seconds); pandas when a value needs quoting.

    The header and the CRLF line ends are added here rather than through WriteOptions, whose
    ``eol`` and ``quoting_header`` only exist in recent pyarrow releases.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.table({c: pa.array(df[c].astype(str).to_numpy(dtype=object)) for c in df.columns})
    options = pacsv.WriteOptions(include_header=False, delimiter=";", quoting_style="none")
    try:
        with atomic(path, "wb") as fh:
            fh.write(b"\xef\xbb\xbf" + (";".join(df.columns) + "\r\n").encode())
            for batch in table.to_batches(max_chunksize=1_000_000):
                sink = pa.BufferOutputStream()
                pacsv.write_csv(batch, sink, write_options=options)
                fh.write(sink.getvalue().to_pybytes().replace(b"\n", b"\r\n"))
    except pa.ArrowInvalid:
        with atomic(path, "w", encoding="utf-8-sig", newline="") as fh:
            df.to_csv(fh, sep=";", index=False, lineterminator="\r\n")
