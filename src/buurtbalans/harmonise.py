"""Areas across years: crosswalks between two vintages and moving data onto one vintage.

A crosswalk has one row per (``from_code``, ``to_code``) piece with ``weight`` = the share of
the from-area that lies in the to-area (rows of one from-area sum to 1), the ``method``
(``identity``, ``overlap``, ``points``, ``code``) and a ``flag`` on every area that is not
simply the same buurt (``split``, ``merged``, ``redrawn``, ``code-only``, ``unmatched``).

:func:`to_vintage` moves **counts** as weighted sums and **rates/shares/means** as weighted
means using their denominator (cf. tobler's extensive/intensive variables), so 2015 and
2024 can be compared on the 2024 map.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.codebook import catalogue

CROSSWALK_COLUMNS = ["from_code", "to_code", "weight", "method", "flag"]
SLIVER = 0.001  # pieces below 0.1 % of an area are digitising noise, dropped and renormalised
SAME = 0.99  # an area is 'the same' when ≥ 99 % of it maps both ways


def crosswalk_by_code(from_codes: Sequence[str], to_codes: Sequence[str]) -> pd.DataFrame:
    """Crosswalk without boundaries: identity where a code persists (flagged
    ``code-only``, since the boundary cannot be checked), ``unmatched`` otherwise."""
    targets = set(to_codes)
    rows = [
        (c, c, 1.0, "code", "code-only") if c in targets else (c, None, np.nan, "code", "unmatched")
        for c in dict.fromkeys(from_codes)
    ]
    return pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)


def crosswalk_by_geometry(from_areas, to_areas, *, points=None) -> pd.DataFrame:
    """Crosswalk from boundaries (GeoDataFrames with ``code`` and geometry, same CRS).

    Weights are area shares, or, when ``points`` (a GeoDataFrame of e.g. address points
    with an optional ``weight`` column) is given, the share of the from-area's points in
    each to-area, falling back to area for from-areas without points.
    """
    gpd = import_optional("geopandas")
    if from_areas.crs != to_areas.crs:
        to_areas = to_areas.to_crs(from_areas.crs)
    a = from_areas[["code", "geometry"]].rename(columns={"code": "from_code"})
    b = to_areas[["code", "geometry"]].rename(columns={"code": "to_code"})
    pieces = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    pieces["part"] = pieces.geometry.area
    method = "overlap"
    if points is not None:
        pts = points.to_crs(from_areas.crs).copy()
        pts["w"] = pts["weight"] if "weight" in pts.columns else 1.0
        hit = gpd.sjoin(pts[["w", "geometry"]], a, predicate="within")
        hit = gpd.sjoin(hit.drop(columns="index_right"), b, predicate="within")
        by_pt = hit.groupby(["from_code", "to_code"])["w"].sum().rename("pw").reset_index()
        pieces = pieces.merge(by_pt, on=["from_code", "to_code"], how="left")
        has_pts = pieces.groupby("from_code")["pw"].transform("sum") > 0
        pieces["part"] = np.where(has_pts, pieces["pw"].fillna(0.0), pieces["part"])
        method = "points"
    pieces["weight"] = pieces["part"] / pieces.groupby("from_code")["part"].transform("sum")
    pieces = pieces[pieces["weight"] >= SLIVER].copy()
    pieces["weight"] = pieces["weight"] / pieces.groupby("from_code")["weight"].transform("sum")
    pieces = pd.DataFrame(pieces[["from_code", "to_code", "weight"]])
    # how much of each to-area comes from each from-area (for 'merged' and identity checks)
    to_area = b.set_index("to_code").geometry.area
    from_area = a.set_index("from_code").geometry.area
    pieces["to_share"] = (
        pieces["weight"] * pieces["from_code"].map(from_area) / pieces["to_code"].map(to_area)
    )
    n_to = pieces.groupby("from_code")["to_code"].transform("nunique")
    n_from = pieces.groupby("to_code")["from_code"].transform("nunique")
    same = (
        (pieces["from_code"] == pieces["to_code"])
        & (pieces["weight"] >= SAME)
        & (pieces["to_share"] >= SAME)
    )
    # the same land under a new code (a herindeling, a renumbered buurt)
    recoded = (
        (pieces["from_code"] != pieces["to_code"])
        & (pieces["weight"] >= SAME)
        & (pieces["to_share"] >= SAME)
    )
    pieces["method"] = np.where(same, "identity", method)
    pieces.loc[same | recoded, "weight"] = 1.0
    # a from-area that is 'the same' as one to-area may still shed a sliver (≥ SLIVER,
    # < 1 - SAME) to a neighbour: renormalise so its weights still sum to one
    pieces["weight"] = pieces["weight"] / pieces.groupby("from_code")["weight"].transform("sum")
    pieces["flag"] = np.select(
        [same, recoded, n_to > 1, n_from > 1],
        [None, "recoded", "split", "merged"],
        default="redrawn",
    )
    pieces.loc[same, "flag"] = None
    missing = sorted(set(a["from_code"]) - set(pieces["from_code"]))
    lost = pd.DataFrame(
        {
            "from_code": missing,
            "to_code": None,
            "weight": np.nan,
            "method": method,
            "flag": "unmatched",
        }
    )
    out = pd.concat([pieces[CROSSWALK_COLUMNS], lost], ignore_index=True)
    return out.sort_values(["from_code", "to_code"], ignore_index=True)


def column_kinds(columns: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Split indicator columns into counts and rates (with their denominator) from the
    catalogue; columns the catalogue does not know are an error (say how to move them)."""
    cat = catalogue()
    counts: list[str] = []
    rates: dict[str, str] = {}
    unknown = []
    for col in columns:
        ind = cat.get(col)
        if ind is None:
            unknown.append(col)
        elif ind.kind == "count":
            counts.append(col)
        elif ind.kind == "class":
            continue
        elif ind.denominator:
            rates[col] = ind.denominator
        else:
            unknown.append(col)
    if unknown:
        raise DataError(
            Msg("err_co_count_or_rate", columns=unknown, n=len(unknown)),
            fix=Msg("fix_co_count_or_rate", rates="rates={indicator: denominator}"),
        )
    return counts, rates


