"""The trend chart of the *Staat van de stad*: the gemeente, NL, its region and the peers'
band (min–max, with their mean) per year, and the forecast as dotted lines after it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans.report.figures import (
    MIN_PT,
    OKABE_ITO,
    Figure,
    _figure,
    _finish,
    _plt,
    tick_labels,
)


def trend_chart(
    series: pd.DataFrame,
    forecast: pd.DataFrame | None,
    *,
    labels: dict[str, str],
    title: str,
    source: str,
    taal: str = "nl",
) -> Figure:
    """``series``: ``period, reeks, value`` with reeks gemeente/nl/regio/peers_min/
    peers_gem/peers_max; ``forecast``: ``period, reeks, value`` (gemeente/nl/regio).
    ``labels``: the legend text per reeks (and 'band', 'forecast')."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(5.6, 2.9))
    wide = series.pivot_table(index="period", columns="reeks", values="value", aggfunc="first")
    drawn = 0
    if {"peers_min", "peers_max"} <= set(wide.columns):
        band = wide[["peers_min", "peers_max"]].dropna()
        ax.fill_between(
            band.index,
            band["peers_min"],
            band["peers_max"],
            color="#dddddd",
            label=labels["band"],
            lw=0,
        )
        drawn += 1
    styles = {
        "peers_gem": dict(color="#777777", lw=1.0, ls="-"),
        "nl": dict(color="#000000", lw=1.3, ls="--"),
        "regio": dict(color=OKABE_ITO[4], lw=1.5, ls="-."),
        "gemeente": dict(color=OKABE_ITO[5], lw=2.4, ls="-", marker="o", ms=3),
    }
    for key, style in styles.items():
        if key in wide.columns and wide[key].notna().any():
            s = wide[key].dropna()
            ax.plot(s.index, s.to_numpy(), label=labels[key], **style)
            drawn += 1
    shown_until = None  # the last forecast year drawn (the x-axis runs to it)
    if forecast is not None and len(forecast):
        fw = forecast.pivot_table(index="period", columns="reeks", values="value", aggfunc="first")
        for key in ("nl", "regio", "gemeente"):
            if key in fw.columns and key in wide.columns and wide[key].notna().any():
                last = wide[key].dropna()
                s = pd.concat([last.tail(1), fw[key].dropna()])
                ax.plot(
                    s.index,
                    s.to_numpy(),
                    color=styles[key]["color"],
                    lw=1.2,
                    ls=":",
                    label=labels["forecast"] if key == "gemeente" else None,
                )
                if len(s) > 1 and s.index.max() > last.index.max():
                    shown_until = max(shown_until or s.index.max(), s.index.max())
    if shown_until is not None:  # the title names every year on the axis
        until = f"{labels['forecast']} {'tot' if taal == 'nl' else 'to'} {int(shown_until)}"
        title = f"{title}, {until}"
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    ax.tick_params(labelsize=MIN_PT + 0.5)

    ax.yaxis.set_major_formatter(tick_labels(taal))
    ax.spines[["top", "right"]].set_visible(False)
    has_legend = drawn > 0
    if has_legend:
        ax.legend(fontsize=MIN_PT, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    n = int(np.isfinite(wide.to_numpy(dtype=float)).sum())
    return _figure(_finish(fig, ax, source, title), has_legend, n, title, "chart")
