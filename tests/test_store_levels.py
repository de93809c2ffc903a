"""The gemeente/land rows read once per store content (store/levels.py)."""

from __future__ import annotations

import shutil

import pandas as pd

from buurtbalans.store import Store, levels
from buurtbalans.store.levels import level_observations


def test_the_same_rows_as_the_store_gives(twin_store) -> None:
    for level in ("gemeente", "land"):
        for inds, periods in ((None, None), (["a_inw", "p_hh_li"], None), (["a_inw"], [2020])):
            want = twin_store.observations(inds, level=level, periods=periods)
            got = level_observations(twin_store, inds, level, periods)
            pd.testing.assert_frame_equal(got, want)


def test_a_caller_changing_its_copy_changes_nothing_cached(twin_store) -> None:
    first = level_observations(twin_store, ["a_inw"], "gemeente")
    first["value"] = -1.0
    first["indicator"] = "x"
    again = level_observations(twin_store, ["a_inw"], "gemeente")
    assert len(again) and (again["value"] != -1.0).all() and (again["indicator"] == "a_inw").all()


def test_an_import_is_seen_without_a_restart(demo_store_path, tmp_path) -> None:
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_store_path, path)
    with Store(path) as st:
        before = level_observations(st, ["a_inw"], "gemeente")
        st.con.execute(
            "UPDATE sources SET imported_at = imported_at || 'x'"
        )  # what an import does to the fingerprint (a new or changed sources row)
        st.con.execute(
            "UPDATE observations SET value = value + 1 WHERE indicator = 'a_inw' AND area_code IN "
            "(SELECT code FROM areas WHERE level = 'gemeente')"
        )
        after = level_observations(st, ["a_inw"], "gemeente")
    assert (after["value"].to_numpy() == before["value"].to_numpy() + 1).all()
    assert len(levels._KEPT) <= levels.MEMORY_ITEMS
