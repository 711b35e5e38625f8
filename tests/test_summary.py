"""The cause first: report commands print a short summary (counts per file, then per kind of
problem its count and first example, causes before consequences before warnings); validate
lists every problem, each consequence right under the row that caused it."""

from conftest import write_dataset
from world import FULL_WORLD


def _messy(tmp_path):
    files = dict(FULL_WORLD)
    # P1 (deltagare line 2) with a typo in its check digit: its 2 activities and 3 answers
    # are consequences of that row, not "without an enrolment"
    files["deltagare"] = files["deltagare"].replace("19800101-0001;;OS", "19800101-0009;;OS")
    # 25 activities with an impossible date: one kind of problem, 25 rows
    files["aktiviteter"] += "".join(
        f"19800202-0017;2017-02-{30 + i % 2};KARTLAGGNING;OS;1\n" for i in range(25)
    )
    return write_dataset(tmp_path, files)


def test_report_commands_print_a_short_summary_causes_first(cli, tmp_path):
    folder = _messy(tmp_path)
    r = cli("monthly", "--period", "2017-05", "--format", "csv", "--data", str(folder))
    assert r.exit_code == 3
    lines = r.stderr.splitlines()
    assert lines[:6] == [
        "deltagare.csv: 10 rader lästa, 9 godkända, 1 avvisade",
        "aktiviteter.csv: 34 rader lästa, 7 godkända, 27 avvisade",  # 25 dates + 2 consequences
        "matningar.csv: 12 rader lästa, 9 godkända, 3 avvisade",
        "uppfoljningar.csv: 4 rader lästa, 4 godkända, 0 avvisade",
        "remisser.csv: 6 rader lästa, 6 godkända, 0 avvisade",
        "organisationsaktiviteter.csv: 7 rader lästa, 7 godkända, 0 avvisade",
    ]
    body = lines[6:]
    # one line per kind: the 25 dates are one line with the first example and the count
    dates = [line for line in body if "datumet finns inte" in line]
    assert dates == [
        "fel: aktiviteter.csv:11, kolumn datum, värde '2017-02-30': datumet finns inte "
        "(och 24 till)"
    ]
    cause = next(i for i, line in enumerate(body) if "fel kontrollsiffra" in line)
    consequence = next(i for i, line in enumerate(body) if "hör till inskrivningen" in line)
    warning = next(i for i, line in enumerate(body) if line.startswith("varning"))
    assert cause < consequence < warning
    assert body[consequence] == (
        "fel: aktiviteter.csv:2, kolumn deltagare_id: hör till inskrivningen på deltagare.csv:2, "
        "som avvisades (personnumret har fel kontrollsiffra; personnumren skiljer sig på en "
        "siffra) (och 4 till)"
    )
    assert body[-1] == "Kör `indikator validate` för hela listan."
    assert len(body) <= 8
    assert "saknar inskrivning" not in r.stderr


def test_validate_lists_everything_with_consequences_under_their_cause(cli, tmp_path):
    folder = _messy(tmp_path)
    r = cli("validate", "--data", str(folder))
    assert r.exit_code == 3
    lines = r.stdout.splitlines()
    assert sum("datumet finns inte" in line for line in lines) == 25
    i = lines.index(
        "fel: deltagare.csv:2, kolumn deltagare_id, värde '19800101-****': "
        "personnumret har fel kontrollsiffra"
    )
    under = lines[i + 1 : i + 6]
    assert [line.split(",")[0] for line in under] == [
        "  fel: aktiviteter.csv:2",
        "  fel: aktiviteter.csv:3",
        "  fel: matningar.csv:2",
        "  fel: matningar.csv:3",
        "  fel: matningar.csv:4",
    ]
    assert all("hör till inskrivningen på deltagare.csv:2, som avvisades" in line for line in under)
