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
from buurtbalans.report.tables import Col, Words, display, source_title, translate_units
from buurtbalans.terms import t, words

SYNTHETIC_PUBLISHER = "SYNTHETISCHE DEMODATA"


def _words(taal: str, classes: dict[str, str] | None, names: dict[str, str], **f) -> Words:
    return Words.for_language(taal, classes=classes, names=names, **f)


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


def benchmark(tables: dict[str, Any], taal: str, gemeente_name: str) -> dict[str, Any]:
    """Peers (with the features compared on), the comparison, standouts and trends."""
    w = _words(taal, None, {})
    peers: pd.DataFrame = tables["peers"]
    feats = [c for c in peers.columns if re.fullmatch(r"[a-z0-9_]+_\d{4}", str(c))]
    heading, cols = {}, [Col("naam", "tcol_gemeente", "name"), Col("afstand", "tcol_distance")]
    cols[1] = Col("afstand", "tcol_distance", "num2")
    for c in feats:
        ind, year = c.rsplit("_", 1)
        heading[c] = f"{w.indicators.get(ind, ind)} ({year})"
        cols.append(Col(c, "tcol_indicator", "num"))
    used = {c.rsplit("_", 1)[0] for c in feats}
    missing = [w.indicators.get(f, f) for f, _ in DEFAULT_FEATURES if f not in used]
    method = str(tables.get("peer_method", ["auto"])[0])
    feature_words = words([heading[c] for c in feats], taal)
    n = max(len(peers) - 1, 0)
    if n == 0:  # nothing to compare with: say so instead of "1 of 1" and empty means
        empty = {"columns": [], "rows": []}
        return {
            "notes": [t("bm_no_peers", taal, gemeente=gemeente_name)],
            "peers": display(peers, cols, w, heading=heading),
            "comparison": empty,
            "standouts": empty,
            "trends": empty,
        }
    if method == "auto":
        notes = [t("bm_method_auto", taal, n=n, gemeente=gemeente_name, features=feature_words)]
    elif method == "regel":
        notes = [t("bm_method_rule", taal, features=feature_words)]
    else:
        notes = [t("bm_method_given", taal)]
    if missing:
        notes.append(t("bm_features_missing", taal, n=len(missing), features=words(missing, taal)))
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
