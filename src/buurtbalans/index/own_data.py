"""Bring-your-own-data (``buurtbalans index --input``): the file read by the same typed
reader as every import, before anything is ranked.

* ids: stripped; an empty id is refused naming its row;
* periods: integer years (``2020`` and ``2020.0`` are one period; ``twintig`` refused);
* values: the columns the spec reads (indicators, ratio numerators and denominators, the
  population) parsed by :func:`buurtbalans.sources.symbols.parse_values` — numbers, CBS
  symbols (missing), or a refusal naming file, row and column (``10%``, ``n.v.t.``,
  ``inf``, ``1.250``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.symbols import OK, first_bad_cell, parse_values
from buurtbalans.sources.tables import read_table
from buurtbalans.sources.values import read_years, source_label
from buurtbalans.spec import IndexSpec


def read_own_data(
    path: Path,
    spec: IndexSpec,
    *,
    id_column: str,
    period_column: str | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The rows of ``path`` ready for :func:`buurtbalans.index.engine.compute`: the id (and
    period) column and, as floats, every column of the spec that the file has. Returns the
    table and notes (:class:`~buurtbalans.errors.Msg`: values marked missing by a CBS
    symbol, columns the spec reads that the file lacks)."""
    df = read_table(Path(path), sheet=sheet)
    file = source_label(path, df)
    if period_column is not None and period_column == id_column:
        raise DataError(
            Msg("err_co_period_is_id", column=id_column), file=file, fix=Msg("fix_co_period_is_id")
        )
    keys = [id_column, *([period_column] if period_column else [])]
    if missing := [c for c in keys if c not in df.columns]:
        raise DataError(
            Msg("err_missing_columns", missing=missing, n=len(missing), have=list(df.columns)[:15]),
            file=file,
            fix=Msg("fix_missing_columns"),
        )
    ids = df[id_column].astype("string").str.strip().fillna("")
    empty = (ids == "").to_numpy()
    if empty.any():
        raise first_bad_cell(
            empty,
            lambda pos, n: Msg("err_co_empty_id", n=n),
            file=file,
            column=id_column,
            first_row=2,
            fix=Msg("fix_co_empty_id"),
        )
    out = pd.DataFrame({id_column: ids.astype(object)})
    if period_column:
        out[period_column] = read_years(df[period_column], file=file, column=period_column)
    notes: list[Msg] = []
    wanted = [c for c in spec.raw_inputs() if c not in keys]
    for column in wanted:
        if column not in df.columns:
            continue
        values, status = parse_values(df[column].reset_index(drop=True), file=file, column=column)
        flagged = int(((status != OK) & df[column].astype("string").str.strip().ne("")).sum())
        if flagged:
            notes.append(Msg("note_symbol_missing", column=column, n=flagged))
        out[column] = values.to_numpy(dtype=float)
    absent = [c for c in wanted if c not in df.columns and c != spec.population]
    if absent:
        notes.append(Msg("note_spec_columns_absent", file=Path(path).name, columns=absent))
    negative = [c for c in _counts(spec) if c in out.columns and (out[c] < 0).any()]
    for column in negative:
        raise first_bad_cell(
            (out[column] < 0).to_numpy(),
            lambda pos, n, c=column: Msg("err_co_negative_count", value=out[c].iloc[pos], n=n),
            file=file,
            column=column,
            first_row=2,
            fix=Msg("fix_co_negative_count"),
        )
    return out, notes


def _counts(spec: IndexSpec) -> list[str]:
    """Columns that are counts (numerators and denominators of ratio indicators)."""
    cols = [c for i in spec.indicators if i.numerator for c in (i.numerator, *i.denominator)]
    return list(dict.fromkeys(cols))


def shared_ranks(score: pd.Series, rank: np.ndarray, groups: pd.Series | None) -> np.ndarray:
    """Ordinal ranks made shared for ties: equal scores within a group get the best
    (lowest) rank of the tie, so they also share their decile (``method="min"``).

    >>> shared_ranks(pd.Series([5.0, 7.0, 5.0, None]), np.array([2.0, 1.0, 3.0, np.nan]), None)
    array([ 2.,  1.,  2., nan])
    """
    frame = pd.DataFrame(
        {
            "g": 0 if groups is None else np.asarray(groups),
            "s": score.to_numpy(dtype=float),
            "r": np.asarray(rank, dtype=float),
        }
    )
    return frame.groupby(["g", "s"], sort=False)["r"].transform("min").to_numpy(dtype=float)
