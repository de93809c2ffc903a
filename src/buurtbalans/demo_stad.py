"""SYNTHETIC gemeente-level series for the demo's *Staat van de stad* (2015–2024, yearly)
and a synthetic forecast (2025–2040), for Voorbeeldstad, the twelve invented peers
'Voorbeeldgemeente A–L' and an invented NL row; plus their synthetic regions. None of these
places, regions or values is real.

The values at 2015, 2019 and 2024 that :func:`buurtbalans.demo._peer_batch` already writes
stay as they are (the benchmark chapter uses them); the years between are interpolated and
every other indicator of :data:`buurtbalans.analysis.stad_themes.THEMES` is generated from an
invented NL level and trend, a spread between gemeenten and, for Voorbeeldstad, a position
behind NL on some indicators that worsens over time (so *aandachtspunten* exist to show).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.regios import COLUMNS as REGION_COLUMNS

CITY = "GM9999"
PEERS = tuple(f"GM99{i:02d}" for i in range(1, 13))
YEARS = tuple(range(2015, 2025))
FORECAST_YEARS = (2025, 2030, 2035, 2040)
SEED = 20250521
LABEL = "SYNTHETISCHE DEMODATA — Voorbeeldstad bestaat niet"

# id: (NL level 2015, NL change per year, spread between gemeenten (sd, relative),
#      Voorbeeldstad's position (sd; + = worse in the indicator's direction),
#      Voorbeeldstad's extra change per year (sd; + = worse), polarity)
SPEC: dict[str, tuple[float, float, float, float, float, str]] = {
    "p_00_14_jr": (16.6, -0.12, 0.08, 0.3, 0.0, "0"),
    "g_hhgro": (2.18, -0.006, 0.05, 0.0, 0.0, "0"),
    "p_groei_bev": (4.5, 0.2, 0.6, 0.4, 0.05, "0"),
    "p_werkloos": (6.9, -0.35, 0.18, 0.8, 0.06, "+"),
    "p_bruto_arb": (69.0, 0.35, 0.04, 0.7, 0.05, "-"),
    "r_banen": (760.0, 6.0, 0.15, 0.2, 0.0, "-"),
    "r_bedv": (95.0, 2.5, 0.15, 0.6, 0.04, "0"),
    "r_soz_wb": (27.0, -0.4, 0.3, 0.9, 0.05, "+"),
    "p_opl_laag": (30.0, -0.6, 0.12, 0.8, 0.03, "+"),
    "p_opl_hoog": (28.0, 0.7, 0.2, 0.8, 0.04, "-"),
    "p_vsv": (2.0, -0.02, 0.25, 0.7, 0.08, "+"),
    "p_zonder_startkw": (11.0, -0.15, 0.2, 0.9, 0.08, "+"),
    "p_advies_havo": (42.0, 0.25, 0.1, 0.6, 0.05, "-"),
    "p_hh_osm": (7.5, -0.05, 0.25, 0.8, 0.03, "+"),
    "gz_moeite_rondkomen": (18.0, -0.2, 0.18, 0.7, 0.02, "+"),
    "r_schuldsan": (4.0, -0.2, 0.3, 0.6, 0.05, "+"),
    "p_hh_schuld": (5.5, -0.05, 0.25, 0.9, 0.07, "+"),
    "p_kind_li": (8.5, -0.15, 0.3, 1.0, 0.06, "+"),
    "p_jong_nwns": (5.0, -0.1, 0.2, 0.6, 0.04, "+"),
    "p_jong_bijst": (2.3, -0.05, 0.3, 0.8, 0.03, "+"),
    "pp_advies_ongelijk": (32.0, 0.1, 0.12, 0.5, 0.05, "+"),
    "p_langdurig_li": (4.8, -0.06, 0.3, 0.9, 0.03, "+"),
    "gz_overgewicht": (48.0, 0.25, 0.06, 0.7, 0.03, "+"),
    "gz_eenzaam": (43.0, 0.35, 0.06, 0.4, 0.02, "+"),
    "gz_roker": (23.0, -0.4, 0.1, 0.6, 0.0, "+"),
    "p_jz_tn": (9.5, 0.25, 0.15, 0.7, 0.06, "+"),
    "g_kosten_sd": (2_900.0, 140.0, 0.12, 0.8, 0.05, "+"),
    "p_wlz": (1.9, 0.03, 0.15, 0.3, 0.0, "+"),
    "p_jb": (1.1, -0.01, 0.25, 0.6, 0.02, "+"),
    "lbm": (4.05, 0.01, 0.01, 0.6, 0.03, "-"),
    "lbm_won": (0.0, 0.002, 0.0, 0.0, 0.0, "-"),
    "lbm_fys": (0.0, 0.001, 0.0, 0.0, 0.0, "-"),
    "r_misdr": (56.0, -1.5, 0.2, 0.8, 0.02, "+"),
    "g_wodief": (3.6, -0.2, 0.3, 0.5, 0.0, "+"),
    "g_vernoo": (7.2, -0.25, 0.25, 0.6, 0.03, "+"),
    "g_gewsek": (5.3, -0.02, 0.25, 0.7, 0.05, "+"),
    "p_onveilig": (35.0, -0.3, 0.12, 0.6, 0.04, "+"),
    "lbm_onv": (0.0, 0.001, 0.0, 0.0, 0.0, "-"),
    "gz_sporter": (52.0, 0.2, 0.07, 0.6, 0.03, "-"),
    "gz_beweegrichtlijn": (48.0, 0.4, 0.07, 0.5, 0.03, "-"),
    "gz_vrijwilligerswerk": (29.0, -0.2, 0.12, 0.5, 0.02, "-"),
    "g_afs_bios": (6.5, -0.05, 0.5, -0.8, 0.0, "+"),
    "g_afs_pod": (5.0, -0.02, 0.5, -0.8, 0.0, "+"),
    "g_afs_mus": (4.8, -0.02, 0.5, -0.7, 0.0, "+"),
    "g_afs_bib": (1.8, 0.03, 0.3, -0.5, 0.0, "+"),
    "g_afs_sport": (1.1, 0.0, 0.2, 0.0, 0.0, "+"),
}
# score components spread in absolute units (the Leefbaarometer's deviations from NL)
_ABS_SD = {"lbm_won": 0.05, "lbm_fys": 0.04, "lbm_onv": 0.06}
# denominators as a share of residents (level 2015, change per year)
_COUNTS = {
    "a_hh": (0.465, 0.0012),
    "a_beroeps": (0.52, 0.001),
    "a_00_17": (0.205, -0.0012),
    "a_jong_15_26": (0.15, -0.0004),
    "a_jong_18_22": (0.062, -0.0002),
    "a_groep8": (0.0115, -0.0001),
    "a_leerl_po": (0.087, -0.0011),
    "a_woning": (0.475, 0.0012),
}
DEMO_REGIONS = pd.DataFrame(
    [(CITY, 2024, "corop", "CR99", "Voorbeeldregio (synthetisch)", True)]
    + [(c, 2024, "corop", "CR99", "Voorbeeldregio (synthetisch)", True) for c in PEERS[:5]]
    + [
        (c, 2024, "provincie", "PV99", "Voorbeeldprovincie (synthetisch)", True)
        for c in (CITY, *PEERS)
    ],
    columns=REGION_COLUMNS,
)


def _in_codebook(rows: pd.DataFrame) -> pd.DataFrame:
    """Invented values as the codebook allows them: within its bounds (no negative
    distance), whole numbers for counts (no 236,903.5 residents) — what an import of real
    data would refuse, the synthetic data never contain."""
    from buurtbalans.sources.codebook import catalogue

    cat = catalogue()
    rows = rows.copy()
    for ind in rows["indicator"].unique():
        meta = cat.get(str(ind))
        if meta is None:
            continue
        at = rows["indicator"] == ind
        values = rows.loc[at, "value"].astype(float)
        if meta.lower is not None or meta.upper is not None:
            values = values.clip(lower=meta.lower, upper=meta.upper)
        if meta.integral:
            values = values.round()
        rows.loc[at, "value"] = values
    return rows


def _interpolate(peer_obs: pd.DataFrame) -> pd.DataFrame:
    """The years between the existing 2015/2019/2024 values, linear, for every code and
    indicator of the peer batch."""
    rows = []
    for (code, ind), part in peer_obs.groupby(["area_code", "indicator"]):
        known = part.set_index("period")["value"].astype(float).sort_index()
        if len(known) < 2:
            continue
        full = known.reindex(YEARS).interpolate(method="index").round(3)
        for year in YEARS:
            if year not in known.index and pd.notna(full[year]):
                rows.append((code, year, ind, float(full[year])))
    return pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"])


def _residents(peer_obs: pd.DataFrame) -> dict[str, pd.Series]:
    """Residents per gemeente per year (interpolated) and an invented NL total."""
    inw = peer_obs[peer_obs["indicator"] == "a_inw"]
    out = {}
    for code, part in inw.groupby("area_code"):
        s = part.set_index("period")["value"].astype(float).reindex(YEARS)
        out[str(code)] = s.interpolate(method="index").round(-1)
    out["NL01"] = pd.Series([16_900_000 + 100_000 * t for t in range(len(YEARS))], index=YEARS)
    return out


def stad_observations(peer_obs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(yearly series 2015–2024, forecast 2025–2040) as long observations."""
    rng = np.random.default_rng(SEED)
    codes = [CITY, *PEERS]
    inw = _residents(peer_obs)
    rows: list[tuple[str, int, str, float]] = []
    for ind, (nl0, slope, sd, city_z, city_drift, pol) in SPEC.items():
        sign = -1.0 if pol == "-" else 1.0
        z = {c: float(rng.normal(0, 1)) for c in PEERS}
        z[CITY] = city_z * sign
        drift = {c: float(rng.normal(0, 0.02)) for c in PEERS}
        drift[CITY] = city_drift * sign
        spread = _ABS_SD.get(ind)
        for t, year in enumerate(YEARS):
            nl = nl0 + slope * t
            rows.append(("NL01", year, ind, round(nl, 3)))
            for c in codes:
                step = z[c] + drift[c] * t
                if spread is not None:
                    value = nl + spread * step
                else:
                    value = nl * (1 + sd * step) + rng.normal(0, abs(nl) * 0.004)
                if ind.startswith(("p_", "gz_")):
                    value = float(np.clip(value, 0.1, 99.0))
                rows.append((c, year, ind, round(float(value), 3)))
    for code, series in inw.items():
        for t, year in enumerate(YEARS):
            for ind, (share, change) in _COUNTS.items():
                rows.append((code, year, ind, float(round(series[year] * (share + change * t)))))
            if code == "NL01":
                rows.append((code, year, "a_inw", float(series[year])))
    years = pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"])
    years = _in_codebook(pd.concat([years, _interpolate(peer_obs)], ignore_index=True))
    # land area (ha) from residents and density, so density has its denominator
    both = pd.concat([years, peer_obs], ignore_index=True)
    dens = both[both["indicator"] == "bev_dich"].set_index(["area_code", "period"])["value"]
    land = [
        (code, year, "a_lan_ha", float(round(inw[code][year] / dens[(code, year)] * 100)))
        for code, year in dens.index
        if code in inw
    ]
    years = pd.concat([years, pd.DataFrame(land, columns=years.columns)], ignore_index=True)
    return years, _forecast(years, peer_obs, inw, rng)


