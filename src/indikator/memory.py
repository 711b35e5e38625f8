"""Give freed memory back to the system between the large steps of a load, or keep it for
reuse where time matters more than the peak (the batch).

glibc's allocator keeps the memory of freed arrays below its (rising) mmap threshold in its
heap; after ten million activity rows have been parsed piece by piece, validated and judged,
a few hundred MB that nothing uses any more stay resident and every later step starts from
there. ``malloc_trim`` returns them (about 20 ms). Elsewhere (macOS, Windows, musl) it is a
no-op: those allocators return memory on their own terms.

Memory given back is not free to take again: every page of a new array is a page fault, and
on a virtual machine whose host reclaims the guest's free pages (free page reporting, about
two seconds after they are freed) each such page costs the host's fault too – 400 MB touched
again took 1.3–2.4 s on the benchmark machine, and a national batch spent a third of its time
in system time. ``kept_for_reuse`` turns giving back off for one job: every array then comes
from the process's own heap and reuses what earlier arrays freed.

Which pages a new array gets matters on such a machine too: ``small_pages`` (the command
line's choice) asks numpy for ordinary 4 KiB pages instead of transparent huge pages, and
``system_allocator`` (the command line's too) Arrow for the system's heap instead of its own
allocator's.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# glibc's mallopt parameters and their defaults
M_TRIM_THRESHOLD, M_MMAP_MAX, M_ARENA_MAX = -1, -4, -8
DEFAULT_TRIM_THRESHOLD, DEFAULT_MMAP_MAX = 128 * 1024, 65536

_kept = False  # inside ``kept_for_reuse``


@functools.cache
def _glibc(name: str):
    """A function of glibc's allocator (``malloc_trim``, ``mallopt``), or None (another C
    library or system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL("libc.so.6"), name)
    except (OSError, AttributeError):  # musl (Alpine) has no libc.so.6 / no malloc_trim
        return None


def _trim():
    return _glibc("malloc_trim")


@contextmanager
def kept_for_reuse() -> Iterator[None]:
    """Within: freed memory stays with the process for the next arrays (glibc: large arrays
    from the heap instead of their own mappings, the heap never trimmed, ``release`` gives
    nothing back); after: the defaults again, and what was kept is given back. The price is
    the peak: freed blocks that do not fit a new array still count (a national batch, paired:
    64.0 → 52.6 s, peak 3 267 → 3 836 MiB), so it is for jobs whose peak is not the limit.

    Worker threads keep theirs too only where they share the main heap (``one_heap``, which
    the batch asks for first)."""
    global _kept
    mallopt = _glibc("mallopt")
    if mallopt is None or _kept:
        yield
        return
    mallopt(M_MMAP_MAX, 0)
    mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    _kept = True
    try:
        yield
    finally:
        _kept = False
        mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
        mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
        release()


def one_heap() -> None:
    """Every thread's arrays from the process's main heap (glibc's ``M_ARENA_MAX`` 1) instead
    of an arena of the thread's own, whose heaps hold at most 64 MB: such an arena takes a
    larger array with a mapping of its own whatever ``M_MMAP_MAX`` says (``sysmalloc`` falls
    back to ``mmap``) and gives it back when it is freed, so inside ``kept_for_reuse`` every
    large array a worker thread made was fresh memory again. A national batch paired: 0.92 of
    the time, 2.0 s less system time, 1.1 million fewer page faults; ``monthly``, which gives
    its memory back between steps, 1.03 (its threads wait for the one heap's lock), so only
    the batch asks for it (docs/prestanda.md, omgång 24). Before any thread starts: an arena
    once made stays its thread's, and numpy and pyarrow start threads when they are imported.
    A no-op where the allocator is not glibc's."""
    mallopt = _glibc("mallopt")
    if mallopt is not None:
        mallopt(M_ARENA_MAX, 1)


# numpy's documented switch for huge pages, read once when numpy is imported
NUMPY_HUGEPAGE = "NUMPY_MADVISE_HUGEPAGE"


def small_pages() -> None:
    """New arrays in ordinary pages: numpy asks Linux for transparent huge pages (2 MiB) for
    every array of 4 MiB or more, and on the benchmark machine a huge page that the host has
    taken back costs about twice as much per byte to take again as small pages do (800 MB:
    1.1-1.8 s against 0.8-0.9 s). A national ``monthly`` paired: 0.97 of the time, settled or
    back to back, 0.8 s less system time; ``batch`` 0.93 (docs/prestanda.md, omgång 19). For
    the command line, before numpy is imported (it reads the switch once); a value the user
    has set is kept (``NUMPY_MADVISE_HUGEPAGE=1`` gives huge pages back). Library callers
    decide for their own process."""
    os.environ.setdefault(NUMPY_HUGEPAGE, "0")


# Arrow's documented switch for its allocator (system, mimalloc, jemalloc), read when it starts
ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"


def system_allocator() -> None:
    """Arrow's buffers from the system's allocator (glibc, whose heap the process's other
    arrays share) instead of Arrow's own (mimalloc), which takes fresh segments in huge pages:
    on the benchmark machine those cost the most to take again after a rest. Paired, each
    after an 8 s rest: a national ``monthly`` as fast (1.00) with a peak of 1 108 against
    1 232 MiB, ``batch`` 0.97 of the time with 1 722 against 2 460 MiB, the bundled sample
    0.91, the 1/10-scale data 0.95 (docs/prestanda.md, omgång 22). For the command line,
    before pyarrow is imported (it reads the switch once); a value the user has set is kept.
    Library callers decide for their own process."""
    os.environ.setdefault(ARROW_POOL, "system")


def release(collect: bool = False) -> None:
    """Return the allocator's free memory to the system, where the allocator can (not inside
    ``kept_for_reuse``); Arrow's pool gives back what it keeps for reuse. ``collect``: first
    free what only reference cycles keep alive (about 100 MB of a national load; a full
    collection costs about 0.1 s, so only at the end of a step)."""
    if collect:
        gc.collect()
    if _kept:  # also not Arrow's: on the system's allocator its release is ``malloc_trim``
        return
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _trim()
    if trim is not None:
        trim(0)
