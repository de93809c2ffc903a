"""Boundary geometries (CBS wijk- en buurtkaart and other polygon files) in RD New."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.errors import DataError

RD_NEW = "EPSG:28992"
GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".topojson", ".shp", ".zip", ".fgb")


def read_geofile(path: Path, layer: str | None = None, *, encoding: str | None = None):
    """Read a polygon file to a GeoDataFrame in RD New (EPSG:28992).

    A file without a CRS is taken as WGS84 when its coordinates are lon/lat and as RD New
    when they are in metres; anything else is an error asking for the CRS.
    """
    gpd = import_optional("geopandas")
    try:
        options = {"encoding": encoding} if encoding else {}
        gdf = gpd.read_file(path, layer=layer, **options)
    except Exception as exc:
        raise DataError(
            f"cannot read geometry file: {exc}",
            file=str(path),
            fix="use GeoPackage, GeoJSON or a shapefile",
        ) from exc
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            gdf = gdf.set_crs("EPSG:4326")
        elif 0 <= minx <= maxx <= 300_000 and 300_000 <= miny <= maxy <= 625_000:
            gdf = gdf.set_crs(RD_NEW)
        else:
            raise DataError(
                "the file has no coordinate system and its coordinates are "
                "neither lon/lat nor RD New",
                file=str(path),
                fix="save it with a CRS (e.g. EPSG:28992) in QGIS",
            )
    gdf = gdf.to_crs(RD_NEW)
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf


def boundaries_frame(codes: pd.Series, geometry, vintage: int, levels: pd.Series) -> pd.DataFrame:
    """The store's boundary rows: code, vintage, level and WKB geometry."""
    shapely = import_optional("shapely")
    return pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "vintage": int(vintage),
            "level": levels.to_numpy(),
            "geometry_wkb": list(shapely.to_wkb(geometry.to_numpy())),
        }
    )
