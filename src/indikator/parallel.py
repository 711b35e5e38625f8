"""Work for the second core: families of indicators in threads, and pure-Python work handed
to a second process while this one goes on.

An indicator family is numpy sorts, comparisons and takes over millions of rows, which release
the GIL: two families in two threads run side by side (``in_threads``). The families over the
large exports hold hundreds of MB of temporaries each at national scale, so any two at a time is
for jobs whose peak is not the limit (the batch); ``monthly`` computes them one at a time with
the small families beside them (``indicators.LARGE``), and judges the largest export's rules
beside the others' (``dataset._accepted``).

The batch's reports are openpyxl cells and matplotlib charts: seconds of one core each, which
no vectorising shortens, on a nightly machine that has two. A second process is started with
``spawn`` (a fresh interpreter: none of this process's memory, threads or allocator settings)
before the figures are computed, so that its imports are done when the reports are ready;
work there that can wait runs at the lowest priority (``when_idle``), in the time the figures
leave free.
Whatever it has not begun when this process is done with its own share is taken back and done
here; so is everything when there is one core or the second process cannot be started or dies.
The work and its result are pickled, so a job is a module-level function of plain values.
``multiprocessing`` is imported only when a second process is wanted (not for ``--help``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
K = TypeVar("K")
PR_SET_PDEATHSIG = 1  # prctl: the signal a process gets when its parent ends
# The niceness of the second process's work that can wait (Linux: 0 is normal, 19 the lowest
# priority; a thread's niceness is its own): ``when_idle``
IDLE_NICENESS = 19
_second = False  # this is the second process (``_started``)
BRISK_SWITCH = 0.0002  # seconds: the GIL's switch interval in ``brisk`` (Python's own: 0.005)


def cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def in_threads(calls: Sequence[Callable[[], T]], threads: int) -> list[T]:
    """Each call's result, in order; up to ``threads`` at a time, begun in the order given (put
    the longest first, so that they end together). One thread: here, one after the other. An
    error, or Ctrl-C, cancels the calls not begun."""
    if threads <= 1 or len(calls) <= 1:
        return [call() for call in calls]
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(threads, thread_name_prefix="indikator")
    try:
        futures = [pool.submit(call) for call in calls]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Stopped(Exception):
    """Work in another thread told to stop (``threading.Event``): its result no longer
    matters, because the run has ended with an error or Ctrl-C here."""


@contextlib.contextmanager
def beside(call: Callable[[], T] | None) -> Iterator[Future[T] | None]:
    """``call`` in a second thread while the block runs here (its future; None for no call).
    Leaving the block, by an error or Ctrl-C too, waits for it to end: nothing it holds
    outlives the block."""
    if call is None:
        yield None
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="indikator")
    try:
        yield pool.submit(call)
    finally:
        pool.shutdown(wait=True)


@contextlib.contextmanager
def brisk(wanted: object = True) -> Iterator[None]:
    """While the block runs, the GIL passes between threads every 0.2 ms instead of every 5:
    for pure-Python work here beside numpy work in a second thread, which waits for the GIL
    after each of its numpy calls (at 5 ms a wait, a national aktiviteter's rule took 1.7-1.9 s
    beside the record keys instead of 1.2 s alone)."""
    if not wanted:
        yield
        return
    was = sys.getswitchinterval()
    sys.setswitchinterval(BRISK_SWITCH)
    try:
        yield
    finally:
        sys.setswitchinterval(was)


@dataclass(eq=False)
class Job:
    """One call, in the second process when it has begun there, else here."""

    call: Callable[..., Any]
    args: tuple
    future: Future | None = None
    queue: Aside | None = None  # waiting to be handed to the second process

    @property
    def here(self) -> bool:
        """Never meant for the second process (there was none, or it could not take it)."""
        return self.future is None and self.queue is None

    def take_back(self) -> bool:
        """Do it here instead, unless the second process has begun it; True: it will be done
        here."""
        if self.queue is not None and self.queue.withdraw(self):
            return True
        if self.future is not None and self.future.cancel():
            self.future = None
        return self.here

    def result(self) -> Any:
        if self.queue is not None:
            self.queue.handed(self)
        if self.future is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return self.future.result()
            except (BrokenProcessPool, CancelledError):  # killed, out of memory: do it here
                pass
        return self.call(*self.args)


def finish(jobs: dict[K, Job]) -> Iterator[tuple[K, Any]]:
    """Every job's (key, result): first the jobs never sent to the second process, then, while
    this process is free, the second's jobs not begun, from the last (one at a time: each
    taken over when this process is free again, so that the two end together), then the rest
    as the second process ends them."""
    jobs = dict(jobs)
    for key in [k for k, job in jobs.items() if job.here]:
        yield key, jobs.pop(key).result()
    for key in reversed(list(jobs)):  # the second process begins its jobs in order
        if not jobs[key].take_back():
            break
        yield key, jobs.pop(key).result()
    for key, job in jobs.items():
        yield key, job.result()


class Aside:
    """Jobs for the second process (``pool``), or for this one when there is none.

    The jobs wait here and are handed over one at a time, each when the one before has ended
    (a thread of this process does it, ``_feed``), so that every job the second process has
    not begun can still be taken back (``finish``). Given to the executor at once, up to two
    would go ahead into its queue, begun as far as this process can tell: at the end of a
    national batch, 0.8 s of waiting for two workbooks that this process could have written.
    """

    def __init__(self, pool: ProcessPoolExecutor | None) -> None:
        self.pool = pool
        self._waiting: deque[Job] = deque()
        self._changed = threading.Condition()
        self._feeder: threading.Thread | None = None
        self._current: Future | None = None  # the job handed over last
        self._closed = False

    def prepare(self, *modules: str) -> None:
        """Import ``modules`` there now, while this process computes (``when_idle``)."""
        if self.pool is not None:
            self.submit(when_idle, _import, modules)

    def submit(self, call: Callable[..., Any], *args) -> Job:
        job = Job(call, args)
        if self.pool is None:
            return job
        with self._changed:
            job.queue = self
            self._waiting.append(job)
            self._changed.notify_all()
            if self._feeder is None:
                self._feeder = threading.Thread(target=self._feed, name="indikator-aside")
                self._feeder.start()
        return job

    def _feed(self) -> None:
        """Hand the waiting jobs over in order, one at a time: the next when the second
        process has ended the one before. A job it cannot take (it died, or cannot be
        started) is left to be done here; so is every job still waiting when this thread
        ends, however it ends (nothing waits for a hand-over that will not come)."""
        try:
            self._hand_over()
        except Exception as e:  # a fault here costs the second core, never a result
            import logging

            from .masking import mask

            log = logging.getLogger("indikator")
            log.warning("den andra processen används inte: %s", mask(str(e)))
        finally:
            with self._changed:
                if not self._closed:  # ended by a fault: nothing will be handed over any more
                    self.pool = None
                while self._waiting:
                    self._waiting.popleft().queue = None
                self._changed.notify_all()

    def _hand_over(self) -> None:
        from concurrent.futures import wait
        from concurrent.futures.process import BrokenProcessPool

        while True:
            with self._changed:
                while not self._waiting and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                job = self._waiting.popleft()
                if self.pool is not None:
                    try:
                        job.future = self.pool.submit(job.call, *job.args)
                    except (BrokenProcessPool, RuntimeError, OSError):  # died, shut down
                        self.pool = None
                job.queue = None
                self._current = job.future
                self._changed.notify_all()
            if job.future is not None:
                wait([job.future])

    def withdraw(self, job: Job) -> bool:
        """Take ``job`` out of the waiting jobs; False: it has been handed over."""
        with self._changed:
            if job.queue is not self:
                return False
            self._waiting.remove(job)
            job.queue = None
            return True

    def handed(self, job: Job) -> None:
        """Until ``job`` has left the waiting jobs (handed over, or left to be done here)."""
        with self._changed:
            while job.queue is self:
                self._changed.wait()

    def close(self) -> None:
        """No more jobs are handed over (those waiting are not done), the one handed over
        last is cancelled unless it has begun, and the feeding thread ends once it has."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            if self._current is not None:
                self._current.cancel()
        if self._feeder is not None:
            self._feeder.join()


