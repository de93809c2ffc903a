"""Staat van de stad: the gemeente per theme against the Netherlands, its region and its
peers — the situation now, the trend over the years asked (about ten), and the forecast.

Seed 004's ten themes (:data:`THEMES`) each list the indicators (codebook ids) the chapter
shows, key indicators first. Per indicator (:func:`stad_analysis`):

* the value in the last year ≤ ``tot``, NL, the region (aggregated from its gemeenten with
  the codebook's denominators, :func:`buurtbalans.sources.regios.aggregate`) and the peers'
  mean and range, and the direction-aware rank among city + peers (1 = most favourable);
* the change from the first year ≥ ``van`` to that last year, for the city, NL, the region
  and the peers (mean change of the peers that have both years), compared as *sneller*,
  *langzamer*, *tegengesteld* or *gelijk* (:func:`pace`). Shares, rates and means compare
  changes in their own unit (points), counts their relative change (%);
* the forecast where the store holds one (:data:`FORECASTS`: ``prog_*`` ids);
* *aandachtspunt*: the city is behind NL (in the indicator's direction) in the last year and
  the gap has grown since the first year. No advice: what to do stays with the council.

Every number carries its basis: the periods used and the tables (``bron``) the values come
from. What the store lacks is listed, never dropped: an indicator without data for the city
stays in the table with ``status`` saying so.

The store needs only gemeente-level (and NL01) rows: the ids of :data:`THEMES`, their
denominators (:func:`needed_indicators`) and the ``prog_*`` forecast ids, yearly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from buurtbalans.analysis.benchmark import (
    Peers,
    _rank,
    auto_peers,
    gemeente_names,
    given_peers,
)
from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import indicator_label, listed
from buurtbalans.sources.codebook import catalogue
from buurtbalans.sources.regios import Aggregate, Region, aggregate_grid, region_of, registry
from buurtbalans.store import Store
from buurtbalans.store.levels import level_observations, per_content

THEMES: dict[str, tuple[str, ...]] = {
    "demografie": (
        "p_65_eo_jr",
        "a_inw",
        "p_00_14_jr",
        "p_groei_bev",
        "a_hh",
        "p_1p_hh",
        "g_hhgro",
        "p_n_w_al",
        "bev_dich",
    ),
    "arbeid": ("p_werkloos", "p_arb_pp", "p_bruto_arb", "r_banen", "r_bedv", "r_soz_wb"),
    "onderwijs": (
        "p_zonder_startkw",
        "p_advies_havo",
        "p_vsv",
        "p_opl_laag",
        "p_opl_hoog",
        "a_leerl_po",
    ),
    "inkomen": (
        "p_hh_li",
        "p_hh_schuld",
        "g_hh_sti",
        "p_hh_lkk",
        "p_hh_osm",
        "gz_moeite_rondkomen",
        "r_schuldsan",
    ),
    "kansenongelijkheid": (
        "p_kind_li",
        "p_jong_nwns",
        "pp_advies_ongelijk",
        "p_jong_bijst",
        "p_langdurig_li",
    ),
    "gezondheid": (
        "gz_ervaren_goed",
        "gz_overgewicht",
        "gz_langdurig_ziek_beperkt",
        "gz_angst_depressie_hoog",
        "gz_eenzaam",
        "gz_roker",
    ),
    "zorg": ("p_jz_tn", "g_kosten_sd", "p_wmo_t", "p_wlz", "p_jb"),
    "leefomgeving": ("lbm", "p_wcorpw", "g_woz", "p_koopw", "lbm_won", "lbm_fys"),
    "veiligheid": ("r_misdr", "p_onveilig", "g_gewsek", "g_wodief", "g_vernoo", "lbm_onv"),
    "sport_cultuur": (
        "gz_sporter",
        "gz_beweegrichtlijn",
        "gz_vrijwilligerswerk",
        "g_afs_bios",
        "g_afs_pod",
        "g_afs_mus",
        "g_afs_bib",
        "g_afs_sport",
    ),
}
# observed indicator → its forecast id
FORECASTS: dict[str, str] = {
    "a_inw": "prog_a_inw",
    "a_hh": "prog_a_hh",
    "p_65_eo_jr": "prog_p_65_eo_jr",
    "p_00_14_jr": "prog_p_00_14_jr",
}
KEY_PER_THEME = 1  # the first indicators of a theme get a trend chart
EQUAL = 0.10  # changes within 10 % of the larger one count as 'gelijk'
PACES = ("sneller", "langzamer", "tegengesteld", "gelijk")


def needed_indicators() -> list[str]:
    """Every id the analysis reads: themes, their denominators, forecasts (for the twin)."""
    cat = catalogue()
    ids = [i for ids in THEMES.values() for i in ids] + list(FORECASTS.values())
    dens = [cat[i].denominator for i in ids if i in cat and cat[i].denominator]
    return list(dict.fromkeys([*ids, *[d for d in dens if d]]))


def has_series(store: Store, gemeente: str) -> bool:
    """True when the store holds, at gemeente level, a theme indicator in at least two years
    for ``gemeente`` and at least three other gemeenten (enough for the chapter)."""
    ids = [i for ids in THEMES.values() for i in ids]
    marks = ",".join("?" * len(ids))
    try:
        row = store.con.execute(
            "SELECT count(DISTINCT CASE WHEN o.area_code = ? THEN o.period END), "
            "count(DISTINCT o.area_code) FROM observations o JOIN areas a "
            "ON a.code = o.area_code AND a.vintage = o.vintage "
            f"WHERE a.level = 'gemeente' AND o.indicator IN ({marks})",
            [gemeente, *ids],
        ).fetchone()
    except Exception:  # an empty or foreign store has no series
        return False
    return bool(row and row[0] >= 2 and row[1] >= 4)


def pace(city: float, ref: float, equal: float = EQUAL) -> str | None:
    """The city's change against a reference change: 'tegengesteld' (opposite signs),
    'gelijk' (magnitudes within ``equal`` of the larger), else 'sneller'/'langzamer'."""
    if not (np.isfinite(city) and np.isfinite(ref)):
        return None
    big = max(abs(city), abs(ref))
    if big == 0 or abs(abs(city) - abs(ref)) <= equal * big:
        if city * ref < 0:
            return "tegengesteld"
        return "gelijk"
    if city * ref < 0:
        return "tegengesteld"
    return "sneller" if abs(city) > abs(ref) else "langzamer"


@dataclass
class StadAnalysis:
    """The result: one row per indicator (``table``), the series behind the charts, the
    forecast, the region and peers used, and notes on what was missing."""

    gemeente: str
    name: str
    van: int
    tot: int
    peers: Peers
    region: Region | None
    nl_name: str
    table: pd.DataFrame
    series: pd.DataFrame
    forecast: pd.DataFrame
    notes: list[Msg] = field(default_factory=list)

    def themes_covered(self) -> list[str]:
        """Themes with at least one indicator with a trend for the city."""
        ok = self.table[self.table["status"] == "ok"]
        return [th for th in THEMES if th in set(ok["thema"])]

    def aandachtspunten(self) -> pd.DataFrame:
        """Indicators where the city is behind NL and falling further behind."""
        return self.table[self.table["aandachtspunt"].fillna(False).astype(bool)]


def _change(kind: str, v0: float, v1: float) -> float:
    """Change in the indicator's own unit; counts in percent of the first value."""
    if kind == "count":
        return (v1 - v0) / v0 * 100 if v0 else np.nan
    return v1 - v0


