from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from buurtbalans.analysis.benchmark import (
    SEED004_NAMES,
    _rank,
    auto_peers,
    compare,
    given_peers,
    has_peers,
    rule_peers,
    standouts,
)
from buurtbalans.analysis.pipeline import benchmark_analysis
from buurtbalans.errors import DataError
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.codebook import catalogue
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


def test_standouts_sentence_lowest_with_the_gap_to_nl():
    store = toy_store()
    peers = given_peers(store, "GM0001", ["Bee", "Cee"])
    s = standouts(compare(store, "GM0001", peers), store, "GM0001", peers)
    assert (
        "Aa heeft van de 3 gemeenten de laagste waarde voor koopwoningen (40,0 %;"
        " benchmark 55,0; geen landelijke waarde)." in s["zin"].tolist()
    )
    assert "a_inw" not in s["indicator"].tolist()  # a count says how big, not how it is


def test_standouts_in_english():
    store = toy_store()
    peers = given_peers(store, "GM0001", ["Bee", "Cee"])
    s = standouts(compare(store, "GM0001", peers), store, "GM0001", peers, taal="en")
    assert (
        "Of the 3 municipalities, Aa has the lowest value for owner-occupied homes (40.0 %;"
        " peers 55.0; no national value)." in s["zin"].tolist()
    )


# -- synthetic never mixes with real (issue 18) -------------------------------------------
def _batch(source: str, codes: list[str], names: list[str], values: dict, vintage: int = 2020):
    rows = [
        {
            "area_code": c,
            "vintage": vintage,
            "period": 2020,
            "indicator": k,
            "value": v[i],
            "status": "ok",
        }
        for k, v in values.items()
        for i, c in enumerate(codes)
    ]
    return ImportBatch(
        SourceInfo(source, "t", source, source, "2020", source, source, "t"),
        areas_from_codes(pd.Series(codes), vintage, pd.Series(names)),
        pd.DataFrame(rows),
    )


def two_worlds() -> Store:
    """320 real gemeenten plus a real NL row, and five synthetic gemeenten that look like
    GM0001 plus a synthetic NL row of the same year (another vintage)."""
    real = [f"GM{i:04d}" for i in range(1, 321)]
    fake = [f"GM99{i:02d}" for i in range(1, 6)]
    inw = [1000.0 + 10 * i for i in range(len(real))]
    koop = [40.0 + (i % 30) for i in range(len(real))]
    store = Store()
    store.write(
        _batch(
            "real",
            [*real, "NL01"],
            [f"Gemeente {i}" for i in range(len(real))] + ["Nederland"],
            {
                "a_inw": [*inw, sum(inw)],
                "p_koopw": [*koop, 50.0],
                "bev_dich": [500.0 + i for i in range(len(real))] + [520.0],
            },
        )
    )
    store.write(
        _batch(
            "fake",
            [*fake, "NL01"],
            [f"Voorbeeldgemeente {c}" for c in "ABCDE"] + ["Nederland (synthetisch)"],
            {
                "a_inw": [inw[0] + i for i in range(5)] + [5e6],
                "p_koopw": [koop[0]] * 5 + [99.0],
                "bev_dich": [500.0 + i for i in range(5)] + [1.0],
            },
            vintage=2019,
        )
    )
    store.mark_synthetic(["fake"])
    return store


def test_synthetic_gemeenten_are_never_peers_nor_in_nl():
    store = two_worlds()
    peers = auto_peers(store, "GM0001", k=5)
    assert not any(c.startswith("GM99") for c in peers.codes)  # the look-alikes are fake
    comp = compare(store, "GM0001", peers).set_index("indicator")
    assert comp.loc["p_koopw", "nl"] == 50.0  # the real NL row, not the synthetic 99
    # no NL row for a_inw in the real world's total beyond the real one
    assert comp.loc["a_inw", "nl"] == sum(1000.0 + 10 * i for i in range(320))
    with pytest.raises(DataError, match="synthetic and real gemeenten are never compared"):
        given_peers(store, "GM0001", ["GM9901", "GM0002"])


def test_a_synthetic_gemeente_lives_among_synthetic_data_only():
    store = two_worlds()
    peers = auto_peers(store, "GM9901", k=12)
    assert sorted(peers.codes) == ["GM9902", "GM9903", "GM9904", "GM9905"]
    comp = compare(store, "GM9901", peers).set_index("indicator")
    assert comp.loc["p_koopw", "nl"] == 99.0
    with pytest.raises(DataError, match="real and GM9901 is not"):
        given_peers(store, "GM9901", ["GM0002"])


