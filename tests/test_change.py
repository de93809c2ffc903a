from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.analysis.change import (
    DIRECTIONS,
    buurt_change,
    class_flows,
    correlations,
    decomposition,
    direction_summary,
    group_profiles,
    polarisation,
    transition_matrix,
)
from buurtbalans.errors import DataError
from buurtbalans.index import compute
from buurtbalans.spec import load_spec, parse_spec

SPEC = parse_spec(
    {
        "index": {"name": "t", "transform": "none", "standardise": "none"},
        "domain": [{"id": "a", "weight": 60}, {"id": "b", "weight": 40}],
        "indicator": [{"id": "xa", "domain": "a"}, {"id": "xb", "domain": "b"}],
    }
)


def town(a0, b0, a1, b1):
    """Six buurten, two years; the domain values are the scores directly (no scaling)."""
    codes = [f"BU999901{i:02d}" for i in range(1, 7)]
    rows = [
        {"area_code": c, "period": y, "xa": xa, "xb": xb}
        for y, xas, xbs in ((2015, a0, b0), (2024, a1, b1))
        for c, xa, xb in zip(codes, xas, xbs, strict=True)
    ]
    table = compute(
        pd.DataFrame(rows), SPEC, id_columns=["area_code"], period_column="period"
    ).table
    pop = pd.DataFrame(
        {
            "area_code": codes * 2,
            "period": [2015] * 6 + [2024] * 6,
            "a_inw": [1000, 2000, 1500, 500, 800, 1200] * 2,
        }
    )
    return table, pop


def test_six_buurt_town_exactly_two_improve():
    table, pop = town(
        [70, 65, 40, 30, 20, 62],
        [70, 65, 40, 30, 20, 62],
        [50, 66, 40, 30, 35, 40],
        [50, 66, 40, 30, 35, 40],
    )
    ch = buurt_change(table, SPEC, 2015, 2024, population=pop)
    assert ch.set_index("area_code")["delta"].round(6).tolist() == [-20, 1, 0, 0, 15, -22]
    s = direction_summary(ch).set_index("richting")
    assert s.loc["verbeterd", "buurten"] == 2 and s.loc["verslechterd", "buurten"] == 2
    assert s.loc["verbeterd", "inwoners"] == 2200
    flows = class_flows(ch, 2015, 2024)
    assert flows == {"toen": 3, "nu": 1, "uitgestroomd": 2, "ingestroomd": 0}
    m = transition_matrix(ch, 2015, 2024, SPEC.classes.labels)
    assert m.to_numpy().sum() == 6 and m.loc["zeer hoog", "zeer hoog"] == 1


def test_improved_means_lower_unless_a_tolerance_is_set():
    """The seed's rule: verbeterd ⇔ score lower (Δ < 0). A tolerance is the user's choice,
    kept beside the counts; a small fall counts as verbeterd without one."""
    table, pop = town(
        [50, 50, 50, 50, 50, 50],
        [50, 50, 50, 50, 50, 50],
        [49.9, 49.6, 50, 50.3, 51, 40],
        [49.9, 49.6, 50, 50.3, 51, 40],
    )
    ch = buurt_change(table, SPEC, 2015, 2024, population=pop)
    counts = ch["direction"].value_counts().to_dict()
    assert counts == {"verbeterd": 3, "verslechterd": 2, "ongeveer gelijk": 1}
    assert direction_summary(ch).attrs["tolerantie"] == 0.0
    tol = buurt_change(table, SPEC, 2015, 2024, population=pop, tolerance=0.5)
    counts = tol["direction"].value_counts().to_dict()
    assert counts == {"ongeveer gelijk": 4, "verbeterd": 1, "verslechterd": 1}
    assert direction_summary(tol).attrs["tolerantie"] == 0.5
    for bad in (-0.1, float("nan")):
        with pytest.raises(DataError, match="tolerance"):
            buurt_change(table, SPEC, 2015, 2024, tolerance=bad)


def test_buurten_below_the_minimum_get_no_change_and_are_counted():
    """Buurt 1 lacks domain b in 2024. Under a 70 % minimum (a alone is 60 %) it gets no
    Δ and no class in 2024 and is counted as 'onvoldoende gegevens'; under a 50 % minimum it
    is scored in both years but on different domains: 'niet vergelijkbaar', no Δ."""
    nan = float("nan")
    strict = SPEC.with_options(min_weight_share=0.7)
    codes = [f"BU999901{i:02d}" for i in range(1, 7)]
    b0 = [70, 65, 40, 30, 20, 62]
    b1 = [nan, 66, 40, 30, 35, 40]
    rows = [
        {"area_code": c, "period": y, "xa": xa, "xb": xb}
        for y, xbs in ((2015, b0), (2024, b1))
        for c, xa, xb in zip(codes, [70, 65, 40, 30, 20, 62], xbs, strict=True)
    ]
    table = compute(
        pd.DataFrame(rows), strict, id_columns=["area_code"], period_column="period"
    ).table
    ch = buurt_change(table, strict, 2015, 2024).set_index("area_code")
    one = ch.loc["BU99990101"]
    assert one["direction"] == "onvoldoende gegevens" and pd.isna(one["delta"])
    assert pd.isna(one["class_2024"]) and one["status_2024"] == "onvoldoende gegevens"
    s = direction_summary(ch.reset_index()).set_index("richting")["buurten"]
    assert s["onvoldoende gegevens"] == 1 and s.sum() == 6
    m = transition_matrix(ch.reset_index(), 2015, 2024, strict.classes.labels)
    assert m.to_numpy().sum() == 6 and m["onvoldoende gegevens"].sum() == 1
    # a lower minimum: buurt 1 scored on a alone in 2024, on a and b in 2015
    loose = SPEC.with_options(min_weight_share=0.5)
    table = compute(
        pd.DataFrame(rows), loose, id_columns=["area_code"], period_column="period"
    ).table
    ch = buurt_change(table, loose, 2015, 2024).set_index("area_code")
    assert ch.loc["BU99990101", "direction"] == "niet vergelijkbaar"
    assert pd.isna(ch.loc["BU99990101", "delta"])
    assert ch.drop("BU99990101")["delta"].notna().all()


