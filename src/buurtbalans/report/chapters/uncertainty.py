"""Chapter "Hoe zeker is de index?": the uncertainty analysis of
:mod:`buurtbalans.analysis.uncertainty` on the same basis (domains, reference, vintage) as
the change analysis — a rank-interval chart, the priority list with each buurt's
probability of being in the worst ``top``, and one computed sentence per finding. Every
word comes from the catalogue (``unc_*``), every number from an
:class:`~buurtbalans.analysis.uncertainty.UncertaintyResult`.

:func:`build_uncertainty_chapter` also returns the chapter on its own, as data (title,
HTML, matplotlib figures, tables).
"""

from __future__ import annotations

import html
import io
from typing import Any

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.analysis.uncertainty import UncertaintyResult
from buurtbalans.errors import BuurtbalansError
from buurtbalans.report.context import Chapter, ReportContext
from buurtbalans.report.figures import DPI, Figure
from buurtbalans.spec import ClassBands
from buurtbalans.terms import TERMS, t

MAX_CHART_ROWS = 40
FIRM = 0.9
LIST_COLOUR, OTHER_COLOUR = "#D55E00", "#0072B2"


def _pct(p: float) -> str:
    return f"{round(100 * p):d} %"


def _num(x: float, taal: str) -> str:
    text = f"{x:.2f}"
    return text.replace(".", ",") if taal == "nl" else text


def _domain_words(taal: str) -> dict[str, str]:
    from buurtbalans.spec import load_spec

    return {
        d.id: ((d.label_nl if taal == "nl" else d.label_en) or d.id).lower()
        for d in load_spec("mdi").domains
    }


def factor_label(name: str, taal: str) -> str:
    """A varied factor ('gewicht inkomen') in ``taal`` ('weight income')."""
    for key in sorted((k for k in TERMS if k.startswith("unc_f_")), key=len, reverse=True):
        nl = key.removeprefix("unc_f_").replace("_", " ")
        if name == nl or name.startswith(nl + " "):
            rest = name[len(nl) :].strip()
            return f"{t(key, taal)} {_domain_words(taal).get(rest, rest)}".strip()
    return name


OUTCOMES = (  # the sensitivity outcomes of analysis.uncertainty, by their name there
    ("gemiddelde rangverschuiving", "unc_out_shift"),
    ("aandeel klasse anders", "unc_out_class"),
    ("aandeel richting anders", "unc_out_direction"),
)


def outcome_label(name: str, taal: str) -> str:
    """A sensitivity outcome ('aandeel klasse anders 2024') in ``taal`` ('share in
    another class 2024')."""
    for prefix, key in OUTCOMES:
        if name.startswith(prefix):
            return f"{t(key, taal)}{name[len(prefix) :]}"
    return name


def _label(row: pd.Series) -> str:
    name = row.get("name")
    return str(name) if isinstance(name, str) and name else str(row["area_code"])


def _latest(result: UncertaintyResult) -> tuple[int | None, pd.DataFrame]:
    """The latest year and its rows (all rows, year None, for a result without periods)."""
    periods = result.settings["periods"]
    if not periods:
        return None, result.per_year.sort_values(["rang", "rang_mediaan"], na_position="last")
    year = max(periods)
    rows = result.per_year[result.per_year["period"] == year]
    return int(year), rows.sort_values(["rang", "rang_mediaan"], na_position="last")


def _top_label(result: UncertaintyResult, taal: str) -> str:
    label = result.settings["top_class"]
    return label if taal == "nl" else result.settings.get("top_class_en", label)


def priority_table(result: UncertaintyResult, taal: str = "nl") -> pd.DataFrame:
    """The worst ``top`` by the index itself, with interval and probabilities, then any
    buurt outside the list that is among the worst ``top`` in more than 5 % of variants."""
    _, rows_all = _latest(result)
    top = result.top
    listed = rows_all[rows_all["rang"] <= top]
    outside = rows_all[(rows_all["rang"] > top) & (rows_all[result.top_column] > 0.05)]
    rows = pd.concat([listed, outside])
    label = _top_label(result, taal)
    classes = rows["klasse"]
    if taal != "nl":
        bands = ClassBands()
        classes = classes.map(
            dict(zip(bands.labels, bands.labels_en, strict=True)), na_action="ignore"
        )

    def c(key: str) -> str:
        return t(f"unc_col_{key}", taal, top=top, label=label)

    return pd.DataFrame(
        {
            c("name"): [_label(r) for _, r in rows.iterrows()],
            c("rang"): rows["rang"].astype("Int64").to_numpy(),
            c("interval"): [
                f"{lo:.0f}–{hi:.0f}"
                for lo, hi in zip(rows["rang_p05"], rows["rang_p95"], strict=True)
            ],
            c("kans_top"): [_pct(p) for p in rows[result.top_column]],
            c("kans_zeer_hoog"): [_pct(p) for p in rows["kans_zeer_hoog"]],
            c("klasse"): classes.fillna("–").to_numpy(),
        }
    )


