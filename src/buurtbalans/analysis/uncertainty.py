"""How sure is the index? Monte Carlo uncertainty and Sobol sensitivity analysis.

The choices behind the index (domain weights, scaling, missing-data rule, shrinkage, each
indicator, indicator error) are varied together over a Saltelli/Sobol design
(:mod:`buurtbalans.analysis.uncertainty_assumptions`). The engine runs once: the
standardised indicators (with and without shrinkage) are computed one time; every variant
then only re-weights and re-scales them in NumPy, for all buurten and a block of variants
at once. Per buurt this gives the median rank, a 90 % rank interval, P(class "zeer hoog")
and P(in the worst ``top``), per year and for the change between two years; per
assumption, first-order and total Sobol indices of the mean rank shift and of the share of
buurten whose class changes.

Ranks are within the *focus* set (the gemeente) per year, 1 = most deprived; rows whose
point result has status != "ok" are never ranked (the coverage contract), and a variant
withholds a score where its own data fall below the spec's coverage minimum.
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from buurtbalans.analysis.uncertainty_assumptions import (
    SCALINGS,
    Assumptions,
    Design,
    make_design,
    sobol_indices,
)
from buurtbalans.errors import BuurtbalansError, DataError, Msg
from buurtbalans.index.engine import (
    IndexResult,
    compute,
    derive_indicators,
    shrink,
    standardise,
)
from buurtbalans.index.transform import exponential
from buurtbalans.spec import IndexSpec

BLOCK_CELLS = 4_000_000  # variants × rows × indicators per block (memory bound, ~32 MB)


@dataclass
class Prepared:
    """Everything the variants need, computed once from the input."""

    spec: IndexSpec
    point: IndexResult
    keys: pd.DataFrame
    raw: dict[bool, np.ndarray]
    std: dict[bool, np.ndarray]
    indicator_ids: list[str]
    membership: np.ndarray
    groups: list[np.ndarray]
    rank_sets: list[tuple[Any, np.ndarray]]
    eligible: np.ndarray
    sigma_margin: np.ndarray | None
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Rows in the reference set."""
        return len(self.keys)