def test_buurten_must_match():
    table, _ = town([1] * 6, [1] * 6, [2] * 6, [2] * 6)
    table = table.drop(index=0)
    with pytest.raises(DataError, match="only one of the years"):
        buurt_change(table, SPEC, 2015, 2024)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=24, max_size=24))
def test_decomposition_sums_to_delta_and_shares_to_100(v):
    table, pop = town(v[0:6], v[6:12], v[12:18], v[18:24])
    ch = buurt_change(table, SPEC, 2015, 2024, population=pop)
    parts = ch[["bijdrage_a", "bijdrage_b"]].sum(axis=1)
    assert np.allclose(parts, ch["delta"])
    dec = decomposition(ch, SPEC)
    assert dec["bijdrage"].sum() == pytest.approx(dec.attrs["delta_gemeente"], abs=1e-9)
    s = direction_summary(ch)
    assert s["aandeel_buurten"].sum() == pytest.approx(100)
    assert s["aandeel_inwoners"].sum() == pytest.approx(100)


def test_polarisation_gap_and_slope():
    # the worst get worse, the best better: the gap grows, the slope is positive
    table, pop = town(
        [80, 70, 60, 40, 30, 20],
        [80, 70, 60, 40, 30, 20],
        [85, 74, 61, 38, 25, 12],
        [85, 74, 61, 38, 25, 12],
    )
    p = polarisation(table, 2015, 2024, pop, n=2)
    assert p.grew() and p.slope > 0 and p.slope_ci[0] < p.slope < p.slope_ci[1]
    assert p.gaps["gap_2"].tolist() == pytest.approx([50.0, 61.0])
    ineq = p.inequality.set_index("jaar")
    assert ineq.loc[2024, "gini"] > ineq.loc[2015, "gini"]
    total = ineq["theil_tussen_wijken"] + ineq["theil_binnen_wijken"]
    assert np.allclose(total, ineq["theil"])


def test_profiles_and_correlations():
    scores = pd.DataFrame({"area_code": list("ABCDEF"), "score": [10, 20, 30, 40, 50, 60]})
    data = pd.DataFrame({"area_code": list("ABCDEF"), "p_wcorpw": [5, 10, 20, 40, 60, 80]})
    prof = group_profiles(scores, data, ["p_wcorpw"], n=2).iloc[0]
    assert (prof["slechtste_2"], prof["beste_2"]) == (70, 7.5)
    corr = correlations(scores, data, ["p_wcorpw"]).iloc[0]
    assert corr["r"] > 0.9 and corr["n"] == 6 and corr["sterkte"] == "sterk"


@pytest.mark.slow
def test_health_change_for_every_nl_buurt(national_health_store):
    from buurtbalans.store import Store

    spec = load_spec("mdi").subset(["gezondheid"]).with_options(reference="national-pooled")
    with Store(national_health_store, read_only=True) as store:
        wide = store.wide(spec.raw_inputs(), periods=[2012, 2016, 2020])
    table = compute(
        wide.drop(columns="vintage"), spec, id_columns=["area_code"], period_column="period"
    ).table
    for van, tot in ((2012, 2016), (2016, 2020)):
        ch = buurt_change(table, spec, van, tot)
        assert len(ch) == 13_808
        s = direction_summary(ch)
        counted = s.set_index("richting")["buurten"]
        assert counted[list(DIRECTIONS)].sum() == ch["delta"].notna().sum() > 12_500
        # every buurt is counted: those without a score under "onvoldoende gegevens"
        assert counted.sum() == len(ch) and counted["onvoldoende gegevens"] > 0
    ch = buurt_change(table, spec, 2012, 2020)
    p = polarisation(table, 2012, 2020)
    # regression to the mean over 8 years: buurten that started worse improved more
    assert p.slope < 0 and p.slope_ci[1] < 0 and p.slope_n > 12_500


def test_pooled_national_reference_keeps_absolute_change(twin_store):
    """On the national twin: ranked per year, the national mean score is fixed by
    construction (no national change can show); pooled over the compared years (the
    default) a national improvement shows as lower scores."""
    from buurtbalans.index.store_mode import load_input

    spec = load_spec("mdi")
    assert spec.reference == "national-pooled"
    wide = load_input(twin_store, spec, "GM0344", [2016, 2024]).drop(columns="vintage")
    means = {}
    for ref in ("national", "national-pooled"):
        sp = spec.with_options(reference=ref)
        t = compute(wide, sp, id_columns=["area_code", "name"], period_column="period").table
        m = t[t["status"] == "ok"].groupby("period")["score"].mean()
        means[ref] = m[2024] - m[2016]
    assert abs(means["national"]) < 1.0  # per year: the NL mean barely moves
    assert abs(means["national-pooled"]) > 3 * max(abs(means["national"]), 0.5)
