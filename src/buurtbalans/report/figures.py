"""Maps and charts (matplotlib, mapclassify), returned as PNG bytes with a few checks.

Maps: choropleths with numbered buurten, a legend with the Dutch (or English) class labels,
colour-blind-safe palettes (ColorBrewer YlOrRd for levels, PuOr for change centred on 0,
Okabe-Ito for categories), north arrow, scale bar and a source line under each map.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional

OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
    "#999999",
    "#882255",
)
NO_DATA = "#dddddd"
INSUFFICIENT = "#f2f2f2"
PAGE_IN = 6.9  # printed width available for a figure on the A4 page (inches)
MIN_PT = 7  # smallest type on any figure (printed at its natural size, see width_in)


@dataclass
class Figure:
    """A rendered figure: PNG bytes plus what a test checks (legend, what was drawn)."""

    png: bytes
    has_legend: bool
    n_drawn: int
    title: str
    kind: str
    width_in: float = 0.0  # printed width in inches (PNG pixels / dpi): type prints at size


def _plt():
    import_optional("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


DPI = 110


def _finish(fig, ax, source: str, title: str, *, static=None, keep: bool = False) -> bytes:
    """Title above, source line below the axes (never overlapping a label), PNG bytes.

    With ``static`` (the display-space box of what does not change between maps) the PNG
    is cut to the union of that box, the legend and the titles, computed without the
    extra layout draw of ``bbox_inches="tight"``; ``keep`` leaves the figure open for
    the next map."""
    ax.set_title(title, fontsize=10, loc="left")
    if static is None and fig.get_layout_engine() is None:
        # room for the tick and axis labels and the source line under them
        fig.set_layout_engine("constrained")
    label = fig.supxlabel(source, fontsize=MIN_PT, color="#444444", x=0.01, ha="left")
    buf = io.BytesIO()
    if static is None:
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.08)
    else:
        from matplotlib.transforms import Bbox

        renderer = fig.canvas.get_renderer()
        legend = ax.get_legend()
        # the axes with its titles and legend only (the base's other artists are in static)
        shown = ax.get_tightbbox(renderer, bbox_extra_artists=[legend] if legend else [])
        content = Bbox.union([static, shown])
        # the source line starts under the map, below the lowest part (a legend below the
        # map included), wrapped to the printed page width
        fw, fh = fig.bbox.width, fig.bbox.height
        label.set_position((content.x0 / fw, (content.y0 - 4) / fh))
        label.set_verticalalignment("top")
        _wrap_to(label, renderer, max(content.width, PAGE_IN * fig.dpi))
        parts = [content, label.get_window_extent(renderer)]
        box = Bbox.union(parts).transformed(fig.dpi_scale_trans.inverted()).padded(0.08)
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches=box)
    if not keep:
        _plt().close(fig)
    return buf.getvalue()


def tick_labels(taal: str):
    """Axis tick labels with as many decimals as the step between the ticks needs (ticks
    0.05 apart read 4,05 4,10 …, never 4,0 4,0 4,1), in the language's number style."""
    from matplotlib.ticker import Formatter

    class _Ticks(Formatter):
        decimals = 0

        def set_locs(self, locs) -> None:
            super().set_locs(locs)
            steps = np.diff(np.sort(np.asarray(locs, dtype=float)))
            step = float(steps[steps > 0].min()) if (steps > 0).any() else 1.0
            self.decimals = next(
                (d for d in range(4) if abs(round(step, d) - step) <= 1e-9 * max(1.0, step)), 3
            )

        def __call__(self, x: float, pos: int | None = None) -> str:
            text = f"{x:,.{self.decimals}f}"
            return text.translate(str.maketrans(",.", ".,")) if taal == "nl" else text

    return _Ticks()


def _wrap_to(text, renderer, width_px: float) -> None:
    """Wrap ``text`` (a matplotlib Text) into lines no wider than ``width_px``."""
    import textwrap

    raw = text.get_text().replace("\n", " ")
    measured = text.get_window_extent(renderer).width
    if measured <= width_px or not raw:
        return
    chars = max(20, int(len(raw) * width_px / measured) - 2)
    text.set_text("\n".join(textwrap.wrap(raw, chars)))


def _width(png: bytes) -> float:
    """Printed width in inches of a PNG saved at :data:`DPI`."""
    import struct

    return struct.unpack(">I", png[16:20])[0] / DPI


