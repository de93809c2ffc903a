"""``buurtbalans import file PATH``: pick the connector that fits the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import ImportBatch
from buurtbalans.sources.boundaries import GEO_SUFFIXES
from buurtbalans.sources.cbs_odata import read_saved_table
from buurtbalans.sources.kwb_file import is_kwb_table, read_kwb_map, read_kwb_table
from buurtbalans.sources.leefbaarometer import is_leefbaarometer, read_leefbaarometer
from buurtbalans.sources.municipal import TableMapping, read_municipal_table
from buurtbalans.sources.statline_csv import is_statline_csv, read_statline_csv
from buurtbalans.sources.statline_export import is_statline_export, read_statline_export
from buurtbalans.sources.tables import read_once, read_table, validate_year
from buurtbalans.sources.values import SPREADSHEET_SUFFIXES, check_vintage


def import_path(
    path: Path,
    *,
    jaar: int | None = None,
    vintage: int | None = None,
    mapping: Path | None = None,
    areas: pd.DataFrame | None = None,
    encoding: str | None = None,
    blad: str | None = None,
) -> ImportBatch:
    """Read any supported file (see :func:`read_path`); a file of the synthetic national
    twin (listed with its hash in its folder's ``tweeling.json``) is marked as such, so
    the store keeps it out of real data."""
    from buurtbalans.twin import is_twin_file

    batch = read_path(
        path,
        jaar=jaar,
        vintage=vintage,
        mapping=mapping,
        areas=areas,
        encoding=encoding,
        blad=blad,
    )
    if is_twin_file(Path(path), batch.source.file_hash):  # the reader's hash: no second read
        batch.world = "tweeling"
    return batch


@read_once  # format detection and the reader share one read of the file
def read_path(
    path: Path,
    *,
    jaar: int | None = None,
    vintage: int | None = None,
    mapping: Path | None = None,
    areas: pd.DataFrame | None = None,
    encoding: str | None = None,
    blad: str | None = None,
) -> ImportBatch:
    """Read any supported file (or saved OData folder) into an :class:`ImportBatch`.

    Recognised: a saved StatLine OData folder; the wijk- en buurtkaart (geometry files);
    kwb-YYYY downloads; StatLine exports (e.g. 50090NED health); StatLine "onbewerkte
    dataset" CSVs of a KWB year (``84583NED``); Leefbaarometer scores;
    and, with ``mapping`` or recognisable columns, any municipal table. ``blad`` chooses
    the sheet of a workbook (by default its only visible sheet with data).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(Msg("err_no_such_path", path=path), fix=Msg("fix_check_path"))
    if jaar is not None:
        jaar = validate_year(jaar, what="--jaar", file=str(path))
    if vintage is not None:
        vintage = check_vintage(vintage, file=str(path))
    if path.is_dir():
        return read_saved_table(path)
    if blad is not None and path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise DataError(
            Msg("err_cx_blad_not_sheet", blad=blad, suffix=path.suffix)
            if path.suffix
            else Msg("err_cx_blad_plain_file", blad=blad),
            file=str(path),
            fix=Msg("fix_cx_leave_out_blad"),
        )
    common = {"encoding": encoding, "sheet": blad}
    if mapping is not None:
        table_mapping = TableMapping.load(mapping)
        return read_municipal_table(
            path, table_mapping, areas=areas, jaar=jaar, vintage=vintage, **common
        )
    if path.suffix.lower() in GEO_SUFFIXES:
        return read_kwb_map(path, jaar=jaar, encoding=encoding, vintage=vintage)
    head = read_table(path, **common)
    columns = [str(c).strip() for c in head.columns]
    if is_statline_export(head):
        return read_statline_export(path, vintage=vintage, **common)
    if is_statline_csv(columns):
        return read_statline_csv(path, jaar=jaar, vintage=vintage, **common)
    if is_kwb_table(columns):
        return read_kwb_table(path, jaar=jaar, vintage=vintage, **common)
    if is_leefbaarometer(columns):
        return read_leefbaarometer(path, vintage=vintage, **common)
    return read_municipal_table(
        path, TableMapping(), areas=areas, jaar=jaar, vintage=vintage, **common
    )
