"""Staat van de stad: per theme the situation, the trends against NL, the region and the
peers, the outlook (forecast) and the aandachtspunten — computed sentences, a table per
theme and a trend chart per key indicator. The sentence builders are shared with the
``buurtbalans stad`` command and the dashboard tab (:func:`theme_texts`)."""

from __future__ import annotations

import math

import pandas as pd

from buurtbalans import __version__
from buurtbalans.analysis.stad import KEY_PER_THEME, THEMES, StadAnalysis
from buurtbalans.report.context import Chapter, ReportContext, fmt_number
from buurtbalans.report.tables import cite, numbers_in, source_labels, with_unit
from buurtbalans.report.terms import TERMS, t
from buurtbalans.sources.codebook import catalogue


def _unit(text: str, taal: str) -> str:
    key = f"unit_{text}"
    shown = t(key, taal) if key in TERMS else text
    if not shown:
        return ""
    return f" {shown}" if shown != "%" else " %"


def _num(value: object, taal: str, digits: int | None = None) -> str:
    return fmt_number(value, taal, digits)


def _digits(row: pd.Series) -> int:
    """One number of decimals per indicator, so 65,0 and 67,8 read alike."""
    if row["soort"] == "count":
        return 0
    size = max(abs(float(row["waarde"])), abs(float(row["waarde_van"])))
    return 0 if size >= 100 else 1 if size >= 1 else 2


def _mid(label: str) -> str:
    """A label inside a sentence: 'Aantal inwoners' → 'aantal inwoners' (not 'WOZ…')."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _label(indicator: str, taal: str) -> str:
    ind = catalogue()[indicator]
    return numbers_in(ind.label_nl if taal == "nl" else ind.label_en, taal)


def theme_label(theme: str, taal: str) -> str:
    """A theme's name in ``taal``."""
    key = f"theme_{theme}"
    return t(key, taal) if key in TERMS else theme


def _signed(value: float, kind: str, taal: str, digits: int | None = None) -> str:
    if not math.isfinite(value):
        return "–"
    text = fmt_number(abs(value), taal, 1 if kind == "count" else digits)
    shown = _rounded(value, 1 if kind == "count" else digits)
    sign = "+" if shown > 0 else "−" if shown < 0 else "±"
    return f"{sign}{text}{' %' if kind == 'count' else ''}"


def _rounded(value: float, digits: int | None) -> float:
    """A value as the reader sees it (rounded to the shown decimals)."""
    return round(float(value), 2 if digits is None else digits)


def _moved(v0: object, v1: object, digits: int) -> float:
    """The change as the reader sees it: between the two shown (rounded) values; 0 when
    they read alike ('gelijk gebleven'), NaN when either is missing."""
    try:
        a, b = float(v0), float(v1)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.nan
    return _rounded(b, digits) - _rounded(a, digits)


def shown_pace(city: float, ref: float, pace: object) -> str:
    """How the city's shown change compares with a reference's shown change: 'langzamer'
    and 'sneller' only when both moved in the same direction (``pace`` is the analysis'
    judgement then), 'tegengesteld' for opposite directions, and when one of them did not
    move at the shown precision: 'beide_gelijk', 'ref_steeg'/'ref_daalde' (the city stayed
    level) or 'ref_gelijk' (only the city moved)."""
    if not (math.isfinite(city) and math.isfinite(ref)):
        return "none"
    if city == 0 and ref == 0:
        return "beide_gelijk"
    if city == 0:
        return "ref_steeg" if ref > 0 else "ref_daalde"
    if ref == 0:
        return "ref_gelijk"
    if city * ref < 0:
        return "tegengesteld"
    return pace if pace in ("sneller", "langzamer", "gelijk") else "gelijk"


