"""Writing the twin in the real file formats the importers read.

* ``kwb-YYYY.csv``: one row per land, gemeente, wijk and buurt of that year's indeling,
  the KWB short codes as columns (each year its own set: migration background until 2021,
  ``a_herk_bue`` from 2023, safety figures until 2018, ``p_hh_osm`` until 2023 …), CBS
  symbols ``.`` (unknown) and ``x`` (secret), ``;``-separated with decimal commas;
* ``buurten-YYYY.gpkg``: the wijk- en buurtkaart of that year (boundaries);
* ``gezondheid-YYYY.csv``: a 50090NED export (CBS/RIVM health, 18+) on the 2020 indeling,
  for the years CBS published it (2016, 2020);
* ``leefbaarometer-buurten.csv``: Leefbaarometer 3.0 scores every two years, all on the
  indeling of the last year (as BZK republishes them);
* ``kosten-GMxxxx.xlsx`` + ``kosten-mapping.toml``: a municipal social-domain cost table
  by buurt name, for some gemeenten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.twin.geography import Geography
from buurtbalans.twin.values import (
    COUNTS,
    HEALTH,
    LBM,
    MEANS,
    RATES,
    SHARES,
    Latent,
    aggregate,
    stedelijkheid,
)

HEALTH_YEARS, HEALTH_INDELING = (2016, 2020), 2020
LBM_YEARS = (2016, 2018, 2020, 2022, 2024)
COST_FROM = 2019
HEALTH_KEYS = {
    "gz_ervaren_goed": "ErvarenGezondheidGoedZeerGoed_4",
    "gz_overgewicht": "Overgewicht_9",
    "gz_langdurig_ziek_beperkt": "LangdurigeZiekteEnBeperkt_19",
    "gz_angst_depressie_hoog": "HoogRisicoOpAngstOfDepressie_25",
    "gz_eenzaam": "Eenzaam_28",
    "gz_moeite_rondkomen": "MoeiteMetRondkomen_38",
}
LBM_KEYS = {
    "lbm_onv": "onv",
    "lbm_fys": "fys",
    "lbm_soc": "soc",
    "lbm_vrz": "vrz",
    "lbm_won": "won",
}
KWB_COUNTS = tuple(c for c in COUNTS if c != "kosten_sociaal_domein")  # costs: municipal
KWB_OTHER = (
    *SHARES, "p_koopw", "p_huurw", "p_mgezw", "p_bjo2k", "p_25_44_jr", "p_45_64_jr",
    *MEANS, *RATES, "bev_dich", "ste_oad", "ste_mvs",
)  # fmt: skip
INCOME = ("p_hh_li", "p_hh_hi", "p_hh_lkk", "p_hh_osm", "p_hh_110", "p_hh_120", "p_ink_li",
          "p_ink_hi", "g_hh_sti", "g_ink_pi")  # fmt: skip
ALWAYS_SHOWN = {"a_inw", "a_opp_ha", "a_lan_ha", "a_wat_ha", "bev_dich", "ste_oad", "ste_mvs",
                "g_afs_hp", "g_afs_gs", "g_afs_sc", "g_afs_kv", "g_afs_zh", "g_3km_sc"}  # fmt: skip


def kwb_columns(year: int) -> list[str]:
    """The indicator columns of that year's KWB file (they change as CBS's do)."""
    cols = [*KWB_COUNTS, *KWB_OTHER]
    gone = set()
    if year > 2021:
        gone |= {"a_w_all", "a_nw_all", "p_west_al", "p_n_w_al"}
    if year < 2023:
        gone.add("a_herk_bue")
    if year > 2018:
        gone |= {"g_wodief", "g_vernoo", "g_gewsek"}
    if year > 2023:
        gone.add("p_hh_osm")
    else:
        gone |= {"p_hh_110", "p_hh_120"}
    if year < 2016:
        gone |= {"a_jz_tn", "p_jz_tn", "a_wmo_t", "p_wmo_t"}
    return [c for c in dict.fromkeys(cols) if c not in gone]


def _decimals(col: str) -> int:
    for table in (SHARES, MEANS, RATES, HEALTH, LBM):
        if col in table:
            return table[col][5]
    if col in ("p_koopw", "p_huurw", "p_mgezw", "p_bjo2k", "p_25_44_jr", "p_45_64_jr"):
        return 0
    if col in ("bev_dich", "ste_oad", "ste_mvs"):
        return 0
    return 0


def _round_counts(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in KWB_COUNTS:
        if col not in out:
            continue
        step = 5 if col in ("a_inw", "a_man", "a_vrouw") else 10
        if col.endswith("_ha"):
            step = 1
        out[col] = (out[col] / step).round() * step
    return out


def _text(values: pd.Series, decimals: int) -> pd.Series:
    """Numbers as a Dutch CSV writes them (decimal comma); NaN stays NaN."""
    arr = values.to_numpy(dtype=float)
    ok = ~np.isnan(arr)
    q = np.round(np.where(ok, arr, 0) * 10**decimals).astype(np.int64)
    whole = pd.Series(np.abs(q) // 10**decimals, index=values.index).astype(str)
    if decimals:
        frac = pd.Series(np.abs(q) % 10**decimals, index=values.index).astype(str)
        whole = whole + "," + frac.str.zfill(decimals)
    txt = np.where(q < 0, "-", "") + whole
    return txt.where(ok, None)


def _symbols(table: pd.DataFrame, pop: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """CBS's suppression: small areas get ``.``, a few cells are secret (``x``)."""
    out = table.copy()
    small, few = pop < 50, pop < 200
    for col in out.columns:
        if col in ALWAYS_SHOWN:
            continue
        mask = small.copy()
        if col in INCOME:
            mask |= few
        out.loc[mask.to_numpy(), col] = "."
        secret = (rng.random(len(out)) < 0.001) & ~mask.to_numpy()
        out.loc[secret, col] = "x"
    return out.fillna(".")


