"""Boundary geometries (CBS wijk- en buurtkaart and other polygon files) in RD New."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.errors import DataError

RD_NEW = "EPSG:28992"
GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".topojson", ".shp", ".zip", ".fgb")


WGS84 = "EPSG:4326"
# the Netherlands (with its territorial waters) in RD New metres and in lon/lat degrees
NL_RD = (-10_000.0, 290_000.0, 310_000.0, 640_000.0)
NL_LONLAT = (3.0, 50.6, 7.5, 53.8)


def _inside(bounds, box) -> bool:
    minx, miny, maxx, maxy = bounds
    return box[0] <= minx <= maxx <= box[2] and box[1] <= miny <= maxy <= box[3]


def detect_crs(bounds, declared: str | None, *, file: str) -> str:
    """The CRS of a file, from what it declares and the range of its coordinates.

    RD New (metres), WGS84 lon/lat, and lat/lon written the wrong way round are told apart;
    a declared CRS that its coordinates contradict, coordinates outside the Netherlands and
    swapped axes are named errors.
    """
    minx, miny, maxx, maxy = bounds
    swapped = (bounds[1], bounds[0], bounds[3], bounds[2])
    looks = (
        RD_NEW
        if _inside(bounds, NL_RD)
        else WGS84
        if _inside(bounds, NL_LONLAT)
        else "swapped"
        if _inside(swapped, NL_LONLAT)
        else None
    )
    if looks == "swapped":
        raise DataError(
            f"the coordinates look like latitude/longitude in the wrong order (x {minx:.2f}–"
            f"{maxx:.2f}, y {miny:.2f}–{maxy:.2f})",
            file=file,
            fix="write longitude as x and latitude as y (GeoJSON is lon, lat), or save the "
            "file again from QGIS",
        )
    if looks is None:
        raise DataError(
            f"the coordinates (x {minx:.6g}–{maxx:.6g}, y {miny:.6g}–{maxy:.6g}) lie outside "
            "the Netherlands in RD New and in WGS84"
            + (f"; the file declares {declared}" if declared else ""),
            file=file,
            fix="check the file's coordinate system (buurt boundaries should be in EPSG:28992 "
            "or EPSG:4326) and that it covers Dutch areas",
        )
    if declared and declared != looks:
        raise DataError(
            f"the file declares {declared} but its coordinates are in the range of {looks}",
            file=file,
            fix=f"save the file with the right CRS ({looks}) in QGIS (Layer → Set CRS)",
        )
    return looks


def _implicit_wgs84(path: Path) -> bool:
    """GeoJSON without a ``crs`` member is reported as WGS84 by GDAL, but many such files
    are written in RD New; their CRS counts as not declared."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return False
    with path.open("rb") as fh:
        return b'"crs"' not in fh.read(1 << 16)


def read_geofile(path: Path, layer: str | None = None, *, encoding: str | None = None):
    """Read a polygon file to a GeoDataFrame in RD New (EPSG:28992).

    The CRS is detected (:func:`detect_crs`): a file's declared CRS must agree with the
    range of its coordinates; without a declaration lon/lat means WGS84 and metres in the
    RD range mean RD New. Coordinates outside the Netherlands are refused.
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
    if gdf.empty or gdf.geometry.isna().all() or gdf.geometry.is_empty.all():
        raise DataError(
            "the geometry file has no geometries", file=str(path), fix="export it again"
        )
    declared = None
    if gdf.crs is not None and not _implicit_wgs84(Path(path)):
        epsg = gdf.crs.to_epsg()
        declared = f"EPSG:{epsg}" if epsg in (28992, 4326) else gdf.crs.to_string()
        if epsg not in (28992, 4326):
            gdf = gdf.to_crs(RD_NEW)
            declared = RD_NEW
    valid = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    crs = detect_crs(tuple(valid.total_bounds), declared, file=str(path))
    gdf = gdf.set_crs(crs, allow_override=True).to_crs(RD_NEW)
    return gdf


def check_boundaries(gdf, codes: pd.Series, *, file: str) -> tuple[object, list[str]]:
    """Check buurt boundaries one by one; returns the repaired geometries and notes.

    Empty or null geometries, points or lines, and shapes outside the Netherlands are
    named errors (with the area code); self-intersections are repaired with
    ``shapely.make_valid`` and each repaired area is named in a note.
    """
    shapely = import_optional("shapely")
    geoms = gdf.geometry.reset_index(drop=True)
    codes = pd.Series(codes).reset_index(drop=True)

    def name(mask) -> str:
        listed = codes[mask.to_numpy()].astype(str).tolist()
        return ", ".join(listed[:10]) + (" …" if len(listed) > 10 else "")

    null = geoms.isna() | geoms.is_empty
    if null.any():
        raise DataError(
            f"{int(null.sum())} area(s) without a geometry: {name(null)}",
            file=file,
            row=int(null.to_numpy().nonzero()[0][0]) + 1,
            fix="draw or restore their boundaries, or remove those features",
        )
    kinds = geoms.geom_type
    not_area = ~kinds.isin(["Polygon", "MultiPolygon"])
    if not_area.any():
        found = sorted(set(kinds[not_area]))
        raise DataError(
            f"{int(not_area.sum())} boundary/boundaries are {', '.join(found)}, not polygons: "
            f"{name(not_area)}",
            file=file,
            fix="import the buurt polygons (the wijk- en buurtkaart), not points or lines",
        )
    b = geoms.bounds
    outside = (
        (b["minx"] < NL_RD[0])
        | (b["miny"] < NL_RD[1])
        | (b["maxx"] > NL_RD[2])
        | (b["maxy"] > NL_RD[3])
    )
    if outside.any():
        raise DataError(
            f"{int(outside.sum())} area(s) lie outside the Netherlands: {name(outside)}",
            file=file,
            fix="check those features' coordinates",
        )
    notes: list[str] = []
    invalid = ~geoms.is_valid
    if invalid.any():
        reasons = [shapely.is_valid_reason(g) for g in geoms[invalid]]
        repaired = geoms.copy()
        repaired[invalid] = shapely.make_valid(geoms[invalid].to_numpy())
        listed = codes[invalid.to_numpy()].astype(str).tolist()
        notes.append(
            f"repaired {len(listed)} invalid boundary/boundaries (make_valid): "
            + "; ".join(f"{c} ({r})" for c, r in zip(listed[:10], reasons[:10], strict=False))
        )
        # make_valid can add stray lines/points around a repaired polygon: keep the area
        repaired[invalid] = [_polygonal(g) for g in repaired[invalid]]
        geoms = repaired
    return geoms, notes


def _polygonal(geom):
    shapely = import_optional("shapely")
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geom


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
