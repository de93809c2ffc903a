"""Table definitions shared by the report and the dashboard: which columns of an analysis
frame a reader sees, their headings (catalogue keys, with the unit), and how each value is
written (numbers in the language's form with fixed decimals, booleans as words, option,
indicator, class and status names from the catalogue — never a raw id).

:func:`display` turns a frame into ``{"columns": [...], "rows": [...]}``: per column its
key, heading and whether it is numeric; per row the shown text and a sort value per cell.
The report's tables and the dashboard's tables are both built from :data:`TABLES`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from buurtbalans import terms
from buurtbalans.terms import TERMS, t

OPTIONS = ("hoogste_score", "meeste_inwoners", "hoogste_kosten", "minste_verbetering")


@dataclass(frozen=True)
class Col:
    """One column: the frame's column ``key``, the heading's catalogue key ``label`` and how
    values are written (``kind``); ``unit`` is a catalogue key added to the heading."""

    key: str
    label: str
    kind: str = "text"
    unit: str | None = None


# kinds: text, code, name, int, num0, num1, num2, pct (0-100), share (0-1), euro, bool,
# option, indicator, theme, class, domain, status, direction, year, range (key "a:b")
TABLES: dict[str, tuple[Col, ...]] = {
    "ranking": (
        Col("rank", "tcol_rank", "int"),
        Col("name", "tcol_buurt", "name"),
        Col("score", "tcol_score", "num1"),
        Col("class", "tcol_class", "class"),
        Col("delta", "tcol_delta", "delta"),
        Col("inwoners", "tcol_inwoners", "int"),
    ),
    "prio_summary": (
        Col("optie", "tcol_option", "option"),
        Col("buurten", "tcol_n_buurten", "int"),
        Col("score_min:score_max", "tcol_score_range", "range"),
        Col("inwoners", "tcol_inwoners", "int"),
        Col("aandeel_inwoners", "tcol_share_residents", "pct"),
        Col("kosten_per_inwoner", "tcol_cost_resident", "euro"),
        Col("kosten_per_inwoner_gemeente", "tcol_cost_resident_gm", "euro"),
        Col("onvoldoende_gegevens", "tcol_insufficient", "int"),
        Col("status", "tcol_remark", "prio_status"),
    ),
    "prio_list": (
        Col("name", "tcol_buurt", "name"),
        Col("area_code", "tcol_code", "code"),
        Col("score", "tcol_score", "num1"),
        Col("inwoners", "tcol_inwoners", "int"),
        Col("delta", "tcol_delta", "delta"),
        Col("kosten_per_inwoner", "tcol_cost_resident", "euro"),
    ),
    "overlap": (
        Col("name", "tcol_buurt", "name"),
        Col("area_code", "tcol_code", "code"),
        *(Col(o, f"optshort_{o}", "bool") for o in OPTIONS),
        Col("aantal_lijsten", "tcol_n_lists", "int"),
    ),
    "robustness": (
        Col("name", "tcol_buurt", "name"),
        Col("area_code", "tcol_code", "code"),
        Col("kans_top", "tcol_p_top", "share"),
        Col("robuust", "tcol_robust", "bool"),
    ),
    "bm_peers": (
        Col("naam", "tcol_gemeente", "name"),
        Col("code", "tcol_code", "code"),
        Col("afstand", "tcol_distance", "num2"),
    ),
    "bm_comparison": (
        Col("thema", "tcol_theme", "theme"),
        Col("indicator", "tcol_indicator", "indicator"),
        Col("jaar", "tcol_year", "year"),
        Col("waarde", "tcol_value_gm", "num"),
        Col("nl", "tcol_nl", "num"),
        Col("benchmark_min:benchmark_max", "tcol_peers_range", "range_auto"),
        Col("benchmark_gem", "tcol_peers_mean", "num"),
        Col("rang:n_groep", "tcol_position", "rank_of"),
        Col("z", "tcol_z", "zbar"),
    ),
    "bm_standouts": (
        Col("thema", "tcol_theme", "theme"),
        Col("indicator", "tcol_indicator", "indicator"),
        Col("zin", "tcol_finding", "text"),
    ),
    "bm_trends": (
        Col("indicator", "tcol_indicator", "indicator"),
        Col("van:tot", "tcol_years", "years"),
        Col("verandering_stad", "tcol_change_gm", "num"),
        Col("verandering_benchmark", "tcol_change_peers", "num"),
        Col("rang_van", "tcol_rank_from", "int"),
        Col("rang_tot", "tcol_rank_to", "int"),
        Col("beter_dan_benchmark", "tcol_better", "bool"),
    ),
    "index": (
        Col("area_code", "tcol_code", "code"),
        Col("name", "tcol_buurt", "name"),
        Col("period", "tcol_year", "year"),
        Col("score", "tcol_score", "num1"),
        Col("rank", "tcol_rank", "int"),
        Col("decile", "tcol_decile", "int"),
        Col("class", "tcol_class", "class"),
        Col("coverage", "tcol_coverage", "share"),
        Col("status", "tcol_status", "status"),
    ),
    "change_summary": (
        Col("richting", "tcol_direction", "direction"),
        Col("buurten", "tcol_n_buurten", "int"),
        Col("inwoners", "tcol_inwoners", "int"),
        Col("aandeel_buurten", "tcol_share_buurten", "pct"),
        Col("aandeel_inwoners", "tcol_share_residents", "pct"),
    ),
    "decomposition": (
        Col("domein", "tcol_domain", "domain"),
        Col("bijdrage", "tcol_contribution", "delta"),
    ),
    "sources": (
        Col("title", "tcol_title", "text"),
        Col("publisher", "tcol_publisher", "text"),
        Col("table_id", "tcol_table_id", "code"),
        Col("period", "tcol_period", "year"),
        Col("imported_at", "tcol_imported", "date"),
    ),
}


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return isinstance(value, float) and not math.isfinite(value)
    except TypeError:
        return False


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


@dataclass
class Words:
    """Labels the frame's values need beyond the catalogue: indicator labels (codebook),
    MDI class labels (spec) and buurt names."""

    taal: str
    indicators: dict[str, str]
    classes: dict[str, str]
    names: dict[str, str]
    fields: dict[str, object]
    domains: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_language(
        cls,
        taal: str,
        classes: dict[str, str] | None = None,
        names: dict[str, str] | None = None,
        domains: dict[str, str] | None = None,
        **fields: object,
    ) -> Words:
        from buurtbalans.sources.codebook import catalogue

        ind = {k: (v.label_nl if taal == "nl" else v.label_en) or k for k, v in catalogue().items()}
        return cls(taal, ind, classes or {}, names or {}, fields, domains or {})


def cell(value: object, kind: str, words: Words, row: dict[str, Any] | None = None) -> str:
    """One value as the reader sees it."""
    taal = words.taal
    value = _plain(value)
    if _missing(value):
        return "–"
    if kind in ("num", "num0", "num1", "num2"):
        digits = {"num": None, "num0": 0, "num1": 1, "num2": 2}[kind]
        return terms.number(value, taal, digits)
    if kind == "delta":
        text = terms.number(value, taal, 1)
        return ("+" + text) if float(value) > 0 and text != terms.number(0, taal, 1) else text  # type: ignore[arg-type]
    if kind == "zbar":
        return terms.number(value, taal, 2)
    if kind == "int":
        return terms.number(round(float(value)), taal, 0)  # type: ignore[arg-type]
    if kind == "pct":
        return terms.percent(float(value) / 100, taal)  # type: ignore[arg-type]
    if kind == "share":
        return terms.percent(value, taal)
    if kind == "euro":
        return terms.euro(value, taal)
    if kind == "bool":
        return terms.boolean(value, taal)
    if kind == "year":
        return str(int(value)) if isinstance(value, int | float) else str(value)  # type: ignore[arg-type]
    if kind == "date":
        return str(value)[:10]
    if kind == "option":
        return label_of("opt_", str(value), taal, **{"van": "", "tot": "", **words.fields})
    if kind == "indicator":
        name = words.indicators.get(str(value), str(value))
        shown = unit(str(row.get("eenheid") or ""), taal) if row else ""
        return f"{name} ({shown})" if shown and shown != "%" else name
    if kind == "theme":
        return label_of("theme_", str(value), taal)
    if kind == "class":
        return words.classes.get(str(value), str(value))
    if kind == "domain":
        return words.domains.get(str(value), str(value))
    if kind == "status":
        return label_of("status_", str(value).replace(" ", "_"), taal)
    if kind == "direction":
        return label_of("dir_", str(value).replace(" ", "_"), taal)
    if kind == "prio_status":
        text = str(value)
        if text == "ok":
            return t("prio_ok", taal)
        return t("prio_no_cost" if "kosten" in text else "prio_no_data", taal)
    if kind == "name":
        return str(value)
    return str(value)


def label_of(prefix: str, value: str, taal: str, **values: object) -> str:
    """``t(prefix + value)`` when the catalogue has it, else the value itself."""
    key = prefix + value
    return t(key, taal, **values) if key in TERMS else value


def _sort_value(value: object) -> object:
    value = _plain(value)
    if _missing(value):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def _columns(name: str | list[Col] | tuple[Col, ...], frame: pd.DataFrame) -> list[Col]:
    have = set(frame.columns)
    if "area_code" in have or "code" in have:
        have.add("name")  # names come from the buurt names when the frame has codes only
    defs = TABLES[name] if isinstance(name, str) else name
    return [c for c in defs if all(k in have for k in c.key.split(":"))]


UNITS = (
    "%",
    "aantal",
    "adressen per km²",
    "euro",
    "ha",
    "inwoners per km²",
    "kWh",
    "km",
    "m³",
    "per 1 000 inwoners",
    "per huishouden",
    "score",
    "x 1 000 euro",
)


def unit(text: str, taal: str) -> str:
    """A codebook unit in ``taal`` ('' for plain counts)."""
    key = f"unit_{text}"
    return t(key, taal) if key in TERMS else text


def translate_units(text: str, taal: str) -> str:
    """An analysis sentence with its (Dutch codebook) unit in ``taal``."""
    for u in sorted(UNITS, key=len, reverse=True):
        if f" {u};" in text or f" {u})" in text:
            shown = unit(u, taal)
            rep = f" {shown}" if shown else ""
            return text.replace(f" {u};", f"{rep};").replace(f" {u})", f"{rep})")
    return text


def source_title(table_id: object, title: object, taal: str) -> str:
    """A source as the reader sees it: its title (the demo's own sources in ``taal``)."""
    table = str(table_id or "")
    if table.startswith("voorbeeldstad-"):
        part = table.removeprefix("voorbeeldstad-")
        return t("demo_source", taal, part=label_of("demo_", part, taal))
    return str(title or table)


_GROUPED = re.compile(r"(?<![\d.,])(\d{1,3})(?:[\u00a0\u202f ]|\.(?=\d{3}\b))(\d{3})\b")


def numbers_in(text: str, taal: str) -> str:
    """Grouped numbers in a label in the language's form: 'per 1 000' / 'per 1.000' →
    'per 1.000' (nl), 'per 1,000' (en)."""
    sep = "." if taal == "nl" else ","
    return _GROUPED.sub(lambda m: f"{m.group(1)}{sep}{m.group(2)}", str(text))


def _bare(text: str) -> str:
    return re.sub(r"[\s.,\u00a0\u202f]", "", text.lower())


def with_unit(label: str, unit_text: str, taal: str, form: str = " ({unit})") -> str:
    """A label with its unit once: 'Banen per 1.000 inwoners 15-74 jaar' (the label already
    says 'per 1.000 inwoners'), 'Bijstand (per 100 inwoners)'; numbers in the language's
    form."""
    label, shown = numbers_in(label, taal), numbers_in(unit_text or "", taal).strip()
    if not shown or _bare(shown) in _bare(label):
        return label
    return label + form.format(unit=shown)


_FILE = re.compile(r"\s*\((?:[\w.\- ]+\.(?:csv|gpkg|xlsx|parquet|json|zip))\)")


def source_label(table_id: object, title: object, taal: str) -> str:
    """A source once, as a reader cites it: its title (no file name) with the table id
    beside it ('Kerncijfers wijken en buurten 2015 (kwb-2015)'); the demo's own sources
    by their title only (their ids are internal)."""
    table = str(table_id or "")
    shown = _FILE.sub("", source_title(table, title, taal)).strip()
    if table and not table.startswith("voorbeeldstad-") and table not in shown:
        shown = f"{shown} ({table})"
    return shown


def source_labels(store: Any, taal: str) -> dict[str, str]:
    """Table id → :func:`source_label` for every source in the store (empty without one)."""
    try:
        frame = store.sources()
    except Exception:
        return {}
    return {
        str(r["table_id"]): source_label(r["table_id"], r.get("title"), taal)
        for r in frame.to_dict("records")
        if r.get("table_id")
    }


def cite(ids: object, labels: dict[str, str], taal: str) -> str:
    """Source ids ('gemeenten-reeksen, kwb-2015, gemeenten-reeksen') as titles, each once,
    in their first order, separated by semicolons (titles may hold commas)."""
    parts = [b.strip() for v in ([ids] if isinstance(ids, str) else ids) for b in str(v).split(",")]
    shown = [labels.get(b) or source_label(b, b, taal) for b in parts if b and b != "nan"]
    return "; ".join(dict.fromkeys(shown))


def display(
    frame: pd.DataFrame,
    name: str | list[Col] | tuple[Col, ...],
    words: Words,
    heading: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The frame as a labelled table: columns (key, heading, numeric) and rows (texts and
    sort values), in the definition's order (``name`` in :data:`TABLES`, or the columns
    themselves); columns the frame lacks are left out."""
    cols = _columns(name, frame)
    heading = heading or {}
    numeric = {"int", "num", "num0", "num1", "num2", "pct", "share", "euro", "delta", "zbar"}
    out_rows = []
    for rec in frame.to_dict("records"):
        texts, sorts = [], []
        for c in cols:
            keys = c.key.split(":")
            if c.kind in ("range", "range_auto"):
                lo, hi = (rec.get(k) for k in keys)
                d = 1 if c.kind == "range" else None
                texts.append(
                    "–"
                    if _missing(lo)
                    else f"{terms.number(lo, words.taal, d)} – {terms.number(hi, words.taal, d)}"
                )
                sorts.append(_sort_value(lo))
            elif c.kind == "rank_of":
                r, n = (rec.get(k) for k in keys)
                texts.append(
                    "–" if _missing(r) else t("rank_of", words.taal, rank=int(r), n=int(n))  # type: ignore[arg-type]
                )
                sorts.append(_sort_value(r))
            elif c.kind == "years":
                a, b = (rec.get(k) for k in keys)
                texts.append("–" if _missing(a) else f"{int(a)}–{int(b)}")  # type: ignore[arg-type]
                sorts.append(_sort_value(a))
            elif c.kind == "name":
                value = rec.get(c.key)
                if _missing(value):
                    code = rec.get("area_code") or rec.get("code")
                    value = words.names.get(str(code), code)
                texts.append(cell(value, c.kind, words))
                sorts.append(_sort_value(value))
            else:
                value = rec.get(c.key)
                texts.append(cell(value, c.kind, words, rec))
                sorts.append(_sort_value(value))
        row: dict[str, Any] = {"cells": texts, "sort": sorts}
        code = rec.get("area_code")
        if isinstance(code, str):
            row["code"] = code
        if "z" in rec and not _missing(_plain(rec["z"])):
            row["z"] = float(_plain(rec["z"]))  # type: ignore[arg-type]
        out_rows.append(row)
    return {
        "columns": [
            {
                "key": c.key,
                "label": heading.get(c.key) or t(c.label, words.taal),
                "numeric": c.kind in numeric or c.kind in ("rank_of", "range", "range_auto"),
                "kind": c.kind,
            }
            for c in cols
        ],
        "rows": out_rows,
    }


def frame(table: dict[str, Any]) -> pd.DataFrame:
    """A :func:`display` table as a DataFrame of texts (headings as columns), for the
    report's tables."""
    heads = [c["label"] for c in table["columns"]]
    return pd.DataFrame([r["cells"] for r in table["rows"]], columns=heads)
