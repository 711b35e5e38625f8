"""The project's secret and the record keys it gives (the cell-key method of small-count
protection, ``protection/cellkey.py``).

Every person (and every referral and organisation activity) gets a fixed pseudo-random record
key: a keyed BLAKE2b hash of its id under the project's secret, 32 bits. Without the secret no
key can be derived from a personnummer; with it, the same person has the same key in every
table and every run, so repeating or subtracting tables shows the same noise, not new
information. The secret lives beside the configuration (``locations.secret_path``: ``indikator.toml`` ->
``indikator.nyckel``), owner-only; ``indikator init`` writes it, and a run that needs it and
finds none creates it (and says so). Everyone who publishes the project's figures uses the same
file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import numpy as np

HEADER = (
    "# Hemlig nyckel för röjandekontrollen (cellnyckelmetoden). Dela den bara med dem som\n"
    "# publicerar projektets siffror; byt den inte mitt i en serie (alla siffror ändras).\n"
)
KEY_SPACE = 2**32  # record keys are integers in [0, 2^32): sums stay exact in float64
KEYED_AT_ONCE = 1 << 15  # distinct ids hashed at a time (``record_keys``)


def read_secret(path: Path) -> bytes | None:
    """The secret's bytes (the file's last non-comment line), or None when there is no file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    value = next((x.strip() for x in reversed(lines) if x.strip() and not x.startswith("#")), "")
    return value.encode() or None


def create_secret(path: Path) -> bytes:
    """Write a new random secret to ``path`` (owner-only; never over an existing file)."""
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(HEADER + value + "\n")
    return value.encode()


def record_keys(ids, secret: bytes, domain: str) -> np.ndarray:
    """Each id's record key, an integer in [0, 2^32) as float64 (so that sums of keys over a
    cell stay exact). ``domain`` keeps persons, referrals and activities apart. One hash per
    distinct id: the distinct ids are found by hashing (``pd.factorize``; a categorical's
    categories, Arrow strings by Arrow), not by sorting them as NumPy strings."""
    import pandas as pd

    values = ids if isinstance(ids, pd.Series) else pd.Series(np.asarray(ids, dtype=object))
    inverse, distinct = pd.factorize(values, use_na_sentinel=False)
    # The keyed state after the domain prefix is computed once and copied for each id (the
    # key block is not hashed again); the 4-byte digests are read as big-endian integers at once.
    base = hashlib.blake2b(key=secret[:64], digest_size=4)
    base.update(domain.encode() + b"\x00")

    def digest(u: str, copy=base.copy) -> bytes:
        h = copy()
        h.update(u.encode())
        return h.digest()

    # A stretch of ids at a time: their Python strings and digests are held for one stretch,
    # not for a register's 350 000 ids at once (70 MB, beside the rules of the largest export)
    texts = _all_text(distinct)
    keys = np.empty(len(distinct), dtype="float64")
    for at in range(0, len(distinct), KEYED_AT_ONCE):
        some = distinct[at : at + KEYED_AT_ONCE].tolist()
        if not texts:  # a number (or a missing id) is keyed by its text, as ``str`` writes it
            some = [u if isinstance(u, str) else str(u) for u in some]
        keys[at : at + len(some)] = np.frombuffer(b"".join(map(digest, some)), dtype=">u4")
    return keys[inverse]


def _all_text(distinct) -> bool:
    """Whether every distinct id is a string already (the persons and ids the reader gives):
    then none is asked, one by one, whether it is one (a sixth of the keys' time)."""
    import pandas as pd

    index = pd.Index(distinct)
    values = index.categories if isinstance(index.dtype, pd.CategoricalDtype) else index
    return not index.hasnans and pd.api.types.is_string_dtype(values)
