"""The national twin: deterministic, in the real file formats, loaded by the real
importers, with what real data carry (small buurten, symbols, breaks, boundary changes,
a herindeling), its own store, and gemeente rows that are the aggregates of the buurten."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from buurtbalans.demo import load_demo
from buurtbalans.errors import StoreError
from buurtbalans.harmonise import store_crosswalk
from buurtbalans.index.store_mode import index_for_gemeente
from buurtbalans.sources.detect import import_path
from buurtbalans.sources.kwb_file import read_kwb_table
from buurtbalans.spec import load_spec
from buurtbalans.store import Store
from buurtbalans.twin import KLEIN_MUST, load_twin, write_twin
from buurtbalans.twin.files import kwb_columns
from buurtbalans.twin.geography import build_geography, gemeente_list


def _kwb(folder, year) -> pd.DataFrame:
    return pd.read_csv(folder / f"kwb-{year}.csv", sep=";", dtype=str, keep_default_na=False)


def test_manifest_sizes_and_files(twin_klein):
    _, folder, manifest = twin_klein
    assert manifest["synthetic"] is True
    assert set(KLEIN_MUST) <= set(manifest["gemeenten"])
    assert len(manifest["gemeenten"]) == 25
    assert all(1_000 < n < 1_500 for n in manifest["buurten_per_jaar"].values())
    for entry in manifest["files"]:
        assert (folder / entry["file"]).is_file()
    kinds = {e["kind"] for e in manifest["files"]}
    assert kinds == {"kwb", "kaart", "gezondheid", "leefbaarometer", "kosten", "reeksen"}


def test_each_year_has_its_own_columns(twin_klein):
    _, folder, _ = twin_klein
    early, late = _kwb(folder, 2016), _kwb(folder, 2024)
    assert "gwb_code" in early.columns and "gwb_code_10" in late.columns
    assert {"a_nw_all", "g_vernoo"} <= set(early.columns)
    assert not {"a_nw_all", "g_vernoo", "p_hh_osm"} & set(late.columns)
    assert {"a_herk_bue", "p_hh_110"} <= set(late.columns)
    assert kwb_columns(2016) != kwb_columns(2024)


def test_small_buurten_are_suppressed_with_cbs_symbols(twin_klein):
    _, folder, _ = twin_klein
    df = _kwb(folder, 2024)
    buurt = df[df["recs"] == "Buurt"]
    pop = buurt["a_inw"].astype(float)
    small = buurt[pop < 50]
    assert len(small) >= 10  # real stores have hundreds nationally
    assert (small["p_hh_li"] == ".").all() and (small["p_wcorpw"] == ".").all()
    assert (buurt == "x").to_numpy().any()  # a few secret cells
    batch = read_kwb_table(folder / "kwb-2024.csv")
    obs = batch.observations
    li = obs[(obs["indicator"] == "p_hh_li") & obs["area_code"].isin(small["gwb_code_10"])]
    assert li["value"].isna().all() and set(li["status"]) == {"missing"}


def test_gemeente_rows_are_aggregates_of_their_buurten(twin_klein):
    _, folder, _ = twin_klein
    df = _kwb(folder, 2020).replace({".": np.nan, "x": np.nan})
    num = df.set_index("gwb_code_10")
    for col in ("a_inw", "a_woning", "p_koopw"):
        num[col] = num[col].str.replace(",", ".").astype(float)
    buurt = num[num["recs"] == "Buurt"].copy()
    buurt["gm"] = "GM" + buurt.index.str[2:6]
    gm = num[num["recs"] == "Gemeente"]
    summed = buurt.groupby("gm")["a_inw"].sum()
    # counts: the gemeente row is the sum of its buurten (up to CBS rounding to 5)
    assert np.allclose(gm.loc[summed.index, "a_inw"], summed, atol=5 * 30, rtol=0.01)
    land = num[num["recs"] == "Land"]["a_inw"].iloc[0]
    assert abs(land - gm["a_inw"].sum()) <= 5 * len(gm)
    # shares: weighted by their denominator (koopwoningen by woningen)
    ok = buurt.dropna(subset=["p_koopw", "a_woning"])
    w = ok.groupby("gm").apply(lambda g: np.average(g["p_koopw"], weights=g["a_woning"]))
    assert np.allclose(gm.loc[w.index, "p_koopw"], w, atol=1.5)


def test_deterministic():
    codes = gemeente_list(4, ("GM0141",))
    a = build_geography(codes, (2016, 2024), 5).membership[2024]
    b = build_geography(codes, (2016, 2024), 5).membership[2024]
    pd.testing.assert_frame_equal(a, b)


def test_boundary_changes_and_herindeling_in_the_crosswalk(twin_store):
    # Dijk en Waard (GM1980) formed in 2022 from Heerhugowaard and Langedijk
    cw = store_crosswalk(twin_store, 2016, 2024, "GM1980")
    assert set(cw["from_code"].str[:6]) == {"BU0398", "BU0416"}
    assert set(cw["to_code"].dropna().str[:6]) == {"BU1980"}
    assert (cw["flag"] == "recoded").mean() > 0.9 and cw["weight"].notna().all()
    flags = set()
    for gm in ["GM0118", "GM0200", "GM0356", "GM1681"]:  # slots with a split or a merge
        flags |= set(store_crosswalk(twin_store, 2016, 2024, gm)["flag"].dropna())
    assert {"split", "merged"} <= flags


def test_the_national_reference_runs_with_small_buurten(twin_store):
    """The crash of issue 17: buurten under 50 inwoners left the indicator frame shorter
    than the score table."""
    r = index_for_gemeente(twin_store, load_spec("mdi"), "GM0141", [2016, 2024], vintage=2024)
    assert len(r.table) == len(r.indicators)
    assert r.run.provenance["reference"]["kind"].startswith("national")
    assert r.table["score"].notna().mean() > 0.9
    small = r.table[r.table["flags"].fillna("").str.contains("inwoners")]
    assert small["score"].isna().all()


def test_herindeling_gemeente_has_its_early_years(twin_store):
    r = index_for_gemeente(twin_store, load_spec("mdi"), "GM1980", [2016, 2024], vintage=2024)
    years = set(r.table["period"])
    assert years == {2016, 2024}
    assert r.table["area_code"].str.startswith("BU1980").all()


def test_twin_never_mixes_with_real_or_demo_data(twin_klein, tmp_path):
    path, folder, _ = twin_klein
    with Store(path) as twin, pytest.raises(StoreError, match="national twin"):
        load_demo(twin)
    with Store(tmp_path / "echt.duckdb") as real:
        with pytest.raises(StoreError, match="national twin"):
            real.write(import_path(folder / "kwb-2016.csv"))
        load_demo(real)
        with pytest.raises(StoreError, match="store of its own"):
            load_twin(real, folder)


def test_loading_twice_is_idempotent(twin_klein, tmp_path):
    path, folder, _ = twin_klein
    copy = tmp_path / "kopie.duckdb"
    copy.write_bytes(path.read_bytes())
    with Store(copy) as st:
        before = st.counts()
        load_twin(st, folder)
        assert st.counts() == before


def test_a_rebuild_writes_the_same_bytes_and_adds_no_source(twin_klein, tmp_path):
    """Every file (csv, GeoPackage, xlsx) is the same on a rebuild, so building the twin
    again into its store re-imports nothing new (no second source record)."""
    path, _, manifest = twin_klein
    again = write_twin(tmp_path / "opnieuw", "klein")
    assert [(e["file"], e["sha256"]) for e in again["files"]] == [
        (e["file"], e["sha256"]) for e in manifest["files"]
    ]
    copy = tmp_path / "kopie.duckdb"
    copy.write_bytes(path.read_bytes())
    with Store(copy) as st:
        before = st.counts(), len(st.sources())
        load_twin(st, tmp_path / "opnieuw")
        assert (st.counts(), len(st.sources())) == before


def test_another_twin_is_refused(twin_klein, tmp_path):
    path, _, _ = twin_klein
    other = write_twin(tmp_path / "ander", "klein", seed=7)
    copy = tmp_path / "kopie.duckdb"
    copy.write_bytes(path.read_bytes())
    with Store(copy) as st, pytest.raises(StoreError, match="another national twin"):
        load_twin(st, tmp_path / "ander")
    assert other["seed"] == 7
