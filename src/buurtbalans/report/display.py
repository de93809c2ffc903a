"""The analysis tables as the reader sees them (dashboard and console): the frames of
the analyses (as :mod:`buurtbalans.web.views` returns them) through the report's table definitions
(:mod:`buurtbalans.report.tables`) in one language — labelled columns with units, fixed
decimals, booleans as words, option, indicator, class and source names from the catalogue."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from buurtbalans.analysis.benchmark import DEFAULT_FEATURES
from buurtbalans.analysis.veerkracht import label_en
from buurtbalans.report.tables import (
    TABLES,
    Col,
    Words,
    display,
    source_title,
    translate_units,
)
from buurtbalans.terms import percent, t, words

SYNTHETIC_PUBLISHER = "SYNTHETISCHE DEMODATA"


def _words(taal: str, classes: dict[str, str] | None, names: dict[str, str], **f) -> Words:
    return Words.for_language(taal, classes=classes, names=names, **f)


def spec_words(spec: Any, taal: str, names: dict[str, str] | None = None) -> Words:
    """Words for the frames of an index spec: its class and domain names in ``taal``."""
    shown = spec.classes.labels_en if taal == "en" else spec.classes.labels
    domains = {d.id: (d.label_nl if taal == "nl" else d.label_en) or d.id for d in spec.domains}
    return _words(
        taal, dict(zip(spec.classes.labels, shown, strict=False)), names or {}, domains=domains
    )


def index_table(
    table: pd.DataFrame, spec: Any, taal: str, own: list[str] | None = None
) -> dict[str, Any]:
    """An index (``IndexResult.output_columns()``) as a labelled table: the columns a user
    named (own data) as they are, the domain scores under the domains' names."""
    w = spec_words(spec, taal)
    base = TABLES["index"]
    mine = [Col(c, "tcol_code", "text") for c in own or [] if c not in ("area_code", "period")]
    domains = [Col(d, "tcol_domain", "num1") for d in w.domains if d in table.columns]
    heading = {c.key: c.key for c in mine} | {c.key: w.domains[c.key] for c in domains}
    return display(table, [*mine, *base[:3], *domains, *base[3:]], w, heading)


def _gap_label(measure: str, taal: str) -> str:
    """``slechtste_decile`` → 'slechtste 10 % van de buurten (gemiddelde score)'."""
    side, _, size = measure.partition("_")
    side = {"slechtste": "worst", "beste": "best", "gap": "gap"}.get(side, "")
    if side and size in ("decile", "quintile"):
        share = percent(0.1 if size == "decile" else 0.2, taal)
        return t(f"gap_{side}_share", taal, share=share)
    if side and size.isdigit():
        return t(f"gap_{side}_n", taal, n=int(size))
    return measure.replace("_", " ")


def change(a: Any, taal: str) -> dict[str, dict[str, Any]]:
    """The tables of a change analysis: direction summary, class transitions, contribution
    per domain and the gap between worst and best, labelled in ``taal``."""
    w = spec_words(a.index.run.spec, taal)
    trans = a.transitions
    van = trans.index.name
    matrix = trans.rename_axis("klasse").reset_index()
    matrix.columns = [str(c) for c in matrix.columns]
    classes = [str(c) for c in trans.columns]
    gaps = a.polarisation.gaps
    years = [str(int(y)) for y in gaps["jaar"]]
    gap_rows = pd.DataFrame(
        [
            {"maat": _gap_label(m, taal), **dict(zip(years, gaps[m].tolist(), strict=True))}
            for m in gaps.columns
            if m != "jaar"
        ]
    )
    return {
        "summary": display(a.summary, "change_summary", w),
        "transitions": display(
            matrix,
            [
                Col("klasse", "tcol_class_from", "class"),
                *(Col(c, "tcol_class", "int") for c in classes),
            ],
            w,
            {"klasse": t("tcol_class_from", taal, year=van)}
            | {c: w.classes.get(c, c) for c in classes},
        ),
        "decomposition": display(a.decomposition, "decomposition", w),
        "gaps": display(
            gap_rows,
            [Col("maat", "tcol_measure"), *(Col(y, "tcol_year", "num1") for y in years)],
            w,
            {y: y for y in years},
        ),
    }


def priorities(
    tables: dict[str, pd.DataFrame],
    taal: str,
    names: dict[str, str],
    van: int,
    jaar: int,
) -> dict[str, Any]:
    """Options summary, one list per option, overlap and robustness."""
    w = _words(taal, None, names, van=van, tot=jaar)
    lists = tables["lists"]
    per_option = []
    if not lists.empty:
        for option, part in lists.groupby("optie", sort=False):
            per_option.append(
                {
                    "title": t(f"opt_{option}", taal, van=van, tot=jaar)
                    if f"opt_{option}" in _terms()
                    else str(option),
                    "table": display(part, "prio_list", w),
                }
            )
    return {
        "summary": display(tables["summary"], "prio_summary", w),
        "lists": per_option,
        "overlap": display(tables["overlap"], "overlap", w),
        "robustness": display(tables["robustness"], "robustness", w),
    }


