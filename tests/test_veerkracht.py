from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.analysis.veerkracht import (
    CORPORATIE_LABELS,
    DEV_KWETSBAAR_LABELS,
    DEV_OVERLAST_LABELS,
    FOCUS_TOP,
    GEEN,
    KWETSBAAR_LABELS,
    TYPOLOGY_LABELS,
    corporatie_class,
    corporatie_crosstab,
    focus_class,
    overlast_class,
    overlast_development,
    typology,
    vulnerability_class,
    vulnerability_development,
)
from buurtbalans.errors import DataError
from buurtbalans.sources.detect import import_path

maybe = st.one_of(st.none(), st.floats(-1e3, 1e3))


def series(xs):
    return pd.Series([np.nan if x is None else x for x in xs], dtype=float)


@given(st.lists(maybe, min_size=1, max_size=30), st.lists(maybe, min_size=1, max_size=30))
def test_class_functions_are_total(a, b):
    n = min(len(a), len(b))
    x, y = series(a[:n]), series(b[:n])
    ov = overlast_class(x)
    assert ov.dropna().between(1, 9).all() and ov.isna().eq(x.isna()).all()
    kw = vulnerability_class(x.abs(), 10.0)
    assert kw.isin([*KWETSBAAR_LABELS, GEEN]).all()
    assert focus_class(ov, kw).notna().all()
    assert corporatie_class(x.clip(0, 100)).isin([*CORPORATIE_LABELS, GEEN]).all()
    do = overlast_development(x, y, 0.1)
    assert do.isin([*DEV_OVERLAST_LABELS, GEEN]).all()
    dk = vulnerability_development(x.abs(), y.abs(), kw, 10.0)
    assert dk.isin([*DEV_KWETSBAAR_LABELS, GEEN]).all()
    assert typology(do, dk, ov).isin([*TYPOLOGY_LABELS, GEEN]).all()


def test_corporatie_bins_from_the_seed():
    got = corporatie_class(pd.Series([0, 9.9, 10, 29.9, 30, 60, 80, 80.1, 100])).tolist()
    assert got == [
        "< 10%",
        "< 10%",
        "10-30%",
        "10-30%",
        "30-60%",
        "60-80%",
        "60-80%",
        "> 80%",
        "> 80%",
    ]


def test_published_typology_rules():
    do = pd.Series(
        [
            "verbeterd",
            "verslechterd",
            "verslechterd",
            "ongeveer gelijk",
            "verbeterd",
            "iets verslechterd",
            "verbeterd",
        ]
    )
    dk = pd.Series(
        [
            "toename, tot weinig kwetsbaar",
            "sterke toename, tot zeer veel kwetsbaar",
            "toename, tot weinig kwetsbaar",
            "toename, tot weinig kwetsbaar",
            "afname",
            "afname",
            "ongeveer gelijk",
        ]
    )
    end = pd.Series([5, 2, 5, 5, 5, 5, 5])
    assert typology(do, dk, end).tolist() == [
        "veerkracht",
        "weinig veerkracht, veel problemen",
        "weinig veerkracht, beperkte problemen",
        "enige veerkracht",
        "afname kwetsbare bewoners en afname problemen",
        "afname kwetsbare bewoners, geen afname problemen",
        "kwetsbare bewoners ongeveer gelijk",
    ]


def test_focus_classes():
    ov = pd.Series([9, 3, 2, 1, 1])
    kw = pd.Series(["vrijwel geen", "gemiddeld", "veel", "bijzonder veel", "weinig"])
    assert focus_class(ov, kw).tolist() == [
        "weinig problemen, zeer weinig kwetsbaar",
        "bovengemiddelde problemen, weinig kwetsbaar",
        "veel problemen, veel kwetsbaar",
        FOCUS_TOP,
        "veel problemen, weinig kwetsbaar",
    ]


