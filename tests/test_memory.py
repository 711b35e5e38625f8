"""Freed memory: given back between the large steps of a load, kept for reuse in the batch
(``memory.kept_for_reuse``), and the defaults again after it, also when the job fails; the
command line's small pages (``memory.small_pages``) and Arrow on the system's allocator
(``memory.system_allocator``)."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import write_dataset
from world import FULL_WORLD

from indikator import memory

glibc = pytest.mark.skipif(
    memory._glibc("mallopt") is None, reason="glibc's allocator only (Linux)"
)


@pytest.fixture
def trims(monkeypatch):
    """Every malloc_trim that ``release`` makes, recorded instead of made."""
    calls: list[int] = []
    monkeypatch.setattr(memory, "_trim", lambda: calls.append)
    return calls


@glibc
def test_release_gives_back_outside_and_keeps_inside(trims):
    memory.release()
    assert trims == [0]  # outside: given back
    with memory.kept_for_reuse():
        memory.release()
        memory.release(collect=True)
        assert trims == [0]  # inside: nothing given back
    assert trims == [0, 0]  # leaving gives back what was kept, once
    memory.release()
    assert trims == [0, 0, 0]  # and release gives back again


@glibc
def test_a_failing_job_leaves_the_defaults(trims):
    with pytest.raises(RuntimeError), memory.kept_for_reuse():
        raise RuntimeError("the job failed")
    assert not memory._kept
    memory.release()
    assert trims == [0, 0]  # the exit's, then release's own


@glibc  # Linux only: rss_bytes reads /proc/self/statm
def test_inside_a_freed_array_stays_with_the_process():
    from indikator.timings import rss_bytes

    # 64 MB is above glibc's largest mmap threshold (32 MB): outside, a freed array goes back
    # to the system at once; inside, it stays resident for the next array, until the end
    n = 8 * 1024 * 1024  # float64: 64 MB
    big = 48 * 1024 * 1024
    before = rss_bytes()
    outside = np.ones(n)
    assert rss_bytes() - before > big
    del outside
    assert rss_bytes() - before < big  # given back
    with memory.kept_for_reuse():
        before = rss_bytes()
        inside = np.ones(n)
        del inside
        memory.release()
        assert rss_bytes() - before > big  # kept
    assert rss_bytes() - before < big  # given back on leaving


def _fresh(code: str) -> list[str]:
    """What a fresh Python prints running ``code`` as the batch does: the command line
    imported (small pages, Arrow on the system's allocator), one heap for every thread, then
    numpy and pyarrow imported; no arenas, pools or threads of the test process."""
    head = (
        "import os, resource, sys, threading\n"
        "import indikator.cli\n"
        "from indikator import memory\n"
        "memory.one_heap()\n"
        "import numpy as np, pyarrow\n"
        "from indikator.timings import rss_bytes\n"
    )
    out = subprocess.run([sys.executable, "-c", head + code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@glibc
def test_inside_arrows_release_does_not_give_the_kept_memory_back():
    # on the system's allocator, Arrow's release of what its pool keeps is glibc's
    # malloc_trim: called inside, it gave back everything the batch had kept
    code = (
        "n = 8 * 1024 * 1024\n"  # float64: 64 MB
        "with memory.kept_for_reuse():\n"
        "    before = rss_bytes()\n"
        "    a = np.ones(n)\n"
        "    del a\n"
        "    memory.release()\n"
        "    print((rss_bytes() - before) >> 20)\n"
    )
    (kept,) = _fresh(code)
    assert int(kept) >= 48  # the 64 MB stay resident


@glibc
def test_inside_a_worker_threads_freed_array_is_reused_by_the_next():
    # a thread's own arena maps an array larger than its heaps whatever M_MMAP_MAX says, and
    # unmaps it when it is freed: each such array in a worker thread was fresh pages again
    # (page faults counted per thread: a 100 MB array is 25 600 pages of 4 KiB). The batch
    # gives every thread the main heap (``memory.one_heap``) before any thread starts.
    code = (
        "def work(out):\n"
        "    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt\n"
        "    a = np.ones(100 * 1024 * 1024 // 8)\n"
        "    del a\n"
        "    out.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)\n"
        "faults = []\n"
        "with memory.kept_for_reuse():\n"
        "    for _ in range(3):\n"
        "        t = threading.Thread(target=work, args=(faults,))\n"
        "        t.start()\n"
        "        t.join()\n"
        "print(*faults)\n"
    )
    first, *later = map(int, _fresh(code))
    assert first > 20_000  # the first array: new pages
    assert all(f < 2_000 for f in later), later  # the next threads' arrays: the same pages


def test_the_batch_runs_with_freed_memory_kept(cli, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from indikator import app

    entered: list[str] = []

    @contextmanager
    def recorded():
        entered.append("in")
        yield
        entered.append("out")

    monkeypatch.setattr(app, "kept_for_reuse", recorded)
    monkeypatch.setattr(app, "one_heap", lambda: entered.append("one heap"))
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "ut"
    r = cli("batch", "--data", str(data), "--out", str(out), "--from", "2017-01", "--to", "2017-03")
    assert r.exit_code == 0, r.stderr
    assert entered == ["one heap", "in", "out"]  # the heap first: before any thread starts
    r = cli("monthly", "--period", "2017-03", "--data", str(data), "--min-cell", "0")
    assert r.exit_code == 0, r.stderr
    # monthly's peak is what counts: it gives back as before; and one heap made it slower
    assert entered == ["one heap", "in", "out"]


def _after_cli_import(show: str, env: dict) -> list[str]:
    """What a fresh Python prints of ``show`` (expressions, evaluated in order) once the
    command line is imported; neither switch is set unless ``env`` sets it."""
    code = f"import os, sys, indikator.cli; print({show})"
    ours = (memory.NUMPY_HUGEPAGE, memory.ARROW_POOL)
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


# whether numpy was imported already (too late for the switch: it reads it once), the switch
NUMPY = "'numpy' in sys.modules, os.environ.get('NUMPY_MADVISE_HUGEPAGE')"
# whether pyarrow was imported already (too late), then the allocator Arrow gives buffers from
ARROW = "'pyarrow' in sys.modules, __import__('pyarrow').default_memory_pool().backend_name"


def test_the_command_line_asks_numpy_for_small_pages_before_importing_it():
    assert _after_cli_import(NUMPY, {}) == ["False", "0"]


def test_a_users_own_choice_of_pages_is_kept():
    assert _after_cli_import(NUMPY, {"NUMPY_MADVISE_HUGEPAGE": "1"}) == ["False", "1"]


def test_the_command_line_gives_arrow_the_systems_allocator_before_importing_it():
    # the system's heap, not Arrow's own allocator's fresh huge pages: faster after a rest and
    # a lower peak (a national batch: 1 722 against 2 460 MiB)
    assert _after_cli_import(ARROW, {}) == ["False", "system"]


def test_a_users_own_choice_of_arrow_allocator_is_kept():
    assert _after_cli_import(ARROW, {memory.ARROW_POOL: "mimalloc"}) == ["False", "mimalloc"]


@pytest.mark.parametrize("threads", [1, 2])
def test_the_families_temporaries_are_given_back_once_they_are_all_done(
    tmp_path, monkeypatch, threads
):
    # not after each family: the next family in a thread reuses what the one before freed
    # instead of taking fresh pages; given back once, when the last family is done
    import indikator.indicators as indicators
    from indikator.config import load_config
    from indikator.dataset import load_dataset
    from indikator.periods import parse_period

    ds = load_dataset(write_dataset(tmp_path / "w", FULL_WORLD), load_config())
    events, family = [], indicators._family
    monkeypatch.setattr(indicators, "release", lambda: events.append("release"))
    monkeypatch.setattr(indicators, "_family", lambda *a: events.append("family") or family(*a))
    indicators.exact_figures(ds, [parse_period("2017-05")], threads=threads)
    assert events.count("family") >= len(indicators.FAMILIES) - 1  # ESF absent or not
    assert events[-1] == "release" and events.count("release") == 1


@pytest.mark.parametrize("export", ["aktiviteter", "matningar"])
def test_a_rule_frees_its_arrays_before_copying_the_accepted_rows(export, tmp_path, monkeypatch):
    # The copy of the accepted rows (``taken``) is where a national load with rejected rows
    # has its peak: by then the rule keeps its mask of kept rows (and aktiviteter the
    # filled-in delprojekt and pandas' own), about 7 bytes a row, not its lookups. Before:
    # aktiviteter held person and day (int32), the covering counts and five masks, 26 bytes
    # a row here; matningar item, scale and value (four float64/int64 arrays), over 30.
    import tracemalloc

    import indikator.dataset as dataset
    from indikator.config import load_config
    from indikator.rules import RULES, aktiviteter, matningar
    from indikator.sample import write_sample

    config = load_config()
    write_sample(tmp_path / "d", config, size=1500, seed=3, activity_interval=4.0)
    monkeypatch.setattr(dataset, "cores", lambda: 1)  # one thread: nothing else allocates
    module = {"aktiviteter": aktiviteter, "matningar": matningar}[export]
    seen, rule, real_taken = {}, RULES[export], module.taken

    def measured_rule(rows):
        seen["rows"] = len(rows.df)
        seen["before"] = tracemalloc.get_traced_memory()[0]
        return rule(rows)

    def measured_taken(df, keep):
        seen["at"] = tracemalloc.get_traced_memory()[0]
        return real_taken(df, keep)

    monkeypatch.setitem(RULES, export, measured_rule)
    monkeypatch.setattr(module, "taken", measured_taken)
    tracemalloc.start()
    try:
        dataset.load_dataset(tmp_path / "d", config)
    finally:
        tracemalloc.stop()
    assert seen["rows"] > 10_000
    assert (seen["at"] - seen["before"]) / seen["rows"] < 12


def test_a_load_gives_memory_back_twice_not_per_file_or_rule(tmp_path, monkeypatch):
    # Once the rejected enrolments are known and at the end of the load; not after each of
    # the six files and each of the five rules (13 calls before): the next file's arrays
    # reuse what the last one freed instead of taking fresh pages.
    import indikator.dataset as dataset
    from indikator.config import load_config

    calls = []
    monkeypatch.setattr(dataset, "release", lambda **kw: calls.append(kw))
    ds = dataset.load_dataset(write_dataset(tmp_path / "w", FULL_WORLD), load_config())
    assert len(ds.counts) == 6  # every export read and judged
    assert len(calls) == 2
