"""Voorbeeldstad: a **synthetic** demo gemeente, generated deterministically.

60 buurten in 12 wijken, years 2015–2024, two boundary vintages (2015 and 2022: one buurt
split, two merged), KWB-style indicators, Leefbaarometer-style scores and a social-domain
cost table. Nothing here describes a real place; every output made from it says so.

The distributions are set by hand to resemble Dutch buurten (e.g. 40 % lowest-income
households 20–75 %, corporation share 0–90 %, social-domain cost ≈ €5,700 per resident),
and every indicator is driven by one latent deprivation score per buurt plus noise, so the
domains correlate as they do in real data. Deprived buurten improve less over time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.harmonise import column_kinds, crosswalk_by_geometry, to_vintage
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.boundaries import boundaries_frame
from buurtbalans.sources.tables import areas_from_codes

GEMEENTE = "GM9999"
NAME = "Voorbeeldstad"
LABEL = "SYNTHETISCHE DEMODATA — Voorbeeldstad bestaat niet"
YEARS = tuple(range(2015, 2025))
VINTAGES = (2015, 2022)
SEED = 20250501
_STREETS = (
    "Centrum",
    "Oost",
    "West",
    "Noord",
    "Zuid",
    "Haven",
    "Park",
    "Dorp",
    "Veld",
    "Molen",
    "Beek",
    "Hof",
)
_PARTS = ("Oud", "Nieuw", "Midden", "Hoog", "Laag", "Buiten", "Binnen")


def _buurt_layout(rng: np.random.Generator):
    """Voronoi buurten in an elliptic town, grouped into 12 wijken (RD New metres)."""
    shapely = import_optional("shapely")
    gpd = import_optional("geopandas")
    from shapely.affinity import scale

    cx, cy = 232_000.0, 486_000.0
    town = scale(shapely.Point(cx, cy).buffer(3_000, quad_segs=32), 1.4, 1.0)
    angles = np.linspace(0, 2 * np.pi, 9, endpoint=False)
    seeds = [(cx, cy), (cx + 900, cy + 700), (cx - 900, cy - 600)]
    seeds += [(cx + 3000 * np.cos(a), cy + 2100 * np.sin(a)) for a in angles]
    points, wijk_of = [], []
    for w, (sx, sy) in enumerate(seeds):
        for _ in range(5):
            points.append((sx + rng.normal(0, 420), sy + rng.normal(0, 420)))
            wijk_of.append(w + 1)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=town.buffer(2000))
    polys = []
    for x, y in points:
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(x, y)))
        polys.append(cell.intersection(town))
    order = np.lexsort((np.array([p[0] for p in points]), np.array(wijk_of)))
    codes, names, geoms, wijken = [], [], [], []
    counter: dict[int, int] = {}
    for i in order:
        w = wijk_of[i]
        counter[w] = counter.get(w, 0) + 1
        codes.append(f"BU9999{w:02d}{counter[w]:02d}")
        names.append(f"{_PARTS[(counter[w] - 1) % len(_PARTS)]} {_STREETS[w - 1]}")
        geoms.append(polys[i])
        wijken.append(w)
    return gpd.GeoDataFrame(
        {"code": codes, "name": names, "wijk": wijken}, geometry=geoms, crs="EPSG:28992"
    )


def _redivide(b2015):
    """Vintage 2022: BU99990101 split in two, BU99990201 + BU99990202 merged."""
    gpd = import_optional("geopandas")
    shapely = import_optional("shapely")
    rows = b2015[~b2015["code"].isin(["BU99990101", "BU99990201", "BU99990202"])]
    split = b2015.set_index("code").loc["BU99990101"]
    minx, miny, maxx, maxy = split.geometry.bounds
    mid = (minx + maxx) / 2
    west = split.geometry.intersection(shapely.box(minx - 1, miny - 1, mid, maxy + 1))
    east = split.geometry.intersection(shapely.box(mid, miny - 1, maxx + 1, maxy + 1))
    merged_geom = b2015.set_index("code").loc[["BU99990201", "BU99990202"]].union_all()
    new = gpd.GeoDataFrame(
        {
            "code": ["BU99990106", "BU99990107", "BU99990206"],
            "name": ["Oud Centrum-West", "Oud Centrum-Oost", "Oud en Nieuw Oost"],
            "wijk": [1, 1, 2],
        },
        geometry=[west, east, merged_geom],
        crs=b2015.crs,
    )
    return pd.concat([rows, new], ignore_index=True).sort_values("code", ignore_index=True)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _indicators(rng: np.random.Generator, layout) -> pd.DataFrame:
    """Wide table on the 2015 codes for every year."""
    n = len(layout)
    wijk_effect = rng.normal(0, 0.8, 13)[layout["wijk"].to_numpy()]
    d0 = wijk_effect + rng.normal(0, 0.6, n)  # latent deprivation, higher = worse
    trend = -0.05 + 0.035 * d0 + rng.normal(0, 0.02, n)  # the deprived improve less
    # each indicator has its own buurt-specific deviation from the latent score, so the
    # domains correlate (r ≈ 0.6-0.8) without being copies of each other
    names = (
        "p_hh_li",
        "p_hh_lkk",
        "g_hh_sti",
        "a_soz_wb",
        "a_soz_ww",
        "a_soz_ao",
        "p_arb_pp",
        "p_wcorpw",
        "g_woz",
        "p_wmo_t",
        "gz_ervaren_goed",
        "gz_langdurig_ziek_beperkt",
        "gz_angst_depressie_hoog",
        "lbm_onv",
        "lbm_fys",
        "lbm_soc",
        "lbm_won",
        "kosten_sociaal_domein",
        "edu",
        "vulnerable",
        "hhgro",
    )
    own = {k: rng.normal(0, 0.7, n) for k in names}
    pop0 = np.exp(rng.normal(np.log(1200), 0.55, n)).round(-1)
    rows = []
    for t, year in enumerate(YEARS):
        d = d0 + trend * t + rng.normal(0, 0.05, n)

        def sv(key: str, d: np.ndarray = d) -> np.ndarray:
            return _sigmoid(d + own[key])

        pop = (pop0 * (1 + 0.004 * t + rng.normal(0, 0.01, n))).round(-1).clip(50)
        hhgro = (2.55 - 0.45 * sv("hhgro") + rng.normal(0, 0.05, n)).round(1)
        hh = (pop / hhgro).round(-1)
        corp = np.clip(90 * sv("p_wcorpw") + rng.normal(0, 8, n), 0, 95).round()
        huur = np.clip(corp + rng.uniform(3, 15, n), 0, 100).round()
        lowedu = np.clip(0.12 + 0.38 * sv("edu") + rng.normal(0, 0.03, n), 0.03, 0.7)
        highedu = np.clip(0.55 - 0.45 * sv("edu") + rng.normal(0, 0.04, n), 0.05, 0.8)
        adults = pop * 0.72
        rows.append(
            pd.DataFrame(
                {
                    "area_code": layout["code"].to_numpy(),
                    "period": year,
                    "a_inw": pop,
                    "a_hh": hh,
                    "a_woning": (hh * 1.03).round(-1),
                    "g_hhgro": hhgro,
                    "a_inkont": (pop * 0.78).round(-1),
                    "p_hh_li": np.clip(18 + 55 * sv("p_hh_li") + rng.normal(0, 3, n), 5, 90).round(
                        1
                    ),
                    "p_hh_lkk": np.clip(
                        2 + 20 * sv("p_hh_lkk") + rng.normal(0, 1.5, n), 0.5, 40
                    ).round(1),
                    "g_hh_sti": np.clip(
                        46 - 22 * sv("g_hh_sti") + rng.normal(0, 1.5, n), 15, 70
                    ).round(1),
                    "a_soz_wb": (
                        pop
                        * np.clip(
                            0.004 + 0.11 * sv("a_soz_wb") ** 2 + rng.normal(0, 0.004, n), 0, 0.2
                        )
                    ).round(-1),
                    "a_soz_ww": (pop * np.clip(0.01 + 0.02 * sv("a_soz_ww"), 0, 1)).round(-1),
                    "a_soz_ao": (
                        pop * np.clip(0.02 + 0.05 * sv("a_soz_ao") + rng.normal(0, 0.005, n), 0, 1)
                    ).round(-1),
                    "p_arb_pp": np.clip(
                        75 - 22 * sv("p_arb_pp") + rng.normal(0, 2, n), 35, 85
                    ).round(1),
                    "a_opl_lg": (adults * lowedu).round(-1),
                    "a_opl_md": (adults * np.clip(1 - lowedu - highedu, 0.05, 1)).round(-1),
                    "a_opl_hg": (adults * highedu).round(-1),
                    "p_wcorpw": corp,
                    "p_huurw": huur,
                    "p_koopw": 100 - huur,
                    "g_woz": np.clip(
                        420 - 230 * sv("g_woz") + rng.normal(0, 25, n) + 6 * t, 90, 900
                    ).round(),
                    "p_wmo_t": np.clip(
                        45 + 90 * sv("p_wmo_t") + rng.normal(0, 8, n), 10, 250
                    ).round(),
                    "gz_ervaren_goed": np.clip(
                        84 - 20 * sv("gz_ervaren_goed") + rng.normal(0, 1.5, n), 50, 95
                    ).round(1),
                    "gz_langdurig_ziek_beperkt": np.clip(
                        22 + 16 * sv("gz_langdurig_ziek_beperkt") + rng.normal(0, 1.5, n), 5, 60
                    ).round(1),
                    "gz_angst_depressie_hoog": np.clip(
                        4 + 9 * sv("gz_angst_depressie_hoog") + rng.normal(0, 0.8, n), 1, 30
                    ).round(1),
                    "lbm_onv": np.clip(
                        0.12 - 0.35 * sv("lbm_onv") + rng.normal(0, 0.03, n), -0.5, 0.3
                    ).round(3),
                    "lbm_fys": np.clip(
                        0.08 - 0.2 * sv("lbm_fys") + rng.normal(0, 0.03, n), -0.4, 0.3
                    ).round(3),
                    "lbm_soc": np.clip(
                        0.05 - 0.15 * sv("lbm_soc") + rng.normal(0, 0.02, n), -0.3, 0.2
                    ).round(3),
                    "lbm_vrz": np.clip(0.02 + rng.normal(0, 0.05, n), -0.2, 0.3).round(3),
                    "lbm_won": np.clip(
                        0.05 - 0.2 * sv("lbm_won") + rng.normal(0, 0.03, n), -0.4, 0.3
                    ).round(3),
                    "g_afs_hp": np.clip(rng.gamma(2, 0.4, n), 0.1, 5).round(1),
                    "g_afs_gs": np.clip(rng.gamma(2, 0.35, n), 0.1, 5).round(1),
                    "kosten_sociaal_domein": (
                        pop
                        * np.clip(
                            2_300
                            + 9_500 * sv("kosten_sociaal_domein") ** 1.5
                            + rng.normal(0, 400, n),
                            800,
                            None,
                        )
                    ).round(-3),
                }
            )
        )
        rows[-1]["lbm"] = (
            4.05 + rows[-1][["lbm_onv", "lbm_fys", "lbm_soc", "lbm_vrz", "lbm_won"]].sum(axis=1)
        ).round(3)
        vulnerable = np.clip(0.05 + 0.45 * sv("vulnerable") + rng.normal(0, 0.03, n), 0.01, 0.9)
        key = "a_nw_all" if year <= 2022 else "a_herk_bue"
        rows[-1][key] = (pop * vulnerable).round(-1)
    return pd.concat(rows, ignore_index=True)


def demo_batches() -> list[ImportBatch]:
    """The demo as import batches: KWB-style data, Leefbaarometer-style scores and costs,
    each on the vintage of its year, plus both boundary vintages."""
    rng = np.random.default_rng(SEED)
    b2015 = _buurt_layout(rng)
    b2022 = _redivide(b2015)
    wide = _indicators(rng, b2015)
    cw = crosswalk_by_geometry(b2015, b2022)
    late = wide[wide["period"] >= VINTAGES[1]]
    counts, rates = column_kinds([c for c in wide.columns if c not in ("area_code", "period")])
    moved = to_vintage(late, cw, counts=counts, rates=rates).drop(columns="flags")
    for col in counts:
        moved[col] = moved[col].round(-1 if col != "kosten_sociaal_domein" else -3)
    parts = {VINTAGES[0]: wide[wide["period"] < VINTAGES[1]], VINTAGES[1]: moved}
    groups = {
        "kwb": [
            c
            for c in wide.columns
            if not c.startswith(("lbm", "kosten", "gz_")) and c not in ("area_code", "period")
        ],
        "gezondheid": [c for c in wide.columns if c.startswith("gz_")],
        "leefbaarometer": [c for c in wide.columns if c.startswith("lbm")],
        "kosten": ["kosten_sociaal_domein"],
    }
    batches = []
    for vintage, layout in ((2015, b2015), (2022, b2022)):
        data = parts[vintage]
        areas = _areas(layout, vintage)
        for group, cols in groups.items():
            long = data.melt(
                id_vars=["area_code", "period"], value_vars=cols, var_name="indicator"
            ).dropna(subset=["value"])
            long["vintage"], long["status"] = vintage, "ok"
            source = SourceInfo(
                source_id=f"demo:{group}:{vintage}",
                publisher=LABEL,
                table_id=f"voorbeeldstad-{group}",
                title=f"Voorbeeldstad {group} (synthetisch)",
                period=f"{long['period'].min()}-{long['period'].max()}",
                file_name="buurtbalans.demo",
                file_hash=f"seed-{SEED}",
                kind="demo",
                notes="synthetic data generated by buurtbalans.demo; not a real place",
            )
            bnd = None
            if group == "kwb":
                bnd = boundaries_frame(
                    layout["code"], layout.geometry, vintage, pd.Series(["buurt"] * len(layout))
                )
            batches.append(ImportBatch(source, areas, long, bnd))
    batches.append(_peer_batch(rng, wide))
    from buurtbalans.demo_stad import stad_batches  # gemeente series for 'Staat van de stad'

    batches += stad_batches(batches[-1], VINTAGES[1], SEED)
    return batches


PEER_NAMES = tuple(f"Voorbeeldgemeente {c}" for c in "ABCDEFGHIJKL")
_GM_RATES = (
    "p_hh_li",
    "p_hh_lkk",
    "g_hh_sti",
    "p_arb_pp",
    "p_wcorpw",
    "p_koopw",
    "p_huurw",
    "g_woz",
    "p_wmo_t",
    "gz_ervaren_goed",
    "gz_langdurig_ziek_beperkt",
    "gz_angst_depressie_hoog",
)


def _peer_batch(rng: np.random.Generator, wide: pd.DataFrame) -> ImportBatch:
    """SYNTHETIC gemeente-level rows for the benchmark chapter: Voorbeeldstad (population-
    weighted from its buurten), twelve invented peers 'Voorbeeldgemeente A–L' and an invented
    NL row (NL01), for 2015, 2019 and 2024. None of these places or values is real."""
    rows = []
    peer_codes = [f"GM99{i:02d}" for i in range(1, len(PEER_NAMES) + 1)]
    size = {c: float(rng.uniform(80_000, 260_000)) for c in peer_codes}
    scale = {c: rng.normal(0, 0.12, len(_GM_RATES) + 4) for c in peer_codes}
    for year in (2015, 2019, 2024):
        part = wide[wide["period"] == year]
        w = part["a_inw"]
        city = {k: float(np.average(part[k], weights=w)) for k in _GM_RATES}
        city.update(
            a_inw=float(w.sum()),
            bev_dich=3_100.0,
            p_65_eo_jr=17.5 + 0.1 * (year - 2015),
            p_1p_hh=38.0,
            p_n_w_al=14.0,
        )
        rows += [(GEMEENTE, year, k, round(v, 1)) for k, v in city.items()]
        peer_values = []
        for code in peer_codes:
            f = np.exp(scale[code])
            vals = {k: city[k] * f[i] for i, k in enumerate(_GM_RATES)}
            vals.update(
                a_inw=float(round(size[code] * (1 + 0.005 * (year - 2015)))),
                bev_dich=city["bev_dich"] * f[-1] * 1.3,
                p_65_eo_jr=city["p_65_eo_jr"] * f[-2],
                p_1p_hh=city["p_1p_hh"] * f[-3],
                p_n_w_al=city["p_n_w_al"] * f[-4] * 1.2,
            )
            for k in ("p_koopw", "p_huurw", "p_wcorpw", "gz_ervaren_goed", "p_arb_pp"):
                vals[k] = min(vals[k], 95.0)
            peer_values.append(vals)
            rows += [(code, year, k, round(v, 1)) for k, v in vals.items()]
        keys = [k for k in peer_values[0] if k != "a_inw"]
        nl = {k: float(np.mean([v[k] for v in peer_values])) * 0.97 for k in keys}
        rows += [("NL01", year, k, round(v, 1)) for k, v in nl.items()]
    long = pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"])
    long["vintage"], long["status"] = VINTAGES[1], "ok"
    areas = areas_from_codes(
        pd.Series(["NL01", *peer_codes]),
        VINTAGES[1],
        pd.Series(["Nederland (synthetisch)", *PEER_NAMES]),
    )
    source = SourceInfo(
        source_id="demo:gemeenten",
        publisher=LABEL,
        table_id="voorbeeldstad-gemeenten",
        title="Voorbeeldgemeenten en Nederland (synthetisch)",
        period="2015-2024",
        file_name="buurtbalans.demo",
        file_hash=f"seed-{SEED}",
        kind="demo",
        notes="synthetic peers and NL values for the demo benchmark; not real places",
    )
    return ImportBatch(source, areas, long, None)


def _areas(layout, vintage: int) -> pd.DataFrame:
    buurten = areas_from_codes(layout["code"], vintage, layout["name"])
    wijk_codes = sorted(set(buurten["wijk_code"]))
    wijken = areas_from_codes(
        pd.Series(wijk_codes),
        vintage,
        pd.Series([f"Wijk {_STREETS[int(c[-2:]) - 1]}" for c in wijk_codes]),
    )
    gemeente = areas_from_codes(pd.Series([GEMEENTE]), vintage, pd.Series([NAME]))
    return pd.concat([gemeente, wijken, buurten], ignore_index=True)


def load_demo(store) -> None:
    """Write Voorbeeldstad into a store in one transaction (idempotent)."""
    batches = demo_batches()
    store.write_all(batches)
    store.mark_synthetic(b.source.source_id for b in batches)
