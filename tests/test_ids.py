import datetime as dt

import pytest

from indikator.ids import check_id, mask

REF = dt.date(2017, 6, 1)


@pytest.mark.parametrize(
    "raw, person, kon, born",
    [
        ("19800101-0001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("198001010001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("800101-0001", "198001010001", "K", dt.date(1980, 1, 1)),
        ("8001010001", "198001010001", "K", dt.date(1980, 1, 1)),
        (" 19800101 0001 ", "198001010001", "K", dt.date(1980, 1, 1)),  # spaces tolerated
        ("800101+0001", "188001010001", "K", dt.date(1880, 1, 1)),  # + adds 100 years
        ("19800202-0017", "198002020017", "M", dt.date(1980, 2, 2)),
        ("800161-0008", "198001610008", "K", dt.date(1980, 1, 1)),  # samordningsnummer
        ("121212-1212", "201212121212", "M", dt.date(2012, 12, 12)),  # century: 0–99 years old
        ("ANON-1", "ANON-1", None, None),
        ("anon-1", "anon-1", None, None),  # pseudonyms are case-sensitive
    ],
)
def test_valid(raw, person, kon, born):
    assert check_id(raw, REF) == (person, kon, born, None)


def test_century_depends_on_reference_date():
    # Born 2012-12-12 is in the future on 2010-01-01: then the person was born in 1912.
    assert check_id("121212-1212", dt.date(2010, 1, 1))[0] == "191212121212"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("19800101-0002", "personnumret har fel kontrollsiffra"),
        ("19801301-0002", "personnumret har ett omöjligt datum"),
        ("19800230-0002", "personnumret har ett omöjligt datum"),
        ("x" * 65, "deltagare_id är längre än 64 tecken"),
        ("AB\u200bC", "deltagare_id innehåller blanksteg eller osynliga tecken"),
        ("   ", "deltagare_id saknas"),
    ],
)
def test_invalid(raw, message):
    assert check_id(raw, REF)[3] == message


def test_mask_in_text():
    text = "rad 3: 19800101-0002, 800101-0002 och 198001010002 samt 800101+0002"
    assert mask(text) == "rad 3: 19800101-****, 800101-**** och 19800101-**** samt 800101-****"
    assert mask("R1-0000001 och 2017-05-01") == "R1-0000001 och 2017-05-01"  # not personnummer