def _figure(png: bytes, has_legend: bool, n: int, title: str, kind: str) -> Figure:
    return Figure(png, has_legend, n, title, kind, _width(png))


def _north_and_scale(ax) -> None:
    """North arrow and scale bar in a white strip added below the buurten (outside the
    data extent), so neither covers a polygon or a buurt number."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    strip = (y1 - y0) * 0.12
    ax.set_ylim(y0 - strip, y1)
    frac = strip / (y1 - y0 + strip)  # the strip's share of the axes height
    ax.annotate(
        "",
        xy=(0.985, frac * 0.92),
        xytext=(0.985, frac * 0.12),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
    )
    ax.text(
        0.968,
        frac * 0.5,
        "N",
        transform=ax.transAxes,
        ha="right",
        va="center",
        fontsize=9,
        fontweight="bold",
    )
    width = x1 - x0
    length = next(
        (v for v in (100, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000) if v >= width / 6), 50000
    )
    bx, by = x0 + width * 0.01, y0 - strip * 0.75
    ax.plot([bx, bx + length], [by, by], color="black", lw=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(
        bx + length / 2,
        by + strip * 0.18,
        label,
        ha="center",
        va="bottom",
        fontsize=MIN_PT,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
    )


def _numbers(ax, gdf) -> None:
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]
    pts = gdf.geometry.representative_point()
    for number, pt in zip(gdf["nr"], pts, strict=True):
        ax.text(
            pt.x,
            pt.y,
            str(number),
            fontsize=MIN_PT,
            ha="center",
            va="center",
            color="#111111",
            path_effects=halo,
        )


@dataclass
class _Base:
    """A drawn base map: polygons (no data colour), numbers, north arrow and scale bar,
    recoloured for every map of the same buurten instead of drawn again."""

    fig: Any
    ax: Any
    polygons: Any  # the PatchCollection of every polygon part
    rows: np.ndarray  # the gdf row of each polygon part
    static: Any  # display-space bbox of what the base shows (numbers included)


_BASES: OrderedDict[str, _Base] = OrderedDict()
_BASES_KEPT = 4
_LOCK = threading.Lock()  # one figure is reused: maps are drawn one at a time


def _base_key(gdf) -> str:
    shapely = import_optional("shapely")
    digest = hashlib.sha256()
    for wkb in shapely.to_wkb(gdf.geometry.to_numpy()):
        digest.update(b"" if wkb is None else wkb)
    digest.update(repr(gdf["nr"].tolist() if "nr" in gdf else len(gdf)).encode())
    return digest.hexdigest()


def _base(gdf) -> _Base:
    """The base map of ``gdf``'s geometries, drawn once (a few kept)."""
    key = _base_key(gdf)
    if key in _BASES:
        _BASES.move_to_end(key)
        return _BASES[key]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 4.0), dpi=DPI)  # text measured as it is saved
    # each row drawn in a colour that encodes its position, read back from the collection
    # to know which row every polygon part belongs to (multipolygons have several parts)
    n = len(gdf)
    ids = np.arange(n)
    codes = np.stack([ids % 256, (ids // 256) % 256, ids // 65536], axis=1) / 255.0
    before = len(ax.collections)
    gdf.plot(ax=ax, color=[tuple(c) for c in codes], edgecolor="white", linewidth=0.4)
    polygons = ax.collections[before]
    rgb = np.rint(polygons.get_facecolors()[:, :3] * 255).astype(int)
    rows = rgb[:, 0] + 256 * rgb[:, 1] + 65536 * rgb[:, 2]
    _numbers(ax, gdf)
    # geopandas labels the axes with the CRS ('Easting [metre]'): never shown, and an axis
    # label would switch _finish to constrained layout, moving the map after `static`
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_axis_off()
    _north_and_scale(ax)
    static = ax.get_tightbbox(fig.canvas.get_renderer())
    base = _Base(fig, ax, polygons, rows, static)
    _BASES[key] = base
    while len(_BASES) > _BASES_KEPT:
        plt.close(_BASES.popitem(last=False)[1].fig)
    return base


LEGEND_CHARS = 38  # legend texts are wrapped at this many characters


def _map_legend(fig, ax, handles, static):
    """The legend right of the map; below it (in two columns when long) when the map and
    the legend together would be wider than the page, so the map keeps its printed size."""
    import textwrap

    for h in handles:
        h.set_label("\n".join(textwrap.wrap(h.get_label(), LEGEND_CHARS)) or h.get_label())
    style = {"fontsize": MIN_PT + 0.5, "frameon": False}
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), **style)
    box = legend.get_window_extent(fig.canvas.get_renderer())
    if max(box.x1, static.x1) - static.x0 <= PAGE_IN * fig.dpi:
        return legend
    legend.remove()
    return ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        ncol=2 if len(handles) > 4 else 1,
        columnspacing=1.2,
        **style,
    )