def _pick(series: pd.Series, period: int | None) -> float:
    return float(series.get(period, np.nan)) if period is not None else np.nan


class _Data:
    """The gemeente and NL values the analysis reads, indexed for quick lookups (read,
    never changed, by the analysis of any gemeente of the store)."""

    def __init__(self, store: Store, ids: list[str]) -> None:
        obs = level_observations(store, ids, "gemeente")
        land = level_observations(store, ids, "land")
        sources = store.sources().set_index("source_id")
        self.table_of = sources["table_id"].to_dict()
        obs = obs.rename(columns={"area_code": "code"})
        self.values = obs[["code", "period", "indicator", "value", "source_id"]].dropna(
            subset=["value"]
        )
        self.by_ind = {str(k): g for k, g in self.values.groupby("indicator")}
        self.codes = set(self.values["code"].unique())  # the gemeenten with a value
        self._grid: dict[str, pd.DataFrame] = {}
        land = land.dropna(subset=["value"])
        # one country row per indicator: NL01 (StatLine) before NL00 (KWB files)
        land = land.sort_values("area_code", ascending=False)
        first = land.groupby("indicator")["area_code"].transform("first")
        land = land[land["area_code"] == first]
        self.nl = {
            str(ind): g.set_index("period")["value"].astype(float)
            for ind, g in land.groupby("indicator")
        }
        self.nl_src = {str(ind): set(g["source_id"]) for ind, g in land.groupby("indicator")}
        self.land_code = str(land["area_code"].iloc[0]) if len(land) else None

    def of(self, *indicators: str | None) -> pd.DataFrame:
        """The rows of some indicators (small frames for the aggregates)."""
        parts = [self.by_ind[i] for i in indicators if i and i in self.by_ind]
        return pd.concat(parts) if parts else self.values.iloc[0:0]

    def grid(self, indicator: str) -> pd.DataFrame:
        """Gemeente × period values of one indicator (computed once)."""
        if indicator not in self._grid:
            part = self.of(indicator).drop_duplicates(["code", "period"])
            self._grid[indicator] = part.set_index(["code", "period"])["value"].unstack("period")
        return self._grid[indicator]

    def at(self, indicator: str, period: int) -> pd.Series:
        g = self.grid(indicator)
        return g[period].dropna() if period in g.columns else pd.Series(dtype=float)

    def city(self, indicator: str, code: str) -> pd.Series:
        g = self.grid(indicator)
        if code not in g.index:
            return pd.Series(dtype=float)
        return g.loc[code].dropna().astype(float).sort_index()

    def sources(self, indicator: str, codes: Sequence[str], periods: Sequence[int]) -> list[str]:
        part = self.of(indicator)
        part = part[part["code"].isin(codes) & part["period"].isin(periods)]
        ids = set(part["source_id"]) | self.nl_src.get(indicator, set())
        return sorted({str(self.table_of.get(s, s)) for s in ids})


