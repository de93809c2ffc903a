"""Regions of a gemeente (CBS "Gebieden in Nederland"): provincie, COROP region, GGD region
and arbeidsmarktregio, per gemeente and classification year — and region aggregates built
from the gemeenten with the right denominators.

The registry is a long table ``gemeente, jaar, soort, regio, regio_naam, synthetic``:

* ``regios.csv`` beside this module: the 342 gemeenten of 2024 with provincie and COROP
  (reconstructed by hand; its header says what is certain and what is not);
* :func:`regions_from_odata`: the real table "Gebieden in Nederland" fetched through the
  OData connector (all four kinds);
* synthetic regions of the demo (:data:`buurtbalans.demo.DEMO_REGIONS`).

An aggregate of a region (:func:`aggregate`) sums counts and weights shares, rates and means
by their denominator from ``codebook.csv`` (e.g. ``p_65_eo_jr`` by ``a_inw``), per period,
and says which members were missing — a member without a value or without a denominator is
never silently left out: the result names it and the coverage is stated.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.codebook import catalogue, key_stem

KINDS = ("provincie", "corop", "ggd", "arbeidsmarktregio")
COLUMNS = ["gemeente", "jaar", "soort", "regio", "regio_naam", "synthetic"]
# key stems of the OData table "Gebieden in Nederland" per kind (code, name)
ODATA_STEMS = {
    "provincie": ("ProvinciecodePV", "Provincienaam"),
    "corop": ("CoropgebiedCode", "CoropgebiedNaam"),
    "ggd": ("GGDregioCode", "GGDregioNaam"),
    "arbeidsmarktregio": ("ArbeidsmarktregioCode", "ArbeidsmarktregioNaam"),
}


@cache
def packaged_regions() -> pd.DataFrame:
    """The packaged registry (``regios.csv``) in long form; empty cells are left out."""
    text = resources.files("buurtbalans.sources").joinpath("regios.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines, delimiter=";"):
        for kind in KINDS:
            code = (row.get(kind) or "").strip()
            if code:
                rows.append(
                    (row["gemeente"], int(row["jaar"]), kind, code, row[f"{kind}_naam"], False)
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def regions_from_odata(rows: Sequence[dict[str, Any]], year: int) -> pd.DataFrame:
    """The registry from the rows of "Gebieden in Nederland" (OData, untyped or typed):
    a ``Code`` column (GMxxxx) and per kind a code and a name column, found by key stem
    (``ProvinciecodePV_…``, ``CoropgebiedCode_…``). Unknown kinds are left out."""
    if not rows:
        raise DataError(Msg("err_tb_regions_no_rows"), fix=Msg("fix_tb_regions_no_rows"))
    keys = list(rows[0])
    by_stem = {key_stem(k).lower(): k for k in keys}
    code_key = by_stem.get("code") or by_stem.get("regiocode")
    if code_key is None:
        raise DataError(
            Msg("err_tb_regions_no_code", columns=[str(k) for k in keys[:8]]),
            column="Code",
            fix=Msg("fix_tb_regions_no_code"),
        )
    out = []
    for row in rows:
        gm = str(row[code_key]).strip().upper()
        if not gm.startswith("GM"):
            continue
        for kind, (code_stem, name_stem) in ODATA_STEMS.items():
            ck, nk = by_stem.get(code_stem.lower()), by_stem.get(name_stem.lower())
            if ck and row.get(ck) and str(row[ck]).strip():
                name = str(row.get(nk) or "").strip() if nk else ""
                out.append((gm, year, kind, str(row[ck]).strip(), name, False))
    return pd.DataFrame(out, columns=COLUMNS)


def registry(extra: Iterable[pd.DataFrame] = ()) -> pd.DataFrame:
    """The packaged registry plus ``extra`` registries (fetched or synthetic); a later
    table wins for the same gemeente, year and kind."""
    frames = [packaged_regions(), *[f[COLUMNS] for f in extra if len(f)]]
    table = pd.concat(frames, ignore_index=True)
    return table.drop_duplicates(["gemeente", "jaar", "soort"], keep="last").reset_index(drop=True)


@dataclass(frozen=True)
class Region:
    """One region of a gemeente: kind, code, name, its members and the registry year."""

    kind: str
    code: str
    name: str
    year: int
    members: tuple[str, ...]
    synthetic: bool = False


def region_of(table: pd.DataFrame, gemeente: str, kind: str, year: int | None = None) -> Region:
    """The region of ``kind`` that ``gemeente`` belongs to, in the registry year closest to
    ``year`` at or before it (else the first year known)."""
    if kind not in KINDS:
        raise DataError(
            Msg("err_tb_region_kind", kind=kind), fix=Msg("fix_tb_region_kind", kinds=KINDS)
        )
    mine = table[(table["gemeente"] == gemeente) & (table["soort"] == kind)]
    if mine.empty:
        known = sorted(table.loc[table["soort"] == kind, "jaar"].unique().tolist())
        raise DataError(
            Msg("err_tb_no_region", gemeente=gemeente, kind=kind, years=known),
            fix=Msg("fix_tb_no_region"),
        )
    years = sorted(mine["jaar"].unique())
    at = max([y for y in years if year is None or y <= year] or [years[0]])
    row = mine[mine["jaar"] == at].iloc[0]
    members = table[
        (table["soort"] == kind) & (table["jaar"] == at) & (table["regio"] == row["regio"])
    ]["gemeente"]
    return Region(
        kind,
        str(row["regio"]),
        str(row["regio_naam"]),
        int(at),
        tuple(sorted(members)),
        bool(row["synthetic"]),
    )


@dataclass
class Aggregate:
    """A region's values per period, with how many members they cover."""

    values: pd.Series  # period → value
    covered: pd.Series  # period → members with a value (and a denominator)
    missing: dict[int, list[str]] = field(default_factory=dict)  # period → members left out
    basis: str = ""  # 'som' or 'gewogen naar <denominator>'


