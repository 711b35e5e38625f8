"""indikator: uppföljningsindikatorer för Finsam- och ESF-projekt.

The library core is usable without the CLI::

    from indikator import load_config, load_dataset, compute, parse_period
"""

__version__ = "0.1.0"

__all__ = ["__version__", "load_config", "load_dataset", "compute", "parse_period"]


def __getattr__(name: str):
    # Lazy re-exports: `import indikator` must stay cheap so `indikator --help` is instant.
    if name == "load_config":
        from .config import load_config

        return load_config
    if name == "load_dataset":
        from .dataset import load_dataset

        return load_dataset
    if name == "compute":
        from .indicators import compute

        return compute
    if name == "parse_period":
        from .periods import parse_period

        return parse_period
    raise AttributeError(name)
