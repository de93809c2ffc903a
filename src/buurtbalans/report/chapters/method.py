"""Method and sources (every note of the analysis as a sentence), the table of all buurten
(appendix) and the colophon."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from buurtbalans import __version__
from buurtbalans.report.context import OK, Chapter, ReportContext
from buurtbalans.report.notes import indicator_label, note_sentence
from buurtbalans.report.terms import TERMS
from buurtbalans.sources.codebook import catalogue
from buurtbalans.terms import words


def source_row(ctx: ReportContext, source: dict) -> tuple[str, str, str]:
    """(title, publisher, period) of a source: its title with its table id, and for a
    synthetic source (the demo's, or any source of the national twin) 'SYNTHETISCH' as
    the publisher — never the publisher whose real data it imitates."""
    from buurtbalans.report.tables import source_label

    table = str(source.get("table_id", ""))
    title = source_label(table, source.get("title"), ctx.taal)
    period = str(source.get("period", "") or "")
    if ctx.twin:
        return (title, ctx.t("synthetic_publisher_twin"), period)
    if table.startswith("voorbeeldstad-") or bool(source.get("synthetic")):
        return (title, ctx.t("synthetic_short"), period)
    return (title, str(source.get("publisher", "")), period)


def report_sources(ctx: ReportContext) -> list[tuple[str, str, str]]:
    """Every source the report's numbers draw on, each once (title, publisher, periods):
    the index's sources, then the store's other sources of the same world (the demo's or
    the twin's synthetic tables, or the real imports: gemeente series, forecasts, costs,
    Leefbaarometer …)."""
    rows = list(ctx.analysis.index.run.provenance.get("sources", []))
    store = getattr(ctx, "store", None)
    if store is not None:
        try:
            frame = store.sources()
        except Exception:
            frame = None
        if frame is not None and len(frame):
            if not ctx.twin and "synthetic" in frame:
                frame = frame[frame["synthetic"].fillna(False).astype(bool) == ctx.synthetic]
            rows += frame.to_dict("records")
    periods: dict[tuple[str, str], list[str]] = {}
    for s in rows:
        title, publisher, period = source_row(ctx, s)
        seen = periods.setdefault((title, publisher), [])
        for p in str(period).split(","):
            if p.strip() and p.strip() not in seen:
                seen.append(p.strip())
    return [(t, p, ", ".join(sorted(v))) for (t, p), v in periods.items()]


def build_method(ctx: ReportContext) -> Chapter:
    """Chapter 'Methode en bronnen'."""
    spec, a = ctx.spec, ctx.analysis
    ch = Chapter("methode", ctx.t("method"))
    ref_key = f"ref_{spec.reference}"
    ch.text(
        ctx.t(
            "m_index",
            transform=ctx.t(f"tr_{spec.transform}")
            if f"tr_{spec.transform}" in TERMS
            else spec.transform,
            reference=ctx.t(ref_key) if ref_key in TERMS else spec.reference,
            min_pop=ctx.num(spec.min_population, 0),
        )
    )
    ch.text(
        ctx.t(
            "m_score",
            edge=ctx.num(spec.classes.edges[-1], 0),
            top=ctx.class_label(spec.classes.labels[-1]),
        )
    )
    share = getattr(spec, "min_weight_share", None)
    required = getattr(spec, "required_domains", None) or []
    if share:
        ch.text(
            ctx.t(
                "m_coverage",
                share=ctx.num(100 * share, 0),
                required=words([ctx.domain_label(d) for d in required], ctx.taal) or "–",
                insufficient=ctx.t("insufficient"),
            )
        )
    ch.text(ctx.t("m_missing"))
    notes = [*a.index.warnings, *getattr(a, "notes", [])]
    ch.items([note_sentence(ctx, n) for n in dict.fromkeys(notes)])
    total = sum(d.weight for d in spec.domains) or 1.0
    weights = pd.DataFrame(
        [
            {
                ctx.t("col_domain"): ctx.domain_label(d.id),
                ctx.t("col_weight"): f"{ctx.num(100 * d.weight / total, 1)} %",
                ctx.t("col_indicators"): ", ".join(
                    indicator_label(ctx, i.id) for i in spec.indicators if i.domain == d.id
                ),
            }
            for d in spec.domains
        ]
    )
    ch.heading(ctx.t("h_weights"))
    ch.table(weights, key="gewichten")
    ch.heading(ctx.t("h_sources"))
    sources = report_sources(ctx)
    if sources:
        heads = (ctx.t("col_source"), ctx.t("col_publisher"), ctx.t("col_period"))
        ch.table(
            pd.DataFrame([dict(zip(heads, row, strict=True)) for row in sources]),
            key="bronnen",
        )
    breaks = [
        ctx.t("m_break", label=indicator_label(ctx, k), year=v.break_year)
        for k, v in catalogue().items()
        if v.break_year and k in spec.raw_inputs()
    ]
    if breaks:
        ch.heading(ctx.t("h_breaks"))
        ch.items(breaks)
    return ch


def build_appendix(ctx: ReportContext) -> Chapter:
    """Appendix: every buurt with its map number, scores, class, change and residents."""
    van, tot = ctx.van, ctx.tot
    ch = Chapter("bijlage", ctx.t("h_appendix"), page_break=True)
    ch.text(ctx.t("appendix_text"))
    c = ctx.analysis.change.copy()
    ranks = ctx.analysis.index.table.query("period == @tot").set_index("area_code")["rank"]
    status = ctx.status(tot)
    nrs = ctx.map_numbers()
    c = c.sort_values(f"score_{tot}", ascending=False, na_position="last")
    rows = []
    for r in c.itertuples():
        code = r.area_code
        st = status.get(code, OK)
        rows.append(
            {
                ctx.t("col_nr"): str(nrs.get(code, "")),
                ctx.t("col_name"): ctx.buurt_names().get(code, code),
                ctx.t("col_score", year=van): ctx.num(getattr(r, f"score_{van}"), 1),
                ctx.t("col_score", year=tot): ctx.num(getattr(r, f"score_{tot}"), 1),
                ctx.t("col_delta"): ctx.num(r.delta, 1),
                ctx.t("col_rang"): ctx.num(ranks.get(code), 0),
                ctx.t("col_class", year=tot): ctx.class_label(getattr(r, f"class_{tot}"))
                if st == OK
                else ctx.t("insufficient"),
                ctx.t("col_direction"): ctx.t(f"dir_{r.direction}")
                if isinstance(r.direction, str)
                else "–",
                ctx.t("col_inwoners"): ctx.num(r.inwoners, 0),
            }
        )
    ch.table(pd.DataFrame(rows), key="buurten", wide=True)
    return ch


def build_colophon(ctx: ReportContext) -> Chapter:
    """Colophon: what made this report, from which sources, when."""
    ch = Chapter("colofon", ctx.t("h_colophon"), page_break=False)
    prov = ctx.analysis.index.run.provenance
    sources = sorted({source_row(ctx, s)[0] for s in prov.get("sources", [])})
    ch.items(
        [
            ctx.t("colo_made", version=__version__, date=datetime.now(UTC).date().isoformat()),
            ctx.t("colo_method", name=ctx.spec.name, hash=ctx.spec_hash[:10]),
            ctx.t("colo_sources", sources="; ".join(sources) or "–"),
            ctx.t(
                "colo_reproduce",
                gemeente=ctx.gemeente,
                van=ctx.van,
                tot=ctx.tot,
                options=" --taal en" if ctx.taal == "en" else "",
            ),
        ]
    )
    if ctx.synthetic:
        ch.note(ctx.t("synthetic_intro"))
    return ch