def situation(row: pd.Series, a: StadAnalysis, taal: str) -> str:
    """One sentence: the value now against NL, the region and the peers, and the rank."""
    region = a.region.name if a.region else "–"
    dg = _digits(row)
    key = "stad_situatie_neutraal" if row["polariteit"] == "0" else "stad_situatie_zin"
    return t(
        key,
        taal,
        label=_label(row["indicator"], taal),
        value=_num(row["waarde"], taal, dg),
        unit=_unit(row["eenheid"], taal),
        city=a.name,
        year=int(row["tot"]),
        nl=_num(row["nl"], taal, dg),
        regio=region,
        reg=_num(row["regio"], taal, dg),
        mean=_num(row["peers_gem"], taal, dg),
        lo=_num(row["peers_min"], taal, dg),
        hi=_num(row["peers_max"], taal, dg),
        rank=int(row["rang"]),
        n=int(row["n_groep"]),
    )


def trend(row: pd.Series, a: StadAnalysis, taal: str) -> str:
    """One sentence: how the value moved and how fast against region, NL and peers — as
    the reader sees the numbers: a change that rounds to nothing is 'bleef gelijk', and
    'sneller'/'langzamer' only between changes in the same direction."""
    dg = _digits(row)
    d = _moved(row["waarde_van"], row["waarde"], dg)
    if not math.isfinite(d):
        d = 0.0
    peer_digits = 1 if row["soort"] == "count" else dg
    dp = float(row["verandering_peers"])
    dp = _rounded(dp, peer_digits) if math.isfinite(dp) else math.nan
    # a count's shown change in percent (the peers' change is in percent too)
    d_pct = float(row["verandering"]) if row["soort"] == "count" else d
    d_pct = _rounded(d_pct, peer_digits) if d and math.isfinite(d_pct) else 0.0

    def cmp(ref: float, pace: object, city: float = d) -> str:
        return t(f"stad_pace_{shown_pace(city, ref, pace)}", taal)

    return t(
        "stad_trend_zin" if d else "stad_trend_gelijk",
        taal,
        label=_label(row["indicator"], taal),
        verb=t("stad_steeg" if d > 0 else "stad_daalde", taal),
        v0=_num(row["waarde_van"], taal, dg),
        v1=_num(row["waarde"], taal, dg),
        unit=_unit(row["eenheid"], taal),
        p0=int(row["van"]),
        p1=int(row["tot"]),
        cmp_reg=cmp(_moved(row["regio_van"], row["regio"], dg), row["tempo_regio"]),
        regio=a.region.name if a.region else "–",
        r0=_num(row["regio_van"], taal, dg),
        r1=_num(row["regio"], taal, dg),
        cmp_nl=cmp(_moved(row["nl_van"], row["nl"], dg), row["tempo_nl"]),
        n0=_num(row["nl_van"], taal, dg),
        n1=_num(row["nl"], taal, dg),
        cmp_peers=cmp(dp, row["tempo_peers"], d_pct),
        dpeers=_signed(float(row["verandering_peers"]), row["soort"], taal, dg),
    )


def outlook(
    indicator: str, a: StadAnalysis, taal: str, labels: dict[str, str] | None = None
) -> str | None:
    """The forecast sentence for an indicator (None without a forecast)."""
    f = a.forecast[a.forecast["indicator"] == indicator]
    if f.empty:
        return None
    row = a.table.set_index("indicator").loc[indicator]
    dg = _digits(row)
    last = int(f["period"].max())
    at = f[f["period"] == last].set_index("reeks")["value"]
    v_now, v_f = float(row["waarde"]), float(at.get("gemeente", float("nan")))
    kind = row["soort"]
    change = (v_f - v_now) / v_now * 100 if kind == "count" and v_now else v_f - v_now
    table = str(f["bron"].iloc[0]) or catalogue()[f["prognose"].iloc[0]].source_table
    return t(
        "stad_forecast_zin",
        taal,
        source=cite(table, labels or {}, taal),
        label=_mid(_label(indicator, taal)),
        city=a.name,
        v_now=_num(v_now, taal, dg),
        p_now=int(row["tot"]),
        v_f=_num(v_f, taal, dg),
        unit=_unit(row["eenheid"], taal),
        p_f=last,
        change=_signed(change, kind, taal, dg),
        regio=a.region.name if a.region else "–",
        r_f=_num(at.get("regio"), taal, dg),
        n_f=_num(at.get("nl"), taal, dg),
    )