def _forecast(
    years: pd.DataFrame, peer_obs: pd.DataFrame, inw: dict[str, pd.Series], rng
) -> pd.DataFrame:
    """An invented forecast from the 2024 values: residents, households, 65+ and 0–14."""
    both = pd.concat([years, peer_obs], ignore_index=True)
    last = both[both["period"] == 2024].set_index(["area_code", "indicator"])["value"]
    rows = []
    for code in ["NL01", CITY, *PEERS]:
        growth = 0.0035 if code == "NL01" else float(rng.normal(0.002, 0.003))
        ageing = 0.22 if code == "NL01" else float(rng.normal(0.24, 0.04))
        base_inw = float(inw[code][2024])
        p65 = float(last.get((code, "p_65_eo_jr"), np.nan))
        p014 = float(last.get((code, "p_00_14_jr"), np.nan))
        hh = float(last.get((code, "a_hh"), base_inw / 2.15))
        for year in FORECAST_YEARS:
            dt = year - 2024
            pop = base_inw * (1 + growth) ** dt
            rows += [
                (code, year, "prog_a_inw", float(round(pop, -1))),
                (code, year, "prog_a_hh", float(round(hh * (1 + growth + 0.002) ** dt, -1))),
                (code, year, "prog_p_65_eo_jr", round(p65 + ageing * dt, 2)),
                (code, year, "prog_p_00_14_jr", round(p014 - 0.06 * dt, 2)),
            ]
    return pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"])


