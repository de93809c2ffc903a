from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from buurtbalans.errors import DataError
from buurtbalans.harmonise import (
    crosswalk_by_code,
    crosswalk_by_geometry,
    store_crosswalk,
    to_vintage,
)
from buurtbalans.sources.detect import import_path


def strips(cuts: list[float], prefix: str) -> gpd.GeoDataFrame:
    """Vertical strips of the unit-free square [0,100]² cut at x positions."""
    xs = [0.0, *sorted(cuts), 100.0]
    geoms = [box(a, 0, b, 100) for a, b in itertools.pairwise(xs) if b - a > 1e-6]
    return gpd.GeoDataFrame(
        {"code": [f"{prefix}{i:02d}" for i in range(len(geoms))]}, geometry=geoms, crs="EPSG:28992"
    )


cut_lists = st.lists(st.floats(1, 99), min_size=0, max_size=6, unique=True)


@settings(max_examples=40, deadline=None)
@given(cut_lists, cut_lists, st.lists(st.integers(0, 5000), min_size=7, max_size=7))
@example([], [1.0], [1, 0, 0, 0, 0, 0, 0])  # 99 % under a new code plus a 1 % strip (CI, #17)
def test_counts_are_preserved(cuts_a, cuts_b, pops):
    a, b = strips(cuts_a, "BU000101"), strips(cuts_b, "BU000101")
    cw = crosswalk_by_geometry(a, b)
    data = pd.DataFrame(
        {"area_code": a["code"], "period": 2020, "a_inw": np.array(pops[: len(a)], dtype=float)}
    )
    moved = to_vintage(data, cw, counts=["a_inw"])
    assert moved["a_inw"].sum() == pytest.approx(data["a_inw"].sum(), rel=1e-9, abs=1e-6)
    weights = cw.dropna(subset=["to_code"]).groupby("from_code")["weight"].sum()
    assert np.allclose(weights, 1.0)


@settings(max_examples=30, deadline=None)
@given(cut_lists, st.lists(st.floats(0, 100), min_size=7, max_size=7))
def test_unchanged_buurten_pass_through(cuts, shares):
    a = strips(cuts, "BU000101")
    cw = crosswalk_by_geometry(a, a.copy())
    assert (cw["method"] == "identity").all() and cw["flag"].isna().all()
    data = pd.DataFrame(
        {
            "area_code": a["code"],
            "period": 2020,
            "a_hh": np.arange(len(a)) * 10.0 + 5,
            "p_hh_li": shares[: len(a)],
        }
    )
    moved = to_vintage(data, cw, counts=["a_hh"], rates={"p_hh_li": "a_hh"})
    pd.testing.assert_series_equal(moved["p_hh_li"], data["p_hh_li"], check_names=False)
    pd.testing.assert_series_equal(moved["a_hh"], data["a_hh"], check_names=False)


def test_split_and_merge_flags_and_rates():
    a = strips([50], "BU000101")  # two halves
    b = strips([25], "BU000101")  # 0-25 and 25-100
    cw = crosswalk_by_geometry(a, b)
    flags = dict(zip(cw["from_code"], cw["flag"], strict=False))
    assert flags["BU00010100"] == "split"
    data = pd.DataFrame(
        {
            "area_code": ["BU00010100", "BU00010101"],
            "period": 2020,
            "a_hh": [100.0, 300.0],
            "p_hh_li": [10.0, 50.0],
        }
    )
    moved = to_vintage(data, cw, counts=["a_hh"], rates={"p_hh_li": "a_hh"}).set_index("area_code")
    # target 2 gets half of A (50 hh at 10 %) and all of B (300 hh at 50 %)
    assert moved.loc["BU00010101", "a_hh"] == pytest.approx(350)
    assert moved.loc["BU00010101", "p_hh_li"] == pytest.approx((50 * 10 + 300 * 50) / 350)
    assert moved.loc["BU00010100", "p_hh_li"] == pytest.approx(10)


def test_missing_values_are_not_summed_as_zero():
    a, b = strips([50], "BU000101"), strips([], "BU000101")
    cw = crosswalk_by_geometry(a, b)
    data = pd.DataFrame({"area_code": a["code"], "period": 2020, "a_inw": [100.0, np.nan]})
    assert to_vintage(data, cw, counts=["a_inw"])["a_inw"].isna().all()


def test_without_denominator_rates_only_pass_through():
    a, b = strips([30, 60], "BU000101"), strips([60], "BU000101")  # 00+01 merge, 02 stays
    cw = crosswalk_by_geometry(a, b)
    data = pd.DataFrame({"area_code": a["code"], "p_hh_li": [3.0, 5.0, 7.0]})
    moved = to_vintage(data, cw, rates={"p_hh_li": "a_hh"}).set_index("area_code")
    assert moved.loc["BU00010101", "p_hh_li"] == 7.0  # unchanged: passes through
    assert np.isnan(moved.loc["BU00010100", "p_hh_li"])  # merged without weights: no value
    with pytest.raises(DataError, match="p_hh_lkk"):
        to_vintage(data, cw, rates={"p_hh_lkk": "a_hh"})


def test_demo_moves_between_vintages(demo_store):
    cw = store_crosswalk(demo_store, 2015, 2022, "GM9999")
    flagged = cw[cw["flag"].notna()].drop_duplicates("from_code").set_index("from_code")["flag"]
    assert flagged.to_dict() == {
        "BU99990101": "split",
        "BU99990201": "merged",
        "BU99990202": "merged",
    }
    wide = demo_store.wide(["a_inw", "a_hh", "p_hh_li"], gemeente="GM9999", periods=[2015])
    moved = to_vintage(wide, cw, counts=["a_inw", "a_hh"], rates={"p_hh_li": "a_hh"})
    assert moved["a_inw"].sum() == pytest.approx(wide["a_inw"].sum())
    assert len(moved) == 60 and {"BU99990106", "BU99990206"} <= set(moved["area_code"])
    same = moved.set_index("area_code").loc["BU99990301", "p_hh_li"]
    assert same == wide.set_index("area_code").loc["BU99990301", "p_hh_li"]


def test_almere_2014_to_2020_health_codes(raw):
    kwb = import_path(raw / "cbs-kwb2014-almere-nens" / "almere_buurten.geojson", jaar=2014)
    health = import_path(
        raw / "cbs-rivm-gezondheid-wijkbuurt" / "gezondheid_wijkbuurt_2020_18plus.xlsx"
    )
    bu2014 = kwb.areas.query("level == 'buurt'")["code"]
    bu2020 = health.areas.query("level == 'buurt' and gemeente_code == 'GM0034'")["code"]
    cw = crosswalk_by_code(bu2014.tolist(), bu2020.tolist())
    assert len(cw) == 63
    persist = cw[cw["to_code"].notna()]
    assert (persist["from_code"] == persist["to_code"]).all()
    assert set(cw["flag"]) <= {"code-only", "unmatched"}
    assert cw["flag"].notna().all()  # every buurt is flagged: no 2020 boundaries to check
    unmatched = set(cw.loc[cw["flag"] == "unmatched", "from_code"])
    assert unmatched == set(bu2014) - set(bu2020)
