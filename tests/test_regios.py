"""The region registry (provincie, COROP, …) and region aggregates with the codebook's
denominators: counts summed, shares and rates weighted, absent members named."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.errors import DataError
from buurtbalans.sources.regios import (
    aggregate,
    packaged_regions,
    region_of,
    regions_from_odata,
    registry,
)


def _long(rows):
    return pd.DataFrame(rows, columns=["code", "period", "indicator", "value"])


def test_packaged_registry_covers_the_2024_gemeenten():
    reg = packaged_regions()
    prov = reg[reg["soort"] == "provincie"]
    corop = reg[reg["soort"] == "corop"]
    assert prov["gemeente"].nunique() == 342 and corop["gemeente"].nunique() == 342
    assert prov["regio"].nunique() == 12 and corop["regio"].nunique() == 40
    twente = region_of(reg, "GM0141", "corop", 2024)
    assert twente.name == "Twente" and twente.code == "CR12" and len(twente.members) == 14
    assert {"GM0153", "GM0164"} <= set(twente.members)  # Enschede, Hengelo
    assert region_of(reg, "GM0034", "provincie").name == "Flevoland"  # Almere
    # Amsterdam's COROP region is Groot-Amsterdam, in Noord-Holland
    assert region_of(reg, "GM0363", "corop").name == "Groot-Amsterdam"
    assert region_of(reg, "GM0363", "provincie").code == "PV27"


def test_unknown_kind_and_missing_kind_are_clear_errors():
    reg = packaged_regions()
    with pytest.raises(DataError, match="unknown region kind"):
        region_of(reg, "GM0141", "waterschap")
    with pytest.raises(DataError, match="no ggd"):  # not reconstructed: must be fetched
        region_of(reg, "GM0141", "ggd")


def test_counts_are_summed_and_shares_weighted_by_their_denominator():
    values = _long(
        [
            ("GM0001", 2020, "a_inw", 1_000.0),
            ("GM0002", 2020, "a_inw", 9_000.0),
            ("GM0001", 2020, "p_65_eo_jr", 40.0),
            ("GM0002", 2020, "p_65_eo_jr", 10.0),
        ]
    )
    members = ["GM0001", "GM0002"]
    inw = aggregate(values, members, "a_inw")
    assert inw.values[2020] == 10_000 and inw.basis == "som"
    share = aggregate(values, members, "p_65_eo_jr")
    assert share.values[2020] == pytest.approx(13.0)  # not the unweighted 25.0
    assert share.basis == "gewogen naar a_inw"


def test_a_member_without_value_or_denominator_gives_no_value_and_is_named():
    values = _long(
        [
            ("GM0001", 2020, "a_inw", 1_000.0),
            ("GM0001", 2020, "p_65_eo_jr", 40.0),
            ("GM0002", 2020, "p_65_eo_jr", 10.0),  # no a_inw for GM0002
            ("GM0001", 2021, "a_inw", 1_000.0),
            ("GM0002", 2021, "a_inw", 1_000.0),
            ("GM0001", 2021, "p_65_eo_jr", 40.0),
            ("GM0002", 2021, "p_65_eo_jr", 20.0),
        ]
    )
    agg = aggregate(values, ["GM0001", "GM0002"], "p_65_eo_jr")
    assert np.isnan(agg.values[2020]) and agg.missing[2020] == ["GM0002"]
    assert agg.values[2021] == pytest.approx(30.0) and 2021 not in agg.missing
    assert agg.covered[2020] == 1


def test_class_indicators_have_no_aggregate():
    with pytest.raises(DataError, match="class"):
        aggregate(_long([("GM0001", 2020, "ste_mvs", 1.0)]), ["GM0001"], "ste_mvs")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(1, 1e6)), min_size=1, max_size=12))
def test_weighted_share_lies_within_its_members(pairs):
    rows = []
    for i, (share, inw) in enumerate(pairs):
        rows += [(f"GM{i:04d}", 2020, "p_65_eo_jr", share), (f"GM{i:04d}", 2020, "a_inw", inw)]
    members = [f"GM{i:04d}" for i in range(len(pairs))]
    agg = aggregate(_long(rows), members, "p_65_eo_jr")
    shares = [p[0] for p in pairs]
    assert min(shares) - 1e-9 <= agg.values[2020] <= max(shares) + 1e-9
    total = aggregate(_long(rows), members, "a_inw").values[2020]
    assert total == pytest.approx(sum(p[1] for p in pairs))


def test_regions_from_odata_rows():
    rows = [
        {
            "ID": 0,
            "Code_1": "GM0141  ",
            "Naam_2": "Almelo",
            "ProvinciecodePV_10": "PV23  ",
            "Provincienaam_11": "Overijssel",
            "CoropgebiedCode_14": "CR12  ",
            "CoropgebiedNaam_15": "Twente",
            "GGDregioCode_30": "GG3306",
            "GGDregioNaam_31": "GGD Twente",
            "ArbeidsmarktregioCode_20": "AM26",
            "ArbeidsmarktregioNaam_21": "Twente",
        },
        {"ID": 1, "Code_1": "NL01", "Naam_2": "Nederland"},
    ]
    reg = regions_from_odata(rows, 2024)
    assert set(reg["soort"]) == {"provincie", "corop", "ggd", "arbeidsmarktregio"}
    assert reg[reg["soort"] == "ggd"]["regio_naam"].iloc[0] == "GGD Twente"
    # a fetched registry adds kinds the packaged file leaves empty
    both = registry([reg])
    assert region_of(both, "GM0141", "ggd").members == ("GM0141",)
    assert region_of(both, "GM0141", "corop").name == "Twente"
    with pytest.raises(DataError, match="no gemeente code"):
        regions_from_odata([{"Naam_2": "x"}], 2024)


def test_twente_from_the_real_2014_gemeenten(raw):
    """KWB 2014 (all 403 gemeenten of 2014): Twente's share of 65-plussers weighted by
    residents, as CBS would compute it, differs from the plain mean of the 14 gemeenten."""
    path = raw / "cbs-kwb2014-almere-nens" / "municipalities.topojson"
    topo = json.loads(path.read_text())
    props = [g["properties"] for g in next(iter(topo["objects"].values()))["geometries"]]
    rows = []
    for p in props:
        rows += [
            (p["GM_CODE"], 2014, "a_inw", float(p["AANT_INW"])),
            (p["GM_CODE"], 2014, "p_65_eo_jr", float(p["P_65_EO_JR"])),
        ]
    values = _long(rows)
    twente = region_of(packaged_regions(), "GM0141", "corop")
    agg = aggregate(values, list(twente.members), "p_65_eo_jr")
    part = values[values["code"].isin(twente.members)].pivot(
        index="code", columns="indicator", values="value"
    )
    assert len(part) == 14  # every Twente gemeente of 2024 existed in 2014 with its code
    expected = (part["p_65_eo_jr"] * part["a_inw"]).sum() / part["a_inw"].sum()
    assert agg.values[2014] == pytest.approx(expected)
    assert abs(agg.values[2014] - part["p_65_eo_jr"].mean()) > 0.01
    assert aggregate(values, list(twente.members), "a_inw").values[2014] == part["a_inw"].sum()