def list_caption(result: UncertaintyResult, prio: pd.DataFrame, year: int, taal: str) -> str:
    """The priority list's caption with the list's real size: the ``top`` highest scores
    and the buurten outside them that are among the worst ``top`` in more than 5 % of the
    variants (so the caption never says 10 above 12 rows)."""
    listed = min(result.top, len(prio))
    if len(prio) <= listed:
        return t("unc_list", taal, top=listed, year=year)
    return t("unc_list_rows", taal, top=listed, n=len(prio) - listed, rows=len(prio), year=year)


def findings(result: UncertaintyResult, taal: str = "nl") -> list[str]:
    """One computed sentence per finding."""
    year, rows = _latest(result)
    top, col = result.top, result.top_column
    out: list[str] = []
    listed = rows[rows["rang"] <= top].sort_values(col, ascending=False)
    if len(listed):
        firm, weak = listed.iloc[0], listed.iloc[-1]
        out.append(
            t("unc_pair", taal, x=_label(firm), px=_pct(firm[col]), y=_label(weak),
              py=_pct(weak[col]), top=top)
        )  # fmt: skip
        out.append(t("unc_firm", taal, top=top, n=int((listed[col] >= FIRM).sum())))
    outside = rows[rows["rang"] > top].sort_values(col, ascending=False)
    if len(outside) and outside[col].iloc[0] > 0.05:
        o = outside.iloc[0]
        out.append(t("unc_outside", taal, x=_label(o), px=_pct(o[col]), top=top))
    else:
        out.append(t("unc_no_outside", taal, top=top))
    point_top = rows["klasse"] == result.settings["top_class"]
    shown = _top_label(result, taal)
    firm_n = int((rows["kans_zeer_hoog"] >= FIRM).sum())
    shaky = int((point_top & (rows["kans_zeer_hoog"] < 0.5)).sum())
    total = int(rows["rang"].notna().sum())
    sentence = t("unc_class_firm", taal, label=shown, total=total, n=firm_n)
    sentence += " " + (
        t("unc_class_shaky", taal, label=shown, n=shaky)
        if shaky
        else t("unc_class_shaky_none", taal, label=shown)
    )
    out.append(sentence)
    sens = result.sensitivity
    outcome = "gemiddelde rangverschuiving" + ("" if year is None else f" {year}")
    shift = sens[sens["uitkomst"] == outcome].dropna(subset=["ST"])
    if len(shift) >= 2:
        a, b = shift.sort_values("ST", ascending=False).iloc[:2].to_dict("records")
        out.append(
            t("unc_sens", taal, a=factor_label(a["factor"], taal), sa=_num(a["ST"], taal),
              b=factor_label(b["factor"], taal), sb=_num(b["ST"], taal))
        )  # fmt: skip
    classes = sens[
        sens["uitkomst"] == "aandeel klasse anders" + ("" if year is None else f" {year}")
    ]
    classes = classes.dropna(subset=["ST"]).sort_values("ST", ascending=False)
    if len(classes):
        top_factor = classes.iloc[0]
        out.append(
            t("unc_class_driver", taal, a=factor_label(top_factor["factor"], taal),
              sa=_num(top_factor["ST"], taal), label=shown)
        )  # fmt: skip
    ch = result.change
    if ch is not None and len(ch):
        van, tot = result.settings["periods"]
        worse = int((ch["kans_verslechterd"] >= FIRM).sum())
        better = int((ch["kans_verbeterd"] >= FIRM).sum())
        out.append(t("unc_direction", taal, van=van, tot=tot, n=worse, m=better, total=len(ch)))
    return out


def chart_title(result: UncertaintyResult, taal: str) -> str:
    """The chart's title: what it shows, for which year, and how many of the buurten."""
    year, rows = _latest(result)
    total = int(rows["rang"].notna().sum())
    shown = min(total, MAX_CHART_ROWS)
    which = (
        t("unc_chart_shown", taal, shown=shown, total=total)
        if shown < total
        else t("unc_chart_all", taal, total=total)
    )
    return f"{t('unc_chart', taal, year=year)}; {which}"