def _kwb_frame(geo: Geography, year: int, atoms: pd.DataFrame, rng) -> pd.DataFrame:
    m = geo.membership[year].sort_values("atom")
    levels = []
    for level, key, names in (
        ("Land", pd.Series("NL00", index=m.index), None),
        ("Gemeente", m["gemeente"], geo.gemeente_names),
        ("Wijk", m["wijk"], dict(zip(m["wijk"], m["wijk_name"], strict=True))),
        ("Buurt", m["buurt"], dict(zip(m["buurt"], m["buurt_name"], strict=True))),
    ):
        agg = aggregate(atoms, key)
        agg["ste_mvs"] = stedelijkheid(agg["ste_oad"])
        agg = _round_counts(agg)
        gm = pd.Series(agg.index, index=agg.index)
        if level != "Land":
            gm = "GM" + gm.str[2:6]
        agg.insert(0, "recs", level)
        agg.insert(0, "gm_naam", gm.map(geo.gemeente_names).fillna("Nederland"))
        agg.insert(0, "regio", "Nederland" if names is None else agg.index.map(names))
        levels.append(agg)
    table = pd.concat(levels)
    cols = kwb_columns(year)
    text = pd.DataFrame(index=table.index)
    for col in cols:
        text[col] = _text(table[col], _decimals(col))
    text = _symbols(text, table["a_inw"], rng)
    code_col = "gwb_code" if year <= 2016 else "gwb_code_10"
    head = pd.DataFrame(
        {
            code_col: table.index,
            "gwb_code_8": [c[2:] for c in table.index],
            "regio": table["regio"],
            "gm_naam": table["gm_naam"],
            "recs": table["recs"],
            "ind_wbi": np.where(table["recs"] == "Buurt", "1", "."),
        },
        index=table.index,
    )
    return pd.concat([head, text], axis=1)


