"""The synthetic gemeente series: the demo's (yearly 2015-2024, forecast, regions) and the
ones the national twin can add with :func:`gemeente_series` (tested on the reduced twin)."""

from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.analysis.stad import THEMES, stad_analysis
from buurtbalans.demo_stad import DEMO_REGIONS, SPEC, gemeente_series
from buurtbalans.errors import DataError
from buurtbalans.sources.codebook import catalogue


def test_demo_series_are_yearly_and_regions_synthetic(demo_store):
    obs = demo_store.observations(["p_werkloos", "prog_a_inw"], level="gemeente")
    years = sorted(obs.loc[obs["indicator"] == "p_werkloos", "period"].unique())
    assert years == list(range(2015, 2025))
    assert obs.loc[obs["indicator"] == "prog_a_inw", "period"].min() == 2025
    assert DEMO_REGIONS["synthetic"].all() and DEMO_REGIONS["regio"].isin(["CR99", "PV99"]).all()
    assert set(SPEC) <= set(catalogue())


def test_the_twin_carries_the_series(twin_store):
    """The reduced twin ships its gemeente-level series (built with gemeente_series on its
    KWB aggregates, imported through the municipal importer): the chapter's themes, with
    NL, peers, trends, sources and a forecast, on the twin alone."""
    a = stad_analysis(twin_store, "GM0141", 2016, 2024)
    assert len(a.themes_covered()) >= 8 and set(a.themes_covered()) <= set(THEMES)
    ok = a.table[a.table["status"] == "ok"]
    assert ok["nl"].notna().mean() > 0.9 and ok["tempo_nl"].notna().mean() > 0.9
    assert ok["tempo_peers"].notna().all() and ok["bron"].str.len().gt(0).all()
    assert set(a.forecast["indicator"]) >= {"a_inw", "p_65_eo_jr"}
    # the series are those gemeente_series makes from the twin's own gemeente rows
    obs = twin_store.observations(level="gemeente")
    kwb = obs[obs["source_id"].str.startswith("kwb-file")]
    made = gemeente_series(kwb[["area_code", "period", "indicator", "value"]], land_code="NL00")
    assert {"p_werkloos", "p_vsv"} <= set(made["indicator"]) & set(obs["indicator"])


def test_series_need_residents():
    with pytest.raises(DataError, match="a_inw"):
        gemeente_series(pd.DataFrame(columns=["area_code", "period", "indicator", "value"]))


def test_the_demo_has_no_value_its_own_codebook_would_refuse(demo_store) -> None:
    """Whole residents, no negative distances: the doctor finds nothing in the demo."""
    from buurtbalans.sources.codebook import catalogue

    rows = demo_store.con.execute("SELECT indicator, value FROM observations").df()
    bad = []
    for ind, part in rows.dropna().groupby("indicator"):
        meta = catalogue().get(str(ind))
        if meta is None:
            continue
        v = part["value"]
        if meta.lower is not None and (v < meta.lower).any():
            bad.append((ind, "below", v.min()))
        if meta.upper is not None and (v > meta.upper).any():
            bad.append((ind, "above", v.max()))
        if meta.integral and (v != v.round()).any():
            bad.append((ind, "not whole", v[v != v.round()].iloc[0]))
    assert not bad
