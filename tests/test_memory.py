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
    data = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "ut"
    r = cli("batch", "--data", str(data), "--out", str(out), "--from", "2017-01", "--to", "2017-03")
    assert r.exit_code == 0, r.stderr
    assert entered == ["in", "out"]
    r = cli("monthly", "--period", "2017-03", "--data", str(data), "--min-cell", "0")
    assert r.exit_code == 0, r.stderr
    assert entered == ["in", "out"]  # monthly's peak is what counts: it gives back as before


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
