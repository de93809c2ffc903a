"""Pure numeric steps of the index: ranking, standardisation, transforms, shrinkage.

Conventions: values are signed so that **higher = more deprived**; ranks run from 1 (least
deprived) to N (most deprived) within a group, ties sharing their average rank (IoD).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

EXP_CONSTANT = 23.0
_K = 1.0 - np.exp(-100.0 / EXP_CONSTANT)


def _grouped(values: pd.Series, groups: pd.Series | None):
    return values.groupby(groups if groups is not None else np.zeros(len(values)), sort=False)


def deprivation_rank(
    values: pd.Series, groups: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    """Average ranks (1 = least deprived) and the group size N; NaN stays NaN."""
    g = _grouped(values, groups)
    ranks = g.rank(method="average", ascending=True)
    n = g.transform("count").astype(float)
    return ranks, n


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


def transform_domain(values: pd.Series, method: str, groups: pd.Series | None = None) -> pd.Series:
    """Scale a domain score: ``exponential`` (IoD), ``percentile`` (100·R), ``zscore`` or
    ``none``; R is the average rank over the group divided by the group's N."""
    if method == "none":
        return values.astype(float)
    if method == "zscore":
        return zscores(values, groups)
    ranks, n = deprivation_rank(values, groups)
    r = ranks / n
    return exponential(r) if method == "exponential" else 100.0 * r


def normal_scores(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Rank → standard normal score Φ⁻¹((rank − ½)/N), ties sharing their average rank."""
    ranks, n = deprivation_rank(values, groups)
    return pd.Series(norm.ppf((ranks - 0.5) / n), index=values.index)


def zscores(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """(x − mean) / sd within the group (sd with ddof=0; a constant group gives 0)."""
    g = _grouped(values, groups)
    sd = g.transform("std", ddof=0).replace(0, np.nan)
    return ((values - g.transform("mean")) / sd).fillna(0).where(values.notna())


def minmax(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
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
