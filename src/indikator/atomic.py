"""Writing atomically: a reader sees the old file or the new one, never half of one.

One helper for every writer (outputs, the ESF report, the cache, sample data, the batch's
generation folders): write to a temporary name in the same folder, then rename. A crash, a full
disk or an interrupt leaves the previous content untouched and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w", private: bool = False, **kwargs) -> Iterator:
    """Open a temporary file beside ``path`` for writing; rename it into place on success.

    ``private`` keeps the file readable by its owner only (person-level data, the cache);
    otherwise it gets the permissions any new file would."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes, private: bool = False) -> None:
    """``data`` (text as UTF-8) to ``path``, atomically."""
    if isinstance(data, str):
        with atomic_file(path, "w", private, encoding="utf-8", newline="") as fh:
            fh.write(data)
    else:
        with atomic_file(path, "wb", private) as fh:
            fh.write(data)


@contextlib.contextmanager
def atomic_folder(parent: Path, final_name: str) -> Iterator[Path]:
    """A temporary folder in ``parent`` to fill; renamed to ``final_name`` when the block
    ends without an error (every file synced first), removed when it fails."""
    work = Path(tempfile.mkdtemp(prefix=f".{final_name}.", dir=parent))
    os.chmod(work, 0o777 & ~_umask())  # results are readable like any other output
    try:
        yield work
        for f in work.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(work, parent / final_name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def replace_link(folder: Path, name: str, target: str) -> None:
    """Point the symlink ``folder/name`` at ``target`` in one rename (atomic on POSIX)."""
    tmp = folder / f".{name}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, folder / name)
