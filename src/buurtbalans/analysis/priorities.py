"""Which buurten first? The four ways of seed 000 (table 1) plus custom options, with reach
and cost, overlap between the lists, and their robustness (read from the one uncertainty
analysis, :mod:`buurtbalans.analysis.uncertainty`).

Input: one table per buurt with ``area_code``, ``score`` (latest year), ``class``,
``delta`` (change over the period), ``inwoners``, optionally ``status`` (the engine's; a
buurt whose status is not "ok" is never a candidate and is counted in the summary column
``onvoldoende_gegevens``) and, when a cost table is loaded, ``kosten`` (social-domain cost
in euro). Ties are broken by buurt code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg

if TYPE_CHECKING:
    from buurtbalans.analysis.uncertainty import UncertaintyResult

BUILT_IN = {
    "hoogste_score": ("score", False, "10 hoogste MDI-scores"),
    "meeste_inwoners": ("inwoners", False, "10 buurten met de meeste inwoners"),
    "hoogste_kosten": ("kosten_per_inwoner", False, "10 hoogste kosten sociaal domein per inwoner"),
    "minste_verbetering": ("delta", False, "10 buurten met de minste verbetering"),
}
NO_COST = (
    "geen kostendata geladen: importeer een tabel met kosten sociaal domein per buurt "
    "(buurtbalans import file kosten.xlsx --mapping ...) om deze optie te berekenen"
)


@dataclass(frozen=True)
class Option:
    """Rank candidates by ``column`` (descending unless ``ascending``), or by a weighted
    sum of within-candidate percentile ranks of several columns (``weights``)."""

    id: str
    column: str | None = None
    ascending: bool = False
    label: str = ""
    weights: dict[str, float] = field(default_factory=dict)


@dataclass
class Selection:
    """The buurten one option picks and what that reaches."""

    option: Option
    buurten: pd.DataFrame
    summary: dict[str, object]


def built_in_options() -> list[Option]:
    """The four options of seed 000, table 1."""
    return [Option(k, col, asc, label) for k, (col, asc, label) in BUILT_IN.items()]


def candidates(table: pd.DataFrame, label: str = "zeer hoog") -> pd.DataFrame:
    """Buurten in the chosen class (default: zeer hoog in the latest year)."""
    need = [c for c in ("area_code", "score", "class", "inwoners") if c not in table.columns]
    if need:
        raise DataError(
            Msg("err_an_prio_columns", columns=need, n=len(need)), fix=Msg("fix_an_prio_columns")
        )
    out = table[(table["class"] == label) & table["score"].notna()].copy()
    if "status" in out.columns:  # never a buurt without a score (onvoldoende gegevens)
        out = out[out["status"] == "ok"]
    if "kosten" in out.columns:
        out["kosten_per_inwoner"] = out["kosten"] / out["inwoners"]
    return out


def _order(cands: pd.DataFrame, option: Option) -> pd.DataFrame:
    if option.weights:
        key = sum(w * cands[c].rank(pct=True) for c, w in option.weights.items())
        return (
            cands.assign(_key=key)
            .sort_values(["_key", "area_code"], ascending=[False, True])
            .drop(columns="_key")
        )
    return cands.sort_values([option.column, "area_code"], ascending=[option.ascending, True])


def select(
    cands: pd.DataFrame, option: Option, n: int, municipality: dict[str, float]
) -> Selection:
    """Pick ``n`` buurten under one option and summarise score range, reach and cost."""
    cols = list(option.weights) or [option.column]
    if option.column == "kosten_per_inwoner" and "kosten" not in cands.columns:
        return Selection(option, cands.iloc[0:0], {"optie": option.id, "status": NO_COST})
    if missing := [c for c in cols if c not in cands.columns]:
        raise DataError(
            Msg("err_an_option_columns", option=option.id, columns=missing, n=len(missing)),
            fix=Msg("fix_an_option_columns"),
        )
    chosen = _order(cands.dropna(subset=cols), option).head(n)
    if chosen.empty:
        return Selection(
            option,
            chosen,
            {"optie": option.id, "status": f"geen gegevens voor {', '.join(map(str, cols))}"},
        )
    res = chosen["inwoners"].sum(min_count=1)  # unknown population stays unknown, never 0
    summary: dict[str, object] = {
        "optie": option.id,
        "omschrijving": option.label or option.id,
        "status": "ok",
        "buurten": len(chosen),
        "kandidaten": len(cands),
        "score_min": chosen["score"].min(),
        "score_max": chosen["score"].max(),
        "inwoners": res,
        "inwoners_onbekend": int(chosen["inwoners"].isna().sum()),
        "aandeel_inwoners": 100 * res / municipality["inwoners"]
        if municipality["inwoners"] and pd.notna(res)
        else np.nan,
    }
    if "kosten" in chosen.columns and chosen["kosten"].notna().all():
        summary["kosten_per_inwoner"] = chosen["kosten"].sum() / res
        summary["kosten_per_inwoner_gemeente"] = municipality.get("kosten_per_inwoner")
    return Selection(option, chosen, summary)


def prioritise(
    table: pd.DataFrame,
    *,
    options: Sequence[Option] | None = None,
    n: int = 10,
    label: str = "zeer hoog",
) -> tuple[pd.DataFrame, list[Selection]]:
    """Run every option on the candidate set; returns the summary table (seed 000 table 1
    layout) and the selections. ``table`` holds all buurten of the gemeente (for its
    totals)."""
    muni = {"inwoners": float(table["inwoners"].sum())}
    if "kosten" in table.columns and table["kosten"].notna().any():
        ok = table["kosten"].notna()
        muni["kosten_per_inwoner"] = float(
            table.loc[ok, "kosten"].sum() / table.loc[ok, "inwoners"].sum()
        )
    cands = candidates(table, label)
    sels = [select(cands, opt, n, muni) for opt in (options or built_in_options())]
    summary = pd.DataFrame([s.summary for s in sels])
    summary["onvoldoende_gegevens"] = unscored_count(table)
    return summary, sels


def unscored_count(table: pd.DataFrame) -> int:
    """Buurten without a score (status not "ok"): they cannot be chosen by any option
    and are counted, never silently left out."""
    bad = table["score"].isna()
    if "status" in table.columns:
        bad |= table["status"] != "ok"
    return int(bad.sum())


def overlap(selections: Sequence[Selection]) -> pd.DataFrame:
    """Per buurt: in which lists it appears and how many."""
    rows = {}
    for sel in selections:
        for code in sel.buurten["area_code"]:
            rows.setdefault(code, {s.option.id: False for s in selections})[sel.option.id] = True
    out = pd.DataFrame.from_dict(rows, orient="index")
    if out.empty:
        return out
    out["aantal_lijsten"] = out.sum(axis=1)
    return (
        out.sort_values(["aantal_lijsten"], ascending=False).rename_axis("area_code").reset_index()
    )


def robustness(
    result: UncertaintyResult,
    year: int,
    candidates: Sequence[str] | pd.Series = (),
    *,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """How firm the "highest score" list is, read from the uncertainty analysis (one
    Monte Carlo for the whole package: the same variants, assumptions and seed as
    ``onzekerheid``): per buurt P(among the ``result.top`` most deprived in ``year``)
    (``kans_top``, the same number as ``kans_slechtste_<top>`` there), P(class zeer hoog)
    and whether it is ``robust`` (``kans_top`` ≥ ``threshold``). Rows: the candidates
    (the zeer-hoog buurten) and every buurt that is in the list in some variant."""
    per = result.per_year
    if "period" in per.columns:
        per = per[per["period"] == year]
    p = per[result.top_column].to_numpy(dtype=float)
    keep = (p > 0) | per["area_code"].isin(list(candidates)).to_numpy()
    out = pd.DataFrame(
        {
            "area_code": per["area_code"].to_numpy()[keep],
            "kans_top": p[keep],
            "kans_zeer_hoog": per["kans_zeer_hoog"].to_numpy(dtype=float)[keep],
            "robuust": p[keep] >= threshold,
        }
    )
    out.attrs.update(top=result.top, runs=result.settings.get("runs"), year=year)
    return out.sort_values(["kans_top", "area_code"], ascending=[False, True], ignore_index=True)
