"""The synthetic gemeente series: the demo's (yearly 2015-2024, forecast, regions) and the
ones the national twin can add with :func:`gemeente_series` (tested on the reduced twin)."""

from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.analysis.stad import THEMES, stad_analysis
from buurtbalans.demo_stad import DEMO_REGIONS, SPEC, gemeente_series
from buurtbalans.errors import DataError
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.codebook import catalogue
from buurtbalans.sources.regios import aggregate
from buurtbalans.store import Store


def test_demo_series_are_yearly_and_regions_synthetic(demo_store):
    obs = demo_store.observations(["p_werkloos", "prog_a_inw"], level="gemeente")
    years = sorted(obs.loc[obs["indicator"] == "p_werkloos", "period"].unique())
    assert years == list(range(2015, 2025))
    assert obs.loc[obs["indicator"] == "prog_a_inw", "period"].min() == 2025
    assert DEMO_REGIONS["synthetic"].all() and DEMO_REGIONS["regio"].isin(["CR99", "PV99"]).all()
    assert set(SPEC) <= set(catalogue())


def test_the_twin_can_carry_the_series(twin_store, tmp_path):
    """The reduced twin's gemeente rows + gemeente_series → the chapter's eight themes."""
    obs = twin_store.observations(level="gemeente")
    land = twin_store.observations(level="land")
    land_code = str(land["area_code"].mode()[0])
    series = gemeente_series(
        obs[["area_code", "period", "indicator", "value"]], land_code=land_code
    )
    assert not series.merge(obs, on=["area_code", "period", "indicator"]).shape[0]
    years = sorted(obs.loc[obs["indicator"] == "a_inw", "period"].unique())
    # NL01 is the denominator-weighted aggregate of the gemeenten of that year
    nl = series[(series["area_code"] == land_code) & (series["indicator"] == "p_werkloos")]
    part = series[series["period"] == years[-1]].rename(columns={"area_code": "code"})
    members = sorted(set(part.loc[part["indicator"] == "p_werkloos", "code"]) - {land_code})
    expected = aggregate(part, members, "p_werkloos").values[years[-1]]
    assert nl.set_index("period")["value"][years[-1]] == pytest.approx(expected)
    # a plain store holding the twin's gemeente rows plus the series (synthetic)
    keep = ["area_code", "period", "indicator", "value", "vintage", "status"]
    rows = pd.concat([obs, land])[keep]
    # the twin's vintages are its years; the forecast sits on the last one
    extra = series.assign(vintage=series["period"].clip(upper=int(years[-1])), status="ok")
    areas = twin_store.areas(level="gemeente")
    areas = pd.concat([areas, twin_store.areas(level="land")])
    src = SourceInfo("demo:tweeling", "twin", "tweeling-gemeenten", "t", "x", "t", "h", "demo")
    src2 = SourceInfo("demo:tweeling-stad", "twin", "tweeling-stad", "t", "x", "t", "h2", "demo")
    with Store(tmp_path / "s.duckdb") as store:
        store.write(ImportBatch(src, areas, rows))
        store.write(ImportBatch(src2, areas.iloc[0:0], extra[keep]))
        a = stad_analysis(store, "GM0141", 2015, 2024)
    assert len(a.themes_covered()) >= 8 and set(a.themes_covered()) <= set(THEMES)
    ok = a.table[a.table["status"] == "ok"]
    assert ok["nl"].notna().all() and ok["tempo_nl"].notna().all()
    assert ok["tempo_peers"].notna().all() and ok["bron"].str.len().gt(0).all()
    assert set(a.forecast["indicator"]) >= {"a_inw", "p_65_eo_jr"}
    # the reduced twin holds one Twente gemeente: no regional value, and it says so
    assert a.region.name == "Twente" and ok["regio"].isna().all()
    assert any("Twente" in n for n in a.notes)


def test_series_need_residents():
    with pytest.raises(DataError, match="a_inw"):
        gemeente_series(pd.DataFrame(columns=["area_code", "period", "indicator", "value"]))