def prepare(
    data: pd.DataFrame,
    spec: IndexSpec,
    *,
    id_columns: list[str] | tuple[str, ...] = ("area_code",),
    period_column: str | None = None,
    group_column: str | None = None,
    focus: np.ndarray | pd.Series | None = None,
    margins: dict[str, str] | None = None,
) -> Prepared:
    """Run the engine once (the point result) and keep the standardised indicators with and
    without shrinkage. ``focus`` (a boolean mask over ``data``) marks the buurten to rank
    (default: all); the others only form the reference (e.g. all NL for a national one)."""
    point = compute(
        data,
        spec,
        id_columns=list(id_columns),
        period_column=period_column,
        group_column=group_column,
    )
    spec = point.run.spec  # the spec the index rests on (one spec, one hash)
    data = data.reset_index(drop=True)
    keys_cols = [*id_columns, *([period_column] if period_column else [])]
    small = pd.Series(False, index=data.index)
    if spec.min_population and spec.population in data.columns:
        small = data[spec.population] < spec.min_population
    ref = data[~small]
    pooled = spec.reference.endswith("pooled") or period_column is None
    groups = None if pooled else ref[period_column]
    values, _ = derive_indicators(ref, spec)
    gcol = ref[group_column] if group_column else ref[id_columns[0]].astype(str).str[2:6]
    shrunk = shrink(values, ref, spec, gcol)
    notes: list[str] = []
    sign = np.array([1.0 if i.polarity == "+" else -1.0 for i in spec.indicators])
    raw = {
        False: values.to_numpy(float) * sign,
        True: shrunk.to_numpy(float) * sign,
    }
    std = {
        False: standardise(values, spec, groups).to_numpy(float),
        True: standardise(shrunk, spec, groups).to_numpy(float),
    }
    ids = [i.id for i in spec.indicators]
    domains = spec.domain_ids()
    membership = np.zeros((len(ids), len(domains)))
    for j, ind in enumerate(spec.indicators):
        membership[j, domains.index(ind.domain)] = ind.weight
    gvals = np.zeros(len(ref)) if groups is None else groups.to_numpy()
    group_rows = [np.flatnonzero(gvals == g) for g in pd.unique(gvals)]
    focus_all = np.ones(len(data), bool) if focus is None else np.asarray(focus, bool)
    focus_mask = focus_all[~small.to_numpy()]
    periods = ref[period_column].to_numpy() if period_column else np.zeros(len(ref))
    rank_sets = [
        (p, np.flatnonzero(focus_mask & (periods == p))) for p in sorted(pd.unique(periods))
    ]
    rank_sets = [(p, rows) for p, rows in rank_sets if len(rows)]
    if not period_column:
        rank_sets = [(None, rows) for _, rows in rank_sets]
    if not rank_sets:
        raise DataError(Msg("err_an_no_focus"), fix=Msg("fix_an_check_gemeente"))
    status = point.table["status"].to_numpy()[~small.to_numpy()]
    if n_small := int((focus_all & small.to_numpy()).sum()):
        notes.append(
            f"{n_small} buurt-jaren met minder dan {spec.min_population:g} inwoners hebben "
            "geen score (status 'te weinig inwoners') en staan niet in de tabellen"
        )
    sigma = None
    for ind_id, column in (margins or {}).items():
        if ind_id not in ids:
            raise DataError(
                Msg("err_an_margin_unknown", indicator=ind_id),
                fix=Msg("fix_an_margin_unknown", ids=ids),
            )
        if column not in ref.columns or ref[column].isna().all():
            notes.append(
                f"geen marges voor {ind_id} (kolom {column!r} ontbreekt): opgegeven relatieve fout"
            )
            continue
        if sigma is None:
            sigma = np.full((len(ref), len(ids)), np.nan)
        sigma[:, ids.index(ind_id)] = pd.to_numeric(ref[column], errors="coerce") / 1.96
    return Prepared(
        spec=spec,
        point=point,
        keys=ref[keys_cols].reset_index(drop=True).assign(status=status),
        raw=raw,
        std=std,
        indicator_ids=ids,
        membership=membership,
        groups=group_rows,
        rank_sets=rank_sets,
        eligible=status == "ok",
        sigma_margin=sigma,
        notes=notes,
    )


