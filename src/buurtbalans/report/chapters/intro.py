"""Introduction and reading guide; key findings with the basis of the headline numbers."""

from __future__ import annotations

from buurtbalans.report.context import Chapter, ReportContext
from buurtbalans.report.findings import key_findings


def build_intro(ctx: ReportContext) -> Chapter:
    """What the MDI is, its seven domains, what 0–100 and the classes mean, how to read
    the maps and tables."""
    ch = Chapter("inleiding", ctx.t("h_intro"), page_break=False)
    ch.text(ctx.t("intro_what", gemeente=ctx.gm_name, van=ctx.van, tot=ctx.tot))
    total = sum(d.weight for d in ctx.spec.domains) or 1.0
    ch.text(ctx.t("intro_domains", n=len(ctx.spec.domains)))
    ch.items(
        [
            f"{ctx.domain_label(d.id)} ({ctx.num(100 * d.weight / total, 1)} %)"
            for d in ctx.spec.domains
        ]
    )
    edges = ctx.spec.classes.edges
    labels = [ctx.class_label(c) for c in ctx.spec.classes.labels]
    bounds = [0.0, *edges, 100.0]
    ch.text(ctx.t("intro_scale"))
    ch.items(
        [
            ctx.t("intro_class", label=lab, lo=ctx.num(lo, 0), hi=ctx.num(hi, 0))
            for lab, lo, hi in zip(labels, bounds[:-1], bounds[1:], strict=True)
        ]
    )
    ch.text(ctx.t("intro_reading"))
    if ctx.synthetic:
        ch.note(ctx.t("synthetic_intro"))
    return ch


def build_findings(ctx: ReportContext) -> Chapter:
    """The key findings (every number computed) and the basis they rest on."""
    ch = Chapter("bevindingen", ctx.t("findings"))
    ch.items(key_findings(ctx))
    b = ctx.basis()
    used = ", ".join(ctx.domain_label(d) for d in b.get("domains_used", [])) or "–"
    left = b.get("domains_left_out") or []
    if isinstance(left, dict):
        left_text = "; ".join(f"{ctx.domain_label(k)}: {v}" for k, v in left.items())
    else:
        left_text = ", ".join(ctx.domain_label(d) for d in left)
    ref = str(b.get("reference") or ctx.spec.reference)
    ref_key = f"ref_{ref}"
    from buurtbalans.report.terms import TERMS

    ref_text = ctx.t(ref_key) if ref_key in TERMS else ref
    n_ref = b.get("n_reference")
    if isinstance(n_ref, dict):
        n_ref = "; ".join(f"{k}: {ctx.num(v, 0)}" for k, v in n_ref.items())
    ch.heading(ctx.t("basis"))
    ch.items(
        [
            ctx.t("basis_domains", used=used, left=left_text)
            if left_text
            else ctx.t("basis_domains_all", used=used),
            ctx.t("basis_years", van=ctx.van, tot=ctx.tot, vintage=ctx.analysis.vintage),
            ctx.t("basis_reference", reference=ref_text)
            + (f" {ctx.t('basis_n_reference', n=n_ref)}" if n_ref not in (None, "") else ""),
            ctx.t("basis_population", year=b.get("population_year") or "–"),
        ]
    )
    for note in ctx.notes:
        ch.note(note)
    return ch
