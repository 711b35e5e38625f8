"""What a report shows, computed once: the values every output format renders.

The core computes; ``output`` only renders. A figures report holds the tidy figures and, for
the HTML report, the series of its charts; a targets report the targets beside their results;
a changes report what differs between two batch runs; an hours report the ESF participant
hours. Each is a plain value, so that every format shows the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .catalog import SHARE
from .config import Config
from .periods import Period, from_bucket, month_index
from .vocabulary import TOTALT


@dataclass
class Chart:
    """One target indicator's cumulative result per month (TOTALT) and its goals by kön."""

    indicator: str
    label: str
    share: bool
    series: pd.DataFrame  # period, kon, varde (NaN where there is no value)
    goals: dict[str, float]


@dataclass
class FigureReport:
    tidy: pd.DataFrame
    config: Config
    period: Period | None = None
    charts: list[Chart] = field(default_factory=list)
    kind = "figures"


@dataclass
class TargetReport:
    table: pd.DataFrame
    config: Config
    columns: list[str]  # of the tidy formats (with the previous period's when compared)
    kind = "targets"


@dataclass
class ChangeReport:
    table: pd.DataFrame  # KEY + varde/status before and after
    kind = "changes"


@dataclass
class HoursReport:
    table: pd.DataFrame  # one row per participant (personnummer!)
    kind = "hours"


def figure_report(
    ds,
    periods: list[Period],
    indicators=None,
    delprojekt=None,
    min_cell: int | None = None,
    charts: bool = False,
) -> FigureReport:
    """The published figures of ``periods``; with ``charts``, also the series of the charts:
    each indicator with a target on TOTALT in the cumulative scope, month by month from the
    project start to the (last) period."""
    from .protection import published
    from .targets import expand

    tidy = published(ds, periods, indicators, delprojekt, min_cell)
    report = FigureReport(tidy, ds.config, periods[-1] if periods else None)
    if not charts:
        return report
    config = ds.config
    targets = expand(config)
    targets = targets[(targets["delprojekt"] == TOTALT) & (targets["omfang"] == "ackumulerat")]
    if len(targets):
        last = max(p.last for p in periods)
        first = month_index(config.project.start)
        months = [from_bucket("month", m) for m in range(first, last + 1)]
        ids = list(dict.fromkeys(targets["indikator"]))
        series = published(ds, months, ids, None, min_cell)
        series = series[
            (series["omfang"] == "ackumulerat")
            & (series["delprojekt"] == TOTALT)
            & (series["dimension"] == "")
        ]
        for ind in ids:
            goals = dict(
                zip(*targets[targets["indikator"] == ind][["kon", "mal"]].T.to_numpy(), strict=True)
            )
            spec = config.indicators[ind]
            chart = Chart(
                ind, spec.label, spec.kind == SHARE, series[series["indikator"] == ind], goals
            )
            report.charts.append(chart)
    return report


def target_report(ds, period: Period, compare_previous=False, delprojekt=None, min_cell=0):
    """Each configured target beside its published result (``targets.evaluate``)."""
    from .targets import COLUMNS, PREVIOUS, evaluate

    table = evaluate(ds, period, compare_previous, delprojekt, min_cell)
    return TargetReport(table, ds.config, COLUMNS + (PREVIOUS if compare_previous else []))