# -- vectorised steps over a block of variants ---------------------------------------------
def average_ranks(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks along axis 1 (1 = smallest; ties share their average; NaN stays NaN)
    and the count of non-missing values, for every other index at once.

    >>> r, n = average_ranks(np.array([[[1.0], [2.0], [2.0], [np.nan], [3.0]]]))
    >>> r[0, :, 0].tolist(), int(n[0, 0, 0])
    ([1.0, 2.5, 2.5, nan, 4.0], 4)
    """
    last_axis = np.ascontiguousarray(np.moveaxis(a, 1, -1))  # sort along contiguous memory
    n = a.shape[1]
    order = np.argsort(last_axis, axis=-1)  # ties get their average: order among them is moot
    s = np.take_along_axis(last_axis, order, axis=-1)
    pos = np.arange(n)
    new = np.ones(s.shape, bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    end_of_run = np.ones(s.shape, bool)
    end_of_run[..., :-1] = new[..., 1:]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    rev = np.flip(np.where(end_of_run, pos, n), axis=-1)
    end = np.flip(np.minimum.accumulate(rev, axis=-1), axis=-1)
    ranks = np.empty(s.shape)
    np.put_along_axis(ranks, order, (start + end) / 2.0 + 1.0, axis=-1)
    ranks = np.moveaxis(ranks, -1, 1)
    missing = np.isnan(a)
    ranks[missing] = np.nan
    return ranks, (~missing).sum(axis=1, keepdims=True)


class _Errors:
    """Indicator values perturbed by one error realisation, placed in the unperturbed
    distribution (read off each group's own value → standardised-score mapping)."""

    def __init__(self, prep: Prepared, a: Assumptions) -> None:
        self.prep, self.a = prep, a
        self.cache: OrderedDict[tuple[bool, int], np.ndarray] = OrderedDict()
        self.maps: dict[tuple[bool, int, int], tuple[np.ndarray, ...]] = {}
        self.sigmas: dict[bool, np.ndarray] = {}

    def _map(self, h: bool, g: int, i: int) -> tuple[np.ndarray, ...]:
        """Group ``g``'s value → score mapping of indicator ``i`` (values sorted, their
        scores), and the group's rows with a value, in the order of their values."""
        if (h, g, i) not in self.maps:
            rows = self.prep.groups[g]
            x, z = self.prep.raw[h][rows, i], self.prep.std[h][rows, i]
            ok = ~np.isnan(x) & ~np.isnan(z)
            order = np.argsort(x[ok], kind="stable")
            xs, zs = x[ok][order], z[ok][order]
            # ties (counts, rounded shares: a few dozen distinct values among thousands)
            # map to one score; one point per distinct (value, score) is the same line
            # and a search over a few dozen points, not thousands
            keep = np.full(len(xs), len(xs) > 1)  # one value alone: nothing to read off
            keep[:-1] &= (xs[1:] != xs[:-1]) | (zs[1:] != zs[:-1])
            has = np.flatnonzero(~np.isnan(x))
            by_value = rows[has[np.argsort(x[has], kind="stable")]]
            self.maps[(h, g, i)] = (xs[keep], zs[keep], by_value)
        return self.maps[(h, g, i)]

    def _sigma(self, h: bool) -> np.ndarray:
        """Each value's error (its standard deviation): the stated margin, else the
        relative error times the value."""
        if h not in self.sigmas:
            sigma = np.abs(self.prep.raw[h]) * self.a.relative_error
            if self.prep.sigma_margin is not None:
                margin = self.prep.sigma_margin
                sigma = np.where(np.isnan(margin), sigma, margin)
            self.sigmas[h] = sigma
        return self.sigmas[h]

    def get(self, h: bool, level: int) -> np.ndarray:
        key = (h, level)
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        prep = self.prep
        raw = prep.raw[h]
        rng = np.random.default_rng([self.a.seed, level])
        noisy = raw + self._sigma(h) * rng.standard_normal(raw.shape)
        columns = np.ascontiguousarray(noisy.T)  # one row per indicator
        out = prep.std[h].copy()
        for g, rows in enumerate(prep.groups):
            for i in range(raw.shape[1]):
                xs, zs, by_value = self._map(h, g, i)
                if len(xs):
                    # asked in the order of the unperturbed values, the noisy values come
                    # nearly sorted and interp finds each next to the last (the same
                    # values, a third faster than in row order)
                    out[rows, i] = np.nan
                    out[by_value, i] = np.interp(columns[i, by_value], xs, zs)
        self.cache[key] = out
        if len(self.cache) > 16:
            self.cache.popitem(last=False)
        return out


def _indicators(prep: Prepared, d: Design, idx: np.ndarray, errors: _Errors) -> np.ndarray:
    z = np.empty((len(idx), prep.n, len(prep.indicator_ids)))
    active = _active_ids(prep)
    for j, v in enumerate(idx):
        h = bool(d.shrink[v])
        z[j] = errors.get(h, int(d.error[v])) if d.error[v] >= 0 else prep.std[h]
        if d.drop[v] >= 0:
            z[j, :, active[d.drop[v]]] = np.nan
    return z


def _active_ids(prep: Prepared) -> list[int]:
    """Indicator positions with any data (the candidates for dropping one)."""
    has = ~np.isnan(prep.std[False]).all(axis=0)
    return [int(i) for i in np.flatnonzero(has)]


def _domains(z: np.ndarray, prep: Prepared, no_score: np.ndarray) -> np.ndarray:
    """Weighted mean of the present indicators per domain; ``no-score`` leaves a domain
    empty when any of its indicators (with data in this variant) is missing."""
    present = ~np.isnan(z)
    filled = np.where(present, z, 0.0)
    w = prep.membership
    dom = np.full((*z.shape[:2], w.shape[1]), np.nan)
    for d in range(w.shape[1]):
        cols = np.flatnonzero(w[:, d] > 0)
        if not len(cols):
            continue
        wd = w[cols, d]
        p = present[:, :, cols]
        num = (filled[:, :, cols] * wd).sum(axis=2)
        den = (p * wd).sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            dom[:, :, d] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        if no_score.any():
            need = p.any(axis=1)  # (B, k): this domain's indicators with data per variant
            incomplete = (need[:, None, :] & ~p).any(axis=2)
            dom[:, :, d] = np.where(no_score[:, None] & incomplete, np.nan, dom[:, :, d])
    return dom


def _scale(dom: np.ndarray, prep: Prepared, scaling: np.ndarray) -> np.ndarray:
    """Domain scores → 0-100 scale per group: percentile, exponential or normal scores."""
    return _on_scale(*_ranks_all(dom, prep), scaling)


def _ranks_all(dom: np.ndarray, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks of every row's domain values within its group, and the number of
    values ranked (per row, variant and domain)."""
    ranks = np.full(dom.shape, np.nan)
    count = np.zeros(dom.shape)
    for rows in prep.groups:
        ranks[:, rows, :], count[:, rows, :] = average_ranks(dom[:, rows, :])
    return ranks, count


def _on_scale(ranks: np.ndarray, n: np.ndarray, scaling: np.ndarray) -> np.ndarray:
    """Average ranks (1 = smallest) among ``n`` values → each variant's scale (variants on
    axis 0): percentile, exponential or normal scores."""
    r = ranks / n
    x = np.full(r.shape, np.nan)
    for code, name in enumerate(SCALINGS):
        sel = scaling == code
        if not sel.any():
            continue
        if name == "percentile":
            x[sel] = 100.0 * r[sel]
        elif name == "exponential":
            x[sel] = exponential(r[sel])
        else:
            x[sel] = ndtri((ranks[sel] - 0.5) / n[sel])
    return x


def _combine(
    x: np.ndarray,
    prep: Prepared,
    d: Design,
    idx: np.ndarray,
    has_any: np.ndarray | None = None,
) -> np.ndarray:
    """Score = Σ w·X over the domains with data, rescaled to the spec's total; no-score;
    the spec's coverage minimum; the normal scaling put on the 0-100 class scale.
    ``has_any`` (variants × domains): which domains have data in any reference row, when
    ``x`` holds only some rows."""
    spec = prep.spec
    present = ~np.isnan(x)
    has_any = present.any(axis=1) if has_any is None else has_any
    w = d.weights[idx] * has_any
    total = d.weights[idx].sum(axis=1)
    wsum = np.einsum("bnd,bd->bn", present.astype(float), w)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.einsum("bnd,bd->bn", np.where(present, x, 0.0), w)
        score = score * (total[:, None] / np.where(wsum > 0, wsum, np.nan)) / 100.0
    complete = (present | ~has_any[:, None, :]).all(axis=2)
    score[d.missing[idx][:, None] & ~complete] = np.nan
    w_spec = np.array([dm.weight for dm in spec.domains])
    share = present.astype(float) @ (w_spec / w_spec.sum())
    ok = (share >= spec.min_weight_share - 1e-9) & prep.eligible[None, :]
    for req in spec.required_domains:
        ok &= present[:, :, spec.domain_ids().index(req)]
    score[~ok] = np.nan
    normal = d.scaling[idx] == SCALINGS.index("normal")
    for rows in prep.groups if normal.any() else []:
        s = score[np.ix_(normal, rows)]
        sd = np.nanstd(s, axis=1, keepdims=True)
        score[np.ix_(normal, rows)] = 100.0 * ndtr(s / np.where(sd > 0, sd, np.nan))
    return score


def _classes(score: np.ndarray, spec: IndexSpec) -> np.ndarray:
    c = spec.classes
    idx = np.searchsorted(np.asarray(c.edges), score, side="right" if c.inclusive else "left")
    return np.where(np.isnan(score), -1, idx).astype(np.int8)


def _ranks(score: np.ndarray) -> np.ndarray:
    """Rank 1 = highest score, ties in row order (engine: method 'first'); 0 = unranked."""
    key = np.where(np.isnan(score), np.inf, -score)
    order = np.argsort(key, axis=1, kind="stable")
    ranks = np.empty(score.shape, np.int32)
    np.put_along_axis(ranks, order, np.arange(1, score.shape[1] + 1, dtype=np.int32), axis=1)
    ranks[np.isnan(score)] = 0
    return ranks


def variant_scores(prep: Prepared, d: Design, idx: np.ndarray, errors: _Errors) -> np.ndarray:
    """Scores (variants × rows) of the variants ``idx``."""
    z = _indicators(prep, d, idx, errors)
    dom = _domains(z, prep, d.missing[idx])
    return _combine(_scale(dom, prep, d.scaling[idx]), prep, d, idx)


def focus_scores(
    prep: Prepared, d: Design, idx: np.ndarray, errors: _Errors, focus: np.ndarray
) -> np.ndarray:
    """Scores (variants × focus rows) of the variants ``idx``: the same numbers as
    ``variant_scores(...)[:, focus]``, without ranking every reference row. Each focus
    row's domain value is placed in its group's sorted values (its average rank is the
    mean of its left and right insertion points), so a gemeente against all NL costs a
    sort per domain, not a full ranking. Variants on the normal scale need every row's
    score (their spread), so they take the full path. Variants that differ only in
    weights or scaling share their domain values (:func:`domain_keys`): those are
    computed and ranked once."""
    keys = domain_keys(d, idx)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    shared = idx[first]
    dom = _domains(_indicators(prep, d, shared, errors), prep, d.missing[shared])
    scaling = d.scaling[idx]
    normal = scaling == SCALINGS.index("normal")
    out = np.full((len(idx), len(focus)), np.nan)
    if normal.any():
        used = np.unique(inverse[normal])
        ranks, count = _ranks_all(dom[used], prep)
        at = np.searchsorted(used, inverse[normal])
        x = _on_scale(ranks[at], count[at], scaling[normal])
        out[normal] = _combine(x, prep, d, idx[normal])[:, focus]
    if (~normal).any():
        rest = ~normal
        used = np.unique(inverse[rest])
        ranks, count = _ranks_at(dom[used], prep, focus)
        at = np.searchsorted(used, inverse[rest])
        x = _on_scale(ranks[at], count[at], scaling[rest])
        has_any = (~np.isnan(dom)).any(axis=1)[inverse[rest]]  # over every reference row
        out[rest] = _combine(x, _focus_view(prep, focus), d, idx[rest], has_any)
    return out


def domain_keys(d: Design, idx: np.ndarray) -> np.ndarray:
    """What a variant's domain values depend on (shrinkage, error realisation, missing
    rule, dropped indicator), one row per variant in ``idx``."""
    return np.stack([d.shrink[idx], d.error[idx], d.missing[idx], d.drop[idx]], axis=1).astype(
        np.int64
    )


def _ranks_at(dom: np.ndarray, prep: Prepared, focus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The average ranks of the focus rows' domain values within their group's values
    (what :func:`_ranks_all` gives for those rows), and the number of values ranked."""
    ranks = np.full((dom.shape[0], len(focus), dom.shape[2]), np.nan)
    count = np.zeros(ranks.shape)
    where = np.full(prep.n, -1)
    where[focus] = np.arange(len(focus))
    for rows in prep.groups:
        mine = where[rows]
        at = mine[mine >= 0]  # positions in ``focus`` of this group's focus rows
        if not len(at):
            continue
        ordered = np.sort(dom[:, rows, :], axis=1)  # NaN last
        n = (~np.isnan(ordered)).sum(axis=1)  # (B, D)
        values = dom[:, focus[at], :]
        for b in range(dom.shape[0]):
            for k in range(dom.shape[2]):
                col = ordered[b, : n[b, k], k]
                v = values[b, :, k]
                left = np.searchsorted(col, v, side="left")
                right = np.searchsorted(col, v, side="right")
                ranks[b, at, k] = np.where(np.isnan(v), np.nan, (left + right + 1) / 2.0)
        count[:, at, :] = n[:, None, :]
    return ranks, count


def _blocks(keys: np.ndarray, max_keys: int, max_variants: int) -> list[np.ndarray]:
    """The variants in blocks of at most ``max_keys`` distinct domain keys (the memory of
    their indicators) and ``max_variants`` variants, variants with equal keys together
    (so an error realisation is drawn once)."""
    order = np.lexsort(keys.T[::-1])
    new = np.ones(len(order), bool)
    new[1:] = (keys[order][1:] != keys[order][:-1]).any(axis=1)
    blocks: list[list[int]] = []
    n_keys = 0
    for v, is_new in zip(order.tolist(), new.tolist(), strict=True):
        if not blocks or len(blocks[-1]) >= max_variants or (is_new and n_keys >= max_keys):
            blocks.append([])
            n_keys = 0
        if is_new or not blocks[-1]:  # a key new here, or continued into a new block
            n_keys += 1
        blocks[-1].append(v)
    return [np.array(b) for b in blocks]


def _focus_view(prep: Prepared, focus: np.ndarray) -> Prepared:
    """``prep`` seen from its focus rows (what :func:`_combine` reads per row)."""
    from dataclasses import replace

    return replace(prep, eligible=prep.eligible[focus], groups=[np.arange(len(focus))])


# -- the analysis ------------------------------------------------------------------------
@dataclass
class UncertaintyResult:
    """Per buurt and year (``per_year``), per buurt for the change (``change``), Sobol
    indices (``sensitivity``) and the settings (assumptions, runs, seed, notes)."""

    per_year: pd.DataFrame
    change: pd.DataFrame | None
    sensitivity: pd.DataFrame
    settings: dict[str, Any]

    @property
    def top(self) -> int:
        """Size of the priority list ("the worst 10")."""
        return int(self.settings["top"])

    @property
    def top_column(self) -> str:
        """Column with P(in the worst ``top``)."""
        return f"kans_slechtste_{self.top}"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables for an xlsx workbook."""
        out = {"onzekerheid per jaar": self.per_year}
        if self.change is not None:
            out["onzekerheid verandering"] = self.change
        out["gevoeligheid (Sobol)"] = self.sensitivity
        return out


def _quantiles(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column (NaN ignored): median (linear), 5 % (lower) and 95 % (higher) points."""
    s = np.sort(a, axis=0)
    k = (~np.isnan(a)).sum(axis=0)
    km = np.maximum(k - 1, 0)

    def at(pos: np.ndarray) -> np.ndarray:
        v = np.take_along_axis(s, pos[None, :].astype(int), axis=0)[0]
        return np.where(k > 0, v, np.nan)

    med_pos = 0.5 * km
    lo, hi = np.floor(med_pos), np.ceil(med_pos)
    med = at(lo) + (at(hi) - at(lo)) * (med_pos - lo)
    return med, at(np.floor(0.05 * km)), at(np.ceil(0.95 * km))


def run_uncertainty(prep: Prepared, a: Assumptions) -> UncertaintyResult:
    """The Monte Carlo over the design, its summaries and the Sobol indices."""
    spec = prep.spec
    active = _active_ids(prep)
    shrinkable = not np.allclose(
        np.nan_to_num(prep.std[False]), np.nan_to_num(prep.std[True]), atol=1e-12
    )
    has_error = a.relative_error > 0 or prep.sigma_margin is not None
    d = make_design(
        spec,
        a,
        [prep.indicator_ids[i] for i in active],
        shrinkable=shrinkable,
        has_error=has_error,
    )
    errors = _Errors(prep, a)
    base = _base_design(spec, prep)
    base_score = variant_scores(prep, base, np.array([0]), errors)[0]
    _check_base(prep, base_score)
    focus = np.concatenate([rows for _, rows in prep.rank_sets])
    n_var = d.n
    ranks = np.zeros((n_var, len(focus)), np.int32)
    classes = np.zeros((n_var, len(focus)), np.int8)
    scores = np.zeros((n_var, len(focus)), np.float32)
    block = max(1, BLOCK_CELLS // max(1, prep.n * len(prep.indicator_ids)))
    per_variant = max(1, BLOCK_CELLS // max(1, prep.n * len(spec.domains)))
    for idx in _blocks(domain_keys(d, np.arange(n_var)), block, per_variant):
        sc = focus_scores(prep, d, idx, errors, focus)
        scores[idx] = sc
        classes[idx] = _classes(sc, spec)
        ranks[idx] = _focus_ranks(sc, prep)
    base_ranks = _focus_ranks(base_score[None, focus], prep)[0]
    base_class = _classes(base_score[None, focus], spec)[0]
    per_year, outputs = _per_year(prep, a, focus, ranks, classes, base_ranks, base_class)
    change = None
    if len(prep.rank_sets) == 2:
        change, out_change = _change(prep, a, focus, scores, base_score[focus])
        outputs.update(out_change)
    sens = pd.DataFrame(
        sobol_indices(d, outputs, a.seed),
        columns=["uitkomst", "factor", "S1", "S1_conf", "ST", "ST_conf", "noot"],
    )
    settings = {
        "assumptions": a.to_dict(),
        "runs": n_var,
        "saltelli_n": d.base_n,
        "factors": d.factors,
        "seed": a.seed,
        "top": a.top,
        "top_class": spec.classes.labels[-1],
        "top_class_en": spec.classes.labels_en[-1],
        "periods": [int(p) for p, _ in prep.rank_sets if p is not None],
        "reference": spec.reference,
        "n_reference": prep.n,
        "spec_name": spec.name,
        "spec_hash": spec.hash(),
        "notes": [*prep.notes, *d.notes],
    }
    return UncertaintyResult(per_year, change, sens, settings)


def _base_design(spec: IndexSpec, prep: Prepared) -> Design:
    w0 = np.array([[dm.weight for dm in spec.domains]], dtype=float)
    return Design(
        factors=[],
        problem=None,
        samples=np.zeros((1, 0)),
        weights=w0,
        scaling=np.array([SCALINGS.index(spec.transform)]),
        missing=np.array([spec.missing == "no-score"]),
        shrink=np.array([spec.shrinkage]),
        drop=np.array([-1]),
        error=np.array([-1]),
        base_n=1,
    )


def _check_base(prep: Prepared, base_score: np.ndarray) -> None:
    """The base variant must reproduce the engine's score (else the analysis would vary
    something other than the published index)."""
    table = prep.point.table
    keys = prep.keys.drop(columns="status")
    engine = table.merge(keys.assign(_pos=range(prep.n)), on=list(keys.columns))
    got = base_score[engine["_pos"].to_numpy()]
    want = engine["score"].to_numpy(float)
    same_nan = np.isnan(got) == np.isnan(want)
    if not same_nan.all() or np.nanmax(np.abs(got - want), initial=0.0) > 1e-6:
        raise BuurtbalansError(Msg("err_an_base_mismatch"))


def _focus_ranks(focus_score: np.ndarray, prep: Prepared) -> np.ndarray:
    """Ranks within each rank set of scores cut to the focus rows (in ``rank_sets``
    order)."""
    bounds = np.cumsum([0, *(len(rows) for _, rows in prep.rank_sets)])
    return np.concatenate(
        [_ranks(focus_score[:, a:b]) for a, b in itertools.pairwise(bounds)], axis=1
    )


def _per_year(prep, a, focus, ranks, classes, base_ranks, base_class):
    spec = prep.spec
    keys = prep.keys.iloc[focus].reset_index(drop=True)
    top_code = len(spec.classes.labels) - 1
    rf = np.where(ranks > 0, ranks, np.nan).astype(float)
    med, lo, hi = _quantiles(rf)
    scored = ranks > 0
    labels = np.asarray(spec.classes.labels, dtype=object)
    out = keys.assign(
        rang=np.where(base_ranks > 0, base_ranks, np.nan),
        klasse=np.where(base_class >= 0, labels[np.maximum(base_class, 0)], None),
        rang_mediaan=med,
        rang_p05=lo,
        rang_p95=hi,
        kans_zeer_hoog=(classes == top_code).mean(axis=0),
        **{f"kans_slechtste_{a.top}": (scored & (ranks <= a.top)).mean(axis=0)},
        aandeel_gescoord=scored.mean(axis=0),
    )
    outputs: dict[str, np.ndarray] = {}
    start = 0
    for p, rows in prep.rank_sets:
        sl = slice(start, start + len(rows))
        start += len(rows)
        b = base_ranks[sl]
        both = (ranks[:, sl] > 0) & (b > 0)
        shift = np.where(both, np.abs(ranks[:, sl] - b), 0).sum(axis=1)
        year = "" if p is None else f" {p}"
        outputs[f"gemiddelde rangverschuiving{year}"] = shift / np.maximum(both.sum(axis=1), 1)
        had = base_class[sl] >= 0
        changed = (classes[:, sl] != base_class[sl]) & had
        outputs[f"aandeel klasse anders{year}"] = changed.sum(axis=1) / max(int(had.sum()), 1)
    return out, outputs


def _change(prep, a, focus, scores, base):
    """Per buurt in both years: Δscore (later − earlier; > 0 = more deprived)."""
    keys = prep.keys.iloc[focus].reset_index(drop=True)
    (p0, r0), (p1, _) = prep.rank_sets
    id_col = prep.keys.columns[0]
    first = pd.Series(np.arange(len(r0)), index=keys[id_col].iloc[: len(r0)].to_numpy())
    later = pd.Series(np.arange(len(r0), len(focus)), index=keys[id_col].iloc[len(r0) :])
    both = first.index.intersection(later.index)
    i0, i1 = first[both].to_numpy(), later[both].to_numpy()
    delta = scores[:, i1].astype(float) - scores[:, i0]
    d0 = base[i1] - base[i0]
    med, lo, hi = _quantiles(delta)
    key = np.where(np.isnan(delta), -np.inf, delta)
    order = np.argsort(-key, axis=1, kind="stable")
    in_top = np.zeros(delta.shape, bool)
    np.put_along_axis(in_top, order[:, : a.top], True, axis=1)
    in_top &= ~np.isnan(delta)
    ids = list(keys.columns[:-2])  # id columns (then period, status)
    table = keys.iloc[i1][ids].reset_index(drop=True)
    table = table.assign(
        verandering=d0,
        verandering_mediaan=med,
        verandering_p05=lo,
        verandering_p95=hi,
        kans_verslechterd=np.where(np.isnan(delta), False, delta > 0).mean(axis=0),
        kans_verbeterd=np.where(np.isnan(delta), False, delta < 0).mean(axis=0),
        **{f"kans_slechtste_{a.top}_verandering": in_top.mean(axis=0)},
        aandeel_gescoord=(~np.isnan(delta)).mean(axis=0),
    )
    flipped = (np.sign(delta) != np.sign(d0)) & ~np.isnan(d0)
    out = {
        f"aandeel richting anders {p0}-{p1}": flipped.sum(axis=1) / max(1, (~np.isnan(d0)).sum())
    }
    return table, out


def uncertainty_for_gemeente(
    store: Any,
    spec: IndexSpec,
    gemeente: str,
    van: int,
    tot: int,
    assumptions: Assumptions,
    *,
    vintage: int | None = None,
) -> UncertaintyResult:
    """The analysis for a gemeente's buurten in ``van`` and ``tot`` on one vintage, with the
    spec's reference set (all NL buurten for a national reference) loaded the way
    :func:`buurtbalans.index.store_mode.index_for_gemeente` does.

    The result is kept per spec hash, package version, store content, gemeente, years,
    vintage and assumptions (seed included: the same key gives the same numbers), in
    memory and next to the store (``<store>.referentie/onzekerheid/``), so the report,
    ``onzekerheid`` and ``prioriteiten`` after it read it instead of running the Monte
    Carlo against all NL again; ``settings["cache"]`` says which happened."""
    from buurtbalans.analysis.pipeline import latest_vintage
    from buurtbalans.index.cache import cache_for, reference_key
    from buurtbalans.index.store_mode import in_gemeente, load_input, sources_used

    vintage = vintage or latest_vintage(store, gemeente, tot)
    periods = sorted({van, tot})
    cache = cache_for(store, "onzekerheid")
    selection = {"gemeente": gemeente, "periods": periods, "vintage": vintage}
    key = reference_key(spec, store, {**selection, "assumptions": assumptions.to_dict()})
    cached, where = cache.get(key)
    if cached is not None:
        result = copy.deepcopy(cached)
        result.settings.update(store=store.path, cache=f"hergebruikt uit {where}")
        return result
    wide = load_input(store, spec, gemeente, periods, vintage=vintage).drop(columns="vintage")
    focus = in_gemeente(wide["area_code"], gemeente).to_numpy()
    prep = prepare(
        wide,
        spec,
        id_columns=["area_code", "name"],
        period_column="period",
        focus=focus,
        margins=dict(assumptions.margins),
    )
    result = run_uncertainty(prep, assumptions)
    result.settings.update(
        gemeente=gemeente,
        vintage=vintage,
        van=van,
        tot=tot,
        sources=sources_used(store, wide, gemeente),
        store=store.path,
    )
    saved = cache.put(key, copy.deepcopy(result))
    result.settings["cache"] = f"berekend en bewaard ({saved})"
    return result
