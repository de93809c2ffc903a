"""Introduction and reading guide; key findings with the basis of the headline numbers."""

from __future__ import annotations

from buurtbalans.report.context import Block, Chapter, ReportContext
from buurtbalans.report.findings import key_findings
from buurtbalans.report.notes import left_out_reason


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
    ch.text(ctx.t("intro_classes_ref", ref=ctx.reference_label))
    if ctx.synthetic:
        ch.note(ctx.t("synthetic_intro"))
    return ch


# chapters the reading guide names (in report order); the others (appendix, colophon)
# are not announced
READING = (
    "mdi",
    "domeinen",
    "prioritering",
    "profiel",
    "onzekerheid",
    "veerkracht",
    "benchmark",
    "methode",
)


def reading_guide(ctx: ReportContext, chapter_ids: list[str]) -> str:
    """'Hoe u dit rapport leest': the chapters that follow the findings, only those
    present; the map sentence only when the report has maps."""
    parts = []
    for cid in chapter_ids:
        if cid not in READING:
            continue
        key = "reading_mdi_map" if cid == "mdi" and ctx.gdf is not None else f"reading_{cid}"
        parts.append(ctx.t(key))
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {ctx.t('and')} {parts[-1]}"
    text = ctx.t("reading_guide", chapters=listed)
    return text + (" " + ctx.t("reading_maps") if ctx.gdf is not None else "")


def add_reading_guide(ctx: ReportContext, chapters: list[Chapter]) -> None:
    """Put the reading guide into the introduction once every chapter is built, so it
    promises only the chapters present (after the class list, before any note)."""
    intro = next((c for c in chapters if c.id == "inleiding"), None)
    text = reading_guide(ctx, [c.id for c in chapters])
    if intro is None or not text:
        return
    lists = [i for i, b in enumerate(intro.blocks) if b.kind == "list"]
    at = lists[-1] + 1 if lists else len(intro.blocks)
    intro.blocks.insert(at, Block("text", text=text))


def build_findings(ctx: ReportContext) -> Chapter:
    """The key findings (every number computed) and the basis they rest on."""
    ch = Chapter("bevindingen", ctx.t("findings"))
    ch.items(key_findings(ctx))
    if ctx.own_reference:  # 'zeer hoog' here means high within the gemeente: say so
        ch.note(ctx.t("own_reference_caveat", van=str(ctx.van), tot=str(ctx.tot)))
    b = ctx.basis()
    used = ", ".join(ctx.domain_label(d) for d in b.get("domains_used", [])) or "–"
    left = b.get("domains_left_out") or []
    if isinstance(left, dict):
        left_text = "; ".join(
            f"{ctx.domain_label(k)}: {left_out_reason(v, ctx.taal)}" for k, v in left.items()
        )
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
            _population(ctx, b.get("population_year")),
            *_names(ctx),
        ]
    )
    for note in ctx.notes:
        ch.note(note)
    return ch


def _population(ctx: ReportContext, year: object) -> str:
    """Where the population figures come from, or that the store has none."""
    if year not in (None, ""):
        return ctx.t("basis_population", year=year)
    return ctx.t("basis_population_none", years=f"{ctx.van} {ctx.t('and')} {ctx.tot}")


def _names(ctx: ReportContext) -> list[str]:
    """Once: that the source has no buurt names (or how many lack one)."""
    names = ctx.analysis.change.get("name")
    if names is None or not len(names):
        return []
    missing = int(names.isna().sum())
    if missing == len(names):
        return [ctx.t("basis_no_names")]
    if missing:
        return [ctx.t("basis_some_names", n=missing, total=len(names))]
    return []
