"""Leefbaarometer 3.0 open-data scores (BZK; per buurt or wijk, per year).

Columns as in the open-data file: ``bu_code`` (or ``wk_code``/``gm_code``), ``jaar``,
``lbm``, ``afw`` and the dimensions ``won, fys, vrz, soc, onv`` (deviations from the NL
average, higher = better), plus published classes ``kscore``, ``konv`` where present.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import ImportBatch, SourceInfo, file_hash, listed
from buurtbalans.sources.tables import (
    areas_from_codes,
    clean_codes,
    read_table,
    validate_year,
    wide_to_observations,
)
from buurtbalans.sources.values import check_vintage, source_label

CODE_COLUMNS = ("bu_code", "wk_code", "gm_code")
NAME_COLUMNS = ("bu_naam", "wk_naam", "gm_naam")
SCORE_COLUMNS = {
    "lbm": "lbm",
    "afw": "lbm_afw",
    "won": "lbm_won",
    "fys": "lbm_fys",
    "vrz": "lbm_vrz",
    "soc": "lbm_soc",
    "onv": "lbm_onv",
    "kscore": "lbm_kscore",
    "konv": "lbm_konv",
}


def _year(value: object, *, file: str, row: int, column: str) -> int:
    try:
        return validate_year(value, file=file)
    except DataError:
        raise DataError(
            Msg("err_cx_lbm_not_year", value=value),
            file=file,
            row=row,
            column=column,
            fix=Msg("fix_cx_four_digits"),
        ) from None


def is_leefbaarometer(columns: list[str]) -> bool:
    """True when the columns look like the Leefbaarometer open-data layout."""
    lower = {c.lower() for c in columns}
    return "jaar" in lower and "lbm" in lower and bool(lower & set(CODE_COLUMNS))


def read_leefbaarometer(
    path: Path,
    *,
    vintage: int | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> ImportBatch:
    """Import Leefbaarometer scores. The codes are taken as the classification of
    ``vintage`` (default: the latest ``jaar`` in the file; LBM re-publishes all years on the
    newest indeling)."""
    path = Path(path)
    name = str(path)
    df = read_table(path, sheet=sheet, encoding=encoding)
    name = source_label(path, df)
    lower = {c.lower(): c for c in df.columns}
    code_col = next((lower[c] for c in CODE_COLUMNS if c in lower), None)
    if code_col is None or "jaar" not in lower:
        raise DataError(Msg("err_cx_lbm_layout"), file=name, fix=Msg("fix_cx_lbm_layout"))
    codes = clean_codes(df[code_col], file=name, column=code_col)
    years = pd.Series(
        [
            _year(v, file=name, row=i + 2, column=lower["jaar"])
            for i, v in enumerate(df[lower["jaar"]].tolist())
        ],
        index=df.index,
    )
    year = check_vintage(vintage, file=name) if vintage else int(years.max())
    columns = {lower[k]: v for k, v in SCORE_COLUMNS.items() if k in lower}
    obs = wide_to_observations(
        df, file=name, codes=codes, columns=columns, vintage=year, periods=years
    )
    name_col = next((lower[c] for c in NAME_COLUMNS if c in lower), None)
    names = df[name_col] if name_col else None
    digest = file_hash(path)
    ignored = [
        c for c in df.columns if c not in columns and c not in (code_col, lower["jaar"], name_col)
    ]
    source = SourceInfo(
        source_id=f"leefbaarometer:{digest[:16]}",
        publisher="Ministerie van BZK (Leefbaarometer 3.0)",
        table_id="leefbaarometer-3.0",
        title=f"Leefbaarometer-scores ({path.name})",
        period=",".join(str(y) for y in sorted(years.unique())),
        file_name=path.name,
        file_hash=digest,
        kind="leefbaarometer",
        notes=f"codes taken as the {year} classification"
        + ("" if vintage else " (latest jaar; override with --vintage)"),
    )
    report: list[str | Msg] = (
        [Msg("imp_columns_ignored", n=len(ignored), columns=listed(ignored))] if ignored else []
    )
    return ImportBatch(source, areas_from_codes(codes, year, names), obs, report=report)
