"""Where the bundled configuration and sample live. Kept free of heavy imports so the CLI can
find them (for instance to answer a repeated run from the cache) without loading pandas."""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]


def _bundled(*parts: str) -> Path:
    """Next to the source tree (an editable install), else relative to the working directory."""
    here = _ROOT.joinpath(*parts)
    return here if here.exists() else Path(*parts)


def default_config_path() -> Path:
    return _bundled("configs", "mia.toml")


def default_data_path() -> Path:
    return _bundled("data", "samples", "mia")
