"""The cause first: rows of other exports that fail only because an enrolment was rejected.

An activity whose person has no accepted enrolment is not "without an enrolment" when its
enrolment is on a rejected row of deltagare: it is a consequence of that row, and says so
("hör till inskrivningen på deltagare.csv:34, som avvisades"). A rejected row whose
personnummer is itself wrong (a typo) is linked to the rows of a person whose personnummer
differs from it in one digit, or in two neighbouring digits swapped: the typos a check digit
exists to catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..coding import NAT, category_codes, days, positions


def _core(raw: str) -> str | None:
    """The ten digits YYMMDDNNNC of something written like a personnummer, also as Excel
    leaves it (``198001010001.0``, ``1012384`` for ``000101-2384``)."""
    text = re.sub(r"[.,]0*$", "", str(raw).strip())
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if 7 <= len(digits) <= 9 and digits == text:
        digits = digits.zfill(10)
    return digits[-10:] if len(digits) in (10, 12) else None


def _variants(core: str) -> list[str]:
    """One digit unknown, or two neighbours swapped: the single typos of a personnummer."""
    out = [core[:i] + "?" + core[i + 1 :] for i in range(10)]
    out += [core[:i] + core[i + 1] + core[i] + core[i + 2 :] for i in range(9)]
    return out


@dataclass
class Rejected:
    """The rejected rows of deltagare, as causes for the rows of other exports."""

    file: str
    rows: pd.DataFrame  # person (or None), start, slut, dp, line, reason, unread
    by_core: dict[str, int]  # the digits of a wrong personnummer -> its line
    by_typo: dict[str, int]  # one-typo variants of them -> its line

    @classmethod
    def build(
        cls, file: str, parsed: pd.DataFrame, accepted_index, raw_ids, unread, reasons
    ) -> Rejected:
        """``unread``: rows the reader could not split into cells (a stray quote): their
        dates and delprojekt are unknown, so they may be the cause of any row of the person."""
        gone = ~parsed.index.isin(accepted_index)
        rej = parsed[gone]
        rows = pd.DataFrame(
            {
                "person": rej["person"].astype(object).to_numpy(),
                "start": rej["startdatum"].to_numpy(dtype="datetime64[s]"),
                "slut": rej["slutdatum"].to_numpy(dtype="datetime64[s]"),
                "dp": category_codes(rej["delprojekt"]).astype("int64"),
                "line": rej["_line"].to_numpy(dtype="int64"),
                "unread": unread[gone],
            }
        )
        rows["reason"] = [reasons.get(int(line), "") for line in rows["line"]]
        by_core: dict[str, int] = {}
        by_typo: dict[str, int] = {}
        unknown = rows["person"].isna().to_numpy()
        for raw, line in zip(raw_ids[gone][unknown], rows["line"][unknown], strict=True):
            core = _core(raw)
            if core:
                by_core.setdefault(core, int(line))
                for v in _variants(core):
                    by_typo.setdefault(v, int(line))
        return cls(file, rows, by_core, by_typo)

    def found_at(self, line: np.ndarray, typo: np.ndarray | None = None) -> Found:
        """Messages and causes for rows whose rejected enrolment is on ``line`` (-1: none);
        ``typo``: linked by a personnummer one typo away."""
        reasons = dict(zip(self.rows["line"].tolist(), self.rows["reason"].tolist(), strict=True))
        message = np.full(len(line), None, dtype=object)
        cause = np.full(len(line), None, dtype=object)
        for i in np.flatnonzero(line >= 0):
            why = reasons.get(int(line[i]), "").split(";")[0]  # the reason, not the advice
            if typo is not None and typo[i]:
                why = "; ".join(filter(None, [why, "personnumren skiljer sig på en siffra"]))
            cause[i] = f"{self.file}:{line[i]}"
            message[i] = f"hör till inskrivningen på {cause[i]}, som avvisades" + (
                f" ({why})" if why else ""
            )
        return Found(line, message, cause)

    def of_persons(self, persons: pd.Series) -> Found:
        """For rows whose person has no accepted enrolment: the rejected row they belong to,
        by the same person, or by a personnummer one typo away."""
        ids = persons.astype(object).to_numpy()
        known = self.rows.dropna(subset=["person"]).drop_duplicates("person")
        at = positions(pd.Series(ids, dtype=object), pd.Index(known["person"], dtype=object))
        line = np.append(known["line"].to_numpy(dtype="int64"), -1)[at]
        typo = np.zeros(len(ids), dtype=bool)
        for i in np.flatnonzero(line < 0) if self.by_core else []:
            core = _core(ids[i]) if ids[i] is not None else None
            if core is None:
                continue
            if core in self.by_core:
                line[i] = self.by_core[core]
                continue
            hits = [self.by_typo[v] for v in _variants(core) if v in self.by_typo]
            if hits:
                line[i], typo[i] = hits[0], True
        return self.found_at(line, typo)

    def covering(
        self, persons: pd.Series, dp: np.ndarray, day: np.ndarray, ended: bool = False
    ) -> Found:
        """For rows outside every accepted enrolment: the rejected enrolment of the same
        person (in the same delprojekt when ``dp`` ≥ 0) that covers ``day`` (days since
        1970); with ``ended``, one that ended on ``day`` (any ended one where ``day`` < 0)."""
        rows = self.rows.dropna(subset=["person"])
        line = np.full(len(persons), -1, dtype="int64")
        if len(rows) and len(persons):
            cand = pd.DataFrame(
                {
                    "person": persons.astype(object).to_numpy(),
                    "dp": dp,
                    "day": day,
                    "i": np.arange(len(persons)),
                }
            ).merge(rows, on="person", suffixes=("", "_r"))
            start, slut = days(cand["start"]), days(cand["slut"])
            begun = (start != NAT) & (start <= cand["day"].to_numpy())
            open_ = slut == NAT
            end = np.where(open_, np.iinfo("int64").max, slut)
            if ended:
                hit = ~open_ & ((cand["day"] < 0) | (end == cand["day"])).to_numpy()
            else:
                hit = begun & (cand["day"].to_numpy() <= end)
            hit &= ((cand["dp"] < 0) | (cand["dp"] == cand["dp_r"])).to_numpy()
            hit |= cand["unread"].to_numpy(dtype=bool)
            first = cand[hit].drop_duplicates("i")
            line[first["i"].to_numpy()] = first["line"].to_numpy()
        return self.found_at(line)

    def latest_ended(self, persons: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Per row: the latest end date among the person's rejected ended enrolments (NaT
        where none) and its line (-1): "the latest ended enrolment" may be a rejected one."""
        rows = self.rows.dropna(subset=["person", "slut"]).sort_values(["slut", "line"])
        last = rows.drop_duplicates("person", keep="last")
        at = positions(persons, pd.Index(last["person"], dtype=object))
        slut = np.append(last["slut"].to_numpy(dtype="datetime64[s]"), np.datetime64("NaT"))
        line = np.append(last["line"].to_numpy(dtype="int64"), -1)
        return slut[at], line[at]


@dataclass
class Found:
    """Per row: the line of the rejected enrolment it belongs to (-1: none), the message
    and the cause (file:line)."""

    line: np.ndarray
    message: np.ndarray
    cause: np.ndarray

    def where(self, use: np.ndarray, other: Found) -> Found:
        """``other``'s answer where ``use``, this one's elsewhere."""
        return Found(
            np.where(use, other.line, self.line),
            np.where(use, other.message, self.message),
            np.where(use, other.cause, self.cause),
        )
