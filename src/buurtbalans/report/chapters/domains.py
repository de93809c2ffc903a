"""A narrative per domain: how each domain moved locally (and nationally where the store
has NL values), with a map of the latest domain score and a map of its change."""

from __future__ import annotations

import numpy as np

from buurtbalans.report.chapters._maps import extremes, numeric
from buurtbalans.report.context import Chapter, ReportContext
from buurtbalans.report.findings import break_caveat
from buurtbalans.sources.codebook import catalogue


def build_domains(ctx: ReportContext) -> Chapter | None:
    """Chapter 'De domeinen'."""
    a, van, tot = ctx.analysis, ctx.van, ctx.tot
    table = a.index.table
    domains = [d for d in a.index.domains() if table[d].notna().any()]
    if not domains:
        return None
    ch = Chapter("domeinen", ctx.t("h_domains"))
    ch.text(ctx.t("domains_intro", van=van, tot=tot))
    dec = a.decomposition.set_index("domein")["bijdrage"] if not a.decomposition.empty else None
    raw = _raw_values(ctx)
    for d in domains:
        label = ctx.domain_label(d)
        ch.heading(label)
        before = table.loc[table["period"] == van].set_index("area_code")[d]
        after = table.loc[table["period"] == tot].set_index("area_code")[d]
        delta = after - before
        key = (
            "dom_worse"
            if delta.mean() > 0.5
            else "dom_better"
            if delta.mean() < -0.5
            else "dom_same"
        )
        parts = [
            ctx.t(
                key,
                domain=label,
                m0=ctx.num(before.mean(), 1),
                m1=ctx.num(after.mean(), 1),
                van=van,
                tot=tot,
            )
        ]
        if dec is not None and d in dec.index:
            parts.append(ctx.t("dom_contribution", value=_signed(ctx, dec[d])))
        parts.append(ctx.t("dom_highest", tot=tot, buurten=ctx.buurt_list(extremes(after, 3))))
        worse = delta[delta > 5]
        if len(worse):
            parts.append(ctx.t("dom_worst_buurten", buurten=ctx.buurt_list(extremes(worse, 3))))
        parts += _indicator_sentences(ctx, d, raw)
        if caveat := break_caveat(ctx, d):  # the definition break beside the change
            parts.append(caveat)
        ch.text(" ".join(parts))
        if ctx.gdf is not None:
            ch.figure(numeric(ctx, after, ctx.t("map_domain", domain=label, tot=tot), tot))
            ch.figure(
                numeric(
                    ctx,
                    delta,
                    ctx.t("map_domain_change", domain=label, van=van, tot=tot),
                    tot,
                    diverging=True,
                )
            )
    return ch


def _signed(ctx: ReportContext, value: float) -> str:
    text = ctx.num(value, 1)
    return text if text.startswith("-") else f"+{text}"


def _raw_values(ctx: ReportContext) -> dict[str, tuple[float, float, float, float]]:
    """Per spec indicator: the gemeente's population-weighted mean in van and tot, and the
    NL value in both years where the store has it (NaN otherwise)."""
    from buurtbalans.analysis.benchmark import land_values
    from buurtbalans.index.store_mode import load_columns

    inds = [i.id for i in ctx.spec.indicators if i.id in catalogue()]
    if ctx.store is None or not inds:
        return {}
    try:
        wide = load_columns(
            ctx.store, inds, ctx.gemeente, [ctx.van, ctx.tot], vintage=ctx.analysis.vintage
        )
        land = land_values(ctx.store, inds, [ctx.van, ctx.tot], ctx.gemeente)
    except Exception:
        return {}
    pop = ctx.analysis.change.set_index("area_code")["inwoners"]
    out = {}
    for ind in inds:
        vals = []
        for year in (ctx.van, ctx.tot):
            part = wide[wide["period"] == year].set_index("area_code") if len(wide) else None
            if part is None or ind not in part or part[ind].isna().all():
                vals.append(np.nan)
                continue
            w = pop.reindex(part.index).fillna(0)
            ok = part[ind].notna() & (w > 0)
            vals.append(
                float(np.average(part.loc[ok, ind], weights=w[ok]))
                if ok.any()
                else float(part[ind].mean())
            )
        for year in (ctx.van, ctx.tot):
            row = land[(land["indicator"] == ind) & (land["period"] == year)] if len(land) else land
            vals.append(float(row["value"].iloc[0]) if len(row) else np.nan)
        out[ind] = tuple(vals)
    return out


def _indicator_sentences(
    ctx: ReportContext, domain: str, raw: dict[str, tuple[float, float, float, float]]
) -> list[str]:
    """'Ervaren gezondheid goed: 75,1 % → 77,6 % (Nederland 78,0 % → 78,2 %).'"""
    cat = catalogue()
    out = []
    for spec_ind in ctx.spec.indicators:
        if spec_ind.domain != domain or spec_ind.id not in raw:
            continue
        g0, g1, n0, n1 = raw[spec_ind.id]
        if not (np.isfinite(g0) and np.isfinite(g1)):
            continue
        meta = cat[spec_ind.id]
        label = meta.label_nl if ctx.taal == "nl" else meta.label_en
        unit = _unit(ctx, meta.unit)
        text = ctx.t(
            "dom_indicator",
            label=label,
            v0=ctx.num(g0) + unit,
            v1=ctx.num(g1) + unit,
            van=ctx.van,
            tot=ctx.tot,
        )
        if np.isfinite(n0) and np.isfinite(n1):
            text += " " + ctx.t("dom_indicator_nl", v0=ctx.num(n0) + unit, v1=ctx.num(n1) + unit)
        if meta.break_year and ctx.van < meta.break_year <= ctx.tot:
            text += " " + ctx.t("dom_break", year=meta.break_year, van=ctx.van, tot=ctx.tot)
        out.append(text + ".")
    return out


def _unit(ctx: ReportContext, unit: str) -> str:
    if unit == "%":
        return " %"
    key = f"unit_{unit}"
    from buurtbalans.report.terms import TERMS

    return f" {ctx.t(key)}" if key in TERMS and ctx.t(key) else ""