def gap_grew(row: pd.Series) -> bool:
    """Whether the gap to NL grew as the reader sees the numbers (a gap that reads the
    same at the shown precision is no finding)."""
    dg = _digits(row)
    g0, g1 = float(row["achterstand_van"]), float(row["achterstand"])
    if not (math.isfinite(g0) and math.isfinite(g1)):
        return False
    return _rounded(abs(g1), dg) > _rounded(abs(g0), dg) and _rounded(g1, dg) > 0


def attention_rows(a: StadAnalysis) -> pd.DataFrame:
    """The analysis' aandachtspunten whose growing gap shows in the shown numbers."""
    att = a.aandachtspunten()
    return att[[gap_grew(r) for _, r in att.iterrows()]] if len(att) else att


def attention(row: pd.Series, a: StadAnalysis, taal: str) -> str:
    """The aandachtspunt sentence: behind NL and the gap grew."""
    dg = _digits(row)
    return t(
        "stad_aandacht_zin",
        taal,
        label=_label(row["indicator"], taal),
        city=a.name,
        v1=_num(row["waarde"], taal, dg),
        unit=_unit(row["eenheid"], taal),
        n1=_num(row["nl"], taal, dg),
        p1=int(row["tot"]),
        gap0=_num(abs(float(row["achterstand_van"])), taal, dg),
        gap1=_num(abs(float(row["achterstand"])), taal, dg),
        p0=int(row["van"]),
    )


def sources(
    rows: pd.DataFrame, a: StadAnalysis, taal: str, labels: dict[str, str] | None = None
) -> str:
    """Where a theme's numbers come from: source titles (each once) and years."""
    ids = list(rows["bron"])
    periods = sorted(set(rows["periode"]))
    fc = a.forecast[a.forecast["indicator"].isin(rows["indicator"])]
    if len(fc):
        ids += list(fc["bron"])
        periods.append(f"{int(fc['period'].min())}-{int(fc['period'].max())}")
    return t("stad_sources", taal, tables=cite(ids, labels or {}, taal), periods=", ".join(periods))


def theme_texts(
    a: StadAnalysis, taal: str, labels: dict[str, str] | None = None
) -> dict[str, dict[str, list[str]]]:
    """Per theme with data: the *Situatie*, *Trends* and *Vooruitblik* sentences."""
    out: dict[str, dict[str, list[str]]] = {}
    ok = a.table[a.table["status"] == "ok"]
    for theme in THEMES:
        rows = ok[ok["thema"] == theme]
        if rows.empty:
            continue
        forecasts = [s for s in (outlook(i, a, taal, labels) for i in rows["indicator"]) if s]
        out[theme] = {
            "situatie": [situation(r, a, taal) for _, r in rows.head(3).iterrows()],
            "trends": [trend(r, a, taal) for _, r in rows.head(3).iterrows()],
            "vooruitblik": forecasts or [t("stad_no_forecast", taal)],
            "bronnen": [sources(rows, a, taal, labels)],
        }
    return out


def theme_table(a: StadAnalysis, theme: str, taal: str) -> pd.DataFrame:
    """The table of one theme, as shown (numbers formatted, pace in words, the years; the
    theme's sources are named once, under its sentences)."""
    ok = a.table[(a.table["status"] == "ok") & (a.table["thema"] == theme)]
    rows = []
    for _, r in ok.iterrows():
        paces = " / ".join(
            t(f"stad_pace_short_{p}", taal) if isinstance(p, str) else "–"
            for p in (r["tempo_nl"], r["tempo_regio"], r["tempo_peers"])
        )
        u = _unit(r["eenheid"], taal).strip()
        dg = _digits(r)
        rows.append(
            {
                t("col_indicator", taal): with_unit(_label(r["indicator"], taal), u, taal),
                t("col_stad_now", taal): f"{_num(r['waarde'], taal, dg)} ({int(r['tot'])})",
                t("nl", taal): _num(r["nl"], taal, dg),
                t("col_stad_region", taal): _num(r["regio"], taal, dg),
                t("col_peers_mean", taal): _num(r["peers_gem"], taal, dg),
                t("col_position", taal): t(
                    "rank_of", taal, rank=int(r["rang"]), n=int(r["n_groep"])
                )
                if r["polariteit"] != "0"
                else "–",
                t("col_stad_trend", taal): _signed(float(r["verandering"]), r["soort"], taal, dg),
                t("col_stad_vs", taal): paces,
                t("col_stad_years", taal): r["periode"],  # the sources: in the note below
            }
        )
    return pd.DataFrame(rows)


