"""Where the configuration and the data are, when the command does not say.

The bundled projects (the MIA configuration with its sample, Vägknuten 2.0 with its own) ship
inside the package (``indikator/bundled``), so an installed ``indikator`` finds them from any
folder. A project folder made by ``indikator init`` is found by standing in it: its
``indikator.toml`` and ``data/`` are then the defaults. Free of heavy imports: a repeated run
is answered from the cache before pandas is loaded.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PROJECT_CONFIG = "indikator.toml"  # the configuration of a folder made by `indikator init`
PROJECT_DATA = "data"
DEFAULT = "mia"
SECRET_SUFFIX = ".nyckel"  # the project's secret for the cell-key method, beside its configuration


def bundled() -> Path:
    return Path(str(files("indikator") / "bundled"))


def bundled_configs() -> dict[str, Path]:
    """name -> configuration of each bundled project (``mia``, ``vagknuten`` …)."""
    return {p.stem: p for p in sorted((bundled() / "configs").glob("*.toml"))}


def default_config_path() -> Path:
    """``indikator.toml`` in the current folder (a project made by init), else MIA's."""
    here = Path.cwd() / PROJECT_CONFIG
    return here if here.is_file() else bundled_configs()[DEFAULT]


def config_path(given: Path | None) -> Path:
    """The configuration a command names: a file, or the name of a bundled project."""
    if given is None:
        return default_config_path()
    if not given.exists() and str(given) in bundled_configs():
        return bundled_configs()[str(given)]
    return given


def default_data_path(config: Path | None = None) -> Path:
    """The data of the configuration's project: ``data/`` beside an init project's
    configuration, the bundled sample of a bundled one, else the MIA sample."""
    config = config_path(config)
    beside = config.parent / PROJECT_DATA
    if config.name == PROJECT_CONFIG and beside.is_dir():
        return beside
    sample = bundled() / "samples" / config.stem
    return sample if sample.is_dir() else bundled() / "samples" / DEFAULT


def secret_path(config: Path) -> Path:
    """Where the secret of the configuration ``config`` is: ``indikator.toml`` ->
    ``indikator.nyckel``, ``mia.toml`` -> ``mia.nyckel``."""
    return config.with_suffix(SECRET_SUFFIX)