def category_map(
    gdf,
    column: str,
    categories: list[str],
    *,
    title: str,
    source: str,
    no_data: str,
    colours: list[str] | None = None,
    insufficient: str = "",
    show_all: bool = False,
    keep_colour: bool = False,
) -> Figure:
    """A map of ordered or unordered classes with every class in the legend. Buurten whose
    ``_status`` is not 'ok' are hatched and labelled ``insufficient`` in the legend.

    The base map (polygons, numbers, north arrow, scale bar) is drawn once per set of
    buurten and recoloured for each map; the PNG is cut to what the map shows (the tight
    box computed from the base and this map's legend and titles, without a second draw)."""
    _plt()
    from matplotlib.colors import to_rgba_array
    from matplotlib.patches import Patch

    colours = colours or list(OKABE_ITO)
    palette = {c: colours[i % len(colours)] for i, c in enumerate(categories)}
    weak = (
        gdf["_status"].fillna("ok").astype(str) != "ok"
        if "_status" in gdf
        else pd.Series(False, index=gdf.index)
    )
    face = gdf[column].map(palette).astype(object).fillna(NO_DATA)
    if not keep_colour:  # the class itself is withheld: grey and hatched
        face = face.where(~weak, INSUFFICIENT)
    shown = gdf[column] if keep_colour else gdf.loc[~weak, column]
    present = [c for c in categories if show_all or (shown == c).any()]
    handles = [Patch(facecolor=palette[c], edgecolor="#666666", label=c) for c in present]
    if shown.isna().any() or (~shown.isin(categories)).any():
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#666666", label=no_data))
    if weak.any():
        handles.append(
            Patch(
                facecolor="white" if keep_colour else INSUFFICIENT,
                edgecolor="#777777",
                hatch="////",
                label=insufficient or no_data,
            )
        )
    with _LOCK:
        base = _base(gdf)
        fig, ax = base.fig, base.ax
        base.polygons.set_facecolor(to_rgba_array(face.tolist())[base.rows])
        extra = []
        if weak.any():
            # the base's own polygon parts of the weak rows, hatched on top (not drawn again
            # by geopandas, which would reset the limits and the axis labels of the base)
            from matplotlib.collections import PathCollection

            flags = weak.to_numpy()[base.rows]
            paths = [p for p, w in zip(base.polygons.get_paths(), flags, strict=True) if w]
            hatched = PathCollection(
                paths,
                facecolors="none",
                edgecolors="#777777",
                hatch="////",
                linewidths=0,
                transform=base.polygons.get_transform(),
                zorder=base.polygons.get_zorder() + 0.1,
            )
            ax.add_collection(hatched, autolim=False)
            extra = [hatched]
        legend = _map_legend(fig, ax, handles, base.static)
        has_legend = ax.get_legend() is not None
        try:
            png = _finish(fig, ax, source, title, static=base.static, keep=True)
        finally:
            legend.remove()
            for artist in extra:
                artist.remove()
    return _figure(png, has_legend, len(gdf), title, "map")


def _range_labels(bins: np.ndarray, lo: float, taal: str = "nl", digits: int = 1) -> list[str]:
    edges = [lo, *bins]

    def f(v: float) -> str:
        text = f"{v:,.{digits}f}"
        if text.startswith("-") and float(text.replace(",", "")) == 0:
            text = text[1:]
        return text.translate(str.maketrans(",.", ".,")) if taal == "nl" else text

    return [f"{f(a)} – {f(b)}" for a, b in itertools.pairwise(edges)]


