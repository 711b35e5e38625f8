"""Seconds and peak memory per stage of a run (``--timings``, and the ``--log`` file), so
that every change to the load path can be judged stage by stage.

A stage is exclusive: when ``protection`` computes figures, that time is ``indicators``'s,
and ``protection`` gets only its own. Peak memory per stage is the highest resident size
seen while the stage ran (sampled every ``SAMPLE`` seconds from /proc, plus at the stage's
start and end); the run's peak is the process's own high-water mark. Off by default: then
``stage`` costs one global lookup.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

# Every stage in the order of a run, with its Swedish label.
STAGES = {
    "cache": "cache (läsa och spara)",
    "read": "läsa filerna",
    "validate": "kontrollera cellerna",
    "rules": "regler över rader",
    "indicators": "räkna indikatorerna",
    "protection": "röjandeskydd",
    "output": "skriva utdata",
}
OTHER = "övrigt (start, konfiguration)"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_START = time.perf_counter()
# Seconds between samples of the resident size. Every 5 ms took a tenth of a core and the GIL
# 200 times a second in a national run (py-spy), slowing the stages it measured. A stage's
# peak shorter than this can be missed; the run's peak is the exact high-water mark anyway.
SAMPLE = 0.02


def rss_bytes() -> int:
    """The process's resident size now (Linux /proc), else its high-water mark."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return peak_bytes()


def peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class Timings:
    seconds: dict[str, float] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)  # bytes
    _stack: list[str] = field(default_factory=list)
    _since: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    start: float = field(default_factory=time.perf_counter)
    thread: int = field(default_factory=threading.get_ident)  # the one whose stages count

    def _charge(self, now: float) -> None:
        if self._stack:
            top = self._stack[-1]
            self.seconds[top] = self.seconds.get(top, 0.0) + now - self._since
        self._since = now

    def _seen(self, rss: int) -> None:
        if self._stack:
            top = self._stack[-1]
            self.peak[top] = max(self.peak.get(top, 0), rss)

    def enter(self, name: str) -> None:
        self._seen(rss_bytes())
        self._charge(time.perf_counter())
        self._stack.append(name)
        self._seen(rss_bytes())

    def leave(self) -> None:
        self._seen(rss_bytes())
        self._charge(time.perf_counter())
        self._stack.pop()

    def sample(self) -> None:
        """Watch the resident size while a stage runs (a daemon thread; it needs the GIL,
        so a long stretch of pure-Python work is seen at its ends)."""
        while not self._stop.wait(SAMPLE):
            self._seen(rss_bytes())

    def rows(self) -> list[tuple[str, str, float, float]]:
        """(name, label, seconds, peak MB) per stage that ran, then the rest and the whole
        run (the rest has no peak of its own: NaN)."""
        total = time.perf_counter() - self.start
        out = [
            (s, label, self.seconds[s], self.peak.get(s, 0) / 1e6)
            for s, label in STAGES.items()
            if s in self.seconds
        ]
        out.append(("other", OTHER, max(total - sum(self.seconds.values()), 0.0), float("nan")))
        out.append(("total", "totalt", total, peak_bytes() / 1e6))
        return out


_current: Timings | None = None
_first = True


def enable() -> None:
    """Record stages from now on; the first time in a process, from its start (imports)."""
    global _current, _first
    disable()
    _current = Timings(start=_START) if _first else Timings()
    _first = False
    threading.Thread(target=_current.sample, daemon=True, name="rss").start()


def disable() -> None:
    global _current
    if _current is not None:
        _current._stop.set()
    _current = None


def enabled() -> bool:
    return _current is not None


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """The block's time and peak charged to ``name``. Work in another thread (a file read
    beside the others) is charged to whatever this thread's stage is meanwhile: stages are
    wall time, and they add up to the run's."""
    if _current is None or threading.get_ident() != _current.thread:
        yield
        return
    _current.enter(name)
    try:
        yield
    finally:
        _current.leave()


def rows() -> list[tuple[str, str, float, float]]:
    return _current.rows() if _current is not None else []


def table() -> str:
    """The stages as the user reads them on stderr."""
    lines = [f"{'tider':34} {'sekunder':>9} {'högsta minne':>13}"]
    for _, label, seconds, mb in rows():
        memory = "" if mb != mb else f"{mb:10.0f} MB"  # NaN: not measured on its own
        lines.append(f"{label:34} {seconds:9.3f} {memory:>13}")
    return "\n".join(lines)


def log_lines() -> list[str]:
    """One structured line per stage for the log (and ``benchmarks/run.py``)."""
    return [
        f"tid steg={name} sekunder={seconds:.3f}" + ("" if mb != mb else f" minne_mb={mb:.0f}")
        for name, _, seconds, mb in rows()
    ]