@pytest.mark.shared
def test_almere_beside_the_demo_compares_with_real_gemeenten_only(raw, demo_store_path, tmp_path):
    """The README's case: `buurtbalans demo` plus the real files in one store."""
    path = tmp_path / "mixed.duckdb"
    shutil.copy(demo_store_path, path)
    with Store(path) as store:
        store.write(
            import_path(raw / "cbs-kwb2014-almere-nens" / "municipalities.topojson", jaar=2014)
        )
    with Store(path, read_only=True) as store:
        b = benchmark_analysis(store, "GM0034")
        assert len(b.peers.codes) == 12
        assert not any(c.startswith("GM99") for c in b.peers.codes)
        assert set(b.peers.table.columns) >= {"a_inw_2014"}  # the real year, not the demo's
        real_total = (
            store.observations(["a_inw"], level="gemeente", periods=[2014])
            .query("~area_code.str.startswith('GM99')")["value"]
            .sum()
        )
        assert b.comparison.set_index("indicator").loc["a_inw", "nl"] == real_total
        assert not re.search(r"\bnan\b", " ".join(b.standouts["zin"]))
        demo = benchmark_analysis(store, "GM9999")
        assert all(c.startswith("GM99") for c in demo.peers.codes)


# -- standouts a researcher would sign (issue 18) ----------------------------------------
def _group(n: int) -> Store:
    codes = [f"GM{i:04d}" for i in range(1, n + 1)]
    values = {
        "p_koopw": [50.0 - i * i for i in range(n)],  # 50, 49, 46, 41: GM0002 second
        "a_pau": [1e5 * (i + 1) for i in range(n)],
    }
    store = Store()
    store.write(_batch("r", codes, [f"G{i}" for i in range(n)], values))
    return store


@pytest.mark.parametrize("n", [1, 2])
def test_no_sentence_a_group_this_small_cannot_carry(n):
    """With one peer 'Na G0 heeft G1 de hoogste waarde' would mean G1 is the lowest."""
    store = _group(n + 1)
    city = "GM0002"
    peers = given_peers(store, city, [f"GM{i:04d}" for i in range(1, n + 2)])
    s = standouts(compare(store, city, peers), store, city, peers)
    text = " ".join(s["zin"])
    assert not re.search(r"\bnan\b", text) and "Na " not in text
    assert "a_pau" not in s["indicator"].tolist()
    if n == 1:
        assert s.empty
    if n == 2:  # three in the group: G1 is in the middle, z against the two peers
        assert s["zin"].tolist() == [
            "G1 ligt voor koopwoningen 0,4 standaardafwijking boven het gemiddelde van de 2 "
            "benchmarkgemeenten (49,0 %; benchmark 48,0; geen landelijke waarde)."
        ]


def test_second_place_needs_four():
    store = _group(4)
    peers = given_peers(store, "GM0002", ["GM0001", "GM0003", "GM0004"])
    s = standouts(compare(store, "GM0002", peers), store, "GM0002", peers)
    assert s["zin"].tolist() == [
        "Na G0 heeft G1 van de 4 gemeenten de hoogste waarde voor koopwoningen (49,0 %; "
        "benchmark 45,7; geen landelijke waarde)."
    ]


def test_the_report_counts_only_peers_of_the_same_world():
    store = two_worlds()
    assert has_peers(store, "GM0001") and has_peers(store, "GM9901")
    lonely = Store()
    lonely.write(_batch("r", ["GM0001"], ["Aa"], {"p_koopw": [40.0]}))
    lonely.write(
        _batch("f", [f"GM99{i:02d}" for i in range(1, 5)], list("ABCD"), {"p_koopw": [1.0] * 4})
    )
    lonely.mark_synthetic(["f"])
    assert not has_peers(lonely, "GM0001")  # four synthetic gemeenten are no peers


# -- the national twin (synthetic, in a store of its own) ------------------------------------
def test_the_twin_benchmarks_within_itself(twin_klein, twin_store):
    """In the twin's store every peer and NL value is the twin's; standouts are levels
    carried by a group large enough, never nan."""
    gemeenten = set(twin_klein[2]["gemeenten"])
    b = benchmark_analysis(twin_store, "GM0141")
    assert set(b.peers.codes) <= gemeenten and len(b.peers.codes) == 12
    assert not b.standouts.empty
    text = " ".join(b.standouts["zin"])
    assert not re.search(r"\bnan\b", text)
    kinds = {catalogue()[i].kind for i in b.standouts["indicator"]}
    assert kinds <= {"share", "rate", "mean", "score"}
    assert (b.standouts["n_groep"] >= 3).all()