def _boundaries(geo: Geography, year: int):
    gpd = import_optional("geopandas")
    shapely = import_optional("shapely")
    m = geo.membership[year].sort_values("atom")
    geoms = geo.atoms.set_index("atom").loc[m["atom"], "geometry"].to_numpy()
    frame = pd.DataFrame({"code": m["buurt"].to_numpy(), "g": geoms}).sort_values("code")
    many = frame["code"].duplicated(keep=False)
    single = frame[~many]
    united = [(c, shapely.union_all(p["g"].to_numpy())) for c, p in frame[many].groupby("code")]
    rows = sorted([*zip(single["code"], single["g"], strict=True), *united])
    names = dict(zip(m["buurt"], m["buurt_name"], strict=True))
    gm = dict(zip(m["buurt"], m["gemeente"], strict=True))
    codes = [r[0] for r in rows]
    new_style = year >= 2019
    cols = (
        ("buurtcode", "buurtnaam", "gemeentecode", "gemeentenaam")
        if new_style
        else ("BU_CODE", "BU_NAAM", "GM_CODE", "GM_NAAM")
    )
    return gpd.GeoDataFrame(
        {
            cols[0]: codes,
            cols[1]: [names[c] for c in codes],
            cols[2]: [gm[c] for c in codes],
            cols[3]: [geo.gemeente_names.get(gm[c], gm[c]) for c in codes],
        },
        geometry=[r[1] for r in rows],
        crs="EPSG:28992",
    )


def _health(geo: Geography, year: int, atoms: pd.DataFrame) -> pd.DataFrame:
    m = geo.membership[HEALTH_INDELING].sort_values("atom")
    parts = []
    for soort, key in (
        ("Land", pd.Series("NL01", index=m.index)),
        ("Gemeente", m["gemeente"]),
        ("Wijk", m["wijk"]),
        ("Buurt", m["buurt"]),
    ):
        agg = aggregate(atoms[[*HEALTH, "a_inw"]], key)
        agg["SoortRegio_2"] = soort
        parts.append(agg)
    table = pd.concat(parts)
    gm = pd.Series(["Nederland" if c.startswith("NL") else "GM" + c[2:6] for c in table.index])
    out = pd.DataFrame(
        {
            "ID": np.arange(len(table)) * 3 + 2,
            "Leeftijd": 20300,
            "Marges": "MW00000",
            "WijkenEnBuurten": table.index,
            "Perioden": f"{year}JJ00",
            "Gemeentenaam_1": gm.map(lambda c: geo.gemeente_names.get(c, c)).to_numpy(),
            "SoortRegio_2": table["SoortRegio_2"].to_numpy(),
            "Codering_3": table.index,
        }
    )
    small = (table["a_inw"] < 100).to_numpy()
    for ind, key in HEALTH_KEYS.items():
        txt = _text(table[ind], 1).to_numpy(dtype=object).copy()
        txt[small] = "."
        out[key] = txt
    return out