def stad_batches(peer_batch: ImportBatch, vintage: int, seed: int) -> list[ImportBatch]:
    """The demo's gemeente series and forecast as two synthetic import batches on the areas
    the peer batch already registered."""
    series, forecast = stad_observations(peer_batch.observations)
    batches = []
    for obs, table, title, period in (
        (series, "voorbeeldstad-gemeentereeksen", "Gemeentereeksen (synthetisch)", "2015-2024"),
        (forecast, "voorbeeldstad-prognose", "Prognose (synthetisch)", "2025-2040"),
    ):
        obs = obs.assign(vintage=vintage, status="ok")
        source = SourceInfo(
            source_id=f"demo:{table.split('-')[1]}",
            publisher=LABEL,
            table_id=table,
            title=f"Voorbeeldgemeenten {title}",
            period=period,
            file_name="buurtbalans.demo",
            file_hash=f"seed-{seed}-{SEED}",
            kind="demo",
            notes="synthetic gemeente-level series for the Staat van de stad; not real places",
        )
        batches.append(ImportBatch(source, peer_batch.areas.iloc[0:0], obs, None))
    return batches


def gemeente_series(
    obs: pd.DataFrame,
    *,
    years: tuple[int, ...] | None = None,
    forecast_years: tuple[int, ...] = FORECAST_YEARS,
    seed: int = SEED,
    land_code: str = "NL01",
) -> pd.DataFrame:
    """SYNTHETIC gemeente-level series for a synthetic world that already has gemeente rows
    (the national twin): every indicator of :data:`SPEC` and every denominator of
    :data:`_COUNTS` that ``obs`` lacks, for each gemeente of ``obs`` and each year (default:
    the years ``obs`` has residents for), the NL01 row as the aggregate of the gemeenten
    (counts summed, the rest weighted by the codebook denominator), and a forecast for
    ``forecast_years``. Gemeenten with more low-income households (``p_hh_li``) get worse
    values and a worsening drift, so the themes correlate as in real data.

    ``obs``: long rows ``area_code, period, indicator, value`` with at least ``a_inw``;
    ``land_code``: the code of the country row (KWB files write NL00, StatLine NL01).
    Returns rows ``area_code, period, indicator, value`` (no value of ``obs`` repeated)."""
    from buurtbalans.sources.regios import aggregate

    rng = np.random.default_rng(seed)
    obs = obs[obs["area_code"].astype(str).str.startswith("GM")]
    inw_rows = obs[obs["indicator"] == "a_inw"].dropna(subset=["value"])
    if inw_rows.empty:
        from buurtbalans.errors import DataError, Msg

        raise DataError(Msg("err_an_demo_no_residents"), fix=Msg("fix_an_demo_gemeente_rows"))
    years = tuple(sorted(years or inw_rows["period"].astype(int).unique()))
    wide_inw = inw_rows.pivot_table(index="area_code", columns="period", values="value")
    wide_inw = wide_inw.reindex(columns=list(years))
    codes = sorted(wide_inw.index)
    # a gemeente only gets values in the years it exists (herindelingen end old codes)
    exists = {year: [c for c in codes if pd.notna(wide_inw.at[c, year])] for year in years}
    have = set(obs["indicator"])
    li = obs[obs["indicator"] == "p_hh_li"].sort_values("period").groupby("area_code")["value"]
    li_last = li.last().reindex(codes)
    z = ((li_last - li_last.mean()) / (li_last.std(ddof=0) or 1.0)).fillna(0.0)
    latent = 0.8 * z.to_numpy() + 0.6 * rng.normal(0, 1, len(codes))
    rows: list[tuple[str, int, str, float]] = []
    t0 = years[0]
    for ind, (nl0, slope, sd, _city_z, _city_drift, pol) in SPEC.items():
        if ind in have:
            continue
        sign = -1.0 if pol == "-" else 1.0
        own = rng.normal(0, 0.5, len(codes))
        spread = _ABS_SD.get(ind)
        for year in years:
            t = year - t0
            nl = nl0 + slope * t
            step = sign * (latent + own + 0.03 * latent * t)
            values = nl + spread * step if spread is not None else nl * (1 + sd * step)
            if ind.startswith(("p_", "gz_")):
                values = np.clip(values, 0.1, 99.0)
            rows += [
                (c, year, ind, round(float(v), 3))
                for c, v in zip(codes, values, strict=True)
                if c in exists[year]
            ]
    for ind, (share, change) in _COUNTS.items():
        if ind in have:
            continue
        for year in years:
            t = year - t0
            rows += [
                (c, year, ind, float(round(wide_inw.at[c, year] * (share + change * t))))
                for c in exists[year]
            ]
    new = _in_codebook(pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"]))
    both = pd.concat([obs[new.columns], new], ignore_index=True).rename(
        columns={"area_code": "code"}
    )
    nl_rows = []
    from buurtbalans.sources.codebook import catalogue

    cat = catalogue()
    pieces = dict(iter(both.groupby(["period", "indicator"], sort=False)))
    empty = both.iloc[:0]
    spans: dict[tuple[str, ...], list[int]] = {}  # years with the same gemeenten: one call
    for year in years:
        spans.setdefault(tuple(exists[year]), []).append(year)
    for ind in new["indicator"].unique():
        denominator = cat[ind].denominator if ind in cat else None
        wanted = [str(ind)] + ([denominator] if denominator else [])
        for members, span in spans.items():  # only the rows aggregate() reads
            part = pd.concat(
                [pieces.get((y, w), empty) for y in span for w in wanted], ignore_index=True
            )
            agg = aggregate(part, list(members), str(ind))
            nl_rows += [(land_code, int(p), str(ind), float(v)) for p, v in agg.values.items()]
    new = pd.concat([new, pd.DataFrame(nl_rows, columns=new.columns)], ignore_index=True)
    last = exists[years[-1]]
    return pd.concat(
        [new, _generic_forecast(both, last, years[-1], forecast_years, rng, land_code)],
        ignore_index=True,
    )


def _generic_forecast(
    both: pd.DataFrame,
    codes: list[str],
    last: int,
    years: tuple[int, ...],
    rng: np.random.Generator,
    land_code: str,
) -> pd.DataFrame:
    """Residents, households, 65+ and 0-14 after ``last`` for every gemeente and NL01 (the
    aggregate of the gemeenten)."""
    at = both[both["period"] == last].pivot_table(
        index="code", columns="indicator", values="value", aggfunc="first"
    )
    rows = []
    for c in codes:
        growth, ageing = float(rng.normal(0.002, 0.003)), float(rng.normal(0.24, 0.04))
        inw = float(at.at[c, "a_inw"])
        hh = float(at.at[c, "a_hh"]) if "a_hh" in at and pd.notna(at.at[c, "a_hh"]) else inw / 2.15
        p65 = float(at.at[c, "p_65_eo_jr"]) if "p_65_eo_jr" in at else np.nan
        p014 = float(at.at[c, "p_00_14_jr"]) if "p_00_14_jr" in at else np.nan
        for year in years:
            dt = year - last
            rows += [
                (c, year, "prog_a_inw", float(round(inw * (1 + growth) ** dt, -1))),
                (c, year, "prog_a_hh", float(round(hh * (1 + growth + 0.002) ** dt, -1))),
                (c, year, "prog_p_65_eo_jr", round(p65 + ageing * dt, 2)),
                (c, year, "prog_p_00_14_jr", round(p014 - 0.06 * dt, 2)),
            ]
    fc = pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"]).dropna()
    from buurtbalans.sources.regios import aggregate

    long = fc.rename(columns={"area_code": "code"})
    nl = []
    for ind in ("prog_a_inw", "prog_a_hh", "prog_p_65_eo_jr", "prog_p_00_14_jr"):
        agg = aggregate(long, codes, ind)
        nl += [(land_code, int(p), ind, float(v)) for p, v in agg.values.items() if np.isfinite(v)]
    return pd.concat([fc, pd.DataFrame(nl, columns=fc.columns)], ignore_index=True)
