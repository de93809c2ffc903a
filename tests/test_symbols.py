import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.errors import DataError
from buurtbalans.sources.symbols import check_not_negative, parse_values


def test_cbs_symbols_become_missing_with_status_never_zero():
    raw = pd.Series(["12", "       .", "x", "-", "?", "", "3,5", None])
    values, status = parse_values(raw, file="f.csv", column="a_inw")
    assert values.iloc[0] == 12 and values.iloc[6] == 3.5
    assert values.iloc[1:6].isna().all() and np.isnan(values.iloc[7])
    assert status.tolist() == [
        "ok",
        "missing",
        "suppressed",
        "nihil",
        "missing",
        "missing",
        "ok",
        "missing",
    ]


def test_kwb_map_sentinels():
    values, status = parse_values(
        pd.Series([5.0, -99999997.0, -99999999.0]), file="k", column="AANT_INW"
    )
    assert values.isna().tolist() == [False, True, True]
    assert status.tolist() == ["ok", "suppressed", "missing"]


def test_text_cell_names_file_row_column():
    with pytest.raises(DataError) as exc:
        parse_values(pd.Series(["1", "2", "veel"]), file="kosten.csv", column="kosten")
    e = exc.value
    assert (e.file, e.row, e.column) == ("kosten.csv", 4, "kosten")
    assert "veel" in str(e) and "Fix" in str(e)


def test_negative_count_is_an_error():
    with pytest.raises(DataError, match="negative count") as exc:
        check_not_negative(pd.Series([1.0, -5.0]), file="x.csv", column="a_inw")
    assert exc.value.row == 3


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=30))
def test_numbers_round_trip_as_text(xs):
    values, status = parse_values(
        pd.Series([repr(x) for x in xs], dtype=object), file="f", column="c"
    )
    assert np.allclose(values.to_numpy(), xs) and set(status) <= {"ok"}


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["12,5", "3,25"], [12.5, 3.25]),  # Dutch decimal comma
        (["1.250", "2.5", "2.25"], [1.25, 2.5, 2.25]),  # varied decimals: a decimal mark
        (["0.125", "0.5"], [0.125, 0.5]),  # a leading zero is never a thousands group
        (["1e3", "2"], [1000.0, 2.0]),
    ],
)
def test_decimal_marks(cells, expected):
    from buurtbalans.sources.symbols import parse_values

    values, _ = parse_values(pd.Series(cells, dtype=object), file="f", column="c")
    assert values.tolist() == expected


@pytest.mark.parametrize(
    "cells",
    [
        ["1.250"],  # alone: 1250 or 1.25?
        ["1,250", "12.5"],  # two marks in one column
        ["1.250", "12.5", "3.1"],  # the column writes one decimal; three is a separator
        ["1.250.000"],
        ["1,250.50"],
        ["1.250,50"],
    ],
)
def test_thousands_separators_refused(cells):
    from buurtbalans.errors import DataError
    from buurtbalans.sources.symbols import parse_values

    with pytest.raises(DataError, match="thousands separator|decimal mark") as exc:
        parse_values(pd.Series(cells, dtype=object), file="f.csv", column="a_inw")
    assert exc.value.row == 2 and exc.value.column == "a_inw"
