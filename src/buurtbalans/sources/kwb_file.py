"""CBS Kerncijfers Wijken en Buurten as downloaded files, and the wijk- en buurtkaart.

* ``kwb-YYYY.xlsx`` / ``.csv``: one row per gemeente, wijk and buurt with the short codes
  (``gwb_code_10``, ``a_inw``, ``p_hh_li``, ``p_wcorpw`` …); symbols ``.`` ``x`` ``-``.
* the wijk- en buurtkaart (GeoPackage, GeoJSON, TopoJSON, shapefile) with KWB attributes
  (old upper-case schema ``BU_CODE``, ``AANT_INW``, sentinels −99999997 …, or the newer
  lower-case one); its geometries become the boundaries of that vintage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import ImportBatch, SourceInfo, file_hash, listed
from buurtbalans.sources.boundaries import boundaries_frame, check_boundaries, read_geofile
from buurtbalans.sources.codebook import indicator_for_column
from buurtbalans.sources.tables import (
    areas_from_codes,
    clean_codes,
    read_table,
    validate_year,
    wide_to_observations,
)
from buurtbalans.sources.values import check_vintage, read_years, reconcile_year, source_label

KWB_CODE_COLUMNS = ("gwb_code_10", "gwb_code")
MAP_CODE_COLUMNS = ("BU_CODE", "buurtcode", "WK_CODE", "wijkcode", "GM_CODE", "gemeentecode")
MAP_NAME_COLUMNS = {
    "BU_CODE": "BU_NAAM",
    "buurtcode": "buurtnaam",
    "WK_CODE": "WK_NAAM",
    "wijkcode": "wijknaam",
    "GM_CODE": "GM_NAAM",
    "gemeentecode": "gemeentenaam",
}


def year_from_name(path: Path) -> int | None:
    """``kwb-2019.xlsx`` or ``buurt_2014_v3.shp`` → the year in the name, if any."""
    match = re.search(r"(?<!\d)(20\d{2})(?!\d)", path.name)
    return int(match.group(1)) if match else None


def _need_year(path: Path, jaar: int | None, vintage: int | None = None) -> int:
    """The KWB year: the file name and ``--jaar`` must agree (one of them is enough); a
    ``--vintage`` other than that year is refused (a KWB file's codes are the indeling of
    its own year)."""
    if jaar is not None:
        jaar = validate_year(jaar, what="--jaar", file=str(path))
    year = reconcile_year({"the file name": year_from_name(path), "--jaar": jaar}, file=str(path))
    if year is None:
        raise DataError(Msg("err_cx_kwb_year_unknown"), file=str(path), fix=Msg("fix_cx_pass_jaar"))
    if vintage is not None and check_vintage(vintage, file=str(path)) != year:
        raise DataError(
            Msg("err_cx_vintage_not_kwb", vintage=vintage, year=year),
            file=str(path),
            fix=Msg("fix_cx_vintage_not_kwb", year=year),
        )
    return year


def _year_column(df: pd.DataFrame, year: int, *, file: str) -> None:
    """A ``jaar`` column in a KWB file must hold the file's year in every row."""
    column = next((c for c in df.columns if str(c).strip().lower() in ("jaar", "year")), None)
    if column is None:
        return
    years = read_years(df[column], file=file, column=column)
    if (years != year).any():
        pos = int((years != year).to_numpy().nonzero()[0][0])
        raise DataError(
            Msg("err_cx_year_column", column=column, found=int(years.iloc[pos]), year=year),
            file=file,
            row=pos + 2,
            column=column,
            fix=Msg("fix_cx_one_year_per_file"),
        )


def is_kwb_table(columns: list[str]) -> bool:
    """True for the kwb-YYYY download layout."""
    return any(c in columns for c in KWB_CODE_COLUMNS)


