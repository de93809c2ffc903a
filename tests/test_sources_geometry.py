"""Boundary files: CRS detection (declared vs coordinate range), coordinates outside the
Netherlands, points/lines, null geometries, and repaired self-intersections."""

from __future__ import annotations

import json

import pytest

from buurtbalans.errors import DataError
from buurtbalans.sources.detect import import_path

pytest.importorskip("geopandas")

# a small square in Almere, in lon/lat and RD New
LONLAT = [[5.20, 52.37], [5.21, 52.37], [5.21, 52.38], [5.20, 52.38], [5.20, 52.37]]
RD = [[144000, 486000], [145000, 486000], [145000, 487000], [144000, 487000], [144000, 486000]]
BOWTIE = [[144000, 486000], [145000, 487000], [145000, 486000], [144000, 487000], [144000, 486000]]


def geojson(tmp_path, features, crs=None, name="buurt_2020.geojson"):
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    p = tmp_path / name
    p.write_text(json.dumps(doc), "utf-8")
    return p


def feature(code, geometry, inw=100):
    return {
        "type": "Feature",
        "properties": {"BU_CODE": code, "BU_NAAM": f"Buurt {code}", "AANT_INW": inw},
        "geometry": geometry,
    }


def poly(ring):
    return {"type": "Polygon", "coordinates": [ring]}


def test_wgs84_and_rd_are_detected(tmp_path):
    for ring, crs in ((LONLAT, None), (RD, None), (RD, "urn:ogc:def:crs:EPSG::28992")):
        p = geojson(tmp_path, [feature("BU00340101", poly(ring))], crs)
        batch = import_path(p)
        assert len(batch.boundaries) == 1


def test_declared_crs_contradicted(tmp_path):
    p = geojson(tmp_path, [feature("BU00340101", poly(LONLAT))], "urn:ogc:def:crs:EPSG::28992")
    with pytest.raises(DataError, match="declares EPSG:28992 but its coordinates.*EPSG:4326"):
        import_path(p)


def test_swapped_lat_lon(tmp_path):
    ring = [[y, x] for x, y in LONLAT]
    p = geojson(tmp_path, [feature("BU00340101", poly(ring))])
    with pytest.raises(DataError, match="wrong order"):
        import_path(p)


def test_outside_netherlands(tmp_path):
    paris = [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]
    p = geojson(tmp_path, [feature("BU00340101", poly(paris))])
    with pytest.raises(DataError, match="outside the Netherlands"):
        import_path(p)


def test_one_area_outside(tmp_path):
    far = [[x + 0.0, y + 0.0] for x, y in RD]
    far[2] = [145000, 900000]
    p = geojson(tmp_path, [feature("BU00340101", poly(RD)), feature("BU00340102", poly(far))])
    with pytest.raises(DataError, match="outside the Netherlands"):
        import_path(p)


@pytest.mark.parametrize(
    "geometry, kind",
    [
        ({"type": "Point", "coordinates": [144500, 486500]}, "Point"),
        ({"type": "LineString", "coordinates": RD[:3]}, "LineString"),
    ],
)
def test_points_and_lines_refused(tmp_path, geometry, kind):
    p = geojson(tmp_path, [feature("BU00340101", poly(RD)), feature("BU00340102", geometry)])
    with pytest.raises(DataError, match=f"{kind}, not polygons: BU00340102"):
        import_path(p)


def test_null_geometry_named(tmp_path):
    p = geojson(tmp_path, [feature("BU00340101", poly(RD)), feature("BU00340102", None)])
    with pytest.raises(DataError, match="without a geometry: BU00340102"):
        import_path(p)


def test_self_intersection_repaired_with_note(tmp_path):
    p = geojson(tmp_path, [feature("BU00340101", poly(RD)), feature("BU00340102", poly(BOWTIE))])
    batch = import_path(p)
    note = next(str(line) for line in batch.report if "repaired" in str(line))
    assert "BU00340102" in note and "self-intersection" in note
    import shapely

    geoms = shapely.from_wkb(batch.boundaries["geometry_wkb"].tolist())
    assert all(g.is_valid and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms)
