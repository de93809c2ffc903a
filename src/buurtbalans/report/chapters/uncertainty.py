"""Chapter "Hoe zeker is de index?": the uncertainty analysis of
:mod:`buurtbalans.analysis.uncertainty` on the same basis (domains, reference, vintage) as
the change analysis, placed as a report chapter."""

from __future__ import annotations

import io

from buurtbalans.errors import BuurtbalansError
from buurtbalans.report.context import Chapter, ReportContext
from buurtbalans.report.figures import DPI, Figure


def _figure(fig, title: str) -> Figure:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    width = float(fig.get_size_inches()[0])
    return Figure(buf.getvalue(), True, len(fig.axes), title, "chart", width)


def build_uncertainty(ctx: ReportContext) -> Chapter | None:
    """Rank intervals, P(in the worst 10) per buurt on the priority list, Sobol sentences."""
    from buurtbalans.analysis.pipeline import analysis_uncertainty
    from buurtbalans.report import chapter_uncertainty as cu

    if ctx.store is None:
        return None
    try:  # the one run of this analysis (shared with the priorities' robustness)
        result = analysis_uncertainty(ctx.store, ctx.analysis, ctx.gemeente)
    except BuurtbalansError as exc:
        ctx.notes.append(f"{ctx.t('unc_missing')} {exc}")
        return None
    s = result.settings
    year, _ = cu._latest(result)
    factors = ", ".join(cu._factor(f, ctx.taal) for f in s["factors"]) or "–"
    ch = Chapter("onzekerheid", cu._t("title", ctx.taal))
    ch.text(cu._t("intro", ctx.taal, runs=s["runs"], seed=s["seed"], factors=factors, year=year))
    ch.items(cu.findings(result, ctx.taal))
    chart = cu.rank_interval_chart(result, ctx.taal)
    ch.figure(_figure(chart, cu._t("chart", ctx.taal, year=year)))
    ch.table(
        cu.priority_table(result, ctx.taal),
        cu._t("list", ctx.taal, top=result.top, year=year),
        key="onzekerheid" if ctx.taal == "nl" else "uncertainty",
    )
    if s.get("notes"):
        ch.note(cu._t("notes", ctx.taal) + "; ".join(s["notes"]))
    return ch
