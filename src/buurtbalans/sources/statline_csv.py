"""StatLine "onbewerkte dataset" CSV: one KWB year (any year) filtered on gemeenten.

This is the file StatLine serves under *Downloaden → onbewerkte dataset (CSV)*::

    "ID";"WijkenEnBuurten";"Gemeentenaam_1";"SoortRegio_2";"Codering_3";...;"AantalInwoners_5";...
    "922";"BU03630000";"Amsterdam   ";"Buurt     ";"BU03630000";"1";"    1035";...

``;``-separated, every field quoted, strings space-padded, ``.`` for a missing value, and a
header of that year's OData keys. The numeric suffix of a key differs per year, so keys
resolve to indicator ids by their stem through the codebook (:func:`resolve_keys_by_stem`).
The year comes from ``--jaar``, or from the KWB table id in the file name (``84583NED`` is
2019); without either the import stops and asks for it.

Resolution is loud: every column that resolved to nothing and every codebook indicator the
file lacks is printed and recorded with the source. When the table's ``DataProperties.json``
lies next to the file, the keys resolve through it instead and a stem-matched key whose
title disagrees with the codebook stops the import (both titles named).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import (
    ImportBatch,
    SourceInfo,
    file_hash,
    indicator_label,
    listed,
)
from buurtbalans.sources.cbs_odata import KWB_TABLES
from buurtbalans.sources.codebook import (
    catalogue,
    key_stem,
    resolve_keys_by_stem,
    resolve_odata_keys,
)
from buurtbalans.sources.tables import (
    areas_from_codes,
    clean_codes,
    read_table,
    validate_year,
    wide_to_observations,
)
from buurtbalans.sources.values import check_vintage, source_label

# key and text columns of a KWB table (by stem), never indicators
KEY_STEMS = {
    "ID",
    "WijkenEnBuurten",
    "Gemeentenaam",
    "SoortRegio",
    "Codering",
    "IndelingswijzigingWijkenEnBuurten",
    "IndelingswijzigingGemeenteWijkBuurt",
    "MeestVoorkomendePostcode",
    "Dekkingspercentage",
}
_LEVEL_WORD = {"gemeente": "GM", "wijk": "WK", "buurt": "BU", "land": "NL"}
_TABLE_ID = re.compile(r"(\d{5}NED)", re.IGNORECASE)


def is_statline_csv(columns: list[str]) -> bool:
    """True for a StatLine CSV of a wijk-en-buurt table without a period column: the
    ``WijkenEnBuurten`` key with ``SoortRegio_N`` or ``Codering_N`` and ``_N``-suffixed keys."""
    if "WijkenEnBuurten" not in columns or "Perioden" in columns:
        return False
    stems = {key_stem(c) for c in columns if re.search(r"_\d+$", c)}
    return bool(stems & {"SoortRegio", "Codering"})


def table_id_from_name(path: Path) -> str | None:
    """``kwb2019_84583NED_amsterdam.csv`` → ``84583NED``."""
    match = _TABLE_ID.search(path.name)
    return match.group(1).upper() if match else None


def year_of_table(path: Path, jaar: int | None) -> tuple[int, Msg]:
    """The KWB year of the file and how it is known; a clear request when unknown."""
    table = table_id_from_name(path)
    by_table = {t.table_id: t.year for t in KWB_TABLES.values()}
    from_name = by_table.get(table) if table else None
    if jaar is not None:
        year = validate_year(jaar, what="--jaar", file=str(path))
        if from_name is not None and from_name != year:
            raise DataError(
                Msg("err_cx_jaar_contradicts", year=year, table=table, from_name=from_name),
                file=str(path),
                fix=Msg("fix_cx_drop_jaar", from_name=from_name),
            )
        return year, Msg("imp_how_jaar")
    if from_name is not None:
        return from_name, Msg("imp_how_table", table=table)
    known = [f"{t.table_id} = {t.year}" for t in KWB_TABLES.values()]
    raise DataError(
        Msg("err_cx_csv_year_unknown_table", table=table)
        if table
        else Msg("err_cx_csv_year_unknown"),
        file=str(path),
        fix=Msg("fix_cx_pass_jaar_known", known=known),
    )


def _metadata(path: Path, keys: list[str]) -> tuple[list[dict] | None, Msg | None]:
    meta = path.parent / "DataProperties.json"
    if not meta.exists():
        return None, None
    try:
        data = json.loads(meta.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(
            Msg("err_cx_cannot_read_json", name=meta.name, reason=str(exc)),
            file=str(meta),
            fix=Msg("fix_cx_save_again_or_remove"),
        ) from exc
    props = data["value"] if isinstance(data, dict) and "value" in data else data
    if not isinstance(props, list):
        raise DataError(
            Msg("err_cx_no_properties", name=meta.name),
            file=str(meta),
            fix=Msg("fix_cx_save_dataproperties_value"),
        )
    meta_keys = {str(p.get("Key", "")) for p in props if isinstance(p, dict)}
    topics = [k for k in keys if key_stem(k) not in KEY_STEMS]
    if not set(topics) <= meta_keys:
        return None, Msg("imp_meta_other_table", name=meta.name)
    return props, Msg("imp_meta_used", name=meta.name)


def read_statline_csv(
    path: Path,
    *,
    jaar: int | None = None,
    vintage: int | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> ImportBatch:
    """Import a StatLine "onbewerkte dataset" CSV of a KWB year (see module docstring)."""
    path = Path(path)
    name = str(path)
    year, how = year_of_table(path, jaar)
    df = read_table(path, sheet=sheet, encoding=encoding).reset_index(drop=True)
    name = source_label(path, df)
    keys = list(df.columns)
    skip = tuple(k for k in keys if key_stem(k) in KEY_STEMS)
    props, meta_note = _metadata(path, keys)
    resolution = resolve_keys_by_stem(keys, skip=skip, file=name)
    columns = resolution.columns
    if props is not None:
        resolved = resolve_odata_keys(props, file=name)
        columns = {k: v for k, v in resolved.items() if k in keys}
    if not columns:
        raise DataError(Msg("err_cx_csv_no_indicator"), file=name, fix=Msg("fix_cx_statline_keys"))
    unresolved = [k for k in keys if k not in columns and k not in skip]
    lacking = [i for i in resolution.lacking if i not in columns.values()]
    code_col = "WijkenEnBuurten"
    codes = clean_codes(df[code_col], file=name, column=code_col)
    kind_col = next((k for k in keys if key_stem(k) == "SoortRegio"), None)
    if kind_col is not None:
        _check_region_kind(df[kind_col], codes, file=name, column=kind_col)
    code_year = check_vintage(vintage, file=name) if vintage else year
    gm_col = next((k for k in keys if key_stem(k) == "Gemeentenaam"), None)
    names = None
    if gm_col is not None:
        gm_name = df[gm_col].astype("string").str.strip()
        names = gm_name.where(codes.str.startswith("GM"), None)
    obs = wide_to_observations(
        df, file=name, codes=codes, columns=columns, vintage=code_year, periods=year
    )
    table = table_id_from_name(path) or next(
        (t.table_id for t in KWB_TABLES.values() if t.year == year), "statline-csv"
    )
    digest = file_hash(path)
    report: list[str | Msg] = [Msg("imp_year_from", year=year, how=how, code_year=code_year)]
    if unresolved:
        report.append(
            Msg("imp_columns_unresolved", n=len(unresolved), columns=listed(unresolved, 20))
        )
    if lacking:
        report.append(
            Msg(
                "imp_lacking",
                n=len(lacking),
                indicators=listed([indicator_label(i) for i in lacking]),
            )
        )
    if meta_note is not None:
        report.append(meta_note)
    # the provenance keeps every key and id (the report shows the first ones, by label)
    provenance: list[str | Msg] = [report[0]]
    if unresolved:
        provenance.append(
            Msg("imp_columns_unresolved", n=len(unresolved), columns=listed(unresolved, 10**6))
        )
    if lacking:
        provenance.append(Msg("imp_lacking", n=len(lacking), indicators=listed(lacking, 10**6)))
    if meta_note is not None:
        provenance.append(meta_note)
    cat = catalogue()
    resolved_text = ", ".join(f"{k} → {v}" for k, v in columns.items() if v in cat)
    source = SourceInfo(
        source_id=f"statline-csv:{table}:{digest[:16]}",
        publisher="CBS (StatLine)",
        table_id=table,
        title=f"Kerncijfers wijken en buurten {year} ({path.name})",
        period=str(year),
        file_name=path.name,
        file_hash=digest,
        kind="statline-csv",
        notes="; ".join([*map(str, provenance), f"resolved: {resolved_text}"]),
    )
    return ImportBatch(source, areas_from_codes(codes, code_year, names), obs, report=report)


def _check_region_kind(kinds: pd.Series, codes: pd.Series, *, file: str, column: str) -> None:
    """``SoortRegio`` (Gemeente/Wijk/Buurt) must agree with the code's prefix."""
    words = kinds.astype("string").str.strip().str.lower()
    expected = words.map(_LEVEL_WORD)
    bad = expected.notna() & (expected != codes.str[:2])
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(
            Msg("err_cx_region_kind", code=codes.iloc[pos], kind=kinds.iloc[pos].strip()),
            file=file,
            row=pos + 2,
            column=column,
            fix=Msg("fix_cx_region_kind"),
        )
