"""Tables as CSV or xlsx downloads, written by :mod:`buurtbalans.exports` (the same writers
and cell rules as the CLI's ``--output``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans.exports import write_table

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_bytes(
    frame: pd.DataFrame, formaat: str, naam: str, provenance: dict[str, Any]
) -> tuple[bytes, str]:
    """``frame`` as the bytes of a .csv or .xlsx file (xlsx with a ``bronnen`` sheet)."""
    with tempfile.TemporaryDirectory(prefix="buurtbalans-dl-") as tmp:
        path = Path(tmp) / f"{naam}.{formaat}"
        write_table(frame, path, provenance=provenance, sheet=naam[:31])
        return path.read_bytes(), MEDIA[formaat]
