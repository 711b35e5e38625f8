"""A cache of parsed exports and computed reports, keyed by the files' content.

A repeated run on unchanged files (the nightly job, the analyst re-running before a meeting)
answers from the cache in well under a second. The key is a SHA-256 over the program version,
the configuration and every export's bytes, so an edited file or configuration is never
answered from an old entry. Hashing a national export takes a while, so each file's hash is
remembered together with its size, inode, mtime and ctime: any write changes ctime, which
no program can set back, and the file is hashed again.

Three kinds of entry, from the cheapest hit to the broadest: a report command's finished
answer (its stderr summary and printed text, keyed by the configuration file's bytes, every
file in the data folder and the command's parameters, and looked up before pandas is even
imported), the computed report, and the parsed dataset.

Privacy: cached datasets hold no personnummer. Persons are replaced by sequence numbers
before writing (identity is all the indicators need); everything is written owner-only
(folder 0700, files 0600). ``esf-hours``, which prints personnummer, never uses the cache.

Location: $INDIKATOR_CACHE, else $XDG_CACHE_HOME/indikator, else ~/.cache/indikator.
``indikator cache clear`` empties it; ``--no-cache`` or INDIKATOR_NO_CACHE=1 bypasses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
from pathlib import Path

from . import __version__
from .atomic import write_atomic
from .timings import stage

FORMAT = 6  # bump when what is stored changes shape (6: the record keys of the cell-key method)


def location() -> Path:
    if os.environ.get("INDIKATOR_CACHE"):
        return Path(os.environ["INDIKATOR_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "indikator"


def enabled() -> bool:
    return os.environ.get("INDIKATOR_NO_CACHE", "") in ("", "0")


def _folder() -> Path:
    root = location()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)
    return root


def _write(path: Path, data: bytes) -> None:
    """Owner-only, atomic: a reader never sees half an entry."""
    write_atomic(path, data, private=True)


def _file_hash(path: Path, memo: dict) -> str:
    st = path.stat()
    stamp = [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
    # the memo is keyed by a hash of the path: a file name may hold a personnummer
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()
    entry = memo.get(where)
    if entry and entry["stamp"] == stamp:
        return entry["sha256"]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    memo[where] = {"stamp": stamp, "sha256": h.hexdigest()}
    return h.hexdigest()


def environment() -> str:
    """Python and every installed distribution with its version (from the ``*.dist-info``
    names on sys.path, which costs a directory listing, not an import): an upgraded pandas
    is never served what the old one pickled or computed."""
    names = [sys.version]
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names += sorted(e.name for e in it if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return "\n".join(names)


def key(files: list[Path], config_text: str) -> str:
    """The content key of a dataset: program version, installed libraries, configuration, and
    each export's name and bytes."""
    root = _folder()
    memo_path = root / "hashes.json"
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    before = json.dumps(memo, sort_keys=True)
    h = hashlib.sha256(f"{FORMAT}\n{__version__}\n{environment()}\n{config_text}\n".encode())
    for path in sorted(files):
        h.update(f"{path.name}\n{_file_hash(path, memo)}\n".encode())  # only a hash is kept
    after = json.dumps(memo, sort_keys=True)
    if after != before:  # a repeated run on unchanged files writes nothing
        _write(memo_path, after.encode())
    return h.hexdigest()


def get(k: str, part: str):
    path = location() / k / f"{part}.pickle"
    try:
        with stage("cache"), open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry is a miss, never an error
        path.unlink(missing_ok=True)
        return None


def put(k: str, part: str, value) -> None:
    """Remember ``value``; a cache that cannot be written is a miss next time, never an error."""
    try:
        with stage("cache"):
            entry = _folder() / k
            entry.mkdir(exist_ok=True, mode=0o700)
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            _write(entry / f"{part}.pickle", data)
    except OSError:
        return


def part_name(*params) -> str:
    """A cache entry name for a computation's parameters."""
    return "report-" + hashlib.sha256(repr(params).encode()).hexdigest()[:24]


def size() -> int:
    """Bytes the cache takes."""
    root = location()
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def clear() -> int:
    """Remove the cache; returns the bytes freed."""
    freed = size()
    shutil.rmtree(location(), ignore_errors=True)
    return freed


def pseudonymised(ds):
    """The dataset as the cache stores it: only the columns the indicators use, and every
    person id replaced by a sequence number (``#17``), the same in every table; free text
    (``detalj``, ``remiss_id``) is dropped and ``aktivitet_id`` becomes a number, since any
    of them may hold a personnummer typed by hand."""
    import dataclasses

    import numpy as np
    import pandas as pd

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
    return dataclasses.replace(ds, tables=tables, persons=persons)
