"""Map helpers shared by the chapters: the buurten with a column to colour, the status
hatching, palettes and the sentence naming the buurten that stand out."""

from __future__ import annotations

import pandas as pd

from buurtbalans.report import figures as fg
from buurtbalans.report.context import ReportContext

MDI_CLASSES = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]


def layer(ctx: ReportContext, values: pd.Series, column: str, year: int | None) -> pd.DataFrame:
    """The boundaries with ``values`` (indexed by code) as ``column`` and the engine's
    status of ``year`` as ``_status`` (hatched on the map when not 'ok')."""
    g = ctx.gdf.copy()
    g[column] = g["code"].map(values)
    g["_status"] = g["code"].map(ctx.status(year)) if year is not None else "ok"
    return g


def category(
    ctx: ReportContext,
    values: pd.Series,
    categories: list[str],
    title: str,
    year: int | None,
    colours: list[str] | None = None,
    *,
    show_all: bool = False,
    keep_colour: bool = False,
) -> fg.Figure:
    """A class map in the report's language (``keep_colour``: buurten without an MDI
    score keep their own class colour and are hatched on top)."""
    return fg.category_map(
        layer(ctx, values, "_v", year),
        "_v",
        categories,
        title=title,
        source=ctx.source_line,
        no_data=ctx.t("no_data"),
        colours=colours,
        insufficient=ctx.t("insufficient_mdi") if keep_colour else ctx.t("insufficient"),
        show_all=show_all,
        keep_colour=keep_colour,
    )


def numeric(
    ctx: ReportContext, values: pd.Series, title: str, year: int | None, *, diverging: bool = False
) -> fg.Figure:
    """A numeric map in classes with legends in the report's number format."""
    return fg.numeric_map(
        layer(ctx, values, "_v", year),
        "_v",
        title=title,
        source=ctx.source_line,
        no_data=ctx.t("no_data"),
        diverging=diverging,
        taal=ctx.taal,
        insufficient=ctx.t("insufficient"),
    )


def extremes(values: pd.Series, n: int = 3, *, highest: bool = True) -> list[str]:
    """Codes of the ``n`` highest (or lowest) values."""
    v = values.dropna().sort_values(ascending=not highest)
    return v.head(n).index.tolist()
