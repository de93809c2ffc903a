"""Figures fit the page and cut nothing: the rank heat-table is bounded in height (split
over parts) with a colour bar, the trend chart's title names the forecast years its axis
shows, and a map's title, legend and source line lie inside the PNG."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from buurtbalans.report import figures as fg
from buurtbalans.report.figures_trend import trend_chart


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def _height_in(png: bytes) -> float:
    return _pixels(png).shape[0] / fg.DPI


def _edges_blank(png: bytes, px: int = 3) -> bool:
    """Nothing drawn on the outer ``px`` pixels: no text or legend runs off the PNG."""
    a = _pixels(png)
    return bool(
        (a[:px] > 245).all()
        and (a[-px:] > 245).all()
        and (a[:, :px] > 245).all()
        and (a[:, -px:] > 245).all()
    )


def _ranks(n_ind: int, n_gm: int = 13) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    themes = ["arbeid", "bevolking", "gezondheid", "inkomen", "onderwijs", "veiligheid", "zorg"]
    frame = pd.DataFrame(
        {f"Gemeente {j}": rng.permutation(n_ind) % n_gm + 1 for j in range(n_gm)},
        index=[f"ind_{i}" for i in range(n_ind)],
    )
    frame.insert(0, "thema", [themes[i * len(themes) // n_ind] for i in range(n_ind)])
    return frame


def test_the_heat_table_of_40_indicators_fits_the_page_in_parts_with_a_colour_bar():
    ranks = _ranks(40)
    long = {i: "een heel lang indicatorlabel dat over twee regels loopt " + i for i in ranks.index}
    parts = fg.heat_chunks(ranks["thema"].tolist())
    assert len(parts) >= 2
    assert sum(p.stop - p.start for p in parts) == 40  # every indicator, once
    for p in parts:
        fig = fg.rank_heat(
            ranks.iloc[p], long, title="Rang", source="Bron: test", themes={}, n_rank=13
        )
        assert _height_in(fig.png) <= fg.HEAT_MAX_IN + 0.3
        assert fig.has_legend  # the colour bar saying 1 = most favourable
        assert _edges_blank(fig.png)


def test_a_single_heat_table_is_bounded_even_when_not_split():
    fig = fg.rank_heat(_ranks(40), {}, title="Rang", source="Bron", themes={}, taal="en")
    assert _height_in(fig.png) <= fg.HEAT_MAX_IN + 0.3


def _series() -> tuple[pd.DataFrame, pd.DataFrame]:
    years = range(2015, 2025)
    rows = [
        {"period": y, "reeks": r, "value": v + 0.1 * (y - 2015)}
        for y in years
        for r, v in (("gemeente", 17.5), ("nl", 17.2), ("peers_min", 15), ("peers_max", 22))
    ]
    forecast = pd.DataFrame(
        [{"period": y, "reeks": "gemeente", "value": 18.4 + 0.3 * (y - 2024)} for y in (2030, 2040)]
    )
    return pd.DataFrame(rows), forecast


LABELS = {
    "gemeente": "Voorbeeldstad",
    "nl": "Nederland",
    "regio": "regio",
    "peers_gem": "gemiddeld",
    "band": "min–max",
    "forecast": "prognose",
}


@pytest.mark.parametrize(("taal", "word"), [("nl", "prognose tot 2040"), ("en", "to 2040")])
def test_the_trend_title_names_the_forecast_years(taal, word):
    series, forecast = _series()
    labels = LABELS | ({"forecast": "forecast"} if taal == "en" else {})
    fig = trend_chart(
        series, forecast, labels=labels, title="65+ (%), 2015–2024", source="Bron", taal=taal
    )
    assert fig.title.startswith("65+ (%), 2015–2024") and fig.title.endswith(word)
    assert _edges_blank(fig.png)
    plain = trend_chart(series, None, labels=LABELS, title="65+ (%), 2015–2024", source="Bron")
    assert plain.title == "65+ (%), 2015–2024"


def test_the_trend_source_line_stays_clear_of_the_tick_labels():
    """The source line sits below the lowest tick label: a blank band of rows between."""
    series, forecast = _series()
    fig = trend_chart(series, forecast, labels=LABELS, title="T", source="Bron: " + "x" * 90)
    a = _pixels(fig.png)
    rows = np.flatnonzero((a < 200).any(axis=1))
    # from the bottom: the source line's rows, a blank band, then the tick labels
    gap = np.flatnonzero(np.diff(rows) > 2)
    assert len(gap) and rows[gap[-1] + 1] - rows[gap[-1]] > 3


def test_a_long_source_line_or_title_is_never_cut_at_the_edge():
    """A source line or title wider than the chart still lies inside the PNG (the PNG
    grows to hold it), as real KWB citations with the package version do."""
    series, forecast = _series()
    source = "Bron: CBS, Kerncijfers wijken en buurten (synthetisch); " * 4 + "| buurtbalans 1.0"
    title = "Huishoudens met geregistreerde problematische schulden (%), 2015–2024 " * 2
    fig = trend_chart(series, forecast, labels=LABELS, title=title, source=source)
    assert _edges_blank(fig.png)


@pytest.mark.parametrize("long", [False, True])
def test_a_map_keeps_its_title_legend_and_size(gdf, long, monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("geopandas")
    monkeypatch.setattr(fg, "_BASES", type(fg._BASES)())
    cats = (
        [f"veel problemen, weinig kwetsbare bewoners {i}" for i in range(10)]
        if long
        else ["< 10%", "10–30%", "> 30%"]
    )
    rng = np.random.default_rng(5)
    frame = gdf.assign(
        k=rng.choice(cats, len(gdf)), _status=np.where(rng.random(len(gdf)) < 0.2, "x", "ok")
    )
    widths = []
    for i in range(2):  # the first map and a recoloured one
        fig = fg.category_map(
            frame,
            "k",
            cats,
            title=f"Kaart {i}: een titel van een kaart met veerkracht, 2024",
            source="SYNTHETISCH — Bron: " + "tabel, " * 30,
            no_data="geen gegevens",
            insufficient="te weinig",
        )
        assert fig.has_legend and _edges_blank(fig.png)
        assert fig.width_in <= fg.PAGE_IN + 0.3  # printed at its size, never shrunk
        widths.append(fig.width_in)
    assert widths[0] == widths[1]


@pytest.mark.parametrize(
    ("locs", "taal", "shown"),
    [
        ([4.0, 4.05, 4.1, 4.15, 4.2], "nl", ["4,00", "4,05", "4,10", "4,15", "4,20"]),
        ([0, 0.25, 0.5, 0.75, 1], "nl", ["0,00", "0,25", "0,50", "0,75", "1,00"]),
        ([0, 0.2, 0.4], "en", ["0.0", "0.2", "0.4"]),
        ([0, 500, 1000, 1500], "nl", ["0", "500", "1.000", "1.500"]),
        ([0, 500, 1000, 1500], "en", ["0", "500", "1,000", "1,500"]),
    ],
)
def test_tick_labels_carry_the_decimals_their_step_needs(locs, taal, shown):
    """No two ticks read the same (4,0 4,0 4,1 for ticks 0.05 apart misleads)."""
    labels = fg.tick_labels(taal).format_ticks(locs)
    assert labels == shown
    assert len(set(labels)) == len(labels)
