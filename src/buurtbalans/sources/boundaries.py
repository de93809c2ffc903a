"""Boundary geometries (CBS wijk- en buurtkaart and other polygon files) in RD New."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import Listed

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
            Msg("err_tb_axes_swapped", minx=minx, maxx=maxx, miny=miny, maxy=maxy),
            file=file,
            fix=Msg("fix_tb_axes_swapped"),
        )
    if looks is None:
        raise DataError(
            Msg(
                "err_tb_outside_nl",
                minx=minx,
                maxx=maxx,
                miny=miny,
                maxy=maxy,
                declared=Msg("err_tb_file_declares", crs=declared) if declared else "",
            ),
            file=file,
            fix=Msg("fix_tb_outside_nl"),
        )
    if declared and declared != looks:
        raise DataError(
            Msg("err_tb_crs_contradicts", declared=declared, looks=looks),
            file=file,
            fix=Msg("fix_tb_crs_contradicts", looks=looks),
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
            Msg("err_tb_geofile", error=str(exc)), file=str(path), fix=Msg("fix_tb_geofile")
        ) from exc
    if gdf.empty or gdf.geometry.isna().all() or gdf.geometry.is_empty.all():
        raise DataError(
            Msg("err_tb_no_geometries"), file=str(path), fix=Msg("fix_tb_no_geometries")
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


_GEO_REASONS = (
    ("self-intersection", "imp_geo_self_intersection"),
    ("too few points", "imp_geo_too_few_points"),
    ("hole lies outside", "imp_geo_hole_outside"),
    ("nested", "imp_geo_nested"),
    ("disconnected", "imp_geo_disconnected"),
)


def _reason(text: str) -> Msg:
    """Why GEOS finds a shape invalid ('Self-intersection[149150.8 …]'), in words."""
    lowered = str(text).lower()
    return Msg(next((key for part, key in _GEO_REASONS if part in lowered), "imp_geo_invalid"))


def check_boundaries(gdf, codes: pd.Series, *, file: str) -> tuple[object, list[Msg]]:
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
            Msg("err_tb_without_geometry", n=int(null.sum()), codes=name(null)),
            file=file,
            row=int(null.to_numpy().nonzero()[0][0]) + 1,
            fix=Msg("fix_tb_without_geometry"),
        )
    kinds = geoms.geom_type
    not_area = ~kinds.isin(["Polygon", "MultiPolygon"])
    if not_area.any():
        found = sorted(set(kinds[not_area]))
        raise DataError(
            Msg("err_tb_not_polygons", n=int(not_area.sum()), kinds=found, codes=name(not_area)),
            file=file,
            fix=Msg("fix_tb_not_polygons"),
        )
    coords, index = shapely.get_coordinates(geoms.to_numpy(), return_index=True)
    not_finite = ~np.isfinite(coords).all(axis=1)
    if not_finite.any():
        bad = pd.Series(False, index=geoms.index)
        bad.iloc[np.unique(index[not_finite])] = True
        raise DataError(
            Msg("err_tb_not_finite_coordinates", n=int(bad.sum()), codes=name(bad)),
            file=file,
            row=int(bad.to_numpy().nonzero()[0][0]) + 1,
            fix=Msg("fix_tb_not_finite_coordinates"),
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
            Msg("err_tb_areas_outside_nl", n=int(outside.sum()), codes=name(outside)),
            file=file,
            fix=Msg("fix_tb_check_coordinates"),
        )
    notes: list[Msg] = []
    invalid = ~geoms.is_valid
    if invalid.any():
        reasons = [shapely.is_valid_reason(g) for g in geoms[invalid]]
        repaired = geoms.copy()
        repaired[invalid] = shapely.make_valid(geoms[invalid].to_numpy())
        listed = codes[invalid.to_numpy()].astype(str).tolist()
        areas = [
            Msg("imp_boundary_reason", code=c, reason=_reason(r))
            for c, r in zip(listed, reasons, strict=False)
        ]
        notes.append(Msg("imp_boundaries_repaired", n=len(listed), areas=Listed(areas)))
        # make_valid can add stray lines/points around a repaired polygon: keep the area
        repaired[invalid] = [_polygonal(g) for g in repaired[invalid]]
        geoms = repaired
    no_area = ~geoms.geom_type.isin(["Polygon", "MultiPolygon"]) | ~(geoms.area > 0)
    if no_area.any():
        raise DataError(
            Msg("err_tb_no_area", n=int(no_area.sum()), codes=name(no_area)),
            file=file,
            row=int(no_area.to_numpy().nonzero()[0][0]) + 1,
            fix=Msg("fix_tb_no_area"),
        )
    _check_gemeente_coherence(geoms, codes, file=file, name=name)
    return geoms, notes


#: a buurt or wijk whose centre lies this far from the middle of its gemeente's other
#: areas in the file is not in that gemeente (the largest gemeenten span about 50 km)
MAX_FROM_GEMEENTE_M = 75_000.0


def _check_gemeente_coherence(geoms, codes: pd.Series, *, file: str, name) -> None:
    """Every buurt/wijk must lie near the other areas of its gemeente in the file: a
    polygon in Brussels for an Almere buurt is refused, naming the buurt and the distance
    (gemeenten with fewer than three areas in the file cannot be checked this way)."""
    centre = geoms.centroid
    frame = pd.DataFrame(
        {
            "gm": codes.astype(str).str[2:6].to_numpy(),
            "x": centre.x.to_numpy(),
            "y": centre.y.to_numpy(),
            "sub": codes.astype(str).str[:2].isin(["BU", "WK"]).to_numpy(),
        }
    )
    part = frame[frame["sub"]]
    if part.empty:
        return
    group = part.groupby("gm")
    mid_x, mid_y = group["x"].transform("median"), group["y"].transform("median")
    enough = group["x"].transform("size") >= 3
    dist = np.hypot(part["x"] - mid_x, part["y"] - mid_y).where(enough, 0.0)
    far = pd.Series(False, index=frame.index)
    far[part.index] = (dist > MAX_FROM_GEMEENTE_M).to_numpy()
    if far.any():
        worst = float(dist.max()) / 1000
        raise DataError(
            Msg("err_tb_far_from_gemeente", n=int(far.sum()), km=worst, codes=name(far)),
            file=file,
            row=int(far.to_numpy().nonzero()[0][0]) + 1,
            fix=Msg("fix_tb_far_from_gemeente"),
        )


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
