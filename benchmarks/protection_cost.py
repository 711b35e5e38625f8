"""What small-count protection costs in accuracy: published against exact figures, for every
period of a batch (months, quarters, tertials, half-years, years; both scopes).

    python benchmarks/protection_cost.py [--config mia] [--data FOLDER]

Prints, per method and kind of figure, the mean absolute deviation and the largest deviation
of the published figures from the exact ones (counts in persons, shares in percentage points),
and how many figures are not shown at all. docs/skydd.md quotes its output for the bundled
sample.
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np

from indikator.batch import batch_periods
from indikator.config import Protection, load_config
from indikator.dataset import load_dataset
from indikator.indicators import exact_figures
from indikator.locations import config_path, default_data_path
from indikator.protection import published
from indikator.protection.cellkey import counted


def cost(config, data) -> list[str]:
    ds = load_dataset(data, config)
    periods = batch_periods(ds, None, None, dt.date.today())
    exact = exact_figures(ds, periods)
    shown = published(ds, periods)
    assert exact[["period", "omfang", "delprojekt", "indikator", "dimension", "kon"]].equals(
        shown[["period", "omfang", "delprojekt", "indikator", "dimension", "kon"]]
    )
    how = exact["indikator"].map(lambda i: counted(config.indicators, i)).to_numpy(dtype=object)
    ok = (exact["status"] == "ok").to_numpy()
    lines = [f"{len(periods)} perioder, {len(exact)} siffror; metod {config.protection.method}"]
    for kind, unit, scale in (("count", "personer", 1.0), ("share", "procentenheter", 100.0)):
        rows = (how == kind) & ok
        e = exact["varde"].to_numpy(dtype="float64")[rows] * scale
        p = shown["varde"].to_numpy(dtype="float64")[rows] * scale
        hidden = np.isnan(p)
        d = np.abs(p[~hidden] - e[~hidden])
        small = (
            (e[~hidden] > 0) & (e[~hidden] < config.project.min_cell) if kind == "count" else None
        )
        lines.append(
            f"  {'antal ' if kind == 'count' else 'andelar'}: {rows.sum()} siffror, "
            f"medelavvikelse {d.mean():.2f} {unit}, störst {d.max():.1f}, "
            f"ändrade {np.mean(d > 1e-9):.0%}, ej visade {hidden.mean():.1%}"
            + (
                f", varav små antal (1–{config.project.min_cell - 1}) {small.mean():.0%}"
                if small is not None
                else ""
            )
        )
    rows = (how == "mean") & ok
    hidden = np.isnan(shown["varde"].to_numpy(dtype="float64")[rows])
    lines.append(f"  medelvärden: {rows.sum()} siffror, ej visade {hidden.mean():.1%}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=None)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    path = config_path(args.config)
    data = args.data or default_data_path(path)
    config = load_config(path)
    for method in ("cellnyckel", "undertryckning"):
        chosen = config.model_copy(update={"protection": Protection(method=method)})
        print("\n".join(cost(chosen, data)))


if __name__ == "__main__":
    main()
