"""The twin's values: one latent deprivation score per atom (gemeente + wijk + own part)
with a trend, and every indicator driven by it plus noise, per atom and year; then the
values of every year's buurten, wijken, gemeenten and the country as *real aggregates* of
their atoms (counts summed, shares and means weighted by their denominator).

Shapes follow the real KWB: 40 % lowest-income households 15-80 %, corporation share
0-95 %, WOZ 90-900 (× € 1 000), buurten under 50 inwoners (business parks, rural), and
national drifts (income and work improve, health worsens a little), so a national change
is visible on a reference pooled over the years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from buurtbalans.twin.geography import Geography

# id: (base, slope on the latent, noise sd, lower, upper, decimals, yearly drift)
SHARES = {
    "p_hh_li": (22.0, 50.0, 3.0, 8.0, 85.0, 0, -0.25),
    "p_hh_hi": (40.0, -32.0, 3.0, 2.0, 80.0, 0, 0.15),
    "p_hh_lkk": (2.0, 18.0, 1.2, 0.0, 40.0, 1, -0.08),
    "p_hh_osm": (4.0, 14.0, 1.0, 0.0, 40.0, 1, -0.05),
    "p_hh_110": (5.0, 16.0, 1.0, 0.0, 45.0, 1, 0.0),
    "p_hh_120": (9.0, 20.0, 1.5, 0.0, 55.0, 1, 0.0),
    "p_ink_li": (25.0, 45.0, 3.0, 5.0, 85.0, 0, -0.2),
    "p_ink_hi": (30.0, -25.0, 3.0, 2.0, 75.0, 0, 0.1),
    "p_arb_pp": (74.0, -24.0, 2.0, 35.0, 88.0, 1, 0.3),
    "p_nietact": (22.0, 20.0, 2.0, 5.0, 60.0, 0, -0.2),
    "p_wcorpw": (2.0, 85.0, 7.0, 0.0, 95.0, 0, -0.2),
    "p_ov_hw": (3.0, 12.0, 2.0, 0.0, 40.0, 0, 0.1),
    "p_1gezw": (85.0, -55.0, 6.0, 5.0, 100.0, 0, 0.0),
    "p_bjj2k": (8.0, 2.0, 6.0, 0.0, 100.0, 0, 0.6),
    "p_stadsv": (1.0, 12.0, 5.0, 0.0, 100.0, 0, 0.4),
    "p_jz_tn": (6.0, 9.0, 1.0, 0.5, 25.0, 1, 0.1),
    "p_65_eo_jr": (24.0, -8.0, 3.0, 2.0, 60.0, 0, 0.35),
    "p_00_14_jr": (16.0, 3.0, 2.0, 2.0, 35.0, 0, -0.08),
    "p_15_24_jr": (12.0, 2.0, 2.0, 3.0, 40.0, 0, 0.0),
    "p_1p_hh": (28.0, 25.0, 4.0, 5.0, 80.0, 0, 0.15),
    "p_hh_m_k": (36.0, -10.0, 4.0, 5.0, 70.0, 0, -0.1),
    "p_n_w_al": (4.0, 30.0, 3.0, 0.0, 85.0, 0, 0.2),
    "p_west_al": (8.0, 4.0, 2.0, 0.0, 40.0, 0, 0.05),
}
MEANS = {
    "g_hh_sti": (48.0, -24.0, 1.8, 15.0, 90.0, 1, 0.5),
    "g_ink_pi": (34.0, -14.0, 1.5, 12.0, 80.0, 1, 0.4),
    "g_woz": (430.0, -250.0, 25.0, 90.0, 900.0, 0, 9.0),
    "g_hhgro": (2.5, -0.45, 0.06, 1.1, 3.6, 1, -0.005),
    "g_ele": (3100.0, -700.0, 150.0, 1200.0, 6000.0, 0, -25.0),
    "g_gas": (1300.0, -350.0, 90.0, 300.0, 3500.0, 0, -20.0),
    "g_pau_hh": (1.3, -0.7, 0.1, 0.2, 2.5, 1, 0.0),
    "g_afs_hp": (1.2, -0.3, 0.5, 0.1, 9.0, 1, 0.0),
    "g_afs_gs": (1.0, -0.2, 0.5, 0.1, 9.0, 1, 0.0),
    "g_afs_sc": (0.8, -0.1, 0.3, 0.1, 6.0, 1, 0.0),
    "g_afs_kv": (0.9, -0.1, 0.4, 0.1, 8.0, 1, 0.0),
    "g_afs_zh": (6.0, -2.0, 2.5, 0.5, 40.0, 1, 0.0),
    "g_3km_sc": (6.0, 4.0, 2.0, 0.0, 40.0, 1, 0.0),
}
# per 1 000 inwoners
RATES = {
    "p_wmo_t": (40.0, 110.0, 10.0, 5.0, 280.0, 0, 0.8),
    "g_wodief": (1.5, 4.0, 0.8, 0.0, 20.0, 1, -0.15),
    "g_vernoo": (3.0, 10.0, 1.5, 0.0, 40.0, 1, -0.2),
    "g_gewsek": (1.5, 7.0, 1.0, 0.0, 30.0, 1, -0.1),
}
# count: (share of a base count driven by the latent, base, noise)
BENEFITS = {"a_soz_wb": (0.004, 0.10), "a_soz_ao": (0.02, 0.05), "a_soz_ww": (0.008, 0.02)}
HEALTH = {
    "gz_ervaren_goed": (86.0, -22.0, 1.5, 40.0, 95.0, 1, -0.2),
    "gz_langdurig_ziek_beperkt": (20.0, 18.0, 1.5, 5.0, 60.0, 1, 0.2),
    "gz_angst_depressie_hoog": (4.0, 9.0, 0.8, 1.0, 30.0, 1, 0.15),
    "gz_eenzaam": (38.0, 18.0, 2.0, 15.0, 80.0, 1, 0.2),
    "gz_overgewicht": (44.0, 12.0, 2.0, 20.0, 75.0, 1, 0.2),
    "gz_moeite_rondkomen": (8.0, 22.0, 1.5, 1.0, 60.0, 1, -0.1),
}
LBM = {  # Leefbaarometer dimensions (deviation from the NL average, higher = better)
    "lbm_onv": (0.12, -0.35, 0.03, -0.6, 0.35, 4, 0.002),
    "lbm_fys": (0.08, -0.2, 0.03, -0.5, 0.35, 4, 0.001),
    "lbm_soc": (0.05, -0.15, 0.02, -0.4, 0.25, 4, 0.0),
    "lbm_vrz": (0.02, 0.0, 0.05, -0.3, 0.35, 4, 0.0),
    "lbm_won": (0.05, -0.2, 0.03, -0.5, 0.35, 4, 0.001),
}
# weights of the means/shares when buurten are aggregated (the codebook's denominators)
WEIGHT_OF = {
    **dict.fromkeys(("p_hh_li", "p_hh_hi", "p_hh_lkk", "p_hh_osm", "p_hh_110", "p_hh_120"), "a_hh"),
    **dict.fromkeys(("g_hh_sti", "g_hhgro", "p_1p_hh", "p_hh_m_k", "g_pau_hh"), "a_hh"),
    **dict.fromkeys(("p_ink_li", "p_ink_hi"), "a_inkont"),
    **dict.fromkeys(("g_woz", "p_wcorpw", "p_koopw", "p_huurw", "p_ov_hw", "p_1gezw"), "a_woning"),
    **dict.fromkeys(("p_mgezw", "p_bjj2k", "p_bjo2k", "g_ele", "g_gas", "p_stadsv"), "a_woning"),
    "bev_dich": "a_lan_ha",
    "ste_oad": "a_lan_ha",
}
COUNTS = (
    "a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo",
    "a_hh", "a_1p_hh", "a_hh_m_k", "a_woning", "a_inkont", "a_opl_lg", "a_opl_md", "a_opl_hg",
    "a_soz_wb", "a_soz_ao", "a_soz_ww", "a_soz_ow", "a_w_all", "a_nw_all", "a_herk_bue",
    "a_geb", "a_ste", "a_jz_tn", "a_wmo_t", "a_bedv", "a_pau", "a_opp_ha", "a_lan_ha",
    "a_wat_ha", "kosten_sociaal_domein",
)  # fmt: skip
EDUCATION_BREAK = 2023  # the education counts' definition break (codebook break_year)


def _sig(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


class Latent:
    """Per atom: latent deprivation, its trend, population and own deviations."""

    def __init__(self, geo: Geography, seed: int, first_year: int) -> None:
        rng = np.random.default_rng(seed + 1)
        self.seed = seed
        atoms = geo.atoms
        n = len(atoms)
        self.first_year = first_year
        gm_effect = {g: rng.normal(0, 0.5) for g in atoms["gemeente"].unique()}
        wk_key = atoms["gemeente"] + atoms["wijk_no"].astype(str)
        wk_effect = {w: rng.normal(0, 0.6) for w in wk_key.unique()}
        self.d0 = (
            atoms["gemeente"].map(gm_effect).to_numpy()
            + wk_key.map(wk_effect).to_numpy()
            + rng.normal(0, 0.5, n)
        )
        self.trend = -0.03 + 0.03 * self.d0 + rng.normal(0, 0.02, n)
        area_ha = np.array([g.area for g in atoms["geometry"]]) / 10_000
        self.area_ha = area_ha
        self.water = rng.beta(1, 12, n)
        sizes = atoms.groupby("gemeente")["atom"].transform("count").to_numpy()
        from buurtbalans.twin.geography import KNOWN_SIZES, PEOPLE_PER_BUURT

        base = np.exp(rng.normal(np.log(PEOPLE_PER_BUURT), 0.6, n))
        known = atoms["gemeente"].map(KNOWN_SIZES).to_numpy(dtype=float)
        scale = np.where(np.isnan(known), 1.0, known / (sizes * PEOPLE_PER_BUURT))
        tiny = rng.random(n) < 0.035  # business parks, rural buurten
        dense = area_ha * 180  # at most 18,000 inwoners per km² (NL's densest buurten)
        self.pop0 = np.where(tiny, rng.integers(0, 50, n), np.minimum(base * scale, dense)).round()
        self.growth = rng.normal(0.004, 0.006, n)
        self.own = {k: rng.normal(0, 0.7, n) for k in (*SHARES, *MEANS, *RATES, *HEALTH, *LBM)}
        self.own.update({k: rng.normal(0, 0.7, n) for k in (*BENEFITS, "edu", "cost")})
        self.rng = rng
        self.n = n

    def year(self, year: int) -> pd.DataFrame:
        """Every indicator per atom for ``year`` (unrounded; counts as floats)."""
        t = year - self.first_year
        rng = np.random.default_rng([self.seed, year])
        d = self.d0 + self.trend * t + rng.normal(0, 0.05, self.n)
        pop = np.where(self.pop0 < 50, self.pop0, self.pop0 * (1 + self.growth) ** t) * np.exp(
            rng.normal(0, 0.01, self.n)
        )
        out: dict[str, np.ndarray] = {"a_inw": pop}

        def level(spec, key):
            base, slope, noise, lo, hi, _dec, drift = spec
            v = base + slope * _sig(d + self.own[key]) + rng.normal(0, noise, self.n)
            return np.clip(v + drift * t, lo, hi)

        for table in (SHARES, MEANS, RATES, HEALTH, LBM):
            for key, spec in table.items():
                out[key] = level(spec, key)
        out["p_koopw"] = np.clip(100 - out["p_wcorpw"] - rng.uniform(3, 15, self.n), 0, 100)
        out["p_huurw"] = 100 - out["p_koopw"]
        out["p_mgezw"] = 100 - out["p_1gezw"]
        out["p_bjo2k"] = 100 - out["p_bjj2k"]
        out["p_25_44_jr"] = np.clip(28 + rng.normal(0, 3, self.n), 10, 50)
        out["p_45_64_jr"] = np.clip(
            100 - out["p_65_eo_jr"] - out["p_00_14_jr"] - out["p_15_24_jr"] - out["p_25_44_jr"],
            5,
            60,
        )
        ages = ("p_00_14_jr", "p_15_24_jr", "p_25_44_jr", "p_45_64_jr", "p_65_eo_jr")
        total = sum(out[a] for a in ages)
        for a, c in zip(ages, ("a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo"), strict=True):
            out[a] = out[a] / total * 100
            out[c] = pop * out[a] / 100
        out["a_man"] = pop * np.clip(0.495 + rng.normal(0, 0.01, self.n), 0.4, 0.6)
        out["a_vrouw"] = pop - out["a_man"]
        out["a_hh"] = pop / out["g_hhgro"]
        out["a_1p_hh"] = out["a_hh"] * out["p_1p_hh"] / 100
        out["a_hh_m_k"] = out["a_hh"] * out["p_hh_m_k"] / 100
        out["a_woning"] = out["a_hh"] * 1.03
        out["a_inkont"] = pop * 0.79
        for key, (lo, span) in BENEFITS.items():
            share = lo + span * _sig(d + self.own[key]) ** 2 + rng.normal(0, 0.003, self.n)
            out[key] = pop * np.clip(share, 0, 0.3)
        out["a_soz_ow"] = out["a_65_oo"] * 0.97
        adults = pop * 0.72 * (1.15 if year >= EDUCATION_BREAK else 1.0)
        low = np.clip(
            0.12 + 0.38 * _sig(d + self.own["edu"]) + rng.normal(0, 0.03, self.n), 0.03, 0.7
        )
        if year >= EDUCATION_BREAK:
            low = np.clip(low + 0.03, 0.03, 0.75)  # the new definition counts more 'laag'
        high = np.clip(
            0.55 - 0.45 * _sig(d + self.own["edu"]) + rng.normal(0, 0.04, self.n), 0.05, 0.8
        )
        out["a_opl_lg"] = adults * low
        out["a_opl_hg"] = adults * high
        out["a_opl_md"] = adults * np.clip(1 - low - high, 0.05, 1)
        out["a_nw_all"] = pop * out["p_n_w_al"] / 100
        out["a_w_all"] = pop * out["p_west_al"] / 100
        out["a_herk_bue"] = pop * (out["p_n_w_al"] + out["p_west_al"]) / 100 * 1.1
        out["a_geb"] = pop * 0.011
        out["a_ste"] = pop * 0.009
        out["a_jz_tn"] = pop * out["p_jz_tn"] / 100 * 0.22
        out["a_wmo_t"] = pop * out["p_wmo_t"] / 1000
        out["a_bedv"] = pop * rng.uniform(0.05, 0.15, self.n) + self.area_ha * 0.02
        out["a_pau"] = out["a_hh"] * out["g_pau_hh"]
        out["a_opp_ha"] = self.area_ha
        out["a_wat_ha"] = self.area_ha * self.water
        out["a_lan_ha"] = self.area_ha - out["a_wat_ha"]
        out["bev_dich"] = pop / np.maximum(out["a_lan_ha"] / 100, 0.01)
        out["ste_oad"] = out["a_woning"] * 1.15 / np.maximum(out["a_lan_ha"] / 100, 0.01)
        out["kosten_sociaal_domein"] = pop * np.clip(
            2_300 + 9_500 * _sig(d + self.own["cost"]) ** 1.5 + rng.normal(0, 400, self.n),
            800,
            None,
        )
        return pd.DataFrame(out)


def weight_column(indicator: str) -> str:
    """The count an indicator is weighted by when areas are aggregated."""
    if indicator in WEIGHT_OF:
        return WEIGHT_OF[indicator]
    return "a_inw"


def aggregate(atoms_year: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Values of the areas ``key`` groups the atoms into: counts summed, every other
    indicator the mean weighted by its denominator (a share of households by households)."""
    codes, uniques = pd.factorize(np.asarray(key), sort=True)
    n = len(uniques)
    out: dict[str, np.ndarray] = {}
    for col in atoms_year.columns:
        values = atoms_year[col].to_numpy(dtype=float)
        if col in COUNTS:
            out[col] = np.bincount(codes, weights=values, minlength=n)
            continue
        w = atoms_year[weight_column(col)].to_numpy(dtype=float).clip(0)
        den = np.bincount(codes, weights=w, minlength=n)
        num = np.bincount(codes, weights=values * w, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[col] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return pd.DataFrame(out, index=pd.Index(uniques, name="code"))


def stedelijkheid(ste_oad: pd.Series) -> pd.Series:
    """CBS stedelijkheid class (1 = zeer sterk stedelijk … 5 = niet) from the address density."""
    edges = [-np.inf, 500, 1000, 1500, 2500, np.inf]
    return pd.cut(ste_oad, edges, labels=[5, 4, 3, 2, 1]).astype(float)
