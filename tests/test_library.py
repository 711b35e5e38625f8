"""The library without the command line: the public names, published versus exact figures,
and errors that are IndikatorErrors carrying their exit code, for library callers too."""

import inspect

import pytest
from conftest import write_dataset
from world import FULL_WORLD

import indikator
from indikator import errors


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("world"), FULL_WORLD)
    return indikator.load_dataset(folder, indikator.load_config())


def test_every_public_name_resolves():
    for name in indikator.__all__:
        assert getattr(indikator, name) is not None, name
    assert indikator.__all__.index("published_figures") < indikator.__all__.index("exact_figures")


def test_published_figures_protect_small_counts_and_exact_ones_do_not(ds):
    period = [indikator.parse_period("2017-05")]
    exact = indikator.exact_figures(ds, period)
    # the world has none of the optional ESF columns: those figures are saknar_data, never 0
    esf = exact["indikator"].str.startswith("esf_")
    assert set(exact.loc[~esf, "status"]) <= {"ok", "tom_namnare"}
    new = {"utbildningsniva", "arbetslos_sedan", "funktionsnedsattning", "utlandsk_bakgrund"}
    needs_columns = [i for i, x in ds.config.indicators.items() if new & set(x.columns)]
    assert len(needs_columns) == 6  # CO02, CO09–CO11, CO15, CO16
    assert set(exact.loc[exact["indikator"].isin(needs_columns), "status"]) == {"saknar_data"}
    published = indikator.published_figures(ds, period, min_cell=5)
    assert "undertryckt" in set(published["status"])
    assert indikator.published_figures(ds, period, min_cell=0).equals(exact)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda ds, p: indikator.exact_figures(ds, p, delprojekt=["XYZ"]), "okänt delprojekt: XYZ"),
        (lambda ds, p: indikator.published_figures(ds, p, delprojekt=["XYZ"]), "okänt delprojekt"),
        (
            lambda ds, p: indikator.exact_figures(ds, p, indicators=["nope"]),
            "okänd indikator: nope",
        ),
        (lambda ds, p: indikator.published_figures(ds, p, ["nope"], min_cell=5), "okänd indikator"),
    ],
)
def test_an_unknown_selection_is_a_usage_error_for_library_callers(ds, call, message):
    """It used to be silently dropped (only TOTALT came back) or a plain ValueError."""
    with pytest.raises(errors.SelectionError, match=message) as e:
        call(ds, [indikator.parse_period("2017-05")])
    assert e.value.exit_code == errors.EXIT_USAGE


def test_protecting_a_partial_table_is_an_indikator_error(ds):
    from indikator.protection import suppress

    tidy = indikator.exact_figures(ds, [indikator.parse_period("2017-05")])
    partial = tidy[tidy["delprojekt"] != "OS"]
    with pytest.raises(errors.ProtectionError):
        suppress(partial, 5, ds.config.delprojekt_codes, ds.config.indicators)


def test_every_error_class_is_an_indikator_error_with_an_exit_code():
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)
    ]
    assert len(classes) >= 10
    for c in classes:
        assert issubclass(c, errors.IndikatorError), c
        assert c.exit_code in (errors.EXIT_FAIL, errors.EXIT_USAGE), c
    assert errors.PeriodError.exit_code == errors.SelectionError.exit_code == errors.EXIT_USAGE
    assert errors.LockError.exit_code == errors.StrictError.exit_code == errors.EXIT_FAIL


def test_every_figure_is_labelled_in_the_literal_order_of_its_cells(ds):
    """The label columns are built as positions into short lists (an Arrow take), not as
    strings cell by cell: within each indicator, they are exactly the nested loop over
    period, scope, group, dimension and kön, and every text column is pandas' ``str``."""
    periods = [indikator.parse_period(p) for p in ("2017-05", "2017-Q2")]
    exact = indikator.exact_figures(ds, periods)
    groups = [*ds.config.delprojekt_codes, "TOTALT"]
    labels = ["period", "omfang", "delprojekt", "dimension", "kon"]
    for column in [*labels, "indikator", "status"]:
        assert exact[column].dtype == "str", column
    assert set(exact["status"]) <= {"ok", "tom_namnare", "saknar_data"}
    for name, rows in exact.groupby("indikator", sort=False):
        dims = list(dict.fromkeys(rows["dimension"]))
        kons = [k for k in ("K", "M", "X", "T") if k in set(rows["kon"])]  # shown in this order
        literal = [
            (p.label, scope, g, d, k)
            for p in sorted(periods)  # the table's order of periods
            for scope in ("period", "ackumulerat")
            for g in groups
            for d in dims
            for k in kons
        ]
        assert list(rows[labels].itertuples(index=False, name=None)) == literal, name
