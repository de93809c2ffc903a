"""CBS symbols and sentinels → a value plus an explicit status; never a silent zero.

StatLine writes ``.`` (unknown, unreliable or secret), ``x`` (secret), ``-`` (nil / cannot
occur), ``?`` (uncertain) or an empty cell; the wijk- en buurtkaart writes negative
sentinels (−99999997 secret, …). All become a missing value with a status flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from buurtbalans.errors import DataError, Msg

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


_PLAIN = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_THOUSANDS_LIKE = re.compile(r"^[+-]?[1-9]\d{0,2}([.,])\d{3}$")


def first_bad_cell(
    mask: pd.Series | np.ndarray,
    what: Callable[[int, int], str | Msg],
    *,
    file: str,
    column: str,
    first_row: int,
    fix: str | Msg,
) -> DataError:
    """The error for the first flagged cell of a column: ``what(pos, n)`` says what is
    wrong with the cell at position ``pos`` (``n`` cells share the problem); the row is the
    spreadsheet row of that cell.

    >>> err = first_bad_cell([False, True], lambda pos, n: f"cell {pos} of {n} is wrong",
    ...                      file="f.csv", column="x", first_row=2, fix="correct it")
    >>> print(err)
    cell 1 of 1 is wrong (file f.csv, row 3, column 'x'). Fix: correct it
    """
    flags = np.asarray(mask, dtype=bool)
    pos = int(np.flatnonzero(flags)[0])
    return DataError(
        what(pos, int(flags.sum())), file=file, row=first_row + pos, column=column, fix=fix
    )


def decimal_text(text: pd.Series, *, file: str, column: str, first_row: int = 2) -> pd.Series:
    """Cells of one column with the decimal mark made a point, refusing every cell whose
    number depends on a guess about thousands separators.

    ``1.250.000``, ``1,250.5`` and ``1.250,5`` carry thousands separators: refused. A cell
    such as ``1.250`` or ``1,250`` (one mark, exactly three digits after it) is 1250 or 1.25;
    it is read as a decimal only when the column's other decimal cells use the same mark
    and do not all have one fixed number of decimals other than three (StatLine writes a
    fixed number of decimals per column); otherwise it is refused.
    """
    plain = text.str.match(_PLAIN)
    other = text[~plain]  # symbols and empty cells, mostly: the costly tests run on these
    separated = (
        other.str.match(r"^[+-]?[\d.,]+([eE][+-]?\d+)?$")
        & other.str.contains(r"\d")
        & (other.str.count(r"[.,]") > 1)
    )

    def refuse(mask: pd.Series, why: str) -> None:
        raise first_bad_cell(
            mask,
            lambda pos, n: Msg("err_cell", cell=text.iloc[pos], what=Msg(why), n=n),
            file=file,
            column=column,
            first_row=first_row,
            fix=Msg("fix_cell_marks"),
        )

    if separated.any():
        refuse(separated.reindex(text.index, fill_value=False), "cell_thousands")
    comma = plain & text.str.contains(",", regex=False)
    point = plain & text.str.contains(".", regex=False)
    decimal = comma | point
    length = text.str.len()
    short = decimal & (length >= 5) & (length <= 8)  # the only cells like 1.250 or -1,250
    ambiguous = pd.Series(False, index=text.index)
    if short.any():
        ambiguous[short] = text[short].str.match(_THOUSANDS_LIKE)
    if ambiguous.any():
        others = decimal & ~ambiguous
        marks_used = {m for m, used in ((",", comma.any()), (".", point.any())) if used}
        digits = text[others].str.extract(r"[.,](\d*)")[0].str.len()
        fixed_other = digits.nunique() == 1 and int(digits.iloc[0]) != 3
        if len(marks_used) > 1 or not others.any() or fixed_other:
            refuse(ambiguous, "cell_thousands_or_decimal")
    elif comma.any() and point.any():
        refuse(comma, "cell_other_mark")
    return text.where(~comma, text.str.replace(",", ".", regex=False))


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
    if pd.api.types.is_bool_dtype(raw.dtype):
        raw = raw.map({True: "TRUE", False: "FALSE"}).astype(object)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.astype("float64")
        status = pd.Series(np.where(values.isna(), MISSING, OK), index=index, dtype=object)
    else:
        text = raw.astype("string").str.strip()
        text = text.fillna("")
        numeric_text = decimal_text(text, file=file, column=column, first_row=first_row)
        values = pd.to_numeric(numeric_text, errors="coerce").astype("float64")
        symbol = text.map(SYMBOL_STATUS)
        status = pd.Series(np.where(values.notna(), OK, symbol), index=index, dtype=object)
        bad = values.isna() & symbol.isna()
        if bad.any():
            raise first_bad_cell(
                bad,
                lambda pos, n: Msg(
                    "err_cell", cell=text.iloc[pos], what=_what_it_is(text.iloc[pos]), n=n
                ),
                file=file,
                column=column,
                first_row=first_row,
                fix=_fix_for(text[bad].iloc[0]),
            )
    infinite = np.isinf(values.to_numpy(dtype="float64"))
    if infinite.any():
        raise first_bad_cell(
            infinite,
            lambda pos, n: Msg("err_tb_not_finite", cell=raw.iloc[pos]),
            file=file,
            column=column,
            first_row=first_row,
            fix=Msg("fix_tb_not_finite"),
        )
    is_sentinel = values.isin(list(SENTINEL_STATUS))
    if is_sentinel.any():
        status = status.where(~is_sentinel, values.map(SENTINEL_STATUS))
        values = values.where(~is_sentinel)
    status = status.where(values.notna() | (status != OK), MISSING)
    return values, status.astype(object)


def parse_frame(
    df: pd.DataFrame, columns: list[str], *, file: str, first_row: int = 2
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`parse_values` for many text columns at once: the cells of all ``columns``
    are tested in blocks of columns (one regular expression over every cell of a block,
    so memory stays bounded), and only a column
    with a cell that is not a plain number or a CBS symbol, a cell like ``1.250``, two
    decimal marks, or a sentinel number goes through :func:`parse_values` on its own (for
    the same values, or the same error naming file, row and column).

    Returns per column the float values and the statuses as NumPy arrays.
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # columns of text cells only (a spreadsheet's mixed columns go one by one)
    text_cols = [
        c for c in columns if pd.api.types.infer_dtype(df[c], skipna=True) in ("string", "empty")
    ]
    for column in columns:
        if column not in text_cols:
            out[column] = _one_column(df, column, file=file, first_row=first_row)
    if not text_cols:
        return out
    for start in range(0, len(text_cols), _BLOCK_COLUMNS):  # memory stays bounded
        block = text_cols[start : start + _BLOCK_COLUMNS]
        out.update(_parse_text_block(df, block, file=file, first_row=first_row))
    return {c: out[c] for c in columns}


_BLOCK_COLUMNS = 12  # columns tested in one pass


def _one_column(
    df: pd.DataFrame, column: str, *, file: str, first_row: int
) -> tuple[np.ndarray, np.ndarray]:
    """One column through :func:`parse_values` (its values, or its error)."""
    values, status = parse_values(
        df[column].reset_index(drop=True), file=file, column=column, first_row=first_row
    )
    return values.to_numpy(), status.to_numpy()


def _parse_text_block(
    df: pd.DataFrame, columns: list[str], *, file: str, first_row: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`parse_frame` for a block of text columns."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    n = len(df)
    raw = df[columns].to_numpy(dtype=object).T.reshape(-1)
    cells = pc.utf8_trim_whitespace(pa.array(raw, type=pa.string(), from_pandas=True))
    cells = pc.fill_null(cells, "")
    plain = pc.match_substring_regex(cells, _PLAIN.pattern)
    comma = pc.and_(plain, pc.match_substring(cells, ","))
    point = pc.and_(plain, pc.match_substring(cells, "."))
    length = pc.utf8_length(cells)
    short = pc.and_(pc.greater_equal(length, 5), pc.less_equal(length, 8))
    maybe = pc.and_(pc.or_(comma, point), short)
    thousands = pc.and_(maybe, pc.match_substring_regex(cells, _THOUSANDS_LIKE.pattern))
    keys = pa.array(list(SYMBOL_STATUS), pa.string())
    where = pc.fill_null(pc.index_in(cells, value_set=keys), -1).to_numpy(zero_copy_only=False)
    is_symbol = where >= 0
    symbol = np.array([*SYMBOL_STATUS.values(), None], dtype=object)[where]  # -1: None
    numeric = pc.if_else(plain, pc.replace_substring(cells, ",", "."), None)
    numbers = pc.cast(numeric, pa.float64()).to_numpy(zero_copy_only=False)
    shape = (len(columns), n)
    odd = (
        (~plain.to_numpy(zero_copy_only=False) & ~is_symbol)  # parse_values names it
        | thousands.to_numpy(zero_copy_only=False)  # cells like 1.250: 1250 or 1.25?
        | np.isinf(numbers)
        | np.isin(numbers, list(SENTINEL_STATUS))
    ).reshape(shape)
    comma_np = comma.to_numpy(zero_copy_only=False).reshape(shape)
    point_np = point.to_numpy(zero_copy_only=False).reshape(shape)
    both_marks = comma_np.any(axis=1) & point_np.any(axis=1)
    numbers, symbol = numbers.reshape(shape), symbol.reshape(shape)
    for i, column in enumerate(columns):
        if both_marks[i] or odd[i].any():
            out[column] = _one_column(df, column, file=file, first_row=first_row)
            continue
        values = numbers[i]
        # references to the status constants: a text array made object (and np.full)
        # would give every cell a string of its own, ~70 MiB for a national KWB year
        status = np.empty(n, dtype=object)
        status[:] = OK
        empty = np.isnan(values)
        status[empty] = symbol[i][empty]
        status[empty & pd.isna(status)] = MISSING
        out[column] = (values, status)
    return out


_BOOLEANS = {"true", "false", "waar", "onwaar", "ja", "nee", "yes", "no"}


def _what_it_is(cell: str) -> Msg:
    """What a cell that is no number and no CBS symbol is, in words."""
    if cell.endswith("%"):
        return Msg("cell_percent")
    if cell.startswith("#"):
        return Msg("cell_error")
    if cell.startswith("="):
        return Msg("cell_formula")
    if cell.lower() in _BOOLEANS:
        return Msg("cell_boolean")
    if cell.lower().strip(".") in ("inf", "infinity", "-inf", "nan"):
        return Msg("cell_infinite")
    return Msg("cell_neither")


def _fix_for(cell: str) -> Msg:
    if cell.endswith("%"):
        return Msg("fix_cell_percent")
    if cell.startswith(("#", "=")):
        return Msg("fix_cell_formula")
    if cell.lower() in _BOOLEANS:
        return Msg("fix_cell_boolean")
    return Msg("fix_cell")


def check_not_negative(values: pd.Series, *, file: str, column: str, first_row: int = 2) -> None:
    """Counts cannot be negative: raise naming the first offending cell."""
    negative = values < 0
    if negative.any():
        raise first_bad_cell(
            negative,
            lambda pos, n: Msg("err_tb_negative_count", value=values.iloc[pos]),
            file=file,
            column=column,
            first_row=first_row,
            fix=Msg("fix_tb_negative_count"),
        )
