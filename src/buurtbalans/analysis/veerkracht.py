"""Veerkracht: the seven maps of the Circusvis / In.Fact.Research method (seed 003).

Each map is a pure, total classification: every buurt gets exactly one class, ``geen
gegevens`` when an input is missing. Published rules are fixed (more vulnerable residents
with fewer problems is *veerkracht*, with more problems *weinig veerkracht*); thresholds the
seed does not publish are in :class:`VeerkrachtConfig` with the defaults of method-spec §4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg

GEEN = "geen gegevens"
OVERLAST_LABELS = (  # class 1 = worst … 9 = best (Leefbaarometer konv order)
    "zeer veel slechter dan gemiddeld",
    "veel slechter dan gemiddeld",
    "slechter dan gemiddeld",
    "iets slechter dan gemiddeld",
    "gemiddeld",
    "iets beter dan gemiddeld",
    "beter dan gemiddeld",
    "veel beter dan gemiddeld",
    "zeer veel beter dan gemiddeld",
)
KWETSBAAR_LABELS = (
    "vrijwel geen",
    "zeer weinig",
    "weinig",
    "gemiddeld",
    "veel",
    "zeer veel",
    "bijzonder veel",
)
CORPORATIE_LABELS = ("< 10%", "10-30%", "30-60%", "60-80%", "> 80%")
DEV_OVERLAST_LABELS = (
    "verslechterd",
    "iets verslechterd",
    "ongeveer gelijk",
    "iets verbeterd",
    "enigszins verbeterd",
    "verbeterd",
    "veel verbeterd",
    "zeer veel verbeterd",
)
DEV_KWETSBAAR_LABELS = (
    "afname",
    "ongeveer gelijk",
    "toename, tot weinig kwetsbaar",
    "toename, naar gemiddeld tot veel kwetsbaar",
    "sterke toename, naar gemiddeld tot veel kwetsbaar",
    "toename, tot zeer veel kwetsbaar",
    "sterke toename, tot zeer veel kwetsbaar",
)
FOCUS_TOP = "zeer veel problemen, zeer veel kwetsbaar"
TYPOLOGY_LABELS = (
    "afname kwetsbare bewoners en afname problemen",
    "afname kwetsbare bewoners, geen afname problemen",
    "kwetsbare bewoners ongeveer gelijk",
    "weinig veerkracht, beperkte problemen",
    "weinig veerkracht, vrij veel problemen",
    "weinig veerkracht, veel problemen",
    "enige veerkracht",
    "veerkracht",
)


@dataclass(frozen=True)
class VeerkrachtConfig:
    """Thresholds (method-spec §4 defaults; all configurable).

    ``onv_cuts``: 8 cut-points on the Leefbaarometer ``onv`` deviation for the 9 overlast
    classes when no published ``konv`` class is present. ``kwetsbaar_cuts``: on index ÷
    reference index. ``dev_onv_cuts``: on Δonv in σ units. ``delta_share``: δ = share ×
    reference index for 'ongeveer gelijk'; 'sterk' is Δ ≥ 3δ.
    """

    onv_cuts: tuple[float, ...] = (-0.20, -0.12, -0.06, -0.02, 0.02, 0.06, 0.12, 0.20)
    kwetsbaar_cuts: tuple[float, ...] = (0.25, 0.5, 0.8, 1.25, 2.0, 3.0)
    corporatie_cuts: tuple[float, ...] = (10, 30, 60, 80)
    dev_onv_cuts: tuple[float, ...] = (-0.5, -0.2, 0.2, 0.5, 1.0, 1.5, 2.0)
    delta_share: float = 0.1
    # components of the vulnerable-residents index: name → (numerator(s), denominator, scale)
    components: dict[str, tuple[str, str | None, float]] = field(
        default_factory=lambda: {
            "bijstand": ("a_soz_wb", "a_inw", 100.0),
            "herkomst buiten Europa (proxy)": ("a_nw_all|a_herk_bue", "a_inw", 100.0),
            "langdurig ziek en beperkt": ("gz_langdurig_ziek_beperkt", None, 1.0),
            "Wmo-cliënten": ("p_wmo_t", None, 0.1),
        }
    )


DEFAULT = VeerkrachtConfig()


def _bins(values: pd.Series, cuts: tuple[float, ...], labels: tuple[str, ...]) -> pd.Series:
    idx = np.searchsorted(np.asarray(cuts), values.to_numpy(dtype=float), side="right")
    out = pd.Series(
        np.asarray(labels, dtype=object)[np.minimum(idx, len(labels) - 1)], index=values.index
    )
    return out.where(values.notna(), GEEN)


def overlast_class(
    onv: pd.Series, konv: pd.Series | None = None, config: VeerkrachtConfig = DEFAULT
) -> pd.Series:
    """Map 1: 1 (zeer veel slechter) … 9 (zeer veel beter) than the NL average; published
    ``konv`` classes are used where present, else the cut-points on ``onv``."""
    computed = pd.Series(
        np.searchsorted(np.asarray(config.onv_cuts), onv.to_numpy(dtype=float), side="right") + 1,
        index=onv.index,
        dtype=float,
    )
    computed[onv.isna()] = np.nan
    if konv is not None:
        computed = konv.astype(float).where(konv.notna(), computed)
    return computed


def overlast_label(cls: pd.Series) -> pd.Series:
    """Dutch label of a 1-9 overlast class."""
    return cls.map(lambda c: OVERLAST_LABELS[int(c) - 1] if pd.notna(c) else GEEN)


def vulnerability_index(data: pd.DataFrame, config: VeerkrachtConfig = DEFAULT) -> pd.Series:
    """Map 2's index: the sum of the component shares (%), without correcting for overlap
    (hence 'index'). A buurt missing any component gets no index."""
    total = pd.Series(0.0, index=data.index)
    for name, (num, den, scale) in config.components.items():
        options = [c for c in num.split("|") if c in data.columns]
        if not options:
            raise DataError(
                Msg("err_an_vk_component", component=name, column=num),
                fix=Msg("fix_an_vk_component"),
            )
        value = data[options[0]]
        for other in options[1:]:
            value = value.fillna(data[other])
        if den:
            value = value / data[den].where(data[den] > 0)
        total = total + value * scale
    return total


def vulnerability_class(
    index: pd.Series, reference: float, config: VeerkrachtConfig = DEFAULT
) -> pd.Series:
    """Map 2: 7 classes of index ÷ reference index (national or municipal)."""
    if not reference or not np.isfinite(reference):
        raise DataError(Msg("err_an_vk_reference_zero"), fix=Msg("fix_an_vk_reference_zero"))
    return _bins(index / reference, config.kwetsbaar_cuts, KWETSBAAR_LABELS)


def focus_class(overlast: pd.Series, kwetsbaar: pd.Series) -> pd.Series:
    """Map 3: problems (konv 5-9 weinig, 3-4 bovengemiddeld, 2 veel, 1 zeer veel) ×
    vulnerability (map-2 classes 1-2 zeer weinig, 3-4 weinig, 5 veel, 6-7 zeer veel); the
    top class needs both at 'zeer veel', otherwise 'zeer veel' counts as 'veel'."""
    prob = overlast.map(
        lambda c: (
            np.nan
            if pd.isna(c)
            else "weinig"
            if c >= 5
            else "bovengemiddelde"
            if c >= 3
            else "veel"
            if c == 2
            else "zeer veel"
        )
    )
    level = {lab: i + 1 for i, lab in enumerate(KWETSBAAR_LABELS)}
    vul = kwetsbaar.map(
        lambda lab: (
            np.nan
            if lab not in level
            else "zeer weinig"
            if level[lab] <= 2
            else "weinig"
            if level[lab] <= 4
            else "veel"
            if level[lab] == 5
            else "zeer veel"
        )
    )
    out = []
    for p, v in zip(prob, vul, strict=True):
        if pd.isna(p) or pd.isna(v):
            out.append(GEEN)
        elif p == "zeer veel" and v == "zeer veel":
            out.append(FOCUS_TOP)
        else:
            p2 = "veel" if p == "zeer veel" else p
            v2 = "veel" if v == "zeer veel" else v
            out.append(f"{p2} problemen, {v2} kwetsbaar")
    return pd.Series(out, index=overlast.index)


def corporatie_class(p_wcorpw: pd.Series, config: VeerkrachtConfig = DEFAULT) -> pd.Series:
    """Map 4: share of housing-corporation homes: < 10, 10-30, 30-60, 60-80 (80 itself
    included), > 80 %."""
    values = p_wcorpw.to_numpy(dtype=float)
    idx = np.searchsorted(np.asarray(config.corporatie_cuts), values, side="right")
    idx[values == config.corporatie_cuts[-1]] = len(config.corporatie_cuts) - 1
    out = pd.Series(
        np.asarray(CORPORATIE_LABELS, dtype=object)[np.minimum(idx, 4)], index=p_wcorpw.index
    )
    return out.where(p_wcorpw.notna(), GEEN)


def overlast_development(
    onv_start: pd.Series,
    onv_end: pd.Series,
    sigma: float,
    config: VeerkrachtConfig = DEFAULT,
) -> pd.Series:
    """Map 5: Δonv (higher = better) in units of the national σ, 8 classes."""
    if not sigma or not np.isfinite(sigma) or sigma <= 0:
        raise DataError(Msg("err_an_vk_sigma", sigma=sigma), fix=Msg("fix_an_vk_sigma"))
    return _bins((onv_end - onv_start) / sigma, config.dev_onv_cuts, DEV_OVERLAST_LABELS)


def vulnerability_development(
    index_start: pd.Series,
    index_end: pd.Series,
    class_end: pd.Series,
    reference: float,
    config: VeerkrachtConfig = DEFAULT,
) -> pd.Series:
    """Map 6: 'ongeveer gelijk' when |Δ| < δ (δ = share × reference index), 'sterk' when
    Δ ≥ 3δ; the end state comes from the map-2 class at the end."""
    delta = index_end - index_start
    d = config.delta_share * reference
    level = class_end.map({lab: i + 1 for i, lab in enumerate(KWETSBAAR_LABELS)})
    out = []
    for dv, lv in zip(delta, level, strict=True):
        if pd.isna(dv) or pd.isna(lv):
            out.append(GEEN)
        elif dv <= -d:
            out.append(DEV_KWETSBAAR_LABELS[0])
        elif dv < d:
            out.append(DEV_KWETSBAAR_LABELS[1])
        elif lv <= 3:
            out.append(DEV_KWETSBAAR_LABELS[2])
        elif lv <= 5:
            out.append(DEV_KWETSBAAR_LABELS[4 if dv >= 3 * d else 3])
        else:
            out.append(DEV_KWETSBAAR_LABELS[6 if dv >= 3 * d else 5])
    return pd.Series(out, index=index_start.index)


def typology(
    dev_overlast: pd.Series, dev_kwetsbaar: pd.Series, overlast_end: pd.Series
) -> pd.Series:
    """Map 7. Published: more vulnerable + fewer problems → veerkracht; more vulnerable +
    more problems → weinig veerkracht (split by the end overlast class: ≥ 4 beperkte, 3 vrij
    veel, ≤ 2 veel problemen). Inferred: more vulnerable + about equal → enige veerkracht."""
    improved = set(DEV_OVERLAST_LABELS[3:])
    worse = set(DEV_OVERLAST_LABELS[:2])
    out = []
    for do, dk, oe in zip(dev_overlast, dev_kwetsbaar, overlast_end, strict=True):
        if GEEN in (do, dk):
            out.append(GEEN)
        elif dk == "afname":
            out.append(TYPOLOGY_LABELS[0] if do in improved else TYPOLOGY_LABELS[1])
        elif dk == "ongeveer gelijk":
            out.append(TYPOLOGY_LABELS[2])
        elif do in improved:
            out.append(TYPOLOGY_LABELS[7])
        elif do in worse:
            if pd.isna(oe):
                out.append(GEEN)
            else:
                out.append(
                    TYPOLOGY_LABELS[3]
                    if oe >= 4
                    else TYPOLOGY_LABELS[4]
                    if oe == 3
                    else TYPOLOGY_LABELS[5]
                )
        else:
            out.append(TYPOLOGY_LABELS[6])
    return pd.Series(out, index=dev_overlast.index)


def veerkracht(
    start: pd.DataFrame,
    end: pd.DataFrame,
    *,
    config: VeerkrachtConfig = DEFAULT,
    reference_index: float | None = None,
    sigma_onv: float | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """All seven maps for buurten indexed by area code in two years (same vintage).

    ``reference_index`` (national vulnerability index) and ``sigma_onv`` (national σ of
    onv) default to the population-weighted mean and the σ of the areas given — a municipal
    reference, recorded in the returned settings.
    """
    start, end = start.align(end, join="inner", axis=0)
    idx_s, idx_e = vulnerability_index(start, config), vulnerability_index(end, config)
    settings: dict[str, object] = {"reference": "national" if reference_index else "municipal"}
    if reference_index is None:
        w = end.get("a_inw", pd.Series(1.0, index=end.index))
        ok = idx_e.notna() & w.notna()
        reference_index = float(np.average(idx_e[ok], weights=w[ok]))
    if sigma_onv is None:
        sigma_onv = float(start["lbm_onv"].std(ddof=0))
    settings.update(reference_index=reference_index, sigma_onv=sigma_onv)
    konv_s, konv_e = start.get("lbm_konv"), end.get("lbm_konv")
    ov_e = overlast_class(end["lbm_onv"], konv_e, config)
    kw_e = vulnerability_class(idx_e, reference_index, config)
    dev_o = overlast_development(start["lbm_onv"], end["lbm_onv"], sigma_onv, config)
    dev_k = vulnerability_development(idx_s, idx_e, kw_e, reference_index, config)
    out = pd.DataFrame(
        {
            "overlast_klasse": ov_e,
            "kaart1_overlast": overlast_label(ov_e),
            "kwetsbaar_index": idx_e,
            "kaart2_kwetsbaar": kw_e,
            "kaart3_focus": focus_class(ov_e, kw_e),
            "kaart4_corporatie": corporatie_class(end["p_wcorpw"], config)
            if "p_wcorpw" in end
            else GEEN,
            "kaart5_ontwikkeling_overlast": dev_o,
            "kaart6_ontwikkeling_kwetsbaar": dev_k,
            "kaart7_veerkracht": typology(dev_o, dev_k, ov_e),
        },
        index=end.index,
    )
    out["overlast_klasse_start"] = overlast_class(start["lbm_onv"], konv_s, config)
    return out, settings


def corporation_dwellings(stock: pd.DataFrame) -> pd.Series:
    """Corporation dwellings per buurt: share (``p_wcorpw``, %) × dwellings (``a_woning``);
    NaN where either is unknown."""
    if "p_wcorpw" not in stock or "a_woning" not in stock:
        return pd.Series(np.nan, index=stock.index, dtype=float)
    return stock["p_wcorpw"].astype(float) / 100 * stock["a_woning"].astype(float)


def corporatie_crosstab(
    maps: pd.DataFrame, column: str = "kaart7_veerkracht", stock: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How a map's classes relate to the corporation share.

    With ``stock`` (``p_wcorpw`` and ``a_woning`` per buurt, indexed like ``maps``) each
    cell counts **corporation dwellings** (share × dwellings), the unit of seed 003's "34 %
    of corporation dwellings lie in areas with ≥ 60 % corporation stock"; ``attrs`` then
    hold ``share_60`` and ``share_80`` (% of the gemeente's corporation dwellings in
    buurten with ≥ 60 / ≥ 80 % corporation stock), ``total`` and ``unknown`` (buurten with
    a corporation class but no dwelling count, left out and named). Without dwelling
    counts the cells count buurten, and ``attrs["unit"]`` says so."""
    klass = pd.Categorical(maps["kaart4_corporatie"], categories=[*CORPORATIE_LABELS, GEEN])
    dwellings = None if stock is None else corporation_dwellings(stock.reindex(maps.index))
    if dwellings is not None:  # counted on the map's own share: none where map 4 has none
        dwellings = dwellings.where(maps["kaart4_corporatie"].to_numpy() != GEEN)
    if dwellings is None or dwellings.isna().all():
        out = pd.crosstab(
            maps[column], klass, colnames=["buurten per klasse corporatiebezit"], dropna=False
        )
        out.attrs = {"unit": "buurten"}
        return out
    known = dwellings.notna()
    out = pd.crosstab(
        maps.loc[known, column],
        klass[known.to_numpy()],
        values=dwellings[known],
        aggfunc="sum",
        colnames=["corporatiewoningen per klasse corporatiebezit"],
        dropna=False,
    ).fillna(0.0)
    share = stock.reindex(maps.index)["p_wcorpw"].astype(float)
    total = float(dwellings[known].sum())
    out.attrs = {
        "unit": "corporatiewoningen",
        "total": total,
        "share_60": 100 * float(dwellings[known & (share >= 60)].sum()) / total
        if total
        else np.nan,
        "share_80": 100 * float(dwellings[known & (share >= 80)].sum()) / total
        if total
        else np.nan,
        "unknown": sorted(maps.index[~known & (maps["kaart4_corporatie"] != GEEN)].astype(str)),
    }
    return out


