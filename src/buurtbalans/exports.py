"""Writing tables for analysts: CSV, Excel (with a sources sheet) and Parquet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans.errors import DataError


def write_table(
    df: pd.DataFrame, path: Path, *, provenance: dict[str, Any] | None = None, sheet: str = "tabel"
) -> Path:
    """Write ``df`` by the file's suffix; Excel gets a ``bronnen`` sheet with provenance."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".xlsx":
        write_tables({sheet: df}, path, provenance=provenance)
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        raise DataError(
            f"cannot write {suffix!r} files", file=str(path), fix="use .csv, .xlsx or .parquet"
        )
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
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
    return path
