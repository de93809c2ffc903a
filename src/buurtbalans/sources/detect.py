"""``buurtbalans import file PATH``: pick the connector that fits the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError
from buurtbalans.sources.batch import ImportBatch
from buurtbalans.sources.boundaries import GEO_SUFFIXES
from buurtbalans.sources.cbs_odata import read_saved_table
from buurtbalans.sources.kwb_file import is_kwb_table, read_kwb_map, read_kwb_table
from buurtbalans.sources.leefbaarometer import is_leefbaarometer, read_leefbaarometer
from buurtbalans.sources.municipal import TableMapping, read_municipal_table
from buurtbalans.sources.statline_csv import is_statline_csv, read_statline_csv
from buurtbalans.sources.statline_export import is_statline_export, read_statline_export
from buurtbalans.sources.tables import read_table, validate_year


def import_path(
    path: Path,
    *,
    jaar: int | None = None,
    vintage: int | None = None,
    mapping: Path | None = None,
    areas: pd.DataFrame | None = None,
    encoding: str | None = None,
) -> ImportBatch:
    """Read any supported file (see :func:`read_path`); a file of the synthetic national
    twin (listed with its hash in its folder's ``tweeling.json``) is marked as such, so
    the store keeps it out of real data."""
    from buurtbalans.twin import is_twin_file

    batch = read_path(
        path, jaar=jaar, vintage=vintage, mapping=mapping, areas=areas, encoding=encoding
    )
    if is_twin_file(Path(path)):
        batch.world = "tweeling"
    return batch


def read_path(
    path: Path,
    *,
    jaar: int | None = None,
    vintage: int | None = None,
    mapping: Path | None = None,
    areas: pd.DataFrame | None = None,
    encoding: str | None = None,
) -> ImportBatch:
    """Read any supported file (or saved OData folder) into an :class:`ImportBatch`.

    Recognised: a saved StatLine OData folder; the wijk- en buurtkaart (geometry files);
    kwb-YYYY downloads; StatLine exports (e.g. 50090NED health); StatLine "onbewerkte
    dataset" CSVs of a KWB year (``84583NED``); Leefbaarometer scores;
    and, with ``mapping`` or recognisable columns, any municipal table.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"no such file or folder: {path}", fix="check the path")
    if jaar is not None:
        jaar = validate_year(jaar, what="--jaar", file=str(path))
    if vintage is not None:
        vintage = validate_year(vintage, what="--vintage", file=str(path))
    if path.is_dir():
        return read_saved_table(path)
    if mapping is not None:
        table_mapping = TableMapping.load(mapping)
        table_mapping.period = table_mapping.period or jaar
        table_mapping.vintage = table_mapping.vintage or vintage
        return read_municipal_table(path, table_mapping, areas=areas, encoding=encoding)
    if path.suffix.lower() in GEO_SUFFIXES:
        return read_kwb_map(path, jaar=jaar, encoding=encoding)
    head = read_table(path, encoding=encoding)
    columns = [str(c).strip() for c in head.columns]
    if is_statline_export(head):
        return read_statline_export(path, vintage=vintage, encoding=encoding)
    if is_statline_csv(columns):
        return read_statline_csv(path, jaar=jaar, vintage=vintage, encoding=encoding)
    if is_kwb_table(columns):
        return read_kwb_table(path, jaar=jaar, encoding=encoding)
    if is_leefbaarometer(columns):
        return read_leefbaarometer(path, vintage=vintage, encoding=encoding)
    return read_municipal_table(
        path, TableMapping(period=jaar, vintage=vintage), areas=areas, encoding=encoding
    )
