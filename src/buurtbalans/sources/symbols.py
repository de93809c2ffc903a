"""CBS symbols and sentinels → a value plus an explicit status; never a silent zero.

StatLine writes ``.`` (unknown, unreliable or secret), ``x`` (secret), ``-`` (nil / cannot
occur), ``?`` (uncertain) or an empty cell; the wijk- en buurtkaart writes negative
sentinels (−99999997 secret, …). All become a missing value with a status flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError

OK, SUPPRESSED, MISSING, ESTIMATED, NIHIL = "ok", "suppressed", "missing", "estimated", "nihil"
STATUSES = (OK, SUPPRESSED, MISSING, ESTIMATED, NIHIL)

SYMBOL_STATUS = {
    "": MISSING,
    ".": MISSING,
    "x": SUPPRESSED,
    "X": SUPPRESSED,
    "-": NIHIL,
    "?": MISSING,
}
SENTINEL_STATUS = {
    -99999999.0: MISSING,
    -99999998.0: SUPPRESSED,
    -99999997.0: SUPPRESSED,
    -99999996.0: MISSING,
    -99999995.0: MISSING,
}


def parse_values(
    raw: pd.Series,
    *,
    file: str,
    column: str,
    first_row: int = 2,
) -> tuple[pd.Series, pd.Series]:
    """Parse one column of an input file into floats and statuses.

    Parameters
    ----------
    raw : the cells as read (strings, numbers or missing)
    file, column : named in the error for a cell that is neither a number nor a CBS symbol
    first_row : the spreadsheet row number of ``raw``'s first element (header is row 1)

    Returns
    -------
    (values, status) : float Series with NaN where no value; status Series from
    :data:`STATUSES`.
    """
    index = raw.index
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.astype("float64")
        status = pd.Series(np.where(values.isna(), MISSING, OK), index=index, dtype=object)
    else:
        text = raw.astype("string").str.strip()
        text = text.fillna("")
        # Dutch decimal comma in CSV exports ("12,5"), but never a thousands separator guess.
        numeric_text = text.str.replace(",", ".", regex=False)
        values = pd.to_numeric(numeric_text, errors="coerce").astype("float64")
        symbol = text.map(SYMBOL_STATUS)
        status = pd.Series(np.where(values.notna(), OK, symbol), index=index, dtype=object)
        bad = values.isna() & symbol.isna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{text.iloc[pos]!r} is neither a number nor a CBS symbol (. x - ?); "
                f"{int(bad.sum())} such cell(s) in this column",
                file=file,
                row=first_row + pos,
                column=column,
                fix="correct the cell, or leave it empty to mark the value as missing",
            )
    sentinel = values.map(SENTINEL_STATUS)
    is_sentinel = sentinel.notna()
    if is_sentinel.any():
        status = status.where(~is_sentinel, sentinel)
        values = values.where(~is_sentinel)
    status = status.where(values.notna() | (status != OK), MISSING)
    return values, status.astype(object)


def check_not_negative(values: pd.Series, *, file: str, column: str, first_row: int = 2) -> None:
    """Counts cannot be negative: raise naming the first offending cell."""
    negative = values < 0
    if negative.any():
        pos = int(np.flatnonzero(negative.to_numpy())[0])
        raise DataError(
            f"negative count {values.iloc[pos]:g} in a count column",
            file=file,
            row=first_row + pos,
            column=column,
            fix="counts must be 0 or more; leave the cell empty if the value is unknown",
        )
