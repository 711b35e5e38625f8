"""What a report shows, computed once: the values every output format renders.

The core computes; ``output`` only renders. A figures report holds the tidy figures and, for
the HTML report, the series of its charts; a targets report the targets beside their results;
a changes report what differs between two batch runs; a Finsam report the yearly figures for
Uppföljning Finsam; an hours report the ESF participant hours. Each is a plain value, so that
every format shows the same figures.
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
    matrices: dict = field(default_factory=dict)  # (period, omfang, delprojekt) -> [Matrix]
    title: str | None = None  # a report of its own (ESF): the line above the tables
    protection: str = ""  # the header line: exact, or protected and how (protection.describe)
    footer: str | None = None  # under the tables: why they need not add up (cell key)
    kind = "figures"


@dataclass
class TargetReport:
    table: pd.DataFrame
    config: Config
    columns: list[str]  # of the tidy formats (with the previous period's when compared)
    protection: str = ""
    footer: str | None = None
    kind = "targets"


@dataclass
class ChangeReport:
    table: pd.DataFrame  # KEY + varde/status before and after
    kind = "changes"


@dataclass
class FinsamReport:
    table: pd.DataFrame  # finsam.COLUMNS: one row per group and measure, exact
    config: Config
    year: Period
    kind = "finsam"


@dataclass
class HoursReport:
    table: pd.DataFrame  # one row per participant (personnummer!)
    kind = "hours"


ESF_PROGRAMMES = {
    "2014-2020": "programperioden 2014–2020 (förordning (EU) nr 1304/2013, bilaga I)",
    "2021-2027": "ESF+, programperioden 2021–2027 (förordning (EU) 2021/1057, bilaga I)",
}


def esf_title(config: Config, min_cell: int | None) -> str:
    """The line above the ESF tables: the programme; for protected figures, where the exact
    ones are (the header line says which they are)."""
    from .protection import threshold

    exact = (
        ""
        if threshold(config, min_cell) <= 0
        else " För rapporten till ESF-rådet ger --min-cell 0 exakta antal."
    )
    return (
        f"ESF:s gemensamma indikatorer för deltagare, {ESF_PROGRAMMES[config.esf.programme]}. "
        f"En person räknas en gång per delprojekt och i TOTALT.{exact}"
    )


def _protected(report, config: Config, min_cell: int | None):
    """The report with its header line and footer on protection (every human format)."""
    from .protection import describe, footer

    report.protection, report.footer = describe(config, min_cell), footer(config, min_cell)
    return report


def chart_targets(config: Config) -> pd.DataFrame:
    """The targets drawn as charts: those on TOTALT in the cumulative scope."""
    from .targets import expand

    targets = expand(config)
    return targets[(targets["delprojekt"] == TOTALT) & (targets["omfang"] == "ackumulerat")]


def chart_series(tidy: pd.DataFrame) -> pd.DataFrame:
    """The rows a chart draws from: months, cumulative, TOTALT, no dimension (a batch's 700 000
    figures are filtered to them once, not once per report)."""
    return tidy[
        (tidy["omfang"] == "ackumulerat")
        & (tidy["delprojekt"] == TOTALT)
        & (tidy["dimension"] == "")
        & tidy["period"].str.fullmatch(r"\d{4}-\d{2}")
    ]


def charts(series: pd.DataFrame, config: Config) -> list[Chart]:
    """A chart per target indicator from published monthly figures (``series`` holds the
    months, cumulative, TOTALT, of those indicators)."""
    targets = chart_targets(config)
    series = chart_series(series)
    out = []
    for ind in dict.fromkeys(targets["indikator"]):
        goals = dict(
            zip(*targets[targets["indikator"] == ind][["kon", "mal"]].T.to_numpy(), strict=True)
        )
        spec = config.indicators[ind]
        out.append(
            Chart(ind, spec.label, spec.kind == SHARE, series[series["indikator"] == ind], goals)
        )
    return out


def from_published(
    tidy: pd.DataFrame,
    config: Config,
    period: Period,
    series: pd.DataFrame | None = None,
    min_cell: int | None = None,
) -> FigureReport:
    """The report of one period from published figures already computed (``tidy`` may hold
    other periods too, as the batch's does); ``series``: the months for the charts."""
    from .matrices import matrices

    own = tidy[tidy["period"] == period.label].reset_index(drop=True)
    report = FigureReport(own, config, period, matrices=matrices(own, config))
    if series is not None:
        last = series["period"].astype(object) <= f"{period.end:%Y-%m}"  # labels sort in time
        report.charts = charts(series[last.to_numpy(dtype=bool)], config)
    return _protected(report, config, min_cell)


def figure_report(
    ds,
    periods: list[Period],
    indicators=None,
    delprojekt=None,
    min_cell: int | None = None,
    with_charts: bool = False,
    small_beside: bool = False,
) -> FigureReport:
    """The published figures of ``periods``; with ``with_charts``, also the series of the
    charts: each indicator with a target on TOTALT in the cumulative scope, month by month
    from the project start to the (last) period. ``small_beside``: the small indicator
    families in a second thread (``indicators.exact_figures``)."""
    from .matrices import matrices
    from .protection import published

    tidy = published(ds, periods, indicators, delprojekt, min_cell, small_beside=small_beside)
    report = FigureReport(tidy, ds.config, periods[-1] if periods else None)
    report.matrices = matrices(tidy, ds.config)
    targets = chart_targets(ds.config)
    if with_charts and len(targets):
        last = max(p.last for p in periods)
        first = month_index(ds.config.project.start)
        months = [from_bucket("month", m) for m in range(first, last + 1)]
        ids = list(dict.fromkeys(targets["indikator"]))
        series = published(ds, months, ids, None, min_cell, small_beside=small_beside)
        report.charts = charts(series, ds.config)
    return _protected(report, ds.config, min_cell)


def target_report(ds, period: Period, compare_previous=False, delprojekt=None, min_cell=0):
    """Each configured target beside its published result (``targets.evaluate``)."""
    from .targets import COLUMNS, PREVIOUS, evaluate

    table = evaluate(ds, period, compare_previous, delprojekt, min_cell)
    report = TargetReport(table, ds.config, COLUMNS + (PREVIOUS if compare_previous else []))
    return _protected(report, ds.config, min_cell)


def finsam_report(ds, year: Period, delprojekt=None) -> FinsamReport:
    """The yearly figures for Uppföljning Finsam (``finsam.figures``), exact."""
    from .finsam import figures

    return FinsamReport(figures(ds, year, delprojekt), ds.config, year)