def _peers(store: Store, gemeente: str, peers: Sequence[str] | None, k: int, tot: int) -> Peers:
    if peers:
        return given_peers(store, gemeente, peers)
    return auto_peers(store, gemeente, k=k, year=tot)


def stad_analysis(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    *,
    peers: Sequence[str] | None = None,
    k: int = 12,
    region_kind: str = "corop",
    regions: pd.DataFrame | None = None,
) -> StadAnalysis:
    """Staat van de stad for ``gemeente`` (code) between ``van`` and ``tot``.

    ``peers``: names or codes (default: the ``k`` nearest on structural features, see
    :func:`buurtbalans.analysis.benchmark.auto_peers`); ``region_kind``: provincie, corop,
    ggd or arbeidsmarktregio; ``regions``: an extra registry (e.g. fetched from "Gebieden
    in Nederland"), used before the packaged one."""
    if tot < van:
        raise DataError(
            Msg("err_st_van_after_tot", van=van, tot=tot), fix=Msg("fix_st_swap", van=van, tot=tot)
        )
    cat = catalogue()
    notes: list[Msg] = []
    ids = needed_indicators()
    # the gemeente and NL rows with their grids, shared by every gemeente of this store
    data = per_content(store, "stad:" + ",".join(ids), lambda: _Data(store, ids))
    if data.values.empty or gemeente not in data.codes:
        raise DataError(Msg("err_st_no_series", gemeente=gemeente), fix=Msg("fix_st_import"))
    group = _peers(store, gemeente, peers, k, tot)
    from buurtbalans.demo_stad import DEMO_REGIONS

    table = registry([DEMO_REGIONS, *([regions] if regions is not None else [])])
    region: Region | None
    try:
        region = region_of(table, gemeente, region_kind, tot)
    except DataError as exc:
        region = None
        notes.append(Msg("st_note_no_region", reason=exc.term or str(exc)))
    names = gemeente_names(store)
    nl_name = "Nederland"
    rows, series, forecast = [], [], []
    for theme, inds in THEMES.items():
        for ind in inds:
            meta = cat[ind]
            row, ser = _indicator(data, theme, ind, gemeente, group, region, van, tot)
            rows.append(row)
            series += ser
            if row["status"] != "ok":
                continue
            if ind in FORECASTS:
                forecast += _forecast(data, ind, gemeente, region, tot, meta.kind)
    if region is not None:
        lacking = sorted(m for m in region.members if m not in data.codes)
        if lacking:
            shown = listed([names.get(c, c) for c in lacking])
            notes.append(
                Msg("st_note_region_lacking", region=region.name, n=len(lacking), gemeenten=shown)
            )
    result = pd.DataFrame(rows)
    missing = result.loc[result["status"] != "ok", "indicator"].tolist()
    if missing:
        labels = [indicator_label(i) for i in missing]
        notes.append(
            Msg(
                "st_note_no_series",
                n=len(missing),
                gemeente=names.get(gemeente, gemeente),
                indicators=labels,
            )
        )
    return StadAnalysis(
        gemeente,
        str(names.get(gemeente, gemeente)),
        van,
        tot,
        group,
        region,
        nl_name,
        result,
        pd.DataFrame(series, columns=["indicator", "period", "reeks", "value"]),
        pd.DataFrame(
            forecast, columns=["indicator", "prognose", "period", "reeks", "value", "bron"]
        ),
        notes,
    )