def aggregate(values: pd.DataFrame, members: Sequence[str], indicator: str) -> Aggregate:
    """Region values of ``indicator`` from its members' gemeente values.

    ``values``: long table with ``code, period, indicator, value`` holding the indicator and
    (for shares, rates and means) its denominator. Counts are summed; everything else is the
    mean weighted by the denominator in the same period (an unweighted mean of percentages
    would count a village like a city). A period is only given when *every* member has the
    value (and the denominator); otherwise it is NaN and ``missing`` names the absent
    members, so a region never silently shrinks between years.
    """

    def grid(ind_id: str) -> pd.DataFrame:
        part = values[(values["indicator"] == ind_id) & values["code"].isin(members)]
        part = part.dropna(subset=["value"]).drop_duplicates(["period", "code"])
        return part.set_index(["period", "code"])["value"].unstack("code")

    ind = _region_indicator(indicator)
    wide = grid(indicator)
    weights = grid(ind.denominator) if ind.kind != "count" and ind.denominator else None
    return aggregate_grid(wide, weights, members, indicator)


def _region_indicator(indicator: str):
    """The catalogue entry of an indicator that regions can be given a value of."""
    ind = catalogue().get(indicator)
    if ind is None:
        raise DataError(
            Msg("err_tb_region_indicator", indicator=indicator),
            fix=Msg("fix_tb_region_indicator"),
        )
    if ind.kind == "class":
        raise DataError(
            Msg("err_tb_region_class", indicator=indicator), fix=Msg("fix_tb_region_class")
        )
    return ind


def aggregate_grid(
    wide: pd.DataFrame, weights: pd.DataFrame | None, members: Sequence[str], indicator: str
) -> Aggregate:
    """:func:`aggregate` from period × gemeente grids of the indicator (``wide``) and of
    its denominator (``weights``; None for a count), each holding at least the members'
    values; a period is kept when a member has a value in it."""
    ind = _region_indicator(indicator)
    wide = wide.reindex(columns=list(members))
    wide = wide.loc[wide.notna().any(axis=1)]
    if ind.kind == "count" or not ind.denominator:
        if ind.kind != "count":
            raise DataError(
                Msg("err_tb_region_denominator", indicator=indicator),
                fix=Msg("fix_tb_region_denominator"),
            )
        weights = pd.DataFrame(1.0, index=wide.index, columns=wide.columns)
        basis = "som"
    else:
        assert weights is not None
        weights = weights.reindex(index=wide.index, columns=wide.columns)
        basis = f"gewogen naar {ind.denominator}"
    ok = wide.notna() & weights.notna()
    out, covered, missing = {}, {}, {}
    for period in wide.index:
        row_ok = ok.loc[period]
        covered[int(period)] = int(row_ok.sum())
        if not row_ok.all():
            missing[int(period)] = [c for c in wide.columns if not row_ok[c]]
            out[int(period)] = np.nan
            continue
        v, w = wide.loc[period], weights.loc[period]
        if ind.kind == "count":
            out[int(period)] = float(v.sum())
        else:
            out[int(period)] = float(np.average(v, weights=w)) if w.sum() > 0 else np.nan
    return Aggregate(pd.Series(out, dtype=float), pd.Series(covered, dtype=int), missing, basis)
