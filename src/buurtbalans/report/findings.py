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
            n=int(ch["delta"].notna().sum()),
            improved=int(counts.get("verbeterd", 0)),
            worsened=int(counts.get("verslechterd", 0)),
            stable=int(counts.get("ongeveer gelijk", 0)),
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
            uit=int(f["uitgestroomd"]),
            in_=int(f["ingestroomd"]),
            van=van,
            tot=tot,
            edge=ctx.num(spec.classes.edges[-1], 0),
            ref=ctx.reference_label,
        )
    )
    if "inwoners" in ch and ch["inwoners"].notna().any():
        res = ch.loc[ch[f"class_{tot}"] == top, "inwoners"].sum()
        share = 100 * res / ch["inwoners"].sum()
        out.append(ctx.t("f_share", tot=tot, share=ctx.num(share, 0), res=ctx.num(res, 0)))
    dec = a.decomposition
    if not dec.empty and dec["bijdrage"].notna().any():
        biggest = dec.loc[dec["bijdrage"].abs().idxmax()]
        out.append(
            ctx.t(
                "f_domains",
                delta=_signed(ctx, dec.attrs["delta_gemeente"]),
                top=ctx.domain_label(biggest["domein"]).lower(),
                top_value=_signed(ctx, biggest["bijdrage"]),
            )
        )
    p = a.polarisation
    g = p.gaps["gap_decile"].tolist()
    key = "f_gap_grew" if p.grew() else "f_gap_shrank"
    out.append(
        ctx.t(
            key,
            g0=ctx.num(g[0], 1),
            g1=ctx.num(g[-1], 1),
            slope=_signed(ctx, p.slope, 2),
            lo=_signed(ctx, p.slope_ci[0], 2),
            hi=_signed(ctx, p.slope_ci[1], 2),
        )
    )
    for year in (van, tot):
        if weak := ctx.unscored(year):
            out.append(ctx.t("f_unscored", n=len(weak), year=year, buurten=ctx.buurt_list(weak)))
    return out


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