def rank_interval_chart(result: UncertaintyResult, taal: str = "nl"):
    """Buurten by name on the vertical axis, median rank (dot) with the 90 % interval
    (line) and the index's own rank (open diamond); the ``MAX_CHART_ROWS`` highest ranks,
    the title says how many of all. The legend shows both colours as drawn."""
    import_optional("matplotlib")
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D

    _, rows = _latest(result)
    rows = rows[rows["rang"].notna()].head(MAX_CHART_ROWS)
    fig = MplFigure(figsize=(7.0, 1.4 + 0.22 * max(len(rows), 1)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    firm = rows[result.top_column].to_numpy() >= FIRM
    colour = np.where(firm, LIST_COLOUR, OTHER_COLOUR)
    ax.hlines(y, rows["rang_p05"], rows["rang_p95"], color=colour, linewidth=2.2)
    ax.scatter(rows["rang_mediaan"], y, color=colour, zorder=3, s=18)
    ax.scatter(rows["rang"], y, facecolors="none", edgecolors="#000000", marker="D", s=16,
               zorder=4)  # fmt: skip
    ax.axvline(result.top + 0.5, color="#999999", linestyle="--", linewidth=0.8)
    ax.set_yticks(y, [_label(r) for _, r in rows.iterrows()], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(t("unc_axis", taal))
    wrapped = "\n".join(_wrap(chart_title(result, taal), 78))
    ax.set_title(wrapped, fontsize=9, loc="left")
    top = result.top
    firm_label = t("unc_legend_firm", taal, top=top)
    other_label = t("unc_legend_other", taal, top=top)
    handles = [
        Line2D([], [], color=LIST_COLOUR, marker="o", lw=2.2, label=firm_label),
        Line2D([], [], color=OTHER_COLOUR, marker="o", lw=2.2, label=other_label),
        Line2D([], [], color="#000000", marker="D", mfc="none", lw=0,
               label=t("unc_legend_index", taal)),
    ]  # fmt: skip
    ax.legend(handles=handles, fontsize=7, loc="upper right")  # the worst ranks are top left
    ax.grid(axis="x", color="#eeeeee")
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


def build_uncertainty_chapter(result: UncertaintyResult, taal: str = "nl") -> dict[str, Any]:
    """The chapter on its own: ``{"title", "html", "figures", "tables"}`` in Dutch
    (``"nl"``) or English (``"en"``)."""
    if taal not in ("nl", "en"):
        raise ValueError(f"taal {taal!r}: use 'nl' or 'en'")
    s = result.settings
    year, rows = _latest(result)
    factors = ", ".join(factor_label(f, taal) for f in s["factors"]) or "–"
    intro = t("unc_intro", taal, runs=s["runs"], seed=s["seed"], factors=factors, year=year)
    parts = [f"<p>{html.escape(intro)}</p>"]
    items = "".join(f"<li>{html.escape(x)}</li>" for x in findings(result, taal))
    parts.append(f"<ul>{items}</ul>")
    total = int(rows["rang"].notna().sum())
    if total > MAX_CHART_ROWS:
        note = t("unc_chart_note", taal, n=MAX_CHART_ROWS, total=total)
        parts.append(f"<p>{html.escape(note)}</p>")
    prio = priority_table(result, taal)
    parts.append(f"<h3>{html.escape(list_caption(result, prio, year, taal))}</h3>")
    parts.append(prio.to_html(index=False, border=0, classes="tabel", na_rep="–"))
    basis = t(
        "unc_basis",
        taal,
        spec=s["spec_name"],
        hash=s["spec_hash"][:12],
        ref=s["reference"],
        n=s["n_reference"],
        years=", ".join(str(y) for y in s["periods"]) or "–",
        source=s["assumptions"]["source"],
    )
    parts.append(f"<p class='bron'>{html.escape(basis)}</p>")
    if s.get("notes"):
        parts.append(f"<p>{t('unc_notes', taal)}{html.escape('; '.join(s['notes']))}</p>")
    tables = {t("unc_table_name", taal): prio, **result.tables()}
    return {
        "title": t("unc_title", taal),
        "html": "\n".join(parts),
        "figures": [rank_interval_chart(result, taal)],
        "tables": tables,
    }


# -- the report chapter -----------------------------------------------------------------------
def _figure(fig, title: str) -> Figure:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    width = float(fig.get_size_inches()[0])
    return Figure(buf.getvalue(), True, len(fig.axes), title, "chart", width)


def build_uncertainty(ctx: ReportContext) -> Chapter | None:
    """Rank intervals, P(in the worst 10) per buurt on the priority list, Sobol sentences."""
    from buurtbalans.analysis.pipeline import analysis_uncertainty

    if ctx.store is None:
        return None
    try:  # the one run of this analysis (shared with the priorities' robustness)
        result = analysis_uncertainty(ctx.store, ctx.analysis, ctx.gemeente)
    except BuurtbalansError as exc:
        ctx.notes.append(f"{ctx.t('unc_missing')} {exc}")
        return None
    s = result.settings
    year, rows = _latest(result)
    factors = ", ".join(factor_label(f, ctx.taal) for f in s["factors"]) or "–"
    ch = Chapter("onzekerheid", ctx.t("unc_title"))
    ch.text(ctx.t("unc_intro", runs=s["runs"], seed=s["seed"], factors=factors, year=year))
    ch.items(findings(result, ctx.taal))
    chart = rank_interval_chart(result, ctx.taal)
    ch.figure(_figure(chart, chart_title(result, ctx.taal)))
    total = int(rows["rang"].notna().sum())
    if total > MAX_CHART_ROWS:
        ch.note(ctx.t("unc_chart_note", n=MAX_CHART_ROWS, total=total))
    prio = priority_table(result, ctx.taal)
    ch.table(
        prio,
        list_caption(result, prio, year, ctx.taal),
        key="onzekerheid" if ctx.taal == "nl" else "uncertainty",
    )
    if s.get("notes"):
        ch.note(ctx.t("unc_notes") + "; ".join(s["notes"]))
    return ch