def _terms() -> dict[str, Any]:
    from buurtbalans.terms import TERMS

    return TERMS


def veerkracht_crosstab(cross: pd.DataFrame, taal: str) -> dict[str, Any]:
    """Veerkracht type (map 7) × corporation ownership: counts per class."""
    first = cross.columns[0]
    frame = cross.copy()
    frame[first] = [label_en(str(v)) if taal == "en" else str(v) for v in frame[first]]
    heading = {first: t("tcol_vk_type", taal)}
    cols = [Col(first, "tcol_vk_type", "text")]
    for c in frame.columns[1:]:
        heading[str(c)] = t("no_data", taal) if str(c) == "geen gegevens" else str(c)
        cols.append(Col(str(c), "tcol_count", "int"))
    frame.columns = [str(c) for c in frame.columns]
    return display(frame, cols, _words(taal, None, {}), heading=heading)


def _peer_columns(peers: pd.DataFrame, w: Any) -> tuple[list[str], dict[str, str], list[Col]]:
    """The feature columns of a peer table (``a_inw_2024`` …), their headings and columns."""
    feats = [c for c in peers.columns if re.fullmatch(r"[a-z0-9_]+_\d{4}", str(c))]
    heading = {}
    cols = [Col("naam", "tcol_gemeente", "name"), Col("afstand", "tcol_distance", "num2")]
    for c in feats:
        ind, year = c.rsplit("_", 1)
        heading[c] = f"{w.indicators.get(ind, ind)} ({year})"
        cols.append(Col(c, "tcol_indicator", "num"))
    return feats, heading, cols


def peer_notes(peers: pd.DataFrame, method: str, taal: str, gemeente_name: str) -> list[str]:
    """How the peers were chosen and on which characteristics (and which were not
    available), in ``taal``: the sentences above a benchmark, never the raw criteria."""
    w = _words(taal, None, {})
    feats, heading, _ = _peer_columns(peers, w)
    n = max(len(peers) - 1, 0)
    if n == 0:  # nothing to compare with: say so instead of "1 of 1" and empty means
        return [t("bm_no_peers", taal, gemeente=gemeente_name)]
    feature_words = words([heading[c] for c in feats], taal)
    if method == "auto":
        notes = [t("bm_method_auto", taal, n=n, gemeente=gemeente_name, features=feature_words)]
    elif method == "regel":
        notes = [t("bm_method_rule", taal, features=feature_words)]
    else:
        notes = [t("bm_method_given", taal)]
    used = {c.rsplit("_", 1)[0] for c in feats}
    missing = [w.indicators.get(f, f) for f, _ in DEFAULT_FEATURES if f not in used]
    if missing and method != "gegeven":
        notes.append(t("bm_features_missing", taal, n=len(missing), features=words(missing, taal)))
    return notes


def benchmark(tables: dict[str, Any], taal: str, gemeente_name: str) -> dict[str, Any]:
    """Peers (with the features compared on), the comparison, standouts and trends."""
    w = _words(taal, None, {})
    peers: pd.DataFrame = tables["peers"]
    _, heading, cols = _peer_columns(peers, w)
    method = str(tables.get("peer_method", ["auto"])[0])
    notes = peer_notes(peers, method, taal, gemeente_name)
    if len(peers) <= 1:  # no peers: the note says so; no empty means
        empty = {"columns": [], "rows": []}
        return {
            "notes": notes,
            "peers": display(peers, cols, w, heading=heading),
            "comparison": empty,
            "standouts": empty,
            "trends": empty,
        }
    standouts = tables["standouts"].copy()
    if "zin" in standouts:
        standouts["zin"] = [translate_units(str(s), taal) for s in standouts["zin"]]
    return {
        "notes": notes,
        "peers": display(peers, cols, w, heading=heading),
        "comparison": display(tables["comparison"], "bm_comparison", w),
        "standouts": display(standouts, "bm_standouts", w),
        "trends": display(tables["trends"], "bm_trends", w),
    }


def sources(frame: pd.DataFrame, taal: str) -> dict[str, Any]:
    """Every import by title, publisher, table id, year and date (synthetic ones marked)."""
    frame = frame.copy()
    if "publisher" in frame:
        frame["publisher"] = [
            t("synthetic_short", taal) if str(p).startswith(SYNTHETIC_PUBLISHER) else p
            for p in frame["publisher"]
        ]
    if "title" in frame:
        frame["title"] = [
            source_title(tid, title, taal)
            for tid, title in zip(frame["table_id"], frame["title"], strict=True)
        ]
    return display(frame, "sources", _words(taal, None, {}))
