"""Change between two years on one vintage: Δ per buurt and domain, class transitions,
decomposition by domain, polarisation, and profiles of the worst vs best buurten.

Inputs are index tables (as from :func:`buurtbalans.index.compute`) with ``area_code``,
``period``, the domain columns, ``score`` and ``class``; population comes from a separate
table (``area_code``, ``period``, ``a_inw``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from buurtbalans.errors import DataError, Msg
from buurtbalans.spec import IndexSpec

DIRECTIONS = ("verbeterd", "ongeveer gelijk", "verslechterd")
INSUFFICIENT = "onvoldoende gegevens"  # as the engine's status
UNLIKE = "niet vergelijkbaar"  # scored in both years, but on different domains
UNSCORED = (INSUFFICIENT, UNLIKE)


def _year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    part = table[table["period"] == year]
    if part.empty:
        raise DataError(
            Msg(
                "err_an_no_scores_year",
                year=year,
                years=sorted(table["period"].unique().tolist()),
            ),
            fix=Msg("fix_an_no_scores_year"),
        )
    return part.set_index("area_code")


def effective_status(table: pd.DataFrame) -> pd.Series:
    """The engine's status, with "onvoldoende gegevens" also where a row has no score at
    all although its status says "ok" (no data on any domain)."""
    status = table["status"].astype(object)
    return status.where((status != "ok") | table["score"].notna(), INSUFFICIENT)


def buurt_change(
    table: pd.DataFrame,
    spec: IndexSpec,
    van: int,
    tot: int,
    *,
    population: pd.DataFrame | None = None,
    tolerance: float = 0.0,
) -> pd.DataFrame:
    """Per buurt: scores and classes in both years, Δ score, Δ per domain, direction
    (verbeterd ⇔ Δ < −tolerance; a higher score is more deprived) and residents in ``tot``.

    The rule is the seed's: *verbeterd* means a lower score (``tolerance`` 0). A user may
    set a tolerance in points (``--tolerantie``); changes within it are "ongeveer gelijk".
    The tolerance used is kept in ``attrs["tolerantie"]`` and printed beside the counts.

    A buurt whose status is not "ok" in either year (too little data, too few residents)
    gets no Δ and the direction "onvoldoende gegevens"; one scored in both years on
    different domains gets no Δ and the direction "niet vergelijkbaar". Areas present in
    only one year are an error (compute both on one vintage first).
    """
    if not tolerance >= 0:  # also refuses NaN
        raise DataError(
            Msg("err_an_bad_tolerance", tolerance=tolerance), fix=Msg("fix_an_bad_tolerance")
        )
    a, b = _year(table, van), _year(table, tot)
    if only := sorted(set(a.index) ^ set(b.index)):
        raise DataError(
            Msg("err_an_codes_one_year", n=len(only), codes=only[:3]),
            fix=Msg("fix_an_one_vintage"),
        )
    domains = [d for d in spec.domain_ids() if d in table.columns]
    out = pd.DataFrame(index=a.index)
    if "name" in b.columns:
        out["name"] = b["name"]
    out[f"score_{van}"], out[f"score_{tot}"] = a["score"], b["score"]
    out["delta"] = b["score"] - a["score"]
    out[f"class_{van}"], out[f"class_{tot}"] = a["class"], b["class"]
    out["direction"] = np.select(
        [out["delta"] < -tolerance, out["delta"] > tolerance],
        ["verbeterd", "verslechterd"],
        default="ongeveer gelijk",
    )
    out.loc[out["delta"].isna(), "direction"] = None
    unscored = pd.Series(False, index=out.index)
    if "status" in a.columns and "status" in b.columns:
        out[f"status_{van}"], out[f"status_{tot}"] = effective_status(a), effective_status(b)
        unscored = (out[f"status_{van}"] != "ok") | (out[f"status_{tot}"] != "ok")
    unlike = pd.Series(False, index=out.index)
    if "domains_used" in a.columns and "domains_used" in b.columns:
        out[f"domeinen_{van}"], out[f"domeinen_{tot}"] = a["domains_used"], b["domains_used"]
        unlike = ~unscored & (a["domains_used"] != b["domains_used"])
    out.loc[unscored | unlike, "delta"] = np.nan
    out.loc[unscored, "direction"] = INSUFFICIENT
    out.loc[unlike, "direction"] = UNLIKE
    weights = {d.id: d.weight for d in spec.domains}
    for d in domains:
        out[f"delta_{d}"] = b[d] - a[d]
        if f"contrib_{d}" in a.columns:
            # points the domain adds to the score (0 where the domain is missing, so that
            # the parts add up to Δ even after rescaling for missing domains)
            points_a = a["score"] * a[f"contrib_{d}"].fillna(0)
            points_b = b["score"] * b[f"contrib_{d}"].fillna(0)
            out[f"bijdrage_{d}"] = points_b - points_a
        else:
            out[f"bijdrage_{d}"] = weights[d] * out[f"delta_{d}"] / 100.0
        out.loc[unscored | unlike, [f"delta_{d}", f"bijdrage_{d}"]] = np.nan
    if population is not None:
        pop = population[population["period"] == tot].set_index("area_code")["a_inw"]
        out["inwoners"] = pop.reindex(out.index)
    out = out.reset_index()
    out.attrs["tolerantie"] = float(tolerance)
    return out


def direction_summary(change: pd.DataFrame) -> pd.DataFrame:
    """Number of buurten and residents per direction (with shares in %), with the rows
    "onvoldoende gegevens" and "niet vergelijkbaar" for the buurten without a Δ (always
    listed, also when zero, so that no buurt disappears from the count)."""
    rows = []
    for d in (*DIRECTIONS, *UNSCORED):
        part = change[change["direction"] == d]
        rows.append(
            {
                "richting": d,
                "buurten": len(part),
                "inwoners": part["inwoners"].sum() if "inwoners" in part else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["aandeel_buurten"] = 100 * out["buurten"] / out["buurten"].sum()
    if out["inwoners"].notna().any():
        out["aandeel_inwoners"] = 100 * out["inwoners"] / out["inwoners"].sum()
    out.attrs["tolerantie"] = float(change.attrs.get("tolerantie", 0.0))
    return out


def transition_matrix(
    change: pd.DataFrame, van: int, tot: int, labels: Sequence[str]
) -> pd.DataFrame:
    """Buurten by class in ``van`` (rows) and ``tot`` (columns), all classes shown; a buurt
    without a class (status not "ok") is counted under its status."""
    cols = []
    for year in (van, tot):
        cls = change[f"class_{year}"].astype(object)
        if f"status_{year}" in change.columns:
            status = change[f"status_{year}"]
            cls = cls.where(status == "ok", status)
        cols.append(cls)
    extra = sorted({v for c in cols for v in c.dropna() if v not in labels})
    cats = [*labels, *extra]
    return pd.crosstab(
        pd.Categorical(cols[0], categories=cats),
        pd.Categorical(cols[1], categories=cats),
        rownames=[str(van)],
        colnames=[str(tot)],
        dropna=False,
    )


def class_flows(
    change: pd.DataFrame, van: int, tot: int, label: str = "zeer hoog"
) -> dict[str, int]:
    """How many buurten were in ``label`` then and now, and how many left or entered."""
    then = change[f"class_{van}"] == label
    now = change[f"class_{tot}"] == label
    return {
        "toen": int(then.sum()),
        "nu": int(now.sum()),
        "uitgestroomd": int((then & ~now).sum()),
        "ingestroomd": int((~then & now).sum()),
    }


def decomposition(change: pd.DataFrame, spec: IndexSpec) -> pd.DataFrame:
    """Each domain's part of the change, Σ w_d·ΔX_d / 100: per buurt the ``bijdrage_*``
    columns; here the gemeente (population-weighted mean when residents are known)."""
    domains = [d for d in spec.domain_ids() if f"bijdrage_{d}" in change.columns]
    w = change["inwoners"] if "inwoners" in change.columns else pd.Series(1.0, change.index)
    rows = []
    for d in domains:
        rows.append({"domein": d, "bijdrage": _weighted_mean(change[f"bijdrage_{d}"], w)})
    out = pd.DataFrame(rows)
    out.attrs["delta_gemeente"] = _weighted_mean(change["delta"], w)
    return out


@dataclass
class Polarisation:
    """Did the gap between the best and worst buurten grow?"""

    gaps: pd.DataFrame  # per year: worst/best decile & quintile and 10 worst/best means, gaps
    inequality: pd.DataFrame  # per year: Gini, Theil, Theil within/between wijk
    slope: float  # Δ on starting score
    slope_ci: tuple[float, float]
    slope_n: int

    def grew(self) -> bool:
        """True when the worst-vs-best decile gap widened."""
        g = self.gaps["gap_decile"].to_numpy()
        return bool(g[-1] > g[0])


def _weighted_mean(values: pd.Series, weights: pd.Series | None) -> float:
    """Population-weighted mean; the plain mean where no weights are known."""
    ok = values.notna() & (weights.notna() if weights is not None else True)
    if weights is None or not weights[ok].sum() > 0:
        return float(values.mean())
    return float(np.average(values[ok], weights=weights[ok]))


def polarisation(
    table: pd.DataFrame, van: int, tot: int, population: pd.DataFrame | None = None, n: int = 10
) -> Polarisation:
    """Gaps between the worst and best decile/quintile (population-weighted) and between
    the ``n`` worst and ``n`` best buurten; Gini and Theil of the scores with Theil split
    within/between wijken (PySAL ``inequality``); slope of Δ on the starting score."""
    from inequality.gini import Gini
    from inequality.theil import TheilD

    rows, ineq = [], []
    for year in (van, tot):
        part = _year(table, year).dropna(subset=["score"])
        if len(part) < 2:
            raise DataError(
                Msg("err_an_gap_two", n=len(part), year=year),
                fix=Msg("fix_an_missing_domains_year"),
            )
        w = None
        if population is not None:
            pop = population[population["period"] == year].set_index("area_code")["a_inw"]
            w = pop.reindex(part.index)
        s = part["score"]
        row: dict[str, float] = {"jaar": year}
        for name, q in (("decile", 0.1), ("quintile", 0.2)):
            hi, lo = s >= s.quantile(1 - q), s <= s.quantile(q)
            row[f"slechtste_{name}"] = _weighted_mean(s[hi], None if w is None else w[hi])
            row[f"beste_{name}"] = _weighted_mean(s[lo], None if w is None else w[lo])
            row[f"gap_{name}"] = row[f"slechtste_{name}"] - row[f"beste_{name}"]
        order = s.sort_values()
        row[f"slechtste_{n}"], row[f"beste_{n}"] = order.tail(n).mean(), order.head(n).mean()
        row[f"gap_{n}"] = row[f"slechtste_{n}"] - row[f"beste_{n}"]
        rows.append(row)
        wijk = pd.Series(part.index.str[2:8], index=part.index)
        y = s.to_numpy(dtype=float)
        theil = TheilD(y, pd.factorize(wijk)[0])
        ineq.append(
            {
                "jaar": year,
                "gini": float(Gini(y).g),
                "theil": float(theil.T),
                "theil_tussen_wijken": float(np.ravel(theil.bg)[0]),
                "theil_binnen_wijken": float(np.ravel(theil.wg)[0]),
            }
        )
    ta, tb = _year(table, van), _year(table, tot)
    a, b = ta["score"], tb["score"]
    if "domains_used" in ta.columns:  # only buurten scored on the same domains
        same = tb["domains_used"].reindex(a.index) == ta["domains_used"]
        b = b.reindex(a.index).where(same)
    both = pd.DataFrame({"start": a, "delta": b - a}).dropna()
    fit = stats.linregress(both["start"], both["delta"])
    t = stats.t.ppf(0.975, len(both) - 2) if len(both) > 2 else np.nan
    return Polarisation(
        pd.DataFrame(rows),
        pd.DataFrame(ineq),
        float(fit.slope),
        (float(fit.slope - t * fit.stderr), float(fit.slope + t * fit.stderr)),
        len(both),
    )


def group_profiles(
    scores: pd.DataFrame, data: pd.DataFrame, indicators: Sequence[str], n: int = 10
) -> pd.DataFrame:
    """'Gespiegelde buurten': mean of each indicator in the ``n`` worst and ``n`` best
    buurten (by score), with the ratio worst/best."""
    s = scores.set_index("area_code")["score"].dropna().sort_values()
    d = data.set_index("area_code")
    rows = []
    for ind in indicators:
        if ind not in d.columns:
            continue
        worst, best = d.loc[s.tail(n).index, ind].mean(), d.loc[s.head(n).index, ind].mean()
        rows.append(
            {
                "indicator": ind,
                f"slechtste_{n}": worst,
                f"beste_{n}": best,
                "verhouding": worst / best if best else np.nan,
            }
        )
    return pd.DataFrame(rows)


def correlations(
    scores: pd.DataFrame, data: pd.DataFrame, indicators: Sequence[str]
) -> pd.DataFrame:
    """Pearson and Spearman correlation of the score with each indicator, with n and p."""
    merged = scores[["area_code", "score"]].merge(data, on="area_code")
    rows = []
    for ind in indicators:
        if ind not in merged.columns:
            continue
        pair = merged[["score", ind]].dropna()
        if len(pair) < 3:
            continue
        r, p = stats.pearsonr(pair["score"], pair[ind])
        rho, _ = stats.spearmanr(pair["score"], pair[ind])
        rows.append(
            {
                "indicator": ind,
                "r": r,
                "rho": rho,
                "p": p,
                "n": len(pair),
                "sterkte": "sterk" if abs(r) >= 0.7 else "matig" if abs(r) >= 0.4 else "zwak",
            }
        )
    return pd.DataFrame(rows)