def chart_labels(a: StadAnalysis, taal: str) -> dict[str, str]:
    """Legend texts of the trend chart."""
    return {
        "gemeente": a.name,
        "nl": t("nl", taal),
        "regio": a.region.name if a.region else "–",
        "peers_gem": t("stad_peer_mean", taal),
        "band": t("stad_peer_band", taal),
        "forecast": t("stad_forecast_label", taal),
    }


def build_stad(ctx: ReportContext) -> Chapter | None:
    """Chapter 'Staat van de stad' (needs ``ctx.stad``, a :class:`StadAnalysis`)."""
    a: StadAnalysis | None = getattr(ctx, "stad", None)
    if a is None:
        return None
    from buurtbalans.report.figures_trend import trend_chart

    taal = ctx.taal
    ch = Chapter("stad", ctx.t("stad"))
    names = a.peers.table["naam"].fillna(a.peers.table["code"]).tolist()[1:]
    region = a.region.name if a.region else "–"
    ch.text(
        ctx.t(
            "stad_intro",
            gemeente=a.name,
            regio=region,
            n=len(names),
            peers="; ".join(names),
            van=a.van,
            tot=a.tot,
        )
    )
    if a.region is None:
        ch.note(ctx.t("stad_no_region", gemeente=a.name))
    else:
        ch.note(ctx.t("stad_basis", kind=a.region.kind, year=a.region.year, gemeente=a.name))
    if ctx.synthetic or (a.region is not None and a.region.synthetic):
        ch.note(ctx.t("stad_synthetic", gemeente=a.name))
    ok = a.table[a.table["status"] == "ok"]
    missing = a.table[a.table["status"] != "ok"]
    labels = source_labels(getattr(ctx, "store", None), taal)
    texts = theme_texts(a, taal, labels)
    prefix = ctx.t("synthetic_short") + " — " if ctx.synthetic else ""
    for theme, parts in texts.items():
        ch.heading(theme_label(theme, taal))
        for part in ("situatie", "trends", "vooruitblik"):
            ch.text(ctx.t("stad_" + part))
            ch.items(parts[part])
        ch.note(parts["bronnen"][0])
        for ind in ok[ok["thema"] == theme]["indicator"].head(KEY_PER_THEME):
            row = ok.set_index("indicator").loc[ind]
            series = a.series[a.series["indicator"] == ind]
            forecast = a.forecast[a.forecast["indicator"] == ind]
            u = _unit(row["eenheid"], taal).strip()
            title = ctx.t(
                "stad_chart_title",
                label=with_unit(_label(ind, taal), u, taal),
                unit="",
                van=int(row["van"]),
                tot=int(row["tot"]),
            )
            tables = cite([str(row["bron"]), *forecast["bron"]], labels, taal)
            source = f"{prefix}{ctx.t('source')}: {tables} | buurtbalans {__version__}"
            ch.figure(
                trend_chart(
                    series,
                    forecast,
                    labels=chart_labels(a, taal),
                    title=title,
                    source=source,
                    taal=taal,
                )
            )
        ch.table(theme_table(a, theme, taal), key=f"stad_{theme}", wide=True)
    ch.heading(ctx.t("stad_aandachtspunten"))
    att = attention_rows(a)
    if att.empty:
        ch.text(ctx.t("stad_no_aandacht", gemeente=a.name))
    else:
        ch.text(ctx.t("stad_aandacht_intro", gemeente=a.name, van=a.van))
        items = [attention(r, a, taal) for _, r in att.iterrows()]
        for i in range(0, len(items), 4):  # short lists fill pages (no page with the intro only)
            ch.items(items[i : i + 4])
    if len(missing):
        ch.note(
            ctx.t(
                "stad_missing",
                city=a.name,
                labels=", ".join(_label(i, taal) for i in missing["indicator"]),
            )
        )
    ch.tables["stad_tabel"] = a.table
    return ch
