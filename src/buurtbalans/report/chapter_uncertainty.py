"""Report chapter "Hoe zeker is de index?": a rank-interval chart, the priority list with
each buurt's probability of being in the worst ``top``, and one computed sentence per
finding (Dutch or English). Every number comes from an
:class:`~buurtbalans.analysis.uncertainty.UncertaintyResult`.

The chapter is returned as data (title, HTML, matplotlib figures, tables); the report
builder places it.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.analysis.uncertainty import UncertaintyResult
from buurtbalans.spec import ClassBands

MAX_CHART_ROWS = 40
FIRM = 0.9

_FACTOR_EN = {
    "gewicht": "weight",
    "schaal": "scaling",
    "ontbrekend": "missing-data rule",
    "krimp": "shrinkage",
    "indicator weglaten": "dropping one indicator",
    "indicatorfout": "indicator error",
}

_DOMAIN_EN = {
    "inkomen": "income",
    "werk": "employment",
    "opleiding": "education",
    "gezondheid": "health",
    "huisvesting": "housing",
    "veiligheid": "safety",
    "woonomgeving": "living environment",
}

_T = {
    "title": ("Hoe zeker is de index?", "How sure is the index?"),
    "intro": (
        "De index hangt af van keuzes: de gewichten van de domeinen, de schaal, de regel voor "
        "ontbrekende gegevens, krimp naar het gemeentegemiddelde, welke indicatoren meetellen "
        "en de meetfout van de indicatoren. We rekenden de index {runs} keer door met "
        "varianten van die keuzes (Sobol/Saltelli-steekproef, seed {seed}; gevarieerd: "
        "{factors}). Rang 1 is de meest achtergestelde buurt van de gemeente in {year}.",
        "The index rests on choices: the domain weights, the scaling, the rule for missing "
        "data, shrinkage toward the gemeente, which indicators count, and the error of the "
        "indicators. We recomputed the index {runs} times with variants of those choices "
        "(Sobol/Saltelli sample, seed {seed}; varied: {factors}). Rank 1 is the gemeente's "
        "most deprived buurt in {year}.",
    ),
    "pair": (
        "{x} staat in {px} van de varianten in de slechtste {top}; {y} in {py}.",
        "{x} is among the worst {top} in {px} of the variants; {y} in {py}.",
    ),
    "firm": (
        "Van de {top} buurten op de lijst staan er {k} in minstens 90 % van de varianten in "
        "de slechtste {top}.",
        "Of the {top} buurten on the list, {k} are among the worst {top} in at least 90 % of "
        "the variants.",
    ),
    "outside": (
        "Buiten de lijst komt {x} in {px} van de varianten in de slechtste {top}.",
        "Outside the list, {x} is among the worst {top} in {px} of the variants.",
    ),
    "no_outside": (
        "Geen buurt buiten de lijst komt in meer dan 5 % van de varianten in de slechtste {top}.",
        "No buurt outside the list is among the worst {top} in more than 5 % of the variants.",
    ),
    "class": (
        "In minstens 90 % van de varianten zijn {firm} van de {n} buurten '{label}'; "
        "{shaky} van de {n} zijn het in de index zelf, maar in minder dan de helft van de "
        "varianten.",
        "In at least 90 % of the variants, {firm} of the {n} buurten are '{label}'; {shaky} "
        "of the {n} are '{label}' in the index itself but in fewer than half of the variants.",
    ),
    "sens": (
        "De rangen hangen het meest af van {a} (totale Sobol-index {sa}), gevolgd door {b} ({sb}).",
        "The ranks depend most on {a} (total Sobol index {sa}), followed by {b} ({sb}).",
    ),
    "class_driver": (
        "Of een buurt '{label}' is, hangt vooral af van {a} (totale Sobol-index {sa}): de "
        "klassegrenzen (60 = '{label}') gelden voor de schaal van de index zelf; onder een "
        "andere schaal vallen de scores anders, dus deze kans meet vooral die keuze.",
        "Whether a buurt is '{label}' depends most on {a} (total Sobol index {sa}): the class "
        "bounds (60 = '{label}') belong to the index's own scale; under another scale the "
        "scores fall differently, so this probability mostly measures that choice.",
    ),
    "change": (
        "Tussen {van} en {tot} zijn {k} van de {n} buurten in minstens 90 % van de varianten "
        "verslechterd en {m} in minstens 90 % verbeterd; bij de overige hangt de richting "
        "af van de keuzes.",
        "Between {van} and {tot}, {k} of the {n} buurten worsened in at least 90 % of the "
        "variants and {m} improved in at least 90 %; for the rest the direction depends on "
        "the choices.",
    ),
    "chart": (
        "Rang per buurt in {year}: mediaan (punt) en 90 %-interval over de varianten",
        "Rank per buurt in {year}: median (dot) and 90 % interval over the variants",
    ),
    "chart_firm": (
        "oranje: in minstens 90 % van de varianten in de slechtste {top}",
        "orange: among the worst {top} in at least 90 % of the variants",
    ),
    "chart_note": (
        "De grafiek toont de {n} buurten met de hoogste rang.",
        "The chart shows the {n} buurten with the highest rank.",
    ),
    "list": (
        "Prioriteitenlijst ({top} hoogste scores in {year}) met de kans op de slechtste {top}",
        "Priority list ({top} highest scores in {year}) with the probability of the worst {top}",
    ),
    "notes": ("Let op: ", "Note: "),
    "basis": (
        "Basis: {spec} (spec-hash {hash}), referentie {ref} ({n} rijen), jaren {years}, "
        "aannames uit {source}.",
        "Basis: {spec} (spec hash {hash}), reference {ref} ({n} rows), years {years}, "
        "assumptions from {source}.",
    ),
}

_COLS = {
    "nl": {
        "name": "buurt",
        "rang": "rang",
        "interval": "90%-interval",
        "kans_top": "kans slechtste {top}",
        "kans_zeer_hoog": "kans '{label}'",
        "klasse": "klasse",
    },
    "en": {
        "name": "neighbourhood",
        "rang": "rank",
        "interval": "90 % interval",
        "kans_top": "P(worst {top})",
        "kans_zeer_hoog": "P('{label}')",
        "klasse": "class",
    },
}


_EN_WORDS = (
    ("buurten", "neighbourhoods"),
    ("buurt", "neighbourhood"),
    ("Buurten", "Neighbourhoods"),
    ("gemeente's", "municipality's"),
    ("gemeente", "municipality"),
)


def _english(text: str) -> str:
    """The English sentences were written with the Dutch area words; say them in English."""
    for nl, en in _EN_WORDS:
        text = re.sub(rf"\b{re.escape(nl)}\b", en, text)
    return text


def _t(key: str, taal: str, **kw: Any) -> str:
    if taal == "nl":
        return _T[key][0].format(**kw)
    return _english(_T[key][1]).format(**kw)


def _pct(p: float) -> str:
    return f"{round(100 * p):d} %"


def _num(x: float, taal: str) -> str:
    text = f"{x:.2f}"
    return text.replace(".", ",") if taal == "nl" else text


def _factor(name: str, taal: str) -> str:
    if taal == "nl":
        return name
    for nl, en in _FACTOR_EN.items():
        if name == nl or name.startswith(nl + " "):
            rest = name[len(nl) :].strip()
            return f"{en} {_DOMAIN_EN.get(rest, rest)}".strip()
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
    t = result.per_year[result.per_year["period"] == year]
    return int(year), t.sort_values(["rang", "rang_mediaan"], na_position="last")


def priority_table(result: UncertaintyResult, taal: str = "nl") -> pd.DataFrame:
    """The worst ``top`` by the index itself, with interval and probabilities, then any
    buurt outside the list that is among the worst ``top`` in more than 5 % of variants."""
    _, t = _latest(result)
    top = result.top
    listed = t[t["rang"] <= top]
    outside = t[(t["rang"] > top) & (t[result.top_column] > 0.05)]
    rows = pd.concat([listed, outside])
    label = result.settings["top_class"]
    classes = rows["klasse"]
    if taal != "nl":
        label = result.settings.get("top_class_en", label)
        bands = ClassBands()
        classes = classes.map(
            dict(zip(bands.labels, bands.labels_en, strict=True)), na_action="ignore"
        )
    c = {k: v.format(top=top, label=label) for k, v in _COLS[taal].items()}
    return pd.DataFrame(
        {
            c["name"]: [_label(r) for _, r in rows.iterrows()],
            c["rang"]: rows["rang"].astype("Int64").to_numpy(),
            c["interval"]: [
                f"{lo:.0f}-{hi:.0f}"
                for lo, hi in zip(rows["rang_p05"], rows["rang_p95"], strict=True)
            ],
            c["kans_top"]: [_pct(p) for p in rows[result.top_column]],
            c["kans_zeer_hoog"]: [_pct(p) for p in rows["kans_zeer_hoog"]],
            c["klasse"]: classes.to_numpy(),
        }
    )  # fmt: skip


def findings(result: UncertaintyResult, taal: str = "nl") -> list[str]:
    """One computed sentence per finding."""
    year, t = _latest(result)
    top, col = result.top, result.top_column
    out: list[str] = []
    listed = t[t["rang"] <= top].sort_values(col, ascending=False)
    if len(listed):
        firm, weak = listed.iloc[0], listed.iloc[-1]
        out.append(
            _t("pair", taal, x=_label(firm), px=_pct(firm[col]), y=_label(weak),
               py=_pct(weak[col]), top=top)
        )  # fmt: skip
        out.append(_t("firm", taal, top=top, k=int((listed[col] >= FIRM).sum())))
    outside = t[t["rang"] > top].sort_values(col, ascending=False)
    if len(outside) and outside[col].iloc[0] > 0.05:
        o = outside.iloc[0]
        out.append(_t("outside", taal, x=_label(o), px=_pct(o[col]), top=top))
    else:
        out.append(_t("no_outside", taal, top=top))
    label = result.settings["top_class"]
    point_top = t["klasse"] == label
    shown = label if taal == "nl" else result.settings.get("top_class_en", label)
    firm_n = int((t["kans_zeer_hoog"] >= FIRM).sum())
    shaky = int((point_top & (t["kans_zeer_hoog"] < 0.5)).sum())
    n = int(t["rang"].notna().sum())
    out.append(_t("class", taal, label=shown, n=n, firm=firm_n, shaky=shaky))
    sens = result.sensitivity
    outcome = "gemiddelde rangverschuiving" + ("" if year is None else f" {year}")
    shift = sens[sens["uitkomst"] == outcome].dropna(subset=["ST"])
    if len(shift) >= 2:
        a, b = shift.sort_values("ST", ascending=False).iloc[:2].to_dict("records")
        out.append(
            _t("sens", taal, a=_factor(a["factor"], taal), sa=_num(a["ST"], taal),
               b=_factor(b["factor"], taal), sb=_num(b["ST"], taal))
        )  # fmt: skip
    classes = sens[
        sens["uitkomst"] == "aandeel klasse anders" + ("" if year is None else f" {year}")
    ]
    classes = classes.dropna(subset=["ST"]).sort_values("ST", ascending=False)
    if len(classes):
        top_factor = classes.iloc[0]
        out.append(
            _t("class_driver", taal, a=_factor(top_factor["factor"], taal),
               sa=_num(top_factor["ST"], taal), label=shown)
        )  # fmt: skip
    ch = result.change
    if ch is not None and len(ch):
        van, tot = result.settings["periods"]
        worse = int((ch["kans_verslechterd"] >= FIRM).sum())
        better = int((ch["kans_verbeterd"] >= FIRM).sum())
        out.append(_t("change", taal, van=van, tot=tot, k=worse, m=better, n=len(ch)))
    return out


def rank_interval_chart(result: UncertaintyResult, taal: str = "nl"):
    """Buurten by name on the vertical axis, median rank (dot) with the 90 % interval
    (line) and the index's own rank (open diamond); the ``MAX_CHART_ROWS`` highest ranks."""
    import_optional("matplotlib")
    from matplotlib.figure import Figure

    year, t = _latest(result)
    t = t[t["rang"].notna()].head(MAX_CHART_ROWS)
    fig = Figure(figsize=(7.0, 1.2 + 0.22 * max(len(t), 1)))
    ax = fig.add_subplot()
    y = np.arange(len(t))
    firm = t[result.top_column].to_numpy() >= FIRM
    colour = np.where(firm, "#D55E00", "#0072B2")
    ax.hlines(y, t["rang_p05"], t["rang_p95"], color=colour, linewidth=2.2)
    ax.scatter(
        t["rang_mediaan"],
        y,
        color=colour,
        zorder=3,
        s=18,
        label="mediaan" if taal == "nl" else "median",
    )
    ax.scatter(t["rang"], y, facecolors="none", edgecolors="#000000", marker="D", s=16, zorder=4,
               label="index")  # fmt: skip
    ax.axvline(result.top + 0.5, color="#999999", linestyle="--", linewidth=0.8)
    ax.set_yticks(y, [_label(r) for _, r in t.iterrows()], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("rang (1 = meest achtergesteld)" if taal == "nl" else "rank (1 = most deprived)")
    title = _t("chart", taal, year=year) + "\n" + _t("chart_firm", taal, top=result.top)
    ax.set_title(title, fontsize=9, loc="left")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", color="#eeeeee")
    fig.tight_layout()
    return fig


def build_uncertainty_chapter(result: UncertaintyResult, taal: str = "nl") -> dict[str, Any]:
    """The chapter: ``{"title", "html", "figures", "tables"}`` in Dutch (``"nl"``) or
    English (``"en"``)."""
    if taal not in ("nl", "en"):
        raise ValueError(f"taal {taal!r}: use 'nl' or 'en'")
    s = result.settings
    year, t = _latest(result)
    factors = ", ".join(_factor(f, taal) for f in s["factors"]) or "-"
    intro = _t("intro", taal, runs=s["runs"], seed=s["seed"], factors=factors, year=year)
    parts = [f"<p>{html.escape(intro)}</p>"]
    items = "".join(f"<li>{html.escape(x)}</li>" for x in findings(result, taal))
    parts.append(f"<ul>{items}</ul>")
    if int(t["rang"].notna().sum()) > MAX_CHART_ROWS:
        parts.append(f"<p>{html.escape(_t('chart_note', taal, n=MAX_CHART_ROWS))}</p>")
    prio = priority_table(result, taal)
    parts.append(f"<h3>{html.escape(_t('list', taal, top=result.top, year=year))}</h3>")
    parts.append(prio.to_html(index=False, border=0, classes="tabel", na_rep="-"))
    basis = _t(
        "basis",
        taal,
        spec=s["spec_name"],
        hash=s["spec_hash"][:12],
        ref=s["reference"],
        n=s["n_reference"],
        years=", ".join(str(y) for y in s["periods"]) or "-",
        source=s["assumptions"]["source"],
    )
    parts.append(f"<p class='bron'>{html.escape(basis)}</p>")
    if s.get("notes"):
        parts.append(f"<p>{_t('notes', taal)}{html.escape('; '.join(s['notes']))}</p>")
    tables = {"prioriteitenlijst" if taal == "nl" else "priority list": prio, **result.tables()}
    return {
        "title": _t("title", taal),
        "html": "\n".join(parts),
        "figures": [rank_interval_chart(result, taal)],
        "tables": tables,
    }
