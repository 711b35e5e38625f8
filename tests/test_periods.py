import datetime as dt

import pytest

from indikator.errors import PeriodError
from indikator.periods import parse_period, periods_between


@pytest.mark.parametrize(
    "label, start, end, kind",
    [
        ("2017-05", dt.date(2017, 5, 1), dt.date(2017, 5, 31), "month"),
        ("2016-02", dt.date(2016, 2, 1), dt.date(2016, 2, 29), "month"),  # leap year
        ("2017-Q2", dt.date(2017, 4, 1), dt.date(2017, 6, 30), "quarter"),
        ("2017-T1", dt.date(2017, 1, 1), dt.date(2017, 4, 30), "tertial"),
        ("2017-T2", dt.date(2017, 5, 1), dt.date(2017, 8, 31), "tertial"),
        ("2017-T3", dt.date(2017, 9, 1), dt.date(2017, 12, 31), "tertial"),
        ("2017-H2", dt.date(2017, 7, 1), dt.date(2017, 12, 31), "half"),
        ("2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31), "year"),
        ("2017-t3", dt.date(2017, 9, 1), dt.date(2017, 12, 31), "tertial"),
    ],
)
def test_parse(label, start, end, kind):
    p = parse_period(label)
    assert (p.start, p.end, p.kind) == (start, end, kind)


@pytest.mark.parametrize(
    "label, previous",
    [
        ("2017-01", "2016-12"),
        ("2017-T1", "2016-T3"),
        ("2017-H1", "2016-H2"),
        ("2017", "2016"),
        ("2017-Q1", "2016-Q4"),
    ],
)
def test_previous(label, previous):
    assert parse_period(label).previous().label == previous


@pytest.mark.parametrize(
    "bad", ["2017-13", "2017-00", "2017-T4", "2017-Q5", "2017-H3", "maj", "", "17-05", "2017-5-1"]
)
def test_malformed(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_add_months_clamps_to_month_end():
    import pandas as pd

    from indikator.indicators.engine import add_months

    def plus(d, n):
        return add_months(pd.Series(pd.to_datetime([d])), n).iloc[0].date()

    assert plus(dt.date(2017, 8, 31), 6) == dt.date(2018, 2, 28)
    assert plus(dt.date(2019, 8, 31), 6) == dt.date(2020, 2, 29)
    assert plus(dt.date(2017, 1, 15), 12) == dt.date(2018, 1, 15)


def test_periods_between_covers_every_kind():
    first, last = parse_period("2016-12").first, parse_period("2017-05").last
    labels = [p.label for p in periods_between(first, last, ("month", "tertial", "year"))]
    assert labels == [
        "2016-12",
        "2017-01",
        "2017-02",
        "2017-03",
        "2017-04",
        "2017-05",
        "2016-T3",
        "2017-T1",
        "2017-T2",
        "2016",
        "2017",
    ]
