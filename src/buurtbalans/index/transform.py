"""Pure numeric steps of the index: ranking, standardisation, transforms, shrinkage.

Conventions: values are signed so that **higher = more deprived**; ranks run from 1 (least
deprived) to N (most deprived) within a group, ties sharing their average rank (IoD).

Every step takes a Series (one indicator) or a DataFrame (all indicators, ranked per group in
one pass); a DataFrame gives the same numbers as its columns one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

EXP_CONSTANT = 23.0
_K = 1.0 - np.exp(-100.0 / EXP_CONSTANT)


Values = pd.Series | pd.DataFrame


def _grouped(values: Values, groups: pd.Series | None):
    return values.groupby(groups if groups is not None else np.zeros(len(values)), sort=False)


def deprivation_rank(values: Values, groups: pd.Series | None = None) -> tuple[Values, Values]:
    """Average ranks (1 = least deprived) and the group size N (non-missing values in the
    row's group); NaN stays NaN, as does a row without a group. A DataFrame is ranked
    column by column in one pass per group (groups are periods: few): the same numbers as
    ``groupby(groups).rank(method="average")`` and ``transform("count")``.

    >>> r, n = deprivation_rank(pd.Series([3.0, 1.0, 3.0, None, 2.0]), pd.Series([1, 1, 1, 1, 2]))
    >>> r.tolist(), n.tolist()
    ([2.5, 1.0, 2.5, nan, 1.0], [3.0, 3.0, 3.0, 3.0, 1.0])
    """
    ranks = _by_rank(values, groups, lambda r, n: r)
    counts = _by_rank(values, groups, lambda r, n: np.broadcast_to(n, r.shape))
    return _like(values, ranks), _like(values, counts)


def _by_rank(
    values: Values, groups: pd.Series | None, fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """``fn(ranks, n)`` per group, as an array with one row per column of ``values``:
    ``ranks`` are the group's average ranks (k columns × m rows of the group), ``n`` its
    non-missing counts (k × 1). Working per group keeps the temporaries small."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    # one row per column, C-ordered: each sort runs over contiguous memory
    mat = np.ascontiguousarray(frame.to_numpy(dtype=float).T)
    out = np.full(mat.shape, np.nan)
    for rows in _group_rows(groups, mat.shape[1]):
        block = mat[:, rows]
        n = (~np.isnan(block)).sum(axis=1, keepdims=True).astype(float)
        out[:, rows] = fn(_average_ranks(block), n)
    return out


def _like(values: Values, arr: np.ndarray) -> Values:
    """``arr`` (one row per column of ``values``) as a Series/DataFrame shaped like ``values``."""
    if isinstance(values, pd.Series):
        return pd.Series(arr[0], index=values.index, name=values.name)
    return pd.DataFrame(arr.T, index=values.index, columns=values.columns, copy=False)


def _group_rows(groups: pd.Series | None, n: int) -> list[slice] | list[np.ndarray]:
    """Row positions of each group (all rows when ``groups`` is None); rows whose group is
    missing belong to none."""
    if groups is None:
        return [slice(None)]
    codes, _ = pd.factorize(np.asarray(groups), use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")
    blocks = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    # a group stored in one stretch (data sorted by period) is a slice: no gather/scatter
    return [
        slice(b[0], b[-1] + 1) if b[-1] - b[0] + 1 == len(b) else b
        for b in blocks
        if len(b) and codes[b[0]] >= 0
    ]


def _average_ranks(block: np.ndarray) -> np.ndarray:
    """Average ranks (1 = smallest) along each row of ``block`` (one row per indicator);
    NaN stays NaN. A run of ties at sorted positions s..e gets (s + e)/2 + 1, exactly the
    mean of their ordinal ranks (what pandas computes). One indicator at a time: its
    temporaries stay in the CPU cache (2–2.5× faster than sorting the 2-D block at once)."""
    out = np.empty_like(block)
    k, m = block.shape
    int_type = np.int32 if m < 2**31 else np.int64  # cumsum bool→int64 is several times slower
    for j in range(k):
        col = block[j]
        missing = np.isnan(col)
        # NumPy's SIMD argsort only runs on NaN-free data: sort NaN as +inf (they come last
        # either way and get NaN below), unless a real +inf would then tie with them
        key = col if np.isposinf(col).any() else np.where(missing, np.inf, col)
        order = np.argsort(key)
        ordered = key[order]
        new = np.empty(m, dtype=bool)  # a run of equal values starts here
        new[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=new[1:])  # NaN ≠ NaN
        starts = np.flatnonzero(new)
        run_rank = (2 * starts + np.diff(starts, append=m) - 1) / 2.0 + 1.0
        run = np.cumsum(new, dtype=int_type)
        run -= 1
        ranks = out[j]
        ranks[order] = run_rank[run]
        ranks[missing] = np.nan
    return out


def descending_ranks(
    values: pd.Series, groups: pd.Series | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Ordinal ranks within each group, 1 = highest value, ties in order of appearance
    (``groupby(groups).rank(method="first", ascending=False)``), and the group's count of
    non-missing values; NaN stays NaN.

    >>> r, n = descending_ranks(pd.Series([2.0, 5.0, 2.0, None, 7.0]))
    >>> r.tolist(), n.tolist()
    ([3.0, 2.0, 4.0, nan, 1.0], [4.0, 4.0, 4.0, 4.0, 4.0])
    """
    x = values.to_numpy(dtype=float)
    ranks = np.full(len(x), np.nan)
    counts = np.full(len(x), np.nan)
    for rows in _group_rows(groups, len(x)):
        part = x[rows]
        missing = np.isnan(part)
        key = -part if np.isneginf(part).any() else np.where(missing, np.inf, -part)
        order = np.argsort(key)  # SIMD quicksort; ties put back in order of appearance:
        ordered = key[order]
        run = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
        order = order[np.argsort(run * len(part) + order)]
        block = np.empty(len(part))
        block[order] = np.arange(1, len(part) + 1, dtype=float)
        block[missing] = np.nan
        ranks[rows] = block
        counts[rows] = float((~missing).sum())
    return ranks, counts


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
    if method == "exponential":
        return _like(values, _by_rank(values, groups, lambda r, n: exponential(r / n)))
    return _like(values, _by_rank(values, groups, lambda r, n: 100.0 * (r / n)))


def normal_scores(values: Values, groups: pd.Series | None = None) -> Values:
    """Rank → standard normal score Φ⁻¹((rank − ½)/N), ties sharing their average rank
    (``scipy.special.ndtri``: the same numbers as ``scipy.stats.norm.ppf``, without the
    distribution machinery; imported here: SciPy takes 0.2 s to import, which a cached
    answer does not need)."""
    from scipy.special import ndtri

    return _like(values, _by_rank(values, groups, lambda r, n: ndtri((r - 0.5) / n)))


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
    codes = np.where(score.notna().to_numpy(), np.minimum(idx, len(labels) - 1), -1)
    return text_series(list(labels), codes, score.index)


def text_series(texts: list[str], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``texts[codes]`` as a text column (code −1: missing), built from the few distinct
    texts: with pandas' Arrow-backed ``str`` type, one Arrow ``take`` instead of converting
    a Python string per row. The result equals ``pd.Series(texts[codes], index)``.

    >>> text_series(["ok", "te weinig"], np.array([0, 1, -1, 0]), pd.RangeIndex(4)).tolist()
    ['ok', 'te weinig', nan, 'ok']
    """
    codes = np.asarray(codes)
    dtype = _arrow_str_dtype()
    if dtype is None:  # pandas without Arrow strings: the plain way
        values = np.asarray([*texts, np.nan], dtype=object)[np.where(codes < 0, len(texts), codes)]
        return pd.Series(values, index=index, dtype=pd.Series(["x"]).dtype)
    import pyarrow as pa

    take = pa.array(codes, mask=codes < 0)
    arrow = pa.array(texts, type=pa.large_string()).take(take)
    return pd.Series(pd.array(arrow, dtype=dtype), index=index)


@cache
def _arrow_str_dtype() -> pd.StringDtype | None:
    """pandas' default text dtype when it is the Arrow-backed ``str`` (pandas ≥ 3), else None."""
    default = pd.Series(["x"]).dtype
    arrow = isinstance(default, pd.StringDtype) and default.storage == "pyarrow"
    return default if arrow else None
