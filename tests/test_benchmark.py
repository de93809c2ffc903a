from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.analysis.benchmark import (
    SEED004_NAMES,
    _rank,
    auto_peers,
    compare,
    given_peers,
    rule_peers,
    standouts,
)
from buurtbalans.analysis.pipeline import benchmark_analysis
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.detect import import_path
from buurtbalans.sources.tables import areas_from_codes
from buurtbalans.store import Store


def toy_store() -> Store:
    """Four gemeenten: A is the city; C lacks p_hh_li."""
    codes = ["GM0001", "GM0002", "GM0003", "GM0004"]
    values = {
        "p_hh_li": [30.0, 20.0, None, 30.0],  # '+': lower is better
        "p_koopw": [40.0, 60.0, 50.0, 40.0],  # '-': higher is better
        "a_inw": [100.0, 300.0, 200.0, 400.0],
    }  # neutral
    rows = [
        {
            "area_code": c,
            "vintage": 2020,
            "period": 2020,
            "indicator": k,
            "value": v[i],
            "status": "ok" if v[i] is not None else "missing",
        }
        for k, v in values.items()
        for i, c in enumerate(codes)
    ]
    store = Store()
    store.write(
        ImportBatch(
            SourceInfo("t", "t", "t", "t", "2020", "t", "h", "t"),
            areas_from_codes(pd.Series(codes), 2020, pd.Series(["Aa", "Bee", "Cee", "Dee"])),
            pd.DataFrame(rows),
        )
    )
    return store


def test_rank_direction_and_ties():
    v = pd.Series([30.0, 20.0, 30.0])
    assert _rank(v, "+").tolist() == [2, 1, 2]  # lower is better; ties share the best rank
    assert _rank(v, "-").tolist() == [1, 3, 1]
    assert _rank(v, "0").tolist() == [1, 3, 1]  # neutral: highest first


def test_compare_by_hand_with_missing_peer():
    store = toy_store()
    peers = given_peers(store, "GM0001", ["Bee", "Cee", "Dee"])
    c = compare(store, "GM0001", peers).set_index("indicator")
    li = c.loc["p_hh_li"]
    assert (li["rang"], li["n_groep"]) == (2, 3)  # 20 < 30 = 30; Cee excluded
    assert "GM0003" in li["opmerking"] and "niet gerangschikt" in li["opmerking"]
    assert li["benchmark_gem"] == 25.0 and li["benchmark_min"] == 20.0
    assert c.loc["p_koopw", "rang"] == 3 and c.loc["p_koopw", "polariteit"] == "hoger is beter"
    assert c.loc["a_inw", "polariteit"] == "neutraal" and c.loc["a_inw", "rang"] == 4
    assert c.loc["p_koopw", "z"] == pytest.approx((40 - 50) / 10)


@pytest.fixture(scope="module")
def municipal_store(raw, tmp_path_factory):
    path = tmp_path_factory.mktemp("gm") / "gm.duckdb"
    with Store(path) as store:
        store.write(
            import_path(raw / "cbs-kwb2014-almere-nens" / "municipalities.topojson", jaar=2014)
        )
        for year in (2012, 2016, 2020):
            store.write(
                import_path(
                    raw
                    / "cbs-rivm-gezondheid-wijkbuurt"
                    / f"gezondheid_wijkbuurt_{year}_18plus.xlsx"
                )
            )
    with Store(path, read_only=True) as store:
        yield store


def test_almere_against_seed004_peers(municipal_store):
    b = benchmark_analysis(municipal_store, "GM0034", peers=list(SEED004_NAMES))
    assert len(b.peers.codes) == 12
    comp = b.comparison.set_index("indicator")
    assert len(comp) >= 50 and comp["n_groep"].max() == 13
    assert comp["rang"].between(1, 13).all()
    # the NL value of a health indicator is the file's own NL01 row
    land = municipal_store.observations(["gz_eenzaam"], level="land", periods=[2020])
    assert comp.loc["gz_eenzaam", "nl"] == land["value"].iloc[0]
    assert comp.loc["gz_eenzaam", "jaar"] == 2020 and comp.loc["a_inw", "jaar"] == 2014
    # Almere is the youngest: lowest share of 65+ in the group, said in a sentence
    assert comp.loc["p_65_eo_jr", "waarde"] <= comp.loc["p_65_eo_jr", "benchmark_min"]
    sentences = " ".join(b.standouts["zin"])
    assert (
        "Almere heeft van de 13 gemeenten de laagste waarde voor aandeel inwoners 65 jaar"
        in sentences
    )
    assert set(b.ranks.columns[1:]) >= {"Almere", "Lelystad", "Zwolle"}
    assert {"van", "tot", "rang_van", "rang_tot"} <= set(b.trends.columns)


def test_automatic_peers_are_stable_and_explained(municipal_store):
    a = auto_peers(municipal_store, "GM0034", k=12)
    b = auto_peers(municipal_store, "GM0034", k=12)
    assert a.codes == b.codes and len(a.codes) == 12
    assert a.table["afstand"].is_monotonic_increasing and a.table["afstand"].iloc[0] == 0
    assert any("a_inw" in n for n in a.notes) and "naam" in a.table
    assert a.table["naam"].notna().all()


def test_seed004_rule(municipal_store):
    peers = rule_peers(municipal_store, "GM0034")
    inw = municipal_store.observations(["a_inw"], level="gemeente", periods=[2014]).set_index(
        "area_code"
    )["value"]
    for code, name in zip(peers.table["code"][1:], peers.table["naam"][1:], strict=True):
        assert inw[code] > 100_000 or name == "Lelystad"
    assert "100.000 inwoners" in peers.notes[0]


def test_standouts_sentence_second_place():
    store = toy_store()
    peers = given_peers(store, "GM0001", ["Bee", "Dee"])
    s = standouts(compare(store, "GM0001", peers), store, "GM0001", peers)
    assert (
        "Aa heeft van de 3 gemeenten de laagste waarde voor aantal inwoners (100,0 aantal;"
        " benchmark 350,0)." in s["zin"].tolist()
    )


def test_standouts_in_english():
    store = toy_store()
    peers = given_peers(store, "GM0001", ["Bee", "Dee"])
    s = standouts(compare(store, "GM0001", peers), store, "GM0001", peers, taal="en")
    assert (
        "Of the 3 municipalities, Aa has the lowest value for residents (100.0 aantal;"
        " peers 350.0)." in s["zin"].tolist()
    )
