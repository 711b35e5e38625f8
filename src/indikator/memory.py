"""Give freed memory back to the system between the large steps of a load.

glibc's allocator keeps the memory of freed arrays below its (rising) mmap threshold in its
heap; after ten million activity rows have been parsed piece by piece, validated and judged,
a few hundred MB that nothing uses any more stay resident and every later step starts from
there. ``malloc_trim`` returns them (about 20 ms). Elsewhere (macOS, Windows, musl) it is a
no-op: those allocators return memory on their own terms.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import sys


@functools.cache
def _trim():
    """glibc's ``malloc_trim``, or None (another C library or system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl (Alpine) has no libc.so.6 / no malloc_trim
        return None


def release(collect: bool = False) -> None:
    """Return the allocator's free memory to the system, where the allocator can; Arrow's
    pool gives back what it keeps for reuse. ``collect``: first free what only reference
    cycles keep alive (about 100 MB of a national load; a full collection costs about 0.1 s,
    so only at the end of a step)."""
    if collect:
        gc.collect()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _trim()
    if trim is not None:
        trim(0)
