"""StatLine table exports (e.g. 50090NED *Gezondheid per wijk en buurt*, CBS/RIVM).

A StatLine "UntypedDataSet" export has one row per region and period with the key columns
``WijkenEnBuurten``, ``Perioden`` (``2020JJ00``) and the topic columns under their OData
keys (``ErvarenGezondheidGoedZeerGoed_4``). Keys resolve to indicator ids by their stem.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import ImportBatch, SourceInfo, file_hash, listed
from buurtbalans.sources.codebook import catalogue, key_stem
from buurtbalans.sources.tables import (
    areas_from_codes,
    clean_codes,
    read_table,
    require_columns,
    wide_to_observations,
)
from buurtbalans.sources.values import check_vintage, source_label

KEY_COLUMNS = (
    "ID",
    "WijkenEnBuurten",
    "Perioden",
    "Gemeentenaam_1",
    "SoortRegio_2",
    "Codering_3",
    "Leeftijd",
    "Marges",
    "IndelingswijzigingGemeenteWijkBuurt_4",
)
# topic stem that identifies a table → (table id, title, publisher, regional classification)
KNOWN_TABLES = {
    "ErvarenGezondheidGoedZeerGoed": (
        "50090NED",
        "Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)",
        "CBS, RIVM en GGD'en",
        2020,
    ),
}


def stem_map() -> dict[str, str]:
    """OData key stem → indicator id, for every catalogue entry with a stem."""
    out: dict[str, str] = {}
    for ind in catalogue().values():
        for stem in ind.odata_stems:
            out.setdefault(stem.rpartition("/")[2].lower(), ind.id)
    return out


def _period(value: object, *, file: str, row: int) -> int:
    text = str(value).strip()
    if len(text) >= 4 and text[:4].isdigit() and (len(text) == 4 or text[4:6] == "JJ"):
        return int(text[:4])
    raise DataError(
        Msg("err_cx_export_period", period=text),
        file=file,
        row=row,
        column="Perioden",
        fix=Msg("fix_cx_export_yearly"),
    )


def is_statline_export(df: pd.DataFrame) -> bool:
    """True when the table looks like a StatLine export (region key and periods)."""
    return "WijkenEnBuurten" in df.columns and "Perioden" in df.columns


def read_statline_export(
    path: Path,
    *,
    vintage: int | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> ImportBatch:
    """Import a StatLine export; codes are taken to be of ``vintage`` (default: the latest
    period in the file, which is how CBS publishes 50090NED: all years on one indeling)."""
    path = Path(path)
    name = str(path)
    df = read_table(path, sheet=sheet, encoding=encoding)
    name = source_label(path, df)
    require_columns(df, ["WijkenEnBuurten", "Perioden"], file=name)
    notes = []
    for col, keep in (("Leeftijd", 20300), ("Marges", "MW00000")):
        if col in df.columns and df[col].nunique() > 1:
            df = df[df[col].astype(str).str.strip() == str(keep)]
            notes.append(f"kept {col} = {keep}")
    stems = stem_map()
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for col in df.columns:
        if col in KEY_COLUMNS:
            continue
        ind = stems.get(key_stem(col).lower())
        (columns.__setitem__(col, ind) if ind else unknown.append(col))
    if not columns:
        raise DataError(Msg("err_cx_no_known_indicators"), file=name, fix=Msg("fix_cx_odata_keys"))
    df = df.reset_index(drop=True)
    codes = clean_codes(df["WijkenEnBuurten"], file=name, column="WijkenEnBuurten")
    periods = pd.Series([_period(v, file=name, row=i + 2) for i, v in enumerate(df["Perioden"])])
    table_id, title, publisher, indeling = next(
        (v for k, v in KNOWN_TABLES.items() if any(key_stem(c) == k for c in df.columns)),
        ("statline", "StatLine-export", "CBS", None),
    )
    year = (
        (check_vintage(vintage, file=name) if vintage else None) or indeling or int(periods.max())
    )
    if vintage is None:
        how = "the table's indeling" if indeling else "latest period"
        notes.append(f"codes taken as the {year} classification ({how}); override with --vintage")
    names = None
    if "Gemeentenaam_1" in df.columns:
        gm_name = df["Gemeentenaam_1"].astype("string").str.strip()
        names = gm_name.where(codes.str.startswith("GM"), None)
    obs = wide_to_observations(
        df, file=name, codes=codes, columns=columns, vintage=year, periods=periods
    )
    digest = file_hash(path)
    source = SourceInfo(
        source_id=f"statline:{table_id}:{digest[:16]}",
        publisher=publisher,
        table_id=table_id,
        title=f"{title} ({path.name})",
        period=",".join(str(p) for p in sorted(periods.unique())),
        file_name=path.name,
        file_hash=digest,
        kind="statline-export",
        notes="; ".join(notes),
    )
    report: list[str | Msg] = (
        [Msg("imp_columns_unknown", n=len(unknown), columns=listed(unknown))] if unknown else []
    )
    return ImportBatch(source, areas_from_codes(codes, year, names), obs, report=report)