LABELS_EN: dict[str, str] = {
    GEEN: "no data",
    **dict(
        zip(
            OVERLAST_LABELS,
            (
                "much, much worse than average",
                "much worse than average",
                "worse than average",
                "slightly worse than average",
                "average",
                "slightly better than average",
                "better than average",
                "much better than average",
                "much, much better than average",
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            KWETSBAAR_LABELS,
            (
                "virtually none",
                "very few",
                "few",
                "average",
                "many",
                "very many",
                "exceptionally many",
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            DEV_OVERLAST_LABELS,
            (
                "worsened",
                "slightly worsened",
                "about the same",
                "slightly improved",
                "somewhat improved",
                "improved",
                "much improved",
                "very much improved",
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            DEV_KWETSBAAR_LABELS,
            (
                "decrease",
                "about the same",
                "increase, to few vulnerable",
                "increase, to average to many vulnerable",
                "strong increase, to average to many vulnerable",
                "increase, to very many vulnerable",
                "strong increase, to very many vulnerable",
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            TYPOLOGY_LABELS,
            (
                "fewer vulnerable residents and fewer problems",
                "fewer vulnerable residents, problems not fewer",
                "vulnerable residents about the same",
                "little resilience, limited problems",
                "little resilience, fairly many problems",
                "little resilience, many problems",
                "some resilience",
                "resilience",
            ),
            strict=True,
        )
    ),
    FOCUS_TOP: "very many problems, very many vulnerable",
}


def label_en(label: str) -> str:
    """English version of a veerkracht class label (focus classes composed)."""
    if label in LABELS_EN:
        return LABELS_EN[label]
    problems, _, vulnerable = label.partition(" problemen, ")
    words = {
        "weinig": "few",
        "bovengemiddelde": "above-average",
        "veel": "many",
        "zeer weinig": "very few",
    }
    if vulnerable.endswith(" kwetsbaar") and problems in words:
        return (
            f"{words[problems]} problems, {words.get(vulnerable[:-10], vulnerable[:-10])} "
            "vulnerable"
        )
    return label
