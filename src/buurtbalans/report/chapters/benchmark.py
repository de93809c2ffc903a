"""Benchmark: the gemeente against the Netherlands and its peers — who the peers are and
why, what stands out, a heat-table of ranks and a bar chart per notable indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans import __version__
from buurtbalans.report import figures as fg
from buurtbalans.report import tables
from buurtbalans.report.context import Chapter, ReportContext
from buurtbalans.report.terms import TERMS
from buurtbalans.sources.codebook import catalogue


def unit(ctx: ReportContext, text: str) -> str:
    """A codebook unit in the report's language ('' for plain counts)."""
    return tables.unit(text, ctx.taal)


def row_digits(*values: object) -> int:
    """One number of decimals for every number of an indicator (its value, NL, the peers'
    range and mean), so 38,0 stands beside 36,6 and a range reads 72,9 – 95,0: 0 from
    100 up, else 1, else 2 (by the largest)."""
    finite = [abs(float(v)) for v in values if v is not None and np.isfinite(float(v))]
    size = max(finite, default=0.0)
    return 0 if size >= 100 else 1 if size >= 1 else 2


def _sentence(ctx: ReportContext, text: str) -> str:
    """The analysis' standout sentence with its unit in the report's language."""
    return tables.translate_units(text, ctx.taal)


def build_benchmark(ctx: ReportContext) -> Chapter | None:
    """Chapter 'Benchmark'."""
    bm = ctx.benchmark
    if bm is None:
        return None
    cat = catalogue()
    labels = {
        k: tables.numbers_in(v.label_nl if ctx.taal == "nl" else v.label_en, ctx.taal)
        for k, v in cat.items()
    }
    ch = Chapter("benchmark", ctx.t("benchmark"))
    peers = bm.peers.table
    names = peers["naam"].fillna(peers["code"]).tolist()
    ch.text(ctx.t("bm_intro", gemeente=ctx.gm_name, n=len(names) - 1, peers="; ".join(names[1:])))
    feats = [c.rsplit("_", 1)[0] for c in peers.columns if c not in ("code", "naam", "afstand")]
    method = getattr(bm.peers, "method", "auto")
    if method == "auto":
        ch.text(
            ctx.t(
                "bm_auto",
                n=len(names) - 1,
                features=", ".join(labels.get(f, f).lower() for f in feats),
            )
        )
    elif method == "regel":
        ch.text(ctx.t("bm_rule", features=", ".join(labels.get(f, f).lower() for f in feats)))
    else:
        ch.text(ctx.t("bm_given"))
    if ctx.synthetic:
        ch.note(ctx.t("bm_synthetic"))
    ch.heading(ctx.t("bm_standouts"))
    if bm.standouts.empty:  # a group too small for any sentence says so, never nan
        ch.text(ctx.t("bm_no_standouts", n=len(names) - 1))
    ch.items([_sentence(ctx, s) for s in bm.standouts["zin"].head(8)])
    years = sorted({int(y) for y in bm.comparison["jaar"]})
    credit = ctx.t("demo_source", part=ctx.t("demo_gemeenten")) if ctx.synthetic else None
    src = (
        (f"{ctx.t('synthetic_short')} — " if ctx.synthetic else "")
        + f"{ctx.t('source')}: {credit or ctx.t('bm_source')} ({', '.join(map(str, years))}) | "
        f"buurtbalans {__version__}"
    )
    themes = {
        th: ctx.t(f"theme_{th}") if f"theme_{th}" in TERMS else th for th in bm.ranks["thema"]
    }
    neutral = set(bm.comparison.loc[bm.comparison["polariteit"] == "neutraal", "indicator"])
    # the heat-table in parts that each fit a page (cut where the theme changes)
    chunks = fg.heat_chunks(bm.ranks["thema"].tolist())
    for k, rows in enumerate(chunks, start=1):
        heat = fg.rank_heat(
            bm.ranks.iloc[rows],
            labels,
            title=ctx.t("bm_heat") + (f" ({k}/{len(chunks)})" if len(chunks) > 1 else ""),
            source=src,
            themes=themes,
            neutral=neutral,
            taal=ctx.taal,
            n_rank=bm.ranks.shape[1] - 1,
        )
        ch.figure(heat, ctx.t("bm_heat_neutral") if neutral and k == len(chunks) else "")
    from buurtbalans.analysis.benchmark import group_values

    comp = bm.comparison.set_index("indicator")
    for ind in bm.standouts["indicator"].head(4):
        row = comp.loc[ind]
        vals = group_values(ctx.store, bm.gemeente, bm.peers, ind, int(row["jaar"]))
        u = unit(ctx, str(row["eenheid"]))
        ch.figure(
            fg.benchmark_bar(
                vals,
                nl=row["nl"],
                nl_label=ctx.t("nl"),
                title=f"{tables.with_unit(labels.get(ind, ind), u, ctx.taal)}, {int(row['jaar'])}",
                source=src,
                taal=ctx.taal,
            )
        )
    ch.heading(ctx.t("bm_table"))
    ch.table(_comparison(ctx, bm.comparison, labels, themes), key="benchmark", wide=True)
    return ch


def _comparison(
    ctx: ReportContext, comp: pd.DataFrame, labels: dict[str, str], themes: dict[str, str]
) -> pd.DataFrame:
    rows = []
    for r in comp.itertuples():
        u = unit(ctx, str(r.eenheid))
        dg = row_digits(r.waarde, r.nl, r.benchmark_min, r.benchmark_max, r.benchmark_gem)
        rows.append(
            {
                ctx.t("col_indicator"): tables.with_unit(
                    labels.get(r.indicator, r.indicator), u, ctx.taal
                ),
                ctx.t("col_year"): str(int(r.jaar)),
                ctx.gm_name: ctx.num(r.waarde, dg),
                ctx.t("nl"): ctx.num(r.nl, dg) if np.isfinite(r.nl) else "–",
                ctx.t(
                    "col_peers_range"
                ): f"{ctx.num(r.benchmark_min, dg)} – {ctx.num(r.benchmark_max, dg)}",
                ctx.t("col_peers_mean"): ctx.num(r.benchmark_gem, dg),
                ctx.t("col_position"): ctx.t("rank_of", rank=int(r.rang), n=int(r.n_groep)),
            }
        )
    return pd.DataFrame(rows)