def _region_values(data: _Data, region: Region | None, ind: str) -> Aggregate | None:
    if region is None:
        return None
    meta = catalogue()[ind]
    weights = data.grid(meta.denominator).T if meta.kind != "count" and meta.denominator else None
    return aggregate_grid(data.grid(ind).T, weights, list(region.members), ind)


def _indicator(
    data: _Data,
    theme: str,
    ind: str,
    gemeente: str,
    group: Peers,
    region: Region | None,
    van: int,
    tot: int,
) -> tuple[dict, list[tuple]]:
    """One row of the table and its chart series."""
    meta = catalogue()[ind]
    row: dict = {
        "thema": theme,
        "indicator": ind,
        "omschrijving": meta.label_nl,
        "eenheid": meta.unit,
        "soort": meta.kind,
        "polariteit": meta.polarity,
        "bron_codeboek": meta.source_table or "KWB",
    }
    city = data.city(ind, gemeente)
    city = city[(city.index >= van) & (city.index <= tot)]
    if len(city) < 2:
        row["status"] = "geen reeks" if city.empty else "één jaar"
        return row, []
    p0, p1 = int(city.index.min()), int(city.index.max())
    v0, v1 = float(city[p0]), float(city[p1])
    nl = data.nl.get(ind, pd.Series(dtype=float))
    agg = _region_values(data, region, ind)
    reg = agg.values if agg is not None else pd.Series(dtype=float)
    at0 = data.at(ind, p0).reindex(group.codes)
    at1 = data.at(ind, p1).reindex(group.codes)
    both = at0.notna() & at1.notna()
    peer_change = pd.Series(
        [_change(meta.kind, at0[c], at1[c]) for c in group.codes if both[c]], dtype=float
    )
    here = pd.concat([pd.Series({gemeente: v1}), at1.dropna()])
    rank = _rank(here, meta.polarity)
    d_city = _change(meta.kind, v0, v1)
    n0, n1 = _pick(nl, p0), _pick(nl, p1)
    r0, r1 = _pick(reg, p0), _pick(reg, p1)
    d_nl = _change(meta.kind, n0, n1)
    d_reg = _change(meta.kind, r0, r1)
    d_peer = float(peer_change.mean()) if len(peer_change) else np.nan
    sign = {"+": 1.0, "-": -1.0}.get(meta.polarity, 0.0)
    gap0, gap1 = sign * (v0 - n0), sign * (v1 - n1)
    behind = bool(sign and np.isfinite(gap1) and gap1 > 0)
    worse = bool(behind and np.isfinite(gap0) and gap1 > gap0 * (1 + EQUAL / 2) and gap1 > gap0)
    row.update(
        status="ok",
        van=p0,
        tot=p1,
        waarde_van=v0,
        waarde=v1,
        nl_van=n0,
        nl=n1,
        regio_van=r0,
        regio=r1,
        regio_basis=agg.basis if agg is not None else None,
        peers_gem=float(at1.mean()) if at1.notna().any() else np.nan,
        peers_min=float(at1.min()) if at1.notna().any() else np.nan,
        peers_max=float(at1.max()) if at1.notna().any() else np.nan,
        n_peers=int(at1.notna().sum()),
        rang=int(rank[gemeente]),
        n_groep=len(here),
        verandering=d_city,
        verandering_nl=d_nl,
        verandering_regio=d_reg,
        verandering_peers=d_peer,
        n_peers_trend=len(peer_change),
        tempo_nl=pace(d_city, d_nl),
        tempo_regio=pace(d_city, d_reg),
        tempo_peers=pace(d_city, d_peer),
        achterstand_van=gap0 if sign else np.nan,
        achterstand=gap1 if sign else np.nan,
        aandachtspunt=worse,
        bron=", ".join(data.sources(ind, [gemeente, *group.codes], [p0, p1])),
        periode=f"{p0}-{p1}",
        regio_ontbreekt=(
            ", ".join(sorted(set(agg.missing.get(p0, []) + agg.missing.get(p1, []))))
            if agg is not None
            else None
        ),
    )
    ser: list[tuple] = [(ind, int(p), "gemeente", float(v)) for p, v in city.items()]
    for p in city.index:
        ser.append((ind, int(p), "nl", _pick(nl, int(p))))
        ser.append((ind, int(p), "regio", _pick(reg, int(p))))
        vals = data.at(ind, int(p)).reindex(group.codes).dropna()
        if len(vals):
            ser += [
                (ind, int(p), "peers_min", float(vals.min())),
                (ind, int(p), "peers_gem", float(vals.mean())),
                (ind, int(p), "peers_max", float(vals.max())),
            ]
    return row, ser


def _forecast(
    data: _Data, ind: str, gemeente: str, region: Region | None, tot: int, kind: str
) -> list[tuple]:
    """Forecast values after ``tot`` for the city, NL and the region."""
    fid = FORECASTS[ind]
    out = []
    city = data.city(fid, gemeente)
    city = city[city.index > tot]
    if city.empty:
        return out
    nl = data.nl.get(fid, pd.Series(dtype=float))
    agg = _region_values(data, region, fid)
    src = ", ".join(data.sources(fid, [gemeente], [int(p) for p in city.index]))
    for p, v in city.items():
        out.append((ind, fid, int(p), "gemeente", float(v), src))
        out.append((ind, fid, int(p), "nl", _pick(nl, int(p)), src))
        if agg is not None:
            out.append((ind, fid, int(p), "regio", _pick(agg.values, int(p)), src))
    return out
