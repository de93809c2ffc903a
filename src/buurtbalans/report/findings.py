"""Key findings as plain sentences, every number computed from the analyses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from buurtbalans.report.context import ReportContext


def key_findings(ctx: ReportContext) -> list[str]:
    """The 'Hoofdbevindingen': direction, very-high class, residents, domains, the gap,
    and how many buurten have too little data for a score."""
    a, spec, van, tot = ctx.analysis, ctx.spec, ctx.van, ctx.tot
    ch = a.change
    counts = ch["direction"].value_counts()
    out = [
        ctx.t(
            "f_direction",
            tot=tot,
            van=van,
            total=int(ch["delta"].notna().sum()),
            n=int(counts.get("verbeterd", 0)),
            worsened=ctx.t("f_worsened", n=int(counts.get("verslechterd", 0))),
            stable=ctx.t("f_stable", n=int(counts.get("ongeveer gelijk", 0))),
            rule=ctx.improved_rule,
        )
    ]
    f = a.flows
    top = spec.classes.labels[-1]
    out.append(
        ctx.t(
            "f_veryhigh",
            toen=int(f["toen"]),
            nu=int(f["nu"]),
            left=ctx.t("f_left", n=int(f["uitgestroomd"])),
            entered=ctx.t("f_entered", n=int(f["ingestroomd"])),
            van=van,
            tot=tot,
            edge=ctx.num(spec.classes.edges[-1], 0),
            ref=ctx.reference_label,
        )
    )
    if "inwoners" in ch and ch["inwoners"].notna().any():  # unknown population: no sentence
        res = ch.loc[ch[f"class_{tot}"] == top, "inwoners"].sum()
        share = 100 * res / ch["inwoners"].sum()
        out.append(ctx.t("f_share", tot=tot, share=ctx.num(share, 0), res=ctx.num(res, 0)))
    dec = a.decomposition
    if not dec.empty and dec["bijdrage"].notna().any():
        biggest = dec.loc[dec["bijdrage"].abs().idxmax()]
        text = ctx.t(
            "f_domains",
            delta=_signed(ctx, dec.attrs["delta_gemeente"]),
            top=ctx.domain_label(biggest["domein"]).lower(),
            top_value=_signed(ctx, biggest["bijdrage"]),
        )
        if caveat := break_caveat(ctx, str(biggest["domein"])):
            text += " " + caveat
        out.append(text)
    out.append(polarisation_finding(ctx))
    for year in (van, tot):
        if weak := ctx.unscored(year):
            out.append(ctx.t("f_unscored", n=len(weak), year=year, buurten=ctx.buurt_list(weak)))
    return out


def polarisation_finding(ctx: ReportContext) -> str:
    """The decile gap (descriptive), and what the slope of change on the starting score
    supports: 'buurten die slechter begonnen verbeterden minder' (or meer) only when its
    95 % interval excludes 0; otherwise that the data cannot tell."""
    p = ctx.analysis.polarisation
    g = p.gaps["gap_decile"].tolist()
    gap = ctx.t(
        "f_gap_up" if p.grew() else "f_gap_not_up", g0=ctx.num(g[0], 1), g1=ctx.num(g[-1], 1)
    )
    lo, hi = p.slope_ci
    key = "f_slope_diverge" if lo > 0 else "f_slope_converge" if hi < 0 else "f_slope_unclear"
    slope = ctx.t(
        key,
        slope=_signed(ctx, p.slope, 2),
        lo=_signed(ctx, lo, 2),
        hi=_signed(ctx, hi, 2),
        n=p.slope_n,
    )
    return f"{gap} {slope}"


def breaks(ctx: ReportContext, domain: str | None = None) -> list[tuple[str, int]]:
    """(indicator, break year) of the spec's raw inputs (of ``domain``) whose definition
    changed after ``van`` and no later than ``tot``: the change crosses the break."""
    from buurtbalans.sources.codebook import catalogue

    cat = catalogue()
    out = []
    for ind in ctx.spec.indicators:
        if domain is not None and ind.domain != domain:
            continue
        for raw in ind.inputs:
            meta = cat.get(raw)
            if meta and meta.break_year and ctx.van < meta.break_year <= ctx.tot:
                out.append((raw, int(meta.break_year)))
    return list(dict.fromkeys(out))


def break_caveat(ctx: ReportContext, domain: str) -> str:
    """'Let op: …' naming the definition breaks a domain's change crosses ('' if none)."""
    found = breaks(ctx, domain)
    if not found:
        return ""
    from buurtbalans.report.chapters.method import indicator_label

    labels = ", ".join(f"{indicator_label(ctx, k).lower()} ({y})" for k, y in found)
    return ctx.t(
        "f_break_caveat",
        domain=ctx.domain_label(domain).lower(),
        van=ctx.van,
        tot=ctx.tot,
        labels=labels,
    )


def _signed(ctx: ReportContext, value: float, digits: int = 1) -> str:
    text = ctx.num(value, digits)
    return text if text.startswith("-") or text == "–" else f"+{text}"


def unscored(ctx: ReportContext) -> list[str]:
    """Buurten without a score in one of the years for want of a row that year (e.g. no
    code match across vintages); those without a score for too few data or inwoners are
    counted, with their own reason, by the coverage finding."""
    ch = ctx.analysis.change
    miss = ch[ch[f"score_{ctx.van}"].isna() | ch[f"score_{ctx.tot}"].isna()]
    covered = set(ctx.unscored(ctx.van)) | set(ctx.unscored(ctx.tot))
    return sorted(c for c in miss["area_code"].tolist() if c not in covered)
