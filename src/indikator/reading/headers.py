"""Finding the header row and matching headers to columns, as people write them."""

from __future__ import annotations

import difflib
import re
import unicodedata

import numpy as np

from ..errors import FileError

HEADER_SEARCH = 50  # rows in which a header below title rows is found by itself
HINT_SEARCH = 1000  # rows searched to say where the header probably is
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")


def slug(header: str) -> str:
    """Header normal form: case, accents, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKD", str(header).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


class HeaderMatcher:
    """Header text -> canonical column, as people write headers: case, accents and
    punctuation do not matter; the configuration's aliases; a format hint or unit in
    brackets (``Slutdatum (ÅÅÅÅ-MM-DD)``, ``Timmar (h)``, ``Kön [K/M]``) or after a comma
    (``Timmar, h``); words run together or apart; abbreviations (``Anvisande org.``,
    ``Sysselsättn. före``) when they fit one column only."""

    def __init__(self, columns: list[str], aliases: dict[str, list[str]]):
        self.names: dict[str, str] = {slug(c): c for c in columns}
        for canon, alts in aliases.items():
            for alt in alts:
                self.names.setdefault(slug(alt), canon)
        self._memo: dict[str, str | None] = {}
        self.compact: dict[str, set[str]] = {}
        for s, canon in self.names.items():
            self.compact.setdefault(s.replace("_", ""), set()).add(canon)

    def match(self, header: str) -> str | None:
        text = str(header)
        if text not in self._memo:
            self._memo[text] = self._match(text) if len(text) <= 100 else None
        return self._memo[text]

    def _match(self, text: str) -> str | None:
        forms = [slug(text), slug(_BRACKETS.sub(" ", text)), slug(re.split(r"[,:;]", text)[0])]
        for s in forms:
            if s in self.names:
                return self.names[s]
        for s in forms:
            hit = self.compact.get(s.replace("_", ""), set())
            if len(hit) == 1:
                return next(iter(hit))
        return self._abbreviation(forms[1])

    def _abbreviation(self, s: str) -> str | None:
        words = s.split("_")
        if not s or any(len(w) < 3 for w in words):
            return None
        hits = {
            canon
            for name, canon in self.names.items()
            if len(name.split("_")) == len(words)
            and all(n.startswith(w) for n, w in zip(name.split("_"), words, strict=True))
        }
        return next(iter(hits)) if len(hits) == 1 else None

    def closest(self, header: str, among: list[str] | None = None) -> str | None:
        """The known column a header most resembles, for a message (None: nothing close)."""
        names = {s: c for s, c in self.names.items() if among is None or c in among}
        best = difflib.get_close_matches(slug(header), list(names), n=1, cutoff=0.75)
        return names[best[0]] if best else None


def choose_header(
    head: list[tuple[int, list[str]]], matcher: HeaderMatcher, required: list[str], file: str
) -> int:
    """The index in ``head`` of the header row: the first row that names every required
    column, if it lies within the first ``HEADER_SEARCH`` rows (title rows above it name no
    columns). Otherwise a file error that says which columns are missing and where the header
    probably is: the row that names the most known columns."""
    names = [set() for _ in head]
    for i, (_, cells) in enumerate(head):
        names[i] = {matcher.match(x) for x in cells if x.strip()} - {None}
        if all(c in names[i] for c in required):
            if i < HEADER_SEARCH:
                return i
            break
    scores = [len(n) for n in names]
    best = int(np.argmax(scores)) if scores else 0
    first = head[0][0] if head else 1
    missing = [c for c in required if c not in (names[0] if head else set())]
    if scores and scores[best] > scores[0]:
        where = f" (rubrikraden ser ut att vara rad {head[best][0]}; ta bort raderna ovanför den)"
    else:
        header = head[0][1] if head else []
        unmatched = [h for h in header if h.strip() and matcher.match(h) is None]
        near = [h for h in unmatched if matcher.closest(h, missing)]
        where = f" (närmast bland rubrikerna: '{near[0].strip()}')" if near else ""
        if scores and scores[0] == 0 and not near:
            where = " (ingen rad ser ut som en rubrikrad med exportens kolumner)"
    raise FileError(f"{file}:{first}: obligatorisk kolumn saknas: {', '.join(missing)}{where}")
