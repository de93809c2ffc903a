"""Writing tables for analysts: CSV, Excel (with a sources sheet) and Parquet."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans.atomic import atomic_path
from buurtbalans.errors import DataError, Msg

# OWASP CSV injection: a cell starting with one of these is a formula to a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe_cell(value: Any) -> Any:
    """A CSV text cell that a spreadsheet would run as a formula, made plain text (a leading
    apostrophe, as OWASP advises); numbers and other values are returned unchanged. (Excel
    files keep the value and store the cell as text with a quote prefix instead.)"""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot run as formulas."""
    out = df.copy()
    out.columns = [safe_cell(c) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(safe_cell, na_action="ignore")
    if isinstance(out.index, pd.MultiIndex) or out.index.dtype == object:
        out.index = out.index.map(
            lambda v: tuple(map(safe_cell, v)) if isinstance(v, tuple) else safe_cell(v)
        )
    return out


def terminal_text(value: Any) -> str:
    """Text for the terminal: control characters removed and rich markup escaped, so a name
    such as ``[bold]x`` or one with an escape sequence prints as written."""
    from rich.markup import escape

    return escape(_CONTROL.sub("", str(value)))


def write_table(
    df: pd.DataFrame, path: Path, *, provenance: dict[str, Any] | None = None, sheet: str = "tabel"
) -> Path:
    """Write ``df`` by the file's suffix; Excel gets a ``bronnen`` sheet with provenance."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".parquet"):
        raise DataError(
            Msg("err_co_write_type", suffix=suffix), file=str(path), fix=Msg("fix_file_type")
        )
    if suffix == ".xlsx":
        return write_tables({sheet: df}, path, provenance=provenance)
    with atomic_path(path) as tmp:  # a failed write keeps the previous file
        if suffix == ".csv":
            # text quoted, so a CR or newline inside a cell can never start a new row
            safe_frame(df).to_csv(tmp, index=False, quoting=csv.QUOTE_NONNUMERIC)
        else:
            df.to_parquet(tmp, index=False)
    return path


def write_tables(
    tables: dict[str, pd.DataFrame], path: Path, *, provenance: dict[str, Any] | None = None
) -> Path:
    """Several tables in one Excel workbook (one sheet each, plus ``bronnen``), or, for a
    path without .xlsx, one CSV per table in that folder."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        for name, df in tables.items():
            write_table(df, path / f"{name.replace(' ', '_')}.csv")
        return path
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, df in tables.items():
            df.to_excel(xl, sheet_name=name[:31], index=False)
        if provenance:
            rows = [
                (k, v if isinstance(v, str) else json.dumps(v, default=str))
                for k, v in provenance.items()
            ]
            pd.DataFrame(rows, columns=["veld", "waarde"]).to_excel(
                xl, sheet_name="bronnen", index=False
            )
        _cells_as_text(xl.book)
    return path


def _cells_as_text(book: Any) -> None:
    """No cell of a written workbook is a formula: openpyxl stores a text starting with
    ``=`` as one, so it is set back to text; every text cell that starts with = + - @ tab or
    CR also gets Excel's quote prefix, so editing it keeps it text. The value is unchanged."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.quotePrefix = True
