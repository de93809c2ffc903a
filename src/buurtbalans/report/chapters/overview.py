"""The MDI in the gemeente: score and change maps with the buurten that stand out, the
distribution, each buurt's change and the domains behind the highest scores."""

from __future__ import annotations

import pandas as pd

from buurtbalans.report import figures as fg
from buurtbalans.report.chapters._maps import MDI_CLASSES, category, extremes, numeric
from buurtbalans.report.context import Chapter, ReportContext


def build_overview(ctx: ReportContext) -> Chapter:
    """Chapter 'De MDI in {gemeente}'."""
    a, van, tot = ctx.analysis, ctx.van, ctx.tot
    ch = Chapter("mdi", ctx.t("h_mdi", gemeente=ctx.gm_name))
    change = a.change.set_index("area_code")
    score = change[f"score_{tot}"]
    names = {c: ctx.buurt(c) for c in change.index}
    if ctx.gdf is not None:
        classes = [ctx.class_label(c) for c in ctx.spec.classes.labels]
        shown = change[f"class_{tot}"].map(ctx.class_label, na_action="ignore")
        ch.text(
            ctx.t(
                "map_score_text",
                tot=tot,
                n=int((change[f"class_{tot}"] == ctx.spec.classes.labels[-1]).sum()),
                top=ctx.class_with_ref(ctx.spec.classes.labels[-1]),
                highest=ctx.buurt_list(extremes(score, 3)),
                lowest=ctx.buurt_list(extremes(score, 3, highest=False)),
            )
        )
        title = ctx.t("map_score", tot=tot, ref=ctx.reference_label)
        ch.figure(category(ctx, shown, classes, title, tot, MDI_CLASSES))
        delta = change["delta"]
        ch.text(
            ctx.t(
                "map_change_text",
                van=van,
                tot=tot,
                better=ctx.buurt_list(extremes(delta, 3, highest=False)),
                worse=ctx.buurt_list(extremes(delta[delta > 0], 3)) or ctx.t("none"),
            )
        )
        ch.figure(numeric(ctx, delta, ctx.t("map_change", van=van, tot=tot), tot, diverging=True))
    if score.notna().sum() < 2:
        ch.note(ctx.t("too_few_scores", tot=tot))
        return ch
    ch.heading(ctx.t("h_distribution"))
    ch.text(
        ctx.t(
            "distribution_text",
            van=van,
            tot=tot,
            m0=ctx.num(change[f"score_{van}"].median(), 1),
            m1=ctx.num(score.median(), 1),
        )
    )
    ch.figure(
        fg.distribution_chart(
            change[f"score_{van}"],
            score,
            van=van,
            tot=tot,
            title=ctx.t("distribution"),
            source=ctx.source_line,
            xlabel=ctx.t("score"),
            ylabel=ctx.t("n_buurten"),
        )
    )
    ch.figure(
        fg.dumbbell_chart(
            a.change,
            van=van,
            tot=tot,
            title=ctx.t("dumbbell", van=van, tot=tot),
            source=ctx.source_line,
            names=names,
        )
    )
    latest = a.index.table[a.index.table["period"] == tot]
    labels = {d: ctx.domain_label(d) for d in a.index.domains()}
    ch.text(ctx.t("contributions_text"))
    ch.figure(
        fg.contributions_chart(
            latest,
            a.index.domains(),
            labels,
            title=ctx.t("contributions", tot=tot),
            source=ctx.source_line,
            worst=ctx.t("worst10"),
            best=ctx.t("best10"),
            xlabel=ctx.t("points"),
            names=names,
        )
    )
    ch.heading(ctx.t("h_transitions", van=van, tot=tot))
    ch.text(ctx.t("transitions_text", van=van, tot=tot, ref=ctx.reference_label))
    ch.table(_transitions(ctx), key="overgangen")
    return ch


def _transitions(ctx: ReportContext) -> pd.DataFrame:
    """Class in ``van`` (rows) × class in ``tot`` (columns), counts of buurten."""
    m = ctx.analysis.transitions
    shown = m.copy()
    shown.index = [ctx.class_label(i) for i in m.index]
    shown.columns = [ctx.class_label(c) for c in m.columns]
    shown = shown.map(lambda v: ctx.num(v, 0))
    shown.insert(0, ctx.t("col_class_from", year=ctx.van), shown.index)
    return shown.reset_index(drop=True)
