"""Which buurten first? Table 1 in council form (each option's MDI range, social-domain
cost per resident against the gemeente, residents and share, one sentence per option),
the overlap between the lists, and the profile of the worst buurten against the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans.report import figures as fg
from buurtbalans.report import tables
from buurtbalans.report.chapters.method import indicator_label
from buurtbalans.report.context import Chapter, ReportContext, fmt_range
from buurtbalans.sources.codebook import catalogue

OPTION_KEYS = ("hoogste_score", "meeste_inwoners", "hoogste_kosten", "minste_verbetering")
PROFILE_INDICATORS = (
    "kosten_sociaal_domein",
    "p_hh_li",
    "p_hh_lkk",
    "g_hh_sti",
    "a_soz_wb",
    "p_arb_pp",
    "p_wcorpw",
    "p_huurw",
    "p_koopw",
    "g_woz",
    "p_wmo_t",
    "gz_ervaren_goed",
    "gz_langdurig_ziek_beperkt",
    "gz_angst_depressie_hoog",
    "lbm_onv",
)


def build_priorities(ctx: ReportContext) -> Chapter | None:
    """Chapter 'Prioritering'."""
    if ctx.priorities is None:
        return None
    _summary, selections, overlap, rob = ctx.priorities
    ch = Chapter("prioritering", ctx.t("priorities"))
    top = ctx.class_with_ref(ctx.spec.classes.labels[-1])
    n_cand = int((ctx.analysis.change[f"class_{ctx.tot}"] == ctx.spec.classes.labels[-1]).sum())
    ch.text(ctx.t("prio_intro", n=n_cand, top=top, tot=ctx.tot))
    gm_cost = next(
        (s.summary.get("kosten_per_inwoner_gemeente") for s in selections if s.summary), None
    )
    rows, sentences = [], []
    for i, sel in enumerate(selections, start=1):
        s = sel.summary
        key = s.get("optie", sel.option.id)
        label = ctx.t(f"opt_{key}", tot=ctx.tot, van=ctx.van) if key in OPTION_KEYS else str(key)
        if s.get("status", "ok") != "ok":
            rows.append(
                {
                    ctx.t("col_option"): f"{i}. {label}",
                    ctx.t("col_range"): "–",
                    ctx.t("col_cost"): "–",
                    ctx.t("col_residents_share"): "–",
                }
            )
            sentences.append(f"{i}. {_refusal(ctx, label, str(s.get('status', '')))}")
            continue
        cost = s.get("kosten_per_inwoner")
        unknown = _unknown_population(sel.buurten)
        rows.append(
            {
                ctx.t("col_option"): f"{i}. {label}",
                ctx.t("col_range"): fmt_range(s["score_min"], s["score_max"], ctx.taal),
                ctx.t("col_cost"): ctx.euro(cost),
                ctx.t("col_residents_share"): _reach_cell(ctx, s, unknown, len(sel.buurten)),
            }
        )
        codes = sel.buurten["area_code"].tolist()
        slots = {
            "i": i,
            "option": label,
            "n": len(codes),
            "res": ctx.num(s["inwoners"], 0),
            "share": ctx.num(s["aandeel_inwoners"], 0),
            "lo": ctx.num(s["score_min"], 1),
            "hi": ctx.num(s["score_max"], 1),
        }
        if unknown == len(codes):  # unknown population is unknown, never 0
            text = ctx.t("opt_sentence_unknown", **slots)
        elif unknown:
            text = ctx.t("opt_sentence_partial", **{**slots, "n": unknown})
        else:
            text = ctx.t("opt_sentence", **slots)
        if cost is not None and gm_cost and np.isfinite(cost):
            text += " " + ctx.t(
                "opt_cost",
                cost=ctx.euro(cost),
                gm=ctx.euro(gm_cost),
                ratio=ctx.num(cost / gm_cost, 1),
            )
        text += " " + ctx.t("opt_buurten", buurten=ctx.buurt_list(codes, 4))
        sentences.append(text)
    ch_all = ctx.analysis.change
    rows.append(
        {
            ctx.t("col_option"): ctx.t("opt_gemeente", gemeente=ctx.gm_name),
            ctx.t("col_range"): fmt_range(
                ch_all[f"score_{ctx.tot}"].min(), ch_all[f"score_{ctx.tot}"].max(), ctx.taal
            ),
            ctx.t("col_cost"): ctx.euro(gm_cost),
            ctx.t("col_residents_share"): ctx.t(
                "residents_share", n=ctx.num(ch_all["inwoners"].sum(), 0), share="100"
            )
            if ch_all["inwoners"].notna().any()
            else ctx.t("unknown"),
        }
    )
    caption = ctx.t("table1_caption", top=top, tot=ctx.tot)
    if gm_cost:
        caption += " " + ctx.t("table1_gm_cost", gemeente=ctx.gm_name, cost=ctx.euro(gm_cost))
    ch.table(pd.DataFrame(rows), caption, key="prioritering")
    ch.items(sentences)
    if not overlap.empty:
        lists = {k: ctx.t(f"optshort_{k}") for k in OPTION_KEYS}
        names = {c: ctx.buurt(c) for c in overlap["area_code"]}
        computed = sum(1 for sel in selections if sel.summary.get("status", "ok") == "ok")
        all4 = overlap.loc[overlap.get("aantal_lijsten", 0) == computed, "area_code"].tolist()
        if computed == len(lists):
            ch.text(
                ctx.t("overlap_text", n=len(all4), buurten=ctx.buurt_list(all4, 8))
                if all4
                else ctx.t("overlap_none")
            )
        else:  # "alle vier" only when all four could be computed
            ch.text(
                ctx.t(
                    "overlap_text_some",
                    n=len(all4),
                    k=computed,
                    buurten=ctx.buurt_list(all4, 8) or "–",
                )
            )
        ch.figure(
            fg.overlap_chart(
                overlap, title=ctx.t("overlap"), source=ctx.source_line, lists=lists, names=names
            )
        )
    if rob is not None and not rob.empty and "robuust" in rob:
        robust = rob.loc[rob["robuust"].astype(bool), "area_code"].tolist()
        ch.text(ctx.t("robust_text", n=len(robust), buurten=ctx.buurt_list(robust, 10) or "–"))
    return ch


def _unknown_population(chosen: pd.DataFrame) -> int:
    """How many of the chosen buurten have no population figure."""
    if "inwoners" not in chosen:
        return len(chosen)
    return int(chosen["inwoners"].isna().sum())


def _reach_cell(ctx: ReportContext, s: dict, unknown: int, n: int) -> str:
    """'1.234 (5 %)'; 'onbekend' without population; '≥ 1.234' when some are unknown."""
    if unknown == n:
        return ctx.t("unknown")
    if unknown:
        return f"≥ {ctx.num(s['inwoners'], 0)}"
    return ctx.t(
        "residents_share", n=ctx.num(s["inwoners"], 0), share=ctx.num(s["aandeel_inwoners"], 0)
    )


def _refusal(ctx: ReportContext, label: str, status: str) -> str:
    """Why an option could not be computed — its own reason: no cost table, or no data
    for the column it ranks by (e.g. no population for 'meeste inwoners')."""
    from buurtbalans.analysis.priorities import NO_COST
    from buurtbalans.report.terms import TERMS

    if status == NO_COST:
        return ctx.t("opt_no_data", option=label)
    prefix = "geen gegevens voor "
    if status.startswith(prefix):
        cols = [c.strip() for c in status.removeprefix(prefix).split(",")]
        what = [
            ctx.t(f"opt_what_{c}") if f"opt_what_{c}" in TERMS else indicator_label(ctx, c)
            for c in cols
        ]
        return ctx.t("opt_no_column", option=label, what=f" {ctx.t('and')} ".join(what))
    return ctx.t("opt_no_data", option=label)


def build_profile(ctx: ReportContext) -> Chapter | None:
    """Chapter 'Profiel van de buurten met de hoogste scores': the 10 worst buurten
    against the other buurten and the gemeente, on every profile indicator the store has
    (and saying which are missing)."""
    from buurtbalans.index.store_mode import load_columns

    if ctx.store is None:
        return None
    tot = ctx.tot
    cat = catalogue()
    wanted = [i for i in PROFILE_INDICATORS if i in cat]
    data = load_columns(ctx.store, wanted, ctx.gemeente, [tot], vintage=ctx.analysis.vintage)
    ch = Chapter("profiel", ctx.t("h_profile"))
    scores = ctx.analysis.change.set_index("area_code")[f"score_{tot}"].dropna()
    worst = scores.sort_values().tail(10).index
    rest = scores.index.difference(worst)
    ch.text(ctx.t("profile_intro", n=len(worst), tot=tot, buurten=ctx.buurt_list(list(worst), 10)))
    if data.empty:
        ch.note(ctx.t("profile_missing", labels=", ".join(_label(ctx, i) for i in wanted)))
        return ch
    d = data[data["period"] == tot].set_index("area_code") if "period" in data else data
    pop = ctx.analysis.change.set_index("area_code")["inwoners"].reindex(d.index).fillna(0)
    rows, missing = [], []
    for ind in wanted:
        if ind not in d or d[ind].isna().all():
            missing.append(_label(ctx, ind))
            continue
        values = d[ind]
        if ind == "kosten_sociaal_domein":  # a total per buurt: show it per resident
            groups = [
                values.reindex(idx).sum() / pop.reindex(idx).sum()
                if pop.reindex(idx).sum()
                else np.nan
                for idx in (worst, rest, d.index)
            ]
            fmt = ctx.euro
        elif cat[ind].kind == "count":
            groups = [
                100 * values.reindex(idx).sum() / pop.reindex(idx).sum()
                for idx in (worst, rest, d.index)
            ]
            fmt = _plain(ctx, "")  # per 100 residents, said in the label
        else:
            groups = [_wmean(values, pop, idx) for idx in (worst, rest, d.index)]
            fmt = _plain(ctx, "\u00a0%" if cat[ind].unit == "%" else "", digits=1)
        shown_unit = tables.unit(str(cat[ind].unit or ""), ctx.taal)
        bare = _bare(_label(ctx, ind))
        said = _bare(str(cat[ind].unit or "")) in bare or _bare(shown_unit) in bare
        if cat[ind].kind == "count" or ind == "kosten_sociaal_domein" or shown_unit in ("", "%"):
            shown_unit = ""  # said in the label already, or in the numbers themselves
        elif said:
            shown_unit = ""
        ratio = groups[0] / groups[1] if groups[1] and groups[0] > 0 < groups[1] else np.nan
        rows.append(
            {
                ctx.t("col_indicator"): _label(ctx, ind)
                + (f" ({ctx.t('per_resident')})" if ind == "kosten_sociaal_domein" else "")
                + (
                    f" ({ctx.t('per_100')})"
                    if cat[ind].kind == "count" and ind != "kosten_sociaal_domein"
                    else ""
                )
                + (f" ({shown_unit})" if shown_unit else ""),
                ctx.t("col_worst", n=len(worst)): fmt(groups[0]),
                ctx.t("col_rest"): fmt(groups[1]),
                ctx.t("col_gemeente"): fmt(groups[2]),
                ctx.t("col_ratio"): ctx.num(ratio, 1) if np.isfinite(ratio) else "–",
            }
        )
    if rows:
        ch.table(pd.DataFrame(rows), ctx.t("profile_caption", tot=tot), key="profiel")
        big = [r for r in rows if _ratio(r, ctx) >= 1.5 or 0 < _ratio(r, ctx) <= 0.67]
        if big:
            ch.text(
                ctx.t(
                    "profile_text",
                    labels=", ".join(r[ctx.t("col_indicator")].lower() for r in big[:5]),
                )
            )
    if missing:
        ch.note(ctx.t("profile_missing", labels=", ".join(missing)))
    return ch


def _plain(ctx: ReportContext, unit: str, digits: int | None = None):
    """A formatter: the number in the report's style (``digits`` fixed decimals) with
    ``unit`` after it."""

    def fmt(value: float) -> str:
        return ctx.num(value, digits) + unit if np.isfinite(value) else "–"

    return fmt


def _bare(text: str) -> str:
    """Text without spaces and separators, to see whether a label already names its unit."""
    return "".join(ch for ch in text if ch not in " .,\u00a0")


def _ratio(row: dict, ctx: ReportContext) -> float:
    text = row[ctx.t("col_ratio")]
    try:
        return float(text.replace(".", "").replace(",", ".") if ctx.taal == "nl" else text)
    except ValueError:
        return 1.0


def _wmean(values: pd.Series, pop: pd.Series, idx: pd.Index) -> float:
    v, w = values.reindex(idx), pop.reindex(idx)
    ok = v.notna() & (w > 0)
    if not ok.any():
        return float(v.mean()) if v.notna().any() else np.nan
    return float(np.average(v[ok], weights=w[ok]))


def _label(ctx: ReportContext, ind: str) -> str:
    return indicator_label(ctx, ind)
