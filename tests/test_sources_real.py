"""Every real file in ../shared/data/raw imports through the project's connectors."""

from __future__ import annotations

import pytest

from buurtbalans.errors import DataError
from buurtbalans.sources.detect import import_path
from buurtbalans.store import Store


@pytest.fixture(scope="module")
def real_store(raw, tmp_path_factory):
    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    with Store(path) as s:
        s.write(import_path(raw / "cbs-kwb2014-almere-nens" / "almere_buurten.geojson", jaar=2014))
        s.write(import_path(raw / "cbs-kwb2014-almere-nens" / "municipalities.topojson", jaar=2014))
        s.write(
            import_path(
                raw / "cbs-rivm-gezondheid-wijkbuurt" / "gezondheid_wijkbuurt_2020_18plus.xlsx"
            )
        )
        s.write(import_path(raw / "leefbaarometer-amstelveen" / "AmstelveenDataWithDimensions.csv"))
        s.write(import_path(raw / "buurtenrecommender-utrecht" / "buurten.csv", jaar=2022))
        s.write(import_path(raw / "cbs-kwb2024-odata"))
    with Store(path, read_only=True) as s:
        yield s


def test_almere_2014_map(real_store):
    bu = real_store.areas("GM0034", level="buurt", vintage=2014)
    assert len(bu) == 63 and bu["name"].notna().all()
    assert len(real_store.boundaries(2014, "GM0034")) == 63
    inw = real_store.observations(["a_inw"], gemeente="GM0034", level="gemeente", periods=[2014])
    assert inw["value"].iloc[0] == 196_010
    corp = real_store.observations(["p_wcorpw"], gemeente="GM0034", vintage=2014)
    assert corp["value"].between(0, 100).all() or corp["value"].isna().any()
    # sentinels became flags, never numbers
    all_obs = real_store.observations(gemeente="GM0034", vintage=2014)
    assert (all_obs["value"].dropna() > -99_999_000).all()
    assert (all_obs["status"] != "ok").sum() > 0


def test_gemeenten_2014_and_health_codes(real_store):
    gm = real_store.areas(level="gemeente", vintage=2014)
    assert len(gm) == 403
    assert real_store.resolve_gemeente("Almelo") == "GM0141"
    almelo = real_store.areas("GM0141", level="buurt", vintage=2020)
    assert len(almelo) == 68  # health data on the 2020 codes
    health = real_store.observations(["gz_ervaren_goed"], level="buurt", periods=[2020])
    assert health["area_code"].nunique() == 13_808


def test_leefbaarometer_utrecht_and_odata(real_store):
    lbm = real_store.observations(["lbm_onv"], gemeente="GM0362", level="wijk")
    assert sorted(lbm["period"].unique()) == [2014, 2018, 2020, 2022]
    assert lbm["area_code"].nunique() == 14
    ses = real_store.observations(["ses_woa"], level="buurt", periods=[2022])
    assert ses["area_code"].nunique() == 969
    odata = real_store.observations(["a_inw"], level="wijk", periods=[2024])
    assert odata["area_code"].nunique() > 3_000
    srcs = real_store.sources()
    assert {"50090NED", "85984NED", "leefbaarometer-3.0"} <= set(srcs["table_id"])


def test_topojson_without_codes_gives_clear_error(raw):
    with pytest.raises(DataError, match="no area codes.*almere_buurten.geojson"):
        import_path(raw / "cbs-kwb2014-almere-nens" / "almere_buurten.topojson", jaar=2014)


def test_health_years_share_the_2020_vintage(raw):
    batch = import_path(
        raw / "cbs-rivm-gezondheid-wijkbuurt" / "gezondheid_wijkbuurt_2012_18plus.xlsx"
    )
    assert set(batch.observations["vintage"]) == {2020}
    assert set(batch.observations["period"]) == {2012}
    # suppressed cells ('.') are flagged, not zero
    assert (batch.observations["status"] == "missing").sum() > 0