def _leefbaarometer(geo: Geography, latent: Latent, last: int, years) -> pd.DataFrame:
    m = geo.membership[last].sort_values("atom")
    names = dict(zip(m["buurt"], m["buurt_name"], strict=True))
    rows = []
    for year in years:
        atoms = latent.year(year)
        agg = aggregate(atoms[[*LBM, "a_inw"]], m["buurt"])
        agg = agg[agg["a_inw"] >= 100]
        dims = agg[list(LBM)]
        frame = pd.DataFrame({"bu_code": agg.index, "bu_naam": agg.index.map(names), "jaar": year})
        for ind, short in LBM_KEYS.items():
            frame[short] = dims[ind].round(4).to_numpy()
        frame["lbm"] = (4.05 + dims.sum(axis=1)).round(4).to_numpy()
        frame["afw"] = (frame["lbm"] - 4.05).round(4)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)[
        ["bu_code", "bu_naam", "jaar", "lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
    ]


COST_MAPPING = """# Mapping for the twin's municipal social-domain cost tables (SYNTHETIC)
[table]
name_column = "buurt"
period_column = "jaar"
vintage = {vintage}
publisher = "Gemeente (eigen administratie) - SYNTHETISCH, nationale tweeling"
title = "Kosten sociaal domein per buurt (synthetisch)"

[columns]
kosten_totaal = "kosten_sociaal_domein"
"""


def cost_gemeenten(codes: list[str]) -> list[str]:
    """The gemeenten with a municipal cost file: every sixth, and Almelo."""
    return [c for i, c in enumerate(codes) if i % 6 == 1 or c == "GM0141"]


def write_files(
    geo: Geography,
    latent: Latent,
    folder: Path,
    years: tuple[int, ...],
    *,
    seed: int,
    step: Callable[[str], None] = lambda _: None,
) -> list[dict[str, object]]:
    """Write every file of the twin into ``folder``; returns the manifest entries in the
    order they are to be imported."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 2)
    entries: list[dict[str, object]] = []
    last = max(years)
    for year in years:
        atoms = latent.year(year)
        frame = _kwb_frame(geo, year, atoms, rng)
        path = folder / f"kwb-{year}.csv"
        _write_csv(frame, path, sep=";")
        entries.append({"file": path.name, "kind": "kwb", "year": year})
        gpkg = folder / f"buurten-{year}.gpkg"
        _write_gpkg(_boundaries(geo, year), gpkg)
        entries.append({"file": gpkg.name, "kind": "kaart", "year": year})
        step(f"kwb {year}")
    for year in (y for y in HEALTH_YEARS if min(years) <= y <= last):
        path = folder / f"gezondheid-{year}.csv"
        _write_csv(_health(geo, year, latent.year(year)), path, sep=";")
        entries.append({"file": path.name, "kind": "gezondheid", "year": year})
    step("gezondheid")
    lbm_years = [y for y in LBM_YEARS if min(years) <= y <= last]
    if lbm_years:
        path = folder / "leefbaarometer-buurten.csv"
        _leefbaarometer(geo, latent, last, lbm_years).to_csv(path, index=False)
        entries.append({"file": path.name, "kind": "leefbaarometer", "vintage": last})
    step("leefbaarometer")
    mapping = folder / "kosten-mapping.toml"
    mapping.write_text(COST_MAPPING.format(vintage=last), encoding="utf-8")
    m = geo.membership[last].sort_values("atom")
    codes = sorted(set(m["gemeente"]))
    cost_years = [y for y in years if y >= COST_FROM]
    names = dict(zip(m["buurt"], m["buurt_name"], strict=True))
    costs = {
        y: aggregate(latent.year(y)[["kosten_sociaal_domein", "a_inw"]], m["buurt"])
        for y in cost_years
    }
    for gm in cost_gemeenten(codes) if cost_years else []:
        rows = []
        for year in cost_years:
            agg = costs[year]
            agg = agg[agg.index.str[2:6] == gm[2:]]
            rows.append(
                pd.DataFrame(
                    {
                        "buurt": agg.index.map(names),
                        "jaar": year,
                        "kosten_totaal": (agg["kosten_sociaal_domein"] / 1000).round() * 1000,
                    }
                )
            )
        path = folder / f"kosten-{gm}.xlsx"
        _write_xlsx(pd.concat(rows, ignore_index=True), path, sheet="kosten")
        entries.append(
            {"file": path.name, "kind": "kosten", "gemeente": gm, "mapping": mapping.name}
        )
    step("kosten")
    series = _gemeente_series(geo, latent, years)
    path = folder / "gemeenten-reeksen.csv"
    series.to_csv(path, sep=";", index=False)
    columns = "\n".join(f'{c} = "{c}"' for c in series.columns if c not in ("gemeente", "jaar"))
    mapping = folder / "gemeenten-mapping.toml"
    mapping.write_text(SERIES_MAPPING.format(vintage=last, columns=columns), encoding="utf-8")
    entries.append({"file": path.name, "kind": "reeksen", "mapping": mapping.name})
    step("gemeentereeksen")
    return entries


# the twin's files are the same bytes on every build (same hashes: a rebuild into the
# same store re-imports nothing new): a fixed time in every timestamp the formats carry
FIXED_TIME = "2000-01-01T00:00:00Z"


def _write_gpkg(frame, path: Path) -> None:
    """A GeoPackage without the time of writing (GDAL's OGR_CURRENT_DATE)."""
    pyogrio = import_optional("pyogrio")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIME.replace("Z", ".000Z")})
    try:
        frame.to_file(path, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _write_xlsx(frame: pd.DataFrame, path: Path, *, sheet: str) -> None:
    """An xlsx whose zip entries and document properties carry a fixed time."""
    import re
    import zipfile

    frame.to_excel(path, index=False, sheet_name=sheet)
    with zipfile.ZipFile(path) as z:
        items = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_TIME.encode(), data)
            z.writestr(
                zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


def _write_csv(frame: pd.DataFrame, path: Path, *, sep: str) -> None:
    """A CSV as CBS writes it: every cell as text, quotes only where needed."""
    pa = import_optional("pyarrow")
    pacsv = import_optional("pyarrow.csv")
    table = pa.Table.from_pandas(frame.astype(str).where(frame.notna(), ""), preserve_index=False)
    pacsv.write_csv(table, path, pacsv.WriteOptions(delimiter=sep, quoting_style="needed"))


SERIES_MAPPING = """# Mapping for the twin's gemeente-level series (SYNTHETIC)
[table]
code_column = "gemeente"
period_column = "jaar"
vintage = {vintage}
publisher = "SYNTHETISCH - nationale tweeling (gemeentereeksen, prognose)"
title = "Gemeentereeksen en prognose (synthetisch)"

[columns]
{columns}
"""


def _gemeente_series(geo: Geography, latent: Latent, years: tuple[int, ...]) -> pd.DataFrame:
    """The Staat van de stad's gemeente-level series (economy, education, debt, care …)
    and forecast for the gemeenten of the last year, built on their KWB aggregates."""
    from buurtbalans.demo_stad import gemeente_series

    last = max(years)
    m = geo.membership[last].sort_values("atom")
    rows = []
    for year in years:
        agg = aggregate(latent.year(year), m["gemeente"])
        long = agg.reset_index().melt(id_vars="code", var_name="indicator")
        rows.append(long.rename(columns={"code": "area_code"}).assign(period=year))
    obs = pd.concat(rows, ignore_index=True)
    series = gemeente_series(obs, years=years, land_code="NL00")
    series = series[series["area_code"].str.startswith(("GM", "NL"))].copy()
    # within the codebook's bounds, and counts whole, as a published table would be
    from buurtbalans.sources.codebook import catalogue

    cat = catalogue()
    lo = series["indicator"].map(lambda i: cat[i].lower if i in cat else None).astype(float)
    hi = series["indicator"].map(lambda i: cat[i].upper if i in cat else None).astype(float)
    whole = series["indicator"].map(lambda i: bool(i in cat and cat[i].integral))
    values = series["value"].astype(float).clip(lower=lo, upper=hi)
    # two decimals: a value like 4.082 would read as a thousands separator (and be refused)
    series["value"] = values.where(~whole, values.round()).round(2)
    wide = series.pivot_table(
        index=["area_code", "period"], columns="indicator", values="value", aggfunc="first"
    ).reset_index()
    return wide.rename(columns={"area_code": "gemeente", "period": "jaar"})


def write_manifest(folder: Path, manifest: dict[str, object]) -> Path:
    path = folder / "tweeling.json"
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