def read_kwb_table(
    path: Path,
    *,
    jaar: int | None = None,
    encoding: str | None = None,
    vintage: int | None = None,
    sheet: str | int | None = None,
) -> ImportBatch:
    """Import a ``kwb-YYYY.xlsx``/``.csv`` download (codes of that year's indeling)."""
    path = Path(path)
    year = _need_year(path, jaar, vintage)
    df = read_table(path, sheet=sheet, encoding=encoding)
    name = source_label(path, df)
    _year_column(df, year, file=name)
    code_col = next(c for c in KWB_CODE_COLUMNS if c in df.columns)
    codes = clean_codes(df[code_col], file=name, column=code_col)
    columns = {c: ind for c in df.columns if (ind := indicator_for_column(c))}
    skip = {code_col, "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi"}
    skip |= {c for c in df.columns if str(c).lower() in ("jaar", "year")}
    unknown = [c for c in df.columns if c not in columns and c not in skip]
    obs = wide_to_observations(
        df, file=name, codes=codes, columns=columns, vintage=year, periods=year
    )
    names = df["regio"] if "regio" in df.columns else None
    digest = file_hash(path)
    source = SourceInfo(
        source_id=f"kwb-file:{year}:{digest[:16]}",
        publisher="CBS",
        table_id=f"kwb-{year}",
        title=f"Kerncijfers wijken en buurten {year} ({path.name})",
        period=str(year),
        file_name=path.name,
        file_hash=digest,
        kind="kwb-file",
        notes="income and benefit variables refer to earlier reference years, as in every "
        "KWB edition",
    )
    report: list[str | Msg] = (
        [Msg("imp_columns_unknown", n=len(unknown), columns=listed(unknown))] if unknown else []
    )
    return ImportBatch(source, areas_from_codes(codes, year, names), obs, report=report)


def read_kwb_map(
    path: Path,
    *,
    jaar: int | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    vintage: int | None = None,
) -> ImportBatch:
    """Import a wijk- en buurtkaart: boundaries plus the KWB attributes it carries."""
    path = Path(path)
    name = str(path)
    year = _need_year(path, jaar, vintage)
    gdf = read_geofile(path, layer, encoding=encoding)
    code_col = next((c for c in MAP_CODE_COLUMNS if c in gdf.columns), None)
    if code_col is None:
        raise DataError(Msg("err_cx_map_no_codes"), file=name, fix=Msg("fix_cx_map_no_codes"))
    gdf = gdf.reset_index(drop=True)
    codes = clean_codes(gdf[code_col], file=name, column=code_col)
    attrs = pd.DataFrame(gdf.drop(columns="geometry"))
    columns = {c: ind for c in attrs.columns if (ind := indicator_for_column(c))}
    obs = wide_to_observations(
        attrs, file=name, codes=codes, columns=columns, vintage=year, periods=year
    )
    name_col = MAP_NAME_COLUMNS[code_col]
    names = attrs[name_col] if name_col in attrs.columns else None
    areas = areas_from_codes(codes, year, names)
    # parents named in the file (GM_NAAM) become gemeente rows too
    if "GM_CODE" in attrs.columns and code_col != "GM_CODE":
        gm = attrs[["GM_CODE"] + (["GM_NAAM"] if "GM_NAAM" in attrs.columns else [])]
        gm = gm.drop_duplicates("GM_CODE")
        areas = pd.concat(
            [
                areas,
                areas_from_codes(
                    clean_codes(gm["GM_CODE"], file=name, column="GM_CODE"),
                    year,
                    gm["GM_NAAM"] if "GM_NAAM" in gm.columns else None,
                ),
            ],
            ignore_index=True,
        )
    geometry, geo_notes = check_boundaries(gdf, codes, file=name)
    bnd = boundaries_frame(codes, geometry, year, areas_from_codes(codes, year)["level"])
    digest = file_hash(path)
    unknown = [c for c in attrs.columns if c not in columns and c != code_col]
    source = SourceInfo(
        source_id=f"kwb-map:{year}:{digest[:16]}",
        publisher="CBS",
        table_id=f"wijk-en-buurtkaart-{year}",
        title=f"Wijk- en buurtkaart {year} met kerncijfers ({path.name})",
        period=str(year),
        file_name=path.name,
        file_hash=digest,
        kind="kwb-map",
        notes="CBS sentinels (-99999997 etc.) stored as missing/suppressed",
    )
    report: list[str | Msg] = (
        [Msg("imp_attributes_unknown", n=len(unknown), columns=listed(unknown))] if unknown else []
    )
    report += geo_notes
    return ImportBatch(source, areas.drop_duplicates(["code", "vintage"]), obs, bnd, report)
