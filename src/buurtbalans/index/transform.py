"""Pure numeric steps of the index: ranking, standardisation, transforms, shrinkage.

Conventions: values are signed so that **higher = more deprived**; ranks run from 1 (least
deprived) to N (most deprived) within a group, ties sharing their average rank (IoD).

Every step takes a Series (one indicator) or a DataFrame (all indicators, ranked per group in
one pass); a DataFrame gives the same numbers as its columns one by one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

EXP_CONSTANT = 23.0
_K = 1.0 - np.exp(-100.0 / EXP_CONSTANT)


Values = pd.Series | pd.DataFrame


def _grouped(values: Values, groups: pd.Series | None):
    return values.groupby(groups if groups is not None else np.zeros(len(values)), sort=False)


def deprivation_rank(values: Values, groups: pd.Series | None = None) -> tuple[Values, Values]:
    """Average ranks (1 = least deprived) and the group size N (non-missing values in the
    row's group); NaN stays NaN. A DataFrame is ranked column by column in one call."""
    g = _grouped(values, groups)
    ranks = g.rank(method="average", ascending=True)
    return ranks, _group_count(values, groups)


def _group_count(values: Values, groups: pd.Series | None) -> Values:
    """Per row, the number of non-missing values in its group (``transform("count")``,
    from one bincount per column instead of a groupby)."""
    present = values.notna().to_numpy().reshape(len(values), -1)
    if groups is None:
        n = np.broadcast_to(present.sum(axis=0).astype(float), present.shape)
    else:
        codes, uniques = pd.factorize(np.asarray(groups), use_na_sentinel=True)
        k = len(uniques)
        flat = codes[:, None] + k * np.arange(present.shape[1])
        counts = np.bincount(flat[present], minlength=k * present.shape[1]).astype(float)
        n = counts[flat]
        n[codes < 0] = np.nan  # rows without a group are not ranked (groupby drops them)
    if isinstance(values, pd.DataFrame):
        return pd.DataFrame(n, index=values.index, columns=values.columns)
    return pd.Series(n[:, 0], index=values.index, name=values.name)


def exponential(r: np.ndarray | pd.Series) -> np.ndarray | pd.Series:
    """IoD exponential transform of R = rank/N in (0, 1]: X = −23·ln(1 − R·(1 − e^(−100/23))).

    >>> round(float(exponential(0.9)), 1), round(float(exponential(1.0)), 9)
    (50.4, 100.0)
    """
    if isinstance(r, pd.Series | pd.DataFrame):
        return -EXP_CONSTANT * np.log(1.0 - r * _K)
    return -EXP_CONSTANT * np.log(1.0 - np.asarray(r, dtype=float) * _K)


def rank_share_from_scaled(x: pd.Series | pd.DataFrame, method: str):
    """Invert a scaled domain score back to R = rank/N (percentile or exponential)."""
    if method == "percentile":
        return x / 100.0
    if method == "exponential":
        return (1.0 - np.exp(-x / EXP_CONSTANT)) / _K
    raise ValueError(f"cannot invert the {method!r} scaling")


def transform_domain(values: Values, method: str, groups: pd.Series | None = None) -> Values:
    """Scale a domain score (or all domain scores at once, as a DataFrame): ``exponential``
    (IoD), ``percentile`` (100·R), ``zscore`` or ``none``; R is the average rank over the
    group divided by the group's N."""
    if method == "none":
        return values.astype(float)
    if method == "zscore":
        return zscores(values, groups)
    ranks, n = deprivation_rank(values, groups)
    r = ranks / n
    return exponential(r) if method == "exponential" else 100.0 * r


def normal_scores(values: Values, groups: pd.Series | None = None) -> Values:
    """Rank → standard normal score Φ⁻¹((rank − ½)/N), ties sharing their average rank
    (``scipy.special.ndtri``: the same numbers as ``scipy.stats.norm.ppf``, without the
    distribution machinery)."""
    ranks, n = deprivation_rank(values, groups)
    return ndtri((ranks - 0.5) / n)


def zscores(values: Values, groups: pd.Series | None = None) -> Values:
    """(x − mean) / sd within the group (sd with ddof=0; a constant group gives 0)."""
    g = _grouped(values, groups)
    sd = g.transform("std", ddof=0).replace(0, np.nan)
    return ((values - g.transform("mean")) / sd).fillna(0).where(values.notna())


def minmax(values: Values, groups: pd.Series | None = None) -> Values:
    """(x − min) / (max − min) within the group, 0–1."""
    g = _grouped(values, groups)
    lo, hi = g.transform("min"), g.transform("max")
    return ((values - lo) / (hi - lo).replace(0, np.nan)).fillna(0).where(values.notna())


STANDARDISERS = {
    "normal": normal_scores,
    "zscore": zscores,
    "minmax": minmax,
    "none": lambda v, g=None: v.astype(float),
}


def eb_shrink(numerator: pd.Series, denominator: pd.Series, group: pd.Series) -> pd.Series:
    """Empirical-Bayes shrinkage of rates toward their group (IoD 2019, appendix D).

    Per area: logit m = ln((r+½)/(n−r+½)), variance s² = (n+1)(n+2)/(n(r+1)(n−r+1));
    per group: M from the group totals and t² = Σ(m−M)²/(k−1); weight
    w = (1/s²)/(1/s² + 1/t²); shrunk logit w·m + (1−w)·M, back-transformed to a rate.
    Areas with n = 0 or missing counts stay missing.
    """
    r = numerator.astype(float)
    n = denominator.astype(float)
    ok = r.notna() & n.notna() & (n > 0)
    r, n = r.where(ok), n.where(ok)
    m = np.log((r + 0.5) / (n - r + 0.5))
    s2 = (n + 1) * (n + 2) / (n * (r + 1) * (n - r + 1))
    tot_r = r.groupby(group).transform("sum")
    tot_n = n.groupby(group).transform("sum")
    big_m = np.log((tot_r + 0.5) / (tot_n - tot_r + 0.5))
    k = m.groupby(group).transform("count")
    t2 = ((m - big_m) ** 2).groupby(group).transform("sum") / (k - 1).replace(0, np.nan)
    w = (1 / s2) / (1 / s2 + 1 / t2)
    w = w.fillna(1.0)  # a group of one area (or no spread) is not shrunk
    shrunk = w * m + (1 - w) * big_m
    return (np.exp(shrunk) / (1 + np.exp(shrunk))).where(ok)


def class_of(
    score: pd.Series, edges: tuple[float, ...], labels: tuple[str, ...], inclusive: bool
) -> pd.Series:
    """Band label of each score; with ``inclusive`` a score equal to an edge moves up."""
    idx = np.searchsorted(
        np.asarray(edges), score.to_numpy(), side="right" if inclusive else "left"
    )
    out = pd.Series(
        np.asarray(labels, dtype=object)[np.minimum(idx, len(labels) - 1)], index=score.index
    )
    return out.where(score.notna())