def test_vulnerability_development_thresholds():
    start = pd.Series([10.0, 10.0, 10.0, 10.0, 10.0])
    end = pd.Series([8.0, 10.5, 11.5, 14.0, 11.5])
    cls = pd.Series(["weinig", "weinig", "gemiddeld", "veel", "zeer veel"])
    got = vulnerability_development(start, end, cls, reference=10.0).tolist()
    assert got == [
        "afname",
        "ongeveer gelijk",
        "toename, naar gemiddeld tot veel kwetsbaar",
        "sterke toename, naar gemiddeld tot veel kwetsbaar",
        "toename, tot zeer veel kwetsbaar",
    ]


def test_amstelveen_overlast_development_2014_2022(raw):
    batch = import_path(raw / "leefbaarometer-amstelveen" / "AmstelveenDataWithDimensions.csv")
    obs = batch.observations.query("indicator == 'lbm_onv'").pivot(
        index="area_code", columns="period", values="value"
    )
    assert len(obs) == 14
    sigma = float(obs[2014].std(ddof=0))
    dev = overlast_development(obs[2014], obs[2022], sigma)
    assert dev.isin(DEV_OVERLAST_LABELS).all()
    delta = (obs[2022] - obs[2014]) / sigma
    improved = dev.isin(DEV_OVERLAST_LABELS[3:])
    assert (delta[improved] >= 0.2).all() and (delta[~improved] < 0.2).all()
    levels = overlast_class(obs[2022])
    assert levels.between(1, 9).all()
    # a higher onv never gets a worse class; WK036205 (onv -0.076) is 'slechter dan gemiddeld'
    order = obs[2022].sort_values().index
    assert levels[order].is_monotonic_increasing
    assert levels["WK036205"] == 3


def test_maps_2_and_5_state_their_reference(demo_store, monkeypatch):
    """National when the store holds all NL buurten (synthetic only for a synthetic
    gemeente), the gemeente's own otherwise or when chosen; the reference is stated."""
    import buurtbalans.index.store_mode as sm
    from buurtbalans.analysis.pipeline import veerkracht_analysis

    _, own, _ = veerkracht_analysis(demo_store, "GM9999", 2015, 2024)
    assert own["reference"] == "municipal"
    assert "niet alle synthetische buurten van Nederland" in own["reference_basis"]
    with pytest.raises(DataError, match="no national veerkracht reference"):
        veerkracht_analysis(demo_store, "GM9999", 2015, 2024, reference="national")
    with pytest.raises(DataError, match="unknown veerkracht reference"):
        veerkracht_analysis(demo_store, "GM9999", 2015, 2024, reference="landelijk")
    chosen = veerkracht_analysis(demo_store, "GM9999", 2015, 2024, reference="municipal")[1]
    assert chosen["reference"] == "municipal" and "gekozen" in chosen["reference_basis"]
    # a store that holds "all" (synthetic) buurten: the national values are used and stated
    monkeypatch.setattr(sm, "NATIONAL_MIN_BUURTEN", 50)
    maps, nat, _ = veerkracht_analysis(demo_store, "GM9999", 2015, 2024)
    assert nat["reference"] == "national"
    assert nat["reference_basis"].startswith("synthetisch Nederland: 60 buurten")
    # here "NL" is the demo's own buurten: 2024 (vintage 2022) as the maps have it, and the
    # σ of onv over the buurten of 2015 as published (vintage 2015, not moved)
    assert nat["reference_index"] == pytest.approx(own["reference_index"])
    onv = demo_store.wide(["lbm_onv"], periods=[2015])
    onv = onv.loc[onv["area_code"].str.startswith("BU"), "lbm_onv"].dropna()
    assert nat["sigma_onv"] == pytest.approx(onv.std(ddof=0))
    assert len(maps) == 60


