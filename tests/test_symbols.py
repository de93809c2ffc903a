import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.errors import DataError
from buurtbalans.sources.symbols import check_not_negative, parse_frame, parse_values


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


_CELLS = st.one_of(
    st.sampled_from(["", ".", "x", "X", "-", "?", " 12,5 ", "1.250", "1,250", "7", "-99999999"]),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.floats(0, 1e4, allow_nan=False).map(lambda v: f"{v:.1f}".replace(".", ",")),
    st.integers(0, 10**6).map(str),
    st.text(alphabet="0123456789.,e+-x ", max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=12))
def test_parse_frame_is_parse_values_column_by_column(rows):
    """The one-pass parse of many columns gives each column's values and statuses, or the
    error, that parse_values gives it on its own (the first failing column's)."""
    df = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    expected, error = {}, None
    for col in df.columns:
        try:
            expected[col] = parse_values(df[col], file="f.csv", column=col)
        except DataError as exc:
            error = error or str(exc)
    if error is not None:
        with pytest.raises(DataError) as caught:
            parse_frame(df, list(df.columns), file="f.csv")
        assert str(caught.value) == error
        return
    got = parse_frame(df, list(df.columns), file="f.csv")
    for col, (values, status) in expected.items():
        np.testing.assert_array_equal(got[col][0], values.to_numpy())
        assert list(got[col][1]) == list(status)