@contextlib.contextmanager
def aside(wanted: bool) -> Iterator[Aside]:
    """A second process when ``wanted`` and there is a second core; on leaving, it is stopped
    (work not begun is cancelled)."""
    pool = None
    if wanted and cores() > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_started
            )
        except (OSError, ValueError):  # no processes allowed here: everything in this one
            pool = None
    helper = Aside(pool)
    try:
        yield helper
    finally:
        helper.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def when_idle(call: Callable[..., T], *args) -> T:
    """``call(*args)``, in the second process at the lowest priority (``IDLE_NICENESS``, in
    a thread of its own): work that can wait, given to the second process while this one
    computes the figures in two threads (its imports, the inputs' checksums). At the same
    priority it took a core from them; at the lowest it takes the time they leave free (the
    tables' assembly and the cell key's rounding, on one core). Its reports, later, run at
    the normal priority: this process waits for them. Here (no second process, or a job
    taken back): as any call."""
    if not _second:
        return call(*args)
    with beside(functools.partial(_lowered, call, *args)) as running:  # its own thread
        return running.result()


def _lowered(call: Callable[..., T], *args) -> T:
    """``call(*args)`` in this thread at ``IDLE_NICENESS`` (Linux: this thread only)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), IDLE_NICENESS)
    return call(*args)


def _started() -> None:
    """The second process leaves Ctrl-C to the first (which stops it: no traceback from here)
    and ends when the first ends, however it ends (Linux)."""
    import atexit
    import ctypes
    import signal

    global _second
    _second = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # when its work is done, it ends at once: every result has been sent back by then, and
    # tearing down an interpreter with matplotlib and pandas loaded kept the first waiting
    # 0.15-0.25 s at the end of every batch
    atexit.register(os._exit, 0)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _import(modules: tuple[str, ...]) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)
