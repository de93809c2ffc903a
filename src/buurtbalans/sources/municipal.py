"""Any municipal table (CSV/Excel/Parquet) keyed by buurt code or by name.

A mapping file (TOML) says which column is which::

    [table]
    code_column = "buurtcode"      # or: name_column = "buurtnaam" (matched to the store)
    period = 2024                  # or: period_column = "jaar"
    vintage = 2024                 # the code/name classification year
    publisher = "Gemeente Almelo"
    title = "Kosten sociaal domein per buurt"

    [columns]
    kosten_totaal = "kosten_sociaal_domein"
    inwoners = "a_inw"

Without ``[columns]``, columns whose names are catalogue ids or known aliases are taken and
the rest are listed in the report. Names are matched case-, accent- and punctuation-
insensitively; what did not match is reported, never silently dropped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError
from buurtbalans.sources.batch import ImportBatch, SourceInfo, file_hash
from buurtbalans.sources.codebook import indicator_for_column
from buurtbalans.sources.tables import (
    areas_from_codes,
    clean_codes,
    read_table,
    require_columns,
    wide_to_observations,
)


@dataclass
class TableMapping:
    """How a municipal table maps onto areas, periods and indicators."""

    code_column: str | None = None
    name_column: str | None = None
    period: int | None = None
    period_column: str | None = None
    vintage: int | None = None
    publisher: str = "gemeente"
    title: str = ""
    columns: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TableMapping:
        """Read a mapping TOML file."""
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DataError(
                f"cannot read mapping: {exc}",
                file=str(path),
                fix="see the mapping example in the README",
            ) from exc
        table = data.get("table", {})
        unknown = set(table) - set(cls.__dataclass_fields__)
        if unknown:
            raise DataError(
                f"unknown keys in [table]: {sorted(unknown)}",
                file=str(path),
                fix=f"use {sorted(set(cls.__dataclass_fields__) - {'columns'})}",
            )
        return cls(**table, columns=dict(data.get("columns", {})))


def normalise_name(name: object) -> str:
    """'Binnenstad-Noord ' → 'binnenstad noord' (for matching names to codes)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def match_names(names: pd.Series, areas: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Match area names to codes; returns codes (None where unmatched) and the unmatched."""
    lookup: dict[str, list[str]] = {}
    for code, name in zip(areas["code"], areas["name"], strict=True):
        if name:
            lookup.setdefault(normalise_name(name), []).append(code)
    codes, unmatched = [], []
    for name in names:
        hits = lookup.get(normalise_name(name), [])
        if len(hits) == 1:
            codes.append(hits[0])
        else:
            codes.append(None)
            unmatched.append(f"{name}" + (" (ambiguous)" if hits else ""))
    return pd.Series(codes, index=names.index, dtype=object), unmatched


def read_municipal_table(
    path: Path,
    mapping: TableMapping,
    *,
    areas: pd.DataFrame | None = None,
    encoding: str | None = None,
) -> ImportBatch:
    """Import a municipal table; ``areas`` (from the store) is needed to match names."""
    path = Path(path)
    name = str(path)
    df = read_table(path, encoding=encoding).reset_index(drop=True)
    df.columns = [str(c).strip() for c in df.columns]
    if not (mapping.code_column or mapping.name_column):
        guess = [
            c
            for c in df.columns
            if c.lower() in ("bu_code", "buurtcode", "buurt_code", "gwb_code", "code", "wk_code")
        ]
        if not guess:
            raise DataError(
                "no code column found",
                file=name,
                fix="name it in a mapping file: code_column = '...' or "
                "name_column = '...' (see --mapping)",
            )
        mapping.code_column = guess[0]
    report: list[str] = []
    if mapping.code_column:
        require_columns(df, [mapping.code_column], file=name)
        codes = clean_codes(df[mapping.code_column], file=name, column=mapping.code_column)
    else:
        require_columns(df, [mapping.name_column], file=name)  # type: ignore[list-item]
        if areas is None or areas.empty:
            raise DataError(
                "cannot match names: the store has no areas for this vintage",
                file=name,
                fix="import CBS data for the gemeente first",
            )
        matched, unmatched = match_names(df[mapping.name_column], areas)
        if unmatched:
            report.append(
                f"{len(unmatched)} name(s) not matched to a code (not imported): {unmatched}"
            )
        keep = matched.notna()
        df, codes = df[keep].reset_index(drop=True), matched[keep].reset_index(drop=True)
    if mapping.period_column:
        require_columns(df, [mapping.period_column], file=name)
        periods: pd.Series | int = pd.to_numeric(df[mapping.period_column]).astype(int)
    elif mapping.period:
        periods = int(mapping.period)
    else:
        raise DataError(
            "the table's year is not known",
            file=name,
            fix="set period = YYYY or period_column in the mapping (or --jaar)",
        )
    vintage = mapping.vintage or int(pd.Series(periods).max())
    columns = dict(mapping.columns)
    if not columns:
        columns = {c: ind for c in df.columns if (ind := indicator_for_column(c))}
        keys = {mapping.code_column, mapping.name_column, mapping.period_column}
        if rest := [c for c in df.columns if c not in columns and c not in keys]:
            report.append(f"columns not in the catalogue (not imported): {rest}")
    require_columns(df, list(columns), file=name)
    obs = wide_to_observations(
        df, file=name, codes=codes, columns=columns, vintage=vintage, periods=periods
    )
    digest = file_hash(path)
    source = SourceInfo(
        source_id=f"table:{digest[:16]}",
        publisher=mapping.publisher,
        table_id=path.stem,
        title=mapping.title or path.name,
        period=",".join(str(p) for p in sorted(set(pd.Series(periods).tolist()))),
        file_name=path.name,
        file_hash=digest,
        kind="municipal-table",
        notes=f"codes as the {vintage} classification; columns {columns}",
    )
    return ImportBatch(source, areas_from_codes(codes, vintage), obs, report=report)