# -- corporatie × veerkracht counts dwellings, as seed 003 does (issue 18) ------------------
def test_corporation_crosstab_counts_dwellings_not_buurten():
    maps = pd.DataFrame(
        {
            "kaart4_corporatie": ["> 80%", "60-80%", "< 10%", "30-60%"],
            "kaart7_veerkracht": ["veerkracht", "veerkracht", "enige veerkracht", "veerkracht"],
        },
        index=["BU1", "BU2", "BU3", "BU4"],
    )
    stock = pd.DataFrame(
        {"p_wcorpw": [90.0, 65.0, 5.0, 40.0], "a_woning": [1000.0, 2000.0, 3000.0, np.nan]},
        index=maps.index,
    )
    cross = corporatie_crosstab(maps, stock=stock)
    assert cross.attrs["unit"] == "corporatiewoningen"
    assert cross.loc["veerkracht", "> 80%"] == 900 and cross.loc["veerkracht", "60-80%"] == 1300
    assert cross.loc["enige veerkracht", "< 10%"] == 150
    assert cross.attrs["total"] == 2350  # BU4 has no dwelling count: named, not counted
    assert cross.attrs["unknown"] == ["BU4"]
    assert cross.attrs["share_60"] == pytest.approx(100 * 2200 / 2350)
    assert cross.attrs["share_80"] == pytest.approx(100 * 900 / 2350)
    # without dwellings the table counts buurten and says so
    buurten = corporatie_crosstab(maps)
    assert buurten.attrs["unit"] == "buurten" and buurten.to_numpy().sum() == 4


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 1e4)), min_size=1, max_size=30))
def test_corporation_dwellings_add_up(rows):
    """Every corporation dwelling is in exactly one cell; the ≥ 80 share is within ≥ 60."""
    share = pd.Series([r[0] for r in rows])
    stock = pd.DataFrame({"p_wcorpw": share, "a_woning": [r[1] for r in rows]})
    maps = pd.DataFrame(
        {"kaart4_corporatie": corporatie_class(share), "kaart7_veerkracht": "veerkracht"}
    )
    cross = corporatie_crosstab(maps, stock=stock)
    total = float((share / 100 * stock["a_woning"]).sum())
    assert float(np.asarray(cross).sum()) == pytest.approx(total, abs=1e-6)
    if total > 0:
        assert 0 <= cross.attrs["share_80"] <= cross.attrs["share_60"] + 1e-9 <= 100 + 1e-6


def test_twin_corporation_dwellings_match_the_buurten(twin_store):
    """On the national twin: the crosstab's corporation dwellings are Σ share × stock over
    the gemeente's buurten in the last year, each buurt once."""
    from buurtbalans.analysis.pipeline import veerkracht_analysis

    _maps, _settings, cross = veerkracht_analysis(twin_store, "GM0141", 2016, 2020)
    wide = twin_store.wide(["p_wcorpw", "a_woning"], gemeente="GM0141", periods=[2020])
    expected = float((wide["p_wcorpw"] / 100 * wide["a_woning"]).sum())
    assert cross.attrs["unit"] == "corporatiewoningen"
    assert cross.attrs["total"] == pytest.approx(expected)
    assert float(np.asarray(cross).sum()) == pytest.approx(expected)
    assert 0 < cross.attrs["share_80"] < cross.attrs["share_60"] < 100


def test_national_average_on_the_twin(twin_store):
    """With all (twin) NL buurten in the store, maps 2 and 5 use the NL average and σ by
    default; the gemeente's own stays an option and moves buurten between classes."""
    from buurtbalans.analysis.pipeline import veerkracht_analysis

    maps, nat, _ = veerkracht_analysis(twin_store, "GM0344", 2016, 2020)
    assert nat["reference"] == "national" and nat["reference_basis"].startswith("Nederland")
    assert min(nat["reference_buurten"].values()) > 1000
    own_maps, own, _ = veerkracht_analysis(twin_store, "GM0344", 2016, 2020, reference="municipal")
    assert own["reference"] == "municipal"
    assert own["reference_index"] != pytest.approx(nat["reference_index"])
    moved = (maps["kaart2_kwetsbaar"] != own_maps["kaart2_kwetsbaar"]).sum()
    assert moved > 0  # the reference matters, which is why it is stated
