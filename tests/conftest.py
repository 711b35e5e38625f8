"""Shared helpers: write small datasets, run the CLI, look up one figure."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from indikator.config import load_config
from indikator.dataset import load_dataset
from indikator.indicators import exact_figures as compute
from indikator.periods import parse_period

ROOT = Path(__file__).resolve().parents[1]


def write_dataset(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    """Write export texts (name -> CSV text) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder


@pytest.fixture(scope="session")
def config():
    return load_config()


def run(folder: Path, periods=("2017-05",), config=None, **kw) -> pd.DataFrame:
    cfg = config or load_config()
    ds = load_dataset(folder, cfg)
    return compute(ds, [parse_period(p) for p in periods], **kw)


def fig(
    tidy: pd.DataFrame,
    indikator: str,
    delprojekt: str,
    kon: str,
    omfang: str = "period",
    period: str = "2017-05",
    dimension: str = "",
):
    """One figure: (varde, taljare, namnare, status); NaN becomes None for easy asserts."""
    row = tidy[
        (tidy.indikator == indikator)
        & (tidy.delprojekt == delprojekt)
        & (tidy.kon == kon)
        & (tidy.omfang == omfang)
        & (tidy.period == period)
        & (tidy.dimension == dimension)
    ]
    assert len(row) == 1, f"expected one row, got {len(row)}"
    r = row.iloc[0]

    def clean(v):
        return None if isinstance(v, float) and math.isnan(v) else v

    return clean(r.varde), clean(r.taljare), clean(r.namnare), r.status


@pytest.fixture
def cli():
    from indikator.cli import main

    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result

    return invoke


def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings

    # CI runs are reproducible: the same examples every time (HYPOTHESIS_PROFILE=ci).
    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.register_profile("dev", deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_hypothesis_profiles()


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Module-scoped fixtures run before the per-test cache is set: they get a cache of the
    session, so no test reads or writes the user's own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INDIKATOR_CACHE", str(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Every test has a cache folder of its own: never the user's, never shared."""
    monkeypatch.setenv("INDIKATOR_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("INDIKATOR_NO_CACHE", raising=False)
