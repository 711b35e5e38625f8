"""indikator: uppföljningsindikatorer för Finsam- och ESF-projekt.

The library is usable without the command line::

    from indikator import load_config, load_dataset, parse_period, published_figures

    config = load_config()                     # the bundled MIA configuration
    ds = load_dataset("data/samples/mia", config)
    tidy = published_figures(ds, [parse_period("2017-05")])

``published_figures`` gives the figures as they may be published (small counts protected);
``exact_figures`` the exact ones, which are not for publication. Importing the package is
cheap: each name is loaded when first used, so that ``indikator --help`` stays instant.
"""

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "published_figures",
    "exact_figures",
    "load_config",
    "load_dataset",
    "parse_period",
    "IndikatorError",
]

_HOMES = {
    "published_figures": ("protection", "published"),
    "exact_figures": ("indicators", "exact_figures"),
    "load_config": ("config", "load_config"),
    "load_dataset": ("dataset", "load_dataset"),
    "parse_period": ("periods", "parse_period"),
    "IndikatorError": ("errors", "IndikatorError"),
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(name)
    import importlib

    module, attr = _HOMES[name]
    return getattr(importlib.import_module(f".{module}", __name__), attr)


def __dir__() -> list[str]:
    return sorted(__all__)
