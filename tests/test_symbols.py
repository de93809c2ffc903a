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