def numeric_map(
    gdf,
    column: str,
    *,
    title: str,
    source: str,
    no_data: str,
    diverging: bool = False,
    k: int = 5,
    taal: str = "nl",
    insufficient: str = "",
) -> Figure:
    """Classes from mapclassify (quantiles; symmetric around 0 for change) on a sequential
    (YlOrRd) or diverging (PuOr, orange = higher = worse) palette."""
    _plt()
    mapclassify = import_optional("mapclassify")
    from matplotlib import colormaps

    values = gdf[column].astype(float)
    ok = values.dropna()
    if ok.empty:  # nothing to classify: every buurt grey (or hatched) with the legend
        return category_map(
            gdf.assign(_klasse=None),
            "_klasse",
            [],
            title=title,
            source=source,
            no_data=no_data,
            insufficient=insufficient,
        )
    if diverging:
        m = float(np.abs(ok).max()) if len(ok) else 1.0
        q = np.quantile(np.abs(ok), [0.33, 0.66]) if len(ok) else [0.3, 0.6]
        edges = sorted({-m, -q[1], -q[0], -0.5, 0.5, q[0], q[1], m})
        edges = [e for e in edges if e >= -m]
        classifier = mapclassify.UserDefined(ok.to_numpy(), bins=edges[1:])
        lo, cmap = edges[0] - 1e-9, colormaps["PuOr_r"]
        # centre the colours on 0: a class's colour follows the midpoint of its range
        mids = np.array(
            [
                (a + b) / 2
                for a, b in zip([edges[0], *classifier.bins], classifier.bins, strict=False)
            ]
        )
        colours = [cmap(0.5 + 0.5 * mid / m) for mid in mids]
    else:
        classifier = mapclassify.Quantiles(ok.to_numpy(), k=min(k, max(1, ok.nunique())))
        lo, cmap = float(ok.min()), colormaps["YlOrRd"]
        colours = [cmap(0.15 + 0.85 * i / max(1, classifier.k - 1)) for i in range(classifier.k)]
    labels = _range_labels(np.asarray(classifier.bins), max(lo, float(ok.min())), taal)
    classes = pd.Series(np.nan, index=gdf.index, dtype=object)
    classes[ok.index] = [labels[i] for i in classifier.yb]
    from matplotlib.colors import to_hex

    gdf = gdf.assign(_klasse=classes)
    return category_map(
        gdf,
        "_klasse",
        labels,
        title=title,
        source=source,
        no_data=no_data,
        colours=[to_hex(c) for c in colours],
        insufficient=insufficient,
    )


def contributions_chart(
    table: pd.DataFrame,
    domains: list[str],
    labels: dict[str, str],
    *,
    title: str,
    source: str,
    worst: str,
    best: str,
    xlabel: str,
    names: dict[str, str] | None = None,
) -> Figure:
    """Stacked bars: each domain's points in the score, 10 highest and 10 lowest scores."""
    plt = _plt()
    t = table.dropna(subset=["score"]).sort_values("score")
    pick = pd.concat([t.head(10), t.tail(10)])
    parts = pd.DataFrame(
        {
            d: pick[f"contrib_{d}"].fillna(0) * pick["score"]
            for d in domains
            if f"contrib_{d}" in pick
        }
    )
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    left = np.zeros(len(pick))
    shown = pick["area_code"].map(names or {}).fillna(pick["area_code"])
    for i, d in enumerate(parts.columns):
        ax.barh(
            range(len(pick)), parts[d], left=left, color=OKABE_ITO[i % 10], label=labels.get(d, d)
        )
        left += parts[d].to_numpy()
    ax.set_yticks(range(len(pick)), [str(n)[:30] for n in shown], fontsize=MIN_PT)
    ax.tick_params(axis="x", labelsize=MIN_PT + 1)
    ax.axhline(9.5, color="#333333", lw=0.8, ls="--")
    ax.text(left.max() * 1.01, 4.5, best, fontsize=MIN_PT + 1, va="center", rotation=90)
    ax.text(left.max() * 1.01, 14.5, worst, fontsize=MIN_PT + 1, va="center", rotation=90)
    ax.legend(fontsize=MIN_PT + 1, loc="lower right", frameon=False)
    ax.set_xlabel(xlabel, fontsize=MIN_PT + 1)
    return _figure(_finish(fig, ax, source, title), True, len(pick), title, "chart")


