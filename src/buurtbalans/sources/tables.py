"""Reading tabular input files and turning wide tables into observations.

Every problem is reported with file, row and column, and how to fix it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.regions import CODE_REGEX, normalise_code
from buurtbalans.sources.batch import AREA_COLUMNS, OBSERVATION_COLUMNS
from buurtbalans.sources.codebook import Indicator, catalogue
from buurtbalans.sources.symbols import (
    MISSING,
    check_not_negative,
    first_bad_cell,
    parse_frame,
)
from buurtbalans.sources.values import (
    SPREADSHEET_SUFFIXES,
    decode_bytes,
    read_workbook,
    tidy_header,
    where,
)

_LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


P = ParamSpec("P")
R = TypeVar("R")
_ONCE: ContextVar[dict[tuple[object, ...], pd.DataFrame] | None] = ContextVar(
    "buurtbalans_read_once", default=None
)


def read_once(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` reading each file once: an import reads a file to tell its format and
    then its reader reads it again; the second read gets a copy of the first. Outside such
    a call every read sees the file as it is (it may have changed)."""

    @wraps(function)
    def once(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _ONCE.set({})
        try:
            return function(*args, **kwargs)
        finally:
            _ONCE.reset(token)

    return once


def read_table(
    path: Path, *, sheet: str | int | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """:func:`_read_table`, once per file inside a :func:`read_once` call."""
    seen = _ONCE.get()
    key = (str(Path(path)), sheet, encoding)
    if seen is not None and key in seen:
        return seen[key].copy()
    df = _read_table(Path(path), sheet=sheet, encoding=encoding)
    if seen is not None:
        seen[key] = df
        return df.copy()
    return df


def _read_table(
    path: Path, *, sheet: str | int | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file by the typed reading of
    :mod:`buurtbalans.sources.values`: cells kept as shown (symbols intact), header names
    stripped, one visible sheet (or ``sheet``, named in ``attrs["sheet"]``). A file without
    data rows is a :class:`DataError`."""
    path = Path(path)
    if not path.exists():
        raise DataError(Msg("err_file_not_found", path=path), fix=Msg("fix_check_path"))
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in SPREADSHEET_SUFFIXES:
        kind = Msg("err_tb_suffix_file", suffix=suffix) if suffix else Msg("err_tb_plain_file")
        raise DataError(
            Msg("err_tb_sheet_type", sheet=sheet, kind=kind),
            file=str(path),
            fix=Msg("fix_tb_sheet_type"),
        )
    if suffix in SPREADSHEET_SUFFIXES:
        df = read_workbook(path, sheet)
    elif suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises its own types
            raise DataError(
                Msg("err_tb_parquet", error=str(exc)), file=str(path), fix=Msg("fix_tb_parquet")
            ) from exc
        df = tidy_header(df, file=str(path))
    elif suffix in (".csv", ".txt", ".tsv"):
        df = _read_csv(path, encoding)
    else:
        raise DataError(
            Msg("err_file_type", suffix=suffix), file=str(path), fix=Msg("fix_file_type")
        )
    if df.empty:
        raise DataError(
            Msg("err_tb_no_rows" if len(df.columns) else "err_tb_no_rows_no_header"),
            file=where(path, df.attrs.get("sheet")),
            fix=Msg("fix_tb_no_rows"),
        )
    return df


def _delimiter(text: str) -> str:
    """The separator that splits the header into the most fields (``;``, ``,`` or tab);
    a one-column file gets ``,``."""
    first = text.split("\n", 1)[0]
    best, fields = ",", 1
    for candidate in (";", ",", "\t"):
        n = len(next(csv.reader([first], delimiter=candidate), []))
        if n > fields:
            best, fields = candidate, n
    return best


def _read_csv(path: Path, encoding: str | None) -> pd.DataFrame:
    text = decode_bytes(path.read_bytes(), encoding, file=str(path))
    delimiter = _delimiter(text)
    from io import StringIO

    rows = csv.reader(StringIO(text), delimiter=delimiter)
    header = next(rows, [])
    first_blank, blanks = 0, 0
    for row in rows:
        line = rows.line_num
        if not row or all(not c.strip() for c in row):
            first_blank, blanks = first_blank or line, blanks + 1
            continue
        if first_blank:
            raise DataError(
                Msg("err_tb_blank_row", row=first_blank, n=blanks),
                file=str(path),
                row=first_blank,
                fix=Msg("fix_tb_blank_row"),
            )
        if len(row) != len(header):
            raise DataError(
                Msg(
                    "err_tb_ragged_row",
                    n=len(row),
                    header=len(header),
                    separator="tab" if delimiter == "\t" else delimiter,
                ),
                file=str(path),
                row=line,
                fix=Msg("fix_tb_ragged_row"),
            )
    tidy_header(pd.DataFrame(columns=header), file=str(path))
    try:
        df = pd.read_csv(StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(
            Msg("err_tb_csv", error=str(exc)), file=str(path), fix=Msg("fix_tb_csv")
        ) from exc
    if blanks and len(df):  # empty rows at the end (separators only)
        df = df[~(df.apply(lambda c: c.str.strip()) == "").all(axis=1)]
    return tidy_header(df.reset_index(drop=True), file=str(path))


YEAR_RANGE = (1900, 2100)


def validate_year(year: object, *, what: str = "year", file: str | None = None) -> int:
    """A calendar year between 1900 and 2100, or a :class:`DataError` saying so."""
    low, high = YEAR_RANGE
    try:
        value = int(str(year).strip())
        ok = str(year).strip().lstrip("+").isdigit() and low <= value <= high
    except (TypeError, ValueError):
        ok = False
    if not ok or isinstance(year, bool) or (isinstance(year, float) and not year.is_integer()):
        shown = Msg("err_year_word") if what == "year" else what
        raise DataError(
            Msg("err_not_a_year", what=shown, year=year, low=low, high=high),
            file=file,
            fix=Msg("fix_four_digit_year", what=shown),
        )
    return value


def require_columns(df: pd.DataFrame, columns: list[str], *, file: str) -> None:
    """Raise naming the missing columns and the ones the file does have."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(
            Msg(
                "err_tb_missing_columns",
                missing=[str(c) for c in missing],
                have=[str(c) for c in list(df.columns)[:20]],
            ),
            file=file,
            fix=Msg("fix_tb_missing_columns"),
        )


def clean_codes(raw: pd.Series, *, file: str, column: str, first_row: int = 2) -> pd.Series:
    """Normalise area codes (strip padding) and reject malformed ones with their row."""
    codes = raw.astype("string").fillna("").map(normalise_code)
    bad = ~codes.str.match(CODE_REGEX)
    if bad.any():
        raise first_bad_cell(
            bad,
            lambda pos, n: Msg("err_tb_bad_code", code=raw.iloc[pos], n=n),
            file=file,
            column=column,
            first_row=first_row,
            fix=Msg("fix_tb_bad_code"),
        )
    return codes.astype(object)


def check_duplicates(keys: pd.DataFrame, *, file: str, column: str, first_row: int = 2) -> None:
    """Raise when the same area (and period) appears twice, naming both rows."""
    dup = keys.duplicated(keep=False)
    if dup.any():
        rows = (np.flatnonzero(dup.to_numpy())[:2] + first_row).tolist()
        first = keys.iloc[int(np.flatnonzero(dup.to_numpy())[0])].tolist()
        raise DataError(
            Msg(
                "err_duplicate_rows",
                area=", ".join(map(str, first)),
                rows=rows,
                n=int(dup.sum()),
            ),
            file=file,
            row=rows[0],
            column=column,
            fix=Msg("fix_duplicates"),
        )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(name: object) -> str:
    """An area name without control or bidi-override characters, spaces collapsed."""
    return " ".join(_CONTROL.sub(" ", str(name)).split())


def areas_from_codes(
    codes: pd.Series, vintage: int, names: pd.Series | None = None
) -> pd.DataFrame:
    """An areas table (level and parent codes derived from the codes themselves)."""
    codes = pd.Series(codes, dtype=object).reset_index(drop=True)
    prefix = codes.str[:2]
    level = prefix.map(_LEVEL_BY_PREFIX)
    digits = codes.str[2:]
    wijk = np.where(level.isin(["wijk", "buurt"]), "WK" + digits.str[:6], None)
    gem = np.where(level != "land", "GM" + digits.str[:4], None)
    name = (
        names.reset_index(drop=True).astype("string").str.strip().astype(object)
        if names is not None
        else pd.Series([None] * len(codes), dtype=object)
    )
    out = pd.DataFrame(
        {
            "code": codes,
            "vintage": int(vintage),
            "level": level,
            "name": name,
            "wijk_code": wijk,
            "gemeente_code": gem,
        }
    )
    out["name"] = out["name"].map(clean_name, na_action="ignore")
    out["name"] = out["name"].where(out["name"].notna() & (out["name"] != ""), None)
    return out[AREA_COLUMNS].drop_duplicates(["code", "vintage"])


def wide_to_observations(
    df: pd.DataFrame,
    *,
    file: str,
    codes: pd.Series,
    columns: dict[str, str],
    vintage: int,
    periods: pd.Series | int,
    first_row: int = 2,
    missing_values: dict[str, list[float]] | None = None,
) -> pd.DataFrame:
    """Turn a wide table (one column per indicator) into long observations.

    Parameters
    ----------
    codes : cleaned area codes, aligned with ``df``
    columns : file column → indicator id (two columns to one id are refused)
    periods : one year for all rows, or a per-row Series of years
    missing_values : per file column, numbers that mean "missing" (e.g. ``[0, -1]``)

    Every value is checked against its indicator's kind and bounds in the codebook
    (:func:`check_bounds`).
    """
    per = pd.Series(periods, index=df.index) if np.isscalar(periods) else periods
    check_duplicates(
        pd.DataFrame({"code": codes.to_numpy(), "period": per.to_numpy()}),
        file=file,
        column="code/period",
        first_row=first_row,
    )
    check_one_column_per_indicator(columns, file=file)
    cat = catalogue()
    parsed = parse_frame(df.reset_index(drop=True), list(columns), file=file, first_row=first_row)
    parts = []
    for column, indicator in columns.items():
        values, status = pd.Series(parsed[column][0]), parsed[column][1]  # status: NumPy
        if missing_values and column in missing_values:
            declared = values.isin(list(missing_values[column]))
            values = values.where(~declared)
            status = np.where(declared.to_numpy(), MISSING, status).astype(object)
        if indicator in cat:
            check_bounds(values, cat[indicator], file=file, column=column, first_row=first_row)
        else:
            check_not_negative(values, file=file, column=column, first_row=first_row)
        parts.append((indicator, values.to_numpy(), status))
    if not parts:
        return pd.DataFrame(columns=OBSERVATION_COLUMNS)
    n, k = len(df), len(parts)
    code_of_row, code_names = pd.factorize(codes.to_numpy(), sort=True)
    indicators = np.array([p[0] for p in parts], object)
    statuses = sorted({v for p in parts for v in pd.unique(p[2]) if isinstance(v, str)})
    return pd.DataFrame(
        {
            "area_code": _repeated(code_names, np.tile(code_of_row.astype(np.int32), k)),
            "vintage": np.full(n * k, int(vintage), np.int32),
            "period": np.tile(per.to_numpy().astype(np.int32), k),
            "indicator": _repeated(indicators, np.repeat(np.arange(k, dtype=np.int32), n)),
            "value": np.concatenate([p[1] for p in parts]).astype("float64"),
            "status": pd.Categorical.from_codes(
                np.concatenate([pd.Categorical(p[2], categories=statuses).codes for p in parts]),
                categories=pd.Index(statuses, dtype=object),
            ),
        }
    )[OBSERVATION_COLUMNS]


def _repeated(names: np.ndarray, take: np.ndarray) -> pd.Categorical:
    """The text column ``names[take]`` as a categorical with its categories sorted (it
    sorts and compares as the texts do): a long column of repeated codes or indicator ids
    costs a small integer per value, not the text (a national KWB year: 1.5 M values)."""
    order = np.argsort(names.astype(str), kind="stable")
    rank = np.empty(len(names), np.int32)
    rank[order] = np.arange(len(names), dtype=np.int32)
    return pd.Categorical.from_codes(rank[take], categories=pd.Index(names[order], dtype=object))


def check_one_column_per_indicator(columns: dict[str, str], *, file: str) -> None:
    """Two columns that mean the same indicator (``a_inw`` and ``AANT_INW``, or two
    mapping entries to one id) stop the import, naming both."""
    seen: dict[str, str] = {}
    for column, indicator in columns.items():
        if indicator in seen:
            raise DataError(
                Msg(
                    "err_tb_same_indicator",
                    first=seen[indicator],
                    second=column,
                    indicator=indicator,
                ),
                file=file,
                column=column,
                fix=Msg("fix_tb_same_indicator"),
            )
        seen[indicator] = column


def check_bounds(
    values: pd.Series, indicator: Indicator, *, file: str, column: str, first_row: int = 2
) -> None:
    """Values must fit the indicator's kind and bounds (codebook ``lower``, ``upper``,
    ``integral``): counts are whole numbers ≥ 0, shares lie in 0–100, means are ≥ 0 ...
    The first offending cell is named."""
    from buurtbalans.terms import has

    ind = indicator
    checks = []
    if ind.lower is not None:
        checks.append((values < ind.lower, Msg("err_tb_below", bound=ind.lower)))
    if ind.upper is not None:
        checks.append((values > ind.upper, Msg("err_tb_above", bound=ind.upper)))
    if ind.integral:
        frac = values.notna() & (np.abs(values - np.round(values)) > 1e-9)
        checks.append((frac, Msg("err_tb_not_whole")))
    if ind.lower is not None and ind.upper is not None:
        bounds = Msg("err_tb_bounds_both", low=ind.lower, high=ind.upper)
    elif ind.lower is not None:
        bounds = Msg("err_tb_bounds_low", low=ind.lower)
    else:
        bounds = Msg("err_tb_bounds_high", high=ind.upper)
    if ind.integral:
        bounds = Msg("err_tb_bounds_whole", bounds=bounds)
    kind = Msg(f"err_tb_kind_{ind.kind}") if has(f"err_tb_kind_{ind.kind}") else ind.kind
    for mask, why in checks:
        flags = mask.fillna(False).to_numpy(dtype=bool)
        if flags.any():
            raise first_bad_cell(
                flags,
                lambda pos, n, why=why: Msg(
                    "err_tb_out_of_bounds",
                    value=values.iloc[pos],
                    why=why,
                    indicator=ind.id,
                    label=ind.label_nl,
                    kind=kind,
                    unit=ind.unit,
                    bounds=bounds,
                    n=n,
                ),
                file=file,
                column=column,
                first_row=first_row,
                fix=Msg("fix_tb_out_of_bounds"),
            )


MAX_YEARS = 200


def parse_years(text: str) -> list[int]:
    """``'2015,2024'`` or ``'2015-2024'`` → years; every bound is checked (1900–2100) before
    a range is built, so ``1-2000000000`` is refused without allocating anything."""
    years: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        first, sep, last = part.partition("-")
        if sep and first.strip() == "":
            raise DataError(Msg("err_not_years", part=part), fix=Msg("fix_years"))
        low = validate_year(first, what="year")
        high = validate_year(last, what="year") if sep else low
        if high < low:
            raise DataError(
                Msg("err_years_backwards", part=part),
                fix=Msg("fix_years_backwards", low=low, high=high),
            )
        years.extend(range(low, high + 1))
        if len(years) > MAX_YEARS:
            raise DataError(
                Msg("err_too_many_years", n=MAX_YEARS, text=text), fix=Msg("fix_fewer_years")
            )
    if not years:
        raise DataError(Msg("err_no_years", text=text), fix=Msg("fix_years"))
    return sorted(set(years))
