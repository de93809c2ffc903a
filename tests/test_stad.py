"""Staat van de stad: per theme the value against NL, region and peers, the pace of the
trend, forecasts, aandachtspunten, and every number with its table and period."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.analysis.stad import (
    FORECASTS,
    THEMES,
    needed_indicators,
    pace,
    stad_analysis,
)
from buurtbalans.errors import DataError
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.codebook import catalogue
from buurtbalans.sources.tables import areas_from_codes
from buurtbalans.store import Store


@pytest.fixture(scope="module")
def demo_stad(demo_store_path):
    with Store(demo_store_path, read_only=True) as store:
        return stad_analysis(store, "GM9999", 2015, 2024)


def test_codebook_covers_seed_004s_ten_themes():
    cat = catalogue()
    assert set(THEMES) == {
        "demografie",
        "arbeid",
        "onderwijs",
        "inkomen",
        "kansenongelijkheid",
        "gezondheid",
        "zorg",
        "leefomgeving",
        "veiligheid",
        "sport_cultuur",
    }
    for theme, ids in THEMES.items():
        assert len(ids) >= 5, theme
        for i in ids:
            ind = cat[i]
            assert ind.kind != "class" and ind.polarity in "+-0"
            assert ind.kind == "count" or ind.denominator in cat, i
    for observed, forecast in FORECASTS.items():
        assert cat[forecast].theme == "prognose" and cat[forecast].unit == cat[observed].unit
    assert {"a_inw", "a_hh", "a_beroeps"} <= set(needed_indicators())


def test_demo_gives_every_theme_with_nl_region_peers_and_pace(demo_stad):
    a = demo_stad
    assert len(a.themes_covered()) >= 8
    assert a.region is not None and a.region.synthetic and a.region.kind == "corop"
    ok = a.table[a.table["status"] == "ok"]
    assert len(ok) >= 50
    for col in ("nl", "regio", "peers_gem", "nl_van", "regio_van"):
        assert ok[col].notna().all(), col
    assert ok["van"].eq(2015).all() and ok["tot"].eq(2024).all()
    for col in ("tempo_nl", "tempo_regio", "tempo_peers"):
        assert ok[col].isin(["sneller", "langzamer", "tegengesteld", "gelijk"]).all()
    # every number is traceable: table ids and years
    assert ok["bron"].str.contains("voorbeeldstad-").all()
    assert ok["periode"].eq("2015-2024").all()
    assert (ok["rang"] >= 1).all() and (ok["rang"] <= ok["n_groep"]).all()
    assert not a.notes


def test_forecast_continues_after_the_last_year(demo_stad):
    f = demo_stad.forecast
    assert set(f["indicator"]) == set(FORECASTS)
    assert f["period"].min() > 2024 and set(f["reeks"]) == {"gemeente", "nl", "regio"}
    assert f["bron"].eq("voorbeeldstad-prognose").all()


def test_region_values_are_denominator_weighted(demo_stad, demo_store_path):
    """The region's 65+ share is its members' shares weighted by residents."""
    a = demo_stad
    with Store(demo_store_path, read_only=True) as store:
        obs = store.observations(["p_65_eo_jr", "a_inw"], level="gemeente", periods=[2024])
    wide = obs[obs["area_code"].isin(a.region.members)].pivot(
        index="area_code", columns="indicator", values="value"
    )
    expected = np.average(wide["p_65_eo_jr"], weights=wide["a_inw"])
    got = a.table.set_index("indicator").loc["p_65_eo_jr", "regio"]
    assert got == pytest.approx(expected)
    assert got != pytest.approx(wide["p_65_eo_jr"].mean(), abs=1e-6)


def test_aandachtspunten_are_behind_and_falling_behind(demo_stad):
    att = demo_stad.aandachtspunten()
    assert len(att)
    for _, r in att.iterrows():
        sign = 1 if r["polariteit"] == "+" else -1
        assert sign * (r["waarde"] - r["nl"]) > 0  # behind NL now
        assert sign * (r["waarde"] - r["nl"]) > sign * (r["waarde_van"] - r["nl_van"])
    neutral = demo_stad.table[demo_stad.table["polariteit"] == "0"]
    assert not neutral["aandachtspunt"].fillna(False).astype(bool).any()


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_pace_is_consistent(city, ref):
    p = pace(city, ref)
    assert p in ("sneller", "langzamer", "tegengesteld", "gelijk")
    assert pace(city, city) == "gelijk"
    if city * ref < 0:
        assert p == "tegengesteld"
    elif p == "sneller":
        assert abs(city) > abs(ref) and pace(ref, city) == "langzamer"
    assert pace(math.nan, ref) is None


def _tiny_store(tmp_path, with_nl: bool = True):
    """Three gemeenten in Twente, two years: Almelo behind NL on werkloosheid, widening."""
    codes = ["GM0141", "GM0153", "GM0164", "GM0150"]
    rows = []
    for code, (w0, w1) in zip(codes, [(6.0, 7.0), (5.0, 4.0), (5.5, 4.5), (5.0, 4.0)], strict=True):
        for year, w in ((2015, w0), (2024, w1)):
            rows += [
                (code, year, "p_werkloos", w),
                (code, year, "a_beroeps", 40_000.0),
                (code, year, "a_inw", 80_000.0),
                (code, year, "p_65_eo_jr", 18.0 if code == "GM0141" else 20.0),
            ]
    if with_nl:
        rows += [("NL01", 2015, "p_werkloos", 5.0), ("NL01", 2024, "p_werkloos", 4.0)]
    obs = pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"])
    obs["vintage"], obs["status"] = 2024, "ok"
    names = ["Almelo", "Enschede", "Hengelo", "Deventer"] + (["Nederland"] if with_nl else [])
    areas = areas_from_codes(
        pd.Series(codes + (["NL01"] if with_nl else [])), 2024, pd.Series(names)
    )
    src = SourceInfo("t:1", "test", "70072NED", "t", "2015-2024", "t", "h", "cbs-odata")
    store = Store(tmp_path / "s.duckdb")
    store.write(ImportBatch(src, areas, obs))
    return store


def test_hand_built_store_trend_words_and_region(tmp_path):
    with _tiny_store(tmp_path) as store:
        a = stad_analysis(store, "GM0141", 2015, 2024, peers=["Enschede", "Hengelo", "Deventer"])
    row = a.table.set_index("indicator").loc["p_werkloos"]
    assert a.region.name == "Twente"
    # Twente has 14 gemeenten and the store three: no regional value, and it is said
    assert math.isnan(row["regio"]) and "GM0147" in row["regio_ontbreekt"]
    assert any("Twente" in n.text("nl") for n in a.notes)
    assert row["verandering"] == pytest.approx(1.0) and row["tempo_nl"] == "tegengesteld"
    assert row["aandachtspunt"] and row["rang"] == 4 and row["bron"] == "70072NED"
    # indicators without a series are kept and named, not dropped
    assert (a.table["status"] == "geen reeks").any()


def test_mistakes_are_clear(tmp_path, demo_store_path):
    with _tiny_store(tmp_path) as store:
        with pytest.raises(DataError, match="no gemeente-level series for GM0363"):
            stad_analysis(store, "GM0363", 2015, 2024)
        with pytest.raises(DataError, match="after"):
            stad_analysis(store, "GM0141", 2024, 2015)