def distribution_chart(
    before: pd.Series,
    after: pd.Series,
    *,
    van: int,
    tot: int,
    title: str,
    source: str,
    xlabel: str,
    ylabel: str,
) -> Figure:
    """Histograms of the scores in both years."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    bins = np.linspace(0, 100, 21)
    ax.hist(
        before.dropna(),
        bins=bins,
        histtype="stepfilled",
        alpha=0.45,
        color="#56B4E9",
        label=str(van),
    )
    ax.hist(after.dropna(), bins=bins, histtype="step", lw=2, color="#D55E00", label=str(tot))
    ax.axvline(60, color="#333333", lw=0.8, ls=":")
    ax.legend(fontsize=MIN_PT + 1, frameon=False)
    ax.set_xlabel(xlabel, fontsize=MIN_PT + 1)
    ax.set_ylabel(ylabel, fontsize=MIN_PT + 1)
    ax.tick_params(labelsize=MIN_PT + 1)
    n = int(before.notna().sum() + after.notna().sum())
    return _figure(_finish(fig, ax, source, title), True, n, title, "chart")


def dumbbell_chart(
    change: pd.DataFrame,
    *,
    van: int,
    tot: int,
    title: str,
    source: str,
    names: dict[str, str] | None = None,
) -> Figure:
    """Per buurt a line from the score in ``van`` to ``tot`` (sorted by the latest score)."""
    plt = _plt()
    c = change.dropna(subset=[f"score_{van}", f"score_{tot}"]).sort_values(f"score_{tot}")
    fig, ax = plt.subplots(figsize=(6.4, max(3.0, 0.125 * len(c) + 0.8)))
    y = np.arange(len(c))
    better = (c[f"score_{tot}"] < c[f"score_{van}"]).to_numpy()
    ax.hlines(
        y,
        c[f"score_{van}"],
        c[f"score_{tot}"],
        colors=np.where(better, "#5e3c99", "#e66101"),
        lw=1.2,
    )
    ax.scatter(c[f"score_{van}"], y, s=8, color="#999999", label=str(van), zorder=3)
    ax.scatter(c[f"score_{tot}"], y, s=10, color="#000000", label=str(tot), zorder=3)
    shown = c["area_code"].map(names or {}).fillna(c["area_code"])
    ax.set_yticks(y, [str(n)[:30] for n in shown], fontsize=MIN_PT)
    ax.set_ylim(-1, len(c))
    ax.tick_params(axis="x", labelsize=MIN_PT + 1)
    ax.axvline(60, color="#333333", lw=0.8, ls=":")
    ax.legend(fontsize=MIN_PT + 1, frameon=False, loc="lower right")
    return _figure(_finish(fig, ax, source, title), True, len(c), title, "chart")


def overlap_chart(
    overlap: pd.DataFrame,
    *,
    title: str,
    source: str,
    lists: dict[str, str],
    names: dict[str, str],
) -> Figure:
    """Buurten × lists, a filled cell where the buurt is in the list (names, not codes)."""
    plt = _plt()
    cols = [c for c in overlap.columns if c in lists]
    grid = overlap[cols].astype(float).to_numpy()
    fig, ax = plt.subplots(figsize=(5.6, max(2.5, 0.2 * len(overlap) + 1.4)))
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=1.3, aspect="auto")
    ax.xaxis.tick_top()  # keeps the list names clear of the source line
    ax.set_xticks(
        range(len(cols)), [lists[c] for c in cols], fontsize=MIN_PT + 0.5, rotation=25, ha="left"
    )
    ax.set_yticks(
        range(len(overlap)),
        overlap["area_code"].map(names).fillna(overlap["area_code"]),
        fontsize=MIN_PT + 0.5,
    )
    return _figure(_finish(fig, ax, source, title), False, int(grid.sum()), title, "chart")


def benchmark_bar(
    values: pd.DataFrame,
    *,
    nl: float | None,
    title: str,
    source: str,
    nl_label: str = "Nederland",
    taal: str = "nl",
) -> Figure:
    """Bars for the city and its peers (city highlighted), with the NL value as a line."""
    plt = _plt()
    v = values.dropna(subset=["value"]).sort_values("value")
    fig, ax = plt.subplots(figsize=(5.6, max(2.6, 0.24 * len(v) + 1)))
    colours = np.where(v["stad"], "#D55E00", "#56B4E9")
    ax.barh(range(len(v)), v["value"], color=colours)
    ax.set_yticks(range(len(v)), v["name"].fillna(v["code"]), fontsize=MIN_PT + 0.5)
    ax.tick_params(axis="x", labelsize=MIN_PT + 0.5)
    ax.xaxis.set_major_formatter(tick_labels(taal))
    has_nl = nl is not None and bool(np.isfinite(nl))
    if has_nl:
        shown = _range_labels(np.array([nl]), nl, taal)[0].split(" – ")[0]
        ax.axvline(nl, color="#000000", lw=1.2, ls="--", label=f"{nl_label} ({shown})")
        ax.legend(fontsize=MIN_PT + 0.5, frameon=False, loc="lower right")
    return _figure(_finish(fig, ax, source, title), has_nl, len(v), title, "chart")


HEAT_MAX_IN = 8.6  # tallest printed heat-table: fits the A4 page under its heading
# the colour bar's ends (not in terms.toml: that catalogue is edited elsewhere)
_HEAT_ENDS = {"nl": ("gunstigst", "ongunstigst"), "en": ("most favourable", "least favourable")}


def _heat_rows(lines: int) -> tuple[float, float]:
    """Row height and fixed part (title, column names, source) of a heat-table, inches."""
    return (0.25 if lines > 1 else 0.18), 2.1


def heat_chunks(themes: list[str], lines: int = 2) -> list[slice]:
    """Row slices of a heat-table split so every part fits :data:`HEAT_MAX_IN` (cut at a
    change of theme where one is near, else where the page is full)."""
    row, fixed = _heat_rows(lines)
    most = max(1, int((HEAT_MAX_IN - fixed) / row))
    n = len(themes)
    parts = max(1, -(-n // most))
    size = -(-n // parts)  # parts of about equal size
    out, start = [], 0
    while start < n:
        end = min(n, start + size)
        if end < n:  # move the cut back to a change of theme within a few rows
            for cut in range(end, max(start + 1, end - 6), -1):
                if themes[cut] != themes[cut - 1]:
                    end = cut
                    break
        out.append(slice(start, end))
        start = end
    return out


def rank_heat(
    ranks: pd.DataFrame,
    labels: dict[str, str],
    *,
    title: str,
    source: str,
    themes: dict[str, str],
    neutral: set[str] | frozenset[str] = frozenset(),
    taal: str = "nl",
    n_rank: int | None = None,
) -> Figure:
    """Heat-table of direction-aware ranks (1 = best, green) by theme and indicator; rows of
    ``neutral`` indicators (no better or worse, e.g. residents, density) in grey. Row labels
    are wrapped, never cut; a colour bar says which end is best. Its height is bounded by
    :data:`HEAT_MAX_IN` (split a long table with :func:`heat_chunks`)."""
    import textwrap

    from matplotlib.patches import Rectangle

    plt = _plt()
    body = ranks.drop(columns="thema").astype(float)
    ylabels = [
        "\n".join(textwrap.wrap(f"{themes.get(th, th)} · {labels.get(ind, ind)}", 52)[:2])
        for ind, th in zip(body.index, ranks["thema"], strict=True)
    ]
    lines = max((label.count("\n") + 1 for label in ylabels), default=1)
    row, fixed = _heat_rows(lines)
    height = min(HEAT_MAX_IN, max(3.0, row * len(body) + fixed))
    fig, ax = plt.subplots(figsize=(7.0, height))
    n = n_rank or body.shape[1]
    image = ax.imshow(body.to_numpy(), cmap="RdYlGn_r", vmin=1, vmax=n, aspect="auto")
    for i, ind in enumerate(body.index):
        if ind in neutral:
            ax.add_patch(Rectangle((-0.5, i - 0.5), body.shape[1], 1, color="#e6e6e6", zorder=2))
    for (i, j), value in np.ndenumerate(body.to_numpy()):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=MIN_PT, zorder=3)
    ax.xaxis.tick_top()
    ax.set_xticks(range(body.shape[1]), body.columns, fontsize=MIN_PT, rotation=40, ha="left")
    ax.set_yticks(range(len(body)), ylabels, fontsize=MIN_PT)
    # the colour bar: a fixed 1.6 in right of the table, whatever the number of rows
    frac = min(1.0, 1.6 / max(ax.get_position().height * height, 1e-6))
    cax = ax.inset_axes([1.02, 1.0 - frac, 0.025, frac])
    bar = fig.colorbar(image, cax=cax)
    best, worst = _HEAT_ENDS.get(taal, _HEAT_ENDS["nl"])
    bar.set_ticks([1, n], labels=[f"1 = {best}", f"{n} = {worst}"])
    bar.ax.tick_params(labelsize=MIN_PT)
    bar.ax.invert_yaxis()  # 1 (best, green) on top, as in the table's reading order
    return _figure(
        _finish(fig, ax, source, title), True, int(np.isfinite(body).sum().sum()), title, "chart"
    )