def with_denominators(columns: Sequence[str]) -> list[str]:
    """``columns`` plus the catalogue denominators that moving them across vintages needs."""
    cat = catalogue()
    extra = [cat[c].denominator for c in columns if c in cat and cat[c].denominator]
    return list(dict.fromkeys([*columns, *[e for e in extra if e]]))


def to_vintage(
    data: pd.DataFrame,
    crosswalk: pd.DataFrame,
    *,
    counts: Sequence[str] = (),
    rates: dict[str, str] | None = None,
    by: Sequence[str] = ("period",),
    code_column: str = "area_code",
) -> pd.DataFrame:
    """Move wide data (one row per area and ``by``) onto the crosswalk's target codes.

    Counts become Σ weight·value; a rate r with denominator d becomes
    Σ(weight·d·r) / Σ(weight·d); without its denominator in the data a rate passes only
    through unchanged areas. A target that gets any piece (≥ 0.1 %) of a missing value
    is missing, never a partial sum. A target that is exactly one unchanged source area
    passes through unchanged. Source areas flagged ``unmatched`` are dropped; the result
    lists, per target, the flags of what went into it (``flags``).
    """
    rates = dict(rates or {})
    by = [c for c in by if c in data.columns]
    need = [code_column, *by, *counts, *rates]
    if missing_cols := [c for c in need if c not in data.columns]:
        raise DataError(
            Msg("err_co_missing_move_columns", columns=missing_cols, n=len(missing_cols)),
            fix=Msg("fix_co_missing_move_columns"),
        )
    # a rate without its denominator can only pass through unchanged areas; any area that
    # is split or merged gets no value (never an unweighted guess)
    no_denominator = sorted({d for d in rates.values() if d not in data.columns})
    if no_denominator:
        data = data.assign(**{d: np.nan for d in no_denominator})
    cw = crosswalk.dropna(subset=["to_code"])
    merged = data.merge(cw, left_on=code_column, right_on="from_code", how="inner")
    keys = [*by, "to_code"]
    grouped = merged.groupby(keys, dropna=False, sort=True)
    out = grouped.size().rename("n_sources").reset_index()[keys]
    w = merged["weight"]

    def weighted_sum(values: pd.Series) -> pd.Series:
        part = values * w
        total = part.groupby([merged[k] for k in keys], dropna=False, sort=True).sum()
        gaps = (
            (values.isna() & (w >= SLIVER))
            .groupby([merged[k] for k in keys], dropna=False, sort=True)
            .any()
        )
        return total.where(~gaps).reset_index(drop=True)

    for col in counts:
        out[col] = weighted_sum(merged[col]).to_numpy()
    denom_moved = {d: weighted_sum(merged[d]).to_numpy() for d in set(rates.values())}
    for col, den in rates.items():
        numer = weighted_sum(merged[col] * merged[den]).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out[col] = numer / denom_moved[den]
    for den, moved in denom_moved.items():
        if den not in counts and den not in no_denominator:
            out[den] = moved
    # exact pass-through for unchanged areas
    single = grouped["weight"].agg(["count", "sum"]).reset_index(drop=True)
    ident = ((single["count"] == 1) & (single["sum"] == 1.0)).to_numpy()
    if ident.any():
        firsts = merged.loc[grouped.head(1).index].sort_values(keys).reset_index(drop=True)
        for col in [*counts, *rates, *set(rates.values())]:
            out.loc[ident, col] = firsts.loc[ident, col].to_numpy()
    flags = merged.groupby(keys, dropna=False, sort=True)["flag"].agg(
        lambda f: ",".join(sorted({x for x in f if isinstance(x, str)})) or None
    )
    out["flags"] = flags.to_numpy()
    return out.rename(columns={"to_code": code_column})


def store_crosswalk(
    store, from_vintage: int, to_vintage: int, gemeente: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Crosswalk between two vintages in a store: by geometry where both vintages have
    boundaries, else by code (identity where a code persists, every other area flagged).
    A gemeente's buurten include those of the gemeenten that merged into it."""
    if isinstance(gemeente, str):
        from buurtbalans.sources.known import predecessors

        gemeente = list(predecessors(gemeente))
    if from_vintage == to_vintage:
        codes = store.areas(gemeente, level="buurt", vintage=from_vintage)["code"]
        return pd.DataFrame(
            {
                "from_code": codes,
                "to_code": codes,
                "weight": 1.0,
                "method": "identity",
                "flag": None,
            }
        )
    have = {
        v: store.con.execute("SELECT count(*) FROM boundaries WHERE vintage = ?", [v]).fetchone()[0]
        for v in (from_vintage, to_vintage)
    }
    if all(have.values()):
        return crosswalk_by_geometry(
            store.boundaries(from_vintage, gemeente), store.boundaries(to_vintage, gemeente)
        )
    src = store.areas(gemeente, level="buurt", vintage=from_vintage)["code"]
    dst = store.areas(None, level="buurt", vintage=to_vintage)["code"]
    return crosswalk_by_code(src.tolist(), dst.tolist())
