"""Before → after as matrices (SUS's participant report): before in rows, after in columns, row
and column sums, the change per category, only the categories that occur, the grouped matrix
first; from the published figures, so that a suppressed pair stays hidden."""

import io

import openpyxl
import pytest
from conftest import write_dataset

from indikator import load_config, load_dataset, parse_period, published_figures
from indikator.config import Protection
from indikator.matrices import matrices

HEADER = "deltagare_id;kon;delprojekt;startdatum;slutdatum;avslutsorsak;sysselsattning_fore;sysselsattning_efter"
# Five who ended in May 2017 with both registered, one open, one with only 'före':
#   A, B  Arbetssökande > Arbete     C  Ingen > Studier     D  Sjukskriven > Sjukskriven
#   E     Arbete > Arbete            F  open                G  Arbete > (not registered)
DELTAGARE = "\n".join(
    [
        HEADER,
        "A;K;OS;2017-01-01;2017-05-10;ARBETE;ARBETSSOKANDE;ARBETE",
        "B;M;OS;2017-01-01;2017-05-11;ARBETE;ARBETSSOKANDE;ARBETE",
        "C;K;OS;2017-01-01;2017-05-12;STUDIER;INGEN;STUDIER",
        "D;M;OS;2017-01-01;2017-05-13;SJUKDOM;SJUKSKRIVEN;SJUKSKRIVEN",
        "E;K;OS;2017-01-01;2017-05-14;ARBETE;ARBETE;ARBETE",
        "F;K;OS;2017-01-01;;;ARBETE;",
        "G;M;OS;2017-01-01;2017-05-15;OVRIGT;ARBETE;",
    ]
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("fore-efter"), {"deltagare": DELTAGARE + "\n"})


def _matrices(folder, min_cell, method="undertryckning"):
    config = load_config()
    config = config.model_copy(update={"protection": Protection(method=method)})
    ds = load_dataset(folder, config)
    tidy = published_figures(ds, [parse_period("2017-05")], min_cell=min_cell)
    return {(m.name, m.grouped): m for m in matrices(tidy, config)[("2017-05", "period", "OS")]}


def test_the_grouped_matrix_counted_by_hand(folder):
    m = _matrices(folder, 0)[("sysselsattning", True)]
    # MIA's groups: Förvärvsarbete = Arbete(+stöd), Aktivt arbetssökande = Arbetssökande/program,
    # the rest Övriga. Before: E Förvärv; A, B Aktivt; C, D Övriga. After: A, B, E Förvärv; C
    # Studier; D Övriga. N = the five with both registered (G has no 'efter').
    assert m.rows == ["Förvärvsarbete", "Aktivt arbetssökande", "Övriga"]
    assert m.columns == ["Förvärvsarbete", "Studier", "Övriga"]
    assert m.cells == [[1, 0, 0], [2, 0, 0], [0, 1, 1]]
    assert m.row_sums == [1, 2, 2] and m.column_sums == [3, 1, 1] and m.total == 5
    # after − before, and in percentage points of the five
    assert m.changes == [
        ("Förvärvsarbete", 2, 40.0),
        ("Studier", 1, 20.0),
        ("Aktivt arbetssökande", -2, -40.0),
        ("Övriga", -1, -20.0),
    ]


def test_the_matrix_per_code_has_only_the_categories_that_occur(folder):
    m = _matrices(folder, 0)[("sysselsattning", False)]
    assert m.rows == ["Arbete", "Arbetssökande", "Sjukskriven", "Ingen sysselsättning"]
    assert m.columns == ["Arbete", "Studier", "Sjukskriven"]
    assert m.cells == [[1, 0, 0], [2, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert m.column_sums == [3, 1, 1]


def test_a_suppressed_pair_stays_hidden_in_cells_sums_and_changes(folder):
    m = _matrices(folder, 5)[("sysselsattning", True)]
    assert m.cells[1][0] is None  # the two of A and B: below 5
    assert m.row_sums[1] is None and m.column_sums[0] is None
    assert all(
        d is None for _, d, _ in m.changes if _ in ("Förvärvsarbete", "Aktivt arbetssökande")
    )
    # every pair that occurs is 1 or 2 here, so nothing shows the denominator either
    assert m.total is None


def test_every_human_format_shows_the_matrices(cli, folder, tmp_path):
    args = ["monthly", "--period", "2017-05", "--data", str(folder), "--min-cell", "0"]
    table = cli(*args, "--format", "table").stdout
    assert (
        "Sysselsättning före → efter, grupperat (avslutade med båda registrerade) · perioden"
        in table
    )
    assert "1 Förvärvsarbete" in table and "Sysselsättning före > efter" not in table
    assert max(len(line) for line in table.splitlines()) <= 120
    markdown = cli(*args, "--format", "markdown").stdout
    assert "| Aktivt arbetssökande |" in markdown
    cli(*args, "--format", "html", "--out", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.count('<table class="matris">') >= 4 and "Förvärvsarbete" in html
    cli(*args, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    ws = openpyxl.load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))["OS"]
    values = [r for r in ws.iter_rows(values_only=True)]
    assert ("Aktivt arbetssökande", None, 2, 0, 0, 2, None, None) in values
    csv = cli(*args, "--format", "csv").stdout
    assert ",sysselsattning_fore_efter,ARBETSSOKANDE>ARBETE,T,0.4,2,5,ok" in csv  # tidy keeps pairs


def test_with_the_cell_key_every_cell_and_sum_is_a_multiple_of_five(folder):
    # the same matrix under the cell-key method: the counts 1 and 2 become 0 or 5, and so do
    # the sums, each rounded by its own persons' keys (they need not add up)
    m = _matrices(folder, 5, "cellnyckel")[("sysselsattning", True)]
    values = [v for row in m.cells for v in row] + m.row_sums + m.column_sums + [m.total]
    assert all(v is not None and v % 5 == 0 for v in values)
