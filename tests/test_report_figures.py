"""Maps: the base map is drawn once per set of buurten and recoloured; the PNG is the
same as a map drawn from scratch."""

from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("geopandas")

from buurtbalans.report import figures as fg


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _map(gdf, seed: int) -> fg.Figure:
    rng = np.random.default_rng(seed)
    cats = ["laag", "midden", "hoog"]
    frame = gdf.assign(
        k=rng.choice([*cats, None], len(gdf)),
        _status=np.where(rng.random(len(gdf)) < 0.15, "weinig", "ok"),
    )
    return fg.category_map(
        frame,
        "k",
        cats,
        title=f"Kaart {seed}",
        source="Bron: test",
        no_data="geen",
        insufficient="te weinig",
    )


def test_a_recoloured_base_map_equals_a_fresh_drawing(gdf, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fg, "_BASES", type(fg._BASES)())
    _map(gdf, 1)
    reused = _map(gdf, 2)  # the base of map 1, recoloured, its hatching and legend swapped
    assert len(fg._BASES) == 1
    fg._BASES.clear()
    fresh = _map(gdf, 2)
    assert np.array_equal(_pixels(reused.png), _pixels(fresh.png))
    assert reused.width_in == fresh.width_in and reused.has_legend


def test_every_row_keeps_its_own_colour(gdf, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fg, "_BASES", type(fg._BASES)())
    base = fg._base(gdf)
    # each polygon part belongs to one row, and every row has a part
    assert set(base.rows.tolist()) == set(range(len(gdf)))
