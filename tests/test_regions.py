import pytest

from buurtbalans.errors import DataError
from buurtbalans.regions import gemeente_code, is_code, parse_code


def test_parse_levels_and_parents():
    b = parse_code(" BU01410101  ")
    assert (b.level, b.wijk, b.gemeente) == ("buurt", "WK014101", "GM0141")
    assert parse_code("WK0363AA").level == "wijk"  # Amsterdam letter codes
    assert parse_code("NL01").gemeente is None


def test_bad_code_error_names_where():
    with pytest.raises(DataError, match="not a CBS area code") as exc:
        parse_code("BU123", file="a.csv", row=7, column="code")
    assert exc.value.row == 7


def test_gemeente_code_forms():
    assert gemeente_code("141") == gemeente_code("GM0141") == "GM0141"
    assert not is_code("GM141")
    with pytest.raises(DataError):
        gemeente_code("Almelo!")
