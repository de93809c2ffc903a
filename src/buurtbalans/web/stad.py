"""The dashboard's *Staat van de stad* tab: the chapter's sentences, tables and trend charts
(the same builders as the report, :mod:`buurtbalans.report.chapters.stad`) as JSON."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from buurtbalans.analysis.stad import KEY_PER_THEME, StadAnalysis, stad_analysis
from buurtbalans.report.chapters.stad import (
    attention,
    chart_labels,
    theme_label,
    theme_table,
    theme_texts,
)
from buurtbalans.report.display import peer_notes
from buurtbalans.report.tables import cite
from buurtbalans.report.terms import t
from buurtbalans.sources.codebook import catalogue
from buurtbalans.store import Store


def stad_frames(store: Store, gm: str, van: int, tot: int) -> StadAnalysis:
    """The analysis behind the tab (and its downloads)."""
    return stad_analysis(store, gm, van, tot)


def chart_indicators(a: StadAnalysis) -> dict[str, list[str]]:
    """Per theme the key indicators that get a trend chart (those with a series)."""
    ok = a.table[a.table["status"] == "ok"]
    return {
        str(theme): ok[ok["thema"] == theme]["indicator"].head(KEY_PER_THEME).tolist()
        for theme in dict.fromkeys(ok["thema"])
    }


def stad_chart(
    a: StadAnalysis, ind: str, taal: str, synthetic: bool, labels: dict[str, str] | None = None
) -> tuple[bytes, str]:
    """One key indicator's trend chart (PNG bytes) and its title; an indicator without a
    chart is a :class:`~buurtbalans.web.problems.NotFoundError` naming the ones there are."""
    from buurtbalans import __version__
    from buurtbalans.errors import Msg
    from buurtbalans.report.figures_trend import trend_chart
    from buurtbalans.web.problems import NotFoundError

    charts = [i for inds in chart_indicators(a).values() for i in inds]
    if ind not in charts:
        raise NotFoundError(Msg("err_an_web_chart", name=a.name, indicator=ind, charts=charts))
    row = a.table[a.table["status"] == "ok"].set_index("indicator").loc[ind]
    title = _chart_title(row, ind, taal)
    prefix = t("synthetic_short", taal) + " — " if synthetic else ""
    fc = a.forecast[a.forecast["indicator"] == ind]
    fig = trend_chart(
        a.series[a.series["indicator"] == ind],
        fc,
        labels=chart_labels(a, taal),
        title=title,
        source=f"{prefix}{t('source', taal)}: "
        f"{cite([str(row['bron']), *fc['bron']], labels or {}, taal)} "
        f"| buurtbalans {__version__}",
        taal=taal,
    )
    return fig.png, title


def _chart_title(row: Any, ind: str, taal: str) -> str:
    """The chart title of indicator ``ind`` (``row``: its row of the analysis table)."""
    meta = catalogue()[ind]
    label = meta.label_nl if taal == "nl" else meta.label_en
    return t(
        "stad_chart_title", taal, label=label, unit="", van=int(row["van"]), tot=int(row["tot"])
    )


def stad_payload(
    a: StadAnalysis,
    taal: str,
    synthetic: bool,
    labels: dict[str, str] | None = None,
    chart_url: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Per theme: label, Situatie/Trends/Vooruitblik sentences, sources, the table and one
    trend chart per key indicator; plus the aandachtspunten. ``labels``: source titles by
    table id (:func:`~buurtbalans.report.tables.source_labels`), so sources are cited as
    the report cites them. ``chart_url``: the address of an indicator's chart (the API's
    PNG route, fetched by the browser after the tab's text); without it each chart is
    drawn here, as a data URI."""
    themes = []
    labels = labels or {}
    keys = chart_indicators(a)
    ok = a.table[a.table["status"] == "ok"].set_index("indicator")
    for theme, parts in theme_texts(a, taal, labels).items():
        charts = []
        for ind in keys.get(theme, []):
            if chart_url is not None:
                png, title = chart_url(ind), _chart_title(ok.loc[ind], ind, taal)
            else:
                data, title = stad_chart(a, ind, taal, synthetic, labels)
                png = "data:image/png;base64," + base64.b64encode(data).decode()
            charts.append({"indicator": ind, "title": title, "png": png})
        themes.append(
            {
                "id": theme,
                "label": theme_label(theme, taal),
                **parts,
                "table": theme_table(a, theme, taal),
                "charts": charts,
            }
        )
    # a city without any trend (e.g. one year of data) has no aandachtspunt column at all
    att = a.aandachtspunten() if "aandachtspunt" in a.table.columns else a.table.iloc[:0]
    return {
        "gemeente": a.gemeente,
        "naam": a.name,
        "van": a.van,
        "tot": a.tot,
        "regio": a.region.__dict__ if a.region else None,
        "peers": a.peers.table,
        "notes": [
            *peer_notes(a.peers.table, a.peers.method, taal, a.name),
            *(n.text(taal) for n in a.notes),
        ],
        "synthetic": synthetic,
        "themes": themes,
        "aandachtspunten": [attention(r, a, taal) for _, r in att.iterrows()],
        "no_aandacht": t("stad_no_aandacht", taal, gemeente=a.name),
    }
